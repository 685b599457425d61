"""Numbers as drafters read them: 元 with thousands separators, ratios as percentages."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from compiler.ir.types import Base, Type


def to_decimal(x: Fraction, places: int | None = None) -> Decimal:
    """Exact when the fraction terminates; otherwise rounded half-up to `places` (default 10)."""
    d = Decimal(x.numerator) / Decimal(x.denominator)
    q = Decimal(1).scaleb(-(places if places is not None else 10))
    if places is None and Decimal(x.numerator) == d * x.denominator:
        return d.normalize()
    return d.quantize(q, rounding=ROUND_HALF_UP)


def show_value(v: object, t: Type | None) -> str:
    if isinstance(v, bool):
        return "是" if v else "否"
    if not isinstance(v, Fraction):
        return str(v)
    if t is not None and t.base is Base.MONEY:
        return f"{to_decimal(v, 2):,}元"
    if t is not None and t.base is Base.RATIO:
        return f"{to_decimal(v * 100).normalize():f}%"
    return f"{to_decimal(v).normalize():f}"
