"""`pool test`."""

from __future__ import annotations

import sys

import click

from compiler.commands.common import LANG


@click.command("test")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@LANG
def test_cmd(files: tuple[str, ...], lang: str) -> None:
    """Run the examples inside policies / 运行政策中的算例。"""
    from compiler.diagnostics import render_text
    from compiler.driver import check_file
    from compiler.interpreter.examples import run_examples
    from compiler.numbers import show_value

    passed = failed = 0
    broken = False
    for f in files:
        result = check_file(f)
        if result.policy is None:
            click.echo(render_text(result.errors, result.sources, lang), nl=False)
            broken = True
            continue
        click.echo(f)
        for o in run_examples(result.policy):
            ex = o.example
            where = f"{ex.span.file}:{ex.span.line}"
            if o.passed:
                passed += 1
                click.echo(f"  ✓ {ex.label.value}")
                continue
            failed += 1
            click.echo(f"  ✗ {ex.label.value}  ({where})")
            for mm in o.mismatches:
                target = mm.name + (f"@{mm.region}" if mm.region else "")
                t = result.policy.types.get(mm.name)
                exp, act = show_value(mm.expected, t), show_value(mm.actual, t)
                label = ("期望", "实际") if lang == "zh" else ("expected", "actual")
                click.echo(f"      {target}: {label[0]} {exp}, {label[1]} {act}  ({mm.span.file}:{mm.span.line})")
            if o.error is not None:
                e = o.error
                at = f"  ({e.span.file}:{e.span.line})" if e.span else ""
                click.echo(f"      {e.zh if lang == 'zh' else e.en}{at}")
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(2 if broken else 1 if failed else 0)
