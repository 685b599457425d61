"""Worked examples step by step with real numbers: 10亿元 × 10% − 1亿元 × 50% = 5000万元.

Each derived value an example's result rests on is shown before it, with its
operands replaced by their values; of a 如果 or 匹配 only the branch taken is
shown, and a rule whose condition fails says so rather than showing a formula.
"""

from __future__ import annotations

from fractions import Fraction

from compiler.explain import numbers
from compiler.explain.phrases import Phrases
from compiler.interpreter.funds import Machine
from compiler.interpreter.values import Scalar
from compiler.ir import functions
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.types import MONEY as _MONEY
from compiler.ir.types import Base, Type
from compiler.ir.walk import rule_exprs, walk

_SYMBOL = {"+": "+", "-": "−", "*": "×", "/": "÷"}
_RANK = {"+": 1, "-": 1, "*": 2, "/": 2}


def value_text(v: Scalar, t: Type | None, lang: str) -> str:
    if isinstance(v, bool):
        return ("是" if v else "否") if lang == "zh" else ("yes" if v else "no")
    if isinstance(v, str):
        return v
    if t is not None and t.base is Base.MONEY:
        return numbers.money(v, lang)
    if t is not None and t.base is Base.RATIO:
        return numbers.percent(v)
    return numbers.plain(v)


class Worked:
    def __init__(self, checked: CheckedPolicy, machine: Machine, lang: str) -> None:
        self.c = checked
        self.m = machine
        self.lang = lang
        self.phrases = Phrases(checked, lang)
        self.rule: ir.Rule | None = None

    def t(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en

    def val(self, name: str, region: str | None) -> str:
        return value_text(self.m.values.name(name, region), self.c.types.get(name), self.lang)

    def num(self, e: ir.Expr, region: str | None, parent: int = 0) -> str:
        """An expression with every operand replaced by its value."""
        v = self.m.values
        match e:
            case ir.Num(kind=ir.NumKind.MONEY, value=amount) if self.lang != "zh":
                return numbers.money(amount, self.lang)
            case ir.Num(text=text):
                return text
            case ir.Name(name=n) if n in self.c.scope.values:
                return self.val(n, region if self.c.types[n].per_region else None)
            case ir.Name(name=n):
                return n
            case ir.FundAll() | ir.FundRemaining():
                assert self.rule is not None
                return numbers.money(self.m.fund_word(self.rule, e), self.lang)
            case ir.Neg(operand=a):
                return f"−{self.num(a, region, 3)}"
            case ir.Binary(op=op, left=a, right=b):
                text = f"{self.num(a, region, _RANK[op])} {_SYMBOL[op]} {self.num(b, region, _RANK[op] + 1)}"
                return f"({text})" if _RANK[op] < parent else text
            case ir.If(cond=c, then=a, else_=b):
                return self.num(a if v.truth(c, region) else b, region, parent)
            case ir.Match(subject=s, arms=arms):
                member = v.expr(s, region)
                arm = next(x for x in arms if x.patterns is None or member in {p.text for p in x.patterns})
                return self.num(arm.body, region, parent)
            case ir.Call(func=f, args=args):
                fn = functions.lookup(f.text)
                if fn is not None and fn.id in ("max", "min", "clamp"):
                    shown = f.text if self.lang == "zh" else fn.id
                    return f"{shown}({', '.join(self.num(x, region) for x in args)})"
        # comparisons, aggregates, band tables: their value says enough
        got = v.expr(e, region)
        return value_text(got, _MONEY if isinstance(got, Fraction) and self._money(e) else None, self.lang)

    def _money(self, e: ir.Expr) -> bool:
        return any(isinstance(x, ir.Name) and x.name in self.c.types and self.c.types[x.name].base is Base.MONEY for x in walk(e))

    # ---- the steps behind one value

    def steps(self, name: str, region: str | None) -> list[tuple[str, str, str]]:
        """(target, formula with numbers, result) for every derived value behind name, then name."""
        out: list[tuple[str, str, str]] = []
        seen: set[tuple[str, str | None]] = set()
        self._collect(name, region, out, seen)
        return out

    def _collect(self, name: str, region: str | None, out: list[tuple[str, str, str]], seen: set[tuple[str, str | None]]) -> None:
        d = self.c.scope.values[name]
        per = self.c.types[name].per_region
        key = (name, region if per else None)
        if key in seen or isinstance(d, (ir.ParamDecl, ir.InputDecl)):
            return
        seen.add(key)
        exprs = list(rule_exprs(d)) if isinstance(d, ir.Rule) else [d.expr] if isinstance(d, ir.LetDecl) else []
        for top in exprs:
            for e in walk(top):
                if isinstance(e, ir.Name) and e.name in self.c.scope.values and self._used(e.name, region):
                    self._collect(e.name, region, out, seen)
        formula = self.rule_formula(d, key[1]) if isinstance(d, ir.Rule) else self.num(d.expr, key[1]) if isinstance(d, ir.LetDecl) else ""
        target = f"{name}({key[1]})" if key[1] else name
        out.append((target, formula, self.val(name, key[1])))

    def _used(self, name: str, region: str | None) -> bool:
        d = self.c.scope.values[name]
        if isinstance(d, ir.Rule):
            return name in self.m.results
        return (name, region if self.c.types[name].per_region else None) in self.m.values.memo

    def rule_formula(self, r: ir.Rule, region: str | None) -> str:
        v = self.m.values
        self.rule = r
        try:
            if r.cond is not None and not v.truth(r.cond, region):
                return self.t(f"{self.phrases.expr(r.cond)}不成立,不计", f"{self.phrases.expr(r.cond)} does not hold")
            for x in r.exceptions:
                if v.truth(x.cond, region):
                    return self.t(f"{self.phrases.expr(x.cond)},为{self.num(x.value, region)}",
                                  f"{self.phrases.expr(x.cond)}: {self.num(x.value, region)}")  # fmt: skip
            if r.kind is ir.RuleKind.ALLOCATE:
                return self.allocation(r, region)
            text = self.num(r.amount, None if r.kind is ir.RuleKind.RETAIN else region)
            if r.cap is not None:
                text = f"{self.t('取小', 'min')}({text}, {self.num(r.cap, region)})"
            if r.kind is ir.RuleKind.RETAIN and r.cumulative_cap is not None and r.dest is not None and r.dest.name:
                cap = self.num(r.cumulative_cap, None)
                opening = numbers.money(self.m.env.opening.get(r.dest.name.text, Fraction(0)), self.lang)
                text = self.t(f"{text},但不超过 {cap} − {opening}", f"{text}, but no more than {cap} − {opening}")
            return text
        finally:
            self.rule = None

    def allocation(self, r: ir.Rule, region: str | None) -> str:
        total = self.num(r.amount, None)
        regions = self.m.env.regions
        if r.single_weight is not None:
            mine = self.term(r.single_weight, region)
            whole = sum((self.m.values.num(r.single_weight, q) for q in regions), Fraction(0))
            return f"{total} × {mine} ÷ {numbers.plain(whole)}"
        parts = []
        for w in r.weights:
            whole = sum((self.m.values.num(w.factor, q) for q in regions), Fraction(0))
            parts.append(f"{self.term(w.weight, None)} × {self.term(w.factor, region)} ÷ {numbers.plain(whole)}")
        return f"{total} × ({' + '.join(parts)})"

    def term(self, e: ir.Expr, region: str | None) -> str:
        """A factor in a product: bracketed when it is itself arithmetic (100% − 60%)."""
        text = self.num(e, region)
        return f"({text})" if isinstance(e, (ir.Binary, ir.If)) else text

