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


class Layout:
    """The entities of a batch as index arrays, built once and shared by every draw."""

    def __init__(self, entities: Entities, regions: list[str]) -> None:
        self.entities = entities
        self.regions = regions
        self.ids = {k: list(v) for k, v in entities.ids.items()}
        self.pos = {k: {i: j for j, i in enumerate(ids)} for k, ids in self.ids.items()}
        self.indexes: dict[tuple[str, str], tuple[Arr, Arr]] = {}
        where = {r: j for j, r in enumerate(regions)}
        for kind, ids in self.ids.items():
            for i in ids:
                if entities.regions[kind][i] not in where:
                    raise ValueError(f"{kind} ‘{i}’ is in region ‘{entities.regions[kind][i]}’, not one of the batch's")

    def width(self, dim: str | None) -> int:
        """How many values a dimension has: one, one per region, one per entity of a kind."""
        if dim is None:
            return 1
        if dim == REGION:
            return len(self.regions)
        return len(self.ids.get(dim, []))

    def region_of(self, kind: str, id_: str) -> str:
        return self.entities.regions[kind][id_]

    def index(self, kind: str, to: str) -> tuple[Arr, Arr]:
        """For each entity of `kind`: its position among the regions or the entities of kind
        `to` it is linked to (0 where it has none), and where it has none."""
        key = (kind, to)
        if key not in self.indexes:
            ids = self.ids.get(kind, [])
            if to == REGION:
                where = {r: j for j, r in enumerate(self.regions)}
                got: list[int] = [where[self.entities.regions[kind][i]] for i in ids]
            else:
                got = []
                for i in ids:
                    linked = self.entities.linked(kind, i, to)
                    if linked is not None and linked not in self.pos.get(to, {}):
                        raise ValueError(f"{kind} ‘{i}’ is linked to ‘{linked}’, not one of the batch's {to}")
                    got.append(-1 if linked is None else self.pos[to][linked])
            idx = np.asarray(got, dtype=np.int64).reshape(len(ids))
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
            first = self.ids[to][int(np.flatnonzero(missing)[0])]
            no_link = np.broadcast_to(missing, (size, len(safe)))
            bad = no_link if bad is None else (bad | no_link)
            reason = why("no-link", kind=to, id=first, to=frm)
        if isinstance(v, Q):
            den = v.den if isinstance(v.den, int) else take(v.den)
            return Q(take(v.num), den, v.mag, v.dmag, bad, reason, maybe(v.fac))
        return attrs.evolve(v, data=take(v.data), bad=bad, why=reason)


def group_sum(x: Arr, idx: Arr, groups: int) -> Arr:
    """Σ over the last axis into `groups` columns, entity j into column idx[j] (none where
    idx[j] < 0): exact in the array's own dtype (int64, or Python ints)."""
    size = x.shape[0]
    out = np.zeros((groups, size), dtype=x.dtype)
    keep = idx >= 0
    if keep.any():
        np.add.at(out, idx[keep], np.ascontiguousarray(x.T[keep]))
    return out.T


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
