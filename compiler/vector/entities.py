"""Entities below regions over whole batches: persons, employers, institutions.

A value per entity of a kind is an array (draws, n) with the entities in the order
runtime.Entities lists them (the same entities in every draw). A region's value read
for each entity, or an employer's for each person, is taken along the last axis by an
int index array per (kind, dimension); an entity whose link is empty (a person with no
employer) is poisoned there with the interpreter's error "no-link", so a draw fails
only where such a value reaches a transfer. 合计/计数/平均 over entities add exact
integer numerators per group (np.add.at, never float): by region, by a linked kind
(entities with an empty link belong to no group), or over all; `当` is a boolean mask.

Mirrors compiler/interpreter/values.py (Values.lift, Values.over_entities).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

import attrs
import numpy as np

from compiler.ir import nodes as ir
from compiler.runtime import REGION, Entities
from compiler.vector import arith as A
from compiler.vector.arith import Arr, Ctx, Q, why
from compiler.vector.flag import Flag, V


class Reads(Protocol):
    """What an aggregate reads of the vectorized values (compiler/vector/values.Values)."""

    layout: Layout
    ctx: Ctx
    size: int

    def within(self, kind: str) -> AbstractContextManager[None]: ...

    def flag(self, e: ir.Expr) -> Flag: ...

    def expr(self, e: ir.Expr) -> V: ...


@attrs.frozen
class Columns:
    """Entities as arrays (what a columnar reader builds for millions of them): per kind its
    ids (any sequence: a list, or a view over a file's column), the position of each one's
    region among `regions`, and per kind it is linked to directly (隶属) the position of the
    linked entity among that kind's ids, -1 where the link is empty."""

    regions: tuple[str, ...]
    ids: Mapping[str, Sequence[str]]
    region: Mapping[str, Arr]  # kind → int64 (n,)
    links: Mapping[str, Mapping[str, Arr]]  # kind → linked kind → int64 (n,), -1: none
    kinds: Mapping[str, tuple[str, ...]]  # kind → the kinds it is linked to directly


def columns_of(entities: Entities, regions: list[str]) -> Columns:
    """runtime.Entities (a scenario's records) as arrays, checking each entity is in a region
    of the batch and each link names an entity listed."""
    where = {r: j for j, r in enumerate(regions)}
    ids = {k: list(v) for k, v in entities.ids.items()}
    pos = {k: {i: j for j, i in enumerate(v)} for k, v in ids.items()}
    region: dict[str, Arr] = {}
    links: dict[str, dict[str, Arr]] = {}
    for kind, members in ids.items():
        for i in members:
            if entities.regions[kind][i] not in where:
                raise ValueError(f"{kind} ‘{i}’ is in region ‘{entities.regions[kind][i]}’, not one of the batch's")
        region[kind] = np.array([where[entities.regions[kind][i]] for i in members], dtype=np.int64)
        links[kind] = {}
        for to in entities.kinds.get(kind, ()):
            got = []
            for i in members:
                linked = entities.links[kind][i].get(to)
                if linked is not None and linked not in pos.get(to, {}):
                    raise ValueError(f"{kind} ‘{i}’ is linked to ‘{linked}’, not one of the batch's {to}")
                got.append(-1 if linked is None else pos[to][linked])
            links[kind][to] = np.array(got, dtype=np.int64).reshape(len(members))
    return Columns(tuple(regions), ids, region, links, dict(entities.kinds))


class Layout:
    """The entities of a batch as index arrays, built once and shared by every draw."""

    def __init__(self, entities: Entities | Columns, regions: list[str]) -> None:
        cols = entities if isinstance(entities, Columns) else columns_of(entities, regions)
        if list(cols.regions) != list(regions):
            raise ValueError("the entities' regions are not the batch's")
        self.cols = cols
        self.regions = regions
        self.ids = cols.ids
        self.indexes: dict[tuple[str, str], tuple[Arr, Arr]] = {}

    def width(self, dim: str | None) -> int:
        """How many values a dimension has: one, one per region, one per entity of a kind."""
        if dim is None:
            return 1
        if dim == REGION:
            return len(self.regions)
        return len(self.ids.get(dim, ()))

    def region_index(self, kind: str) -> Arr:
        """For each entity of `kind`, the position of its region."""
        return self.cols.region.get(kind, np.zeros(0, dtype=np.int64))

    def link(self, kind: str, to: str) -> Arr | None:
        """For each entity of `kind`, the position of the entity of kind `to` it is linked to,
        directly or through others (-1: none on the way); None where `kind` never reaches `to`."""
        if to == kind:
            return np.arange(self.width(kind), dtype=np.int64)
        for via in self.cols.kinds.get(kind, ()):
            direct = self.cols.links[kind][via]
            if via == to:
                return direct
            onward = self.link(via, to)
            if onward is not None:
                return np.where(direct < 0, -1, onward[np.maximum(direct, 0)]) if len(onward) else direct * 0 - 1
        return None

    def index(self, kind: str, to: str) -> tuple[Arr, Arr]:
        """For each entity of `kind`: its position among the regions or the entities of kind
        `to` it is linked to (-1 where it has none), and where it has none."""
        key = (kind, to)
        if key not in self.indexes:
            n = self.width(kind)
            got = self.region_index(kind) if to == REGION else self.link(kind, to)
            idx = np.full(n, -1, dtype=np.int64) if got is None else np.asarray(got, dtype=np.int64).reshape(n)
            self.indexes[key] = (idx, idx < 0)
        return self.indexes[key]

    def lift(self, v: V, frm: str | None, to: str | None, size: int) -> V:
        """A value of dimension `frm` read for each entity of kind `to` (runtime.Entities.lift):
        its region's value, or its linked entity's; anything else reads as it is."""
        if to is None or to == REGION or frm is None or frm == to:
            return v
        idx, missing = self.index(to, frm)
        safe = np.where(missing, 0, idx)

        def take(a: Arr) -> Arr:
            if np.ndim(a) == 0 or np.shape(a)[-1] == 1:
                return a  # the same for every entity: broadcast
            return np.take(a, safe, axis=-1)

        def maybe(a: Arr | None) -> Arr | None:
            return None if a is None else take(a)

        bad, reason = maybe(v.bad), v.why
        if bad is not None and not bad.any():
            bad, reason = None, None  # the poisoned ones are read by no entity
        if missing.any():
            # Read before the value is: an empty link is the error, as the interpreter raises it.
            first = self.ids[to][int(np.flatnonzero(missing)[0])]  # one id, never the whole list
            no_link = np.broadcast_to(missing, (size, len(safe)))
            bad = no_link if bad is None else (bad | no_link)
            reason = why("no-link", kind=to, id=first, to=frm)
        if isinstance(v, Q):
            den = v.den if isinstance(v.den, int) else take(v.den)
            return Q(take(v.num), den, v.mag, v.dmag, bad, reason, maybe(v.fac))
        return attrs.evolve(v, data=take(v.data), bad=bad, why=reason)


CHUNK = 21  # bits: a part below 2**21, summed over fewer than 2**32 entities, stays below 2**53


def group_sum(x: Arr, idx: Arr, groups: int) -> Arr:
    """Σ over the last axis into `groups` columns, entity j into column idx[j] (none where
    idx[j] < 0): exact in the array's own dtype (int64, or Python ints).

    int64 is summed with np.bincount, never np.add.at (one pass each, no sort): its float64
    weights are exact because each number is cut into three parts of 21 bits (the top one
    signed) and a part's sum over fewer than 2**32 entities stays below 2**53; the parts are
    put back together in int64, which wraps modulo 2**64, so the total is exact whenever it
    fits int64, which the callers' bounds guarantee (else they pass Python ints)."""
    draws, n = x.shape
    keep = idx >= 0
    every = bool(keep.all())
    if x.dtype == object or n >= 2**32:
        out = np.zeros((groups, draws), dtype=x.dtype)
        if keep.any():
            np.add.at(out, idx[keep], np.ascontiguousarray(x.T[keep]))
        return out.T
    at = idx if every else idx[keep]
    kept = x if every else x[:, keep]
    flat = (at[None, :] + groups * np.arange(draws, dtype=np.int64)[:, None]).ravel() if draws > 1 else at
    length = draws * groups
    v = np.ascontiguousarray(kept, dtype=np.int64).ravel()
    total = np.zeros(length, dtype=np.int64)
    mask = (1 << CHUNK) - 1
    lo, hi = int(v.min(initial=0)), int(v.max(initial=0))
    parts = [(v & mask, 0)]
    if lo < 0 or hi > mask:
        parts += [((v >> CHUNK) & mask, CHUNK), (v >> (2 * CHUNK), 2 * CHUNK)]
    for part, shift in parts:
        s = np.bincount(flat, weights=part.astype(np.float64), minlength=length).astype(np.int64)
        total += s * np.int64(1 << shift)  # wraps modulo 2**64: exact where the true sum fits
    return total.reshape(draws, groups)


def aggregate(values: Reads, e: ir.Call, fn: str, kind: str) -> V:
    """合计/平均/计数 over the entities of `kind`, one value per group of the call's 按
    (a region, a linked entity, or all of them): (draws, groups)."""
    layout, ctx, size = values.layout, values.ctx, values.size
    group = e.group.text if e.group is not None else None
    n = layout.width(kind)
    if group is None:
        idx, groups = np.zeros(n, dtype=np.int64), 1
    else:
        idx = layout.index(kind, group)[0]  # -1: no such link, in no group
        groups = layout.width(group)
    with values.within(kind):
        where = values.flag(e.where) if e.where is not None else None
        arg = values.expr(e.args[0])
    shape = (size, n)
    inside = np.ones(shape, dtype=bool) if where is None else np.broadcast_to(where.data, shape)
    bad_any = np.zeros(shape, dtype=bool)
    reason = None
    if where is not None and where.bad is not None:
        bad_any = bad_any | np.broadcast_to(where.bad, shape)
        reason = where.why
    if arg.bad is not None:
        bad_any = bad_any | (inside & np.broadcast_to(arg.bad, shape))
        reason = reason or arg.why
    bad = group_sum(bad_any.astype(np.int64), idx, groups) > 0 if reason is not None else None
    count = group_sum(inside.astype(np.int64), idx, groups)
    if fn == "count":
        assert not isinstance(arg, Q)
        hits = group_sum((inside & np.broadcast_to(arg.data, shape)).astype(np.int64), idx, groups)
        return Q(hits, 1, n, 1, bad, reason)
    assert isinstance(arg, Q)
    total = _sum(ctx, arg, inside, idx, groups, shape)
    total = A.with_poison(total, bad, reason)
    if fn == "sum":
        return total
    assert fn == "mean"
    ctx.line = e.span.line
    return A.div(ctx, total, Q(count, 1, n, 1), why("no-entities", e.span.line, kind=kind))


def _sum(ctx: Ctx, x: Q, inside: Arr, idx: Arr, groups: int, shape: tuple[int, int]) -> Q:
    """Exact group sums of the numerators over one denominator per draw."""
    x = A.eager(ctx, x)
    num = np.where(inside, np.broadcast_to(x.num, shape), 0)
    members = max(int(np.bincount(idx[idx >= 0], minlength=groups).max(initial=0)), 1)
    if isinstance(x.den, int) or np.shape(x.den)[-1:] in ((), (1,)):
        if x.mag * members >= A.LIMIT and num.dtype != object:
            if ctx.strict:
                raise A.VectorOverflow(ctx.line, "a sum over entities")
            ctx.promoted += 1
            num = num.astype(object)
        return Q(group_sum(num, idx, groups), x.den, x.mag * members, x.dmag)
    # Denominators that differ from entity to entity: over their least common multiple, in Python ints.
    if ctx.strict:
        raise A.VectorOverflow(ctx.line, "a sum over entities with different denominators")
    ctx.promoted += 1
    dens = np.broadcast_to(x.den, shape).astype(object)
    common = np.array([[math.lcm(*(int(d) for d in row))] for row in dens], dtype=object)
    total = group_sum(num.astype(object) * (common // dens), idx, groups)
    mag, dmag = A.measure(total), int(max(common.ravel(), default=1))
    if max(mag, dmag) < A.LIMIT:
        return Q(total.astype(np.int64), common.astype(np.int64), mag, dmag)
    return Q(total, common, mag, dmag)
