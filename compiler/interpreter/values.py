"""The reference interpreter's expressions: exact rationals, one region at a time.

Simple and obviously right, not fast: it is the oracle the compiled evaluators
are tested against. Evaluating per region keeps `如果` lazy, so an input that only
one branch needs is asked for only where that branch is taken.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Union

import attrs

from compiler.interpreter.recorder import ELSE, LOWERED, RAISED, THEN, WITHIN, Recorder
from compiler.ir import functions
from compiler.ir import nodes as ir
from compiler.ir.arith import apply
from compiler.ir.checked import CheckedPolicy
from compiler.ir.scope import account
from compiler.plan import plan_of
from compiler.runtime import NO_ENTITIES, REGION, Entities, SettlementError, inside
from compiler.source import Span

Scalar = Union[Fraction, bool, str]  # numbers, booleans, enumeration members


@attrs.frozen
class Member:
    """One entity as the context a value is evaluated in (a person, an employer)."""

    kind: str
    id: str


Region = str | Member | None  # where a value is evaluated: one region, one entity, or globally (None)


EvalError = SettlementError  # the interpreter's name for the one settlement error (compiler.runtime)


@attrs.define
class Env:
    """Everything one period of evaluation reads."""

    regions: list[str]
    params: dict[str, Scalar | dict[str, Scalar]]
    inputs: dict[str, Scalar | dict[str, Scalar]]
    opening: dict[str, Fraction]  # carried funds' balances at the start of the period
    period: int | None = None
    entities: Entities = NO_ENTITIES  # persons, employers, institutions, by kind


class Values:
    """Evaluates expressions and named values; rule values come from a callback."""

    def __init__(
        self,
        checked: CheckedPolicy,
        env: Env,
        rule_value: Callable[[ir.Rule, Region], Fraction],
        recorder: Recorder | None = None,
    ) -> None:
        self.checked = checked
        self.recorder = recorder
        self.scope = checked.scope
        self.env = env
        self.rule_value = rule_value
        self.memo: dict[tuple[str, Region], Scalar] = {}
        self.fund_word: Callable[[ir.Expr], Fraction] | None = None  # set while a fund rule runs
        self.plan = plan_of(checked)
        self.aggregated: dict[tuple[ir.Call, Region], Scalar] = {}

    def per_region(self, name: str) -> bool:
        return self.checked.types[name].per_region

    def lift(self, where: Region, to: str | None) -> Region:
        """The context a value of dimension `to` is read in from `where`: a region's value for
        each of its entities, an employer's for each of its persons (runtime.Entities.lift)."""
        if to is None or where is None:
            return None
        if isinstance(where, str) and where not in self.env.regions:
            where = self.member(where) or where  # an entity named by its id (a trace's 名称@张三)
        if isinstance(where, str):
            return where if to == REGION else None  # checked: regions read no entity's value
        got = self.env.entities.lift(where.kind, where.id, to)
        assert got is not None
        return got if to == REGION else Member(to, got)

    def member(self, id_: str) -> Member | None:
        """The entity with this id (ids never name a region: the scenario reader refuses that)."""
        for kind, ids in self.env.entities.regions.items():
            if id_ in ids:
                return Member(kind, id_)
        return None

    def region_of(self, where: Region) -> str | None:
        got = self.lift(where, REGION)
        return got if isinstance(got, str) else None

    def name(self, n: str, region: Region, span: Span | None = None) -> Scalar:
        d = self.scope.values.get(n)
        if d is None:
            return n  # an enumeration member
        key = (n, self.lift(region, self.plan.dims.get(n)))
        if key not in self.memo:
            self.memo[key] = self._name(d, key[1], span)
        return self.memo[key]

    def _name(self, d: object, region: Region, span: Span | None) -> Scalar:
        if isinstance(d, ir.ParamDecl):
            return self._supplied(d.name.text, self.env.params, region, d.value, span, open_param=d.value is None)
        if isinstance(d, ir.InputDecl):
            return self._supplied(d.name.text, self.env.inputs, region, d.default, span)
        if isinstance(d, ir.LetDecl):
            return self.expr(d.expr, region)
        assert isinstance(d, ir.Rule)
        return self.rule_value(d, region)

    def _supplied(
        self,
        n: str,
        table: dict[str, Scalar | dict[str, Scalar]],
        region: Region,
        fallback: ir.Expr | None,
        span: Span | None,
        open_param: bool = False,
    ) -> Scalar:
        if n in table:
            v = table[n]
            if isinstance(v, dict):
                key = region.id if isinstance(region, Member) else region
                if key is None or key not in v:
                    raise EvalError("no-region-value", span=span, name=n, region=key)
                return v[key]
            return v
        if fallback is not None:
            return self.expr(fallback, region)
        if open_param:
            raise EvalError("open-parameter", span=span, name=n)
        raise (
            EvalError("missing-input-in", span=span, name=n, region=region.id if isinstance(region, Member) else region)
            if region
            else EvalError("missing-input", span=span, name=n)
        )

    # ---- expressions

    def num(self, e: ir.Expr, region: Region) -> Fraction:
        v = self.expr(e, region)
        assert isinstance(v, Fraction) and not isinstance(v, bool), (e, v)
        return v

    def truth(self, e: ir.Expr, region: Region) -> bool:
        v = self.expr(e, region)
        assert isinstance(v, bool), (e, v)
        return v

    def expr(self, e: ir.Expr, region: Region) -> Scalar:
        match e:
            case ir.Num(value=v):
                return Fraction(v)
            case ir.BoolLit(value=b):
                return b
            case ir.Name(name=n):
                return self.name(n, region, e.span)
            case ir.FundAll() | ir.FundRemaining():
                assert self.fund_word is not None, "checked: only inside fund rules"
                return self.fund_word(e)
            case ir.Neg(operand=a):
                return -self.num(a, region)
            case ir.Binary(op=op, left=a, right=b):
                got = apply(op, self.num(a, region), self.num(b, region))
                if got is None:
                    raise EvalError("division-by-zero", span=e.span)
                return got
            case ir.Compare(op=op, left=a, right=b):
                return _compare(op, self.expr(a, region), self.expr(b, region))
            case ir.MemberOf(operand=a, members=ms):
                return self.expr(a, region) in {m.text for m in ms}
            case ir.Logical(op="not", operands=(a,)):
                return not self.truth(a, region)
            case ir.Logical(op="and", operands=ops):
                return all(self.truth(o, region) for o in ops)
            case ir.Logical(op="or", operands=ops):
                return any(self.truth(o, region) for o in ops)
            case ir.If(cond=c, then=t, else_=f):
                taken = self.truth(c, region)
                if self.recorder is not None:
                    self.recorder.hit(e, THEN if taken else ELSE)
                return self.expr(t if taken else f, region)
            case ir.Match(subject=s, arms=arms):
                member = self.expr(s, region)
                for i, arm in enumerate(arms):
                    if arm.patterns is None or member in {p.text for p in arm.patterns}:
                        if self.recorder is not None:
                            self.recorder.hit(e, i)
                        return self.expr(arm.body, region)
                # The checks make matches exhaustive over an enumeration's members; a value that is
                # not one (an example's misspelt member) is reported, not a traceback.
                raise EvalError("no-arm", span=e.span, member=member)
            case ir.Bands():
                return self.bands(e, region)
            case ir.Call():
                return self.call(e, region)
        raise AssertionError(e)

    def bands(self, e: ir.Bands, region: Region) -> Fraction:
        # Edges may be open parameters a scenario sets: out of order, bands would overlap.
        for b in e.bands:
            if b.upper is not None and self.num(b.upper, region) <= self.num(b.lower, region):
                raise EvalError("bands-order", span=b.span)  # the band itself, as every engine says
        x = self.num(e.subject, region)
        if not e.progressive:
            for i, b in enumerate(e.bands):
                hi = None if b.upper is None else self.num(b.upper, region)
                if inside(x, self.num(b.lower, region), hi, (b.holds_lower, b.holds_upper)):
                    if self.recorder is not None:
                        self.recorder.hit(e, i)
                    return self.num(b.value, region)
            raise EvalError("bands-miss-value", span=e.span, value=x)
        total = Fraction(0)
        for i, b in enumerate(e.bands):
            lo = self.num(b.lower, region)
            hi = x if b.upper is None else min(x, self.num(b.upper, region))
            if hi > lo:
                if self.recorder is not None:
                    self.recorder.hit(e, i)
                total += (hi - lo) * self.num(b.value, region)
        return total

    def call(self, e: ir.Call, region: Region) -> Scalar:
        fn = functions.lookup(e.func.text)
        assert fn is not None
        if fn.id == "balance":
            assert isinstance(e.args[0], ir.Name)
            fund = e.args[0].name
            if self.scope.funds[fund].per_region:
                at = self.lift(region, REGION)
                assert isinstance(at, str), "checked: a per-region balance is read per region"
                fund = account(fund, at)
            return self.env.opening.get(fund, Fraction(0))
        if fn.id in ("max", "min"):
            args = [self.num(a, region) for a in e.args]
            best = max(args) if fn.id == "max" else min(args)
            if self.recorder is not None:  # a tie exercises each argument it ties
                for i, a in enumerate(args):
                    if a == best:
                        self.recorder.hit(e, i)
            return best
        if fn.id == "clamp":
            x, lo, hi = (self.num(a, region) for a in e.args)
            if self.recorder is not None:
                self.recorder.hit(e, RAISED if x < lo else LOWERED if x > hi else WITHIN)
            return min(max(x, lo), hi)
        arg = e.args[0]
        kind = self.plan.aggregates.get(e)
        if kind is not None:
            key = (e, self.lift(region, e.group.text if e.group else None))
            if key not in self.aggregated:
                self.aggregated[key] = self.over_entities(e, fn.id, kind, key[1])
            return self.aggregated[key]
        if fn.id == "count":
            return Fraction(sum(self.truth(arg, r) for r in self.env.regions))
        values = [self.num(arg, r) for r in self.env.regions]
        if fn.id == "sum":
            return sum(values, Fraction(0))
        if not values:
            raise EvalError("no-regions", span=e.span)
        if fn.id == "mean":
            return sum(values, Fraction(0)) / len(values)
        assert fn.id == "share" and region is not None
        total = sum(values, Fraction(0))
        if total == 0:
            raise EvalError("share-of-zero", span=e.span)
        return self.num(arg, region) / total

    def over_entities(self, e: ir.Call, fn: str, kind: str, group: Region) -> Scalar:
        """合计/平均/计数 over the entities of one group (by 地区, by a linked kind, or all)."""
        key = group.id if isinstance(group, Member) else group
        ids = self.env.entities.members(kind, e.group.text if e.group else None, key)
        ms = [Member(kind, i) for i in ids]
        if e.where is not None:
            ms = [m for m in ms if self.truth(e.where, m)]
        if fn == "count":
            return Fraction(sum(self.truth(e.args[0], m) for m in ms))
        values = [self.num(e.args[0], m) for m in ms]
        if fn == "sum":
            return sum(values, Fraction(0))
        if not values:
            raise EvalError("no-entities", span=e.span, kind=kind)
        return sum(values, Fraction(0)) / len(values)


def _compare(op: str, a: Scalar, b: Scalar) -> bool:
    if op == "=":
        return a == b
    if op == "!=":
        return a != b
    assert isinstance(a, Fraction) and isinstance(b, Fraction)
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
