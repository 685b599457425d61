"""The Guizhou remittance formula in OpenFisca, for the benchmark's comparison column.

    python benchmarks/openfisca_guizhou.py IN.npz OUT.npz

IN holds int64 fen arrays `inc`, `prev`, `orig` and a bool array `changed`; OUT gets
`remit` (OpenFisca's float32 元 turned into fen, half-up), and `seconds` and `cpu`
(wall and CPU time of the calculation only). Run by benchmarks/run.py in its own process, so OpenFisca can
live in another environment (POOL_BENCH_OPENFISCA_PYTHON) than pool.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np


def build() -> Any:
    from openfisca_core.entities import build_entity
    from openfisca_core.periods import DateUnit
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem
    from openfisca_core.variables import Variable

    Region = build_entity(key="region", plural="regions", label="市州", is_person=True)

    # OpenFisca reads a variable's attributes from its own class body, not from a base class.
    def money(name: str, label: str, formula: Any = None) -> type:
        body: dict[str, Any] = {
            "value_type": float,
            "entity": Region,
            "definition_period": DateUnit.YEAR,
            "label": label,
        }
        if formula is not None:
            body["formula"] = formula
        return type(name, (Variable,), body)  # value_type float: OpenFisca stores float32

    def remit(region: Any, period: Any) -> Any:
        inc, prev = region("income_last", period), region("income_before", period)
        orig = region("income_original", period)
        actual = np.maximum(inc * 0.10 - np.maximum(inc - prev, 0) * 0.50, 0)
        original = np.maximum(orig * 0.10 - np.maximum(orig - prev, 0) * 0.50, 0)
        return np.where(region("changed_policy", period), np.maximum(actual, original), actual)

    changed = type(
        "changed_policy", (Variable,), {"value_type": bool, "entity": Region, "definition_period": DateUnit.YEAR}
    )
    variables = [
        money("income_last", "上年度征缴收入"),
        money("income_before", "前年度征缴收入"),
        money("income_original", "原标准征缴收入"),
        changed,
        money("remit", "基础上解额", remit),
    ]
    system = TaxBenefitSystem([Region])
    for v in variables:
        system.add_variable(v)
    return system


def main(src: str, dst: str) -> None:
    from openfisca_core.simulations import SimulationBuilder

    data = np.load(src)
    system = build()
    n = data["inc"].size
    sim = SimulationBuilder().build_default_simulation(system, n)
    started, cpu = time.perf_counter(), time.process_time()
    # Money enters as 元, the unit the formula is written in; OpenFisca keeps it as float32.
    sim.set_input("income_last", "2026", data["inc"].ravel() / 100)
    sim.set_input("income_before", "2026", data["prev"].ravel() / 100)
    sim.set_input("income_original", "2026", data["orig"].ravel() / 100)
    sim.set_input("changed_policy", "2026", data["changed"].ravel())
    out = sim.calculate("remit", "2026")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    fen = np.floor(out.astype(np.float64) * 100 + 0.5).astype(np.int64)  # the fen a user would book
    np.savez(
        dst,
        remit=fen.reshape(data["inc"].shape),
        seconds=np.array(seconds),
        cpu=np.array(cpu),
        dtype=np.array(str(out.dtype)),
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
