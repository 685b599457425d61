"""Source → the lexemes `pool fmt` lays out: every token and comment, in order.

The IR forgets layout, keywords and comments, so the formatter works from the
concrete tree (a second parser that keeps every token) and the comments the lexer
skips. Each lexeme says what the layout needs to know of the grammar: does it begin
a statement or a clause, does it open or close a block, does it hug its neighbour.
With `keywords` set, keywords are rewritten into that language here, where the rule
each keyword sits in is known.
"""

from __future__ import annotations

import enum
import functools
import re
import unicodedata
from collections.abc import Iterator

import attrs
import lark

from compiler.diagnostics import Diagnostic
from compiler.parsing import keywords
from compiler.parsing.parser import build_parser, parse_tree
from compiler.source import SourceFile

# Statements: each begins a line of its own in a block, at the block's indent.
_ITEMS = frozenset(
    {
        "import_decl",
        "policy",
        "h_basis",
        "h_effective",
        "h_scheme_start",
        "h_regions",
        "h_level",
        "h_schemes",
        "h_status",
        "h_number",
        "h_issued",
        "h_prose",
        "enum_decl",
        "regionset_decl",
        "entity_decl",
        "ex_members",
        "member_entry",
        "param_decl",
        "input_decl",
        "let_decl",
        "constraint_decl",
        "party_decl",
        "fund_decl",
        "rule",
        "example_decl",
        "ex_regions",
        "ex_given",
        "ex_opening",
        "ex_expect",
        "ex_meta",
        "ex_period",
        "timeline_decl",
        "milestone",
        "tasks_decl",
        "task",
        "tier",
        "unassigned",
        "arm",
        "band_closed",
        "band_open",
        "share",
        "weight",
        "region_value",
        "choice_decl",
        "option",
        "choice_default",
    }
)
# Clauses that follow a declaration: set off by two spaces when on the same line.
_CLAUSES = frozenset(
    {
        "bound_min",
        "bound_max",
        "authority",
        "m_quote",
        "m_section",
        "m_note",
        "m_reading",
        "signed",
        "default",
        "c_from",
        "c_to",
        "c_by",
        "c_when",
        "c_cap",
        "c_cumcap",
        "c_except",
        "c_short",
        "c_instalments",
        "c_monthly",
        "c_quarterly",
        "owners",
        "deadline",
        "t_cap",
        "t_total_cap",
    }
)
_NAMED = frozenset(
    {
        "NAME",
        "INT",
        "NUMBER",
        "PERCENT",
        "MONEY",
        "MONTHS",
        "DATE",
        "RECURRING",
        "MONTH_DAY",
        "SUBLABEL",
        "STRING",
        "CMP",
        "ADD",
        "SUB",
        "MUL",
        "_EQ",
        "_ARROW",
        "_COLON",
        "_COMMA",
        "_SEMI",
        "_LPAR",
        "_RPAR",
        "_LBRACE",
        "_RBRACE",
    }
)
# IME full-width punctuation is written back as ASCII; literals keep their own text.
_PUNCTUATION = frozenset(
    {"CMP", "ADD", "SUB", "MUL", "_EQ", "_COLON", "_COMMA", "_SEMI", "_LPAR", "_RPAR", "_LBRACE", "_RBRACE"}
)
# Braces around data hug it, `{贵阳市: 10亿元}`, `属于 {正常、挤占挪用}`; braces around
# statements or shares do not.
_DATA_BRACES = frozenset({"v_regions", "member_of", "ex_members"})
_RECURRING = re.compile(r"([每次])(月|季度|年)(?:([首次末])月|(\d{1,2})月)?(?:(\d{1,2})日|(底|末))?")
_HUG_LEFT = frozenset({"_COMMA", "_SEMI", "_COLON", "_RPAR"})


class Role(enum.Enum):
    PLAIN = "plain"
    ITEM = "item"  # first token of a statement
    CLAUSE = "clause"  # first token of a clause after a declaration
    COMMENT = "comment"


@attrs.frozen
class Lexeme:
    text: str
    line: int  # the source line it came from
    role: Role = Role.PLAIN
    opens: bool = False  # `{`
    closes: bool = False  # `}`
    hug_left: bool = False  # no space before it: `,` `)` a call's `(`
    hug_right: bool = False  # no space after it: `(` a unary minus
    id: int = -1  # position among the tokens (comments have none)
    # The first tokens of the statements, clauses and conditionals this token is
    # inside of, outermost first: a line that starts with this token is indented
    # under the innermost one's line, a step further for each begun on that line.
    anchors: tuple[int, ...] = ()


@functools.cache
def _parser() -> lark.Lark:
    return build_parser(keep_all_tokens=True, lexer_callbacks={"COMMENT": _comments.append})


_comments: list[lark.Token] = []


