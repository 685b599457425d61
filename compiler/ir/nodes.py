"""IR nodes. Every node is frozen and carries its span; spans are left out of
equality so two programs that differ only in layout compare equal."""

from __future__ import annotations

import datetime
import enum
from decimal import Decimal
from typing import Union

import attrs

from compiler.ir.expr import (
    Arm as Arm,
)
from compiler.ir.expr import (
    Band as Band,
)
from compiler.ir.expr import (
    Bands as Bands,
)
from compiler.ir.expr import (
    Binary as Binary,
)
from compiler.ir.expr import (
    BoolLit as BoolLit,
)
from compiler.ir.expr import (
    Call as Call,
)
from compiler.ir.expr import (
    Compare as Compare,
)
from compiler.ir.expr import (
    Expr as Expr,
)
from compiler.ir.expr import (
    FundAll as FundAll,
)
from compiler.ir.expr import (
    FundRemaining as FundRemaining,
)
from compiler.ir.expr import (  # re-exported: nodes is the one name for the IR
    Ident as Ident,
)
from compiler.ir.expr import (
    If as If,
)
from compiler.ir.expr import (
    Logical as Logical,
)
from compiler.ir.expr import (
    Match as Match,
)
from compiler.ir.expr import (
    MemberOf as MemberOf,
)
from compiler.ir.expr import (
    Name as Name,
)
from compiler.ir.expr import (
    Neg as Neg,
)
from compiler.ir.expr import (
    Num as Num,
)
from compiler.ir.expr import (
    NumKind as NumKind,
)
from compiler.ir.expr import (
    Schedule as Schedule,
)
from compiler.ir.expr import (
    Str as Str,
)
from compiler.ir.expr import (
    Window as Window,
)
from compiler.ir.expr import (
    YearValue as YearValue,
)
from compiler.ir.expr import (
    span_field,
)
from compiler.source import Span


@attrs.frozen
class Literate:
    """The original clause a declaration encodes, its section, and how it was read
    (理解) where the text leaves a choice the declaration makes."""

    quote: Str | None
    section: Str | None
    span: Span = span_field()  # the clauses, or the declaration when it has none
    note: Str | None = None  # 说明: the drafter's own words for the 解读, with {{名称}} references
    reading: Str | None = None


# ---- declarations --------------------------------------------------------------


@attrs.frozen
class TypeRef:
    name: Ident
    per_region: bool
    span: Span = span_field()
    entity: Ident | None = None  # 每 参保人员 (每人, 每单位, 每机构): one value per entity of that kind
    per_scheme: bool = False  # 每险种: one value per scheme of the header's 险种 (compiler/schemes.py)
    sub: str | None = None  # 每月 / 每季度: one value per month or quarter of the period (compiler/months.py)


@attrs.frozen
class SchemeCopy:
    """What a declaration written 每险种 (or reading one) was copied from: compiler/schemes.py
    makes one copy per scheme of the header, named `base(scheme)` like a per-region account."""

    base: str
    scheme: str


@attrs.frozen
class SubCopy:
    """What a declaration written 每月 / 按月 (or reading one) was copied from: compiler/months.py
    makes one copy per month (or quarter) of the period, named `base(3月)` / `base(第2季度)`."""

    base: str
    unit: str  # "月" or "季度"
    index: int  # 1-based: the month, or the quarter

    @property
    def month(self) -> int:
        """The month the copy's sub-period ends in (a quarter's last month)."""
        return self.index if self.unit == "月" else 3 * self.index


@attrs.frozen
class EntityDecl:
    """实体: a kind of entity below the regions (参保人员, 用人单位, 定点医疗机构). Each entity
    belongs to a region; `links` are the kinds it is linked to (a person's employer), which a
    record may leave empty. Entities are data: a scenario lists them."""

    name: Ident
    links: tuple[Ident, ...]
    literate: Literate
    span: Span = span_field()


@attrs.frozen
class EnumDecl:
    name: Ident
    members: tuple[Ident, ...]
    literate: Literate
    span: Span = span_field()
    implicit: bool = False  # declared by the header's 险种 clause, not written out


@attrs.frozen
class RegionSetDecl:
    name: Ident
    members: tuple[Ident, ...]
    literate: Literate
    span: Span = span_field()


class BoundKind(enum.Enum):
    MIN = "min"
    MAX = "max"


