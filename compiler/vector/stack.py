"""Scenarios (the files `pool run` reads) stacked into one batch, for tests and benchmarks."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from compiler.ir.checked import CheckedPolicy
from compiler.ir.types import Base
from compiler.plan import plan_of
from compiler.runtime import NO_ENTITIES, REGION, Entities
from compiler.scenario import Scenario
from compiler.vector.arith import VectorOverflow
from compiler.vector.batch import Batch, Scaled


def batch_of(checked: CheckedPolicy, scenarios: list[Scenario]) -> Batch:
    """One draw per scenario; they must list the same regions and the same entities. A value
    missing from one scenario must be missing from all (it is then left to its default).
    A per-region or per-entity value is {region or id: value}, or one value for all."""
    regions = scenarios[0].regions
    if any(s.regions != regions for s in scenarios):
        raise ValueError("every scenario of a batch lists the same regions")
    entities: Entities = getattr(scenarios[0], "entities", None) or NO_ENTITIES
    if any((getattr(s, "entities", None) or NO_ENTITIES) != entities for s in scenarios):
        raise ValueError("every scenario of a batch lists the same entities")
    dims = plan_of(checked).dims

    def keys(name: str) -> list[str] | None:
        """Where a value has one number each: the regions, the entities of its kind, or None."""
        dim = dims.get(name)
        if dim is None:
            return None
        return list(regions) if dim == REGION else list(entities.ids.get(dim, []))

    def column(table: str) -> dict[str, Any]:
        names = [k for k in getattr(scenarios[0], table)]
        out: dict[str, Any] = {}
        for name in names:
            t = checked.types[name]
            at = keys(name)
            rows = []
            for s in scenarios:
                v = getattr(s, table)[name]
                if at is None:
                    rows.append(v)
                else:
                    rows.append([v[k] for k in at] if isinstance(v, dict) else [v] * len(at))
            arr = np.array(rows, dtype=object)
            if t.numeric:
                den = math.lcm(*(Fraction(x).denominator for x in arr.ravel())) if arr.size else 1
                if t.base is Base.MONEY:
                    den = math.lcm(den, 100)
                num = np.array([int(Fraction(x) * den) for x in arr.ravel()], dtype=object).reshape(arr.shape)
                if num.size and max(abs(int(x)) for x in num.ravel()) >= 2**63:
                    # A scenario value of 30 significant digits: exact, but not in int64 (the scalar engines settle it).
                    raise VectorOverflow(
                        None, f"‘{name}’ over denominator {den}", "the scalar engines settle it exactly"
                    )
                out[name] = Scaled(num.astype(np.int64), den)
            elif t.base is Base.BOOL:
                out[name] = arr.astype(bool)
            else:
                out[name] = arr.astype(str)
        return out

    accounts = sorted({a for s in scenarios for a in s.state})
    opening = {
        a: np.array([int(s.state.get(a, Decimal(0)) * 100) for s in scenarios], dtype=np.int64) for a in accounts
    }
    return Batch(tuple(regions), len(scenarios), column("params"), column("inputs"), opening, entities)