def lexemes(source: SourceFile, target: str | None = None) -> tuple[list[Lexeme] | None, list[Diagnostic]]:
    """The source's lexemes, keywords in `target` ("zh"/"en") if given; syntax errors otherwise.

    The checking parser runs first so a syntax error reads exactly as `pool check` says it.
    """
    tree, diags = parse_tree(source)
    if tree is None:
        return None, diags
    _comments.clear()
    full = _parser().parse(source.text)
    found = [Lexeme(str(c).rstrip(), c.line or 1, Role.COMMENT) for c in _comments]
    _comments.clear()
    flat = _Flatten(target)
    flat.node(full)
    return _merge(flat.out, found), []


def _merge(tokens: list[Lexeme], comments: list[Lexeme]) -> list[Lexeme]:
    """Comments between the tokens by line: a comment runs to the end of its line,
    so it follows every token on that line."""
    out: list[Lexeme] = []
    i = 0
    for c in comments:
        while i < len(tokens) and tokens[i].line <= c.line:
            out.append(tokens[i])
            i += 1
        out.append(c)
    return out + tokens[i:]


class _Flatten:
    def __init__(self, target: str | None) -> None:
        self.target = target
        self.out: list[Lexeme] = []
        # Statements and clauses being emitted, outermost first: each its first
        # token's id, or None until that token is emitted.
        self.anchors: list[list[int | None]] = []

    def emit(self, lx: Lexeme) -> None:
        chain = tuple(a[0] for a in self.anchors if a[0] is not None)
        for a in self.anchors:
            if a[0] is None:
                a[0] = len(self.out)
        self.out.append(attrs.evolve(lx, id=len(self.out), anchors=chain))

    def node(self, tree: lark.Tree[lark.Token]) -> None:
        start = len(self.out)
        if self.target and str(tree.data).startswith("recur_"):
            written = _recurring(tree, self.target)
            if written is not None:
                tok = next(tree.scan_values(lambda v: isinstance(v, lark.Token)))
                self.emit(Lexeme(written, tok.line or 1))
                return
        anchored = tree.data in _ITEMS or tree.data in _CLAUSES or tree.data == "if_expr"
        if anchored:
            self.anchors.append([None])
        kids = list(tree.children)
        if tree.data == "band_open" and self.target:
            kids = _reorder_band(kids, self.target)
        i = 0
        while i < len(kids):
            kid = kids[i]
            if isinstance(kid, lark.Tree):
                self.node(kid)
            elif _is_mark(kid):
                assert isinstance(kid, lark.Token)
                mark = unicodedata.normalize("NFKC", str(kid))
                text = keywords.translate(mark, "", self.target) if self.target else None
                self.emit(Lexeme(text or mark, kid.line or 1, hug_left=True))
            elif _is_keyword(kid):
                i += self.keyword(kids, i, str(tree.data)) - 1
            else:
                self.token(kid, str(tree.data))
            i += 1
        if anchored:
            self.anchors.pop()
        if len(self.out) > start:
            first = self.out[start]
            if tree.data in _ITEMS:
                self.out[start] = attrs.evolve(first, role=Role.ITEM)
            elif tree.data in _CLAUSES and first.role is Role.PLAIN:
                self.out[start] = attrs.evolve(first, role=Role.CLAUSE)

    def keyword(self, kids: list[lark.Tree[lark.Token] | lark.Token], i: int, rule: str) -> int:
        """Emit the keyword at kids[i]; return how many tokens it took (two for `per region`)."""
        tok = kids[i]
        assert isinstance(tok, lark.Token)
        nxt = kids[i + 1] if i + 1 < len(kids) else None
        if self.target and isinstance(nxt, lark.Token) and _is_keyword(nxt):
            pair = keywords.translate(f"{tok} {nxt}", rule, self.target)
            if pair is not None:
                self.emit(Lexeme(pair, tok.line or 1))
                return 2
        # `险种 A、B` also declares the value 险种 (in English, `scheme`) that rules read:
        # its keyword is its name, so it stays as written.
        text = keywords.translate(str(tok), rule, self.target) if self.target and rule != "h_schemes" else None
        # 2026起, 第2年起: 起 follows its year as written (onward takes a space).
        hug = rule == "onward" and (text or str(tok)) == "起"
        self.emit(Lexeme(text or str(tok), tok.line or 1, hug_left=hug))
        return 1

    def token(self, tok: lark.Token, rule: str) -> None:
        kind = tok.type
        text = unicodedata.normalize("NFKC", str(tok)) if kind in _PUNCTUATION else str(tok)
        self.emit(
            Lexeme(
                text,
                tok.line or 1,
                opens=kind == "_LBRACE",
                closes=kind == "_RBRACE",
                hug_left=kind in _HUG_LEFT
                or text in ("、", ".")
                or (kind == "_LPAR" and rule in ("call", "party_account", "sub_copy", "ex_given_sub", "ex_expect_sub"))
                or (kind == "_RBRACE" and rule in _DATA_BRACES),
                hug_right=kind == "_LPAR"
                or text in ("、", ".")
                or (kind == "SUB" and rule == "neg")
                or (kind == "_LBRACE" and rule in _DATA_BRACES),
            )
        )


def _is_keyword(tok: lark.Tree[lark.Token] | lark.Token | None) -> bool:
    return isinstance(tok, lark.Token) and tok.type not in _NAMED and str(tok)[:1].isalnum()


