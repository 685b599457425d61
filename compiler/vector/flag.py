"""What a vectorized value is: exact numbers (arith.Q) or a boolean/member array (Flag).

Enumeration members are small integer codes (`member_codes`), not strings: a column of ten million
members is then 10 MB, not 240, and compares as integers. Members compare by name, as the scalar
engines' do, so one name is one code whichever enumeration lists it; -1 is no member.
"""

from __future__ import annotations

from typing import Any, Union

import attrs
import numpy as np

from compiler.ir.checked import CheckedPolicy
from compiler.vector.arith import Arr, Q, Why


@attrs.frozen
class Flag:
    """A boolean or enumeration-member array, possibly poisoned."""

    data: Arr
    bad: Arr | None = None
    why: Why | None = None


V = Union[Q, Flag]


def member_codes(checked: CheckedPolicy) -> dict[str, int]:
    """Each member's code: its name's position among every enumeration's members, first seen."""
    codes: dict[str, int] = {}
    for e in checked.scope.enums.values():
        for m in e.members:
            codes.setdefault(m.text, len(codes))
    return codes


def code_dtype(codes: dict[str, int]) -> Any:
    return np.int8 if len(codes) < 2**7 else np.int16 if len(codes) < 2**15 else np.int32


def coded(codes: dict[str, int], v: Any) -> Arr:
    """Members given by name (a str array or a str) as codes; an array of codes as it is."""
    a = np.asarray(v)
    if a.dtype.kind not in "UO":
        return a
    words, at = np.unique(a.astype(str), return_inverse=True)
    table = np.array([codes.get(str(w), -1) for w in words] or [-1], dtype=code_dtype(codes))
    out: Arr = table[at].reshape(a.shape)
    return out
