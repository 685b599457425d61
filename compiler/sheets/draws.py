"""`pool simulate --draws N --format csv|xlsx`: the per-year distributions as spreadsheets.

One table per recorded value, one row per year: mean, percentiles, min and max in 元 as
exact decimals, and the shares of draws at zero as fractions shown as percentages, the
same figures the text table prints (compiler/stochastic/summary.py computes them).
"""

from __future__ import annotations

import re
from fractions import Fraction

from compiler.sheets.write import MONEY_FORMAT, PERCENT_FORMAT, CellValue, Column, Table, number
from compiler.stochastic.engine import Outcome
from compiler.stochastic.summary import Summary

_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")  # characters Excel refuses in a sheet's name


def _share(k: int, n: int) -> CellValue:
    return number(Fraction(k, n)) if n else None


def draws_tables(outcome: Outcome, summaries: list[Summary], lang: str = "zh") -> list[Table]:
    zh = lang == "zh"
    stats = (
        ["均值", "P5", "P25", "中位数", "P75", "P95", "最小", "最大"]
        if zh
        else ["mean", "p5", "p25", "median", "p75", "p95", "min", "max"]
    )
    tables = []
    for s in summaries:
        balance = s.pick.balance
        if balance:
            risk = (
                ["当年为零", "至今曾为零", "曾为零或无法结算"] if zh else ["zero", "zero so far", "zero or unsettled"]
            )
        else:
            risk = ["当年为负"] if zh else ["below 0"]
        columns = [
            Column("年份" if zh else "year"),
            *(Column(f"{h}(元)" if zh else f"{h} (元)", MONEY_FORMAT) for h in stats),
            *(Column(f"{h}(%)" if zh else f"{h} (%)", PERCENT_FORMAT) for h in risk),
            Column("无法结算(次)" if zh else "unsettled (draws)"),
        ]
        rows: list[list[CellValue]] = []
        for y in s.years:
            figures: list[CellValue] = [y.mean, *y.percentiles, y.low, y.high] if y.settled else [None] * 8
            shares = [_share(y.zero, y.settled)]
            if balance:
                shares += [_share(y.ever_zero, outcome.draws), _share(y.zero_or_stopped, outcome.draws)]
            rows.append([y.period, *figures, *shares, outcome.draws - y.settled])
        tables.append(Table(_SHEET_NAME.sub("_", s.pick.shown), columns, rows))
    return tables