@attrs.frozen
class Bound:
    kind: BoundKind
    expr: Expr
    span: Span = span_field()


@attrs.frozen
class ParamDecl:
    name: Ident
    type: TypeRef
    value: Expr | None  # None: open (待定), a scenario must supply it
    bounds: tuple[Bound, ...]
    authority: tuple[Str, ...]
    literate: Literate
    span: Span = span_field()
    scheme_copy: SchemeCopy | None = None  # this declaration's copy for one scheme (每险种)
    sub_copy: SubCopy | None = None  # this declaration's copy for one month or quarter (每月, 按月)


@attrs.frozen
class InputDecl:
    name: Ident
    type: TypeRef
    signed: bool  # money and counts are non-negative unless declared signed
    default: Expr | None
    literate: Literate
    span: Span = span_field()
    implicit: bool = False  # 险种: the scheme a scenario evaluates, from the header
    scheme_copy: SchemeCopy | None = None  # this declaration's copy for one scheme (每险种)
    sub_copy: SubCopy | None = None  # this declaration's copy for one month or quarter (每月, 按月)


@attrs.frozen
class LetDecl:
    name: Ident
    type: TypeRef | None
    expr: Expr
    literate: Literate
    span: Span = span_field()
    scheme_copy: SchemeCopy | None = None  # this declaration's copy for one scheme (每险种)
    sub_copy: SubCopy | None = None  # this declaration's copy for one month or quarter (每月, 按月)


@attrs.frozen
class Constraint:
    """约束: a condition the policy's values must meet, checked at compile time where
    every value it reads is known, and on every scenario before a period is settled."""

    cond: Expr
    literate: Literate
    span: Span = span_field()
    scheme_copy: SchemeCopy | None = None  # this declaration's copy for one scheme (每险种)
    sub_copy: SubCopy | None = None  # this declaration's copy for one month or quarter (每月, 按月)


@attrs.frozen
class PartyDecl:
    name: Ident
    per_region: bool
    literate: Literate
    span: Span = span_field()


class RuleKind(enum.Enum):
    COLLECT = "collect"  # 上解: regions pay into the fund
    ALLOCATE = "allocate"  # 分配: the fund pays regions in proportion to weights
    RETAIN = "retain"  # 留存: the fund moves money into a carried balance
    PAY = "pay"  # 补助: the fund pays each region an amount of its own
    TRANSFER = "transfer"  # 转移: any party pays any party
    SPLIT = "split"  # 拆分: an amount split between parties by shares
    COVER = "cover"  # 弥补: a shortfall covered tier by tier

    @property
    def words(self) -> tuple[str, str]:
        """The keyword that writes the kind, in Chinese and in English: the one table of them."""
        return _KIND_WORDS[self]


_KIND_WORDS = {
    RuleKind.COLLECT: ("上解", "collect"),
    RuleKind.ALLOCATE: ("分配", "allocate"),
    RuleKind.RETAIN: ("留存", "retain"),
    RuleKind.PAY: ("补助", "pay"),
    RuleKind.TRANSFER: ("转移", "transfer"),
    RuleKind.SPLIT: ("拆分", "split"),
    RuleKind.COVER: ("弥补", "cover"),
}


@attrs.frozen
class PartyRef:
    """A party in a rule; `name` None means each region (各地区), or with `entity` each
    entity of that kind (各参保人员)."""

    name: Ident | None
    span: Span = span_field()
    entity: Ident | None = None

    @property
    def each_region(self) -> bool:
        return self.name is None and self.entity is None


@attrs.frozen
class Weight:
    factor: Expr
    weight: Expr
    span: Span = span_field()


@attrs.frozen
class Exception_:
    cond: Expr
    value: Expr
    literate: Literate
    span: Span = span_field()


@attrs.frozen
class Share:
    party: PartyRef
    ratio: Expr
    span: Span = span_field()


@attrs.frozen
class Payer:
    party: PartyRef
    share: Expr | None  # None: the whole tier
    span: Span = span_field()


@attrs.frozen
class Unassigned:
    """未规定 after a waterfall's tiers: the text assigns no one what they leave uncovered."""

    literate: Literate
    span: Span = span_field()


@attrs.frozen
class Tier:
    name: Ident
    payers: tuple[Payer, ...]
    cap: Expr | None  # on each region's part
    total_cap: Expr | None  # on the sum over regions, shared pro rata to need
    literate: Literate
    span: Span = span_field()


