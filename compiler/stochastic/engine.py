"""Evaluating every draw: the seam between the stochastic front end and an engine.

An engine takes the plan, the drawn rates and the values to record, and returns
an Outcome: each value as integer fen, one row a draw and one column a period,
and where each draw stopped. PerDraw settles one period at a time on the
compiled Decimal evaluator (or the reference interpreter), carrying `state`
exactly as `pool simulate` does; a batch engine over arrays can implement the
same Protocol and replace it without touching the summary or the chart.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Protocol

import attrs
import numpy as np
import numpy.typing as npt

from compiler import runtime as rt
from compiler.evaluate import EvaluationFailed, env_of, policy_module, settle_with
from compiler.interpreter import check_constraints
from compiler.ir.checked import CheckedPolicy
from compiler.ir.scope import account
from compiler.numbers import to_decimal
from compiler.scenario import Supplied
from compiler.stochastic.draws import Beyond, Factors, Grower
from compiler.stochastic.spec import Plan

Fen = npt.NDArray[np.int64]
# Told (done, total) as work finishes: draws for the per-draw engine, years for a batch one.
Progress = Callable[[int, int], None]


@attrs.frozen
class Pick:
    """A value to record: a carried fund's balance (all its accounts added up) or a rule's amount."""

    label: str  # 名称 or 名称@地区, as the user wrote it
    name: str
    region: str | None
    balance: bool
    accounts: tuple[str, ...]  # ledger accounts of a balance

    @property
    def shown(self) -> str:
        """As the ledger spells a region's account: 区县累计结余(奉化区)."""
        return account(self.name, self.region) if self.region else self.name


@attrs.frozen(eq=False)
class Outcome:
    periods: tuple[int, ...]
    draws: int
    fen: dict[str, Fen]  # label → (draws, periods); meaningless where the draw had stopped
    failed_at: npt.NDArray[np.int64]  # (draws,): first period index not settled; len(periods) if none
    failures: dict[tuple[int, str], Failure]  # (period, where) → the draws that stopped there


@attrs.frozen
class Failure:
    """Draws that stopped at one place in one period. Messages name amounts that differ from
    draw to draw (“it would close at −1.38”), so they are grouped by where the policy failed
    and the first draw's message stands for them all."""

    draws: int
    zh: str
    en: str


class Engine(Protocol):
    def run(self, plan: Plan, factors: Factors, picks: list[Pick], progress: Progress | None = None) -> Outcome: ...


