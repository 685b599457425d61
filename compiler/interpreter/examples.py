"""Run the examples a policy carries: given inputs, expected values, period after period."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import cast

import attrs

from compiler.interpreter import check_constraints, settle
from compiler.interpreter.funds import Machine, Transfer
from compiler.interpreter.recorder import Recorder
from compiler.interpreter.values import Env, EvalError, Scalar
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.scope import account
from compiler.ir.types import MONEY, Base
from compiler.plan import plan_of
from compiler.runtime import Entities
from compiler.source import Span
from compiler.years import YEAR, parse_history


@attrs.frozen
class Mismatch:
    name: str
    region: str | None
    expected: Scalar
    actual: Scalar
    span: Span  # where the expectation is written
    period: int | None = None
    via: tuple[tuple[str, int], ...] = ()  # for a fund's balance: the rules (and lines) that moved its money


@attrs.frozen
class Outcome:
    example: ir.Example
    mismatches: tuple[Mismatch, ...] = ()
    error: EvalError | None = None

    @property
    def passed(self) -> bool:
        return not self.mismatches and self.error is None


def _literal(e: ir.Expr) -> Scalar:
    match e:
        case ir.Num(value=v):
            return Fraction(v)
        case ir.Neg(operand=ir.Num(value=v)):
            return -Fraction(v)
        case ir.BoolLit(value=b):
            return b
        case ir.Name(name=n):
            return n  # an enumeration member
    raise EvalError("example-literal", span=e.span)


def _value(v: ir.Value) -> Scalar | dict[str, Scalar]:
    if v.scalar is not None:
        return _literal(v.scalar)
    return {rv.region.text: _literal(rv.value) for rv in v.regions}


def _typed(checked: CheckedPolicy, b: ir.Binding) -> Scalar | dict[str, Scalar]:
    """An example's value, held to the type of what it names: a number for money, a member
    of the enumeration for an enumeration. The checks do not look inside examples, so a
    misspelt member would otherwise reach a 匹配 or an arithmetic operator as a bare name."""
    name = b.name.text
    t = checked.types.get(name) or MONEY  # a fund's opening or closing balance
    got = _value(b.value)
    exprs = [b.value.scalar] if b.value.scalar is not None else [rv.value for rv in b.value.regions]
    for x, e in zip(got.values() if isinstance(got, dict) else [got], exprs):
        if t.base is Base.BOOL:
            fits = isinstance(x, bool)
        elif t.base is Base.ENUM:
            fits = isinstance(x, str) and any(m.text == x for m in checked.scope.enums[t.enum or ""].members)
        elif t.numeric:
            fits = isinstance(x, Fraction)
        else:
            fits = True
        if not fits:
            shown = checked.text_of(e.span) or str(x)
            zh, en = t.scalar().describe("zh"), t.scalar().describe("en")
            raise EvalError("example-type", span=e.span, name=name, shown=shown, zh=zh, en=en)
    return got


def _regions(checked: CheckedPolicy, ex: ir.Example, case: ir.PeriodCase, members: list[ir.Members]) -> list[str]:
    if case.regions or ex.regions:
        return [r.text for r in (case.regions or ex.regions)]
    ids = {m.id.text for ms in members for m in ms.members}
    named: list[str] = []
    for m in (m for ms in members for m in ms.members):
        if m.parent.text not in ids and m.parent.text not in named:
            named.append(m.parent.text)
    for b in (*case.given, *case.expect):
        for rv in b.value.regions:
            if rv.region.text not in named and rv.region.text not in ids:
                named.append(rv.region.text)
    return named or [r.text for r in checked.scope.regions(checked.policy)]


def example_entities(checked: CheckedPolicy, members: list[ir.Members]) -> Entities:
    """An example's 名单 as the entities of its period: each belongs to a region, or to an
    entity of a kind it is linked to (and then to that entity's region)."""
    kinds = {k: tuple(x.text for x in d.links) for k, d in checked.scope.entities.items()}
    kind_of = {m.id.text: ms.kind.text for ms in members for m in ms.members}
    parent = {(ms.kind.text, m.id.text): m.parent.text for ms in members for m in ms.members}
    ids: dict[str, list[str]] = {k: [] for k in kinds}
    links: dict[str, dict[str, dict[str, str | None]]] = {k: {} for k in kinds}
    for (kind, i), p in parent.items():
        ids.setdefault(kind, []).append(i)
        own: dict[str, str | None] = {k: None for k in kinds.get(kind, ())}
        if kind_of.get(p) in own:
            own[kind_of[p]] = p
        links.setdefault(kind, {})[i] = own

    def region(kind: str, i: str, depth: int = 0) -> str:
        p = parent[(kind, i)]
        return region(kind_of[p], p, depth + 1) if p in kind_of and depth < len(parent) else p

    regions = {k: {i: region(k, i) for i in ids[k]} for k in ids}
    return Entities(ids, regions, links, kinds)


@attrs.frozen
class PeriodRun:
    """One period of an example, ready to evaluate."""

    case: ir.PeriodCase
    givens: tuple[ir.Binding, ...]  # the shared givens, then the period's own (which win)
    env: Env
    closing: dict[str, Fraction] | None  # set when the period had to be settled
    transfers: tuple[Transfer, ...] = ()  # the ledger, when settled: what moved money through a fund


def example_periods(checked: CheckedPolicy, ex: ir.Example, recorder: Recorder | None = None) -> Iterator[PeriodRun]:
    """Each period's environment, with carried balances from the period before.

    A period is settled (which needs all its inputs) only when a later period
    needs its closing balances or it expects a fund's balance itself.
    """
    opening: dict[str, Fraction] = {}
    shared = ex.shared
    earlier: dict[int, dict[str, Scalar | dict[str, Scalar]]] = {}  # each 期's inputs, for 前N年
    for i, case in enumerate(ex.periods):
        givens = (*(shared.given if shared else ()), *case.given)
        params: dict[str, Scalar | dict[str, Scalar]] = {}
        inputs: dict[str, Scalar | dict[str, Scalar]] = {}
        for b in givens:
            table = params if isinstance(checked.scope.values[b.name.text], ir.ParamDecl) else inputs
            table[b.name.text] = _typed(checked, b)
        _years(checked, case.period, inputs, earlier)
        members = [*(shared.members if shared else ()), *case.members]
        regions = _regions(checked, ex, case, members)
        for b in (*(shared.opening if shared and i == 0 else ()), *case.opening):
            opening.update(_opening(checked.scope.funds[b.name.text], _typed(checked, b), regions))
        env = Env(regions, params, inputs, dict(opening), case.period, example_entities(checked, members))
        check_constraints(checked, env)  # givens that break a 约束 fail the example
        needs_settling = i + 1 < len(ex.periods) or any(
            b.name.text in checked.scope.funds or b.part is not None for b in case.expect
        )
        settled = settle(checked, env, recorder) if needs_settling else None
        closing = dict(settled.closing) if settled else None
        yield PeriodRun(case, givens, env, closing, tuple(settled.transfers) if settled else ())
        if closing is not None:
            opening = closing


def _years(
    checked: CheckedPolicy,
    period: int | None,
    inputs: dict[str, Scalar | dict[str, Scalar]],
    earlier: dict[int, dict[str, Scalar | dict[str, Scalar]]],
) -> None:
    """An example's 期 is its year (年度), and the 期 before it give the values 前N年 reads;
    a value the example does not have is left missing, and the run says so."""
    if period is None:
        if YEAR in checked.scope.values and YEAR not in inputs:
            # 按年度 or 前N年: the year decides the value; say which year, not "missing input 年度"
            raise EvalError("example-needs-year", span=checked.scope.values[YEAR].span)
        return
    earlier[period] = inputs
    for name, v in list(inputs.items()):  # 已知 征缴收入 前1年 = …: that year's value, for later 期 too
        if (hist := parse_history(name)) is not None:
            earlier.setdefault(period - hist[1], {}).setdefault(hist[0], v)
    for name, d in checked.scope.values.items():
        if not (isinstance(d, ir.InputDecl) and d.implicit):
            continue
        if name == YEAR:
            inputs[name] = Fraction(period)
        elif (hist := parse_history(name)) is not None and hist[0] in earlier.get(period - hist[1], {}):
            inputs[name] = earlier[period - hist[1]][hist[0]]


def _opening(fund: ir.FundDecl, v: Scalar | dict[str, Scalar], regions: list[str]) -> dict[str, Fraction]:
    """期初 balances by ledger account: a per-region fund takes one per region, or one for all."""
    name = fund.name.text
    if not fund.per_region:
        assert isinstance(v, Fraction)
        return {name: v}
    each = v if isinstance(v, dict) else {r: v for r in regions}
    out = {}
    for r, x in each.items():
        assert isinstance(x, Fraction)
        out[account(name, r)] = x
    return out


def _closing(fund: ir.FundDecl, closing: dict[str, Fraction], regions: list[str]) -> Scalar | dict[str, Scalar]:
    if not fund.per_region:
        return closing[fund.name.text]
    return {r: closing[account(fund.name.text, r)] for r in regions}


def run_example(checked: CheckedPolicy, ex: ir.Example, recorder: Recorder | None = None) -> Outcome:
    mismatches: list[Mismatch] = []
    try:
        for run in example_periods(checked, ex, recorder):
            m = Machine(checked, run.env, recorder)
            for b in run.case.expect:
                name = b.name.text
                if b.part is not None:
                    got = _compare(b, _part(checked, run, name, b.part.text))
                    mismatches += [attrs.evolve(mm, name=f"{name}.{b.part.text}", period=run.case.period) for mm in got]
                elif name in checked.scope.funds:
                    assert run.closing is not None
                    via = tuple(
                        dict.fromkeys(
                            (t.rule, t.line)
                            for t in run.transfers
                            if name in (t.source, t.dest)
                            or t.source.startswith(name + "(")
                            or t.dest.startswith(name + "(")
                        )
                    )
                    got = _compare(b, _closing(checked.scope.funds[name], run.closing, run.env.regions))
                    mismatches += [attrs.evolve(mm, period=run.case.period, via=via) for mm in got]
                else:
                    mismatches += [attrs.evolve(mm, period=run.case.period) for mm in _compare(b, m.value(name))]
    except EvalError as e:
        return Outcome(ex, tuple(mismatches), e)
    return Outcome(ex, tuple(mismatches))


def _part(checked: CheckedPolicy, run: PeriodRun, rule: str, part: str) -> Scalar | dict[str, Scalar]:
    """What one tier, or one payer, of a waterfall paid: in each region when the rule is per region."""
    mine = [t for t in run.transfers if t.rule == rule and part in (t.tier, t.payer)]
    if not plan_of(checked).rule(rule).regional:
        return sum((t.amount for t in mine), Fraction(0))
    out: dict[str, Scalar] = {r: Fraction(0) for r in run.env.regions}
    for t in mine:
        if t.region is not None:
            out[t.region] = cast(Fraction, out.get(t.region, Fraction(0))) + t.amount
    return out


def _compare(b: ir.Binding, actual: Scalar | dict[str, Scalar]) -> list[Mismatch]:
    expected = _value(b.value)
    name = b.name.text
    if isinstance(actual, dict):
        wanted = expected if isinstance(expected, dict) else {r: expected for r in actual}
        spans = {rv.region.text: rv.span for rv in b.value.regions}
        return [
            Mismatch(name, r, want, actual.get(r, Fraction(0)), spans.get(r, b.span))
            for r, want in wanted.items()
            if actual.get(r) != want
        ]
    if isinstance(expected, dict) or expected != actual:
        return [Mismatch(name, None, expected if not isinstance(expected, dict) else "?", actual, b.span)]
    return []


def run_examples(checked: CheckedPolicy, recorder: Recorder | None = None) -> list[Outcome]:
    policy = checked.program.policy
    decls = policy.decls if policy else checked.program.main.decls
    return [run_example(checked, d, recorder) for d in decls if isinstance(d, ir.Example)]