class ShortfallKind(enum.Enum):
    """What a rule paying out of a fund does when the fund holds less than it asks."""

    PRO_RATA = "pro_rata"  # 按比例: what there is, in proportion to the amounts asked
    IN_ORDER = "in_order"  # 按顺序: regions in the order of the policy's region set, each in full
    CLAIM = "claim"  # 挂账: pro rata, the unpaid part carried and asked again next period


@attrs.frozen
class Shortfall:
    kind: ShortfallKind
    span: Span = span_field()


@attrs.frozen
class Instalments:
    """分4期 / 分12期预留3%: the rule's amount falls due in `parts` equal parts at the ends of
    equal stretches of the year, less a `holdback` share paid at the year's end."""

    parts: int
    holdback: Decimal
    span: Span = span_field()


@attrs.frozen
class Sub:
    """按月 / 按季度 on a rule: it settles once per month (quarter) of the period."""

    unit: str  # "月" or "季度"
    span: Span = span_field()


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
    span: Span = span_field()
    shortfall: Shortfall | None = None  # 不足时: what happens when the paying fund runs short
    instalments: Instalments | None = None  # 分4期: when the amount falls due within the period
    unassigned: Unassigned | None = None  # 弥补 … { 层 …  未规定 }: the rest of the need stays unpaid
    sub: Sub | None = None  # 按月 / 按季度: settled once a month (quarter), each with that month's values
    scheme_copy: SchemeCopy | None = None  # this declaration's copy for one scheme (每险种)
    sub_copy: SubCopy | None = None  # this declaration's copy for one month or quarter (每月, 按月)


OptionDecl = Union[ParamDecl, LetDecl, Rule, Constraint]  # what one reading of a choice may hold


@attrs.frozen
class Option:
    """One reading of a choice: the values or rules the policy has under it."""

    name: Ident
    decls: tuple[OptionDecl, ...]
    literate: Literate
    span: Span = span_field()


@attrs.frozen
class Choice:
    """解读: a named choice between readings of the text, with the one the policy takes.
    Resolved before checking (compiler/readings.py): the backends never see one."""

    name: Ident
    options: tuple[Option, ...]
    default: Ident
    literate: Literate
    span: Span = span_field()
    fund: Ident | None = None  # written in this fund's block: its options hold its rules


@attrs.frozen
class FundDecl:
    name: Ident
    carried: bool  # keeps a balance from period to period
    per_region: bool  # one account per region, such as each district's own accumulated surplus
    rules: tuple[Rule, ...]
    literate: Literate
    span: Span = span_field()
    # Choices written among the rules, each with the number of rules before it: the chosen
    # option's rules go there, so the order of the fund's rules is the order written.
    choices: tuple[tuple[int, Choice], ...] = ()
    per_scheme: bool = False  # 每险种: one account per scheme of the header's 险种, no money crossing
    scheme_copy: SchemeCopy | None = None  # this declaration's copy for one scheme (每险种)
    sub_copy: SubCopy | None = None  # this declaration's copy for one month or quarter (每月, 按月)


# What each kind of declaration is called, in Chinese and English: the one table the
# diagnostics, the trace and pool test's messages name declarations by.
DECL_WORDS: dict[type, tuple[str, str]] = {
    ParamDecl: ("参数", "parameter"),
    InputDecl: ("输入", "input"),
    LetDecl: ("派生值", "derived value"),
    Rule: ("规则", "rule"),
    PartyDecl: ("主体", "party"),
    EnumDecl: ("枚举", "enumeration"),
    FundDecl: ("资金", "fund"),
    EntityDecl: ("实体", "entity kind"),
    Constraint: ("约束", "constraint"),
}


# ---- examples, timeline, tasks ---------------------------------------------------


@attrs.frozen
class RegionValue:
    region: Ident
    value: Expr
    span: Span = span_field()


@attrs.frozen
class Value:
    """A value in an example: one for all, or one per region."""

    scalar: Expr | None
    regions: tuple[RegionValue, ...]
    span: Span = span_field()


@attrs.frozen
class Binding:
    name: Ident
    value: Value
    span: Span = span_field()
    # 期望 缺口弥补.第一层 / 缺口弥补.归集基金: what one tier, or one payer, of a waterfall paid.
    part: Ident | None = None


