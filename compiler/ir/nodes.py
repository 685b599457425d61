"""IR nodes. Every node is frozen and carries its span; spans are left out of
equality so two programs that differ only in layout compare equal."""

from __future__ import annotations

import datetime
import enum
from decimal import Decimal
from typing import Union

import attrs

from compiler.source import Span


def _span() -> Span:
    return attrs.field(eq=False, repr=False)  # type: ignore[no-any-return]


@attrs.frozen
class Ident:
    """A name as written, with where it was written."""

    text: str
    span: Span = _span()


@attrs.frozen
class Str:
    value: str
    span: Span = _span()


@attrs.frozen
class Literate:
    """The original clause a declaration encodes, and its section."""

    quote: Str | None
    section: Str | None
    span: Span = _span()  # the clauses, or the declaration when it has none


# ---- expressions -------------------------------------------------------------


class NumKind(enum.Enum):
    NUMBER = "number"  # 3, 0.5
    PERCENT = "percent"  # 10%
    MONEY = "money"  # 10亿元, stored in 元


@attrs.frozen
class Num:
    value: Decimal
    kind: NumKind
    text: str  # as written: explainers repeat the drafter's own figures
    span: Span = _span()


@attrs.frozen
class BoolLit:
    value: bool
    span: Span = _span()


@attrs.frozen
class Name:
    name: str
    span: Span = _span()


@attrs.frozen
class FundAll:
    """Everything a fund takes in during the period (`全部`)."""

    span: Span = _span()


@attrs.frozen
class FundRemaining:
    """What is left in the fund after the rules before this one (`剩余`)."""

    span: Span = _span()


@attrs.frozen
class Call:
    func: Ident
    args: tuple[Expr, ...]
    span: Span = _span()


@attrs.frozen
class Binary:
    op: str  # + - * /
    left: Expr
    right: Expr
    span: Span = _span()


@attrs.frozen
class Neg:
    operand: Expr
    span: Span = _span()


@attrs.frozen
class Compare:
    op: str  # = != < <= > >=
    left: Expr
    right: Expr
    span: Span = _span()


@attrs.frozen
class MemberOf:
    operand: Expr
    members: tuple[Ident, ...]
    span: Span = _span()


@attrs.frozen
class Logical:
    op: str  # and, or, not
    operands: tuple[Expr, ...]
    span: Span = _span()


@attrs.frozen
class If:
    cond: Expr
    then: Expr
    else_: Expr
    span: Span = _span()


@attrs.frozen
class Arm:
    patterns: tuple[Ident, ...] | None  # None: the otherwise arm
    body: Expr
    span: Span = _span()


@attrs.frozen
class Match:
    subject: Expr
    arms: tuple[Arm, ...]
    span: Span = _span()


@attrs.frozen
class Band:
    lower: Expr
    upper: Expr | None  # None: open-ended
    value: Expr
    span: Span = _span()


@attrs.frozen
class Bands:
    """A band table: the value of the band [lower, upper) that holds the subject,
    or with `progressive`, the sum over bands of the part of the subject in each
    band times that band's rate."""

    subject: Expr
    bands: tuple[Band, ...]
    progressive: bool
    span: Span = _span()


Expr = Union[Num, BoolLit, Name, FundAll, FundRemaining, Call, Binary, Neg, Compare, MemberOf, Logical, If, Match, Bands]


# ---- declarations --------------------------------------------------------------


@attrs.frozen
class TypeRef:
    name: Ident
    per_region: bool
    span: Span = _span()


@attrs.frozen
class EnumDecl:
    name: Ident
    members: tuple[Ident, ...]
    literate: Literate
    span: Span = _span()


@attrs.frozen
class RegionSetDecl:
    name: Ident
    members: tuple[Ident, ...]
    literate: Literate
    span: Span = _span()


class BoundKind(enum.Enum):
    MIN = "min"
    MAX = "max"


@attrs.frozen
class Bound:
    kind: BoundKind
    expr: Expr
    span: Span = _span()


@attrs.frozen
class ParamDecl:
    name: Ident
    type: TypeRef
    value: Expr | None  # None: open (待定), a scenario must supply it
    bounds: tuple[Bound, ...]
    authority: tuple[Str, ...]
    literate: Literate
    span: Span = _span()


@attrs.frozen
class InputDecl:
    name: Ident
    type: TypeRef
    signed: bool  # money and counts are non-negative unless declared signed
    default: Expr | None
    literate: Literate
    span: Span = _span()


@attrs.frozen
class LetDecl:
    name: Ident
    type: TypeRef | None
    expr: Expr
    literate: Literate
    span: Span = _span()


@attrs.frozen
class PartyDecl:
    name: Ident
    per_region: bool
    literate: Literate
    span: Span = _span()


class RuleKind(enum.Enum):
    COLLECT = "collect"  # 上解: regions pay into the fund
    ALLOCATE = "allocate"  # 分配: the fund pays regions in proportion to weights
    RETAIN = "retain"  # 留存: the fund moves money into a carried balance
    PAY = "pay"  # 补助: the fund pays each region an amount of its own
    TRANSFER = "transfer"  # 转移: any party pays any party
    SPLIT = "split"  # 拆分: an amount split between parties by shares
    COVER = "cover"  # 弥补: a shortfall covered tier by tier


