"""Lark tree → IR for the leaves every declaration shares: names, strings, dates,
recurring dates, literate metadata, and expressions.

`LeafLowering` is a Lark Transformer: one method per grammar rule or alias
(grammar/pool.lark), each given the node's `meta` (its position) and its children
already lowered, bottom-up and without recursion (a sum of 1,000 terms is a tree
1,000 deep). Tokens come as they are and the rule holding one lowers it (`_ident`,
`_string`, `_date`): Lark's per-token callbacks cost a fifth of the time lowering
takes. Bad literals become diagnostics and a placeholder, never an exception.
"""

from __future__ import annotations

import calendar
import datetime
import enum
import functools
import re
import types
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal, InvalidOperation

import attrs
from lark import Token, Transformer_NonRecursive, v_args
from lark.tree import Meta

from compiler.diagnostics import Diagnostic, diag
from compiler.ir import nodes as ir
from compiler.ir.expr import REGION_GROUP
from compiler.ir.subperiods import sub_name
from compiler.messages import Text
from compiler.runtime import shift
from compiler.source import SourceFile, Span

_MONEY_UNITS = {"亿元": 8, "万元": 4, "元": 0}  # powers of ten, applied exactly by shift()
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
_CMP = {"≥": ">=", "≤": "<=", "≠": "!=", "==": "=", "＞": ">", "＜": "<"}
_ARITH = {"×": "*", "＊": "*", "÷": "/", "／": "/", "＋": "+", "－": "-", "−": "-"}
_RECURRING = re.compile(r"([每次])(月|季度|年)(?:([首次末])月|(\d{1,2})月)?(?:(\d{1,2})日|(底|末))?")
_MONEY = re.compile(r"([0-9.]+)(亿元|万元|元)")
_MONTHS = re.compile(r"([0-9.]+)(个月|[ ]+months?)")
_ESCAPE = re.compile(r"\\(.)")
_DAY = (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"))
_MONTH_OR_YEAR = re.compile(r"(\d{4})年(?:(\d{1,2})月)?(底|末)?")
_CYCLES = {"月": ir.Cycle.MONTH, "季度": ir.Cycle.QUARTER, "年": ir.Cycle.YEAR}
_QUARTER_MONTHS = {"首": 1, "次": 2, "末": 3}


class MetaKind(enum.Enum):
    QUOTE = "quote"  # 原文
    SECTION = "section"  # 条款
    NOTE = "note"  # 说明
    READING = "reading"  # 理解


@attrs.frozen
class MetaLine:
    """One 原文/条款/说明/理解 clause, before `_literate` gathers a declaration's. The
    text is lowered there, not here: a clause nothing gathers (one written inside an
    example's 期 block) reports no bad escape, as before."""

    kind: MetaKind
    text: Token
    span: Span


@attrs.frozen
class RecurPart:
    """A piece of an English recurring date: a month, a day, or the end of the cycle."""

    month: int | None = None
    day: int | None = None
    end: bool = False


@attrs.frozen
class CallClause:
    """按 … or 当 … inside an aggregate's parentheses, gathered by `call`."""

    group: ir.Ident | None
    where: ir.Expr | None
    window: ir.Window | None = None


@v_args(inline=True, meta=True)
class LeafLowering(Transformer_NonRecursive[Token, ir.Module]):
    """Leaves and expressions; `lower.Lowering` adds the declarations."""

    def __init__(self, source: SourceFile) -> None:
        super().__init__(visit_tokens=False)
        self.source = source
        self.file = source.path
        self.diags: list[Diagnostic] = []
        # Bind each callback once. Lark finds a callback with getattr(self, rule), and a
        # method under v_args rebuilds its wrapper (functools.update_wrapper) on every
        # such lookup: that alone doubled the time lowering takes. A bound method in the
        # instance's dict is found first and still carries the wrapper's visit_wrapper.
        for name, callback in _callbacks(type(self)):
            self.__dict__[name] = types.MethodType(callback, self)

    # ---- spans and helpers (underscored: Lark takes every public method for a rule)

    def _span(self, meta: Meta) -> Span:
        if meta.empty:
            return Span(self.file, 1, 1, 1, 1)
        return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    def _token_span(self, tok: Token) -> Span:
        return Span(self.file, tok.line or 1, tok.column or 1, tok.end_line or 1, tok.end_column or 1)

    def _source_text(self, meta: Meta) -> str:
        return self.source.text[meta.start_pos : meta.end_pos] if not meta.empty else ""

    def _literate(self, metas: Sequence[MetaLine], meta: Meta) -> ir.Literate:
        """The metadata of the declaration at `meta`; its span covers the clauses, or
        the declaration when it has none."""
        quote = section = note = reading = None
        span = metas[0].span.to(metas[-1].span) if metas else self._span(meta)
        for m in metas:
            text = self._string(m.text)
            if m.kind is MetaKind.QUOTE:
                quote = text
            elif m.kind is MetaKind.NOTE:
                note = text
            elif m.kind is MetaKind.READING:
                reading = text
            else:
                section = text
        return ir.Literate(quote, section, span, note=note, reading=reading)

    # ---- tokens

    def _ident(self, tok: Token) -> ir.Ident:
        return ir.Ident(str(tok), self._token_span(tok))

    def _string(self, tok: Token) -> ir.Str:
        raw = str(tok)
        body = raw[1:-1]
        if raw.startswith('"'):

            def unescape(m: re.Match[str]) -> str:
                ch = m.group(1)
                if ch not in _ESCAPES:
                    sp = self._token_span(tok)
                    col = sp.column + 1 + m.start()  # the backslash, after the opening quote
                    at = Span(sp.file, sp.line, col, sp.line, col + 2)
                    self.diags.append(diag("E104", at, what=Text("转义序列", "escape sequence"), text="\\" + ch))
                    return ch
                return _ESCAPES[ch]

            body = _ESCAPE.sub(unescape, body)
        return ir.Str(body, self._token_span(tok))

    def _date(self, tok: Token) -> ir.DateLit:
        text = str(tok)
        sp = self._token_span(tok)
        m = _DAY[0].fullmatch(text) or _DAY[1].fullmatch(text)
        try:
            if m:
                d = datetime.date(int(m[1]), int(m[2]), int(m[3]))
                return ir.DateLit(text, d, d, sp)
            m = _MONTH_OR_YEAR.fullmatch(text)
            assert m, text
            year = int(m[1])
            if m[2] is None:
                first = datetime.date(year, 12 if m[3] else 1, 31 if m[3] else 1)
                return ir.DateLit(text, datetime.date(year, 12, 31), first, sp)
            month = int(m[2])
            last = datetime.date(year, month, calendar.monthrange(year, month)[1])
            return ir.DateLit(text, last, last if m[3] else datetime.date(year, month, 1), sp)
        except ValueError:
            self.diags.append(diag("E104", sp, what=Text("日期", "date"), text=text))
            return ir.DateLit(text, datetime.date(1, 1, 1), datetime.date(1, 1, 1), sp)

    # ---- names, labels, literate metadata

    def name_list(self, meta: Meta, *names: Token) -> tuple[ir.Ident, ...]:
        return tuple(self._ident(n) for n in names)

    def label_name(self, meta: Meta, name: Token) -> ir.Str:
        return ir.Str(str(name), self._token_span(name))

    def label_string(self, meta: Meta, text: Token) -> ir.Str:
        return self._string(text)

    def owner_list(self, meta: Meta, *labels: ir.Str) -> tuple[ir.Str, ...]:
        return labels

    def m_quote(self, meta: Meta, text: Token) -> MetaLine:
        return MetaLine(MetaKind.QUOTE, text, self._span(meta))

    def m_section(self, meta: Meta, text: Token) -> MetaLine:
        return MetaLine(MetaKind.SECTION, text, self._span(meta))

    def m_note(self, meta: Meta, text: Token) -> MetaLine:
        return MetaLine(MetaKind.NOTE, text, self._span(meta))

    def m_reading(self, meta: Meta, text: Token) -> MetaLine:
        return MetaLine(MetaKind.READING, text, self._span(meta))

    # ---- recurring dates (每月25日, monthly 25, next-year 3-end)

    def recur_zh(self, meta: Meta, tok: Token) -> ir.Recurring:
        text = str(tok)
        m = _RECURRING.fullmatch(text)
        assert m, text
        month = _QUARTER_MONTHS[m[3]] if m[3] else (int(m[4]) if m[4] else None)
        day = int(m[5]) if m[5] else None
        return self._recurring(_CYCLES[m[2]], int(m[1] == "次"), month, day, m[6] is not None, text, meta)

    def recur_month(self, meta: Meta, *parts: RecurPart) -> ir.Recurring:
        return self._recurring_en(ir.Cycle.MONTH, 0, parts, meta)

    def recur_next_month(self, meta: Meta, *parts: RecurPart) -> ir.Recurring:
        return self._recurring_en(ir.Cycle.MONTH, 1, parts, meta)

    def recur_quarter(self, meta: Meta, *parts: RecurPart) -> ir.Recurring:
        return self._recurring_en(ir.Cycle.QUARTER, 0, parts, meta)

    def recur_year(self, meta: Meta, *parts: RecurPart) -> ir.Recurring:
        return self._recurring_en(ir.Cycle.YEAR, 0, parts, meta)

    def recur_next_year(self, meta: Meta, *parts: RecurPart) -> ir.Recurring:
        return self._recurring_en(ir.Cycle.YEAR, 1, parts, meta)

    def day_number(self, meta: Meta, day: Token) -> RecurPart:
        return RecurPart(day=int(day))

    def day_end(self, meta: Meta) -> RecurPart:
        return RecurPart(end=True)

    def qm_first(self, meta: Meta) -> RecurPart:
        return RecurPart(month=1)

    def qm_second(self, meta: Meta) -> RecurPart:
        return RecurPart(month=2)

    def qm_last(self, meta: Meta) -> RecurPart:
        return RecurPart(month=3)

    def quarter_part(self, meta: Meta, month: RecurPart, day: RecurPart) -> RecurPart:
        return RecurPart(month.month, day.day, day.end)

    def yp_month(self, meta: Meta, month: Token) -> RecurPart:
        return RecurPart(month=int(month))

    def yp_month_day(self, meta: Meta, tok: Token) -> RecurPart:
        mo, _, d = str(tok).partition("-")
        return RecurPart(int(mo), None if d == "end" else int(d), d == "end")

    def _recurring_en(self, unit: ir.Cycle, offset: int, parts: Iterable[RecurPart], meta: Meta) -> ir.Recurring:
        month = day = None
        end = False
        for p in parts:
            month = p.month if p.month is not None else month
            day = p.day if p.day is not None else day
            end = end or p.end
        text = " ".join(self._source_text(meta).split())
        return self._recurring(unit, offset, month, day, end, text, meta)

    def _recurring(
        self, unit: ir.Cycle, offset: int, month: int | None, day: int | None, end: bool, text: str, meta: Meta
    ) -> ir.Recurring:
        if end and month is None and unit is not ir.Cycle.MONTH:
            month = 3 if unit is ir.Cycle.QUARTER else 12  # 每季度末, 每年底: the end of the cycle's last month
        r = ir.Recurring(unit, offset, month, day, end, text, self._span(meta))
        if not _possible(r):
            self.diags.append(diag("E104", r.span, what=Text("日期", "date"), text=text))
        return r

    # ---- expressions: literals and names

    def number(self, meta: Meta, tok: Token) -> ir.Num:
        text = str(tok)
        sp = self._span(meta)
        scale = {"万": 4, "亿": 8}.get(text[-1], 0)
        digits = text.rstrip("万亿")
        try:
            return ir.Num(shift(Decimal(digits), scale), ir.NumKind.NUMBER, text, sp)
        except InvalidOperation:  # the grammar admits only digits; kept for safety
            self.diags.append(diag("E104", sp, what=Text("数字", "number"), text=text))
            return ir.Num(Decimal(0), ir.NumKind.NUMBER, text, sp)

    def percent(self, meta: Meta, tok: Token) -> ir.Num:
        digits = str(tok)[:-1]
        return ir.Num(shift(Decimal(digits), -2), ir.NumKind.PERCENT, digits + "%", self._span(meta))

    def money(self, meta: Meta, tok: Token) -> ir.Num:
        text = str(tok)
        m = _MONEY.fullmatch(text)
        assert m
        return ir.Num(shift(Decimal(m[1]), _MONEY_UNITS[m[2]]), ir.NumKind.MONEY, text, self._span(meta))

    def months(self, meta: Meta, tok: Token) -> ir.Num:
        m = _MONTHS.fullmatch(str(tok))
        assert m
        return ir.Num(Decimal(m[1]), ir.NumKind.MONTHS, str(tok), self._span(meta))

    def true(self, meta: Meta) -> ir.Expr:
        return ir.BoolLit(True, self._span(meta))

    def false(self, meta: Meta) -> ir.Expr:
        return ir.BoolLit(False, self._span(meta))

    def fund_all(self, meta: Meta) -> ir.Expr:
        return ir.FundAll(self._span(meta))

    def fund_remaining(self, meta: Meta) -> ir.Expr:
        return ir.FundRemaining(self._span(meta))

    def name(self, meta: Meta, name: Token) -> ir.Expr:
        return ir.Name(str(name), self._span(meta))

    def call(self, meta: Meta, function: Token, *args: ir.Expr | CallClause) -> ir.Expr:
        exprs = tuple(a for a in args if not isinstance(a, CallClause))
        group = next((a.group for a in args if isinstance(a, CallClause) and a.group is not None), None)
        where = next((a.where for a in args if isinstance(a, CallClause) and a.where is not None), None)
        window = next((a.window for a in args if isinstance(a, CallClause) and a.window is not None), None)
        return ir.Call(self._ident(function), exprs, self._span(meta), group, where, window)

    def g_by_region(self, meta: Meta) -> CallClause:
        return CallClause(ir.Ident(REGION_GROUP, self._span(meta)), None)

    def g_by_kind(self, meta: Meta, kind: Token) -> CallClause:
        return CallClause(self._ident(kind), None)

    def g_when(self, meta: Meta, cond: ir.Expr) -> CallClause:
        return CallClause(None, cond)

    def g_window(self, meta: Meta, token: Token) -> CallClause:
        text = str(token)
        span = self._span(meta)
        if text.endswith("个月"):  # 近12个月, 前3个月, 滚动12个月
            count = int(text.removeprefix("滚动")[0 if text.startswith("滚动") else 1 : -2])
            return CallClause(None, None, ir.Window(count, text[0] != "前", span, "月"))
        return CallClause(None, None, ir.Window(int(text[1:-1]), text[0] == "近", span))

    def g_whole_year(self, meta: Meta) -> CallClause:
        return CallClause(None, None, ir.Window(12, True, self._span(meta), "全年"))

    def g_before_months(self, meta: Meta, months: Token) -> CallClause:
        return CallClause(None, None, ir.Window(_count(months), False, self._span(meta), "月"))

    def g_recent_months(self, meta: Meta, months: Token) -> CallClause:
        return CallClause(None, None, ir.Window(_count(months), True, self._span(meta), "月"))

    def sub_copy(self, meta: Meta, name: Token, label: Token) -> ir.Expr:
        """实际发生费用(3月): the month's copy compiler/months.py makes, named as it names it."""
        return ir.Name(sub_name(str(name), str(label)), self._span(meta))

    def g_before(self, meta: Meta, years: Token) -> CallClause:
        return CallClause(None, None, ir.Window(int(years), False, self._span(meta)))

    def g_recent(self, meta: Meta, years: Token) -> CallClause:
        return CallClause(None, None, ir.Window(int(years), True, self._span(meta)))

    def schedule(self, meta: Meta, *entries: ir.YearValue) -> ir.Expr:
        return ir.Schedule(entries, self._span(meta))

    def year_value(self, meta: Meta, key: tuple[int, bool, bool], value: ir.Expr) -> ir.YearValue:
        year, nth, onward = key
        return ir.YearValue(year, nth, onward, value, self._span(meta))

    def y_calendar(self, meta: Meta, year: Token, onward: bool = False) -> tuple[int, bool, bool]:
        return int(str(year).rstrip("年")), False, onward

    def y_nth(self, meta: Meta, year: Token, onward: bool = False) -> tuple[int, bool, bool]:
        return int(str(year).strip("第年")), True, onward

    def onward(self, meta: Meta) -> bool:
        return True

    # ---- expressions: operators

    def binop(self, meta: Meta, left: ir.Expr, op: Token, right: ir.Expr) -> ir.Expr:
        return ir.Binary(_ARITH.get(str(op), str(op)), left, right, self._span(meta))

    def neg(self, meta: Meta, minus: Token, operand: ir.Expr) -> ir.Expr:
        return ir.Neg(operand, self._span(meta))

    def compare(self, meta: Meta, left: ir.Expr, op: Token, right: ir.Expr) -> ir.Expr:
        return ir.Compare(_CMP.get(str(op), str(op)), left, right, self._span(meta))

    def compare_eq(self, meta: Meta, left: ir.Expr, right: ir.Expr) -> ir.Expr:
        return ir.Compare("=", left, right, self._span(meta))

    def member_of(self, meta: Meta, value: ir.Expr, members: tuple[ir.Ident, ...]) -> ir.Expr:
        return ir.MemberOf(value, members, self._span(meta))

    def or_expr(self, meta: Meta, *operands: ir.Expr) -> ir.Expr:
        return ir.Logical("or", operands, self._span(meta))

    def and_expr(self, meta: Meta, *operands: ir.Expr) -> ir.Expr:
        return ir.Logical("and", operands, self._span(meta))

    def not_expr(self, meta: Meta, *operands: ir.Expr) -> ir.Expr:
        return ir.Logical("not", operands, self._span(meta))

    def if_expr(self, meta: Meta, cond: ir.Expr, then: ir.Expr, otherwise: ir.Expr) -> ir.Expr:
        return ir.If(cond, then, otherwise, self._span(meta))

    # ---- expressions: match, bands

    def match_expr(self, meta: Meta, subject: ir.Expr, *arms: ir.Arm) -> ir.Expr:
        return ir.Match(subject, arms, self._span(meta))

    def arm(self, meta: Meta, patterns: tuple[ir.Ident, ...] | None, body: ir.Expr) -> ir.Arm:
        return ir.Arm(patterns, body, self._span(meta))

    def p_names(self, meta: Meta, *names: Token) -> tuple[ir.Ident, ...]:
        return tuple(self._ident(n) for n in names)

    def p_other(self, meta: Meta) -> None:
        return None

    def bands_expr(self, meta: Meta, subject: ir.Expr, *bands: ir.Band) -> ir.Expr:
        return ir.Bands(subject, bands, False, self._span(meta))

    def progressive_expr(self, meta: Meta, subject: ir.Expr, *bands: ir.Band) -> ir.Expr:
        return ir.Bands(subject, bands, True, self._span(meta))

    def band_closed(self, meta: Meta, low: _Edge, high: _Edge, value: ir.Expr) -> ir.Band:
        (lo, lo_mark), (hi, hi_mark) = _edge(low), _edge(high)
        return ir.Band(lo, hi, value, self._span(meta), lo_mark, hi_mark)

    def band_open(self, meta: Meta, low: _Edge, value: ir.Expr) -> ir.Band:
        lo, mark = _edge(low)
        return ir.Band(lo, None, value, self._span(meta), mark)

    def edge_in(self, meta: Meta, e: ir.Expr) -> tuple[ir.Expr, bool]:
        return (e, True)

    def edge_ex(self, meta: Meta, e: ir.Expr) -> tuple[ir.Expr, bool]:
        return (e, False)


# A band's edge as lowered: the expression, with its mark 含/不含 when it has one.
_Edge = ir.Expr | tuple[ir.Expr, bool]


def _edge(e: _Edge) -> tuple[ir.Expr, bool | None]:
    return e if isinstance(e, tuple) else (e, None)


@functools.cache
def _callbacks(cls: type) -> tuple[tuple[str, Callable[..., object]], ...]:
    """The methods v_args wrapped, those Lark calls for a rule, each as looked up on the class."""
    found = ((n, getattr(cls, n)) for n in dir(cls) if not n.startswith("_"))
    return tuple((n, f) for n, f in found if hasattr(f, "visit_wrapper"))


def _possible(r: ir.Recurring) -> bool:
    """Does the day exist in at least one of the months it recurs in? 每月31日 does
    (in seven of them), 每月32日 and 每年2月30日 never do. February counts 29 days."""
    if r.unit is ir.Cycle.YEAR and r.month is not None and not 1 <= r.month <= 12:
        return False
    if r.day is None:
        return True
    if r.unit is ir.Cycle.MONTH:
        months = list(range(1, 13))
    elif r.unit is ir.Cycle.QUARTER:
        months = [(r.month or 1) + 3 * q for q in range(4)]
    else:
        months = [r.month or 1]
    return 1 <= r.day <= max(calendar.monthrange(2024, m)[1] for m in months)


def _count(months: Token) -> int:
    """3 of `3 months` (a MONTHS token, whole months only)."""
    m = _MONTHS.fullmatch(str(months))
    assert m is not None
    return int(Decimal(m[1]))
