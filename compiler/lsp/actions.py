"""Quick fixes: the edits a diagnostic's own hint already describes.

A did-you-mean replaces the misspelt name; a keyword run into the next word gets
its space; a full-width character its ASCII form; a bare number where money is
meant its unit (500 → 500元). Each fix is an edit of the document's text.
"""

from __future__ import annotations

import re

import attrs

from compiler.diagnostics import Diagnostic
from compiler.ir import nodes as ir
from compiler.ir.walk import walk
from compiler.lsp.analysis import Analysis
from compiler.messages import Text
from compiler.source import Span

_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?(万|亿)?")


@attrs.frozen
class Fix:
    title: str
    span: Span  # the text replaced
    text: str  # what replaces it
    diagnostic: Diagnostic
    preferred: bool = False


_TITLES = {
    "rename": Text("改为“{new}”", "change to ‘{new}’"),
    "space": Text("在“{keyword}”{side}加空格", "put a space {side} ‘{keyword}’"),
    "ascii": Text("改为半角“{new}”", "use the ASCII ‘{new}’"),
    "delete": Text("删除不可见字符 U+{codepoint}", "delete the invisible character U+{codepoint}"),
    "unit": Text("{old} 改为 {new}", "write {old} as {new}"),
}


def fixes(a: Analysis, diagnostics: list[Diagnostic], lang: str) -> list[Fix]:
    out: list[Fix] = []
    for d in diagnostics:
        if d.span.file != a.shown:
            continue
        out += _fixes(a, d, lang)
    return out


def _title(key: str, lang: str, **args: str) -> str:
    return _TITLES[key].render(lang, dict(args))


def _fixes(a: Analysis, d: Diagnostic, lang: str) -> list[Fix]:
    hint = dict(d.hint.args) if d.hint is not None else {}
    key = d.hint.key if d.hint is not None else None
    line = a.source.line_text(d.span.line)
    if key == "did-you-mean":
        new = str(hint["suggestion"])
        written = line[d.span.column - 1 : d.span.end_column - 1] if d.span.line == d.span.end_line else ""
        text = f'"{new}"' if written[:1] in '"“「' else new
        return [Fix(_title("rename", lang, new=new), d.span, text, d, preferred=True)]
    if key in ("keyword-space", "keyword-space-before"):
        kw, rest = str(hint["keyword"]), str(hint["rest"])
        joined = kw + rest if key == "keyword-space" else rest + kw
        at = line.rfind(joined, 0, max(d.span.end_column - 1, 0) + len(joined))
        if at < 0:
            return []
        cut = at + (len(kw) if key == "keyword-space" else len(rest))
        side = (
            ("后" if key == "keyword-space" else "前")
            if lang == "zh"
            else ("after" if key == "keyword-space" else "before")
        )
        span = Span(d.span.file, d.span.line, cut + 1, d.span.line, cut + 1)
        return [Fix(_title("space", lang, keyword=kw, side=side), span, " ", d, preferred=True)]
    if key == "fullwidth":
        new = str(hint["ascii"])
        return [Fix(_title("ascii", lang, new=new), d.span, new, d, preferred=True)]
    if key == "invisible":
        return [Fix(_title("delete", lang, codepoint=str(hint["codepoint"])), d.span, "", d, preferred=True)]
    if d.code in ("E301", "E302") and _money_meant(d):
        return [
            Fix(_title("unit", lang, old=n.text, new=n.text + "元"), n.span, n.text + "元", d)
            for n in _bare_numbers(a, d.span)
        ]
    return []


def _money_meant(d: Diagnostic) -> bool:
    args = {k: (v.en if isinstance(v, Text) else v) for k, v in d.args}
    if d.code == "E302":
        return args.get("expected") == "money" and args.get("got") == "number"
    return {args.get("left"), args.get("right")} == {"money", "number"} and args.get("op") in (
        "+",
        "-",
        ">",
        "<",
        ">=",
        "<=",
        "=",
        "!=",
    )


def _bare_numbers(a: Analysis, span: Span) -> list[ir.Num]:
    """Number literals without a unit inside `span`: the ones the unit is missing from."""
    program = a.program
    if program is None:
        return []
    found: dict[Span, ir.Num] = {}
    for _module, decl in program.all_decls():
        for field in attrs.fields(type(decl)):
            _scan(getattr(decl, field.name), span, found)
    return [found[s] for s in sorted(found)]


def _scan(node: object, span: Span, found: dict[Span, ir.Num]) -> None:
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, tuple):
            stack.extend(cur)
        elif isinstance(cur, ir.Num):
            _keep(cur, span, found)
        elif attrs.has(type(cur)) and isinstance(getattr(cur, "span", None), Span):
            s: Span = cur.span  # type: ignore[attr-defined]
            if s.file != span.file or s.end_line < span.line or s.line > span.end_line:
                continue
            if type(cur) in _EXPR_TYPES:
                for sub in walk(cur):  # type: ignore[arg-type]
                    if isinstance(sub, ir.Num):
                        _keep(sub, span, found)
                continue
            fields = attrs.fields(type(cur))  # type: ignore[arg-type]
            stack.extend(getattr(cur, f.name) for f in fields if f.name != "span")


def _keep(n: ir.Num, span: Span, found: dict[Span, ir.Num]) -> None:
    s = n.span
    inside = (s.line, s.column) >= (span.line, span.column) and (s.end_line, s.end_column) <= (
        span.end_line,
        span.end_column,
    )
    if inside and n.kind is ir.NumKind.NUMBER and _NUMBER.fullmatch(n.text):
        found[s] = n


_EXPR_TYPES = {
    ir.Num,
    ir.BoolLit,
    ir.Name,
    ir.FundAll,
    ir.FundRemaining,
    ir.Call,
    ir.Binary,
    ir.Neg,
    ir.Compare,
    ir.MemberOf,
    ir.Logical,
    ir.If,
    ir.Match,
    ir.Bands,
}
