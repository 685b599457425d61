"""Worked examples step by step with the interpreter's numbers: 10亿元 × 10% − 1亿元 × 50%.

Each derived value an example's result rests on is shown before it, with its operands
replaced by their values; of a 如果 or 匹配 only the branch taken is shown; a rule whose
condition fails, or an exception that applies, says so in words. Amounts are shown in
万元/亿元 and ratios rounded with 约; no built-in function name appears.
"""

from __future__ import annotations

from fractions import Fraction

import attrs

from compiler.explain import words
from compiler.explain.copies import Copies
from compiler.explain.sentences import Sentences
from compiler.interpreter.funds import Machine
from compiler.interpreter.trace import Step as TraceStep
from compiler.interpreter.trace import Tracer
from compiler.interpreter.values import Scalar
from compiler.ir import functions
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.types import Base, Type
from compiler.ir.walk import walk

_SYMBOL = {"+": "+", "-": "−", "*": "×", "/": "÷"}
_RANK = {"+": 1, "-": 1, "*": 2, "/": 2}


def value_text(v: Scalar, t: Type | None, lang: str) -> str:
    if isinstance(v, bool):
        return ("是" if v else "否") if lang == "zh" else ("yes" if v else "no")
    if isinstance(v, str):
        return v
    base = t.base if t is not None else None
    if base is Base.MONEY:
        return words.money(v, lang)
    if base is Base.RATIO:
        return words.percent(v)
    if base is Base.COUNT:
        return words.count(v, lang)
    if base is Base.MONTHS:
        return words.months(v, lang)
    return words.plain(v)


@attrs.frozen
class Step:
    target: str  # 同比增量(贵阳市)
    formula: str  # the formula with each operand replaced by its value, or ""
    result: str
    sentence: str  # the step as a sentence
    reason: bool = False  # a condition or exception decided it, said in words
    name: str = ""  # the value's name, without the region


