"""How deep a policy nests: bounded here, so every command can handle what the checks
admit (compiler/limits.py says why and how far). A real policy nests a dozen levels and
chains a few dozen derived values; the limits leave ample room for that."""

from __future__ import annotations

from compiler.checks.context import Context, Fact
from compiler.checks.graph import dependencies
from compiler.diagnostics import Diagnostic, diag
from compiler.ir import nodes as ir
from compiler.ir.walk import children, decl_exprs
from compiler.limits import MAX_CHAIN, MAX_EXPR_DEPTH

# Brackets each node costs in generated Python: a call with a list of tuples (bands), an
# aggregate's generator inside a call, a membership test's tuple; one for the rest.
_COST: dict[type, int] = {ir.Bands: 3, ir.Call: 3, ir.MemberOf: 2}


def expr_depth(e: ir.Expr) -> int:
    """The bracket depth `e` needs, without recursion (a hostile file may nest thousands deep)."""
    deepest = 0
    stack = [(e, _COST.get(type(e), 1))]
    while stack:
        cur, depth = stack.pop()
        deepest = max(deepest, depth)
        stack += [(c, depth + _COST.get(type(c), 1)) for c in children(cur)]
    return deepest


def _chains(deps: dict[str, list[str]]) -> dict[str, int]:
    """The longest chain of values below each value (itself included), without recursion.
    Values on a cycle are left out: the graph check reports those."""
    waiting = {n: len(set(ms)) for n, ms in deps.items()}
    users: dict[str, list[str]] = {}
    for n, ms in deps.items():
        for m in set(ms):
            users.setdefault(m, []).append(n)
    ready = [n for n, k in waiting.items() if k == 0]
    length: dict[str, int] = {}
    while ready:
        n = ready.pop()
        length[n] = 1 + max((length[m] for m in set(deps[n]) if m in length), default=0)
        for u in users.get(n, []):
            waiting[u] -= 1
            if waiting[u] == 0:
                ready.append(u)
    return length


def check(ctx: Context) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for _module, d in ctx.program.all_decls():
        for top in decl_exprs(d):
            depth = expr_depth(top)
            if depth > MAX_EXPR_DEPTH:
                out.append(diag("E109", top.span, depth=str(depth), limit=str(MAX_EXPR_DEPTH)))
    deps = {n: [r.name for r in refs if r.name in ctx.scope.values] for n, refs in dependencies(ctx).items()}
    lengths = _chains(deps)
    if lengths and max(lengths.values()) > MAX_CHAIN:
        # One diagnostic, at the value at the top of the longest chain (the first in source order).
        longest = max(lengths.values())
        name = next(n for n in ctx.scope.values if lengths.get(n) == longest)
        decl = ctx.scope.values[name]
        out.append(diag("E112", decl.name.span, name=name, length=str(longest), limit=str(MAX_CHAIN)))
        ctx.broken.add(name)
    return ctx.establish(Fact.WITHIN_LIMITS, out)
