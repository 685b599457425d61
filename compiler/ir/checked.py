"""What the backends receive: a program that passed every check, with its facts."""

from __future__ import annotations

import attrs

from compiler.ir import nodes as ir
from compiler.ir.scope import Scope
from compiler.ir.types import Type
from compiler.source import Span


@attrs.frozen
class CheckedPolicy:
    program: ir.Program
    scope: Scope
    types: dict[str, Type]  # the type of every parameter, input, derived value and rule
    sources: dict[str, str] = attrs.field(factory=dict)  # file → text, for formulas in traces
    # The program as written, its choices of reading unresolved (None: the same as
    # `program`), and the option `program` takes for each choice.
    written: ir.Program | None = None
    readings: dict[str, str] = attrs.field(factory=dict)
    # The Plan (compiler/plan) the driver lowers it to after the checks; None where a
    # CheckedPolicy is made by hand (compiler.plan.plan_of then makes one).
    plan: object = attrs.field(default=None, eq=False, repr=False)

    def text_of(self, span: Span) -> str:
        """The source text a span covers (single-line spans; longer ones are cut at the line end)."""
        lines = self.sources.get(span.file, "").splitlines()
        if not 0 < span.line <= len(lines):
            return ""
        line = lines[span.line - 1]
        end = span.end_column - 1 if span.end_line == span.line else len(line)
        return line[span.column - 1 : end]

    @property
    def policy(self) -> ir.Policy | None:
        return self.program.policy