class Worked:
    def __init__(self, checked: CheckedPolicy, machine: Machine, sentences: Sentences, lang: str) -> None:
        self.c = checked
        self.m = machine
        self.lang = lang
        self.zh = lang == "zh"
        self.s = sentences
        self.rule: ir.Rule | None = None
        self.copies = Copies(checked)

    def t(self, zh: str, en: str) -> str:
        return zh if self.zh else en

    def paren(self, text: str) -> str:
        """Brackets in a formula, as the language writes them: （…） in Chinese, (…) in English."""
        return f"（{text}）" if self.zh else f"({text})"

    def val(self, name: str, region: str | None) -> str:
        return value_text(self.m.values.name(name, region), self.c.types.get(name), self.lang)

    def _shown(self, v: Scalar, e: ir.Expr) -> str:
        base = self.s.p.base(e) if isinstance(v, Fraction) else None
        if base is None and isinstance(v, Fraction) and self._money(e):
            base = Base.MONEY
        return self.s.p.show(v, base)

    def num(self, e: ir.Expr, region: str | None, parent: int = 0) -> str:
        """An expression with every operand replaced by its value."""
        v = self.m.values
        match e:
            case ir.Num(kind=ir.NumKind.MONEY, value=amount):
                return words.money(Fraction(amount), self.lang)
            case ir.Num(text=text):
                return text
            case ir.Name(name=n) if n in self.c.scope.values:
                got = self.val(n, region if self.c.types[n].per_region else None)
                return self.paren(got) if got.startswith("−") and parent else got
            case ir.Name(name=n):
                return n
            case ir.FundAll() | ir.FundRemaining():
                assert self.rule is not None
                return words.money(self.m.fund_word(self.rule, e), self.lang)
            case ir.Neg(operand=a):
                return f"−{self.num(a, region, 3)}"
            case ir.Binary(written=ir.Call() as w) if _months_total(w):
                pass  # 累计(费用), 合计(费用 全年): the total says enough, not twelve terms (below)
            case ir.Binary(op=op, left=a, right=b):
                text = f"{self.num(a, region, _RANK[op])} {_SYMBOL[op]} {self.num(b, region, _RANK[op] + 1)}"
                return self.paren(text) if _RANK[op] < parent else text
            case ir.If(cond=c, then=a, else_=b):
                return self.num(a if v.truth(c, region) else b, region, parent)
            case ir.Match(subject=s, arms=arms):
                member = v.expr(s, region)
                arm = next(x for x in arms if x.patterns is None or member in {p.text for p in x.patterns})
                return self.num(arm.body, region, parent)
            case ir.Call(func=f, args=args):
                fn = functions.lookup(f.text)
                if fn is not None and fn.id in ("max", "min", "clamp"):
                    return self.pick(fn.id, args, region, parent)
        # comparisons, aggregates, band tables: their value says enough
        shown = self._shown(v.expr(e, region), e)
        return self.paren(shown) if shown.startswith("−") and parent else shown

    def pick(self, fn: str, args: tuple[ir.Expr, ...], region: str | None, parent: int) -> str:
        """取大/取小/限定 in words: which operand won, or that a negative became zero."""
        shown = [self.num(x, region, 1 if len(args) > 1 else 0) for x in args]
        if fn == "max" and len(args) == 2 and self.s.p.is_zero(args[1]):
            if self.m.values.num(args[0], region) < 0:
                text = self.t(f"{shown[0]}，为负，按零计", f"{shown[0]}, negative, so zero")
            else:
                return self.num(args[0], region, parent)
        elif fn == "clamp":
            text = self.t(
                f"{shown[0]}（限定在{shown[1]}至{shown[2]}之间）", f"{shown[0]} kept between {shown[1]} and {shown[2]}"
            )
        else:
            shown = [self.num(x, region, 3) for x in args]  # (300万元 × 0.9)与300万元: 与 binds loosely
            word = self.t("较大者" if fn == "max" else "较小者", "the larger" if fn == "max" else "the smaller")
            text = self.t(f"{'与'.join(shown)}中的{word}", f"{word} of {' and '.join(shown)}")
        return self.paren(text) if parent else text

    def _money(self, e: ir.Expr) -> bool:
        return any(
            isinstance(x, ir.Name) and x.name in self.c.types and self.c.types[x.name].base is Base.MONEY
            for x in walk(e)
        )

    # ---- the steps behind one value

    def steps(self, name: str, region: str | None) -> list[Step]:
        """Every derived value behind name, then name: the interpreter's trace of what was
        computed (the one walker, interpreter/trace.py), in words, operands first."""
        out: list[Step] = []
        self._collect(Tracer(self.c, self.m).step(name, region), out)
        return out

    def _collect(self, node: TraceStep, out: list[Step]) -> None:
        for operand in node.operands:
            self._collect(operand, out)
        d = self.c.scope.values.get(node.name)
        if node.repeated or not isinstance(d, (ir.Rule, ir.LetDecl)):
            return  # parameters, inputs and fund words are what the example gives or shows elsewhere
        name, region = node.name, node.region
        result = self.val(name, region)
        who = self.t(f"{region}的", f"{region}: ") if region else ""
        target = f"{name}({region})" if region else name
        if isinstance(d, ir.Rule):
            formula, why = self.rule_formula(d, region)
        else:
            formula, why = self.num(d.expr, region), ""
        if why:
            sentence = self.t(f"{region or ''}{why}，{name}为{result}。", f"{who}{why}, so {name} is {result}.")
        elif formula and formula != result:
            sentence = self.t(f"{who}{name}为 {formula}，即{result}。", f"{who}{name} = {formula} = {result}.")
        else:
            sentence = self.t(f"{who}{name}为{result}。", f"{who}{name} is {result}.")
        out.append(Step(target, why or formula, result, sentence, bool(why), name))

    def rule_formula(self, r: ir.Rule, region: str | None) -> tuple[str, str]:
        """(formula, reason): the reason, in words, when a condition or exception decided it."""
        v = self.m.values
        self.rule = r
        try:
            if r.cond is not None and not v.truth(r.cond, region):
                cond = self.copies.fold(r.cond)  # in a scheme's copy, 险种 is that scheme
                if isinstance(cond, ir.BoolLit) and r.scheme_copy is not None:
                    scheme = r.scheme_copy.scheme
                    return "", self.t(f"此项不适用于{scheme}", f"this does not apply to {scheme}")
                return "", self.t(f"不符合“{self.s.cond(cond)}”的条件", f"‘{self.s.cond(cond)}’ does not hold")
            for x in r.exceptions:
                if v.truth(x.cond, region):
                    return "", self.exception_reason(x.cond, region)
            if r.kind is ir.RuleKind.ALLOCATE:
                return self.allocation(r, region) + self.short(r, None), ""
            text = self.num(r.amount, None if r.kind is ir.RuleKind.RETAIN else region)
            if r.cap is not None:
                text = self.t(
                    f"{text}，但不超过{self.num(r.cap, region)}", f"{text}, but no more than {self.num(r.cap, region)}"
                )
            if r.kind is ir.RuleKind.RETAIN and r.cumulative_cap is not None and r.dest is not None and r.dest.name:
                cap = self.num(r.cumulative_cap, None)
                opening = words.money(self.m.env.opening.get(r.dest.name.text, Fraction(0)), self.lang)
                text = self.t(f"{text}，但不超过 {cap} − {opening}", f"{text}, but no more than {cap} − {opening}")
            return text + self.short(r, None if r.kind is ir.RuleKind.RETAIN else region), ""
        finally:
            self.rule = None

    def short(self, r: ir.Rule, region: str | None) -> str:
        """不足时, where it changed the amount: what was due, and how the fund paid short."""
        if r.shortfall is None or r.fund is None:
            return ""
        due = self.m.amount(r, region)
        if r.shortfall.kind is ir.ShortfallKind.CLAIM:
            key = r.name.text if region is None else f"{r.name.text}({region})"
            due += self.m.env.opening.get(key, Fraction(0))
        res = self.m.run(r)
        paid = res.total if res.by_region is None or region is None else res.by_region[region]
        if paid == due:
            return ""
        fund, owed = r.fund.text, words.money(due, self.lang)
        how = {
            ir.ShortfallKind.PRO_RATA: ("按应付金额的比例支付", "it pays in proportion to the amounts due"),
            ir.ShortfallKind.IN_ORDER: ("按地区先后逐一支付", "it pays region by region in the listed order"),
            ir.ShortfallKind.CLAIM: (
                "按比例支付，未付部分挂账",
                "it pays in proportion and carries the rest as a claim",
            ),
        }[r.shortfall.kind]
        return self.t(
            f"（应付{owed}，{fund}不足以全额支付，{how[0]}）",
            f" ({owed} due; {fund} cannot pay it in full, so {how[1]})",
        )

    def exception_reason(self, cond: ir.Expr, region: str | None) -> str:
        """The exception as it applies here: 缺口原因为挤占挪用, not the whole list."""
        if isinstance(cond, (ir.MemberOf, ir.Compare)):
            subject = cond.operand if isinstance(cond, ir.MemberOf) else cond.left
            if isinstance(subject, ir.Name):
                got = self.m.values.expr(subject, region)
                return self.t(
                    f"{subject.name}为{value_text(got, self.c.types.get(subject.name), self.lang)}",
                    f"{subject.name} is {value_text(got, self.c.types.get(subject.name), self.lang)}",
                )
        return self.s.p.expr(cond)

    def allocation(self, r: ir.Rule, region: str | None) -> str:
        total = self.num(r.amount, None)
        regions = self.m.env.regions
        if r.single_weight is not None:
            mine = self.term(r.single_weight, region)
            whole = sum((self.m.values.num(r.single_weight, q) for q in regions), Fraction(0))
            return f"{total} × {mine} ÷ {self._shown(whole, r.single_weight)}"
        parts = []
        for w in r.weights:
            whole = sum((self.m.values.num(w.factor, q) for q in regions), Fraction(0))
            parts.append(
                f"{self.term(w.weight, None)} × {self.term(w.factor, region)} ÷ {self._shown(whole, w.factor)}"
            )
        return f"{total} × （{' + '.join(parts)}）" if self.zh else f"{total} × ({' + '.join(parts)})"

    def term(self, e: ir.Expr, region: str | None) -> str:
        """A factor in a product: bracketed when it is itself arithmetic (100% − 60%)."""
        text = self.num(e, region)
        if isinstance(e, (ir.Binary, ir.If)):
            return f"（{text}）" if self.zh else f"({text})"
        return text


def _months_total(w: ir.Call) -> bool:
    """A sum of a value's months as written (compiler/months.py): 累计, 此前, 全年, 近12个月."""
    fn = functions.lookup(w.func.text)
    return (fn is not None and fn.id in ("to_date", "before")) or (w.window is not None and w.window.unit != "年")
