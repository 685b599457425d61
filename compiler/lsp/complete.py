"""Completion: what may be written at the cursor, judged from the text before it.

The text being typed is often not a valid policy, so the context comes from the
line before the cursor (the keyword just written, an open `{`), and the names from
the last analysis that had a program. Full-width letters and punctuation typed by an
IME (ｐａｒａｍ, ：, ｛) are read as their ASCII forms.
"""

from __future__ import annotations

import enum
import re
import unicodedata

import attrs

from compiler.ir import functions
from compiler.ir import nodes as ir
from compiler.ir.types import BUILTIN_TYPES
from compiler.lsp.analysis import Analysis
from compiler.parsing import keywords


class Kind(enum.Enum):
    KEYWORD = "keyword"
    PARAM = "param"
    INPUT = "input"
    VALUE = "value"  # a derived value or a rule's amount
    PARTY = "party"
    FUND = "fund"
    TYPE = "type"
    ENUM_MEMBER = "member"
    REGION = "region"
    REGIONSET = "regionset"
    FUNCTION = "function"


@attrs.frozen
class Candidate:
    label: str
    kind: Kind
    detail: str = ""
    insert: str | None = None  # text to insert, when not the label
    rank: int = 1  # lower first
    per_region: bool = False


# Keywords that begin a statement, and those that may appear inside an expression.
_STATEMENTS = (
    "导入",
    "政策",
    "依据",
    "生效",
    "地区",
    "层级",
    "险种",
    "枚举",
    "地区集",
    "实体",
    "参数",
    "输入",
    "令",
    "约束",
    "主体",
    "资金",
    "上解",
    "分配",
    "留存",
    "补助",
    "转移",
    "拆分",
    "弥补",
    "例",
    "期",
    "已知",
    "期初",
    "期望",
    "时间表",
    "任务表",
    "任务",
    "原文",
    "条款",
)
_EXPRESSION = (
    "如果",
    "则",
    "否则",
    "或",
    "且",
    "非",
    "属于",
    "是",
    "否",
    "全部",
    "剩余",
    "匹配",
    "分段",
    "累进",
    "其他",
)
_CLAUSES = (
    "自",
    "至",
    "按",
    "当",
    "上限",
    "累计上限",
    "例外",
    "不低于",
    "不高于",
    "授权",
    "默认",
    "可为负",
    "待定",
    "每地区",
    "结转",
)
_EN = dict(keywords.PAIRS)
_WORD = re.compile(r"\w*$")


def nfkc(text: str) -> str:
    """Text as its ASCII forms where an IME typed full-width ones."""
    return unicodedata.normalize("NFKC", text).replace("\u3000", " ")


def context_word(line_before: str) -> str:
    """The word being typed: the letters just before the cursor."""
    m = _WORD.search(line_before)
    return m.group(0) if m else ""


def complete(a: Analysis | None, line_before: str, specific_only: bool = False) -> list[Candidate]:
    """Candidates for the cursor at the end of `line_before` (that line's text up to it),
    filtered by the word being typed. With `specific_only` (completion popped up by a
    space or a brace, not asked for), only where the context narrows the choice: after
    按 the per-region figures, after 自/至 the parties, and so on."""
    word = context_word(line_before)
    before = nfkc(line_before[: len(line_before) - len(word)])
    found, specific = _by_context(a, before)
    if specific_only and not specific and not word:
        return []
    typed = nfkc(word).casefold()
    return [
        c
        for c in found
        if nfkc(c.label).casefold().startswith(typed) or (c.label in _EN and _EN[c.label].startswith(typed))
    ]


