"""What hovering over a name shows: its kind, type and unit, its value or range, what it
is computed from in words, and the 原文 and 条款 it encodes (Markdown)."""

from __future__ import annotations

from compiler.explain.phrases import Phrases
from compiler.explain.sentences import Sentences
from compiler.ir import functions
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.types import BUILTIN_TYPES, Base
from compiler.lsp.analysis import (
    FUNCTION,
    MEMBER,
    REGION,
    REGIONSET,
    TYPE,
    Analysis,
    Occurrence,
)
from compiler.messages import Text

_W = {
    "param": Text("参数", "parameter"),
    "input": Text("输入", "input"),
    "let": Text("派生值", "derived value"),
    "party": Text("主体", "party"),
    "fund": Text("资金", "fund"),
    "enum": Text("枚举", "enumeration"),
    "regionset": Text("地区集", "region set"),
    "member": Text("枚举“{of}”的成员", "a member of the enumeration ‘{of}’"),
    "region": Text("地区集“{of}”中的地区", "a region of the region set ‘{of}’"),
    "function": Text("内置函数", "built-in function"),
    "builtin": Text("内置类型", "built-in type"),
    "type": Text("类型", "type"),
    "unit": Text("单位", "unit"),
    "value": Text("取值", "value"),
    "open": Text("待定(由情景提供)", "open (a scenario supplies it)"),
    "range": Text("范围", "range"),
    "default": Text("默认", "default"),
    "signed": Text("可为负", "may be negative"),
    "formula": Text("计算", "computed as"),
    "quote": Text("原文", "clause"),
    "section": Text("条款", "section"),
    "carried": Text("逐年结转余额", "carries its balance from year to year"),
    "per_region": Text("每地区一个账户", "one account per region"),
    "rules": Text("规则", "rules"),
    "members": Text("成员", "members"),
    "authority": Text("授权", "authority"),
    "in_fund": Text("属于资金“{of}”", "in the fund ‘{of}’"),
    "rule": Text("规则({kind})", "rule ({kind})"),
}
_RULE_KINDS = {k: Text(*k.words) for k in ir.RuleKind}
_UNITS = {
    Base.MONEY: Text("元", "yuan (元)"),
    Base.RATIO: Text("%", "%"),
    Base.COUNT: Text("人", "people (人)"),
    Base.MONTHS: Text("个月", "months (个月)"),
}


