"""Values and rules kept per month (每月, 按月; compiler/months.py) as an official reads them.

The engines settle one copy a month, 月度预结算额(1月) … (12月); the 解读 describes the rule
once, as written — its amount with 累计, 此前 and 月份 in words — and says that it is settled
each month and falls due at the month's end. Later months' copies are not told again.
"""

from __future__ import annotations

import attrs

from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.subperiods import MONTH_NUMBER


class Months:
    def __init__(self, checked: CheckedPolicy) -> None:
        self.c = checked
        program = checked.written or checked.program
        self.written: dict[object, ir.Decl] = {}  # what the drafter wrote, by its span
        for _m, d in program.all_decls():
            ones: tuple[ir.Decl, ...] = (*d.rules, d) if isinstance(d, ir.FundDecl) else (d,)
            for one in ones:
                self.written.setdefault(one.span, one)

    @staticmethod
    def later(d: object) -> bool:
        """A copy after the first month's: told with the first."""
        copy = getattr(d, "sub_copy", None)
        return isinstance(copy, ir.SubCopy) and copy.index > 1

    def rule(self, r: ir.Rule) -> ir.Rule:
        """The first month's copy with the expressions as written (its name kept, for the plan)."""
        w = self.written.get(r.span)
        if r.sub_copy is None or not isinstance(w, ir.Rule):
            return r
        fields = (
            "amount",
            "cond",
            "cap",
            "cumulative_cap",
            "exceptions",
            "single_weight",
            "weights",
            "shares",
            "tiers",
        )
        return attrs.evolve(r, **{f: getattr(w, f) for f in fields}, sub=w.sub)

    def let(self, d: ir.LetDecl) -> ir.LetDecl:
        w = self.written.get(d.span)
        if d.sub_copy is None or not isinstance(w, ir.LetDecl):
            return d
        return attrs.evolve(d, name=ir.Ident(d.sub_copy.base, d.name.span), expr=w.expr)

    @staticmethod
    def settled(r: ir.Rule, sentence: str, zh: bool) -> str:
        """The rule's sentence, saying when it is settled: 按月结算，每月月末支付."""
        unit = r.sub.unit if r.sub is not None else (r.sub_copy.unit if r.sub_copy is not None else None)
        if unit is None:
            return sentence
        body = sentence.rstrip("。.")
        if zh:
            return (
                f"{body}；按{unit}结算，每{unit}{unit}末支付。"
                if unit == "月"
                else f"{body}；按季度结算，每季度末支付。"
            )
        when = "month" if unit == "月" else "quarter"
        return f"{body}; settled each {when}, due at the {when}'s end."


def month_words(e: ir.Expr) -> bool:
    return isinstance(e, ir.Name) and e.name == MONTH_NUMBER
