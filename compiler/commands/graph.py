"""`pool graph`."""

from __future__ import annotations

import sys

import click

from compiler.commands.common import LANG, write_output


@click.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (default: stdout)")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["dot", "svg"]),
    default="dot",
    show_default=True,
    help="Graphviz DOT, or SVG laid out by Graphviz's dot",
)
@LANG
def graph(policy: str, output: str | None, fmt: str, lang: str) -> None:
    """The dependency graph of a policy, one cluster per fund / 政策的依赖关系图。"""
    from compiler.evaluate import EvaluationFailed, check_policy
    from compiler.tools.graph import GraphvizError, to_dot, to_svg

    try:
        checked = check_policy(policy)
    except EvaluationFailed as e:
        click.echo(e.render(lang), err=True, nl=False)
        sys.exit(e.exit_code)
    text = to_dot(checked, lang)
    if fmt == "svg":
        try:
            text = to_svg(text)
        except GraphvizError as e:
            click.echo(e.render(lang), err=True, nl=False)
            sys.exit(2)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_output(output, text, [policy], lang)
