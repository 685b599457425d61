"""`pool template`."""

from __future__ import annotations

import sys

import click

from compiler.commands.common import ENCODING, LANG, emit


@click.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write here, e.g. scenario.xlsx (default: stdout) / 输出文件",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "csv"]),
    default=None,
    help="xlsx (drop-down lists, formats, comments) or csv; default: from -o's extension, else xlsx",
)
@click.option("--scenario", type=click.Path(dir_okay=False), help="Fill it in with this scenario / 用此情景填写")
@ENCODING
@LANG
def template(
    policy: str, output: str | None, fmt: str | None, scenario: str | None, encoding: str | None, lang: str
) -> None:
    """A fill-in spreadsheet for the policy's scenarios / 生成情景填报表格。

    One row per region, one column per input with its unit, a sheet of parameters
    (待定 ones highlighted) and of opening balances. Filled in, it runs unchanged:
    pool run POLICY scenario.xlsx.
    """
    from compiler.evaluate import EvaluationFailed, check_policy, load_scenario
    from compiler.sheets import SheetError, template_bytes

    if fmt is None:
        fmt = "csv" if output is not None and output.lower().endswith(".csv") else "xlsx"
    try:
        checked = check_policy(policy)
        scen = load_scenario(checked, scenario, encoding) if scenario is not None else None
        data = template_bytes(checked, fmt, scen, lang)
    except EvaluationFailed as e:
        click.echo(e.render(lang), err=True, nl=False)
        sys.exit(e.exit_code)
    except SheetError as e:
        click.echo(e.render(output or "-", lang), err=True, nl=False)
        sys.exit(2)
    emit(data, output, lang, [policy, *([scenario] if scenario else [])])
