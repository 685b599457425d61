"""Interval reasoning: prove every transfer non-negative from what is known of its inputs.

Inputs of money, counts and ratios are non-negative unless declared signed;
parameters range over their bounds (or are fixed when they have a value and no
bounds). `上年度收入 × 10% − 增量 × 50%` is therefore flagged unless floored, while
`缺口 − 缺口 × 比例` passes because the subtrahend is dominated by the minuend.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import attrs

from compiler.checks.context import Context
from compiler.checks.linear import fixed_param
from compiler.diagnostics import Diagnostic, diag, note
from compiler.ir import functions
from compiler.ir import nodes as ir
from compiler.ir.constants import fold
from compiler.ir.walk import all_rules, decl_exprs, walk

Bound = Fraction | None  # None: unbounded on that side


@attrs.frozen
class Interval:
    lo: Bound
    hi: Bound

    @property
    def nonneg(self) -> bool:
        return self.lo is not None and self.lo >= 0


TOP = Interval(None, None)
NONNEG = Interval(Fraction(0), None)
UNIT = Interval(Fraction(0), Fraction(1))


def point(v: Fraction) -> Interval:
    return Interval(v, v)


def _add(a: Bound, b: Bound) -> Bound:
    return None if a is None or b is None else a + b


def add(a: Interval, b: Interval) -> Interval:
    return Interval(_add(a.lo, b.lo), _add(a.hi, b.hi))


def neg(a: Interval) -> Interval:
    return Interval(None if a.hi is None else -a.hi, None if a.lo is None else -a.lo)


def mul(a: Interval, b: Interval) -> Interval:
    if a.nonneg and b.nonneg:
        assert a.lo is not None and b.lo is not None
        hi = None if a.hi is None or b.hi is None else a.hi * b.hi
        return Interval(a.lo * b.lo, hi)
    bounds = [a.lo, a.hi, b.lo, b.hi]
    if any(x is None for x in bounds):
        return TOP
    products = [x * y for x in (a.lo, a.hi) for y in (b.lo, b.hi)]  # type: ignore[operator]
    return Interval(min(products), max(products))


def div(a: Interval, b: Interval) -> Interval:
    if b.lo is not None and b.lo > 0:
        inv = Interval(None if b.hi is None else 1 / b.hi, 1 / b.lo)
        return mul(a, inv)
    return NONNEG if a.nonneg and b.nonneg else TOP


def hull(items: list[Interval]) -> Interval:
    lo = None if any(i.lo is None for i in items) else min(i.lo for i in items)  # type: ignore[type-var]
    hi = None if any(i.hi is None for i in items) else max(i.hi for i in items)  # type: ignore[type-var]
    return Interval(lo, hi)


def _max(items: list[Interval]) -> Interval:
    los = [i.lo for i in items if i.lo is not None]
    lo = max(los) if los else None
    hi = None if any(i.hi is None for i in items) else max(i.hi for i in items)  # type: ignore[type-var]
    return Interval(lo, hi)


def _min(items: list[Interval]) -> Interval:
    lo = None if any(i.lo is None for i in items) else min(i.lo for i in items)  # type: ignore[type-var]
    his = [i.hi for i in items if i.hi is not None]
    return Interval(lo, min(his) if his else None)


class Analyzer:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.memo: dict[str, Interval] = {}

    def name(self, n: str) -> Interval:
        if n not in self.memo:
            self.memo[n] = TOP  # cycle guard; cycles are reported elsewhere
            self.memo[n] = self._name(n)
        return self.memo[n]

    def _name(self, n: str) -> Interval:
        d = self.ctx.scope.values.get(n)
        t = self.ctx.types.get(n)
        natural = NONNEG if t is not None and t.numeric else TOP
        if isinstance(d, ir.InputDecl):
            return TOP if d.signed else natural
        if isinstance(d, ir.ParamDecl):
            if fixed_param(d):
                assert d.value is not None
                return self.of(d.value)
            lo, hi = natural.lo, natural.hi
            for b in d.bounds:
                v = fold(b.expr, self.ctx.scope.values)
                if v is not None and b.kind is ir.BoundKind.MIN:
                    lo = v if lo is None else max(lo, v)
                elif v is not None:
                    hi = v if hi is None else min(hi, v)
            return Interval(lo, hi)
        if isinstance(d, ir.LetDecl):
            return self.of(d.expr)
        if isinstance(d, ir.Rule):
            return NONNEG  # each rule's own amount is proven separately
        return TOP

    def of(self, e: ir.Expr) -> Interval:
        match e:
            case ir.Num(value=v):
                return point(Fraction(v))
            case ir.Name(name=n):
                return self.name(n) if n in self.ctx.scope.values else TOP
            case ir.FundAll() | ir.FundRemaining():
                return NONNEG
            case ir.Neg(operand=a):
                return neg(self.of(a))
            case ir.Binary(op="+", left=a, right=b):
                return add(self.of(a), self.of(b))
            case ir.Binary(op="-", left=a, right=b):
                diff = add(self.of(a), neg(self.of(b)))
                if self.dominated(b, a):
                    return Interval(Fraction(0), self.of(a).hi)
                return diff
            case ir.Binary(op="*", left=a, right=b):
                return mul(self.of(a), self.of(b))
            case ir.Binary(op="/", left=a, right=b):
                return div(self.of(a), self.of(b))
            case ir.If(then=a, else_=b):
                return hull([self.of(a), self.of(b)])
            case ir.Match(arms=arms):
                return hull([self.of(a.body) for a in arms])
            case ir.Bands(subject=s, bands=bands, progressive=False):
                return hull([self.of(b.value) for b in bands])
            case ir.Bands(subject=s, bands=bands, progressive=True):
                rates = hull([self.of(b.value) for b in bands])
                return mul(Interval(Fraction(0), self.of(s).hi), rates) if self.of(s).nonneg else TOP
            case ir.Call(func=f, args=args):
                return self.call(f.text, args)
        return TOP

    def call(self, fname: str, args: tuple[ir.Expr, ...]) -> Interval:
        fn = functions.lookup(fname)
        if fn is None or not args:
            return TOP
        parts = [self.of(a) for a in args]
        if fn.id == "max":
            return _max(parts)
        if fn.id == "min":
            return _min(parts)
        if fn.id == "clamp" and len(parts) == 3:
            return _min([_max([parts[0], parts[1]]), parts[2]])
        if fn.id in ("sum", "mean"):
            return NONNEG if parts[0].nonneg else TOP
        if fn.id == "share":
            return UNIT if parts[0].nonneg else TOP
        return NONNEG  # count, balance

    def dominated(self, small: ir.Expr, big: ir.Expr) -> bool:
        """small ≤ big whenever big ≥ 0, by the shape of small alone."""
        if small == big or (isinstance(small, ir.Num) and small.value == 0):
            return True
        match small:
            case ir.Binary(op="*", left=a, right=b):
                return (self.dominated(a, big) and self._within_unit(b)) or (
                    self.dominated(b, big) and self._within_unit(a)
                )
            case ir.If(then=a, else_=b):
                return self.dominated(a, big) and self.dominated(b, big)
            case ir.Match(arms=arms):
                return all(self.dominated(arm.body, big) for arm in arms)
            case ir.Call(func=f, args=args) if functions.lookup(f.text) is functions.BY_NAME["min"]:
                return any(self.dominated(a, big) for a in args)
            case ir.Name(name=n):
                d = self.ctx.scope.values.get(n)
                if isinstance(d, ir.LetDecl):
                    return self.dominated(d.expr, big)
                if isinstance(d, ir.Rule) and d.kind in (ir.RuleKind.PAY, ir.RuleKind.TRANSFER):
                    values = [d.amount, *(x.value for x in d.exceptions)]
                    return all(self.dominated(v, big) for v in values)
        return False

    def _within_unit(self, e: ir.Expr) -> bool:
        i = self.of(e)
        return i.nonneg and i.hi is not None and i.hi <= 1


def _amounts(r: ir.Rule) -> list[ir.Expr]:
    return [r.amount, *(x.value for x in r.exceptions)]


def show(b: Bound) -> str:
    if b is None:
        return "−∞"
    if b.denominator == 1:
        return f"{b.numerator:,}"
    return format(Decimal(b.numerator) / Decimal(b.denominator), ",.2f")


def check(ctx: Context) -> list[Diagnostic]:
    an = Analyzer(ctx)
    out: list[Diagnostic] = []
    decls = tuple(d for _m, d in ctx.program.all_decls())
    for r in all_rules(decls):
        if r.name.text in ctx.broken:
            continue
        for e in _amounts(r):
            i = an.of(e)
            if not i.nonneg:
                out.append(diag("E406", e.span, hint=note("floor-it"), name=r.name.text, low=show(i.lo)))
        for factor in (r.single_weight, *(w.factor for w in r.weights)):
            if factor is not None and not an.of(factor).nonneg:
                out.append(diag("E415", factor.span, name=r.name.text, low=show(an.of(factor).lo)))
    for d in decls:
        for top in decl_exprs(d):
            for e in walk(top):
                if isinstance(e, ir.Binary) and e.op == "/" and an.of(e.right) == point(Fraction(0)):
                    out.append(diag("E414", e.right.span))
    return out
