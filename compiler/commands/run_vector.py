"""`pool run --engine vector [--entities 实体=文件 …] [-o results.parquet]` (compiler/scale.py)."""

from __future__ import annotations

import sys

import click

from compiler.commands.common import emit
from compiler.plan import plan_of


def _usage(zh: str, en: str, lang: str) -> None:
    click.echo(zh if lang == "zh" else en, err=True)
    sys.exit(2)


def run_vector(
    policy: str,
    scenario: str,
    entity_files: tuple[str, ...],
    as_json: bool,
    fmt: str,
    output: str | None,
    encoding: str | None,
    detail: tuple[str, ...],
    readings: dict[str, str],
    lang: str,
    scheduler: str | None = None,
) -> None:
    """`scheduler`: None for --engine vector; for --engine dask the cluster's address ("": a local one)."""
    from compiler import report
    from compiler.evaluate import EvaluationFailed
    from compiler.scale import ledger_rows, period_result, results_parquet, settle_vector

    files: dict[str, str] = {}
    for given in entity_files:
        kind, eq, path = given.partition("=")
        if not eq or not kind.strip() or not path.strip():
            _usage(f"--entities {given}: 应写成 实体=文件", f"--entities {given}: write KIND=FILE", lang)
        if kind.strip() in files:
            _usage(f"--entities:“{kind}”给了两次", f"--entities: ‘{kind}’ is given twice", lang)
        files[kind.strip()] = path.strip()
    if fmt in ("csv", "xlsx"):
        _usage(
            "--engine vector 输出 text、json 或 -o 文件.parquet",
            "--engine vector writes text, json or -o NAME.parquet",
            lang,
        )
    try:
        if scheduler is None:
            checked, scen, out = settle_vector(policy, scenario, files, encoding, readings)
        else:
            from compiler.scale_dask import client_for, settle_dask

            with client_for(scheduler or None) as client:
                checked, scen, out = settle_dask(policy, scenario, files, encoding, readings, client)
    except EvaluationFailed as e:
        click.echo(e.render(lang), err=True, nl=False)
        sys.exit(e.exit_code)
    unknown = [k for k in detail if k not in checked.scope.entities]
    if unknown:
        _usage(f"--detail:没有实体“{unknown[0]}”", f"--detail: no entity kind ‘{unknown[0]}’", lang)
    inputs = [policy, scenario, *files.values()]
    if output is not None and output.lower().endswith(".parquet"):
        emit(results_parquet(out), output, lang, inputs)
        return
    res = period_result(checked, out, detail)
    rows = ledger_rows(out, detail, plan_of(checked), scen.period)
    if as_json:
        text = report.to_json(checked, scen.period, res, scen.missing, detail, rows)
    else:
        text = report.to_text(res, scen.period, lang, checked, detail, rows)
        text += report.notes(checked, scen.missing, lang, detail)
    emit(text, output, lang, inputs)
