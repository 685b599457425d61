"""Checks on readings, over the program as written (before its choices are resolved).

`check_choices`: each choice and option is named once and the default is an option.
`check_discretion` (W505): a quoted clause that leaves room for a choice (可, 原则上,
左右 …) on a value or rule that says nothing of how it was read.
"""

from __future__ import annotations

from compiler.diagnostics import Diagnostic, diag, label
from compiler.ir import nodes as ir
from compiler.messages import Text
from compiler.readings import choices, open_points

_OPTION = Text("解读选项", "reading option")


def check_choices(program: ir.Program) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    first: dict[str, ir.Choice] = {}
    for c in choices(program):
        if c.name.text in first:
            out.append(
                diag(
                    "E202", c.name.span, labels=[label(first[c.name.text].name.span, "first-defined")], name=c.name.text
                )
            )
        first.setdefault(c.name.text, c)
        seen: dict[str, ir.Option] = {}
        for o in c.options:
            if o.name.text in seen:
                out.append(
                    diag(
                        "E202",
                        o.name.span,
                        labels=[label(seen[o.name.text].name.span, "first-defined")],
                        name=o.name.text,
                    )
                )
            seen.setdefault(o.name.text, o)
        if c.default.text not in seen:
            out.append(diag("E201", c.default.span, kind=_OPTION, name=c.default.text))
    return out


def check_discretion(program: ir.Program) -> list[Diagnostic]:
    return [diag("W505", p.span, word=p.word) for p in open_points(program) if p.word is not None]
