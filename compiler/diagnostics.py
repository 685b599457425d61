"""Diagnostics: collected, sorted and rendered with the source line and a caret.

A diagnostic holds a stable code, the primary span, the arguments of its message
(the texts live in `messages`), secondary labelled spans and an optional hint.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping

import attrs

from compiler.messages import CODES, TEXTS, Severity, Text
from compiler.source import SourceFile, Span


@attrs.frozen
class Note:
    """A secondary text: a label on a span, or a hint with no span."""

    key: str
    args: tuple[tuple[str, str | Text], ...] = ()

    def render(self, lang: str) -> str:
        return TEXTS[self.key].render(lang, dict(self.args))


@attrs.frozen
class Label:
    span: Span
    note: Note


@attrs.frozen
class Diagnostic:
    code: str
    span: Span
    args: tuple[tuple[str, str | Text], ...] = ()
    labels: tuple[Label, ...] = ()
    hint: Note | None = None

    @property
    def severity(self) -> Severity:
        return CODES[self.code].severity

    def message(self, lang: str) -> str:
        return CODES[self.code].text.render(lang, dict(self.args))

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.span.file, self.span.line, self.span.column, self.code)


def diag(
    code_id: str,
    span: Span,
    labels: Iterable[Label] = (),
    hint: Note | None = None,
    **args: object,
) -> Diagnostic:
    """Build a diagnostic; keyword arguments fill the message template."""
    assert code_id in CODES, code_id
    return Diagnostic(code_id, span, _args(args), tuple(labels), hint)


def _args(args: dict[str, object]) -> tuple[tuple[str, str | Text], ...]:
    return tuple(sorted((k, v if isinstance(v, Text) else str(v)) for k, v in args.items()))


def note(key: str, **args: object) -> Note:
    assert key in TEXTS, key
    return Note(key, _args(args))


def label(span: Span, key: str, **args: object) -> Label:
    return Label(span, note(key, **args))


def sort_diagnostics(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(set(diags), key=lambda d: (d.sort_key(), d.message("en")))


# ---- rendering -----------------------------------------------------------------


def display_width(text: str) -> int:
    """Terminal columns: CJK characters and full-width punctuation take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _snippet(source: SourceFile, span: Span, mark: str, text: str, gutter: int) -> list[str]:
    # A control character (\r, \x0c, U+2028 …) would move the terminal's cursor: show a space,
    # one column as the lexer counts.
    line = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in source.line_text(span.line))
    start = display_width(line[: span.column - 1])
    if span.end_line == span.line:
        end_col = max(span.end_column, span.column + 1)
    else:
        end_col = len(line) + 1
    width = max(1, display_width(line[span.column - 1 : end_col - 1]))
    pad = " " * gutter
    out = [f"{str(span.line).rjust(gutter)} | {line}"]
    underline = " " * start + mark * width
    out.append(f"{pad} | {underline}" + (f" {text}" if text else ""))
    return out


def render_text(diags: Iterable[Diagnostic], sources: Mapping[str, SourceFile], lang: str = "zh") -> str:
    blocks: list[str] = []
    for d in diags:
        sev = d.severity.zh if lang == "zh" else d.severity.value
        head = f"{d.span}: {sev}[{d.code}]: {d.message(lang)}"
        lines = [head]
        src = sources.get(d.span.file)
        spans = [d.span] + [lab.span for lab in d.labels]
        gutter = max(len(str(s.line)) for s in spans)
        if src is not None and src.line_text(d.span.line):
            lines.append(" " * gutter + " |")
            lines += _snippet(src, d.span, "^", "", gutter)
        for lab in d.labels:
            lsrc = sources.get(lab.span.file)
            if lsrc is None:
                continue
            if lab.span.file != d.span.file:
                lines.append(" " * gutter + f" ::: {lab.span}")
            lines += _snippet(lsrc, lab.span, "-", lab.note.render(lang), gutter)
        if d.hint is not None:
            word = "提示" if lang == "zh" else "hint"
            lines.append(" " * gutter + f" = {word}: {d.hint.render(lang)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def to_json(diags: Iterable[Diagnostic], lang: str = "zh") -> str:
    def span_dict(s: Span) -> dict[str, object]:
        return {
            "file": s.file,
            "line": s.line,
            "column": s.column,
            "end_line": s.end_line,
            "end_column": s.end_column,
        }

    items = [
        {
            "code": d.code,
            "name": CODES[d.code].title,
            "severity": d.severity.value,
            "message": d.message(lang),
            **span_dict(d.span),
            "labels": [{**span_dict(lab.span), "message": lab.note.render(lang)} for lab in d.labels],
            "hint": d.hint.render(lang) if d.hint else None,
        }
        for d in diags
    ]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def summary(diags: list[Diagnostic], lang: str) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diags)
    warnings = sum(d.severity is Severity.WARNING for d in diags)
    notes = sum(d.severity is Severity.NOTE for d in diags)
    if lang == "zh":
        return f"{errors} 个错误,{warnings} 个警告,{notes} 个提示"
    return f"{errors} error(s), {warnings} warning(s), {notes} note(s)"