@attrs.frozen
class PartyRef:
    """A party in a rule; `name` None means each region (各地区)."""

    name: Ident | None
    span: Span = _span()

    @property
    def each_region(self) -> bool:
        return self.name is None


@attrs.frozen
class Weight:
    factor: Expr
    weight: Expr
    span: Span = _span()


@attrs.frozen
class Exception_:
    cond: Expr
    value: Expr
    literate: Literate
    span: Span = _span()


@attrs.frozen
class Share:
    party: PartyRef
    ratio: Expr
    span: Span = _span()


@attrs.frozen
class Payer:
    party: PartyRef
    share: Expr | None  # None: the whole tier
    span: Span = _span()


@attrs.frozen
class Tier:
    name: Ident
    payers: tuple[Payer, ...]
    cap: Expr | None
    literate: Literate
    span: Span = _span()


@attrs.frozen
class Rule:
    kind: RuleKind
    name: Ident
    amount: Expr
    fund: Ident | None  # the fund whose block holds the rule
    source: PartyRef | None
    dest: PartyRef | None
    weights: tuple[Weight, ...]  # 按 { 因素: 权重, … }: a mix of factors
    single_weight: Expr | None  # 按 因素: one factor (or score) alone
    cond: Expr | None
    cap: Expr | None
    cumulative_cap: Expr | None
    exceptions: tuple[Exception_, ...]
    shares: tuple[Share, ...]
    tiers: tuple[Tier, ...]
    literate: Literate
    span: Span = _span()


@attrs.frozen
class FundDecl:
    name: Ident
    carried: bool  # keeps a balance from period to period
    rules: tuple[Rule, ...]
    literate: Literate
    span: Span = _span()


# ---- examples, timeline, tasks ---------------------------------------------------


@attrs.frozen
class RegionValue:
    region: Ident
    value: Expr
    span: Span = _span()


@attrs.frozen
class Value:
    """A value in an example: one for all, or one per region."""

    scalar: Expr | None
    regions: tuple[RegionValue, ...]
    span: Span = _span()


@attrs.frozen
class Binding:
    name: Ident
    value: Value
    span: Span = _span()


@attrs.frozen
class PeriodCase:
    period: int | None  # None: the example's single, unnamed period
    regions: tuple[Ident, ...]
    given: tuple[Binding, ...]
    opening: tuple[Binding, ...]
    expect: tuple[Binding, ...]
    span: Span = _span()


@attrs.frozen
class Example:
    """Without 期 blocks, `periods` holds one unnamed case. With them, `shared`
    holds the statements written outside the blocks: givens for every period,
    and the opening balances of the first."""

    label: Str
    regions: tuple[Ident, ...]
    shared: PeriodCase | None
    periods: tuple[PeriodCase, ...]
    literate: Literate
    span: Span = _span()


@attrs.frozen
class DateLit:
    """A date as drafters write it; `value` is the last day it denotes
    (2025年6月底 → 2025-06-30, 2025年 → 2025-12-31)."""

    text: str
    value: datetime.date
    first: datetime.date  # the first day it denotes
    span: Span = _span()


@attrs.frozen
class Milestone:
    date: DateLit
    by: bool  # 前: a deadline rather than a date
    text: Str
    owners: tuple[Str, ...]
    literate: Literate
    span: Span = _span()


@attrs.frozen
class Task:
    number: int | None
    text: Str
    owners: tuple[Str, ...]
    deadline: DateLit | None  # None: 持续推进 (ongoing)
    literate: Literate
    span: Span = _span()


@attrs.frozen
class Timeline:
    milestones: tuple[Milestone, ...]
    span: Span = _span()


@attrs.frozen
class TaskTable:
    label: Str | None
    tasks: tuple[Task, ...]
    span: Span = _span()


Decl = Union[
    EnumDecl, RegionSetDecl, ParamDecl, InputDecl, LetDecl, PartyDecl, FundDecl, Rule,
    Example, Timeline, TaskTable,
]  # fmt: skip


@attrs.frozen
class Header:
    basis: Str | None
    effective_from: DateLit | None
    effective_to: DateLit | None
    region_set: Ident | None
    level: Str | None
    schemes: tuple[Ident, ...]
    span: Span = _span()


@attrs.frozen
class Policy:
    name: Ident
    header: Header
    decls: tuple[Decl, ...]
    span: Span = _span()


@attrs.frozen
class Import:
    path: Str
    span: Span = _span()


@attrs.frozen
class Module:
    """One source file: its imports, module-level declarations and at most one policy."""

    file: str
    imports: tuple[Import, ...]
    decls: tuple[Decl, ...]
    policy: Policy | None
    span: Span = _span()


@attrs.frozen
class Program:
    """The policy with every module it imports (transitively), in import order."""

    main: Module
    modules: tuple[Module, ...]  # imported modules, dependencies first

    @property
    def policy(self) -> Policy | None:
        return self.main.policy

    def all_decls(self) -> tuple[tuple[Module, Decl], ...]:
        out: list[tuple[Module, Decl]] = []
        for m in (*self.modules, self.main):
            out += [(m, d) for d in m.decls]
            if m.policy is not None:
                out += [(m, d) for d in m.policy.decls]
        return tuple(out)
