"""Options and helpers every command shares."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import click

ENGINE = click.option(
    "--engine",
    type=click.Choice(["compiled", "interpreter"]),
    default="compiled",
    show_default=True,
    help="The compiled evaluator, or the reference interpreter it is tested against",
)
ENCODING = click.option(
    "--encoding",
    default=None,
    metavar="编码",
    help="Encoding of a scenario that is not UTF-8, e.g. gb18030 / 情景文件的编码,如 gb18030",
)
LANG = click.option(
    "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Language of messages / 提示语言"
)

READING = click.option(
    "--reading",
    "readings",
    multiple=True,
    metavar="解读=选项",
    help="Settle under this option of a choice of readings (repeatable) / 按某一解读的选项计算",
)


def parse_readings(given: tuple[str, ...], lang: str) -> dict[str, str]:
    """`--reading 名称=选项`, each once; anything else is a usage error (exit 2)."""
    out: dict[str, str] = {}
    for g in given:
        name, eq, option = g.partition("=")
        if not eq or not name.strip() or not option.strip():
            click.echo(
                f"--reading {g}: 应写成 解读名称=选项" if lang == "zh" else f"--reading {g}: write NAME=OPTION",
                err=True,
            )
            sys.exit(2)
        out[name.strip()] = option.strip()
    return out


def write_output(output: str, text: str | bytes, inputs: Iterable[str] = (), lang: str = "zh") -> None:
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


def emit(data: str | bytes, output: str | None, lang: str, inputs: Iterable[str] = ()) -> None:
    """Results to -o (atomically, never over one of `inputs`) or to standard output; a workbook
    is not sent to a terminal."""
    if output is not None:
        write_output(output, data, inputs, lang)
    elif isinstance(data, str):
        click.echo(data, nl=False)
    elif data[:2] == b"PK" and sys.stdout.isatty():  # a zip: xlsx
        click.echo(
            "xlsx 是二进制文件,请用 -o 文件名.xlsx 写入文件"
            if lang == "zh"
            else "xlsx is binary: write it to a file with -o NAME.xlsx",
            err=True,
        )
        sys.exit(2)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def emit_sheet(make: Callable[[], bytes], output: str | None, lang: str, inputs: Iterable[str] = ()) -> None:
    """A spreadsheet made by `make`, emitted; without openpyxl, how to install it (exit 2)."""
    from compiler.sheets import SheetError

    try:
        data = make()
    except SheetError as e:
        click.echo(e.render(output or "-", lang), err=True, nl=False)
        sys.exit(2)
    emit(data, output, lang, inputs)


def watching() -> bool:
    """Whether a person is watching standard error (a terminal, not a pipe or a file)."""
    return sys.stderr.isatty()


@contextlib.contextmanager
def progress_bar(wanted: bool, lang: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on standard error, drawn as work reports (done, total); nothing at all
    unless wanted and standard error is a terminal, so a pipe or a log never fills with bars."""
    if not (wanted and watching()):
        yield None
        return
    bar: Any = None

    def step(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(
                length=total, label="模拟中" if lang == "zh" else "simulating", file=sys.stderr, show_eta=True
            )
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        yield step
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
