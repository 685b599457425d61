"""Recurring deadlines in plain words: 每月25日前, by 31 March of the following year.

Built from the IR's fields rather than the written text, so 每季度末 and
`quarterly last-month end` read the same, and an English explainer of a
Chinese-keyword policy still reads as English.
"""

from __future__ import annotations

import calendar

from compiler.ir import nodes as ir

_QUARTER_MONTH_ZH = {1: "首月", 2: "第二个月", 3: "末月"}
_QUARTER_MONTH_EN = {1: "first", 2: "second", 3: "last"}
_RANK = {ir.Cycle.MONTH: 0, ir.Cycle.QUARTER: 1, ir.Cycle.YEAR: 2}
_LAST_MONTH = {ir.Cycle.MONTH: 0, ir.Cycle.QUARTER: 3, ir.Cycle.YEAR: 12}


def _fixed_end(r: ir.Recurring) -> int | None:
    """The day a yearly month end always falls on (3月底 is the 31st); February's moves."""
    if r.unit is ir.Cycle.YEAR and r.month_end and r.month is not None and r.month != 2:
        return calendar.monthrange(2023, r.month)[1]
    return None


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def phrase(r: ir.Recurring, by: bool, lang: str = "zh") -> str:
    """A point (a day, a month's end) takes 前/by; a span (每季度, 每年3月) takes 内/within."""
    day = r.day if r.day is not None else _fixed_end(r)
    point = day is not None or r.month_end
    return _zh(r, day, by, point) if lang == "zh" else _en(r, day, by, point)


def _zh(r: ir.Recurring, day: int | None, by: bool, point: bool) -> str:
    text = ("次" if r.offset else "每") + {ir.Cycle.MONTH: "月", ir.Cycle.QUARTER: "季度", ir.Cycle.YEAR: "年"}[r.unit]
    if r.month is not None:
        text += _QUARTER_MONTH_ZH[r.month] if r.unit is ir.Cycle.QUARTER else f"{r.month}月"
    if day is not None:
        text += f"{day}日"
    elif r.month_end:
        text += "底" if r.unit is ir.Cycle.YEAR else "月底"  # 每年2月底; 每月月底, 每季度首月月底
    return text + (("前" if point else "内") if by else "")


def _en(r: ir.Recurring, day: int | None, by: bool, point: bool) -> str:
    if r.unit is ir.Cycle.YEAR:
        tail = " of the following year" if r.offset else " each year"
        if r.month is None:
            return (
                ("within the following year" if by else "in the following year")
                if r.offset
                else ("within each year" if by else "each year")
            )
        name = calendar.month_name[r.month]
        if day is not None:
            return f"{'by' if by else 'on'} {day} {name}{tail}"
        if r.month_end:
            return f"{'by' if by else 'at'} the end of {name}{tail}"
        return f"{'within' if by else 'in'} {name}{tail}"
    cycle = ("the following month" if r.offset else "each month") if r.unit is ir.Cycle.MONTH else "each quarter"
    if r.month is not None:
        cycle = f"the {_QUARTER_MONTH_EN[r.month]} month of {cycle}"
    if day is not None:
        return f"{'by' if by else 'on'} the {_ordinal(day)} of {cycle}"
    if point:
        return f"{'by' if by else 'at'} the end of {cycle}"
    if by:
        return f"within {cycle}"
    return cycle if cycle.startswith("each") else f"in {cycle}"


def order(r: ir.Recurring) -> str:
    """The documented order of the recurring table, as a sort key: monthly, then quarterly,
    then yearly; this cycle's before the next one's (每月 before 次月); then by how late
    in the cycle the date falls (a span or an end counts as the month's last day).
    Equal keys keep the order the policy wrote them in."""
    month = r.month if r.month is not None else _LAST_MONTH[r.unit]
    day = r.day if r.day is not None else 31
    return f"{_RANK[r.unit]}-{r.offset}-{month:02d}-{day:02d}"
