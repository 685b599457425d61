"""The explainer's view-model: every sentence and figure the templates print.

Templates never see IR and do no arithmetic; every number in the worked examples
comes from the reference interpreter. Chinese text from the policy is set with
full-width punctuation, and 原文 in traditional characters is converted to simplified
(the original kept for the review form).
"""

from __future__ import annotations

import enum
from fractions import Fraction

import attrs

from compiler.explain import numbers, recurring, words
from compiler.explain.examples import Examples, ExampleView
from compiler.explain.flows import Diagram, Flow
from compiler.explain.front import Fact, Figure, Front, Impact
from compiler.explain.months import Months
from compiler.explain.phrases import Phrases
from compiler.explain.priced import Pricing
from compiler.explain.prose import Filler
from compiler.explain.sentences import Sentences
from compiler.explain.told import Teller, Told
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.readings import OpenPoint, OptionInfo, Reading, of_policy
from compiler.source import Span
from compiler.tools.reading_diff import ChoiceDiff

K = ir.RuleKind


class Audience(enum.Enum):
    PUBLIC = "public"  # what a bureau publishes: no file paths, line numbers or traces
    REVIEW = "review"  # for the drafting office: clauses, lines, 原文 as written, the traces


@attrs.frozen
class Quote:
    text: str  # as the reader should read it (simplified)
    original: str | None  # as written, when that differs (traditional characters)


@attrs.frozen
class RuleView:
    name: str
    sentence: str
    drafted: bool  # the drafters' own 说明 rather than a generated sentence
    quote: Quote | None
    section: str | None
    where: str  # file:line, review form only


@attrs.frozen
class RuleGroup:
    title: str
    rules: tuple[RuleView, ...]


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
class Requirement:
    """A 约束 in words: 本政策要求：… (原文 “…”)."""

    sentence: str
    where: str  # file:line, for the review form


@attrs.frozen
class OpenItem:
    name: str
    quote: Quote | None
    word: str | None = None  # a discretionary word the policy leaves unanswered; None: a 待定 parameter
    note: str | None = None  # said instead: 原文未规定各层之外的缺口由谁承担


@attrs.frozen
class OptionView:
    name: str
    reading: str | None
    default: bool  # the policy's default
    used: bool  # the one this explainer is computed under (the default, or `--reading`'s)
    effect: str | None = None  # the money under it on the sample case, against the one used


@attrs.frozen
class ReadingView:
    """本解读对原文的理解: how the policy reads one clause, or the options it declares."""

    subject: str
    quote: Quote | None  # the clause read; the public form names it by its section where it has one
    section: str | None
    reading: str | None
    options: tuple[OptionView, ...]
    priced: str | None = None  # a choice whose options were not priced, or all settle alike: why, in a sentence


@attrs.frozen
class Explainer:
    lang: str
    review: bool
    appendix: bool
    title: str
    status: str
    status_note: str
    facts: tuple[Fact, ...]
    background: tuple[str, ...]  # the drafters' 解读 paragraphs (Markdown)
    points: tuple[str, ...]  # 主要内容
    figures: tuple[Figure, ...]
    impacts: tuple[Impact, ...]
    groups: tuple[RuleGroup, ...]
    terms: tuple[RuleView, ...]  # derived values, as definitions
    requirements: tuple[Requirement, ...]  # 约束, in the order written
    regions_label: str  # the regions' bar in the diagram: 各市（州）
    funds: tuple[str, ...]  # diagram boxes
    parties: tuple[str, ...]
    flows: tuple[Flow, ...]
    examples: tuple[ExampleView, ...]
    traces: tuple[ExampleView, ...]  # every step of every region: the appendix
    milestones: tuple[MilestoneView, ...]  # one-off dates, in the order written
    recurring: tuple[RecurringView, ...]  # in recurring.order
    tasks: tuple[TaskView, ...]
    readings: tuple[ReadingView, ...]
    open_items: tuple[OpenItem, ...]
    source_file: str  # review form only
    notes: tuple[str, ...]  # for the drafting office (review form)


