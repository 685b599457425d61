"""Drafters' prose for the 解读 (`说明` on a declaration, `解读` paragraphs in the header)
and the `{{…}}` references inside it.

A reference is `{{名称}}` (a value the policy fixes: a parameter with a value, or a
derived value computed from such parameters only), or `{{例标签：名称}}` /
`{{例标签：名称：地区}}` (what the interpreter computes in that example). The check
(compiler/checks/prose.py) and the explainer (compiler/explain/prose.py) both read
references through this module, so what is checked is what is filled in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import cast

import attrs

from compiler.ir import nodes as ir
from compiler.ir.walk import walk
from compiler.source import Span

_REF = re.compile(r"\{\{(.*?)\}\}")
_SEP = re.compile(r"[:：]")


@attrs.frozen
class Ref:
    name: str
    example: str | None
    region: str | None
    start: int  # offset of "{{" in the text
    end: int  # offset after "}}"


def constant(scope_values: dict[str, object], name: str, seen: frozenset[str] = frozenset()) -> bool:
    """A value the policy itself fixes: a parameter with a value, or a derived value
    built only from such parameters, literals and 取大/取小/限定."""
    d = scope_values.get(name)
    if isinstance(d, ir.ParamDecl):
        return d.value is not None
    if not isinstance(d, ir.LetDecl) or name in seen:
        return False
    for e in walk(d.expr):
        if isinstance(e, (ir.FundAll, ir.FundRemaining)):
            return False
        if isinstance(e, ir.Call) and e.func.text not in ("取大", "max", "取小", "min", "限定", "clamp"):
            return False
        if isinstance(e, ir.Name) and e.name in scope_values and not constant(scope_values, e.name, seen | {name}):
            return False
    return True


def refs(text: str) -> Iterator[Ref]:
    for m in _REF.finditer(text):
        parts = [p.strip() for p in _SEP.split(m.group(1))]
        if len(parts) == 1:
            yield Ref(parts[0], None, None, m.start(), m.end())
        else:
            yield Ref(parts[1], parts[0], parts[2] if len(parts) > 2 else None, m.start(), m.end())


def span_of(s: ir.Str, ref: Ref) -> Span:
    """Where a reference sits in the source, when the string is on one line (escapes may shift it)."""
    sp = s.span
    if sp.line != sp.end_line:
        return sp
    col = sp.column + 1 + ref.start  # after the opening quote
    return Span(sp.file, sp.line, col, sp.line, min(col + ref.end - ref.start, sp.end_column))


def prose_strings(policy: ir.Policy) -> Iterator[ir.Str]:
    """Every 解读 paragraph and 说明 of a policy, in source order."""
    yield from policy.header.prose
    for d in policy.decls:
        yield from _notes(d)


def _notes(node: object) -> Iterator[ir.Str]:
    if isinstance(node, ir.Literate):
        if node.note is not None:
            yield node.note
        return
    if isinstance(node, (tuple, list)):
        for x in node:
            yield from _notes(x)
        return
    if isinstance(node, ir.Example):
        yield from _notes(node.literate)  # its givens and expectations carry none
        return
    if not attrs.has(type(node)):
        return
    for f in attrs.fields(cast("type[attrs.AttrsInstance]", type(node))):
        if f.name != "span":
            yield from _notes(getattr(node, f.name))
