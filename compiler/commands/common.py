"""Options and helpers every command shares."""

from __future__ import annotations

import sys

import click

ENGINE = click.option("--engine", type=click.Choice(["compiled", "interpreter"]), default="compiled", show_default=True,
                      help="The compiled evaluator, or the reference interpreter it is tested against")  # fmt: skip
LANG = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                    help="Language of messages / 提示语言")  # fmt: skip


def write_output(output: str, text: str) -> None:
    """An unwritable -o path is a usage error (exit 2) with the reason, never a traceback."""
    from compiler.fileio import write_atomic

    try:
        write_atomic(output, text)
    except OSError as e:
        click.echo(f"{output}: {e.strerror or e}", err=True)
        sys.exit(2)
