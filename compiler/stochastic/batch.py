"""The vectorized engine behind `pool simulate --draws … --engine vector`.

Every draw of a period is settled at once by compiler.vector (int64 fen, exact),
period after period, closing balances carried as arrays. The base period is the
per-draw engine's own, and inputs grow as arrays to the same fen as its Decimal
grower (grow.py), so both engines see the same inputs; tests hold the two to the
same fen.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import numpy as np

from compiler.evaluate import EvaluationFailed
from compiler.ir.checked import CheckedPolicy
from compiler.stochastic.draws import Factors, Grower
from compiler.stochastic.engine import Failure, Fen, Outcome, PerDraw, Pick, Progress, count_failure, record
from compiler.stochastic.grow import ArrayGrower
from compiler.stochastic.spec import Plan
from compiler.vector import Batch, BatchResult, Scaled, VectorOverflow, batch_of, run_batch


class Vectorized:
    def __init__(self, checked: CheckedPolicy) -> None:
        self.checked = checked
        self.base = PerDraw(checked)

    def run(self, plan: Plan, factors: Factors, picks: list[Pick], progress: Progress | None = None) -> Outcome:
        periods = plan.periods
        n, years = factors.draws, len(periods)
        fen = {p.label: np.zeros((n, years), dtype=np.int64) for p in picks}
        failed_at = np.full(n, years, dtype=np.int64)
        failures: dict[tuple[int, str], Failure] = {}
        first = self.base.settle_base(plan)  # the same in every draw; its failure is the command's
        for p in picks:
            fen[p.label][:, 0] = record(p, first)
        opening = {k: np.full(n, _fen(v), dtype=np.int64) for k, v in first.closing.items()}
        alive = np.ones(n, dtype=bool)
        growth = ArrayGrower(self.checked, plan, factors, Grower(self.checked, plan, factors))
        grown = growth.base(n)
        regions = list(plan.base.regions)
        # What does not grow is the base period's in every draw: converted once, broadcast.
        try:
            fixed = _broadcast(batch_of(self.checked, [attrs.evolve(plan.base, state={})]), n)
        except VectorOverflow as err:
            raise _too_big(plan.file, periods[0], err) from None
        for t in range(1, years):
            # Every live draw's inputs grown at once (a stopped draw keeps its last: its row is never read).
            grown, beyond = growth.grow(grown, alive, periods[t])
            for d, e in sorted(beyond.items()):  # stops here, as in the per-draw engine
                count_failure(failures, (periods[t], e.where), e.zh, e.en)
                failed_at[d] = t
                alive[d] = False
            inputs = {name: Scaled(v, growth.den[name]) for name, v in grown.items()}
            batch = attrs.evolve(fixed, inputs={**fixed.inputs, **inputs}, opening=opening)
            try:
                res = run_batch(self.checked, batch, raise_failures=False, constraints=True)  # 约束, each year
            except VectorOverflow as err:
                raise _too_big(plan.file, periods[t], err) from None
            stopped = res.failed & alive
            for d in np.flatnonzero(stopped).tolist():
                why = res.reasons.get(d)
                zh, en = (why.zh, why.en) if why else ("无法结算", "cannot settle")
                if why is not None and why.line is not None:  # file:line, as the per-draw engines say it
                    at = f"{self.checked.program.main.span.file}:{why.line}"
                    at += f":{why.column}" if why.column is not None else ""
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
            if progress is not None:
                progress(t, years - 1)
        return Outcome(tuple(periods), n, fen, failed_at, failures)


def _broadcast(one: Batch, n: int) -> Batch:
    def wide(v: Any) -> Any:
        if isinstance(v, Scaled):
            return Scaled(np.broadcast_to(v.num, (n, *v.num.shape[1:])), v.den)
        return np.broadcast_to(v, (n, *np.shape(v)[1:]))

    return attrs.evolve(
        one,
        size=n,
        params={k: wide(v) for k, v in one.params.items()},
        inputs={k: wide(v) for k, v in one.inputs.items()},
    )


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


def _too_big(file: str, period: int, e: VectorOverflow) -> EvaluationFailed:
    return EvaluationFailed(
        2,
        f"{file} ({period}): 有数值超出向量化引擎的 int64 范围({e});请改用 --engine compiled\n",
        f"{file} ({period}): a value passes the vectorized engine's int64 range ({e}); use --engine compiled\n",
    )