class Unsettled(Exception):
    def __init__(self, where: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.where, self.zh, self.en = where, zh, en


@attrs.frozen
class Settled:
    values: dict[str, rt.Value | dict[str, rt.Value]]  # numbers exact
    closing: dict[str, Decimal]


class PerDraw:
    """One draw after another, one period after another: simple, exact, the oracle for a batch engine."""

    def __init__(self, checked: CheckedPolicy, engine: str = "compiled") -> None:
        self.checked, self.engine = checked, engine
        self.module = policy_module(checked) if engine == "compiled" else None
        self.file = checked.program.main.span.file

    def settle(self, plan: Plan, inputs: dict[str, Supplied], opening: dict[str, Decimal]) -> Settled:
        regions, params = list(plan.base.regions), dict(plan.base.params)
        if self.module is not None:
            if self.checked.scope.constraints:  # 约束, as settle_with checks them for the interpreter
                try:
                    check_constraints(self.checked, env_of(attrs.evolve(plan.base, inputs=inputs, state=opening)))
                except rt.PolicyError as e:
                    at = f"{e.span}" if e.span is not None else ""
                    raise Unsettled(at, f"{at}: {e.zh}" if at else e.zh, f"{at}: {e.en}" if at else e.en) from None
            try:
                out = self.module.evaluate(regions, params, inputs, opening)
            except rt.PolicyError as e:
                at = f"{self.file}:{e.line}" if e.line else ""
                raise Unsettled(at, f"{at}: {e.zh}" if at else e.zh, f"{at}: {e.en}" if at else e.en) from None
            return Settled(out.values, out.closing)
        # The oracle reads a scenario as exact rationals: the same base with this year's inputs.
        env = env_of(attrs.evolve(plan.base, inputs=inputs, state=opening))
        try:
            res = settle_with(self.checked, env, "interpreter", "")
        except EvaluationFailed as e:
            zh, en = e.zh.removeprefix(": 无法计算:").strip(), e.en.removeprefix(": cannot settle: ").strip()
            raise Unsettled(en, zh, en) from None

        return Settled(dict(res.values), {k: to_decimal(v, 2) for k, v in res.closing.items()})

    def settle_base(self, plan: Plan) -> Settled:
        """The base period, the same in every draw: settled once; if it cannot be, nothing can."""
        try:
            return self.settle(plan, dict(plan.base.inputs), dict(plan.base.state))
        except Unsettled as e:
            where = f"{plan.file} ({plan.periods[0]})"
            raise EvaluationFailed(
                2, f"{where}: 基期无法计算:{e.zh}\n", f"{where}: the base period cannot be settled: {e.en}\n"
            ) from None

    def run(self, plan: Plan, factors: Factors, picks: list[Pick], progress: Progress | None = None) -> Outcome:
        periods = plan.periods
        n, years = factors.draws, len(periods)
        fen = {p.label: np.zeros((n, years), dtype=np.int64) for p in picks}
        failed_at = np.full(n, years, dtype=np.int64)
        failures: dict[tuple[int, str], Failure] = {}
        base_inputs = dict(plan.base.inputs)
        first = self.settle_base(plan)
        row0 = {p.label: record(p, first) for p in picks}
        grower = Grower(self.checked, plan, factors)
        for d in range(n):
            inputs, settled = base_inputs, first
            for label, v in row0.items():
                fen[label][d, 0] = v
            for t in range(1, years):
                try:
                    inputs = grower.grow(inputs, d, periods[t])
                    settled = self.settle(plan, inputs, settled.closing)
                except (Unsettled, Beyond) as e:
                    failed_at[d] = t
                    count_failure(failures, (periods[t], e.where), e.zh, e.en)
                    break
                for p in picks:
                    fen[p.label][d, t] = record(p, settled)
            if progress is not None and ((d + 1) % 100 == 0 or d + 1 == n):
                progress(d + 1, n)
        return Outcome(tuple(periods), n, fen, failed_at, failures)


def count_failure(failures: dict[tuple[int, str], Failure], key: tuple[int, str], zh: str, en: str) -> None:
    """One more draw stopped at `key` (period, where); the first draw's message stands for them all."""
    seen = failures.get(key)
    failures[key] = Failure(seen.draws + 1, seen.zh, seen.en) if seen else Failure(1, zh, en)


def record(p: Pick, s: Settled) -> int:
    """The value in whole fen (a rule's amount is already to the fen; a balance always is)."""
    total: rt.Value
    if p.balance:
        total = sum((Fraction(s.closing[a]) for a in p.accounts), Fraction(0))
    else:
        v = s.values[p.name]
        if isinstance(v, dict):
            total = (
                v[p.region]
                if p.region is not None
                else sum((x for x in v.values() if isinstance(x, Fraction)), Fraction(0))
            )
        else:
            total = v
    assert isinstance(total, Fraction)
    return rt.round_places(total, 2)


def picks_of(checked: CheckedPolicy, plan: Plan, wanted: list[str]) -> tuple[list[Pick], list[tuple[str, str]]]:
    """The values to record (default: every carried fund's balance), and (zh, en) errors for names that are not."""
    scope = checked.scope
    regions = list(plan.base.regions)
    rules = {r.name.text for r in scope.rules}
    if not wanted:
        wanted = [n for n, f in scope.funds.items() if f.carried]
    picks: list[Pick] = []
    errors: list[tuple[str, str]] = []
    for label in wanted:
        name, _, region = label.partition("@")
        fund = scope.funds.get(name)
        if region and region not in regions:
            errors.append(
                (
                    f"--values {label}: “{region}”不是情景的地区",
                    f"--values {label}: ‘{region}’ is not one of the scenario's regions",
                )
            )
        elif fund is not None and fund.carried:
            if fund.per_region:
                accounts = tuple(account(name, r) for r in ([region] if region else regions))
            elif region:
                errors.append(
                    (
                        f"--values {label}: {name}不按地区结转,去掉 @{region}",
                        f"--values {label}: {name} is not kept per region; drop @{region}",
                    )
                )
                continue
            else:
                accounts = (name,)
            picks.append(Pick(label, name, region or None, True, accounts))
        elif name in rules:
            picks.append(Pick(label, name, region or None, False, ()))
        else:
            known = "、".join([n for n, f in scope.funds.items() if f.carried] + sorted(rules))
            errors.append(
                (
                    f"--values {label}: 不是结转资金或规则(可用:{known})",
                    f"--values {label}: not a carried fund or a rule (known: {known.replace('、', ', ')})",
                )
            )
    if len({p.label for p in picks}) < len(picks):
        errors.append(("--values: 同一个值给了两次", "--values: the same value is given twice"))
    return picks, errors
