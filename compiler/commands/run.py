"""`pool run`."""

from __future__ import annotations

import sys

import click

from compiler.commands.common import ENCODING, LANG, READING, emit, emit_sheet, parse_readings


@click.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option(
    "--json", "as_json", is_flag=True, help="Print period, values, transfers and closing state as JSON / 输出 JSON"
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv", "xlsx"]),
    default="text",
    show_default=True,
    help="csv and xlsx: ledger, values and balances for a spreadsheet / 表格输出",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (default: stdout) / 输出文件")
@ENCODING
@click.option(
    "--explain", "targets", multiple=True, metavar="名称[@地区]", help="Explain a value down to the inputs / 解释某个数"
)
@click.option(
    "--detail",
    "detail",
    multiple=True,
    metavar="实体",
    help="List this kind of entity one by one (default: totals per rule and region) / 逐个列出该类实体",
)
@click.option(
    "--engine",
    type=click.Choice(["compiled", "interpreter", "vector", "dask"]),
    default="compiled",
    show_default=True,
    help="The compiled evaluator, the reference interpreter, or vector: the vectorized backend, for millions "
    "of entities (with --entities files; -o NAME.parquet writes each entity's amounts), or dask: the vector "
    "engine region by region on a Dask cluster (--scheduler), the same results",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="--engine dask: the dask.distributed scheduler (tcp://host:8786); default a local cluster of 2 workers",
)
@click.option(
    "--entities",
    "entity_files",
    multiple=True,
    metavar="实体=文件",
    help="Read one kind of entity from a Parquet or CSV file (--engine vector) / 从 Parquet 或 CSV 读入一类实体",
)
@READING
@LANG
def run(
    policy: str,
    scenario: str,
    as_json: bool,
    fmt: str,
    output: str | None,
    encoding: str | None,
    targets: tuple[str, ...],
    engine: str,
    detail: tuple[str, ...],
    entity_files: tuple[str, ...],
    scheduler: str | None,
    readings: tuple[str, ...],
    lang: str,
) -> None:
    """Evaluate a policy on a scenario / 按情景计算一期。"""
    from compiler import report
    from compiler.evaluate import EvaluationFailed, evaluate_file, explain_file
    from compiler.interpreter.trace import render

    chosen = parse_readings(readings, lang)
    if engine in ("vector", "dask") or entity_files:
        from compiler.commands.run_vector import run_vector

        on = (scheduler or "") if engine == "dask" else None
        run_vector(
            policy, scenario, entity_files, as_json or fmt == "json", fmt, output, encoding, detail, chosen, lang, on
        )
        return
    try:
        if targets:
            for target in targets:
                checked, step = explain_file(policy, scenario, target, encoding, chosen)
                click.echo(render(step, checked, lang), nl=False)
            return
        checked, scen, res = evaluate_file(policy, scenario, engine, encoding, chosen)
    except EvaluationFailed as e:
        said = e.render(lang)
        click.echo(said, err=True, nl=not said.endswith("\n"))  # one line break, as the vector engine's
        sys.exit(e.exit_code)
    unknown = [k for k in detail if k not in checked.scope.entities]
    if unknown:
        kinds = "、".join(checked.scope.entities) or ("无" if lang == "zh" else "none")
        click.echo(
            f"--detail:没有实体“{unknown[0]}”(本政策的实体:{kinds})"
            if lang == "zh"
            else f"--detail: no entity kind ‘{unknown[0]}’ (this policy's: {kinds})",
            err=True,
        )
        sys.exit(2)
    if fmt in ("csv", "xlsx"):
        from compiler.sheets import write_results

        emit_sheet(
            lambda: write_results(checked, [(scen.period, res)], fmt, lang, detail), output, lang, [policy, scenario]
        )
        return
    if as_json or fmt == "json":
        out = report.to_json(checked, scen.period, res, scen.missing, detail)
    else:
        out = report.to_text(res, scen.period, lang, checked, detail)
        out += report.notes(checked, scen.missing, lang, detail)
    emit(out, output, lang, [policy, scenario])
