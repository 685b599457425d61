"""The explainer's view-model: every sentence and figure the templates print.

Templates never see IR and do no arithmetic; every number in the worked
examples comes from the reference interpreter's trace of that example.
"""

from __future__ import annotations


import attrs

from compiler.explain import numbers, recurring
from compiler.explain.phrases import Phrases
from compiler.explain.worked import Worked, value_text
from compiler.interpreter.examples import example_periods, run_example
from compiler.interpreter.funds import Machine
from compiler.interpreter.values import EvalError, Scalar
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.scope import fund_accounts

_KIND = {
    ir.RuleKind.COLLECT: ("上解", "collection"), ir.RuleKind.ALLOCATE: ("分配", "allocation"),
    ir.RuleKind.RETAIN: ("留存", "retention"), ir.RuleKind.PAY: ("补助", "payment"),
    ir.RuleKind.TRANSFER: ("转移", "transfer"), ir.RuleKind.SPLIT: ("拆分", "split"), ir.RuleKind.COVER: ("弥补", "cover"),
}  # fmt: skip


@attrs.frozen
class RuleView:
    name: str
    kind: str
    sentence: str
    quote: str | None
    section: str | None
    where: str  # file:line


@attrs.frozen
class ParamView:
    name: str
    value: str  # as written, or 待定
    bounds: str
    authority: str
    quote: str | None
    open: bool


@attrs.frozen
class StepView:
    target: str
    formula: str  # the formula with each operand replaced by its value
    result: str


@attrs.frozen
class ExampleView:
    title: str
    period: str
    givens: tuple[str, ...]
    steps: tuple[StepView, ...]
    passed: bool


@attrs.frozen
class MilestoneView:
    date: str
    sort_key: str
    text: str
    owners: str
    by: bool


@attrs.frozen
class RecurringView:
    when: str  # the whole phrase, 前/by included: 每月25日前, by the 25th of each month
    sort_key: str
    text: str
    owners: str


@attrs.frozen
class TaskView:
    number: str
    text: str
    owners: str
    deadline: str
    sort_key: str


@attrs.frozen
class Flow:
    source: str
    dest: str
    label: str


@attrs.frozen
class Explainer:
    lang: str
    title: str
    basis: str
    level: str
    effective: str
    region_set: str
    schemes: str
    source_file: str
    overview: tuple[str, ...]
    derived: tuple[RuleView, ...]
    rules: tuple[RuleView, ...]
    params: tuple[ParamView, ...]
    funds: tuple[str, ...]
    parties: tuple[str, ...]
    flows: tuple[Flow, ...]
    examples: tuple[ExampleView, ...]
    milestones: tuple[MilestoneView, ...]  # one-off dates, in the order written
    recurring: tuple[RecurringView, ...]  # in recurring.order
    tasks: tuple[TaskView, ...]
    open_items: tuple[str, ...]


