"""What each value reads: the one dependency relation of a program.

The checks look for cycles in it (checks/graph.py) and the plan orders evaluation by it
(compiler/plan); both read this, so the two cannot disagree on what a rule depends on.
"""

from __future__ import annotations

from compiler.ir import nodes as ir
from compiler.ir.scope import Scope
from compiler.ir.walk import decl_exprs, walk


def dependencies(scope: Scope) -> dict[str, list[ir.Name]]:
    """For each value, the names it reads in source order, each with the place it is read.
    A rule also reads what its fund words count (the inflows for 全部; those and the fund's
    earlier outflows for 剩余 and 不足时) and, under a 累计上限, the earlier rules filling the
    same fund; those are attributed to the word, the clause or the cap."""
    deps: dict[str, list[ir.Name]] = {}
    for name, d in scope.values.items():
        refs: list[ir.Name] = []
        word: ir.Expr | None = None
        for top in decl_exprs(d):
            for e in walk(top):
                if isinstance(e, ir.Name) and e.name in scope.values:
                    refs.append(e)
                elif isinstance(e, (ir.FundAll, ir.FundRemaining)) and word is None:
                    word = e
        if isinstance(d, ir.Rule):
            read = scope.fund_words(d)
            if read:
                span = word.span if word is not None else d.shortfall.span if d.shortfall is not None else d.span
                refs += [ir.Name(r.name.text, span) for r in read]
            if d.cumulative_cap is not None:
                refs += [ir.Name(r.name.text, d.cumulative_cap.span) for r in scope.filled_before(d)]
        deps[name] = refs
    return deps
