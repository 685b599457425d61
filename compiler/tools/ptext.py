"""IR back into short policy text: `取大(上年度征缴收入 × 基础上解比例, 0)`, `层 市财政: 由 市财政 20%`.

Used where a tool must name a formula or a clause (what `pool diff` says changed).
It prints from the IR rather than cutting the source, so two versions that differ
only in layout print the same, and a formula spread over lines prints on one.
Keywords follow the output language; names and literals stay as the drafter wrote them.
"""

from __future__ import annotations

import enum
import typing

import attrs

from compiler.ir import nodes as ir

_KW = {
    "if": ("如果", "if"),
    "then": ("则", "then"),
    "else": ("否则", "else"),
    "or": ("或", "or"),
    "and": ("且", "and"),
    "not": ("非", "not"),
    "in": ("属于", "in"),
    "match": ("匹配", "match"),
    "otherwise": ("其他", "otherwise"),
    "bands": ("分段", "bands"),
    "progressive": ("累进", "progressive"),
    "to": ("至", "to"),
    "all": ("全部", "all"),
    "remaining": ("剩余", "remaining"),
    "true": ("是", "true"),
    "false": ("否", "false"),
    "each": ("各地区", "each region"),
    "none": ("无", "none"),
    "open": ("待定", "open"),
    "per_region": ("每地区", "per region"),
    "from": ("由", "from"),
    "tier": ("层", "tier"),
    "cap": ("上限", "cap"),
    "total_cap": ("合计上限", "total cap"),
    "except": ("例外", "except"),
    "min": ("不低于", "min"),
    "max": ("不高于", "max"),
}

KIND_WORDS = {k: k.words for k in ir.RuleKind}

# Expression nodes print as one formula, except tables (band tables, matches): a
# change in one band reads better as that band. Everything else may be compared
# field by field.
EXPR_TYPES: tuple[type, ...] = tuple(t for t in typing.get_args(ir.Expr) if isinstance(t, type))
TABLES: tuple[type, ...] = (ir.Bands, ir.Match)
ATOMS: tuple[type, ...] = (
    *(t for t in EXPR_TYPES if t not in TABLES),
    ir.Ident,
    ir.Str,
    ir.PartyRef,
    ir.TypeRef,
    ir.DateLit,
    ir.Recurring,
)

_PREC = {"or": 2, "and": 3, "not": 4, "+": 6, "-": 6, "*": 7, "/": 7}


def kw(word: str, lang: str) -> str:
    zh, en = _KW[word]
    return zh if lang == "zh" else en


def kind_word(kind: ir.RuleKind, lang: str) -> str:
    zh, en = KIND_WORDS[kind]
    return zh if lang == "zh" else en


def _prec(e: ir.Expr) -> int:
    match e:
        case ir.If():
            return 1
        case ir.Logical(op=op) | ir.Binary(op=op):
            return _PREC.get(op, 9)
        case ir.Compare() | ir.MemberOf():
            return 5
        case ir.Neg():
            return 8
    return 9


