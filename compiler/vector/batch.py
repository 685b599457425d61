"""What the vectorized backend is given: a batch of draws (compiler/vector/__init__.py
says how each kind of value is laid out). Its own module so that both the backend and
compiler/vector/stack.py, which builds batches from scenario files, import it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from compiler.runtime import NO_ENTITIES, Entities
from compiler.vector.arith import Arr
from compiler.vector.entities import Columns


@attrs.frozen
class Scaled:
    """Numbers as integers over one denominator: value = num / den (den 100 for 元, 10000 for basis points)."""

    num: Arr
    den: int


@attrs.frozen
class Batch:
    regions: tuple[str, ...]
    size: int  # draws
    params: Mapping[str, Any] = attrs.field(factory=dict)
    inputs: Mapping[str, Any] = attrs.field(factory=dict)
    opening: Mapping[str, Any] = attrs.field(factory=dict)  # ledger account → fen, (draws,) or a scalar in 元
    entities: Entities | Columns = NO_ENTITIES  # persons, employers, institutions: the same in every draw
