"""Transfers over whole batches: a Flow is one (source, dest) pair of one rule, its amount
in every draw; an EntityFlow is a per-entity rule's transfers, all of them at once.

A per-entity rule moves money between each entity's own account (参保人员(张三)) and an
account of the entity's region (the fund, or its per-region account). Materialising one
Flow per person would cost a Python object per person: an EntityFlow keeps the amounts as
one array (draws, entities) and the region of each entity, totals them per region on
demand (exactly, compiler/vector/entities.group_sum), and lists them one by one only when
asked (`expand`, for a draw's ledger on small batches).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs
import numpy as np

from compiler.runtime import entity_account
from compiler.vector import arith as A
from compiler.vector.arith import Arr
from compiler.vector.entities import group_sum


@attrs.frozen
class Flow:
    source: str
    dest: str
    rule: str
    line: int
    amount: Arr  # int64 fen, one per draw
    mag: int  # ≥ max |amount|: measured once per rule, so sums are checked without a pass each


@attrs.frozen(eq=False)
class EntityFlow:
    rule: str
    line: int
    kind: str
    paying: bool  # the entities pay (自 各参保人员), or they are paid (至 各定点医疗机构)
    other: tuple[str, ...]  # the account on the other side, for an entity of each region
    amount: Arr  # int64 fen, (draws, entities)
    mag: int  # ≥ max |amount|
    region: Arr  # int64 (entities,): each entity's region, a position in `other`
    totals: dict[str, Arr] = attrs.field(factory=dict)  # memo: "region" → (draws, regions)

    def by_region(self) -> Arr:
        """The transfers totalled per region of the entities: int64 fen (draws, regions)."""
        if "region" not in self.totals:
            n = self.amount.shape[1]
            x = self.amount if self.mag * max(n, 1) < A.LIMIT else self.amount.astype(object)
            self.totals["region"] = group_sum(x, self.region, len(self.other))
        return self.totals["region"]

    def terms(self, into: str | None = None, out_of: str | None = None) -> list[tuple[int, Arr, int]]:
        """What this rule moves into, or out of, one (non-entity) account: (1, fen (draws,), bound)."""
        if (into is not None and self.paying and into in self.other) or (
            out_of is not None and not self.paying and out_of in self.other
        ):
            name = into if into is not None else out_of
            cols = [j for j, a in enumerate(self.other) if a == name]
            total = self.by_region()[:, cols].sum(axis=1)
            return [(1, np.asarray(total), A.measure(total))]
        return []

    def expand(self, ids: Sequence[str]) -> list[Flow]:
        """One Flow per entity, in the order listed (the scalar engines' ledger order)."""
        out = []
        for j, i in enumerate(ids):
            mine, theirs = entity_account(self.kind, i), self.other[int(self.region[j])]
            src, dst = (mine, theirs) if self.paying else (theirs, mine)
            out.append(Flow(src, dst, self.rule, self.line, self.amount[:, j], self.mag))
        return out


AnyFlow = Flow | EntityFlow


def account_terms(
    flows: Iterable[AnyFlow], into: str | None = None, out_of: str | None = None, sign: int = 1
) -> list[tuple[int, Arr, int]]:
    """Signed fen terms of what `flows` move into one account (or out of it)."""
    out: list[tuple[int, Arr, int]] = []
    for f in flows:
        if isinstance(f, EntityFlow):
            out += [(sign * s, a, m) for s, a, m in f.terms(into, out_of)]
        elif (into is not None and f.dest == into) or (out_of is not None and f.source == out_of):
            out.append((sign, f.amount, f.mag))
    return out