def expr(e: ir.Expr, lang: str = "zh") -> str:
    zh = lang == "zh"
    sep = "、" if zh else ", "

    def sub(x: ir.Expr, at_least: int) -> str:
        text = expr(x, lang)
        return f"({text})" if _prec(x) < at_least else text

    match e:
        case ir.Num(text=text):
            return text
        case ir.BoolLit(value=b):
            return kw("true" if b else "false", lang)
        case ir.Name(name=n):
            return n
        case ir.FundAll():
            return kw("all", lang)
        case ir.FundRemaining():
            return kw("remaining", lang)
        case ir.Call(func=f, args=args):
            return f"{f.text}({', '.join(expr(a, lang) for a in args)})"
        case ir.Binary(op=op, left=a, right=b):
            p = _PREC[op]
            shown = {"*": "×", "/": "÷"}.get(op, op) if zh else op
            return f"{sub(a, p)} {shown} {sub(b, p + 1)}"
        case ir.Neg(operand=a):
            return f"-{sub(a, 9)}"
        case ir.Compare(op=op, left=a, right=b):
            return f"{sub(a, 6)} {op} {sub(b, 6)}"
        case ir.MemberOf(operand=a, members=ms):
            return f"{sub(a, 6)} {kw('in', lang)} {{{sep.join(m.text for m in ms)}}}"
        case ir.Logical(op="not", operands=ops):
            return f"{kw('not', lang)} {sub(ops[0], 4)}"
        case ir.Logical(op=op, operands=ops):
            p = _PREC[op]
            return f" {kw(op, lang)} ".join(sub(o, p + 1) for o in ops)
        case ir.If(cond=c, then=t, else_=f):
            return f"{kw('if', lang)} {sub(c, 2)} {kw('then', lang)} {sub(t, 2)} {kw('else', lang)} {expr(f, lang)}"
        case ir.Match(subject=s, arms=arms):
            parts = []
            for arm in arms:
                parts.append(f"{arm_patterns(arm, lang)} => {expr(arm.body, lang)}")
            return f"{kw('match', lang)} {sub(s, 9)} {{ {'; '.join(parts)} }}"
        case ir.Bands(subject=s, bands=bands, progressive=prog):
            rows = [f"{band_edges(band, lang)} => {expr(band.value, lang)}" for band in bands]
            return f"{kw('progressive' if prog else 'bands', lang)} {sub(s, 9)} {{ {'; '.join(rows)} }}"
    return type(e).__name__  # a node added to the IR later: named rather than a crash


def band_edges(band: ir.Band, lang: str) -> str:
    low = expr(band.lower, lang) + _mark(band.lower_mark, lang)
    if band.upper is not None:
        return f"{low} {kw('to', lang)} {expr(band.upper, lang)}{_mark(band.upper_mark, lang)}"
    return f"{low} 以上" if lang == "zh" else f"from {low}"


def _mark(mark: bool | None, lang: str) -> str:
    if mark is None:
        return ""
    return ("(含)" if mark else "(不含)") if lang == "zh" else ("(incl)" if mark else "(excl)")


def arm_patterns(arm: ir.Arm, lang: str) -> str:
    return (
        kw("otherwise", lang)
        if arm.patterns is None
        else ("、" if lang == "zh" else ", ").join(p.text for p in arm.patterns)
    )


def party(ref: ir.PartyRef | None, lang: str) -> str:
    if ref is None:
        return kw("none", lang)
    return kw("each", lang) if ref.name is None else ref.name.text


def show(v: object, lang: str = "zh") -> str:
    """Any IR value as a drafter would read it; an absent one as 无."""
    zh = lang == "zh"
    sep = "、" if zh else ", "
    match v:
        case None:
            return kw("none", lang)
        case bool():
            return kw("true" if v else "false", lang)
        case ir.RuleKind():
            return kind_word(v, lang)
        case ir.BoundKind():
            return kw(v.value, lang)
        case enum.Enum():
            return str(v.value)
        case ir.Ident(text=t):
            return t
        case ir.Str(value=s):
            return s
        case ir.PartyRef():
            return party(v, lang)
        case ir.TypeRef(name=n, per_region=per):
            return f"{n.text} {kw('per_region', lang)}" if per else n.text
        case ir.DateLit(text=t) | ir.Recurring(text=t):
            return t
        case ir.Literate(quote=q):
            return show(q, lang)
        case ir.Bound(kind=k, expr=e):
            return f"{kw(k.value, lang)} {expr(e, lang)}"
        case ir.Weight(factor=f, weight=w):
            return f"{expr(f, lang)}: {expr(w, lang)}"
        case ir.Share(party=p, ratio=r):
            return f"{party(p, lang)}: {expr(r, lang)}"
        case ir.Payer(party=p, share=s):
            return party(p, lang) + (f" {expr(s, lang)}" if s is not None else "")
        case ir.Band(value=x):
            return f"{band_edges(v, lang)} => {expr(x, lang)}"
        case ir.Arm(body=x):
            return f"{arm_patterns(v, lang)} => {expr(x, lang)}"
        case ir.Exception_(cond=c, value=x):
            return f"{kw('except', lang)} {expr(c, lang)} => {expr(x, lang)}"
        case tuple():
            return sep.join(show(x, lang) for x in v) if v else kw("none", lang)
    if isinstance(v, EXPR_TYPES):
        return expr(v, lang)  # type: ignore[arg-type]
    if isinstance(v, ir.Tier):
        return tier(v, lang)
    if node_fields(v):
        # A node without a phrasing of its own: its fields that are set, in order.
        parts = [show(getattr(v, f.name), lang) for f in node_fields(v) if getattr(v, f.name) not in (None, ())]
        return " ".join(parts)
    return str(v)


