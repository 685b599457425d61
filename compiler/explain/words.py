"""How the 解读 writes: full-width punctuation, simplified characters, readable amounts,
and the nouns and verbs a bureau uses for who pays whom.

Everything here is presentation of values the interpreter computed; nothing is computed.
"""

from __future__ import annotations

import functools
import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from compiler.explain.numbers import wide_decimal
from compiler.ir import nodes as ir

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef"
_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s*([,:;?!])\s*|\s*([,:;?!])\s*(?=[{_CJK}])")
_BRACKETS = re.compile(rf"\(([^()]*[{_CJK}][^()]*)\)")
_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}


def typeset(text: str) -> str:
    """Chinese running text: ASCII punctuation next to a Chinese character becomes full-width,
    brackets around Chinese become （）. Digits keep theirs (1,000, 3.5)."""
    text = _BRACKETS.sub(r"（\1）", text)
    return _NEAR_CJK.sub(lambda m: _FULL[m.group(1) or m.group(2)], text)


@functools.lru_cache(maxsize=1)
def _converter() -> object | None:
    try:
        import opencc  # the `explain` extra; the core works without it
    except ImportError:
        return None
    return opencc.OpenCC("t2s")


def can_convert() -> bool:
    return _converter() is not None


def simplified(text: str) -> str | None:
    """The text in simplified characters, or None when no converter is installed."""
    conv = _converter()
    if conv is None:
        return None
    out = conv.convert(text)  # type: ignore[attr-defined]
    assert isinstance(out, str)
    return out


def is_simplified(text: str) -> bool:
    s = simplified(text)
    return s is None or s == text


# ---- amounts

_WAN, _YI = Decimal(10_000), Decimal(100_000_000)


def _dec(x: Fraction | Decimal) -> Decimal:
    return x if isinstance(x, Decimal) else Decimal(x.numerator) / Decimal(x.denominator)


def _trim(d: Decimal) -> str:
    s = format(d, "f")
    return s.rstrip("0").rstrip(".") if "." in s else s


def _two(d: Decimal) -> Decimal:
    return d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@wide_decimal
def money(x: Fraction | Decimal, lang: str = "zh") -> str:
    """亿元 or 万元 from 10万元 up, when that shows the amount exactly with at most two decimals;
    smaller amounts in 元 (to the fen); otherwise 万元 to two decimals, marked 约."""
    d = _dec(x)
    if lang != "zh":
        d2 = _two(d)
        return f"¥{d2:,.2f}" if d2 != d2.to_integral_value() else f"¥{int(d2):,}"
    sign = "−" if d < 0 else ""
    d = abs(d)
    for size, unit in ((_YI, "亿元"), (_WAN, "万元")):
        if d >= max(size, Decimal(100_000)) and d / size == _two(d / size):
            return f"{sign}{_trim(d / size)}{unit}"
    if d < Decimal(1_000_000):
        return f"{sign}{_trim(_two(d))}元"
    return f"约{sign}{_trim(_two(d / _WAN))}万元"


@wide_decimal
def percent(x: Fraction | Decimal) -> str:
    d = _dec(x) * 100
    shown = _two(d)
    return f"{_trim(shown)}%" if shown == d else f"约{_trim(shown)}%"


@wide_decimal
def months(x: Fraction | Decimal, lang: str = "zh") -> str:
    """A number of months of expenditure: 12个月, 3.5个月 (never 1200%)."""
    d = _dec(x)
    shown = _two(d)
    n = _trim(shown) if shown == d else f"约{_trim(shown)}" if lang == "zh" else f"about {_trim(shown)}"
    if lang != "zh":
        return f"{n} month" + ("" if d == 1 else "s")
    return f"{n}个月"


@wide_decimal
def count(x: Fraction | Decimal, lang: str = "zh") -> str:
    """Persons: 400万人; fewer than ten thousand as they are."""
    d = _dec(x)
    if lang != "zh":
        return f"{_trim(d)}"
    if d >= _WAN and d / _WAN == _two(d / _WAN):
        return f"{_trim(d / _WAN)}万人"
    return f"{_trim(_two(d))}人"


@wide_decimal
def plain(x: Fraction | Decimal) -> str:
    d = _dec(x)
    shown = d.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return _trim(shown) if shown == d else f"约{_trim(shown)}"


# ---- Chinese numerals for section headings

_DIGITS = "零一二三四五六七八九"


def numeral(n: int) -> str:
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")


# ---- who is who

_PERSONS = ("人员", "职工", "个人", "单位", "参保人", "居民")
_GOVERNMENT = ("财政", "政府")


def region_noun(policy: ir.Policy | None, zh: bool) -> str:
    """The regions as the text calls them: 市（州）, 区县（市）, 医共体 …"""
    if not zh:
        return "region"
    name = policy.header.region_set.text if policy and policy.header.region_set else ""
    for key, noun in (
        ("市州", "市（州）"),
        ("区县", "区县（市）"),
        ("县区", "县（市、区）"),
        ("改革县", "改革县（区、市）"),
        ("医共体", "医共体"),
        ("参保人员", "参保人员"),
    ):
        if key in name:
            return noun
    return "地区"


def is_person(name: str) -> bool:
    """Persons and employers pay contributions (缴纳); they never 上解."""
    return name.endswith(_PERSONS) or name in ("参保人员",)


def is_government(name: str) -> bool:
    return any(k in name for k in _GOVERNMENT)


def circled(n: int) -> str:
    return chr(0x2460 + n - 1) if 1 <= n <= 20 else f"({n})"
