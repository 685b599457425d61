"""`pool simulate`."""

from __future__ import annotations

import sys

import click

from compiler.commands.common import ENGINE, LANG


@click.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="A JSON list, one result a period")
@ENGINE
@LANG
def simulate(policy: str, scenarios: tuple[str, ...], as_json: bool, engine: str, lang: str) -> None:
    """Several periods, balances carried forward / 多期模拟,余额逐年结转。"""
    from compiler import report
    from compiler.evaluate import EvaluationFailed, simulate_files

    try:
        checked, runs = simulate_files(policy, list(scenarios), engine)
    except EvaluationFailed as e:
        click.echo(e.render(lang), err=True, nl=False)
        sys.exit(e.exit_code)
    rows = [(scen.period, res) for scen, res in runs]
    click.echo(report.simulation_json(checked, rows) if as_json else report.simulation_text(checked, rows, lang), nl=False)
