"""Stochastic multi-year simulation (`pool simulate --draws N --seed S`).

    >>> from compiler.stochastic import simulate
    >>> run = simulate(
    ...     "policies/ningbo_city_pooling.pool", "policies/scenarios/ningbo_stochastic.yaml", draws=1000, seed=7
    ... )
    >>> run.summaries[0].years[-1].ever_zero / run.outcome.draws   # 归集基金 at zero by the last year

spec reads the scenario, draws draws the growth rates, engine settles every draw
(behind the Engine protocol a batch engine can implement), summary and chart
present the result. Failures raise compiler.evaluate.EvaluationFailed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import attrs

from compiler.evaluate import EvaluationFailed, check_policy, under_readings
from compiler.ir.checked import CheckedPolicy
from compiler.scenario import Document
from compiler.stochastic.draws import draw
from compiler.stochastic.engine import Engine, Outcome, PerDraw, Progress, picks_of
from compiler.stochastic.spec import Plan, load_plan
from compiler.stochastic.summary import Summary, summarise

MAX_DRAWS = 1_000_000


@attrs.frozen(eq=False)
class Run:
    checked: CheckedPolicy
    plan: Plan
    seed: int
    outcome: Outcome
    summaries: list[Summary]


def simulate(
    policy: str | Path,
    scenario: str,
    draws: int,
    seed: int,
    values: list[str] | None = None,
    engine: str = "vector",
    batch: Engine | None = None,
    progress: Progress | None = None,
    readings: Mapping[str, str] | None = None,
) -> Run:
    """Check, read, draw, settle every draw and summarise: on the vectorized engine, or
    "compiled"/"interpreter" one draw at a time; `batch` replaces the engine, and
    `progress(done, total)` hears as the work goes. `readings` (choice → option) wins over
    the base period's `"readings"`; every draw and year is settled under them."""
    _counts(draws, seed)  # before checking the policy: the cheap mistake first
    return simulate_checked(check_policy(policy), scenario, draws, seed, values, engine, batch, progress, readings)


def _counts(draws: int, seed: int) -> None:
    if not 1 <= draws <= MAX_DRAWS:
        raise EvaluationFailed(
            2, f"--draws: 应在 1 到 {MAX_DRAWS:,} 之间\n", f"--draws: must be from 1 to {MAX_DRAWS:,}\n"
        )
    if seed < 0:
        raise EvaluationFailed(2, "--seed: 不能为负\n", "--seed: cannot be negative\n")


def simulate_checked(
    checked: CheckedPolicy,
    scenario: str | Document,
    draws: int,
    seed: int,
    values: list[str] | None = None,
    engine: str = "vector",
    batch: Engine | None = None,
    progress: Progress | None = None,
    readings: Mapping[str, str] | None = None,
) -> Run:
    """As simulate, on a policy already checked (`pool serve` caches them)."""
    _counts(draws, seed)
    plan = load_plan(scenario, checked)
    chosen = under_readings(checked, plan.base.readings, readings or {})
    if chosen is not checked:  # read again: an option may give other values their types
        checked = chosen
        plan = load_plan(scenario, checked)
    picks, errors = picks_of(checked, plan, list(values or []))
    if errors:
        raise EvaluationFailed(2, "".join(zh + "\n" for zh, _ in errors), "".join(en + "\n" for _, en in errors))
    factors = draw(plan, draws, seed)
    if batch is None and engine == "vector":
        from compiler.stochastic.batch import Vectorized

        batch = Vectorized(checked)
    outcome = (batch or PerDraw(checked, engine)).run(plan, factors, picks, progress)
    return Run(checked, plan, seed, outcome, summarise(outcome, picks))
