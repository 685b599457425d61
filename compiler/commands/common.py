"""Options and helpers every command shares."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

ENGINE = click.option("--engine", type=click.Choice(["compiled", "interpreter"]), default="compiled", show_default=True,
                      help="The compiled evaluator, or the reference interpreter it is tested against")  # fmt: skip
ENCODING = click.option("--encoding", default=None, metavar="编码",
                        help="Encoding of a scenario that is not UTF-8, e.g. gb18030 / 情景文件的编码,如 gb18030")  # fmt: skip
LANG = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                    help="Language of messages / 提示语言")  # fmt: skip


def write_output(output: str, text: str | bytes) -> None:
    """An unwritable -o path is a usage error (exit 2) with the reason, never a traceback."""
    from compiler.fileio import write_atomic

    try:
        write_atomic(output, text)
    except OSError as e:
        click.echo(f"{output}: {e.strerror or e}", err=True)
        sys.exit(2)


def emit(data: str | bytes, output: str | None, lang: str) -> None:
    """Results to -o (atomically) or to standard output; a workbook is not sent to a terminal."""
    if output is not None:
        write_output(output, data)
    elif isinstance(data, str):
        click.echo(data, nl=False)
    elif data[:2] == b"PK" and sys.stdout.isatty():  # a zip: xlsx
        click.echo("xlsx 是二进制文件,请用 -o 文件名.xlsx 写入文件" if lang == "zh" else "xlsx is binary: write it to a file with -o NAME.xlsx", err=True)
        sys.exit(2)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def emit_sheet(make: Callable[[], bytes], output: str | None, lang: str) -> None:
    """A spreadsheet made by `make`, emitted; without openpyxl, how to install it (exit 2)."""
    from compiler.sheets import SheetError

    try:
        data = make()
    except SheetError as e:
        click.echo(e.render(output or "-", lang), err=True, nl=False)
        sys.exit(2)
    emit(data, output, lang)
