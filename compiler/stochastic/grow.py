"""Input growth for every draw at once, in integer fen, equal to the per-draw grower's.

The per-draw Grower (draws.py) multiplies a Decimal by 1 + Decimal(repr(rate)) and
rounds half-up to the fen: exact, and ~7 µs a value. Here a year's values of all draws
are grown as arrays. The product is computed in float64, and its rounding is trusted
only where it provably agrees with the exact one: the float product is within a few
units of 2^-52 of the decimal one, so unless the value lies within that distance of a
half fen (or is too large for a float to hold to the fen, or negative), floor(x + ½) is
the exact result. The few values that are not that far from a tie (about one in 10¹⁰
draws in practice) are grown by the Grower itself, so the two agree by construction.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import numpy.typing as npt

from compiler.ir.checked import CheckedPolicy
from compiler.ir.types import Base
from compiler.stochastic.draws import CEILING, Beyond, Factors, Grower
from compiler.stochastic.spec import Plan

Ints = npt.NDArray[np.int64]
# The float product's distance from the exact decimal one, relative to it: the rate's
# shortest repr is within half an ulp (2^-53) of the double, the product rounds once more,
# with margin. The absolute term covers the Grower's 1 + rate, formed in Decimal's default
# 28-digit context (it rounds when the rate is below about 10^-11).
_RELATIVE = 2.0**-49
_ABSOLUTE = 1e-26
_FLOAT_EXACT = 2.0**52  # beyond this a float64 no longer holds every integer and its half


class ArrayGrower:
    """Grows each growth input of `plan` as an int64 array: (draws,) or (draws, regions),
    money in fen and counts in persons, as the vectorized engine reads them."""

    def __init__(self, checked: CheckedPolicy, plan: Plan, factors: Factors, grower: Grower) -> None:
        self.plan, self.factors, self.grower = plan, factors, grower
        self.regions = list(plan.base.regions)
        self.den = {g.input: 100 if checked.types[g.input].base is Base.MONEY else 1 for g in plan.growth}
        self.limit = {name: int(CEILING) * den for name, den in self.den.items()}

    def base(self, draws: int) -> dict[str, Ints]:
        """The base period's growth inputs, broadcast to every draw."""
        out: dict[str, Ints] = {}
        for g in self.plan.growth:
            v = self.plan.base.inputs[g.input]
            den = self.den[g.input]
            row = [_whole(v[r], den) for r in self.regions] if isinstance(v, dict) else _whole(v, den)
            out[g.input] = (
                np.tile(np.array(row, dtype=np.int64), (draws, 1))
                if isinstance(v, dict)
                else np.full(draws, row, dtype=np.int64)
            )
        return out

    def keys(self, name: str, year: int, per_region: bool) -> list[tuple[object, ...]]:
        key_of = self.factors.key_of
        return [key_of[(name, r, year)] for r in self.regions] if per_region else [key_of[(name, None, year)]]

    def grow(
        self, values: dict[str, Ints], live: npt.NDArray[np.bool_], year: int
    ) -> tuple[dict[str, Ints], dict[int, Beyond]]:
        """Next year's values for the live draws (the others keep theirs), and the draws whose
        growth passes the ceiling, each with the Beyond of the first input (in the plan's
        order) that did: the per-draw engine stops a draw at that input."""
        out = dict(values)
        beyond: dict[int, Beyond] = {}
        for g in self.plan.growth:
            prev = values[g.input]
            keys = self.keys(g.input, year, prev.ndim == 2)
            rates = (
                np.stack([self.factors.rates[k] for k in keys], axis=1)
                if prev.ndim == 2
                else self.factors.rates[keys[0]]
            )
            grown, exact = self._grow(g.input, prev, rates, keys, live)
            over = live & (np.abs(grown) > self.limit[g.input]).reshape(len(live), -1).any(axis=1)
            for d in np.flatnonzero(over).tolist():
                if d not in beyond:
                    col = int(np.argmax(np.abs(grown[d]) > self.limit[g.input])) if grown.ndim == 2 else 0
                    value = int(grown[d, col]) if grown.ndim == 2 else int(grown[d])
                    beyond[d] = exact.get((d, col)) or Beyond(g.input, Decimal(value) / self.den[g.input])
            out[g.input] = np.where(live.reshape(-1, *([1] * (prev.ndim - 1))), grown, prev)
        if beyond:  # a draw stopped by its growth keeps last year's inputs, as in the per-draw engine
            stopped = np.zeros(len(live), dtype=bool)
            stopped[list(beyond)] = True
            out = {k: np.where(stopped.reshape(-1, *([1] * (v.ndim - 1))), values[k], v) for k, v in out.items()}
        return out, beyond

    def _grow(
        self,
        name: str,
        prev: Ints,
        rates: npt.NDArray[np.float64],
        keys: list[tuple[object, ...]],
        live: npt.NDArray[np.bool_],
    ) -> tuple[Ints, dict[tuple[int, int], Beyond]]:
        x = prev.astype(np.float64) * rates  # the increase, in fen (or persons)
        t = x + 0.5
        below = np.floor(t)
        margin = np.abs(x) * _RELATIVE + np.abs(prev).astype(np.float64) * _ABSOLUTE
        near = (t - below <= margin) | (below + 1 - t <= margin)
        unsure = near | (np.abs(x) >= _FLOAT_EXACT) | (np.abs(prev) >= _FLOAT_EXACT) | (prev < 0)
        # Values past the float range overflow the cast below; they are redone exactly anyway.
        grown = prev + np.where(unsure, 0, below).astype(np.int64)
        unsure &= live.reshape(-1, *([1] * (prev.ndim - 1)))
        beyond: dict[tuple[int, int], Beyond] = {}
        den = self.den[name]
        q = Decimal("0.01") if den == 100 else Decimal(1)
        for at in zip(*np.nonzero(unsure)):
            d = int(at[0])
            col = int(at[1]) if len(at) > 1 else 0
            try:  # the per-draw Grower's own arithmetic
                grown[at] = int(
                    Grower.one(name, Decimal(int(prev[at])) / den, self.grower.factor(keys[col], d), q) * den
                )
            except Beyond as e:  # marked past the ceiling (in int64), reported with the Grower's message
                grown[at] = self.limit[name] + 1
                beyond[(d, col)] = e
        return grown, beyond


def _whole(v: object, den: int) -> int:
    assert isinstance(v, Decimal), "spec.load_plan admits only money and count inputs"
    scaled = v * den
    assert scaled == scaled.to_integral_value(), "a scenario's money is in fen, its counts in persons"
    return int(scaled)
