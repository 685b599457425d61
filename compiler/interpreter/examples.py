"""Run the examples a policy carries: given inputs, expected values, period after period."""

from __future__ import annotations

from fractions import Fraction

import attrs

from compiler.interpreter import settle
from compiler.interpreter.funds import Machine
from compiler.interpreter.values import Env, EvalError, Scalar
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.source import Span


@attrs.frozen
class Mismatch:
    name: str
    region: str | None
    expected: Scalar
    actual: Scalar
    span: Span


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
    raise EvalError("算例中的值须为字面量", "values in an example must be literals", e.span)


def _value(v: ir.Value) -> Scalar | dict[str, Scalar]:
    if v.scalar is not None:
        return _literal(v.scalar)
    return {rv.region.text: _literal(rv.value) for rv in v.regions}


def _regions(checked: CheckedPolicy, ex: ir.Example, case: ir.PeriodCase) -> list[str]:
    if case.regions or ex.regions:
        return [r.text for r in (case.regions or ex.regions)]
    named: list[str] = []
    for b in (*case.given, *case.expect):
        for rv in b.value.regions:
            if rv.region.text not in named:
                named.append(rv.region.text)
    return named or [r.text for r in checked.scope.regions(checked.policy)]


def run_example(checked: CheckedPolicy, ex: ir.Example) -> Outcome:
    opening: dict[str, Fraction] = {}
    mismatches: list[Mismatch] = []
    try:
        shared = ex.shared
        for i, case in enumerate(ex.periods):
            params: dict[str, Scalar | dict[str, Scalar]] = {}
            inputs: dict[str, Scalar | dict[str, Scalar]] = {}
            for b in (*(shared.given if shared else ()), *case.given):  # a period's own givens win
                table = params if isinstance(checked.scope.values[b.name.text], ir.ParamDecl) else inputs
                table[b.name.text] = _value(b.value)
            for b in (*(shared.opening if shared and i == 0 else ()), *case.opening):
                v = _value(b.value)
                assert isinstance(v, Fraction)
                opening[b.name.text] = v
            env = Env(_regions(checked, ex, case), params, inputs, dict(opening), case.period)
            m = Machine(checked, env)
            funds = [b for b in case.expect if b.name.text in checked.scope.funds]
            for b in case.expect:
                if b not in funds:
                    mismatches += _compare(b, m.value(b.name.text))
            if funds or i + 1 < len(ex.periods):
                closing = settle(checked, env).closing
                for b in funds:
                    mismatches += _compare(b, closing[b.name.text])
                opening = dict(closing)
    except EvalError as e:
        return Outcome(ex, tuple(mismatches), e)
    return Outcome(ex, tuple(mismatches))


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


def run_examples(checked: CheckedPolicy) -> list[Outcome]:
    policy = checked.program.policy
    decls = policy.decls if policy else checked.program.main.decls
    return [run_example(checked, d) for d in decls if isinstance(d, ir.Example)]
