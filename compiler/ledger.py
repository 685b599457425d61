"""The ledger as people read it: entity transfers totalled per rule and region.

The engines record one transfer per person, employer or institution; a city has millions.
`compact` folds each rule's transfers from (or to) the entities of one kind in one region
into one row with how many entities it sums, keeping the ledger's order (the first row of
each group where it first occurs). `--detail 参保人员` keeps that kind's rows one by one.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

import attrs

from compiler.interpreter import Transfer
from compiler.runtime import Entities


@attrs.frozen
class Row:
    source: str
    dest: str
    amount: Fraction
    rule: str
    line: int
    kind: str | None = None  # a row totalling entities of this kind: its region and how many
    region: str | None = None
    count: int = 0

    def side(self, lang: str) -> tuple[str, str]:
        """The two accounts as a reader sees them: 甲县参保人员(2) for a total of two persons."""
        if self.kind is None:
            return self.source, self.dest
        group = (
            f"{self.region}{self.kind}({self.count})"
            if lang == "zh"
            else f"{self.kind} in {self.region} ({self.count})"
        )
        return (group, self.dest) if self.source == self.kind else (self.source, group)


def entity_of(account: str, entities: Entities) -> tuple[str, str] | None:
    """(kind, id) when an account is one entity's, 参保人员(张三)."""
    kind, paren, rest = account.partition("(")
    if not paren or not rest.endswith(")") or kind not in entities.regions:
        return None
    id_ = rest[:-1]
    return (kind, id_) if id_ in entities.regions[kind] else None


def compact(transfers: Iterable[Transfer], entities: Entities, detail: Iterable[str] = ()) -> list[Row]:
    keep = set(detail)
    rows: list[Row] = []
    groups: dict[tuple[str, str, str, str, str], int] = {}  # (rule, kind, region, side, other) → row index
    for t in transfers:
        src, dst = entity_of(t.source, entities), entity_of(t.dest, entities)
        ent = src or dst
        if ent is None or ent[0] in keep:
            rows.append(Row(t.source, t.dest, t.amount, t.rule, t.line))
            continue
        kind, id_ = ent
        region = entities.regions[kind][id_]
        other = t.dest if src else t.source
        key = (t.rule, kind, region, "from" if src else "to", other)
        if key in groups:
            i = groups[key]
            r = rows[i]
            rows[i] = attrs.evolve(r, amount=r.amount + t.amount, count=r.count + 1)
            continue
        groups[key] = len(rows)
        source, dest = (kind, other) if src else (other, kind)
        rows.append(Row(source, dest, t.amount, t.rule, t.line, kind, region, 1))
    return rows
