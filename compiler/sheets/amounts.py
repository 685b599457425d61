"""Numbers as people type them in spreadsheets and scenario files, made plain.

`48.2亿元`, `4,820,000,000.00`, `¥1,234.50`, `386万` (人) are what an analyst's sheet
holds; the scenario reader takes plain decimal text. The conversion is exact (Decimal
times a power of ten) and only done when the unit fits the value's type: 万元 in a
ratio column is left as it is, so the reader reports it as not a number.
"""

from __future__ import annotations

import re
from decimal import Decimal

from compiler.ir.types import Base

# 亿 and 万 as the language reads them in literals (compiler/parsing/lower_expr.py).
SHIFT = {"亿": 8, "万": 4}
# Digits with correct thousands grouping (a misplaced comma, as in 1,23, is not a number),
# or without grouping; an optional fraction and exponent.
NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][+-]?\d+)?"
_AMOUNT = re.compile(rf"[¥￥]?\s*(?P<n>{NUMBER})\s*(?P<scale>[万亿]?)(?P<unit>元|人)?")
_UNIT_OF = {"元": Base.MONEY, "人": Base.COUNT}


def plain_number(text: str, base: Base) -> str:
    """`text` as plain decimal digits when it is an amount written with separators or a unit
    that fits `base`; otherwise `text` unchanged, for the reader to judge (and name) as it is."""
    m = _AMOUNT.fullmatch(text.strip())
    if m is None:
        return text
    unit = m["unit"]
    if (unit is not None and _UNIT_OF[unit] is not base) or (text.lstrip()[:1] in "¥￥" and base is not Base.MONEY):
        return text
    if m["scale"] and base not in (Base.MONEY, Base.COUNT, Base.NUMBER):
        return text
    digits = m["n"].replace(",", "")
    if not m["scale"]:
        return digits
    # Shift the exponent rather than multiply: exact at any number of digits (a product
    # would be rounded to the context's 28), and the reader then judges the range.
    sign, coefficient, exponent = Decimal(digits).as_tuple()
    assert isinstance(exponent, int)  # the pattern admits no NaN or infinity
    return format(Decimal((sign, coefficient, exponent + SHIFT[m["scale"]])), "f")
