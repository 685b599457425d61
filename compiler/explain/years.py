"""Time across periods in words, as the drafter wrote it (compiler/years.py lowers it for the
engines): a schedule 按年度 reads 实施第1年为4%，第2年起为3%; a window 前3年征缴收入的平均数;
an earlier year's input 上年征缴收入, or 2024年征缴收入 where the year is known."""

from __future__ import annotations

from collections.abc import Callable

from compiler.ir import nodes as ir
from compiler.ir.history import parse_history


def schedule(e: ir.Schedule, phrase: Callable[[ir.Expr], str], zh: bool) -> str:
    """实施第1年为4%，第2年起为3% / 2025年为4%，2026年起为3% (4% in policy year 1, 3% from policy year 2 on)."""
    parts = []
    for x in e.entries:
        value = phrase(x.value)
        if zh:
            when = (f"第{x.year}年" if x.nth else f"{x.year}年") + ("起" if x.onward else "")
            parts.append(f"{when}为{value}")
        else:
            when = f"policy year {x.year}" if x.nth else str(x.year)
            parts.append(f"{value} from {when} on" if x.onward else f"{value} in {when}")
    if zh:
        return ("实施" if e.entries[0].nth else "") + "，".join(parts)
    return ", ".join(parts)


def written_schedule(e: ir.Expr) -> ir.Schedule | None:
    written = e.written if isinstance(e, (ir.If, ir.Binary)) else None
    return written if isinstance(written, ir.Schedule) else None


def window(e: ir.Call, arg: str, mean: bool, zh: bool) -> str:
    """平均(征缴收入 前3年) → 前3年征缴收入的平均数 (the average 征缴收入 over the previous 3 years)."""
    assert e.window is not None
    n, current = e.window.years, e.window.current
    if e.window.unit == "全年":  # 合计(费用 全年): the year's months
        if zh:
            return f"全年各月{arg}的平均数" if mean else f"全年{arg}之和"
        return f"the monthly average {arg} over the year" if mean else f"the year's total {arg}"
    if e.window.unit == "月":  # 近12个月 / 滚动12个月
        if zh:
            span = f"{'近' if current else '前'}{n}个月"
            return f"{span}{arg}的平均数" if mean else f"{span}{arg}之和"
        span = f"the last {n} months, this one included" if current else f"the previous {n} months"
        return f"the average {arg} over {span}" if mean else f"the total {arg} over {span}"
    if zh:
        span = f"{'近' if current else '前'}{n}年"
        return f"{span}{arg}的平均数" if mean else f"{span}{arg}之和"
    span = f"the last {n} years, this one included" if current else f"the previous {n} years"
    return f"the average {arg} over {span}" if mean else f"the total {arg} over {span}"


def history(name: str, zh: bool, period: int | None = None) -> str | None:
    """征缴收入(前1年) as a reader names it: 2024年征缴收入 where the year is known, else 上年征缴收入,
    2年前的征缴收入; None for any other name."""
    got = parse_history(name)
    if got is None:
        return None
    base, back = got
    if period is not None:
        return f"{period - back}年{base}" if zh else f"{base} in {period - back}"
    if back == 1:
        return f"上年{base}" if zh else f"{base} the year before"
    return f"{back}年前的{base}" if zh else f"{base} {back} years before"
