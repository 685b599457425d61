"""Options and helpers every command shares."""

from __future__ import annotations

import sys
from collections.abc import Iterable

import click

ENGINE = click.option("--engine", type=click.Choice(["compiled", "interpreter"]), default="compiled", show_default=True,
                      help="The compiled evaluator, or the reference interpreter it is tested against")  # fmt: skip
LANG = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                    help="Language of messages / 提示语言")  # fmt: skip


def write_output(output: str, text: str, inputs: Iterable[str] = (), lang: str = "zh") -> None:
    """Write -o atomically. An unwritable path, a FIFO or device, or one of the command's
    inputs is a usage error (exit 2) with the reason, never a traceback or a lost file."""
    from compiler.fileio import FileRefused, write_atomic

    try:
        write_atomic(output, text, inputs)
    except FileRefused as e:
        click.echo(e.render(lang), err=True)
        sys.exit(2)
    except OSError as e:
        click.echo(f"{output or '-o'}: {e.strerror or e}", err=True)
        sys.exit(2)
