"""资金流向: every transfer the policy makes, payer → payee as the plan resolves them, numbered
in the order money moves, and the boxes of the diagram (compiler/explain/svg.py draws them)."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from compiler.explain import words
from compiler.explain.phrases import Phrases
from compiler.explain.told import Teller
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.plan import Endpoint, plan_of


@attrs.frozen
class Flow:
    number: int
    source: str
    dest: str
    label: str  # rule name, with its ratio where it has one


class Diagram:
    def __init__(self, checked: CheckedPolicy, p: Phrases, teller: Teller, ty: Callable[[str], str]) -> None:
        self.c = checked
        self.p = p
        self.zh = p.zh
        self.teller = teller
        self.ty = ty

    def box(self, name: str) -> str:
        """A party's box, named as the policy declares it: a finance bureau pays, not its government
        (省财政 is not 省政府). Only a per-region one is named by the regions' noun (市（州）财政)."""
        decl = self.c.scope.parties.get(name)
        if isinstance(decl, ir.PartyDecl) and decl.per_region and words.is_government(name) and self.zh:
            return f"{self.p.noun}{'财政' if '财政' in name else '政府'}"
        return name

    def parties(self) -> tuple[str, ...]:
        names = [n for n, p in self.c.scope.parties.items() if isinstance(p, ir.PartyDecl)]
        return tuple(dict.fromkeys(self.ty(self.box(n)) for n in names))

    def flows(self) -> tuple[Flow, ...]:
        out: list[Flow] = []
        plan = plan_of(self.c)
        fold = self.teller.copies.fold  # a copy's 匹配 险种 is its scheme's arm

        def who(e: Endpoint | None) -> str:
            if e is not None and e.entity is not None:
                return e.entity
            return "" if e is None else self.p.each if e.name is None else e.name

        for r in plan.rules:
            if r.name in self.teller.never or r.name in self.teller.later:
                continue  # a scheme's copy that never pays (当 险种 = another scheme); a later month's (按月)
            if r.shares:
                pairs = [(who(r.payer), who(s.to), self.p.expr(fold(s.ratio))) for s in r.shares]
            elif r.tiers:
                pairs = [
                    (who(x.by), who(r.payee), self.p.expr(fold(x.share)) if x.share else "")
                    for t in r.tiers
                    for x in t.payers
                ]
            else:
                pairs = [(who(r.payer), who(r.payee), "")]
            ratio = self._ratio(fold(r.rule.amount))
            for a, b, share in pairs:
                shown = share or ratio
                text = self.teller.names.get(r.name, r.name) + (
                    (f"（{shown}）" if self.zh else f" ({shown})") if shown else ""
                )
                out.append(Flow(len(out) + 1, self.ty(self.box(a)), self.ty(self.box(b)), self.ty(text)))
        return tuple(out)

    def _ratio(self, e: ir.Expr) -> str:
        """A fixed ratio the amount is taken at (10%), for the arrow's label."""
        if isinstance(e, ir.Binary) and e.op == "*":
            for x in (e.right, e.left):
                if (self.p.is_ratio(x) and self.p.fixed(x) is not None) or (
                    isinstance(x, ir.Num) and x.kind is ir.NumKind.PERCENT
                ):
                    return self.p.expr(x)
        return ""
