"""`pool schema`."""

from __future__ import annotations

import sys

import click

from compiler.commands.common import LANG


@click.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@LANG
def schema(policy: str, lang: str) -> None:
    """The JSON Schema of the policy's scenario files / 情景文件的 JSON Schema。"""
    import json

    from compiler.evaluate import EvaluationFailed, check_policy
    from compiler.schema import scenario_schema

    try:
        checked = check_policy(policy)
    except EvaluationFailed as e:
        click.echo(e.render(lang), err=True, nl=False)
        sys.exit(e.exit_code)
    click.echo(json.dumps(scenario_schema(checked), ensure_ascii=False, indent=2))
