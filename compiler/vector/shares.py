"""Exact remainder distribution over arrays: largest remainder and waterfall tiers.

`largest_remainder` splits whole fen in proportion to weights along the last
axis, for every leading index at once: floor of fen·wᵢ/Σw in integers, then the
leftover fen (fewer than the number of parts) to the largest remainders, ties to
the earlier part — a stable argsort of the negated remainders gives that order.
Mirrors compiler.interpreter.funds, which is the oracle.
"""

from __future__ import annotations

import math

import numpy as np

from compiler.vector import arith as A
from compiler.vector.arith import Arr, Ctx, Q, muldiv


def largest_remainder(ctx: Ctx, total: Arr, weights: Q) -> tuple[Arr, Arr]:
    """(parts, bad): `total` has shape (..., 1) in fen, `weights` (..., k).
    `bad` (..., 1) marks where the weights sum to zero or less, or one is negative."""
    shape = np.broadcast_shapes(np.shape(total), np.shape(weights.num))
    if np.size(weights.num) == shape[-1] and weights.num.dtype != object and weights.bad is None:
        fixed = _fixed_shares(ctx, total, [int(x) for x in np.ravel(weights.num)], shape)
        if fixed is not None:
            return fixed
    w, _den = A.common_den(ctx, weights, shape[-1])
    w = np.broadcast_to(w, shape)
    s = A.lastsum(w)
    bad = (s <= 0) | (A.lastsum(w < 0) > 0)
    if weights.bad is not None:
        bad = bad | np.broadcast_to(weights.bad, shape).any(axis=-1, keepdims=True)
    s = np.where(bad, 1, s)
    t = np.broadcast_to(total, shape[:-1] + (1,))
    obj = w.dtype == object or t.dtype == object
    big = int(np.abs(t).max(initial=0)) * max(weights.mag * shape[-1], 1) >= A.LIMIT
    if not obj and big and int(s.max(initial=0)) < 2**60:
        # t·w overflows int64 but the quotient and remainder do not: long division by digits.
        if bad.any():
            t, w = np.where(bad, 0, t), np.where(bad, 0, w)
        parts, rem = muldiv(t, w, s)
    else:
        if not obj and big:
            if ctx.strict:
                raise A.VectorOverflow(ctx.line, "a share of an amount")
            ctx.promoted += 1
            obj = True
        if obj:
            w, t, s = w.astype(object), t.astype(object), s.astype(object)
        exact = t * w
        parts = exact // s
        rem = exact - parts * s
    left = t - A.lastsum(parts)  # fewer than k fen
    if shape[-1] == 1:
        parts = parts + left
    elif shape[-1] == 2:  # a 50/50 or 20/80 split: one fen at most, to the larger remainder, ties first
        first = rem[..., :1] >= rem[..., 1:]
        parts = parts + (np.concatenate([first, ~first], axis=-1) & (left > 0))
    else:
        order = np.argsort(-rem, axis=-1, kind="stable")
        ranks = np.empty_like(order)
        np.put_along_axis(ranks, order, np.broadcast_to(np.arange(shape[-1]), shape), axis=-1)
        parts = parts + (ranks < left)
    if parts.dtype == object:
        parts = A.fen64(ctx, parts)
    return parts.astype(np.int64, copy=False), bad