def hover(a: Analysis, occ: Occurrence, lang: str) -> str | None:
    """Markdown for the name under the cursor, or None for a name that names nothing."""

    def w(key: str, **args: str) -> str:
        return _W[key].render(lang, dict(args))

    if occ.ns == FUNCTION:
        fn = functions.lookup(occ.name)
        return f"**{w('function')}** `{fn.zh}` / `{fn.id}`" if fn else None
    if occ.ns == TYPE and occ.name in BUILTIN_TYPES:
        return f"**{w('builtin')}** `{occ.name}`"
    found = a.definition(occ.key)
    if found is None:
        return None
    d = found.decl
    lines: list[str] = []
    where = a.file_path(found.span.file)
    if occ.ns in (MEMBER, REGION):
        kind = "member" if occ.ns == MEMBER else "region"
        return f"**{occ.name}**: {w(kind, of=d.name.text)}"
    if isinstance(d, ir.EnumDecl) or (occ.ns == REGIONSET and isinstance(d, ir.RegionSetDecl)):
        head = w("enum") if isinstance(d, ir.EnumDecl) else w("regionset")
        sep = "、" if lang == "zh" else ", "
        lines += [f"**{head}** {d.name.text}", f"{w('members')}: {sep.join(m.text for m in d.members)}"]
    elif isinstance(d, ir.ParamDecl):
        lines.append(f"**{w('param')}** {d.name.text}: {_type(a, d.name.text, lang)}")
        value = w("open") if d.value is None else _text(a, d.value)
        lines.append(f"{w('value')}: {value}")
        if d.bounds:
            words = {ir.BoundKind.MIN: ("不低于", "at least"), ir.BoundKind.MAX: ("不高于", "at most")}
            bounds = ("," if lang == "zh" else ", ").join(
                f"{words[b.kind][0 if lang == 'zh' else 1]} {_text(a, b.expr)}" for b in d.bounds
            )
            lines.append(f"{w('range')}: {bounds}")
        if d.authority:
            lines.append(f"{w('authority')}: {'、'.join(s.value for s in d.authority)}")
    elif isinstance(d, ir.InputDecl):
        lines.append(f"**{w('input')}** {d.name.text}: {_type(a, d.name.text, lang)}")
        if d.default is not None:
            lines.append(f"{w('default')}: {_text(a, d.default)}")
        if d.signed:
            lines.append(w("signed"))
    elif isinstance(d, ir.LetDecl):
        lines.append(f"**{w('let')}** {d.name.text}: {_type(a, d.name.text, lang)}")
        lines.append(f"{w('formula')}: {_words(a, d, lang)}")
    elif isinstance(d, ir.Rule):
        head = w("rule", kind=_RULE_KINDS[d.kind].render(lang, {}))
        lines.append(f"**{head}** {d.name.text}: {_type(a, d.name.text, lang)}")
        if d.fund is not None:
            lines.append(w("in_fund", of=d.fund.text))
        lines.append(f"{w('formula')}: {_words(a, d, lang)}")
    elif isinstance(d, ir.FundDecl):
        lines.append(f"**{w('fund')}** {d.name.text}")
        lines += [w(k) for k, on in (("carried", d.carried), ("per_region", d.per_region)) if on]
        if d.rules:
            sep = "、" if lang == "zh" else ", "
            lines.append(f"{w('rules')}: {sep.join(r.name.text for r in d.rules)}")
    elif isinstance(d, ir.PartyDecl):
        lines.append(f"**{w('party')}** {d.name.text}" + (f"({w('per_region')})" if d.per_region else ""))
    lit = getattr(d, "literate", None)
    if isinstance(lit, ir.Literate):
        if lit.quote is not None:
            lines.append(f"{w('quote')}:\n\n> {lit.quote.value}")
        if lit.section is not None:
            lines.append(f"{w('section')}: {lit.section.value}")
    if found.span.file != a.shown:
        lines.append(f"`{where.name}`")
    return "\n\n".join(lines)


def _type(a: Analysis, name: str, lang: str) -> str:
    ctx = a.checked.context
    t = ctx.types.get(name) if ctx is not None else None
    if t is None:
        return "?"
    unit = _UNITS.get(t.base)
    text = t.describe(lang)
    return f"{text}, {_W['unit'].render(lang, {})} {unit.render(lang, {})}" if unit else text


def _text(a: Analysis, e: ir.Expr) -> str:
    """An expression as the drafter wrote it."""
    src = a.text_of(e.span.file)
    if src is None:
        return ""
    if e.span.line == e.span.end_line:
        return src.line_text(e.span.line)[e.span.column - 1 : e.span.end_column - 1]
    lines = [src.line_text(n) for n in range(e.span.line, e.span.end_line + 1)]
    lines[-1] = lines[-1][: e.span.end_column - 1]
    lines[0] = lines[0][e.span.column - 1 :]
    return " ".join(s.strip() for s in lines)


def _words(a: Analysis, d: ir.LetDecl | ir.Rule, lang: str) -> str:
    """The formula in words, as the 政策解读 says it; as written if the program is not
    yet consistent enough to phrase (a name or type error elsewhere)."""
    ctx = a.checked.context
    program = a.program
    if ctx is None or program is None:
        return _text(a, d.expr if isinstance(d, ir.LetDecl) else d.amount)
    texts = {name: src.text for name, src in a.checked.sources.items()}
    phrases = Sentences(Phrases(CheckedPolicy(program, ctx.scope, dict(ctx.types), texts), lang))
    try:
        return phrases.let(d) if isinstance(d, ir.LetDecl) else phrases.rule(d)
    except (KeyError, AttributeError, AssertionError, TypeError, ValueError):
        return _text(a, d.expr if isinstance(d, ir.LetDecl) else d.amount)
