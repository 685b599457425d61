"""Numbers as drafters read them: 元 with thousands separators, ratios as percentages, 个月."""

from __future__ import annotations

from fractions import Fraction

from compiler.ir.types import Base, Type
from compiler.runtime import to_decimal

__all__ = ["show_value", "to_decimal"]


def show_value(v: object, t: Type | None, lang: str = "zh") -> str:
    if isinstance(v, bool):
        return "是" if v else "否"
    if not isinstance(v, Fraction):
        return str(v)
    if t is not None and t.base is Base.MONEY:
        return f"{to_decimal(v, 2):,}元"
    if t is not None and t.base is Base.RATIO:
        return f"{to_decimal(v * 100).normalize():f}%"
    if t is not None and t.base is Base.MONTHS:  # 12 months, never 1200%
        n = f"{to_decimal(v).normalize():f}"
        return f"{n}个月" if lang == "zh" else f"{n} month" + ("" if v == 1 else "s")
    return f"{to_decimal(v).normalize():f}"
