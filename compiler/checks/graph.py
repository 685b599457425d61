"""Dependencies between values, and the cycles among them."""

from __future__ import annotations

from compiler.checks.context import Context, Fact
from compiler.diagnostics import Diagnostic, diag, label
from compiler.ir import nodes as ir
from compiler.ir.walk import decl_exprs, walk


def dependencies(ctx: Context) -> dict[str, list[ir.Name]]:
    """For each value, the names it reads (in source order), including a fund's
    inflows for `全部` and the earlier outflows for `剩余`."""
    deps: dict[str, list[ir.Name]] = {}
    scope = ctx.scope
    for name, d in scope.values.items():
        refs: list[ir.Name] = []
        for top in decl_exprs(d):
            for e in walk(top):
                if isinstance(e, ir.Name) and e.name in scope.values:
                    refs.append(e)
                elif isinstance(e, (ir.FundAll, ir.FundRemaining)) and isinstance(d, ir.Rule) and d.fund:
                    refs += [ir.Name(r.name.text, e.span) for r in _feeding(ctx, d, e)]
        if isinstance(d, ir.Rule) and d.shortfall is not None and d.fund:
            refs += [ir.Name(r.name.text, d.shortfall.span) for r in _feeding(ctx, d, ir.FundRemaining(d.shortfall.span))]
        if isinstance(d, ir.Rule) and d.cumulative_cap is not None:
            refs += [ir.Name(r.name.text, d.cumulative_cap.span) for r in scope.filled_before(d)]
        deps[name] = refs
    return deps


def _feeding(ctx: Context, rule: ir.Rule, e: ir.Expr) -> list[ir.Rule]:
    assert rule.fund is not None
    fund = ctx.scope.funds[rule.fund.text]
    inflows = ctx.scope.feeders_for(rule)
    if isinstance(e, ir.FundRemaining):
        before = fund.rules[: fund.rules.index(rule)]
        inflows += [r for r in before if r.kind is not ir.RuleKind.COLLECT]
    return [r for r in inflows if r is not rule]


def check(ctx: Context) -> list[Diagnostic]:
    deps = dependencies(ctx)
    out: list[Diagnostic] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[tuple[str, ir.Name | None]] = []

    def visit(n: str, via: ir.Name | None) -> None:
        state[n] = 1
        path.append((n, via))
        for ref in deps.get(n, []):
            if state.get(ref.name) == 1:
                start = next(i for i, (p, _) in enumerate(path) if p == ref.name)
                cycle = path[start:] + [(ref.name, ref)]
                chain = " → ".join(p for p, _ in cycle)
                uses = [v for _, v in cycle[1:] if v is not None]
                decl = ctx.scope.values[ref.name]
                labels = [label(u.span, "effective-cycle", name=u.name) for u in uses]
                out.append(diag("E204", decl.name.span, labels=labels, chain=chain))
                ctx.broken.update(p for p, _ in cycle)
            elif ref.name not in state:
                visit(ref.name, ref)
        path.pop()
        state[n] = 2

    for name in sorted(deps):
        if name not in state:
            visit(name, None)
    return ctx.establish(Fact.ACYCLIC, out)