def _is_mark(tok: lark.Tree[lark.Token] | lark.Token | None) -> bool:
    """A band edge's 含/不含, `(incl)`/`(excl)`: a keyword with its parentheses."""
    return isinstance(tok, lark.Token) and unicodedata.normalize("NFKC", str(tok)) in keywords.EDGE_MARKS


def _reorder_band(
    kids: list[lark.Tree[lark.Token] | lark.Token], target: str
) -> list[lark.Tree[lark.Token] | lark.Token]:
    """`下限 以上 => x` is `from 下限 => x` in English: the keyword changes sides."""
    if target == "en" and len(kids) > 1 and isinstance(kids[1], lark.Token) and str(kids[1]) == "以上":
        return [kids[1], kids[0], *kids[2:]]
    if target == "zh" and kids and isinstance(kids[0], lark.Token) and str(kids[0]) == "from":
        return [kids[1], kids[0], *kids[2:]]
    return kids


_ZH_CYCLES = {
    ("每", "月"): "monthly",
    ("次", "月"): "next-month",
    ("每", "季度"): "quarterly",
    ("每", "年"): "yearly",
    ("次", "年"): "next-year",
}
_EN_CYCLES = {
    "recur_month": "每月",
    "recur_next_month": "次月",
    "recur_quarter": "每季度",
    "recur_year": "每年",
    "recur_next_year": "次年",
}
_QUARTER_MONTHS = {"首": "first-month", "次": "second-month", "末": "last-month"}
_EN_QUARTER_MONTHS = {"qm_first": "首月", "qm_second": "次月", "qm_last": "末月"}


def _recurring(tree: lark.Tree[lark.Token], target: str) -> str | None:
    """A recurring date written in the other language (每月25日 ↔ monthly 25), or None
    when it already is in `target`. 末 and 底 both become `end`, and `end` becomes 底."""
    if tree.data == "recur_zh":
        if target != "en":
            return None
        m = _RECURRING.fullmatch(str(tree.children[0]))
        assert m, tree
        parts = [_ZH_CYCLES[(m[1], m[2])]]
        day = m[5] or ("end" if m[6] else None)
        if m[3]:
            parts.append(_QUARTER_MONTHS[m[3]])
        if m[4]:
            parts.append(f"{m[4]}-{day}" if day else m[4])
        elif day:
            parts.append(day)
        return " ".join(parts)
    if target != "zh":
        return None
    out = _EN_CYCLES[str(tree.data)]
    for node in _topdown(tree):
        arg = str(node.children[-1]) if node.children else ""
        if node.data == "day_number":
            out += f"{arg}日"
        elif node.data == "day_end":
            out += "底"
        elif node.data in _EN_QUARTER_MONTHS:
            out += _EN_QUARTER_MONTHS[str(node.data)]
        elif node.data == "yp_month":
            out += f"{arg}月"
        elif node.data == "yp_month_day":
            month, _, day = arg.partition("-")
            out += f"{month}月" + ("底" if day == "end" else f"{day}日")
    return out


def _topdown(tree: lark.Tree[lark.Token]) -> Iterator[lark.Tree[lark.Token]]:
    """The tree and the trees below it in written order (Lark's own walk is untyped)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        stack += reversed([c for c in node.children if isinstance(c, lark.Tree)])


# ---- tokens with their kind and position, for editors -----------------------------

_TOKEN_KINDS = {
    "NAME": "name",
    "STRING": "string",
    "INT": "number",
    "NUMBER": "number",
    "PERCENT": "percent",
    "MONEY": "money",
    "MONTHS": "number",
    "DATE": "date",
    "RECURRING": "date",
    "MONTH_DAY": "date",
    "YEAR_ZH": "date",
    "NTH_YEAR": "date",
    "INSTALMENTS": "keyword",
    "WINDOW": "keyword",
    "SUBLABEL": "date",
    "CMP": "operator",
    "ADD": "operator",
    "SUB": "operator",
    "MUL": "operator",
    "_EQ": "operator",
    "_ARROW": "operator",
}


@attrs.frozen
class Token:
    """A token as the parser read it: kind is keyword, name, string, number, percent,
    money, date, operator, punctuation or comment; line and column are 1-based."""

    kind: str
    text: str
    line: int
    column: int


def tokens(source: SourceFile) -> list[Token] | None:
    """Every token and comment of a source that parses, in order; None if it does not.
    The parser's context decides what is a keyword: 上解 in `上解 基础上解额` is one,
    the 上解 inside 基础上解额 is part of a name."""
    tree, _diags = parse_tree(source)
    if tree is None:
        return None
    _comments.clear()
    full = _parser().parse(source.text)
    out = [Token("comment", str(c).rstrip(), c.line or 1, c.column or 1) for c in _comments]
    _comments.clear()
    for tok in full.scan_values(lambda v: isinstance(v, lark.Token)):
        kind = "keyword" if _is_keyword(tok) or _is_mark(tok) else _TOKEN_KINDS.get(tok.type, "punctuation")
        out.append(Token(kind, str(tok), tok.line or 1, tok.column or 1))
    return sorted(out, key=lambda t: (t.line, t.column))
