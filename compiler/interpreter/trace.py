"""Explain any number: the formula, each operand's value, the rule, its 原文 and
source line, down to the inputs. The trace is data; `render` prints it."""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from compiler.interpreter.funds import Machine
from compiler.interpreter.values import EvalError, Member, Scalar
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.types import MONEY
from compiler.ir.walk import children, rule_exprs
from compiler.numbers import show_value


@attrs.frozen
class Step:
    name: str
    region: str | None
    value: Scalar
    kind: str  # 参数 / 输入 / 派生值 / 规则 / 资金
    file: str
    line: int
    formula: str  # the source text of its expression ("" for inputs)
    quote: str | None
    operands: tuple[Step, ...] = ()
    repeated: bool = False  # already explained above in this trace


_KINDS = {k: ir.DECL_WORDS[k] for k in (ir.ParamDecl, ir.InputDecl, ir.LetDecl, ir.Rule)}


class Tracer:
    def __init__(self, checked: CheckedPolicy, machine: Machine) -> None:
        self.checked = checked
        self.m = machine
        self.seen: set[tuple[str, str | None]] = set()

    def step(self, name: str, region: str | None) -> Step:
        d = self.checked.scope.values[name]
        region = self.where(name, region)
        value = self.m.values.name(name, region)
        kind = _KINDS[type(d)][0]
        quote = d.literate.quote.value if d.literate.quote else None
        key = (name, region)
        if key in self.seen:
            return Step(name, region, value, kind, d.span.file, d.span.line, "", None, (), True)
        self.seen.add(key)
        exprs: list[ir.Expr] = []
        if isinstance(d, ir.LetDecl):
            exprs = [d.expr]
        elif isinstance(d, ir.Rule):
            exprs = list(rule_exprs(d))
        elif isinstance(d, (ir.ParamDecl, ir.InputDecl)):
            return Step(name, region, value, kind, d.span.file, d.span.line, "", quote)
        formula = self.checked.text_of(d.amount.span if isinstance(d, ir.Rule) else exprs[0].span)
        operands: list[Step] = []
        for e in exprs:
            for sub in self.operands(e):
                if (
                    isinstance(sub, ir.Name)
                    and sub.name in self.checked.scope.values
                    and self._computed(sub.name, region)
                ):
                    child = self.step(sub.name, region)
                    if all((o.name, o.region) != (child.name, child.region) for o in operands):
                        operands.append(child)
                elif isinstance(sub, (ir.FundAll, ir.FundRemaining)) and isinstance(d, ir.Rule) and d.fund:
                    operands.append(self.fund_word(d, sub))
        if isinstance(d, ir.Rule) and d.shortfall is not None and d.fund:
            # 不足时: the value may be less than the formula gives; show what the fund could pay.
            formula += "  " + self.checked.text_of(d.shortfall.span)
            operands.append(self.fund_word(d, ir.FundRemaining(d.shortfall.span)))
        return Step(name, region, value, kind, d.span.file, d.span.line, formula, quote, tuple(operands))

    def operands(self, e: ir.Expr) -> Iterator[ir.Expr]:
        """Every subexpression, but not inside an aggregate over entities: its operands are
        each entity's values, not this one's (the trace shows the total, not a million lines)."""
        yield e
        if isinstance(e, ir.Call) and e in self.m.plan.aggregates:
            return
        for c in children(e):
            yield from self.operands(c)

    def _computed(self, name: str, region: str | None) -> bool:
        """Only operands evaluation actually used: the branch not taken is not part of the story."""
        d = self.checked.scope.values[name]
        if isinstance(d, ir.Rule):
            return name in self.m.results
        return (name, self.m.values.lift(region, self.m.plan.dims.get(name))) in self.m.values.memo

    def where(self, name: str, region: str | None) -> str | None:
        """The region or entity id a value is shown for: a person's region for a region's value."""
        got = self.m.values.lift(region, self.m.plan.dims.get(name))
        return got.id if isinstance(got, Member) else got

    def fund_word(self, rule: ir.Rule, word: ir.Expr) -> Step:
        assert rule.fund is not None
        fund = self.checked.scope.funds[rule.fund.text]
        value = self.m.fund_word(rule, word)
        label = "全部" if isinstance(word, ir.FundAll) else "剩余"
        return Step(f"{label}({fund.name.text})", None, value, "资金", fund.span.file, fund.span.line, "", None)


def explain(checked: CheckedPolicy, machine: Machine, name: str, region: str | None) -> Step:
    if name not in checked.scope.values:
        raise EvalError("explain-unknown", name=name)
    if checked.types[name].per_region and region is None:
        raise EvalError("explain-needs-region", name=name)
    kind = checked.types[name].entity
    members = machine.env.entities.of(kind) if kind is not None else list(machine.env.regions)
    if checked.types[name].per_region and region not in members:
        shown = members if len(members) <= 20 else [*members[:20], "…"]
        listed, listed_en = "、".join(shown) or "(无)", ", ".join(shown) or "(none)"
        raise EvalError("explain-no-region", region=region, listed=listed, listed_en=listed_en)
    for r in checked.scope.rules:  # settle first, so every operand the period used is known
        machine.run(r)
    return Tracer(checked, machine).step(name, region)


def render(step: Step, checked: CheckedPolicy, lang: str = "zh", depth: int = 0) -> str:
    pad = "  " * depth
    t = checked.types.get(step.name) or (MONEY if step.kind == "资金" else None)
    shown = show_value(step.value, t, lang)
    target = step.name + (f"@{step.region}" if step.region else "")
    kind = step.kind if lang == "zh" else dict(v for v in _KINDS.values()).get(step.kind, "fund")
    out = [
        f"{pad}{target} = {shown}    [{kind} {step.file}:{step.line}]"
        + (" (见上)" if step.repeated and lang == "zh" else " (above)" if step.repeated else "")
    ]
    if step.formula:
        out.append(f"{pad}  {'公式' if lang == 'zh' else 'formula'}: {step.formula}")
    if step.quote and not step.repeated:
        out.append(f"{pad}  {'原文' if lang == 'zh' else 'clause'}: {step.quote}")
    for o in step.operands:
        out.append(render(o, checked, lang, depth + 1).rstrip("\n"))
    return "\n".join(out) + "\n"
