"""Growth rates drawn from a seed, and the inputs they grow, to the fen.

Randomness is float, money never is: each drawn rate is a float64 from numpy's
PCG64 generator, taken at its shortest decimal spelling (0.08 is exactly
Decimal("0.08")), and every grown money input is rounded half-up to the fen
(a count to a whole person) before the policy sees it. Each year grows the
value the policy saw the year before, so rounding never compounds silently.
"""

from __future__ import annotations

import decimal
from decimal import ROUND_HALF_UP, Decimal

import attrs
import numpy as np
import numpy.typing as npt

from compiler.ir.checked import CheckedPolicy
from compiler.ir.types import Base
from compiler.scenario import Supplied, Value
from compiler.stochastic.spec import Plan

# Growing is one product: a value of at most 15 integer digits and 2 places times 1 + a rate
# from repr(float) (at most 17 significant digits) has at most 36 digits, so 60 is exact.
_EXACT = decimal.Context(prec=60, rounding=ROUND_HALF_UP, traps=[decimal.InvalidOperation])

Rates = npt.NDArray[np.float64]
_ONE = Decimal(1)


@attrs.frozen(eq=False)
class Factors:
    """Every drawn growth rate: rates[key][d] is draw d's rate for one distribution and year;
    key_of[(input, region, year)] says which key an input reads (region None when global)."""

    draws: int
    seed: int
    rates: dict[tuple[object, ...], Rates]
    key_of: dict[tuple[str, str | None, int], tuple[object, ...]]


def draw(plan: Plan, draws: int, seed: int) -> Factors:
    """All rates up front, in a fixed order (year, then input as written, then region as in the
    base period), so a draw's numbers do not depend on the engine that evaluates them."""
    rng = np.random.Generator(np.random.PCG64(seed))
    rates: dict[tuple[object, ...], Rates] = {}
    key_of: dict[tuple[str, str | None, int], tuple[object, ...]] = {}
    for year in plan.periods[1:]:
        for g in plan.growth:
            if g.like is not None:
                continue
            for region in plan.base.regions if g.per_region else (None,):
                got = g.resolve(region, year)
                assert got is not None, "spec.load_plan checked that every region and year has one"
                dist, key = got
                if key not in rates:
                    x = (
                        rng.normal(dist.a, dist.b, draws)
                        if dist.kind == "normal"
                        else rng.uniform(dist.a, dist.b, draws)
                    )
                    rates[key] = np.maximum(x, -1.0)  # below −100% an input would turn negative
                key_of[(g.input, region, year)] = key
        sources = {g.input: g for g in plan.growth}
        for g in plan.growth:
            if g.like is None:
                continue
            per_region = sources[g.like].per_region
            for region in plan.base.regions if g.per_region else (None,):
                # a global input follows a per-region one only when all regions share one rate
                # (spec.load_plan checked), so the first region's rate is that rate
                at = (region or plan.base.regions[0]) if per_region else None
                key_of[(g.input, region, year)] = key_of[(g.like, at, year)]
    return Factors(draws, seed, rates, key_of)


# A grown input past this stops its draw: 10¹⁵ 元 is far beyond any fund, and keeps every amount a
# policy derives from it (sums over regions, years of carried balances) inside int64 fen for the
# vectorized engine, so both engines stop the same draws in the same year.
CEILING = Decimal(10) ** 15


class Beyond(Exception):
    """A draw's growth has carried an input past CEILING."""

    def __init__(self, name: str, value: Decimal) -> None:
        super().__init__(name)
        self.zh = f"“{name}”增长到 {value:.3E} 元/人,超过 10^15,此后不再模拟"
        self.en = f"‘{name}’ grew to {value:.3E}, past 10^15: the draw is not simulated further"
        self.where = f"growth of {name}"


class Grower:
    """One draw's inputs year by year: grow(inputs, d, year) → next year's inputs."""

    def __init__(self, checked: CheckedPolicy, plan: Plan, factors: Factors) -> None:
        self.plan, self.factors = plan, factors
        self.places = {
            g.input: (Decimal("0.01") if checked.types[g.input].base is Base.MONEY else _ONE) for g in plan.growth
        }
        # Decimal rates, converted once per key rather than once per region and year.
        self.decimal: dict[tuple[object, ...], list[Decimal]] = {}

    def rate(self, key: tuple[object, ...], d: int) -> Decimal:
        got = self.decimal.get(key)
        if got is None:
            got = self.decimal[key] = [_ONE + Decimal(repr(x)) for x in self.factors.rates[key].tolist()]
        return got[d]

    def factor(self, key: tuple[object, ...], d: int) -> Decimal:
        """rate(key, d) without converting every draw's rate: for the few values the array
        grower (grow.py) hands back to this one."""
        got = self.decimal.get(key)
        return got[d] if got is not None else _ONE + Decimal(repr(float(self.factors.rates[key][d])))

    def grow(self, inputs: dict[str, Supplied], d: int, year: int) -> dict[str, Supplied]:
        out = dict(inputs)
        for g in self.plan.growth:
            q = self.places[g.input]
            prev = inputs[g.input]
            if isinstance(prev, dict):
                out[g.input] = {
                    r: self.one(g.input, v, self.rate(self.factors.key_of[(g.input, r, year)], d), q)
                    for r, v in prev.items()
                }
            else:
                out[g.input] = self.one(g.input, prev, self.rate(self.factors.key_of[(g.input, None, year)], d), q)
        return out

    @staticmethod
    def one(name: str, v: Value, factor: Decimal, q: Decimal) -> Decimal:
        """One value grown by `factor` (1 + rate), rounded to `q`; the array grower (grow.py) uses it too."""
        assert isinstance(v, Decimal), "spec.load_plan admits only money and count inputs"
        grown = _EXACT.multiply(v, factor).quantize(q, rounding=ROUND_HALF_UP, context=_EXACT)
        if abs(grown) > CEILING:
            raise Beyond(name, grown)
        return grown
