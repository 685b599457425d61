"""`pool simulate --draws` on the bundled Ningbo question: 10,000 draws × 10 years.

    .venv/bin/python benchmarks/draws.py            # the figures in docs/performance.md
    .venv/bin/python benchmarks/draws.py --quick

Times the whole simulation on the vectorized engine (the default), and the input growth
alone both ways: as arrays (compiler/stochastic/grow.py) and draw by draw in Decimal (the
per-draw grower it replaced in the vector engine, run on a sample and scaled). Wall and
CPU time: on a shared machine CPU time is the steadier measure of the work.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compiler.evaluate import check_policy
from compiler.stochastic import simulate
from compiler.stochastic.draws import Grower, draw
from compiler.stochastic.grow import ArrayGrower
from compiler.stochastic.spec import load_plan

POLICY = str(ROOT / "policies" / "ningbo_city_pooling.pool")
SCENARIO = str(ROOT / "policies" / "scenarios" / "ningbo_stochastic.yaml")


def timed(fn: object) -> tuple[float, float]:
    w, c = time.perf_counter(), time.process_time()
    fn()  # type: ignore[operator]
    return time.perf_counter() - w, time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    draws = 2000 if ap.parse_args().quick else 10_000
    checked = check_policy(POLICY)
    plan = load_plan(SCENARIO, checked)
    years = len(plan.periods) - 1
    simulate(POLICY, SCENARIO, draws=100, seed=1)  # warm: parser cache, imports
    wall, cpu = timed(lambda: simulate(POLICY, SCENARIO, draws=draws, seed=2022))
    print(f"simulate, vector engine, {draws:,} draws × {years} years: {wall:.2f} s wall, {cpu:.2f} s CPU")
    # The whole command as a user runs it: start-up, check, draws, table.
    command = [
        sys.executable,
        "-m",
        "compiler.cli",
        "simulate",
        POLICY,
        SCENARIO,
        "--draws",
        str(draws),
        "--seed",
        "2022",
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    w = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    print(
        f"pool simulate … --draws {draws:,}, whole command: {time.perf_counter() - w:.2f} s wall, {child_cpu:.2f} s CPU"
    )

    factors = draw(plan, draws, 2022)
    grower = Grower(checked, plan, factors)
    arrays = ArrayGrower(checked, plan, factors, grower)
    live = np.ones(draws, dtype=bool)

    def grow_arrays() -> None:
        values = arrays.base(draws)
        for year in plan.periods[1:]:
            values, _ = arrays.grow(values, live, year)

    sample = max(draws // 20, 100)

    def grow_decimal() -> None:
        for d in range(sample):
            inputs = dict(plan.base.inputs)
            for year in plan.periods[1:]:
                inputs = grower.grow(inputs, d, year)

    a_wall, a_cpu = timed(grow_arrays)
    d_wall, d_cpu = timed(grow_decimal)
    scale = draws / sample
    print(f"input growth as arrays: {a_wall:.3f} s wall, {a_cpu:.3f} s CPU")
    print(
        f"input growth in Decimal, draw by draw: {d_wall * scale:.2f} s wall, {d_cpu * scale:.2f} s CPU (a "
        f"{sample:,}-draw sample, scaled)"
    )
    print(f"ratio (Decimal / arrays, CPU): {d_cpu * scale / a_cpu:.0f}×")


if __name__ == "__main__":
    main()