@attrs.frozen
class Member:
    """An entity in an example's 名单, and what it belongs to: a region or a linked entity."""

    id: Ident
    parent: Ident
    span: Span = span_field()


@attrs.frozen
class Members:
    """名单 参保人员 { 职工甲: 甲公司, 灵活就业人员戊: 海曙区 }"""

    kind: Ident
    members: tuple[Member, ...]
    span: Span = span_field()


@attrs.frozen
class PeriodCase:
    period: int | None  # None: the example's single, unnamed period
    regions: tuple[Ident, ...]
    given: tuple[Binding, ...]
    opening: tuple[Binding, ...]
    expect: tuple[Binding, ...]
    span: Span = span_field()
    members: tuple[Members, ...] = ()


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
    span: Span = span_field()


@attrs.frozen
class DateLit:
    """A date as drafters write it; `value` is the last day it denotes
    (2025年6月底 → 2025-06-30, 2025年 → 2025-12-31)."""

    text: str
    value: datetime.date
    first: datetime.date  # the first day it denotes
    span: Span = span_field()


class Cycle(enum.Enum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@attrs.frozen
class Recurring:
    """A date that comes round every cycle: 每月25日, 次月10日, 每季度首月底, 次年3月底.

    `offset` 1 puts it in the cycle after the one it recurs for (次月, 次年).
    `month` is the month within the cycle (a quarter's 1–3, a year's 1–12; None
    for a monthly date or a whole quarter or year). With neither `day` nor
    `month_end` it denotes a span, like DateLit's 2025年6月: 每季度, 每年3月.
    Written end forms are normalised: 每季度末 is the last month's end, 每年底 December's.
    """

    unit: Cycle
    offset: int  # 0: 每 (this cycle), 1: 次 (the next one)
    month: int | None
    day: int | None
    month_end: bool
    # As written, Chinese or English; not part of equality: 每月底 and `monthly end`
    # are the same date (pool fmt --keywords rewrites one into the other).
    text: str = attrs.field(eq=False)
    span: Span = span_field()


@attrs.frozen
class Milestone:
    date: DateLit | Recurring
    by: bool  # 前: a deadline rather than a date
    text: Str
    owners: tuple[Str, ...]
    literate: Literate
    span: Span = span_field()


@attrs.frozen
class Task:
    number: int | None
    text: Str
    owners: tuple[Str, ...]
    deadline: DateLit | None  # None: 持续推进 (ongoing)
    literate: Literate
    span: Span = span_field()


@attrs.frozen
class Timeline:
    milestones: tuple[Milestone, ...]
    span: Span = span_field()


@attrs.frozen
class TaskTable:
    label: Str | None
    tasks: tuple[Task, ...]
    span: Span = span_field()


Decl = Union[
    EnumDecl,
    EntityDecl,
    RegionSetDecl,
    ParamDecl,
    InputDecl,
    LetDecl,
    PartyDecl,
    FundDecl,
    Rule,
    Example,
    Timeline,
    TaskTable,
    Choice,
    Constraint,
]


@attrs.frozen
class Header:
    basis: Str | None
    effective_from: DateLit | None
    effective_to: DateLit | None
    region_set: Ident | None
    level: Str | None
    schemes: tuple[Ident, ...]
    span: Span = span_field()
    # What the explainer's front matter needs and no engine reads.
    status: Str | None = None  # 状态: 征求意见稿 / 起草说明 / 正式印发
    doc_number: Str | None = None  # 文号
    issued: DateLit | None = None  # 印发 (施行 is 生效)
    prose: tuple[Str, ...] = ()  # 解读 paragraphs, Markdown, with {{名称}} references
    # 生效 职工医保 2027年3月: a scheme that starts after the policy does; periods before
    # the year it starts cannot be settled for it.
    scheme_starts: tuple[tuple[Ident, DateLit], ...] = ()


@attrs.frozen
class Policy:
    name: Ident
    header: Header
    decls: tuple[Decl, ...]
    span: Span = span_field()


@attrs.frozen
class Import:
    path: Str
    span: Span = span_field()


@attrs.frozen
class Module:
    """One source file: its imports, module-level declarations and at most one policy."""

    file: str
    imports: tuple[Import, ...]
    decls: tuple[Decl, ...]
    policy: Policy | None
    span: Span = span_field()


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
