"""The vectorized engine behind `pool simulate --draws … --engine vector`.

Every draw of a period is settled at once by compiler.vector (int64 fen, exact),
period after period, closing balances carried as arrays. The base period and the
growth of inputs are the per-draw engine's own (Decimal, rounded to the fen), so
both engines see the same inputs; tests hold the two to the same fen.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
import numpy as np

from compiler import runtime as rt
from compiler.ir.checked import CheckedPolicy
from compiler.stochastic.draws import Factors, Grower
from compiler.stochastic.engine import Failure, Fen, Outcome, PerDraw, Pick, count_failure, record
from compiler.stochastic.spec import Plan
from compiler.vector import BatchResult, batch_of, run_batch


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
        inputs: list[dict[str, rt.Supplied]] = [dict(plan.base.inputs)] * n
        alive = np.ones(n, dtype=bool)
        grower = Grower(self.checked, plan, factors)
        regions = list(plan.base.regions)
        for t in range(1, years):
            inputs = [grower.grow(inputs[d], d, periods[t]) for d in range(n)]
            batch = batch_of(self.checked, [attrs.evolve(plan.base, inputs=i, state={}) for i in inputs])
            res = run_batch(self.checked, attrs.evolve(batch, opening=opening), raise_failures=False)
            stopped = res.failed & alive
            for d in np.flatnonzero(stopped).tolist():
                why = res.reasons.get(d)
                zh, en = (why.zh, why.en) if why else ("无法结算", "cannot settle")
                count_failure(failures, (periods[t], en), zh, en)
            failed_at[stopped] = t
            alive &= ~res.failed
            for p in picks:
                fen[p.label][:, t] = _picked(p, res, regions)
            # A stopped draw's balances mean nothing; zero keeps later periods of the batch in range.
            opening = {k: np.where(alive, v, 0) for k, v in res.closing.items()}
        return Outcome(tuple(periods), n, fen, failed_at, failures)


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
