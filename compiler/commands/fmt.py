"""`pool fmt`: one canonical layout, as gofmt does it.

Without a flag the formatted text goes to stdout; `--write` rewrites files in place
(atomically, only those that change), `--check` and `--diff` report. A file that does
not parse, or whose layout would change its meaning (a bug in pool), is never written.
Exit codes: 0 done or already formatted, 1 `--check`/`--diff` found files to change,
2 a file could not be read, parsed or safely formatted.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from compiler.commands.common import LANG


def _files(paths: tuple[str, ...]) -> list[Path]:
    """Files as given, directories searched for .pool files, each once, in order."""
    out: list[Path] = []
    for p in map(Path, paths):
        found = sorted(p.rglob("*.pool")) if p.is_dir() else [p]
        out += [f for f in found if f not in out]
    return out


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--check", is_flag=True, help="Only report files that would change (exit 1) / 只检查")
@click.option("--diff", "show_diff", is_flag=True, help="Print what would change as a unified diff / 显示差异")
@click.option("-w", "--write", is_flag=True, help="Rewrite the files in place / 直接改写文件")
@click.option(
    "--keywords", type=click.Choice(["zh", "en"]), help="Write every keyword in one language / 关键字统一为中文或英文"
)
@LANG
def fmt(paths: tuple[str, ...], check: bool, show_diff: bool, write: bool, keywords: str | None, lang: str) -> None:
    """Lay out policies canonically / 统一政策文件格式。

    PATH is a .pool file, a directory searched for them, or - for standard input
    (formatted to standard output, as editors call it).
    """
    import difflib

    from compiler.diagnostics import diag, render_text
    from compiler.driver import Formatted, decode_source, format_file, format_source
    from compiler.fileio import FileRefused, signature, write_atomic
    from compiler.messages import Text
    from compiler.source import Span

    def load(path: Path) -> Formatted:
        if str(path) != "-":
            return format_file(path, keywords)
        if sys.stdin is None:  # `pool fmt - <&-`: no standard input at all
            return Formatted(
                "",
                None,
                [diag("E106", Span("<stdin>", 1, 1, 1, 1), reason=Text("没有标准输入", "there is no standard input"))],
                {},
                io_error=True,
            )
        source, err = decode_source(sys.stdin.buffer.read(), "<stdin>")
        if source is None:
            assert err is not None
            return Formatted("", None, [err], {}, io_error=True)
        return format_source(source, keywords)

    zh = lang == "zh"
    failed = False
    changed: list[str] = []
    unchanged = 0
    files = _files(paths)
    for path in files:
        read_as = signature(path) if str(path) != "-" else None  # fmt -w will not overwrite a later edit
        result = load(path)
        shown = str(path)
        if result.text is None:
            failed = True
            if result.changes_ir:
                click.echo(
                    f"{shown}: 格式化会改变政策的含义,未改动此文件(这是 pool 的缺陷,请报告)"
                    if zh
                    else f"{shown}: formatting would change what the policy means; left as it is (a bug in pool, "
                    "please report it)",
                    err=True,
                )
            else:
                click.echo(render_text(result.diagnostics, result.sources, lang), err=True, nl=False)
            continue
        if result.changed:
            changed.append(shown)
        else:
            unchanged += 1
        if show_diff and result.changed:
            click.echo(
                "".join(
                    difflib.unified_diff(
                        result.original.splitlines(keepends=True),
                        result.text.splitlines(keepends=True),
                        shown,
                        shown,
                    )
                ),
                nl=False,
            )
        elif check and result.changed:
            click.echo(f"需要格式化 {shown}" if zh else f"would reformat {shown}")
        if write and result.changed and str(path) != "-":
            try:
                write_atomic(path, result.text, expect=read_as)
            except FileRefused as e:
                click.echo(e.render(lang), err=True)
                failed = True
                changed.remove(shown)
                continue
            except OSError as e:
                click.echo(f"{shown}: {e.strerror or e}", err=True)
                failed = True
                changed.remove(shown)
                continue
            click.echo(f"已格式化 {shown}" if zh else f"reformatted {shown}")
        elif not (check or show_diff or write) or (write and str(path) == "-"):
            click.echo(result.text, nl=False)
    if check or show_diff or write:
        verb = ("已改写" if write else "需要格式化") if zh else ("reformatted" if write else "would be reformatted")
        click.echo(
            f"{len(changed)} 个文件{verb},{unchanged} 个文件已是规范格式"
            if zh
            else f"{len(changed)} file(s) {verb}, {unchanged} already formatted",
            err=True,
        )
    if failed:
        sys.exit(2)
    sys.exit(1 if changed and (check or show_diff) and not write else 0)
