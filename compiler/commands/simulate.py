"""`pool simulate`: several periods in order, or many random draws of them (--draws)."""

from __future__ import annotations

import sys

import click

from compiler.commands.common import (
    ENCODING,
    LANG,
    READING,
    emit,
    emit_sheet,
    parse_readings,
    progress_bar,
    write_output,
)


@click.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="JSON: one result a period, or the distributions with --draws")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv", "xlsx"]),
    default="text",
    show_default=True,
    help="csv and xlsx: every period's ledger, values and balances, or with --draws each year's distribution / 表格输出",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (default: stdout) / 输出文件")
@ENCODING
@click.option("--draws", type=int, default=None, help="Draw N random futures from a stochastic scenario / 随机模拟次数")
@click.option(
    "--seed",
    type=int,
    default=None,
    help="With --draws: seed of the random draws, 0 if not given (same seed, same output) / 随机种子",
)
@click.option(
    "--values",
    "values",
    multiple=True,
    metavar="名称[@地区]",
    help="With --draws: values to summarise (default: every carried fund's balance) / 要统计的值",
)
@click.option(
    "--chart", type=click.Path(dir_okay=False), default=None, help="With --draws: write a fan chart, FILE.svg / 扇形图"
)
@click.option(
    "--engine",
    type=click.Choice(["compiled", "interpreter", "vector"]),
    default=None,
    help="compiled (the default for periods), interpreter (the reference), or vector: every draw at once "
    "on the vectorized backend (the default with --draws)",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar on standard error / 不显示进度")
@READING
@LANG
def simulate(
    policy: str,
    scenarios: tuple[str, ...],
    as_json: bool,
    fmt: str,
    output: str | None,
    encoding: str | None,
    draws: int | None,
    seed: int | None,
    values: tuple[str, ...],
    chart: str | None,
    engine: str | None,
    quiet: bool,
    readings: tuple[str, ...],
    lang: str,
) -> None:
    """Several periods, balances carried forward; with --draws, a stochastic scenario drawn N times.

    多期模拟,余额逐年结转;加 --draws 时按随机情景抽样 N 次,统计各年的分布。"""
    from compiler import report
    from compiler.evaluate import EvaluationFailed, simulate_files

    if draws is None:
        given = (
            ("--seed", seed is not None),
            ("--values", values),
            ("--chart", chart),
            ("--engine vector", engine == "vector"),
        )
        engine = engine or "compiled"
        used = [name for name, on in given if on]
        if used:
            _usage(f"{used[0]} 须与 --draws 一起使用", f"{used[0]} needs --draws", lang)
        from compiler.stochastic.spec import is_stochastic

        for f in scenarios:
            if is_stochastic(f):
                _usage(
                    f"{f}: 这是随机情景(有 growth/years/base),请加 --draws N",
                    f"{f}: a stochastic scenario (growth/years/base): add --draws N",
                    lang,
                )
        try:
            checked, runs = simulate_files(policy, list(scenarios), engine, encoding, parse_readings(readings, lang))
        except EvaluationFailed as e:
            click.echo(e.render(lang), err=True, nl=False)
            sys.exit(e.exit_code)
        rows = [(scen.period, res) for scen, res in runs]
        if fmt in ("csv", "xlsx"):
            from compiler.sheets import write_results

            emit_sheet(lambda: write_results(checked, rows, fmt, lang), output, lang, [policy, *scenarios])
            return
        missing = tuple(dict.fromkeys(r for scen, _ in runs for r in scen.missing))
        if as_json or fmt == "json":
            out = report.simulation_json(checked, rows, missing)
        else:
            out = report.simulation_text(checked, rows, lang) + report.notes(checked, missing, lang)
        emit(out, output, lang, [policy, *scenarios])
        return
    if len(scenarios) != 1:
        _usage("--draws 只读一个随机情景文件", "--draws reads one stochastic scenario file", lang)
    if chart is not None and not chart.lower().endswith(".svg"):
        _usage(
            f"--chart {chart}: 只能写 SVG(文件名以 .svg 结尾)",
            f"--chart {chart}: only SVG is written (a name ending in .svg)",
            lang,
        )
    from compiler.stochastic import simulate as stochastic
    from compiler.stochastic.chart import fan_chart
    from compiler.stochastic.summary import text, to_json

    seed = 0 if seed is None else seed
    engine = engine or "vector"
    try:
        with progress_bar(not quiet, lang) as progress:
            run = stochastic(
                policy,
                scenarios[0],
                draws,
                seed,
                list(values),
                engine,
                progress=progress,
                readings=parse_readings(readings, lang),
            )
    except EvaluationFailed as e:
        click.echo(e.render(lang), err=True, nl=False)
        sys.exit(e.exit_code)
    if chart is not None:  # written before stdout, so a bad path leaves nothing half-done
        write_output(chart, fan_chart(run.summaries, draws, seed, lang), [policy, *scenarios], lang)
    if fmt in ("csv", "xlsx"):
        from compiler.sheets.draws import draws_tables
        from compiler.sheets.write import write_tables

        emit_sheet(
            lambda: write_tables(draws_tables(run.outcome, run.summaries, lang), fmt),
            output,
            lang,
            [policy, *scenarios],
        )
        return
    if as_json or fmt == "json":
        out = to_json(run.plan, run.outcome, run.summaries, seed, engine, run.checked.readings)
    else:
        out = text(run.plan, run.outcome, run.summaries, seed, lang) + report.notes(run.checked, (), lang)
    emit(out, output, lang, [policy, *scenarios])


def _usage(zh: str, en: str, lang: str) -> None:
    click.echo(zh if lang == "zh" else en, err=True)
    sys.exit(2)