def _fixed_shares(ctx: Ctx, total: Arr, ws: list[int], shape: tuple[int, ...]) -> tuple[Arr, Arr] | None:
    """The same weights everywhere (a split's 50%/50%, a tier's 20%/80%): one
    column per part, scalar multipliers, nothing broadcast over the parts axis."""
    s = sum(ws)
    t = np.broadcast_to(total, shape[:-1] + (1,))[..., 0]
    if s <= 0 or min(ws) < 0 or t.dtype == object:
        return None
    if len(ws) == 1:  # one payer takes it all
        return t[..., None], np.zeros(shape[:-1] + (1,), dtype=bool)
    m = _measure_t(t)
    if m * max(ws) >= A.LIMIT:
        return None
    if len(ws) == 2:
        # Two parts: the first's remainder r decides alone, as the second's is s − r (or 0):
        # the first takes the leftover fen when 2r ≥ s (ties to the first), the second the rest.
        # With t·w = q·s + r, q + [2r ≥ s] = ⌊(2·t·w + s) / 2s⌋: one division, by a constant.
        g = math.gcd(ws[0], s)
        w, s = ws[0] // g, s // g
        if m * 2 * w + s >= 2**63:
            return None
        out = np.empty(t.shape + (2,), dtype=np.int64)
        np.floor_divide(t * (2 * w) + s, 2 * s, out=out[..., 0])
        np.subtract(t, out[..., 0], out=out[..., 1])
        return out, np.zeros(shape[:-1] + (1,), dtype=bool)
    parts, rems = [], []
    for w in ws:
        p, r = np.divmod(t * w, s)
        parts.append(p)
        rems.append(r)
    left = t - sum(parts[1:], parts[0])  # fewer than k fen: to the largest remainders, ties first
    rem = np.stack(rems, axis=-1)
    order = np.argsort(-rem, axis=-1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.broadcast_to(np.arange(len(ws)), rem.shape), axis=-1)
    return np.stack(parts, axis=-1) + (ranks < left[..., None]), np.zeros(shape[:-1] + (1,), dtype=bool)


def _measure_t(t: Arr) -> int:
    return int(max(abs(int(t.max(initial=0))), abs(int(t.min(initial=0)))))


def tier_pieces(ctx: Ctx, need: Arr, ratios: Q, total_cap: Arr | None) -> tuple[Arr, Arr]:
    """What each payer of one tier pays in each region: (draws, regions, payers),
    and where the tier could not be shared (draws, 1). As in the interpreter:
    without a total cap each region splits its own need by the shares; with one,
    the tier pays min(Σ need, cap) shared pro rata to need, each payer pays its
    share of that, spread over regions in proportion to what is unpaid there."""
    n, r = need.shape
    k = np.shape(ratios.num)[-1]
    two = np.ndim(ratios.num) == 2  # global shares; else (draws, regions, k): each region's own
    ratios3 = Q(
        np.reshape(ratios.num, np.shape(ratios.num)[:-1] + (1, k)) if two else ratios.num,
        ratios.den
        if isinstance(ratios.den, int) or not two
        else np.reshape(ratios.den, np.shape(ratios.den)[:-1] + (1, -1)),
        ratios.mag,
        ratios.dmag,
        None,
    )
    bad_ratios = (
        np.zeros((n, 1), dtype=bool)
        if ratios.bad is None
        else np.broadcast_to(
            np.asarray(ratios.bad).reshape(np.shape(ratios.bad)[0], -1).any(axis=1, keepdims=True), (n, 1)
        )
    )
    if total_cap is None:
        rows, bad = largest_remainder(ctx, need[:, :, None], ratios3)
        bad = (bad[:, :, 0] & (need != 0)).any(axis=1, keepdims=True)
        return rows, bad | bad_ratios
    if _measure_t(need) * r >= 2**63 - 1 and A.measure(need.astype(object).sum(axis=1)) >= 2**63 - 1:
        raise A.VectorOverflow(ctx.line, "a tier's total need in fen")
    wanted = need.sum(axis=1, keepdims=True)
    over = wanted > total_cap
    if over.any():
        shared, bad_need = largest_remainder(ctx, np.where(over, total_cap, 0), A.of_ints(need))
        parts = np.where(over, shared, need)
        bad = over & bad_need
    else:  # the cap binds nowhere: each region's need as it is
        parts, bad = need, np.zeros_like(over)
    tier_total = parts.sum(axis=1, keepdims=True)
    payer_totals, bad_shares = largest_remainder(ctx, tier_total, ratios)
    bad = bad | ((tier_total != 0) & (bad_shares | bad_ratios))
    rows = np.zeros((n, r, k), dtype=np.int64)
    unpaid = parts
    for i in range(k):
        if i == k - 1:
            spread = unpaid
        else:
            got, _ = largest_remainder(ctx, payer_totals[:, i : i + 1], A.of_ints(unpaid))
            spread = np.where(payer_totals[:, i : i + 1] != 0, got, 0)
        rows[:, :, i] = spread
        unpaid = unpaid - spread
    return rows, bad


def by_region(q: Q) -> bool:
    """Whether a value read for each region differs between them (its last axis is the regions')."""
    shapes = [np.shape(q.num), np.shape(q.den), np.shape(q.bad) if q.bad is not None else ()]
    return any(len(s) == 2 and s[-1] > 1 for s in shapes)


