"""Lark tree → IR for the leaves every declaration shares: spans, names,
strings, dates, clauses, and expressions."""

from __future__ import annotations

import calendar
import datetime
import re
from decimal import Decimal, InvalidOperation

from lark import Token, Tree

from compiler.diagnostics import Diagnostic, diag
from compiler.ir import nodes as ir
from compiler.messages import Text
from compiler.runtime import shift
from compiler.source import SourceFile, Span

T = Tree[Token]
_MONEY_UNITS = {"亿元": 8, "万元": 4, "元": 0}  # powers of ten, applied exactly by shift()
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
_CMP = {"≥": ">=", "≤": "<=", "≠": "!=", "==": "=", "＞": ">", "＜": "<"}
_ARITH = {"×": "*", "＊": "*", "÷": "/", "／": "/", "＋": "+", "－": "-", "−": "-"}
_RECURRING = re.compile(r"([每次])(月|季度|年)(?:([首次末])月|(\d{1,2})月)?(?:(\d{1,2})日|(底|末))?")
_CYCLES = {"月": ir.Cycle.MONTH, "季度": ir.Cycle.QUARTER, "年": ir.Cycle.YEAR}
_EN_CYCLES = {
    "recur_month": (ir.Cycle.MONTH, 0), "recur_next_month": (ir.Cycle.MONTH, 1), "recur_quarter": (ir.Cycle.QUARTER, 0),
    "recur_year": (ir.Cycle.YEAR, 0), "recur_next_year": (ir.Cycle.YEAR, 1),
}  # fmt: skip
_QUARTER_MONTHS = {"首": 1, "次": 2, "末": 3, "qm_first": 1, "qm_second": 2, "qm_last": 3}


