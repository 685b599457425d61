"""Dependencies between values, and the cycles among them."""

from __future__ import annotations

from compiler.checks.context import Context, Fact
from compiler.diagnostics import Diagnostic, diag, label
from compiler.ir import deps
from compiler.ir import nodes as ir


def dependencies(ctx: Context) -> dict[str, list[ir.Name]]:
    """For each value, the names it reads (ir/deps.py: the one relation the plan orders by)."""
    return deps.dependencies(ctx.scope)


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
