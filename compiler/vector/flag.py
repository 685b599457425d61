"""What a vectorized value is: exact numbers (arith.Q) or a boolean/member array (Flag)."""

from __future__ import annotations

from typing import Union

import attrs

from compiler.vector.arith import Arr, Q, Why


@attrs.frozen
class Flag:
    """A boolean or enumeration-member array, possibly poisoned."""

    data: Arr
    bad: Arr | None = None
    why: Why | None = None


V = Union[Q, Flag]
