"""Numbers in Chinese conventions: 5000万元, 1.5亿元, 48,570,267.13元, 2025年6月30日.

An amount is shown in the largest unit that still shows it exactly with at most
two decimals, so two different amounts never print the same.
"""

from __future__ import annotations

import datetime
import decimal
import functools
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import ParamSpec, TypeVar

# Amounts past 10²⁶ 元 need more than Decimal's default 28 digits (quantize raised
# InvalidOperation): the explainer's number formatting runs at 200, which holds anything a
# scenario or literal can produce, to the fen. The values themselves are the interpreter's, exact.
_P = ParamSpec("_P")
_R = TypeVar("_R")


def wide_decimal(f: Callable[_P, _R]) -> Callable[_P, _R]:
    @functools.wraps(f)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with decimal.localcontext(decimal.Context(prec=200, rounding=decimal.ROUND_HALF_EVEN)):
            return f(*args, **kwargs)

    return wrapper


_UNITS = ((Decimal(100_000_000), "亿元", "hundred million yuan"), (Decimal(10_000), "万元", "ten thousand yuan"))


def _plain(d: Decimal) -> str:
    return format(d.normalize(), "f")


@wide_decimal
def plain(x: Fraction | Decimal) -> str:
    """A number as written: 400万 stays 4000000, 0.5 stays 0.5 (exact, or 10 decimals)."""
    d = x if isinstance(x, Decimal) else Decimal(x.numerator) / Decimal(x.denominator)
    return _plain(d.quantize(Decimal("1e-10")) if d != d.normalize() and len(str(d)) > 20 else d)


@wide_decimal
def money(x: Fraction | Decimal, lang: str = "zh") -> str:
    d = x if isinstance(x, Decimal) else Decimal(x.numerator) / Decimal(x.denominator)
    d = d.quantize(Decimal("0.01"))
    if lang == "zh":
        for size, unit, _ in _UNITS:
            scaled = d / size
            if d and abs(d) >= size and scaled == scaled.quantize(Decimal("0.01")):
                return f"{_plain(scaled)}{unit}"
        return f"{d:,.2f}元" if d != d.to_integral_value() else f"{int(d):,}元"
    return f"¥{d:,.2f}" if d != d.to_integral_value() else f"¥{int(d):,}"


@wide_decimal
def percent(x: Fraction | Decimal) -> str:
    d = (x if isinstance(x, Decimal) else Decimal(x.numerator) / Decimal(x.denominator)) * 100
    return f"{_plain(d)}%"


def date(d: datetime.date, lang: str = "zh") -> str:
    # Built by hand: strftime's %-d (no leading zero) exists only on glibc and BSD.
    return f"{d.year}年{d.month}月{d.day}日" if lang == "zh" else f"{d.day} {d.strftime('%B')} {d.year}"


def date_lit(first: datetime.date, last: datetime.date, lang: str = "zh") -> str:
    """A date as precise as the policy wrote it: 2025年 stays a year, 2025年6月 a month,
    2025年6月底 becomes 2025年6月30日."""
    if first == datetime.date(last.year, 1, 1) and last == datetime.date(last.year, 12, 31):
        return f"{last.year}年" if lang == "zh" else str(last.year)
    if first.day == 1 and first.month == last.month and first != last:
        return f"{last.year}年{last.month}月" if lang == "zh" else last.strftime("%B ") + str(last.year)
    return date(last, lang)
