"""The ledger as people read it: entity transfers totalled per rule and region.

The engines record one transfer per person, employer or institution; a city has millions.
`compact` folds each rule's transfers from (or to) the entities of one kind in one region
into one row with how many entities it sums, keeping the ledger's order (the first row of
each group where it first occurs). `--detail 参保人员` keeps that kind's rows one by one.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from fractions import Fraction

import attrs

from compiler.interpreter import Transfer
from compiler.ir.subperiods import label, parse_sub
from compiler.plan import Plan
from compiler.runtime import Entities, apportion, round_fen


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
    due: datetime.date | None = None  # 分4期: when this part falls due (None: the period, as a whole)
    part: str | None = None  # "1/4"; "预留" for the part held to the year's end

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


def falling_due(transfers: Iterable[Transfer], plan: Plan | None, period: int | None) -> list[Row]:
    """Each transfer, or for a rule paid in instalments (分4期) each of its parts with the day it
    falls due: the amount less the holdback (rounded half-up, runtime.round_fen) shared equally
    to the fen (runtime.apportion), the holdback at the year's end. Every engine's ledger goes
    through this one function, so their instalments agree as their totals do."""
    out: list[Row] = []
    for t in transfers:
        rp = plan.rule(t.rule) if plan is not None and t.rule in plan.by_name else None
        spec = rp.instalments if rp is not None else None
        if spec is None:
            out.append(dated(Row(t.source, t.dest, t.amount, t.rule, t.line), plan, period))
            continue
        parts, share = spec
        held = round_fen(t.amount * share)
        pieces = apportion(t.amount - held, [Fraction(1)] * parts)
        for i, piece in enumerate(pieces, 1):
            due = _month_end(period, 12 * i // parts)
            out.append(Row(t.source, t.dest, piece, t.rule, t.line, due=due, part=f"{i}/{parts}"))
        if held:
            out.append(Row(t.source, t.dest, held, t.rule, t.line, due=_month_end(period, 12), part=HELD))
    return out


HELD = "预留"  # the part of an instalment rule held to the year's end


def dated(row: Row, plan: Plan | None, period: int | None) -> Row:
    """A month's copy of a rule settled 按月 falls due at the end of its month (a quarter's
    copy, of its quarter): the row with that day, and the month as its part."""
    if plan is None or row.part is not None or row.rule not in plan.by_name:
        return row
    month = plan.rule(row.rule).due_month
    copy = parse_sub(row.rule)
    if month is None or copy is None:
        return row
    return attrs.evolve(row, due=_month_end(period, month), part=label(copy[1], copy[2]))


def _month_end(year: int | None, month: int) -> datetime.date | None:
    if year is None:
        return None
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def compact(rows: Iterable[Row], entities: Entities, detail: Iterable[str] = ()) -> list[Row]:
    keep = set(detail)
    out: list[Row] = []
    groups: dict[tuple[str, str, str, str, str, str | None], int] = {}  # (rule, kind, region, side, other, part)
    for t in rows:
        src, dst = entity_of(t.source, entities), entity_of(t.dest, entities)
        ent = src or dst
        if ent is None or ent[0] in keep:
            out.append(t)
            continue
        kind, id_ = ent
        region = entities.regions[kind][id_]
        other = t.dest if src else t.source
        key = (t.rule, kind, region, "from" if src else "to", other, t.part)
        if key in groups:
            i = groups[key]
            r = out[i]
            out[i] = attrs.evolve(r, amount=r.amount + t.amount, count=r.count + 1)
            continue
        groups[key] = len(out)
        source, dest = (kind, other) if src else (other, kind)
        out.append(attrs.evolve(t, source=source, dest=dest, kind=kind, region=region, count=1))
    return out
