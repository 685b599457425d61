"""`pool compile`."""

from __future__ import annotations

import sys

import click

from compiler.commands.common import LANG, READING, parse_readings, write_output


@click.command("compile")
@click.argument("policy", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the module here (default: stdout)")
@READING
@LANG
def compile_cmd(policy: str, output: str | None, readings: tuple[str, ...], lang: str) -> None:
    """Compile a policy to a typed Python evaluator / 编译为 Python 计算模块。

    With --reading NAME=OPTION the module settles under that option of a choice of readings.
    加 --reading 时编译该解读选项。"""
    from compiler.codegen.python import generate
    from compiler.evaluate import EvaluationFailed, check_policy, under_readings

    chosen = parse_readings(readings, lang)
    try:
        checked = under_readings(check_policy(policy), chosen)
    except EvaluationFailed as e:
        click.echo(e.render(lang), err=True, nl=False)
        sys.exit(e.exit_code)
    source = checked.program.main.span.file
    code = generate(checked, source, checked.sources[source])
    if output is None:
        click.echo(code, nl=False)
    else:
        write_output(output, code, [policy], lang)
