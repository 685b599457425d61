"""The policy's own examples, narrated: what is assumed, each step a sentence with the
interpreter's numbers, and who pays whom as a small table (from the interpreter's ledger)."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import attrs

from compiler.explain import words, years
from compiler.explain.sentences import Sentences
from compiler.explain.worked import Step, Worked, value_text
from compiler.interpreter.examples import example_periods, run_example
from compiler.interpreter.funds import Machine
from compiler.interpreter.values import EvalError, Scalar
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.scope import fund_accounts
from compiler.ir.subperiods import month_of
from compiler.ir.types import Base


@attrs.frozen
class Payment:
    payer: str
    payee: str
    item: str
    amount: str


@attrs.frozen
class ExampleView:
    title: str
    period: str
    givens: tuple[str, ...]
    same_as_before: bool  # the givens not listed are those of the period before
    steps: tuple[Step, ...]
    payments: tuple[Payment, ...]
    passed: bool
    # Open parameters not listed take the values assumed in the example before (the same demonstration
    # values example after example: said once, not in every example).
    assumed_as_before: bool = False


_NOTHING = frozenset({"0元", "¥0", "否", "no", "0", "0%"})


class Examples:
    def __init__(
        self, checked: CheckedPolicy, sentences: Sentences, lang: str, typeset: Callable[[str], str], full: bool = False
    ) -> None:
        self.full = full  # every region worked through (the appendix's trace)
        self.c = checked
        self.s = sentences
        self.lang = lang
        self.zh = lang == "zh"
        self.ty = typeset
        self.assumed: dict[str, str] = {}  # the open parameters' lines of the example before

    def t(self, zh: str, en: str) -> str:
        return zh if self.zh else en

    def views(self, ex: ir.Example) -> list[ExampleView]:
        outcome = run_example(self.c, ex)
        views: list[ExampleView] = []
        before: dict[str, str] = {}
        carried = dict(self.assumed)
        try:
            for run in example_periods(self.c, ex):
                env, case = run.env, run.case
                lines: dict[str, str] = {}
                by_scheme: dict[str, dict[str, Scalar]] = {}  # a per-scheme value, given as written: by scheme
                by_month: dict[str, dict[str, Scalar | dict[str, Scalar]]] = {}  # 每月: the year, month by month
                for b in run.givens:
                    n = b.name.text
                    value = env.params.get(n, env.inputs.get(n))
                    sc = getattr(self.c.scope.values.get(n), "scheme_copy", None)
                    month = month_of(n)  # 费用(3月), 费用(3月)(前1年): one line for the year, month by month
                    if isinstance(sc, ir.SchemeCopy) and value is not None and not isinstance(value, dict):
                        by_scheme.setdefault(sc.base, {})[sc.scheme] = value
                        lines[sc.base] = self.given_text(n, by_scheme[sc.base], case.period, sc.base)
                    elif month is not None and value is not None:
                        written, _unit, label = month
                        by_month.setdefault(written, {})[label] = value
                        named = years.history(written, self.zh, case.period) or written
                        lines[written] = self.monthly_text(n, by_month[written], named)
                    else:
                        lines[n] = self.given_text(n, value, case.period)
                lines.update(
                    {
                        f"期初:{fund}": self.t(
                            f"{self.ty_(fund)}期初余额{words.money(v, 'zh')}", f"{fund} opens at {words.money(v, 'en')}"
                        )
                        for fund, v in env.opening.items()
                    }
                )
                shown = [v for k, v in lines.items() if before.get(k) != v and (before or carried.get(k) != v)]
                as_before = not before and any(carried.get(k) == v for k, v in lines.items())
                machine = Machine(self.c, env)
                steps = self.steps(machine, case, run.closing)
                period = self.t(f"{case.period}年", str(case.period)) if case.period else ""
                views.append(
                    ExampleView(
                        self.ty_(ex.label.value),
                        period,
                        tuple(shown),
                        bool(before) and len(shown) < len(lines),
                        tuple(steps),
                        self.payments(machine, self.shown_rules(case, steps)),
                        outcome.passed,
                        as_before,
                    )
                )
                before = lines
                self.assumed = {k: v for k, v in lines.items() if self._open(k)}
        except EvalError:
            pass  # an example that cannot be evaluated is reported by pool test; show the periods that could
        return views

    def _open(self, name: str) -> bool:
        d = self.c.scope.values.get(name)
        return isinstance(d, ir.ParamDecl) and d.value is None

    def ty_(self, s: str) -> str:
        return self.ty(s)

    def given_text(
        self, name: str, value: Scalar | dict[str, Scalar] | None, period: int | None = None, shown: str | None = None
    ) -> str:
        t = self.c.types.get(name)
        d = self.c.scope.values.get(name)
        mark = self.t("（假设）", " (assumed)") if isinstance(d, ir.ParamDecl) and d.value is None else ""
        # An earlier year's input by its year (2024年征缴收入), not as the engines name it (征缴收入(前1年)).
        shown = shown or years.history(name, self.zh, period) or name
        if isinstance(value, dict):
            # An enumeration member reads as a statement about the region: 退休人员庚为单位职工.
            link = "为" if t is not None and t.base is Base.ENUM else ""
            parts = [
                f"{r}{link}{value_text(v, t, self.lang)}" if self.zh else f"{r} {value_text(v, t, self.lang)}"
                for r, v in value.items()
            ]
            return self.t(f"{shown}{mark}：" + "，".join(parts), f"{shown}{mark}: " + ", ".join(parts))
        assert value is not None
        return self.t(
            f"{shown}{mark}：{value_text(value, t, self.lang)}", f"{shown}{mark}: {value_text(value, t, self.lang)}"
        )

    def monthly_text(self, name: str, months: dict[str, Scalar | dict[str, Scalar]], shown: str) -> str:
        """A value given month by month, as one line: 费用：每月10元 where every month is the same,
        else 1月15元，2月5元…; per region: 每月甲县10元，乙县20元."""
        t = self.c.types.get(name)

        def one(v: Scalar | dict[str, Scalar]) -> str:
            if isinstance(v, dict):
                sep = "，" if self.zh else ", "
                return sep.join(f"{r}{value_text(x, t, self.lang)}" if self.zh else f"{r} {value_text(x, t, self.lang)}"
                                for r, x in v.items())  # fmt: skip
            return value_text(v, t, self.lang)

        values = list(months.values())
        if len(months) > 1 and all(v == values[0] for v in values):
            return self.t(f"{shown}：每月{one(values[0])}", f"{shown}: every month {one(values[0])}")
        sep = "；" if any(isinstance(v, dict) for v in values) else "，"
        if self.zh:
            return f"{shown}：" + sep.join(f"{m}{one(v)}" for m, v in months.items())
        return f"{shown}: " + ("; " if sep == "；" else ", ").join(f"{m} {one(v)}" for m, v in months.items())

    def steps(self, machine: Machine, case: ir.PeriodCase, closing: dict[str, Fraction] | None) -> list[Step]:
        for r in self.c.scope.rules:
            try:
                machine.run(r)
            except EvalError:
                pass  # rules the example gives no data for
        worked = Worked(self.c, machine, self.s, self.lang)
        env = machine.env
        out: list[Step] = []
        for b in case.expect:
            if b.name.text in self.c.scope.funds:
                for acct in fund_accounts(self.c.scope.funds[b.name.text], env.regions):
                    if closing is not None and acct in closing:
                        text = words.money(closing[acct], self.lang)
                        sentence = self.t(f"{self.ty_(acct)}期末余额为{text}。", f"{acct} closes at {text}.")
                        out.append(Step(acct, self.t("期末余额", "closing balance"), text, sentence, name=b.name.text))
                continue
            # A per-region value expected as one figure for all regions: show every region.
            t = self.c.types[b.name.text]
            members = env.entities.of(t.entity) if t.entity is not None else list(env.regions)
            targets: list[str | None] = [rv.region.text for rv in b.value.regions] or (
                list(members) if t.per_region else [None]
            )
            for i, region in enumerate(targets):
                if region is not None and region not in members:
                    continue  # expected for a region the example does not list: pool test reports it
                try:
                    chain = worked.steps(b.name.text, region)
                except EvalError:
                    continue
                # The first region is worked through; the others, computed the same way, give their result.
                if i and not self.full:
                    chain = [s for s in chain[-1:] if s.result not in _NOTHING or s.reason]
                out += [s for s in chain if s not in out]
        expected = {b.name.text for b in case.expect}
        # The narrative keeps what the example is about and the figures that lead to it;
        # intermediate values that came to nothing stay in the appendix's full trace.
        return [
            attrs.evolve(s, sentence=self.ty_(s.sentence), formula=self.ty_(s.formula))  # 支出（职工医保）
            for s in out
            if self.full
            or s.name in expected
            or (s.result not in _NOTHING and s.formula and s.formula != s.result and not self._month_of_let(s.name))
        ]

    def _month_of_let(self, name: str) -> bool:
        """One month's copy of a derived value (月度纳入费用(3月)): the year's total that reads it is
        shown as one figure, so its twelve months stay in the appendix's full trace."""
        d = self.c.scope.values.get(name)
        return isinstance(d, ir.LetDecl) and d.sub_copy is not None

    def shown_rules(self, case: ir.PeriodCase, steps: list[Step]) -> set[str]:
        """The rules the example is about: those it works through, and those moving an expected fund's money."""
        names = {s.name for s in steps}
        funds = {b.name.text for b in case.expect if b.name.text in self.c.scope.funds}
        for r in self.c.scope.rules:
            touched = {r.fund.text if r.fund else "", *(x.name.text for x in (r.source, r.dest) if x and x.name)}
            touched |= {s.party.name.text for s in r.shares if s.party.name} | {
                p.party.name.text for t in r.tiers for p in t.payers if p.party.name
            }
            if touched & funds:
                names.add(r.name.text)
        return names

    def payments(self, machine: Machine, shown: set[str]) -> tuple[Payment, ...]:
        """Who paid whom in the example: the interpreter's transfers, in the order the rules run."""
        out = []
        for r in self.c.scope.rules:
            res = machine.results.get(r.name.text) if r.name.text in shown else None
            for tr in res.transfers if res else ():
                if tr.amount:
                    out.append(
                        Payment(
                            self.ty_(tr.source), self.ty_(tr.dest), self.ty_(tr.rule), words.money(tr.amount, self.lang)
                        )
                    )
        return tuple(out)
