"""The checks: plain functions over the IR, run in the order listed in PASSES.

Each takes the shared context and returns diagnostics; none raises on user error.
A pass declares the facts it needs (see Fact); the passes that establish them record
them in the context, and a pass whose needs are not met is skipped.
"""

from __future__ import annotations

from compiler.checks import (
    accounting,
    consistency,
    constraints,
    depth,
    graph,
    intervals,
    lint,
    prose,
    resolve,
    rules,
    schemes,
    shares,
    shortfall,
    typecheck,
)
from compiler.checks.context import Context, Fact, Pass, build_scope
from compiler.diagnostics import Diagnostic
from compiler.ir.nodes import Program

# Passes that reason about values, or about what is used: pointless, and noisy, over a
# program with name or type errors (a misspelt name is not an unused one), a cycle, or
# nesting past the limits.
SOUND = frozenset({Fact.NAMES_RESOLVED, Fact.TYPES_AGREE, Fact.ACYCLIC, Fact.WITHIN_LIMITS})

# Resolution and types come first: later passes read ctx.types and skip ctx.broken.
PASSES: tuple[Pass, ...] = (
    Pass(resolve.check),
    Pass(typecheck.check),
    Pass(rules.check),
    Pass(schemes.check),
    Pass(graph.check),
    Pass(depth.check),
    Pass(consistency.check_bounds),
    Pass(shares.check_shares, needs=SOUND),
    Pass(consistency.check_bands, needs=SOUND),
    Pass(consistency.check_waterfalls),
    Pass(consistency.check_dates),
    Pass(consistency.check_exceptions),
    Pass(constraints.check, needs=SOUND),
    Pass(intervals.check, needs=SOUND),
    Pass(accounting.check, needs=SOUND),
    Pass(shortfall.check, needs=SOUND),
    Pass(lint.check_unused, needs=SOUND),
    Pass(lint.check_quotes),
    Pass(lint.check_open),
    Pass(prose.check),
)


def check(program: Program) -> tuple[Context, list[Diagnostic]]:
    scope, conflicts = build_scope(program)
    ctx = Context(program, scope, conflicts)
    diags: list[Diagnostic] = []
    for p in PASSES:
        if p.needs <= ctx.facts:
            diags += p.run(ctx)
    return ctx, diags
