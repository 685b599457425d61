"""The checks: plain functions over the IR, run in the order listed in PASSES.

Each takes the shared context and returns diagnostics; none raises on user error.
"""

from __future__ import annotations

from collections.abc import Callable

from compiler.checks import accounting, consistency, depth, graph, intervals, lint, prose, resolve, shortfall, typing
from compiler.checks.context import Context, build_scope
from compiler.diagnostics import Diagnostic
from compiler.ir.nodes import Program
from compiler.messages import Severity

Pass = Callable[[Context], list[Diagnostic]]

# Resolution and types come first: later passes read ctx.types and skip ctx.broken.
PASSES: tuple[Pass, ...] = (
    resolve.check,
    typing.check,
    graph.check,
    depth.check,
    consistency.check_bounds,
    consistency.check_shares,
    consistency.check_bands,
    consistency.check_waterfalls,
    consistency.check_dates,
    consistency.check_exceptions,
    intervals.check,
    accounting.check,
    shortfall.check,
    lint.check_unused,
    lint.check_quotes,
    lint.check_open,
    prose.check,
)

# Passes that reason about values, or about what is used: pointless, and noisy,
# over a program with name or type errors (a misspelt name is not an unused one).
_SEMANTIC = {consistency.check_shares, consistency.check_bands, intervals.check, accounting.check, shortfall.check, lint.check_unused}


def check(program: Program) -> tuple[Context, list[Diagnostic]]:
    scope, diags = build_scope(program)
    ctx = Context(program, scope)
    for p in PASSES:
        if p in _SEMANTIC and any(d.severity is Severity.ERROR and d.code < "E400" for d in diags):
            continue
        diags += p(ctx)
    return ctx, diags