def node_fields(v: object) -> tuple[attrs.Attribute, ...]:  # type: ignore[type-arg]
    """The compared fields of an IR node (spans are eq=False); () for anything else."""
    cls = type(v)
    if not attrs.has(cls):
        return ()
    return tuple(f for f in attrs.fields(cls) if f.eq)


def tier(t: ir.Tier, lang: str) -> str:
    text = f"{kw('tier', lang)} {t.name.text}: {kw('from', lang)} {show(t.payers, lang)}"
    for f in attrs.fields(type(t)):
        value = getattr(t, f.name)
        if f.name in ("cap", "total_cap") and value is not None:
            text += f" {kw(f.name, lang)} {expr(value, lang)}"
    return text


# The fields of IR nodes as a drafter names them. A field missing here (one the IR
# gains later) is shown by its attribute name rather than dropped.
FIELDS: dict[str, tuple[str, str]] = {
    "value": ("值", "value"),
    "type": ("类型", "type"),
    "bounds": ("范围", "bounds"),
    "authority": ("授权", "authority"),
    "literate": ("", ""),
    "quote": ("原文", "quote"),
    "section": ("条款", "section"),
    "reading": ("理解", "reading"),
    "scheme_starts": ("险种生效", "scheme starts"),
    "choices": ("解读", "choices"),
    "options": ("选项", "options"),
    "signed": ("可为负", "signed"),
    "default": ("默认", "default"),
    "expr": ("公式", "formula"),
    "per_region": ("每地区", "per region"),
    "carried": ("结转", "carried"),
    "kind": ("种类", "kind"),
    "amount": ("金额", "amount"),
    "fund": ("所在资金", "fund"),
    "source": ("付款方", "from"),
    "dest": ("收款方", "to"),
    "weights": ("分配依据", "weights"),
    "single_weight": ("分配依据", "weight"),
    "cond": ("条件", "condition"),
    "cap": ("上限", "cap"),
    "cumulative_cap": ("累计上限", "cumulative cap"),
    "total_cap": ("合计上限", "total cap"),
    "exceptions": ("例外", "exceptions"),
    "shares": ("份额", "shares"),
    "tiers": ("层", "tiers"),
    "payers": ("承担方", "payers"),
    "share": ("比例", "share"),
    "ratio": ("比例", "ratio"),
    "factor": ("因素", "factor"),
    "weight": ("权重", "weight"),
    "members": ("成员", "members"),
    "name": ("名称", "name"),
    "basis": ("依据", "basis"),
    "effective_from": ("生效", "effective from"),
    "effective_to": ("截止", "until"),
    "region_set": ("地区集", "region set"),
    "level": ("层级", "level"),
    "schemes": ("险种", "schemes"),
    "order": ("顺序", "order"),
    "rule_order": ("规则顺序", "rule order"),
    "label": ("标题", "title"),
    "regions": ("地区", "regions"),
    "shared": ("各期共用", "shared"),
    "periods": ("期", "periods"),
    "given": ("已知", "given"),
    "opening": ("期初", "opening"),
    "expect": ("期望", "expect"),
    "period": ("期", "period"),
    "date": ("日期", "date"),
    "by": ("前", "deadline"),
    "text": ("内容", "text"),
    "owners": ("责任", "owners"),
    "deadline": ("时限", "deadline"),
    "number": ("序号", "number"),
    "subject": ("依据", "subject"),
    "bands": ("分段", "bands"),
    "progressive": ("累进", "progressive"),
    "lower": ("下限", "lower edge"),
    "upper": ("上限", "upper edge"),
    "arms": ("分支", "arms"),
    "body": ("值", "value"),
    "patterns": ("成员", "members"),
}


def field(name: str, lang: str) -> str:
    zh, en = FIELDS.get(name, (name, name))
    return zh if lang == "zh" else en
