"""A scenario's years: the period as the implicit input 年度 (按年度 schedules), and the earlier
periods' inputs that 前N年 / 近N年 read (compiler/years.py), from `history` or the periods
before it in the same file (`pool simulate`).

    "history": {"2024": {"global": {…}, "regions": {"甲市": {"征缴收入": "…"}}}, "2023": {…}}
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import yaml

from compiler.docread import Reader
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.subperiods import parse_sub
from compiler.years import YEAR, parse_history

Value = Decimal | bool | str
Table = dict[str, Value | dict[str, Value]]
ReadInput = Callable[[str, yaml.Node, yaml.Node, Table, "str | None"], None]
Expand = Callable[[list[tuple[str, yaml.Node, yaml.Node]], str], list[tuple[str, yaml.Node, yaml.Node]]]


class Years:
    def __init__(self, reader: Reader, checked: CheckedPolicy, read_input: ReadInput, months: Expand) -> None:
        self.r = reader
        self.checked = checked
        self.read_input = read_input
        self.months = months  # a monthly input's year given as a list: its months (scenario_months)

    def implicit(self) -> list[str]:
        return [n for n, d in self.checked.scope.values.items() if isinstance(d, ir.InputDecl) and d.implicit]

    def fill(
        self,
        root: yaml.Node,
        node: yaml.Node | None,
        period: int | None,
        regions: list[str],
        inputs: Table,
        earlier: dict[int, Table],
    ) -> None:
        """Give 年度 and every history input its value, or say what is missing and where."""
        wanted = [(n, parse_history(n)) for n in self.implicit() if n == YEAR or parse_history(n)]
        if node is not None and not wanted:
            self.r.error(node, "history", "本政策不读往年的值", "the policy reads no earlier years' values")
            return
        if not wanted:
            return
        if period is None:
            self.r.error(
                root,
                "period",
                "本政策按年度取值或读往年的值,须给出 period",
                "the policy's values depend on the year or on earlier years: give `period`",
            )
            return
        years = self.history(node) if node is not None else {}
        for year, table in years.items():  # the periods after this one in the file read them too
            for base, value in table.items():
                earlier.setdefault(year, {}).setdefault(base, value)
        said: set[tuple[int, str]] = set()
        for name, hist in wanted:
            if hist is None:
                inputs[YEAR] = Decimal(period)
                continue
            base, back = hist
            year = period - back
            source = years.get(year) or earlier.get(year, {})
            if base not in source:
                month = parse_sub(base)
                if month is not None:  # a monthly input's year: said once, for the input as written
                    if (year, month[0]) in said:
                        continue
                    said.add((year, month[0]))
                    base = month[0]
                where = "regions.<地区>." if self.checked.types[name].per_region else "global."
                self.r.error(
                    node if node is not None else root,
                    f"history.{year}",
                    f"缺少{year}年的“{base}”(本政策读它的前{back}年的值):在 history.{year}.{where}{base} 中给出",
                    f"{year}'s ‘{base}’ is missing (the policy reads it {back} year(s) back): give it in "
                    f"history.{year}.{where}{base}",
                )
                continue
            got = source[base]
            if isinstance(got, dict):
                missing = [r for r in regions if r not in got]
                if missing:
                    self.r.error(
                        node if node is not None else root,
                        f"history.{year}.regions.{missing[0]}.{base}",
                        "缺少这一地区的往年值",
                        "this region's earlier value is missing",
                    )
                    continue
            inputs[name] = got

    def history(self, node: yaml.Node) -> dict[int, Table]:
        out: dict[int, Table] = {}
        for key, kn, vn in self.r.mapping(node, "history"):
            if not (key.isascii() and key.isdigit() and len(key) == 4):
                self.r.error(kn, f"history.{key}", "应为四位年份", "expected a four-digit year")
                continue
            table: Table = {}
            for part, pk, pv in self.r.mapping(vn, f"history.{key}"):
                if part == "global":
                    here = f"history.{key}.global"
                    for name, k2, v2 in self.months(self.r.mapping(pv, here), here):
                        self.read_input(name, k2, v2, table, None)
                elif part == "regions":
                    for region, _rk, rv in self.r.mapping(pv, f"history.{key}.regions"):
                        here = f"history.{key}.regions.{region}"
                        for name, k2, v2 in self.months(self.r.mapping(rv, here), here):
                            self.read_input(name, k2, v2, table, region)
                else:
                    self.r.unknown(pk, f"history.{key}.{part}", ["global", "regions"])
            out[int(key)] = table
        return out