class LeafLowering:
    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.file = source.path
        self.diags: list[Diagnostic] = []
        self.fund: ir.Ident | None = None

    # ---- spans and leaves

    def span(self, node: T | Token) -> Span:
        if isinstance(node, Token):
            return Span(self.file, node.line or 1, node.column or 1, node.end_line or 1, node.end_column or 1)
        m = node.meta
        if m.empty:
            return Span(self.file, 1, 1, 1, 1)
        return Span(self.file, m.line, m.column, m.end_line, m.end_column)

    def source_text(self, tree: T) -> str:
        m = tree.meta
        return self.source.text[m.start_pos : m.end_pos] if not m.empty else ""

    def ident(self, tok: Token) -> ir.Ident:
        return ir.Ident(str(tok), self.span(tok))

    def string(self, tok: Token) -> ir.Str:
        raw = str(tok)
        body = raw[1:-1]
        if raw.startswith('"'):

            def unescape(m: re.Match[str]) -> str:
                ch = m.group(1)
                if ch not in _ESCAPES:
                    sp = self.span(tok)
                    col = sp.column + 1 + m.start()  # the backslash, after the opening quote
                    at = Span(sp.file, sp.line, col, sp.line, col + 2)
                    self.diags.append(diag("E104", at, what=Text("转义序列", "escape sequence"), text="\\" + ch))
                    return ch
                return _ESCAPES[ch]

            body = re.sub(r"\\(.)", unescape, body)
        return ir.Str(body, self.span(tok))

    def date(self, tok: Token) -> ir.DateLit:
        text = str(tok)
        sp = self.span(tok)
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text) or re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", text)
        try:
            if m:
                d = datetime.date(int(m[1]), int(m[2]), int(m[3]))
                return ir.DateLit(text, d, d, sp)
            m = re.fullmatch(r"(\d{4})年(?:(\d{1,2})月)?(底|末)?", text)
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

    def recurring(self, tree: T) -> ir.Recurring:
        month: int | None = None
        day: int | None = None
        if tree.data == "recur_zh":
            text = str(tree.children[0])
            m = _RECURRING.fullmatch(text)
            assert m, text
            unit, offset = _CYCLES[m[2]], int(m[1] == "次")
            month = _QUARTER_MONTHS[m[3]] if m[3] else (int(m[4]) if m[4] else None)
            day = int(m[5]) if m[5] else None
            end = m[6] is not None
        else:
            text = " ".join(self.source_text(tree).split())
            unit, offset = _EN_CYCLES[str(tree.data)]
            end = False
            for c in _subtrees(tree):
                arg = str(c.children[0]) if c.children else ""
                if c.data == "day_number":
                    day = int(arg)
                elif c.data == "day_end":
                    end = True
                elif c.data in _QUARTER_MONTHS:
                    month = _QUARTER_MONTHS[str(c.data)]
                elif c.data == "yp_month":
                    month = int(arg)
                elif c.data == "yp_month_day":
                    mo, _, d = arg.partition("-")
                    month, day, end = int(mo), (None if d == "end" else int(d)), d == "end"
        if end and month is None and unit is not ir.Cycle.MONTH:
            month = 3 if unit is ir.Cycle.QUARTER else 12  # 每季度末, 每年底: the end of the cycle's last month
        r = ir.Recurring(unit, offset, month, day, end, text, self.span(tree))
        if not _possible(r):
            self.diags.append(diag("E104", r.span, what=Text("日期", "date"), text=text))
        return r

    def literate(self, metas: list[T], owner: T) -> ir.Literate:
        quote = section = note = reading = None
        span = self.span(metas[0]).to(self.span(metas[-1])) if metas else self.span(owner)
        for m in metas:
            s = self.string(m.children[0])  # type: ignore[arg-type]
            if m.data == "m_quote":
                quote = s
            elif m.data == "m_note":
                note = s
            elif m.data == "m_reading":
                reading = s
            else:
                section = s
        return ir.Literate(quote, section, span, note=note, reading=reading)

    def label(self, tree: T) -> ir.Str:
        tok = tree.children[0]
        assert isinstance(tok, Token)
        return self.string(tok) if tree.data == "label_string" else ir.Str(str(tok), self.span(tok))

    def names(self, tree: T) -> tuple[ir.Ident, ...]:
        return tuple(self.ident(t) for t in tree.children if isinstance(t, Token) and t.type == "NAME")

    def owners(self, tree: T) -> tuple[ir.Str, ...]:
        return tuple(self.label(t) for t in _trees(tree))

    # ---- expressions

    def expr(self, tree: T | Token) -> ir.Expr:
        assert isinstance(tree, Tree), tree
        sp = self.span(tree)
        k = tree.children
        d = str(tree.data)
        if d in ("number", "percent", "money"):
            return self.number(k[0], d, sp)  # type: ignore[arg-type]
        if d in ("true", "false"):
            return ir.BoolLit(d == "true", sp)
        if d == "fund_all":
            return ir.FundAll(sp)
        if d == "fund_remaining":
            return ir.FundRemaining(sp)
        if d == "name":
            return ir.Name(str(k[0]), sp)
        if d == "call":
            return ir.Call(self.ident(k[0]), tuple(self.expr(a) for a in k[1:]), sp)  # type: ignore[arg-type]
        if d == "binop":
            op = str(k[1])
            return ir.Binary(_ARITH.get(op, op), self.expr(k[0]), self.expr(k[2]), sp)
        if d == "neg":
            return ir.Neg(self.expr(k[1]), sp)
        if d == "compare":
            op = str(k[1])
            return ir.Compare(_CMP.get(op, op), self.expr(k[0]), self.expr(k[2]), sp)
        if d == "compare_eq":
            return ir.Compare("=", self.expr(k[0]), self.expr(k[1]), sp)
        if d == "member_of":
            return ir.MemberOf(self.expr(k[0]), self.names(k[1]), sp)  # type: ignore[arg-type]
        if d in ("or_expr", "and_expr", "not_expr"):
            return ir.Logical(d[:-5], tuple(self.expr(c) for c in k), sp)
        if d == "if_expr":
            return ir.If(self.expr(k[0]), self.expr(k[1]), self.expr(k[2]), sp)
        if d == "match_expr":
            return ir.Match(self.expr(k[0]), tuple(self.arm(a) for a in k[1:]), sp)  # type: ignore[arg-type]
        if d in ("bands_expr", "progressive_expr"):
            bands = tuple(self.band(b) for b in k[1:])  # type: ignore[arg-type]
            return ir.Bands(self.expr(k[0]), bands, d == "progressive_expr", sp)
        raise AssertionError(f"unknown expression tree {d}")

    def number(self, tok: Token, kind: str, sp: Span) -> ir.Num:
        text = str(tok)
        if kind == "money":
            m = re.fullmatch(r"([0-9.]+)(亿元|万元|元)", text)
            assert m
            return ir.Num(shift(Decimal(m[1]), _MONEY_UNITS[m[2]]), ir.NumKind.MONEY, text, sp)
        if kind == "percent":
            digits = text[:-1]
            return ir.Num(shift(Decimal(digits), -2), ir.NumKind.PERCENT, digits + "%", sp)
        scale = {"万": 4, "亿": 8}.get(text[-1], 0)
        digits = text.rstrip("万亿")
        try:
            return ir.Num(shift(Decimal(digits), scale), ir.NumKind.NUMBER, text, sp)
        except InvalidOperation:  # the grammar admits only digits; kept for safety
            self.diags.append(diag("E104", sp, what=Text("数字", "number"), text=text))
            return ir.Num(Decimal(0), ir.NumKind.NUMBER, text, sp)

    def arm(self, tree: T) -> ir.Arm:
        pat, body = tree.children
        assert isinstance(pat, Tree)
        patterns = None if pat.data == "p_other" else self.names(pat)
        return ir.Arm(patterns, self.expr(body), self.span(tree))

    def band(self, tree: T) -> ir.Band:
        k = tree.children
        if tree.data == "band_closed":
            return ir.Band(self.expr(k[0]), self.expr(k[1]), self.expr(k[2]), self.span(tree))
        return ir.Band(self.expr(k[0]), None, self.expr(k[1]), self.span(tree))


def _trees(tree: T) -> list[T]:
    return [c for c in tree.children if isinstance(c, Tree)]


def _trees_of(children: list[T | Token]) -> list[T]:
    return [c for c in children if isinstance(c, Tree)]


def _subtrees(tree: T) -> list[T]:
    """The tree and every tree below it (Lark's own walk is untyped)."""
    return [tree, *(s for c in _trees(tree) for s in _subtrees(c))]


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
