"""A waterfall tier with a 合计上限 (total cap) shared between regions.

The invariants a drafter relies on, for any needs, shares and cap: the tier pays
min(Σ need, cap) in all, no region gets more than it needs, each payer pays its
share of the tier's total to the fen (so a fund paying 50% of a tier capped at
twice its balance is never overdrawn). The interpreter and the compiled evaluator share
this one implementation (compiler.runtime.apportion_tier); tests/test_vector.py holds the
vectorized engine to it.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from compiler.interpreter.funds import largest_remainder, tier_pieces
from compiler.interpreter.values import EvalError

ERR = EvalError("zero-weights", rule="x")
fen = st.integers(min_value=0, max_value=10**9)
share_sets = st.sampled_from([[50, 50], [20, 80], [100], [1, 1, 1], [10, 30, 60], [33, 33, 34]])


@given(st.lists(fen, min_size=1, max_size=8), share_sets, st.one_of(st.none(), fen))
def test_total_cap_tier_invariants(needs: list[int], shares: list[int], cap: int | None) -> None:
    need = [Fraction(n, 100) for n in needs]
    ratios = [Fraction(s, sum(shares)) for s in shares]
    total_cap = None if cap is None else Fraction(cap, 100)
    rows = tier_pieces(need, ratios, total_cap, ERR)
    paid = [sum(row, Fraction(0)) for row in rows]
    assert all(p <= n for p, n in zip(paid, need))
    assert all(x >= 0 and (x * 100).denominator == 1 for row in rows for x in row)
    tier_total = sum(paid, Fraction(0))
    assert tier_total == (sum(need, Fraction(0)) if total_cap is None else min(sum(need, Fraction(0)), total_cap))
    if total_cap is not None:
        payer_totals = [sum((row[i] for row in rows), Fraction(0)) for i in range(len(shares))]
        assert payer_totals == largest_remainder(tier_total, ratios, ERR)


def test_a_fund_paying_half_of_a_tier_capped_at_twice_its_balance_is_never_overdrawn() -> None:
    # Three districts each need an odd number of fen: splitting each 50/50 and rounding
    # half-up would take 3 fen from a fund holding 2; sharing the tier as a whole does not.
    need = [Fraction(1, 100)] * 3 + [Fraction(3, 100)]
    rows = tier_pieces(need, [Fraction(1, 2), Fraction(1, 2)], Fraction(4, 100), ERR)
    fund = sum((row[0] for row in rows), Fraction(0))
    assert fund == Fraction(2, 100)
    assert sum((sum(row, Fraction(0)) for row in rows), Fraction(0)) == Fraction(4, 100)


def test_without_a_total_cap_each_region_splits_its_own_part() -> None:
    rows = tier_pieces([Fraction(1001, 100), Fraction(0)], [Fraction(1, 2), Fraction(1, 2)], None, ERR)
    assert rows == [[Fraction(501, 100), Fraction(500, 100)], [Fraction(0), Fraction(0)]]
