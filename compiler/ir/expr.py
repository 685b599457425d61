"""IR expressions. Every node is frozen and carries its span; spans are left out
of equality so two expressions that differ only in layout compare equal."""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Union, cast

import attrs

from compiler.source import Span


def span_field() -> Span:
    """A node's span: kept, but left out of equality and repr."""
    return cast(Span, attrs.field(eq=False, repr=False))


@attrs.frozen
class Ident:
    """A name as written, with where it was written."""

    text: str
    span: Span = span_field()


@attrs.frozen
class Str:
    value: str
    span: Span = span_field()


class NumKind(enum.Enum):
    NUMBER = "number"  # 3, 0.5
    PERCENT = "percent"  # 10%
    MONEY = "money"  # 10亿元, stored in 元
    MONTHS = "months"  # 3个月, 3 months


@attrs.frozen
class Num:
    value: Decimal
    kind: NumKind
    text: str  # as written: explainers repeat the drafter's own figures
    span: Span = span_field()


@attrs.frozen
class BoolLit:
    value: bool
    span: Span = span_field()


@attrs.frozen
class Name:
    name: str
    span: Span = span_field()


@attrs.frozen
class FundAll:
    """Everything a fund takes in during the period (`全部`)."""

    span: Span = span_field()


@attrs.frozen
class FundRemaining:
    """What is left in the fund after the rules before this one (`剩余`)."""

    span: Span = span_field()


@attrs.frozen
class Call:
    func: Ident
    args: tuple[Expr, ...]
    span: Span = span_field()
    # An aggregate of entity values: 按 a coarser dimension (REGION_GROUP, or a linked kind;
    # None: the whole set), over the entities where `where` holds.
    group: Ident | None = None
    where: Expr | None = None
    window: Window | None = None  # 前3年 / 近3年: over an input's values of earlier periods


@attrs.frozen
class Window:
    """前N年 (the N periods before) or 近N年 (this period and the N − 1 before)."""

    years: int  # how many periods: years, or months when `unit` is 月
    current: bool  # 近: the window includes this period
    span: Span = span_field()
    unit: str = "年"  # 年; 月 (近12个月, 滚动12个月: months, lowered by compiler/months.py); 全年 (the year's months)


@attrs.frozen
class YearValue:
    """One entry of 按年度: a calendar year (2026) or the policy's nth year (第2年), onward (起) or alone."""

    year: int
    nth: bool
    onward: bool
    value: Expr
    span: Span = span_field()


@attrs.frozen
class Schedule:
    """按年度 { 2025: 4%, 2026起: 3% }: a value by the period's year. Lowered before the checks
    (compiler/years.py) into a choice on the implicit input 年度; no engine sees one."""

    entries: tuple[YearValue, ...]
    span: Span = span_field()


REGION_GROUP = "地区"  # the text of Call.group that means 按 地区


@attrs.frozen
class Binary:
    op: str  # + - * /
    left: Expr
    right: Expr
    span: Span = span_field()
    # What the drafter wrote where compiler/years.py lowered it (平均(征缴收入 前3年)): the explainer
    # says that; the engines and the checks read the lowered form.
    written: Expr | None = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class Neg:
    operand: Expr
    span: Span = span_field()


@attrs.frozen
class Compare:
    op: str  # = != < <= > >=
    left: Expr
    right: Expr
    span: Span = span_field()


@attrs.frozen
class MemberOf:
    operand: Expr
    members: tuple[Ident, ...]
    span: Span = span_field()


@attrs.frozen
class Logical:
    op: str  # and, or, not
    operands: tuple[Expr, ...]
    span: Span = span_field()


@attrs.frozen
class If:
    cond: Expr
    then: Expr
    else_: Expr
    span: Span = span_field()
    written: Expr | None = attrs.field(default=None, eq=False, repr=False)  # 按年度 { … }, as Binary's


@attrs.frozen
class Arm:
    patterns: tuple[Ident, ...] | None  # None: the otherwise arm
    body: Expr
    span: Span = span_field()


@attrs.frozen
class Match:
    subject: Expr
    arms: tuple[Arm, ...]
    span: Span = span_field()


@attrs.frozen
class Band:
    lower: Expr
    upper: Expr | None  # None: open-ended
    value: Expr
    span: Span = span_field()
    # As written: 含 (True), 不含 (False), or unmarked (None), which holds the lower
    # edge and not the upper one.
    lower_mark: bool | None = None
    upper_mark: bool | None = None

    @property
    def holds_lower(self) -> bool:
        return self.lower_mark is not False

    @property
    def holds_upper(self) -> bool:
        return self.upper_mark is True


@attrs.frozen
class Bands:
    """A band table: the value of the band (by default [lower, upper)) that holds the subject,
    or with `progressive`, the sum over bands of the part of the subject in each
    band times that band's rate."""

    subject: Expr
    bands: tuple[Band, ...]
    progressive: bool
    span: Span = span_field()


Expr = Union[
    Num,
    BoolLit,
    Name,
    FundAll,
    FundRemaining,
    Call,
    Binary,
    Neg,
    Compare,
    MemberOf,
    Logical,
    If,
    Match,
    Bands,
    Schedule,
]