def _by_context(a: Analysis | None, before: str) -> tuple[list[Candidate], bool]:
    prev = before.rstrip().split()[-1] if before.strip() else ""
    scope = a.scope if a is not None else None
    values = _values(a)
    # 按 因素: a rule's weights are per-region figures.
    if prev in ("按", "by") or (re.search(r"(按|\bby)\s*\{[^}]*$", before) and not before.rstrip().endswith(":")):
        return [c for c in values if c.per_region and c.kind in (Kind.INPUT, Kind.VALUE, Kind.PARAM)], True
    if prev in ("自", "至", "from", "to", "由") and scope is not None:
        parties = [Candidate(n, Kind.FUND if n in scope.funds else Kind.PARTY) for n in scope.parties]
        return [Candidate("各地区", Kind.KEYWORD, "each region", rank=0), *parties], True
    if re.search(r"(属于|\bin)\s*\{[^}]*$", before) and scope is not None:
        return [Candidate(m.text, Kind.ENUM_MEMBER, e.name.text) for e in scope.enums.values() for m in e.members], True
    if re.match(r"\s*(已知|期望|期初|given|expect|opening)\b.*=\s*\{[^}]*$", before) or re.match(
        r"\s*(地区|regions)\s+\S", before
    ):
        return _regions(a), True
    if prev in ("地区", "regions") and scope is not None:
        return [*(Candidate(n, Kind.REGIONSET) for n in scope.regionsets), *_regions(a)], True
    if re.match(r"\s*(参数|输入|令|param|input|let)\s+\w+\s*:\s*$", before):
        enums = [Candidate(n, Kind.TYPE) for n in (scope.enums if scope is not None else {})]
        return [*(Candidate(t, Kind.TYPE, rank=0 if not t.isascii() else 2) for t in BUILTIN_TYPES), *enums], True
    if not before.strip():  # the start of a statement
        return [*_keywords(_STATEMENTS, 0), *values], False
    return [*values, *_members(a), *_functions(), *_keywords(_EXPRESSION + _CLAUSES, 2)], False


def _keywords(words: tuple[str, ...], rank: int) -> list[Candidate]:
    zh = [Candidate(w, Kind.KEYWORD, _EN[w], insert=w + " ", rank=rank) for w in words]
    en = [Candidate(_EN[w], Kind.KEYWORD, w, insert=_EN[w] + " ", rank=rank + 1) for w in words]
    return zh + en


def _values(a: Analysis | None) -> list[Candidate]:
    if a is None or a.scope is None:
        return []
    ctx = a.checked.context
    out = []
    for name, d in a.scope.values.items():
        t = ctx.types.get(name) if ctx is not None else None
        kind = Kind.PARAM if isinstance(d, ir.ParamDecl) else Kind.INPUT if isinstance(d, ir.InputDecl) else Kind.VALUE
        declared = d.type if isinstance(d, (ir.ParamDecl, ir.InputDecl, ir.LetDecl)) else None
        per_region = t.per_region if t is not None else bool(declared and declared.per_region)
        detail = t.describe("zh") if t is not None else declared.name.text if declared else ""
        out.append(Candidate(name, kind, detail, rank=0 if kind is Kind.INPUT else 1, per_region=per_region))
    for name, p in a.scope.parties.items():
        out.append(Candidate(name, Kind.FUND if isinstance(p, ir.FundDecl) else Kind.PARTY, rank=2))
    return out


def _members(a: Analysis | None) -> list[Candidate]:
    if a is None or a.scope is None:
        return []
    return [Candidate(m.text, Kind.ENUM_MEMBER, e.name.text, rank=3) for e in a.scope.enums.values() for m in e.members]


def _regions(a: Analysis | None) -> list[Candidate]:
    if a is None or a.scope is None:
        return []
    program = a.program
    own = a.scope.regions(program.policy if program else None)
    if own:
        return [Candidate(r.text, Kind.REGION, rank=0) for r in own]
    return [Candidate(m.text, Kind.REGION, rs.name.text) for rs in a.scope.regionsets.values() for m in rs.members]


def _functions() -> list[Candidate]:
    return [Candidate(f.zh, Kind.FUNCTION, f.id, insert=f"{f.zh}(", rank=3) for f in functions.FUNCTIONS]
