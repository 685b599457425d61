"""The vectorized engine behind `pool simulate --draws … --engine vector`.

Every draw of a period is settled at once by compiler.vector (int64 fen, exact),
period after period, closing balances carried as arrays. The base period and the
growth of inputs are the per-draw engine's own (Decimal, rounded to the fen), so
both engines see the same inputs; tests hold the two to the same fen.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import numpy as np

from compiler.evaluate import EvaluationFailed
from compiler.ir.checked import CheckedPolicy
from compiler.ir.types import Base
from compiler.stochastic.draws import Beyond, Factors, Grower
from compiler.stochastic.engine import Failure, Fen, Outcome, PerDraw, Pick, count_failure, record
from compiler.scenario import Supplied, Value
from compiler.stochastic.spec import Plan
from compiler.vector import Batch, BatchResult, Scaled, VectorOverflow, batch_of, run_batch


class Vectorized:
    def __init__(self, checked: CheckedPolicy) -> None:
        self.checked = checked
        self.base = PerDraw(checked)

    def run(self, plan: Plan, factors: Factors, picks: list[Pick]) -> Outcome:
        periods = plan.periods
        n, years = factors.draws, len(periods)
        fen = {p.label: np.zeros((n, years), dtype=np.int64) for p in picks}
        failed_at = np.full(n, years, dtype=np.int64)
        failures: dict[tuple[int, str], Failure] = {}
        first = self.base.settle_base(plan)  # the same in every draw; its failure is the command's
        for p in picks:
            fen[p.label][:, 0] = record(p, first)
        opening = {k: np.full(n, _fen(v), dtype=np.int64) for k, v in first.closing.items()}
        inputs: list[dict[str, Supplied]] = [dict(plan.base.inputs)] * n
        alive = np.ones(n, dtype=bool)
        grower = Grower(self.checked, plan, factors)
        regions = list(plan.base.regions)
        # What does not grow is the base period's in every draw: converted once, broadcast.
        fixed = _broadcast(batch_of(self.checked, [attrs.evolve(plan.base, state={})]), n)
        for t in range(1, years):
            grown = []
            for d in range(n):
                if not alive[d]:  # a stopped draw keeps its last inputs: its row is never read
                    grown.append(inputs[d])
                    continue
                try:
                    grown.append(grower.grow(inputs[d], d, periods[t]))
                except Beyond as e:  # stops here, as in the per-draw engine
                    grown.append(inputs[d])
                    count_failure(failures, (periods[t], e.where), e.zh, e.en)
                    failed_at[d] = t
                    alive[d] = False
            inputs = grown
            batch = attrs.evolve(fixed, inputs={**fixed.inputs, **_grown(self.checked, plan, inputs, regions)}, opening=opening)
            try:
                res = run_batch(self.checked, batch, raise_failures=False)
            except VectorOverflow as e:
                raise EvaluationFailed(
                    2,
                    f"{plan.file} ({periods[t]}): 有金额超出向量化引擎的 int64 分范围({e});请改用 --engine compiled\n",
                    f"{plan.file} ({periods[t]}): an amount passes the vectorized engine's int64 fen ({e}); use --engine compiled\n",
                ) from None
            stopped = res.failed & alive
            for d in np.flatnonzero(stopped).tolist():
                why = res.reasons.get(d)
                zh, en = (why.zh, why.en) if why else ("无法结算", "cannot settle")
                if why is not None and why.line is not None:  # file:line, as the per-draw engines say it
                    at = f"{self.checked.program.main.span.file}:{why.line}"
                    zh, en = f"{at}: {zh}", f"{at}: {en}"
                    count_failure(failures, (periods[t], at), zh, en)
                else:
                    count_failure(failures, (periods[t], en), zh, en)
            failed_at[stopped] = t
            alive &= ~res.failed
            for p in picks:
                fen[p.label][:, t] = _picked(p, res, regions)
            # A stopped draw's balances mean nothing; zero keeps later periods of the batch in range.
            opening = {k: np.where(alive, v, 0) for k, v in res.closing.items()}
        return Outcome(tuple(periods), n, fen, failed_at, failures)


def _broadcast(one: Batch, n: int) -> Batch:
    def wide(v: Any) -> Any:
        if isinstance(v, Scaled):
            return Scaled(np.broadcast_to(v.num, (n, *v.num.shape[1:])), v.den)
        return np.broadcast_to(v, (n, *np.shape(v)[1:]))

    return attrs.evolve(one, size=n, params={k: wide(v) for k, v in one.params.items()}, inputs={k: wide(v) for k, v in one.inputs.items()})


def _grown(checked: CheckedPolicy, plan: Plan, inputs: list[dict[str, Supplied]], regions: list[str]) -> dict[str, Scaled]:
    """Grown inputs straight to int64, as the grower rounded them (money to the fen, counts to a
    person): one int() a value, rather than a scenario a draw through exact rationals."""
    out: dict[str, Scaled] = {}
    for g in plan.growth:
        den = 100 if checked.types[g.input].base is Base.MONEY else 1
        rows = [_row(i[g.input], regions, den) for i in inputs]
        out[g.input] = Scaled(np.array(rows, dtype=np.int64), den)
    return out


def _row(v: Supplied, regions: list[str], den: int) -> int | list[int]:
    if isinstance(v, dict):
        return [_whole(v[r], den) for r in regions]
    return _whole(v, den)


def _whole(v: Value, den: int) -> int:
    assert isinstance(v, Decimal), "spec.load_plan admits only money and count inputs"
    scaled = v * den
    assert scaled == scaled.to_integral_value(), "the grower rounds money to the fen and counts to a person"
    return int(scaled)


def _picked(p: Pick, res: BatchResult, regions: list[str]) -> Fen:
    if p.balance:
        total: Fen = sum((res.closing[a] for a in p.accounts), np.zeros(len(res.failed), dtype=np.int64))
        return total
    v = res.values[p.name]
    if v.ndim == 1:
        return v
    return v[:, regions.index(p.region)] if p.region is not None else v.sum(axis=1)


def _fen(v: Decimal) -> int:
    return int(v.quantize(Decimal("0.01")).scaleb(2))