def share_faults(ctx: Ctx, ratios: Q) -> tuple[Arr, Arr]:
    """(zero, off), (draws, 1) or (draws, regions): shares that add up to zero or less (or
    one is negative), and shares that do not add up to exactly 100% (runtime.shares_fault)."""
    num, den = A.common_den(ctx, ratios, np.shape(ratios.num)[-1])
    s = A.lastsum(num)
    zero = np.asarray((s <= 0) | (A.lastsum(num < 0) > 0), dtype=bool)
    off = np.asarray(~zero & np.asarray(s != den, dtype=bool), dtype=bool)
    if zero.ndim == 3:
        return zero[..., 0], off[..., 0]
    return zero, off


def stack(ctx: Ctx, qs: list[Q], size: int, width: int = 1) -> Q:
    """Values side by side on a new last axis, one den: k global values → (draws, k); with
    `width` regions, values read for each region → (draws, regions, k)."""
    if width > 1:
        return _by_region_stack(stack(ctx, [_flat(ctx, q, size, width) for q in qs], size * width), size, width)
    qs = [A.eager(ctx, q) for q in qs]
    if all(isinstance(q.den, int) for q in qs):
        den: A.Den = math.lcm(*(int(q.den) for q in qs))
        scale = [int(den) // int(q.den) for q in qs]
    else:
        den, scale = np.asarray(1), []  # the product of all dens; each num times the others'
    mag = max(q.mag * (den // int(q.den) if isinstance(den, int) else _prod_others(qs, q)) for q in qs)
    dmag = den if isinstance(den, int) else math.prod(q.dmag for q in qs)
    obj = max(mag, dmag) >= A.LIMIT
    if not isinstance(den, int):
        for q in qs:
            den = den * (A.pyints(q.den) if obj else q.den)
    if obj and ctx.strict:
        raise A.VectorOverflow(ctx.line, "shares over different denominators")
    nums: list[Arr] = []
    bad: Arr | None = None
    why: A.Why | None = None
    # Constants stay one row (1, k): shares then need no pass over the draws.
    varies = any(np.size(q.num) > 1 or q.bad is not None or not isinstance(q.den, int) for q in qs)
    rows = (size, 1) if varies else (1, 1)
    for i, q in enumerate(qs):
        n = A.pyints(q.num) if obj else q.num
        if scale:
            n = n * scale[i] if scale[i] != 1 else n
        else:
            for other in qs:
                if other is not q:
                    n = n * (A.pyints(other.den) if obj else other.den)
        nums.append(np.broadcast_to(n, rows))
        if q.bad is not None:
            b = np.broadcast_to(q.bad, (size, 1))
            bad, why = (b, q.why) if bad is None else (bad | b, why)
    if not isinstance(den, int):
        den = np.broadcast_to(A.pyints(den) if obj else den, (size, 1))
    return Q(np.concatenate(nums, axis=-1), den, mag, dmag, bad, why)


def _prod_others(qs: list[Q], q: Q) -> int:
    return math.prod(o.dmag for o in qs if o is not q)


def _flat(ctx: Ctx, q: Q, size: int, width: int) -> Q:
    """A value read for each region, (draws, regions), as one column of draws × regions."""
    q = A.eager(ctx, q)

    def flat(a: Arr) -> Arr:
        return np.reshape(np.broadcast_to(a, (size, width)), (size * width, 1))

    den = q.den if isinstance(q.den, int) else flat(q.den)
    return Q(flat(q.num), den, q.mag, q.dmag, None if q.bad is None else flat(q.bad), q.why)


def _by_region_stack(flat: Q, size: int, width: int) -> Q:
    """(draws × regions, k) back to (draws, regions, k); the den and the poison alike."""
    k = np.shape(flat.num)[-1]
    num = np.reshape(np.broadcast_to(flat.num, (size * width, k)), (size, width, k))
    den: A.Den = flat.den
    if not isinstance(den, int):
        den = np.reshape(np.broadcast_to(den, (size * width, 1)), (size, width, 1))
    bad = None if flat.bad is None else np.reshape(np.broadcast_to(flat.bad, (size * width, 1)), (size, width))
    return Q(num, den, flat.mag, flat.dmag, bad, flat.why)