class Builder:
    def __init__(self, checked: CheckedPolicy, lang: str, notes: list[str]) -> None:
        self.c = checked
        self.lang = lang
        self.zh = lang == "zh"
        self.p = Phrases(checked, lang)
        self.notes = notes

    def t(self, zh: str, en: str) -> str:
        return zh if self.zh else en

    def build(self) -> Explainer:
        c = self.c
        policy = c.policy
        assert policy is not None, "an explainer is for a policy"
        h = policy.header
        file = c.program.main.span.file
        eff = ""
        if h.effective_from is not None:
            start = numbers.date(h.effective_from.first, self.lang)
            end = numbers.date(h.effective_to.value, self.lang) if h.effective_to else ""
            eff = self.t(f"{start}起" + (f"至{end}" if end else ""), f"from {start}" + (f" to {end}" if end else ""))
        decls = [d for _m, d in c.program.all_decls()]
        rules = tuple(self.rule_view(r) for r in c.scope.rules)
        derived = tuple(
            RuleView(d.name.text, self.t("派生值", "derived value"), self.p.let(d), _q(d.literate.quote), _q(d.literate.section),
                     f"{d.span.file}:{d.span.line}")
            for d in decls if isinstance(d, ir.LetDecl) and d.span.file == file
        )  # fmt: skip
        return Explainer(
            lang=self.lang, title=policy.name.text, basis=_q(h.basis) or "", level=_q(h.level) or "", effective=eff,
            region_set=h.region_set.text if h.region_set else "", schemes="、".join(s.text for s in h.schemes),
            source_file=file, overview=self.overview(), derived=derived, rules=rules,
            params=tuple(self.param_view(d) for d in decls if isinstance(d, ir.ParamDecl)),
            funds=tuple(c.scope.funds), parties=tuple(n for n, p in c.scope.parties.items() if isinstance(p, ir.PartyDecl)),
            flows=self.flows(), examples=tuple(v for d in decls if isinstance(d, ir.Example) for v in self.examples(d)),
            milestones=self.milestones(decls), recurring=self.recurring(decls), tasks=self.tasks(decls),
            open_items=self.open_items(),
        )  # fmt: skip

    def overview(self) -> tuple[str, ...]:
        c = self.c
        funds = list(c.scope.funds)
        carried = [n for n, f in c.scope.funds.items() if f.carried]
        payers = sorted({self.p.party(r.source, self.t("各地区", "each region")) for r in c.scope.rules if r.kind is ir.RuleKind.COLLECT})
        receivers = sorted({self.p.party(r.dest, self.t("各地区", "each region")) for r in c.scope.rules
                            if r.kind in (ir.RuleKind.ALLOCATE, ir.RuleKind.PAY, ir.RuleKind.TRANSFER)})  # fmt: skip
        if not funds:
            return (self.t("本政策不涉及资金划转,规定各项工作任务、责任单位和完成时限。",
                           "The policy moves no money: it sets out tasks, who is responsible and by when."),)  # fmt: skip
        noun = "fund" if len(funds) == 1 else "funds"
        out = [self.t(f"本政策涉及{len(funds)}项资金:{'、'.join(funds)}。", f"The policy runs {len(funds)} {noun}: {', '.join(funds)}.")]
        if payers:
            out.append(self.t(f"资金由{'、'.join(payers)}上解筹集。", f"Money is paid in by {', '.join(payers)}."))
        if receivers:
            out.append(self.t(f"资金拨付给{'、'.join(receivers)}。", f"It is paid out to {', '.join(receivers)}."))
        passing = [n for n in funds if n not in carried]
        if carried:
            out.append(self.t(f"{'、'.join(carried)}逐年结转余额。", f"{', '.join(carried)} carries its balance from year to year."))
        regional = [n for n, f in c.scope.funds.items() if f.per_region]
        if regional:
            out.append(self.t(f"{'、'.join(regional)}每个地区单独记账,各地区只动用自己的余额。",
                              f"{', '.join(regional)} keeps one account per region; each region draws only on its own balance."))  # fmt: skip
        if passing:
            out.append(self.t(f"{'、'.join(passing)}当年收到的资金当年全部拨付。", f"{', '.join(passing)} passes on within the year all it takes in."))
        return tuple(out)

    def rule_view(self, r: ir.Rule) -> RuleView:
        kind = _KIND[r.kind][0 if self.zh else 1]
        return RuleView(r.name.text, kind, self.p.rule(r), _q(r.literate.quote), _q(r.literate.section), f"{r.span.file}:{r.span.line}")

    def param_view(self, d: ir.ParamDecl) -> ParamView:
        value = d.value.text if isinstance(d.value, ir.Num) else (self.p.expr(d.value) if d.value else self.t("待定", "open"))
        bounds = self.t("、".join(("不低于" if b.kind is ir.BoundKind.MIN else "不高于") + self.p.expr(b.expr) for b in d.bounds),
                        ", ".join(("at least " if b.kind is ir.BoundKind.MIN else "at most ") + self.p.expr(b.expr) for b in d.bounds))  # fmt: skip
        return ParamView(d.name.text, value, bounds, "、".join(a.value for a in d.authority), _q(d.literate.quote), d.value is None)

    def flows(self) -> tuple[Flow, ...]:
        out: list[Flow] = []
        each = self.t("各地区", "each region")
        for r in self.c.scope.rules:
            fund = r.fund.text if r.fund else None
            if r.kind is ir.RuleKind.COLLECT:
                pairs = [(self.p.party(r.source, each), fund or "")]
            elif r.kind is ir.RuleKind.SPLIT:
                pairs = [(self.p.party(r.source, fund or ""), self.p.party(s.party, each)) for s in r.shares]
            elif r.kind is ir.RuleKind.COVER:
                pairs = [(self.p.party(p.party, ""), self.p.party(r.dest, each)) for t in r.tiers for p in t.payers]
            else:
                pairs = [(self.p.party(r.source, fund or ""), self.p.party(r.dest, each))]
            out += [Flow(a, b, r.name.text) for a, b in pairs]
        return tuple(out)

    def examples(self, ex: ir.Example) -> list[ExampleView]:
        outcome = run_example(self.c, ex)
        views: list[ExampleView] = []
        try:
            for run in example_periods(self.c, ex):
                env, case = run.env, run.case
                lines = [self.given_text(b.name.text, env.params.get(b.name.text, env.inputs.get(b.name.text))) for b in run.givens]
                lines += [self.t(f"{fund}期初余额{numbers.money(v, 'zh')}", f"{fund} opens at {numbers.money(v, 'en')}")
                          for fund, v in env.opening.items()]  # fmt: skip
                machine = Machine(self.c, env)
                steps: list[StepView] = []
                for b in case.expect:
                    if b.name.text in self.c.scope.funds:
                        assert run.closing is not None
                        for acct in fund_accounts(self.c.scope.funds[b.name.text], env.regions):
                            closing = numbers.money(run.closing[acct], self.lang)
                            steps.append(StepView(acct, self.t("期末余额", "closing balance"), closing))
                        continue
                    # A per-region value expected as one figure for all regions: show every region.
                    per_region = self.c.types[b.name.text].per_region
                    targets: list[str | None] = [rv.region.text for rv in b.value.regions] or (
                        list(env.regions) if per_region else [None]
                    )
                    for region in targets:
                        if region is not None and region not in env.regions:
                            continue  # expected for a region the example does not list: pool test reports it
                        steps += [s for s in self.steps(machine, b.name.text, region) if s not in steps]
                period = self.t(f"{case.period}年", str(case.period)) if case.period else ""
                views.append(ExampleView(ex.label.value, period, tuple(lines), tuple(steps), outcome.passed))
        except EvalError:
            pass  # an example that cannot be evaluated is reported by pool test; show the periods that could
        return views

    def given_text(self, name: str, value: Scalar | dict[str, Scalar] | None) -> str:
        t = self.c.types.get(name)
        if isinstance(value, dict):
            parts = [f"{r}{value_text(v, t, self.lang)}" if self.zh else f"{r} {value_text(v, t, self.lang)}" for r, v in value.items()]
            return self.t(f"{name}:" + "、".join(parts), f"{name}: " + ", ".join(parts))
        assert value is not None
        return self.t(f"{name}:{value_text(value, t, self.lang)}", f"{name}: {value_text(value, t, self.lang)}")

    def steps(self, machine: Machine, name: str, region: str | None) -> list[StepView]:
        for r in self.c.scope.rules:
            try:
                machine.run(r)
            except EvalError:
                pass  # rules the example gives no data for
        worked = Worked(self.c, machine, self.lang)
        return [StepView(target, formula, result) for target, formula, result in worked.steps(name, region)]

    def milestones(self, decls: list[ir.Decl]) -> tuple[MilestoneView, ...]:
        out = []
        for d in decls:
            if isinstance(d, ir.Timeline):
                for m in d.milestones:
                    if isinstance(m.date, ir.DateLit):
                        out.append(MilestoneView(numbers.date_lit(m.date.first, m.date.value, self.lang), m.date.value.isoformat(),
                                                 m.text.value, "、".join(o.value for o in m.owners), m.by))  # fmt: skip
        return tuple(out)

    def recurring(self, decls: list[ir.Decl]) -> tuple[RecurringView, ...]:
        """Recurring dates get a table of their own: they have no place among calendar dates."""
        out = [
            RecurringView(recurring.phrase(m.date, m.by, self.lang), recurring.order(m.date), m.text.value, "、".join(o.value for o in m.owners))
            for d in decls if isinstance(d, ir.Timeline) for m in d.milestones if isinstance(m.date, ir.Recurring)
        ]  # fmt: skip
        return tuple(sorted(out, key=lambda v: v.sort_key))  # stable: equal keys stay in the order written

    def tasks(self, decls: list[ir.Decl]) -> tuple[TaskView, ...]:
        out = []
        for d in decls:
            if isinstance(d, ir.TaskTable):
                for t in d.tasks:
                    deadline = numbers.date_lit(t.deadline.first, t.deadline.value, self.lang) if t.deadline else self.t("持续推进", "ongoing")
                    out.append(TaskView(str(t.number or ""), t.text.value, "、".join(o.value for o in t.owners), deadline,
                                        t.deadline.value.isoformat() if t.deadline else "9999"))  # fmt: skip
        return tuple(out)

    def open_items(self) -> tuple[str, ...]:
        out = []
        for n, d in self.c.scope.values.items():
            if isinstance(d, ir.ParamDecl) and d.value is None:
                quote = f"(原文:“{d.literate.quote.value}”)" if d.literate.quote and self.zh else (f' (clause: "{d.literate.quote.value}")' if d.literate.quote else "")
                out.append(self.t(f"{n}:原文未规定具体数值,须由主管部门确定{quote}", f"{n}: the text gives no figure; it must be set{quote}"))
        return tuple(out) + tuple(self.notes)


def _q(s: ir.Str | None) -> str | None:
    return s.value if s is not None else None


def build(checked: CheckedPolicy, lang: str, notes: list[str] | None = None) -> Explainer:
    return Builder(checked, lang, notes or []).build()
