"""The names time within a period adds to a program (compiler/months.py lowers to them):
each month's (quarter's) copy of a value kept 每月 (每季度), 实际发生费用(3月), and the
implicit value 月份 in a copy."""

from __future__ import annotations

import re

from compiler.ir.history import history_name, parse_history

UNITS: dict[str, int] = {"月": 12, "季度": 4}  # a period's months, or its quarters
MONTH_NUMBER = "月份"  # in a month's (quarter's) copy: the months of the period elapsed at its end
_LABEL = re.compile(r"(1[0-2]|[1-9])月|第([1-4])季度")


def label(unit: str, index: int) -> str:
    """3月, 第2季度."""
    return f"{index}月" if unit == "月" else f"第{index}季度"


def parse_label(text: str) -> tuple[str, int] | None:
    """(unit, index) for 3月 or 第2季度."""
    m = _LABEL.fullmatch(text)
    if m is None:
        return None
    return ("月", int(m[1])) if m[1] else ("季度", int(m[2]))


def sub_name(base: str, label_text: str) -> str:
    """The name of one month's copy, as the ledger shows it: 月度预结算额(3月)."""
    return f"{base}({label_text})"


def parse_sub(name: str) -> tuple[str, str, int] | None:
    """(base, unit, index) for a copy's name, 月度预结算额(3月); else None."""
    if not name.endswith(")"):
        return None
    base, paren, rest = name[:-1].rpartition("(")
    got = parse_label(rest) if paren else None
    return (base, *got) if got is not None and base else None


def month_of(name: str) -> tuple[str, str, str] | None:
    """(the value as written, its unit, the month) for one month's copy, 费用(3月) → (费用, 月, 3月);
    last year's month keeps its year, 费用(3月)(前1年) → (费用(前1年), 月, 3月); None for any other name."""
    back = parse_history(name)
    copy = parse_sub(back[0] if back is not None else name)
    if copy is None:
        return None
    base, unit, index = copy
    return (base if back is None else history_name(base, back[1])), unit, label(unit, index)


def written(name: str) -> str:
    """A name as the drafter wrote it: 费用 for each month's copy 费用(3月)."""
    got = month_of(name)
    return got[0] if got is not None else name
