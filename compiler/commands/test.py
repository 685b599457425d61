"""`pool test`."""

from __future__ import annotations

import sys

import click

from compiler.commands.common import LANG


@click.command("test")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="A machine-readable report / 输出 JSON")
@click.option(
    "--coverage", is_flag=True, help="List the rules and branches no case exercises / 列出没有用例覆盖的规则和分支"
)
@LANG
def test_cmd(paths: tuple[str, ...], as_json: bool, coverage: bool, lang: str) -> None:
    """Run the examples in policies and the cases in case files (*.cases.yaml) / 运行算例和用例文件。

    PATH is a policy (.pool), a case file, or a folder searched for both.
    Exit 0 all pass, 1 a case fails, 2 an input cannot be run.
    """
    from compiler.tools.testing import Session, discover, render_json, render_text

    files, failures = discover(paths)
    session = Session(coverage)
    session.failures += failures
    for f in files:
        session.run(f)
    for failure in session.failures:  # on standard error, so --json output stays one document
        click.echo(failure.zh if lang == "zh" else failure.en, nl=False, err=True)
    click.echo(render_json(session, lang) if as_json else render_text(session, lang), nl=False)
    sys.exit(session.exit_code)
