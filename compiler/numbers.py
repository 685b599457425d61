"""Numbers as drafters read them: 元 with thousands separators, ratios as percentages, 个月."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from compiler.ir.types import Base, Type
from compiler.runtime import to_decimal

__all__ = ["derived", "derived_text", "show_value", "to_decimal"]


def derived(v: Fraction) -> Decimal:
    """A number a policy derived (a ratio, a count, any value that is not money to the fen) as
    every output gives it — pool run --json, pool serve, the Python API, pool test: exact when
    its decimal terminates (1/2²⁰ has 20 places), else rounded half-up to 10 places; without
    trailing zeros, and never with a positive exponent (100, not 1E+2). Built from digits, not
    through a Decimal context, so no value is cut to 28 digits."""
    sign, digits, exponent = to_decimal(v).as_tuple()
    assert isinstance(exponent, int), "finite values only"
    kept = list(digits)
    while exponent < 0 and kept and kept[-1] == 0:
        kept.pop()
        exponent += 1
    if not any(kept):
        return Decimal(0)
    if exponent > 0:
        kept += [0] * exponent
        exponent = 0
    return Decimal((sign, tuple(kept), exponent))


def derived_text(v: Fraction) -> str:
    """The text of a derived number (see `derived`): the same bytes wherever it is printed."""
    return format(derived(v), "f")


def show_value(v: object, t: Type | None, lang: str = "zh") -> str:
    if isinstance(v, bool):
        return "是" if v else "否"
    if not isinstance(v, Fraction):
        return str(v)
    if t is not None and t.base is Base.MONEY:
        return f"{to_decimal(v, 2):,}元"
    if t is not None and t.base is Base.RATIO:
        return f"{derived_text(v * 100)}%"
    if t is not None and t.base is Base.MONTHS:  # 12 months, never 1200%
        n = derived_text(v)
        return f"{n}个月" if lang == "zh" else f"{n} month" + ("" if v == 1 else "s")
    return derived_text(v)
