"""`pool run`."""

from __future__ import annotations

import sys

import click

from compiler.commands.common import ENGINE, LANG


@click.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="The JSON contract of DESIGN.md / 输出 JSON")
@click.option("--explain", "targets", multiple=True, metavar="名称[@地区]", help="Explain a value down to the inputs / 解释某个数")
@ENGINE
@LANG
def run(policy: str, scenario: str, as_json: bool, targets: tuple[str, ...], engine: str, lang: str) -> None:
    """Evaluate a policy on a scenario / 按情景计算一期。"""
    from compiler import report
    from compiler.evaluate import EvaluationFailed, evaluate_file, explain_file
    from compiler.interpreter.trace import render

    try:
        if targets:
            for target in targets:
                checked, step = explain_file(policy, scenario, target)
                click.echo(render(step, checked, lang), nl=False)
            return
        checked, scen, res = evaluate_file(policy, scenario, engine)
    except EvaluationFailed as e:
        click.echo(e.render(lang), err=True)
        sys.exit(e.exit_code)
    click.echo(report.to_json(checked, scen.period, res) if as_json else report.to_text(res, scen.period, lang), nl=False)
