"""The benchmark rules written by hand in NumPy, as an analyst who knows the policy would.

Integer fen throughout, exact as the policy requires: the same rule as
benchmarks/guizhou_base.pool and policies/ningbo_city_pooling.pool, with the
ratios of those files baked in. It is the speed the generic backend is measured
against; it is not used by the compiler.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

Arr = npt.NDArray[Any]


def muldiv(a: Arr, b: Arr, d: Arr) -> tuple[Arr, Arr]:
    """(a·b // d, a·b % d) without overflowing int64 (a, b ≥ 0, d < 2**60): divide a by digits."""
    s = 62 - int(d.max()).bit_length()
    mask = (1 << s) - 1
    bq, br = np.divmod(b, d)
    q = r = np.zeros(np.broadcast_shapes(a.shape, b.shape), dtype=np.int64)
    for shift in range(((int(a.max()).bit_length() + s - 1) // s - 1) * s, -1, -s):
        r = (r << s) + ((a >> shift) & mask) * br
        qd, r = np.divmod(r, d)
        q = (q << s) + qd
    return a * bq + q, r


def shares(total: Arr, w: Arr, d: Arr) -> Arr:
    """Largest remainder of `total` fen over weights w/d (rows sum to d)."""
    parts, rem = muldiv(total, w, d)
    left = total - parts.sum(axis=1, keepdims=True)
    order = np.argsort(-rem, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.broadcast_to(np.arange(w.shape[1]), w.shape), axis=1)
    return parts + (ranks < left)


def guizhou_base(inc: Arr, prev: Arr, changed: Arr, orig: Arr, insured: Arr, elderly: Arr) -> tuple[Arr, Arr]:
    """基础上解额 and 基础分配额, fen (draws, regions): 10% of income less 50% of growth, floored at
    zero, the larger of actual and original standard where a region changed its policy; the
    fund shared 70% by insured, 30% by elderly insured, by largest remainder."""
    tenths = np.maximum(inc - 5 * np.maximum(inc - prev, 0), 0)  # 10 × the amount in fen
    tenths = np.where(changed, np.maximum(tenths, np.maximum(orig - 5 * np.maximum(orig - prev, 0), 0)), tenths)
    remit = (tenths + 5) // 10  # half-up to the fen
    total = remit.sum(axis=1, keepdims=True)
    s1, s2 = insured.sum(axis=1, keepdims=True), elderly.sum(axis=1, keepdims=True)
    return remit, shares(total, 7 * insured * s2 + 3 * elderly * s1, 10 * s1 * s2)


def ningbo_year(
    income: Arr, spending: Arr, top_up: Arr, monthly: Arr, pool: Arr, local: Arr
) -> tuple[Arr, Arr, dict[str, Arr]]:
    """One 职工医保 year of the Ningbo waterfall, fen: closing 归集基金 (draws,), closing
    区县累计结余 (draws, regions), and the tiers' parts."""
    diff = income + top_up - spending
    surplus, gap = np.maximum(diff, 0), np.maximum(-diff, 0)
    short = np.maximum(3 * monthly - pool, 0)  # three months' payments in reserve
    total_local = local.sum(axis=1)
    want = np.minimum(short, total_local)[:, None]
    # 职工归集上划额 = want × local_i / Σ local, half-up per region (a rule of its own, not a split)
    # want × local overflows int64 (10¹¹ × 10¹⁰ fen): divide by digits, then round half-up.
    t = np.maximum(total_local[:, None], 1)
    q, rem = muldiv(np.broadcast_to(want, local.shape), local, t)
    lifted = np.where(total_local[:, None] > 0, q + (2 * rem >= t), 0)
    to_pool = surplus - surplus // 2  # the 50/50 split: the odd fen goes to the first share
    back = surplus // 2
    usable = local - lifted
    pool_now = pool + lifted.sum(axis=1) + to_pool.sum(axis=1)
    # tier 1: own accumulated surplus, capped by what is usable
    t1 = np.minimum(gap, np.maximum(usable, 0))
    left = gap - t1
    # tier 2: 归集基金 50%, 缺口地财政 50%, all regions together capped at twice the pool
    cap = np.maximum(2 * pool_now, 0)[:, None]
    wanted = left.sum(axis=1, keepdims=True)
    over = wanted > cap
    if over.any():
        capped = shares(np.where(over, cap, 0), left, np.maximum(wanted, 1))
        part = np.where(over, capped, left)
    else:
        part = left
    tier = part.sum(axis=1, keepdims=True)
    pool_pays = tier - tier // 2  # 50/50 of the tier's total, the odd fen to the fund
    pool_rows = np.where(pool_pays > 0, shares(pool_pays, part, np.maximum(tier, 1)), 0)
    left = left - part
    # tier 3: 市财政 20%, 缺口地财政 80%, each region's own remainder
    # largest remainder between two shares 20/80: floor parts then the leftover fen by remainder
    f_city, f_local = (2 * left) // 10, (8 * left) // 10
    r_city, r_local = (2 * left) % 10, (8 * left) % 10
    extra = left - f_city - f_local
    city = f_city + ((extra > 0) & (r_city >= r_local))
    closing_pool = pool_now - pool_rows.sum(axis=1)
    closing_local = local - lifted + back - t1
    return closing_pool, closing_local, {"t1": t1, "pool": pool_rows, "city": city}
