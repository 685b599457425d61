"""A Dask worker's result as sent back to the client (compiler/scale_dask.py): every per-entity
amount exactly, in fewer bytes. An int64 array is sent as int32 (or int16) where its range proves
that it fits, and as its nonzero entries with their positions where most entries are zero (a
补缴 rule pays a few persons a month). The client widens each back to the same int64 array.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np

from compiler.vector import BatchResult, EntityFlow
from compiler.vector.arith import Arr

SMALL = 1 << 12  # entries: smaller arrays are sent as they are


@attrs.frozen(eq=False)
class Wire:
    shape: tuple[int, ...]
    at: Arr | None  # flat positions of the nonzero entries; None: every entry, in order
    data: Arr

    @staticmethod
    def of(a: Arr) -> Wire | Arr:
        if a.dtype != np.int64 or a.size < SMALL:
            return a
        flat = a.ravel()
        nonzero = np.flatnonzero(flat)
        at: Arr | None = None
        if len(nonzero) * 3 < flat.size:
            at, flat = nonzero.astype(np.int32 if flat.size < 2**31 else np.int64), flat[nonzero]
        low, high = (int(flat.min()), int(flat.max())) if flat.size else (0, 0)
        for narrow in (np.int16, np.int32):
            info = np.iinfo(narrow)
            if info.min <= low and high <= info.max:
                return Wire(a.shape, at, flat.astype(narrow))
        return Wire(a.shape, at, flat)

    def array(self) -> Arr:
        if self.at is None:
            return self.data.astype(np.int64).reshape(self.shape)
        out = np.zeros(math.prod(self.shape), dtype=np.int64)
        out[self.at] = self.data
        return out.reshape(self.shape)


@attrs.frozen
class Sent:
    """A BatchResult without its arrays of amounts (`out`), and those arrays on the wire."""

    out: BatchResult
    values: dict[str, Wire | Arr]
    amounts: list[Wire | Arr | None]  # each flow's, None for a flow not per entity


def sent(out: BatchResult) -> Sent:
    """A worker's result for the wire: a rule's value and its transfers' amounts, one array in
    the result, are sent once."""
    memo: dict[int, Wire | Arr] = {}

    def pack(a: Arr) -> Wire | Arr:
        if id(a) not in memo:
            memo[id(a)] = Wire.of(a)
        return memo[id(a)]

    values = {k: pack(v) for k, v in out.values.items()}
    amounts = [pack(f.amount) if isinstance(f, EntityFlow) else None for f in out.flows]
    empty = np.zeros((0, 0), dtype=np.int64)
    flows = [attrs.evolve(f, amount=empty) if isinstance(f, EntityFlow) else f for f in out.flows]
    return Sent(attrs.evolve(out, values={}, flows=flows), values, amounts)


def received(got: Sent) -> BatchResult:
    """The worker's BatchResult again, every amount the int64 it was."""
    memo: dict[int, Arr] = {}

    def unpack(w: Wire | Arr) -> Arr:
        if id(w) not in memo:
            memo[id(w)] = w.array() if isinstance(w, Wire) else w
        return memo[id(w)]

    values = {k: unpack(v) for k, v in got.values.items()}
    flows: list[Any] = []
    for f, a in zip(got.out.flows, got.amounts):
        flows.append(attrs.evolve(f, amount=unpack(a)) if isinstance(f, EntityFlow) and a is not None else f)
    return attrs.evolve(got.out, values=values, flows=flows)
