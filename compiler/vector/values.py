"""Expressions over whole batches: every draw and region at once.

Shapes: a per-region value is (draws, regions), a global one (draws, 1) or a
constant (); numpy broadcasting then mixes them as the language does. Booleans
and enumeration members are plain arrays (bool, member codes: compiler/vector/flag.py) with the poison of the
numbers they came from carried alongside (`Flag`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from fractions import Fraction

import attrs
import numpy as np

from compiler.ir import functions
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.scope import account
from compiler.plan import plan_of
from compiler.runtime import NO_ENTITIES, REGION
from compiler.vector import arith as A
from compiler.vector.arith import Arr, Ctx, Q, Why, why
from compiler.vector.entities import Layout, aggregate
from compiler.vector.flag import Flag as Flag
from compiler.vector.flag import V as V
from compiler.vector.flag import member_codes


def _bad(shape: tuple[int, ...], why: Why) -> tuple[Arr, Why]:
    return np.ones(shape, dtype=bool), why


class Values:
    """Named values on demand, each computed once for the whole batch."""

    def __init__(
        self,
        checked: CheckedPolicy,
        regions: list[str],
        size: int,
        supplied: dict[str, V],
        opening: dict[str, Arr],
        rule_value: Callable[[ir.Rule], Q],
        ctx: Ctx,
        layout: Layout | None = None,
    ) -> None:
        self.checked = checked
        self.scope = checked.scope
        self.regions = regions
        self.size = size
        self.supplied = supplied
        self.opening = opening
        self.rule_value = rule_value
        self.ctx = ctx
        self.memo: dict[str, V] = {}
        self.balances: dict[str, Q] = {}  # opening balances of per-region funds, (draws, regions)
        self.fund_word: Callable[[ir.Expr], Q] | None = None
        self.layout = layout or Layout(NO_ENTITIES, regions)
        self.dims = plan_of(checked).dims
        self.aggregates = plan_of(checked).aggregates
        self.at: str | None = None  # where values are being read: None, REGION, or an entity kind
        self.aggregated: dict[ir.Call, V] = {}  # entity aggregates, each by its group
        self.codes = member_codes(checked)

    def shape(self, per_region: bool) -> tuple[int, int]:
        return (self.size, len(self.regions) if per_region else 1)

    def dshape(self, dim: str | None) -> tuple[int, int]:
        """The shape of a value of a dimension: (draws, 1), (draws, regions), (draws, entities)."""
        return (self.size, self.layout.width(dim))

    @contextmanager
    def within(self, dim: str | None) -> Iterator[None]:
        """Read values as for each member of `dim`: a person reads its region's and its employer's."""
        previous, self.at = self.at, dim
        try:
            yield
        finally:
            self.at = previous

    def lift(self, v: V, frm: str | None) -> V:
        return self.layout.lift(v, frm, self.at, self.size)

    def name(self, n: str) -> V:
        d = self.scope.values.get(n)
        if d is None:
            return Flag(np.asarray(self.codes.get(n, -1)))  # an enumeration member
        dim = self.dims.get(n)
        if n not in self.memo:
            with self.within(dim):
                self.memo[n] = self._name(n, d)
        return self.lift(self.memo[n], dim)

    def _name(self, n: str, d: object) -> V:
        if isinstance(d, ir.Rule):
            return self.rule_value(d)
        if isinstance(d, ir.LetDecl):
            return self.expr(d.expr)
        assert isinstance(d, (ir.ParamDecl, ir.InputDecl))
        if n in self.supplied:
            return self.supplied[n]
        fallback = d.value if isinstance(d, ir.ParamDecl) else d.default
        if fallback is not None:
            return self.expr(fallback)
        shape = self.dshape(self.dims.get(n))
        if isinstance(d, ir.ParamDecl):
            reason = why("open-parameter", name=n)
        else:
            reason = why("missing-input", name=n)
        bad, w = _bad(shape, reason)
        if self.checked.types[n].numeric:
            return Q(np.zeros(shape, dtype=np.int64), 1, 0, 1, bad, w)
        return Flag(np.zeros(shape, dtype=bool), bad, w)

    def opening_q(self, account_name: str) -> Q:
        got = self.opening.get(account_name)
        if got is None:
            return A.const(Fraction(0))
        return A.fen_q(got.reshape(self.size, 1))

    # ---- expressions

    def num(self, e: ir.Expr) -> Q:
        v = self.expr(e)
        assert isinstance(v, Q), e
        return v

    def flag(self, e: ir.Expr) -> Flag:
        v = self.expr(e)
        assert isinstance(v, Flag), e
        return v

    def expr(self, e: ir.Expr) -> V:
        ctx = self.ctx
        match e:
            case ir.Num(value=v):
                return A.const(Fraction(v))
            case ir.BoolLit(value=b):
                return Flag(np.asarray(b))
            case ir.Name(name=n):
                return self.name(n)
            case ir.FundAll() | ir.FundRemaining():
                assert self.fund_word is not None, "checked: only inside fund rules"
                return self.fund_word(e)
            case ir.Neg(operand=a):
                return A.neg(self.num(a))
            case ir.Binary(op=op, left=a, right=b):
                x, y = self.num(a), self.num(b)
                ctx.line = e.span.line
                if op == "+":
                    return A.add(ctx, x, y)
                if op == "-":
                    return A.add(ctx, x, y, -1)
                if op == "*":
                    return A.mul(ctx, x, y)
                return A.div(ctx, x, y)
            case ir.Compare(op=op, left=a, right=b):
                lhs, rhs = self.expr(a), self.expr(b)
                bad, why = A.poison(lhs, rhs)
                if isinstance(lhs, Q) and isinstance(rhs, Q):
                    return Flag(A.compare(ctx, op, lhs, rhs), bad, why)
                assert isinstance(lhs, Flag) and isinstance(rhs, Flag)
                data = lhs.data == rhs.data if op == "=" else lhs.data != rhs.data
                return Flag(np.asarray(data), bad, why)
            case ir.MemberOf(operand=a, members=ms):
                f = self.flag(a)
                return Flag(np.isin(f.data, [self.codes.get(m.text, -1) for m in ms]), f.bad, f.why)
            case ir.Logical(op="not", operands=(a,)):
                f = self.flag(a)
                return Flag(~f.data, f.bad, f.why)
            case ir.Logical(op=op, operands=ops):
                return self.logical(op, [self.flag(o) for o in ops])
            case ir.If(cond=c, then=t, else_=f):
                return self.choose(self.flag(c), self.expr(t), self.expr(f))
            case ir.Match(subject=s, arms=arms):
                subject = self.flag(s)
                out = self.expr(arms[-1].body)
                for arm in reversed(arms[:-1]):
                    if arm.patterns is None:
                        out = self.expr(arm.body)
                        continue
                    words = [self.codes.get(p.text, -1) for p in arm.patterns]
                    hit = Flag(np.isin(subject.data, words), subject.bad, subject.why)
                    out = self.choose(hit, self.expr(arm.body), out)
                return out
            case ir.Bands():
                return self.bands(e)
            case ir.Call():
                return self.call(e)
        raise AssertionError(e)

    def logical(self, op: str, flags: list[Flag]) -> Flag:
        """且/或 short-circuit: a later operand's poison counts only where it is reached."""
        acc = flags[0]
        for f in flags[1:]:
            reached = acc.data if op == "and" else ~acc.data
            bad = acc.bad
            if f.bad is not None:
                more = reached & f.bad
                bad = more if bad is None else (bad | more)
            data = (acc.data & f.data) if op == "and" else (acc.data | f.data)
            acc = Flag(np.asarray(data), bad, acc.why or f.why)
        return acc

    def choose(self, c: Flag, a: V, b: V) -> V:
        """如果: each element from the branch its condition selects, poison included."""
        if isinstance(a, Q) and isinstance(b, Q):
            out: V = A.where(self.ctx, c.data, a, b)
        else:
            assert isinstance(a, Flag) and isinstance(b, Flag)
            bad = None
            if a.bad is not None or b.bad is not None:
                bad = np.where(c.data, a.bad if a.bad is not None else False, b.bad if b.bad is not None else False)
            out = Flag(np.where(c.data, a.data, b.data), bad, A.pick_why(c.data, a.bad, a.why, b.bad, b.why))
        if c.bad is None:
            return out
        if isinstance(out, Q):
            return A.with_poison(out, c.bad, c.why)
        bad = c.bad if out.bad is None else (c.bad | out.bad)
        return Flag(out.data, bad, out.why or c.why)

    def bands(self, e: ir.Bands) -> Q:
        ctx = self.ctx
        ctx.line = e.span.line
        x = A.eager(ctx, self.num(e.subject))
        edges = [
            (self.num(b.lower), None if b.upper is None else self.num(b.upper), self.num(b.value)) for b in e.bands
        ]
        bad: Arr | None = None
        lines: Arr | None = None  # the line of the first band out of order, element by element
        for b, (lo, hi, _) in reversed(list(zip(e.bands, edges))):  # edges may be open parameters
            if hi is not None:
                wrong = A.compare(ctx, "<=", hi, lo)
                bad = wrong if bad is None else (bad | wrong)
                lines = np.where(wrong, b.span.line, 0 if lines is None else lines)
        order = why("bands-order")
        if bad is not None and lines is not None and np.any(bad):
            first = min(int(x) for x in np.unique(lines) if x)
            order = attrs.evolve(order, line=first, lines=lines)

        def ordered(q: Q) -> Q:
            """Bands out of order are the reason, as the scalar engines check the order first."""
            if bad is None or not np.any(bad):
                return q
            return attrs.evolve(q, bad=bad if q.bad is None else (q.bad | bad), why=order)

        if not e.progressive:
            missing = why("bands-miss")
            zero = A.const(Fraction(0))
            out = A.with_poison(zero, np.ones(np.shape(x.num), dtype=bool), missing)
            for b, (lo, hi, value) in zip(reversed(e.bands), reversed(edges)):
                inside = A.compare(ctx, "<=" if b.holds_lower else "<", lo, x)
                if hi is not None:
                    inside = inside & A.compare(ctx, "<=" if b.holds_upper else "<", x, hi)
                out = A.where(ctx, inside, value, out)
            return ordered(out)
        total = A.const(Fraction(0))
        for lo, hi, rate in edges:
            top = x if hi is None else A.maximum(ctx, x, hi, larger=False)
            part = A.mul(ctx, A.add(ctx, top, lo, -1), rate)
            total = A.add(ctx, total, A.where(ctx, A.compare(ctx, ">", top, lo), part, A.const(Fraction(0))))
        return ordered(total)

    def call(self, e: ir.Call) -> V:
        ctx = self.ctx
        fn = functions.lookup(e.func.text)
        assert fn is not None
        if fn.id == "balance":
            assert isinstance(e.args[0], ir.Name)
            fund = e.args[0].name
            if self.scope.funds[fund].per_region:
                if fund not in self.balances:  # read by several rules: stack the accounts once
                    cols = [self.opening.get(account(fund, r)) for r in self.regions]
                    fen = np.stack([np.zeros(self.size, dtype=np.int64) if c is None else c for c in cols], axis=1)
                    self.balances[fund] = A.fen_q(fen)
                return self.lift(self.balances[fund], REGION)
            return self.opening_q(fund)
        if fn.id in ("max", "min"):
            args = [self.num(a) for a in e.args]
            out = args[0]
            for a in args[1:]:
                out = A.maximum(ctx, out, a, larger=fn.id == "max")
            return out
        if fn.id == "clamp":
            x, lo, hi = (self.num(a) for a in e.args)
            return A.maximum(ctx, A.maximum(ctx, x, lo), hi, larger=False)
        arg = e.args[0]
        kind = self.aggregates.get(e)
        if kind is not None:
            if e not in self.aggregated:
                self.aggregated[e] = aggregate(self, e, fn.id, kind)
            return self.lift(self.aggregated[e], e.group.text if e.group is not None else None)
        if fn.id == "count":
            with self.within(REGION):
                f = self.flag(arg)
            data = np.broadcast_to(f.data, self.shape(True)).sum(axis=1, keepdims=True).astype(np.int64)
            bad = (
                None
                if f.bad is None
                else np.asarray(np.broadcast_to(f.bad, self.shape(True)).any(axis=1, keepdims=True))
            )
            return Q(data, 1, len(self.regions), 1, bad, f.why)
        with self.within(REGION):
            x = self.num(arg)
        total = self.total(x)
        if self.at not in (None, REGION):  # 份额 read for each entity: its region's share
            x = self.num(arg)
        ctx.line = e.span.line
        if fn.id == "sum":
            return total
        if fn.id == "mean":
            return A.div(ctx, total, A.const(Fraction(len(self.regions))))
        assert fn.id == "share"
        return A.div(ctx, x, total)

    def total(self, x: Q, dim: str | None = REGION) -> Q:
        """合计 over regions (or the members of another dimension): (draws, regions) → (draws, 1)."""
        x = A.eager(self.ctx, x)
        shape = self.dshape(dim)
        if isinstance(x.den, int) or np.shape(x.den)[-1:] in ((), (1,)):
            num = np.broadcast_to(x.num, shape).sum(axis=1, keepdims=True)
            bad = None if x.bad is None else np.asarray(np.broadcast_to(x.bad, shape).any(axis=1, keepdims=True))
            out = Q(num, x.den, x.mag * shape[1], x.dmag, bad, x.why)
            if out.mag >= A.LIMIT and x.num.dtype != object:
                return self.total(attrs.evolve(x, num=x.num.astype(object)), dim)
            return out
        acc = A.const(Fraction(0))
        for i in range(shape[1]):
            col = Q(
                np.broadcast_to(x.num, shape)[:, i : i + 1], np.broadcast_to(x.den, shape)[:, i : i + 1], x.mag, x.dmag
            )
            acc = A.add(self.ctx, acc, col)
        bad = None if x.bad is None else np.asarray(np.broadcast_to(x.bad, shape).any(axis=1, keepdims=True))
        return A.with_poison(acc, bad, x.why)