class Builder:
    def __init__(
        self,
        checked: CheckedPolicy,
        lang: str,
        notes: list[str],
        audience: Audience,
        appendix: bool,
        pricing: Pricing | None = None,
    ) -> None:
        self.c = checked
        self.pricing = pricing
        self.lang = lang
        self.zh = lang == "zh"
        self.p = Phrases(checked, lang)
        self.s = Sentences(self.p)
        self.notes = list(notes)
        self.review = audience is Audience.REVIEW
        self.appendix = appendix or self.review
        self.fill = Filler(checked, self.p)
        self.teller = Teller(checked, self.s, lang)
        self.diagram = Diagram(checked, self.p, self.teller, self.ty)

    def t(self, zh: str, en: str) -> str:
        return zh if self.zh else en

    def ty(self, text: str) -> str:
        """Policy text in Chinese running prose: full-width punctuation."""
        return words.typeset(text) if self.zh else text

    def quote(self, s: ir.Str | None) -> Quote | None:
        if s is None:
            return None
        simple = words.simplified(s.value)
        if simple is None:
            # No converter: the public form leaves out what it cannot show in simplified characters.
            return Quote(self.ty(s.value), None) if self.review else None
        return Quote(self.ty(simple), s.value if simple != s.value else None)

    def build(self) -> Explainer:
        c = self.c
        policy = c.policy
        assert policy is not None, "an explainer is for a policy"
        front = Front(c, self.s, self.lang)
        status, status_note = front.status()
        decls = [d for _m, d in c.program.all_decls()]
        file = c.program.main.span.file
        if not words.can_convert():
            self.notes.append(
                self.t(
                    "未安装繁简转换组件（pip install 'pool-lang[explain]'），繁体原文未转换，公开版不引用。",
                    "No traditional-to-simplified converter is installed (pip install 'pool-lang[explain]'): "
                    "traditional 原文 is shown as written here and left out of the public form.",
                )
            )
        params = [d for d in decls if isinstance(d, ir.ParamDecl)]
        found, points = of_policy(self.c)  # read once: the readings section and 待明确事项
        return Explainer(
            lang=self.lang,
            review=self.review,
            appendix=self.appendix,
            title=self.ty(policy.name.text),
            status=status,
            status_note=status_note,
            facts=tuple(attrs.evolve(f, value=self.ty(f.value)) for f in front.facts()),
            background=tuple(self.ty(self.fill.fill(s.value)) for s in policy.header.prose),
            points=self.points(),
            figures=tuple(front.per_scheme([(d, self.figure(front, d)) for d in params])),
            impacts=tuple(attrs.evolve(i, text=self.ty(i.text)) for i in front.impacts(self.teller)),
            groups=self.groups(),
            terms=self.terms(decls, file),
            requirements=self.requirements(decls, file),
            regions_label=self.p.each,
            funds=tuple(self.ty(f) for f in c.scope.funds),
            parties=self.diagram.parties(),
            flows=self.diagram.flows(),
            examples=self.examples(decls, full=False),
            traces=self.examples(decls, full=True) if self.appendix else (),
            milestones=self.milestones(decls),
            recurring=self.recurring(decls),
            tasks=self.tasks(decls),
            readings=self.readings(found),
            open_items=self.open_items(points),
            source_file=file,
            notes=tuple(self.notes),
        )

    def readings(self, found: tuple[Reading, ...]) -> tuple[ReadingView, ...]:
        """Every choice the text does not make and the policy does, with the clause it reads,
        and what each option changes in money on the sample case."""
        out = []
        for r in found:
            used = self.c.readings.get(r.subject)
            diff = (
                next((d for d in self.pricing.diffs if d.name == r.subject), None)
                if self.pricing and r.options
                else None
            )
            effects = self.effects(diff) if diff is not None else {}
            options = tuple(
                OptionView(
                    self.ty(o.name),
                    _sentence(self.plain(o.reading)),
                    o.default,
                    o.name == used if used else o.default,
                    effects.get(o.name),
                )
                for o in r.options
            )
            priced = self.unpriced(diff, r.options) if r.options else None
            out.append(
                ReadingView(
                    self.ty(r.subject),
                    self.quote(_str(r.quote, r.span)),
                    self.plain(r.section),
                    self.plain(r.reading),
                    options,
                    priced,
                )
            )
        return tuple(out)

    # ---- what each option changes on the sample case

    def case(self) -> str:
        """The sample case, named by the scenario's description; its file in the review form."""
        p = self.pricing
        assert p is not None
        words_ = [p.description[self.lang]] if self.lang in p.description else []
        if self.review and p.file:
            words_.append(p.file)
        inner = self.t("；", "; ").join(words_)
        return self.t(
            f"示例情形（{inner}）" if inner else "示例情形",
            f"the sample case ({inner})" if inner else "the sample case",
        )

    def unpriced(self, diff: ChoiceDiff | None, options: tuple[OptionInfo, ...]) -> str | None:
        """One sentence when a choice's options carry no figures: why not, or that they agree."""
        p = self.pricing
        if p is None or p.why_not is not None:
            why = p.why_not if p is not None and p.why_not else ("没有给出示例情形", "no sample scenario was given")
            detail = p.detail if p is not None and self.review else None
            more = self.t(f"（{detail[0]}）", f" ({detail[1]})") if detail else ""
            return self.ty(
                self.t(
                    f"各选项的金额未计算：{why[0]}{more}。",
                    f"What each option changes in money is not computed: {why[1]}{more}.",
                )
            )
        if diff is None:
            return None
        if not diff.differs:
            return self.ty(
                self.t(f"在{self.case()}中，各选项的金额相同。", f"In {self.case()}, every option settles alike.")
            )
        return None

    def effects(self, diff: ChoiceDiff) -> dict[str, str]:
        """Option → its sentence: for the one used, the amounts of every party or fund whose
        money some option changes; for each other, those it changes, with the difference."""
        if not diff.differs:
            return {}
        moved = [(a, v) for a, v in diff.net.items() if len(set(v)) > 1]
        deferred = [(a, v) for a, v in diff.owed.items() if len(set(v)) > 1]
        sep = self.t("，", ", ")
        used = sep.join([*(self.amount(a, v[0]) for a, v in moved), *(self.owed(a, v[0]) for a, v in deferred if v[0])])
        out = {diff.options[0]: self.ty(self.t(f"在{self.case()}中，{used}。", f"In {self.case()}: {used}."))}
        for i, option in enumerate(diff.options[1:], start=1):
            changed = [self.amount(a, v[i], v[0]) for a, v in moved if v[i] != v[0]]
            changed += [self.owed(a, v[i]) for a, v in deferred if v[i] != v[0]]
            text = (
                self.t(f"按此理解，{sep.join(changed)}。", f"{sep.join(changed)}.")
                if changed
                else self.t("按此理解，各方金额与本解读相同。", "Every amount is the same.")
            )
            out[option] = self.ty(text)
        return out

    def owed(self, account: str, left: Fraction) -> str:
        """缺口调剂额(贵阳市) → 贵阳市的缺口调剂额挂账2381.25万元，次年续付: a claim a reading defers."""
        rule, _, region = account.partition("(")
        whose = self.t(f"{region[:-1]}的{rule}", f"{rule} of {region[:-1]}") if region else rule
        if not left:
            return self.t(f"{whose}没有挂账", f"nothing of {whose} is left unpaid")
        m = numbers.money(left, self.lang)
        return self.t(f"{whose}挂账{m}，次年续付", f"{m} of {whose} is left unpaid and asked again next year")

    def amount(self, account: str, net: Fraction, against: Fraction | None = None) -> str:
        """甲承担600万元（少300万元）: what an account pays (net of what it receives), and by
        how much that differs from the reading used where both pay, or both receive."""
        m = numbers.money(abs(net), self.lang)
        if net > 0:
            text = self.t(f"{account}承担{m}", f"{account} pays {m}")
        elif net < 0:
            text = self.t(f"{account}收到{m}", f"{account} receives {m}")
        elif against is not None and against < 0:
            text = self.t(f"{account}不收款", f"{account} receives nothing")
        else:
            text = self.t(f"{account}不承担", f"{account} pays nothing")
        if against is None or (net > 0 > against) or (net < 0 < against):
            return text
        more = abs(net) - abs(against)
        d = numbers.money(abs(more), self.lang)
        return text + (self.t(f"（多{d}）", f" ({d} more)") if more > 0 else self.t(f"（少{d}）", f" ({d} less)"))

    def plain(self, text: str | None) -> str | None:
        """A drafter's 理解, in simplified characters: it may quote a traditional original."""
        return None if text is None else self.ty(words.simplified(text) or text)

    def open_items(self, points: tuple[OpenPoint, ...]) -> tuple[OpenItem, ...]:
        """待明确事项: every 待定 parameter and every discretionary word left unanswered."""
        rest = self.t(
            "（原文未规定各层弥补之后仍未弥补的部分由谁承担）",
            " (the text does not say who bears what the tiers leave uncovered)",
        )
        return tuple(
            OpenItem(self.ty(p.subject), self.quote(_str(p.quote, p.span)), p.word, rest if p.unassigned else None)
            for p in points
        )

    def examples(self, decls: list[ir.Decl], full: bool) -> tuple[ExampleView, ...]:
        ex = Examples(self.c, self.s, self.lang, self.ty, full)
        return tuple(v for d in decls if isinstance(d, ir.Example) for v in ex.views(d))

    def figure(self, front: Front, d: ir.ParamDecl) -> Figure:
        q = self.quote(d.literate.quote)
        f = front.figure(d, q.text if q else None)
        return attrs.evolve(
            f, name=self.ty(f.name), value=self.ty(f.value), note=self.ty(f.note), section=self.ty(f.section)
        )

    # ---- 主要内容

    def points(self) -> tuple[str, ...]:
        """3–5 headline points: one per fund (its biggest money rules), then the rest."""
        c = self.c
        out = [p for p in [self.ring_fenced()] if p is not None]
        for key, told in self.teller.by_key().items():
            fund = told[0].fund
            if fund is not None and fund.literate.note is not None:  # the drafters' own words for this fund
                out.append(self.ty(f"{key}：" + self.fill.fill(fund.literate.note.value)))
            else:
                out.append(self.ty(self.teller.headline(key, told)))
        if not out:
            tasks = sum(len(d.tasks) for _m, d in c.program.all_decls() if isinstance(d, ir.TaskTable))
            if tasks:
                out.append(
                    self.t(
                        f"本方案共列出{tasks}项重点工作任务，逐项明确责任单位和完成时限。",
                        f"The plan lists {tasks} key tasks, each with its responsible units and deadline.",
                    )
                )
        ms = [
            m
            for _m, d in c.program.all_decls()
            if isinstance(d, ir.Timeline)
            for m in d.milestones
            if isinstance(m.date, ir.DateLit)
        ]
        if ms:

            def when(m: ir.Milestone) -> str:
                assert isinstance(m.date, ir.DateLit)
                return numbers.date_lit(m.date.first, m.date.value, self.lang) + (self.t("前", " (by)") if m.by else "")

            first, last = ms[0], ms[-1]
            text = self.t(
                f"时间安排：{when(first)}，{first.text.value}", f"Timeline: {when(first)}, {first.text.value}"
            )
            if last is not first:
                text += self.t(f"；{when(last)}，{last.text.value}", f"; {when(last)}, {last.text.value}")
            out.append(self.ty(text + self.t("。", ".")))
        return tuple(out[:5])

    def ring_fenced(self) -> str | None:
        """Where funds are kept per scheme (每险种): each scheme's account on its own."""
        copies = [f.scheme_copy for f in self.c.scope.funds.values() if f.scheme_copy is not None]
        if not copies:
            return None
        funds = list(dict.fromkeys(x.base for x in copies))
        schemes = list(dict.fromkeys(x.scheme for x in copies))
        zh = f"{'、'.join(schemes)}分设专户，专户之间不调剂"
        return self.t(
            f"{zh}：{'、'.join(funds)}按险种各设一个账户，各险种的钱只在本险种的账户收支。",
            f"The schemes keep separate accounts and no money crosses between them ({zh}): "
            f"{', '.join(funds)} {'keeps' if len(funds) == 1 else 'keep'} one account per scheme.",
        )

    # ---- the rules

    def groups(self) -> tuple[RuleGroup, ...]:
        out = []
        for key, told in self.teller.by_key().items():
            out.append(RuleGroup(self.ty(key), tuple(self.rule_view(t) for t in told)))
        return tuple(out)

    def rule_view(self, t: Told) -> RuleView:
        r = t.rules[0]
        note = r.literate.note
        sentence = self.fill.fill(note.value) if note is not None else t.sentence
        return RuleView(
            self.ty(t.name),
            self.ty(sentence),
            note is not None,
            self.quote(r.literate.quote),
            self.ty(r.literate.section.value) if r.literate.section else None,
            f"{r.span.file}:{r.span.line}",
        )

    def terms(self, decls: list[ir.Decl], file: str) -> tuple[RuleView, ...]:
        out = []
        lets = [d for d in decls if isinstance(d, ir.LetDecl) and d.span.file == file]
        for name, d, said in self.teller.lets(lets):
            note = d.literate.note
            text = self.fill.fill(note.value) if note is not None else said
            out.append(
                RuleView(
                    self.ty(name),
                    self.ty(text),
                    note is not None,
                    self.quote(d.literate.quote),
                    self.ty(d.literate.section.value) if d.literate.section else None,
                    f"{d.span.file}:{d.span.line}",
                )
            )
        return tuple(out)

    def requirements(self, decls: list[ir.Decl], file: str) -> tuple[Requirement, ...]:
        out = []
        for d in decls:
            if isinstance(d, ir.Constraint) and d.span.file == file:
                if Months.later(d):
                    continue  # a month's copy: the constraint is said once, for every month
                monthly = d.sub_copy is not None
                w = self.teller.months.written.get(d.span, d) if monthly else d
                text = self.ty(self.s.constraint(w if isinstance(w, ir.Constraint) else d))
                if monthly:
                    text += self.t("（每月）", " (every month)")
                quote = self.quote(d.literate.quote)
                if quote is not None:
                    text += self.t(f"（原文“{quote.text}”）", f" (clause: “{quote.text}”)")
                out.append(Requirement(text, f"{d.span.file}:{d.span.line}"))
        return tuple(out)

    # ---- timeline and tasks

    def milestones(self, decls: list[ir.Decl]) -> tuple[MilestoneView, ...]:
        out = []
        for d in decls:
            if isinstance(d, ir.Timeline):
                for m in d.milestones:
                    if isinstance(m.date, ir.DateLit):
                        out.append(
                            MilestoneView(
                                numbers.date_lit(m.date.first, m.date.value, self.lang),
                                m.date.value.isoformat(),
                                self.ty(m.text.value),
                                self.ty("、".join(o.value for o in m.owners)),
                                m.by,
                            )
                        )
        return tuple(out)

    def recurring(self, decls: list[ir.Decl]) -> tuple[RecurringView, ...]:
        """Recurring dates get a table of their own: they have no place among calendar dates."""
        out = [
            RecurringView(
                recurring.phrase(m.date, m.by, self.lang),
                recurring.order(m.date),
                self.ty(m.text.value),
                self.ty("、".join(o.value for o in m.owners)),
            )
            for d in decls
            if isinstance(d, ir.Timeline)
            for m in d.milestones
            if isinstance(m.date, ir.Recurring)
        ]
        return tuple(sorted(out, key=lambda v: v.sort_key))  # stable: equal keys stay in the order written

    def tasks(self, decls: list[ir.Decl]) -> tuple[TaskView, ...]:
        out = []
        for d in decls:
            if isinstance(d, ir.TaskTable):
                for t in d.tasks:
                    deadline = (
                        numbers.date_lit(t.deadline.first, t.deadline.value, self.lang)
                        if t.deadline
                        else self.t("持续推进", "ongoing")
                    )
                    out.append(
                        TaskView(
                            str(t.number or ""),
                            self.ty(t.text.value),
                            self.ty("、".join(o.value for o in t.owners)),
                            deadline,
                            t.deadline.value.isoformat() if t.deadline else "9999",
                        )
                    )
        return tuple(out)


def build(
    checked: CheckedPolicy,
    lang: str,
    notes: list[str] | None = None,
    audience: Audience = Audience.PUBLIC,
    appendix: bool = False,
    pricing: Pricing | None = None,
) -> Explainer:
    """The explainer's view. `pricing` (compiler.explain.priced.price) gives what each option of
    a choice of readings changes on a sample case; without it the section says it is not computed."""
    return Builder(checked, lang, notes or [], audience, appendix, pricing).build()


def _str(text: str | None, span: Span) -> ir.Str | None:
    return ir.Str(text, span) if text is not None else None


def _sentence(text: str | None) -> str | None:
    """A drafter's 理解 as a sentence, so what the explainer adds after it starts a new one."""
    if not text or text[-1] in "。；！？.;!?）)”":
        return text
    return text + "。"
