"""`pool check`."""

from __future__ import annotations

import sys

import click

from compiler.commands.common import LANG


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@LANG
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for editors",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors / 警告也视为错误")
def check(files: tuple[str, ...], lang: str, fmt: str, strict: bool) -> None:
    """Check policies for consistency / 检查政策的一致性。"""
    from compiler.diagnostics import render_text, sort_diagnostics, summary, to_json
    from compiler.driver import check_file
    from compiler.messages import Severity

    all_diags = []
    sources = {}
    io_error = False
    for f in files:
        result = check_file(f)
        all_diags += result.diagnostics
        sources.update(result.sources)
        io_error |= result.io_error
    diags = sort_diagnostics(all_diags)
    if fmt == "json":
        click.echo(to_json(diags, lang), nl=False)
    else:
        text = render_text(diags, sources, lang)
        if text:
            click.echo(text)
        click.echo(summary(diags, lang))
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    if io_error:
        sys.exit(2)
    sys.exit(1 if any(d.severity in failing for d in diags) else 0)
