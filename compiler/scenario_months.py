"""A scenario's values for a policy with values kept per month (每月) or quarter (每季度).

Each month's copy of a monthly input is an input of its own, `实际发生费用(3月)`
(compiler/months.py), and a scenario may name it so. It may also give the whole year at
once, under the name as written: a list of twelve values (four for a quarterly one), in
order, or an object keyed by month:

    regions:  {乌当区: {实际发生费用: [800万元, 820万元, …]}}
    entities: {医共体: [{id: 乌当区医共体, 地区: 乌当区, 实际发生费用: {1月: 800万元, …}}]}

Every month must be given: a missing one is reported at the field, not left to fail in a run.
"""

from __future__ import annotations

from collections.abc import Iterable

import yaml

from compiler.docread import Reader
from compiler.ir.checked import CheckedPolicy
from compiler.ir.subperiods import UNITS, label, parse_label, sub_name

Pair = tuple[str, yaml.Node, yaml.Node]  # name, key node, value node


class MonthValues:
    def __init__(self, reader: Reader, checked: CheckedPolicy) -> None:
        self.r = reader
        self.units: dict[str, str] = {}  # a monthly value's name as written → its unit
        # Fields of months already reported (a list of the wrong length, a month left out of an
        # object): not reported again as a missing input.
        self.refused: set[str] = set()
        for d in checked.scope.values.values():
            copy = getattr(d, "sub_copy", None)
            if copy is not None and copy.base:
                self.units[copy.base] = copy.unit

    def expand(self, pairs: list[Pair], field: str) -> list[Pair]:
        """`pairs` with each monthly value given for the whole year replaced by its months' copies."""
        if not self.units:
            return pairs
        out: list[Pair] = []
        for name, kn, vn in pairs:
            unit = self.units.get(name)
            if unit is None:
                out.append((name, kn, vn))
            else:
                out += self.months(name, unit, kn, vn, f"{field}.{name}" if field else name)
        return out

    def months(self, name: str, unit: str, kn: yaml.Node, vn: yaml.Node, field: str) -> list[Pair]:
        n = UNITS[unit]
        first = label(unit, 1)
        if isinstance(vn, yaml.SequenceNode):
            if len(vn.value) != n:
                self.refuse(name, unit, field, range(1, n + 1))
                self.r.error(
                    vn,
                    field,
                    f"按{unit}取值,应给出{n}个值(从{first}起依次),这里有{len(vn.value)}个",
                    f"one value per {'month' if unit == '月' else 'quarter'}: give {n}, in order; got {len(vn.value)}",
                )
                return []
            return [(sub_name(name, label(unit, i)), item, item) for i, item in enumerate(vn.value, 1)]
        if isinstance(vn, yaml.MappingNode):
            out: list[Pair] = []
            for key, k, v in self.r.mapping(vn, field):
                got = parse_label(key)
                if got is None or got[0] != unit:
                    self.r.error(
                        k, f"{field}.{key}", f"应为{first}这样的{unit}份", f"expected a {unit} such as {first}"
                    )
                    continue
                out.append((sub_name(name, key), k, v))
            given = {p[0] for p in out}
            missing = [label(unit, i) for i in range(1, n + 1) if sub_name(name, label(unit, i)) not in given]
            if missing:
                self.refuse(name, unit, field, [i for i in range(1, n + 1) if label(unit, i) in missing])
                self.r.error(vn, field, f"缺少{'、'.join(missing)}的值", f"missing: {', '.join(missing)}")
            return out
        self.refuse(name, unit, field, range(1, n + 1))
        self.r.error(
            vn,
            field,
            f"按{unit}取值,应逐{unit}给出:[…{n}个值…] 或 {{{first}: …, …}}",
            f"one value per {'month' if unit == '月' else 'quarter'}: a list of {n}, or {{{first}: …}}",
        )
        return []

    def refuse(self, name: str, unit: str, field: str, months: Iterable[int]) -> None:
        parent = field.rpartition(".")[0]
        self.refused.update(f"{parent}.{sub_name(name, label(unit, i))}" for i in months)
