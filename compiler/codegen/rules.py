"""The bodies of rule methods: who pays whom, for each kind of rule.

Mirrors the reference interpreter rule for rule (compiler/interpreter/funds.py);
the property test in tests/test_codegen.py holds the two to the same ledger.
"""

from __future__ import annotations

import contextlib

from compiler.codegen.exprs import ExprCompiler, Names
from compiler.codegen.writer import Writer
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.scope import REGION, Scope
from compiler.plan import Endpoint, Plan

K = ir.RuleKind


def quote_line(text: str) -> str:
    """A policy text inside a comment: one line, no way to end the comment early, and
    nothing Python source cannot hold (NUL) or that reorders what a reviewer sees (bidi
    controls, as in "Trojan Source"): such characters are shown as [U+XXXX]."""
    return "".join(c if c.isprintable() else f"[U+{ord(c):04X}]" for c in " ".join(text.split()))


class RuleBodies:
    checked: CheckedPolicy
    scope: Scope
    plan: Plan
    names: Names
    ex: ExprCompiler
    w: Writer

    def origin(self, line: int, first_line: str, quote: ir.Str | None) -> None:
        raise NotImplementedError

    def line_of(self, span_line: int) -> str:
        raise NotImplementedError

    # ---- rules

    def ep(self, e: Endpoint | None, r: str | None) -> str:
        """An endpoint of the plan as an expression of the generated code, for region `r`
        (a variable name, or None outside a loop over regions), or for the entity `r` holds
        the id of: its own account (参保人员(张三)), or its region's."""
        assert e is not None
        if e.entity is not None:
            assert r is not None and self.ex.vars.get(r) == e.entity
            return f"rt.entity_account({e.entity!r}, {r})"
        region = self.ex.at(r, REGION) if r is not None else None
        if e.name is None:
            assert region is not None
            return region
        if e.per_region and region is not None:
            return f"rt.party({e.name!r}, {region})"
        return repr(e.name)

    def each(self, rule: ir.Rule) -> str:
        """Where a rule with one amount per region, or per entity of a kind, runs."""
        kind = self.plan.rule(rule.name.text).entity
        return "self.regions" if kind is None else f"self.entities.of({kind!r})"

    def order(self, rule: ir.Rule) -> str:
        """不足时 按顺序: the policy's region set, or the entities as the scenario lists them."""
        p = self.plan.rule(rule.name.text)
        return "REGION_ORDER" if p.entity is None or not p.regional else self.each(rule)

    def amount(self, rule: ir.Rule, r: str | None) -> str:
        """cond → 0, else the first matching exception, else the amount; then the cap."""
        ex = self.ex
        text = ex.expr(rule.amount, r)
        for x in reversed(rule.exceptions):
            text = f"{ex.expr(x.value, r)} if {ex.expr(x.cond, r)} else {text}"
        if rule.cap is not None:
            text = f"min({text}, {ex.expr(rule.cap, r)})"
        if rule.cond is not None:
            text = f"({text}) if {ex.expr(rule.cond, r)} else rt.ZERO"
        return text

    def rule(self, rule: ir.Rule) -> None:
        w = self.w
        name = rule.name.text
        regional = self.plan.rule(name).regional
        store = "by_region" if regional else "totals"
        ret = "dict[str, Fraction]" if regional else "Fraction"
        self.ex.rule = rule
        self.origin(rule.span.line, self.line_of(rule.span.line), rule.literate.quote)
        w.line(f"def {self.names[name]}(self) -> {ret}:")
        with w.indent(), self.ex.bind(self.var(rule), self.plan.rule(name).entity):
            w.line(f"if {name!r} in self.{store}:")
            with w.indent():
                w.line(f"return self.{store}[{name!r}]")
            body = {K.ALLOCATE: self.allocate, K.RETAIN: self.retain, K.SPLIT: self.split, K.COVER: self.cover}
            body.get(rule.kind, self.move_each)(rule, regional)
            w.line(f"self.{store}[{name!r}] = result")
            w.line("return result")
        self.ex.rule = None

    def short(self, rule: ir.Rule, target: str, asked: str) -> None:
        """不足时: `target = ` what the fund pays against `asked` (a dict by region, None for one amount)."""
        assert rule.shortfall is not None
        avail = self.ex.expr(ir.FundRemaining(rule.shortfall.span), None)
        form = rule.shortfall.kind.value
        order = self.order(rule)
        claim = self.plan.rule(rule.name.text).claim
        self.w.line(f"{target} = self.short({claim!r}, {asked}, {avail}, {form!r}, {order})")

    def var(self, rule: ir.Rule) -> str:
        """The loop variable of a rule's body: `r` for a region, `e` for an entity's id."""
        return "r" if self.plan.rule(rule.name.text).entity is None else "e"

    def asked(self, rule: ir.Rule, regional: bool) -> None:
        """Each region's (or entity's) amount, or the one amount under None, into `asked`, then `paid`."""
        w = self.w
        name, line = rule.name.text, rule.span.line
        w.line("asked: dict[str | None, Fraction] = {}")
        if regional:
            r = self.var(rule)
            w.line(f"for {r} in {self.each(rule)}:")
            with w.indent():
                w.line(f"asked[{r}] = rt.amount({self.amount(rule, r)}, {name!r}, {line})", line)
        else:
            w.line(f"asked[None] = rt.amount({self.amount(rule, None)}, {name!r}, {line})", line)
        self.short(rule, "paid", "asked")

    def loop(self, rule: ir.Rule, regional: bool) -> str | None:
        """`result = {}` and a loop over the regions or entities, for a rule with one amount each."""
        if regional:
            r = self.var(rule)
            self.w.line("result = {}")
            self.w.line(f"for {r} in {self.each(rule)}:")
            return r
        return None

    def move_each(self, rule: ir.Rule, regional: bool) -> None:
        """collect, pay and transfer: one amount per region (or one in all)."""
        w = self.w
        if rule.shortfall is not None:
            self.asked(rule, regional)
        r = self.loop(rule, regional)
        p = self.plan.rule(rule.name.text)
        src, dst = self.ep(p.payer, r), self.ep(p.payee, r)
        what = self.amount(rule, r) if rule.shortfall is None else f"paid[{r}]"
        call = f"self.ledger.move({rule.name.text!r}, {rule.span.line}, {src}, {dst}, {what}, {r})"
        if regional:
            with w.indent():
                w.line(f"result[{r}] = {call}", rule.span.line)
        else:
            w.line(f"result = {call}", rule.span.line)

    def allocate(self, rule: ir.Rule, regional: bool) -> None:
        w, ex = self.w, self.ex
        name, line = rule.name.text, rule.span.line
        assert rule.fund is not None
        w.line(f"total = rt.amount({self.amount(rule, None)}, {name!r}, {line})", line)
        if rule.shortfall is not None:
            self.short(rule, "paid", "{None: total}")
            w.line("total = paid[None]")
        p = self.plan.rule(name)
        each = self.each(rule)
        with ex.bind("q", p.entity):
            if rule.single_weight is not None:
                w.line(f"weights = [{ex.expr(rule.single_weight, 'q')} for q in {each}]")
            else:
                mix = ", ".join(
                    f"({ex.expr(x.weight, None)}, [{ex.expr(x.factor, 'q')} for q in {each}])" for x in rule.weights
                )
                w.line(f"weights = rt.mix([{mix}], {name!r}, {line})")
        w.line(f"parts = rt.largest_remainder(total, weights, {name!r}, {line})")
        w.line("result = {}")
        r = self.var(rule)
        dest = r if p.entity is None else self.ep(p.payee, r)
        w.line(f"for {r}, part in zip({each}, parts):")
        with w.indent():
            w.line(f"result[{r}] = self.ledger.move({name!r}, {line}, {rule.fund.text!r}, {dest}, part, {r})")

    def retain(self, rule: ir.Rule, regional: bool) -> None:
        w = self.w
        name, line = rule.name.text, rule.span.line
        p = self.plan.rule(name)
        assert p.payee is not None and p.fund is not None
        dest = p.payee.at(None)
        w.line(f"result = rt.amount({self.amount(rule, None)}, {name!r}, {line})", line)
        if rule.cumulative_cap is not None:
            earlier = list(p.filled_before)
            w.comment("累计上限: retain no more than the room the opening balance and earlier inflows leave")
            for r in earlier:
                w.line(f"self.{self.names[r]}()")
            cap = self.ex.expr(rule.cumulative_cap, None)
            filled = f" - self.ledger.into({dest!r}, {earlier!r})" if earlier else ""
            w.line(f"room = {cap} - self.opening.get({dest!r}, rt.ZERO){filled}")
            w.line("result = min(result, max(rt.round_fen(room), rt.ZERO))")
        if rule.shortfall is not None:
            self.short(rule, "paid", "{None: result}")
            w.line("result = paid[None]")
        w.line(f"self.ledger.move({name!r}, {line}, {p.fund!r}, {dest!r}, result)")

    def split(self, rule: ir.Rule, regional: bool) -> None:
        w = self.w
        name, line = rule.name.text, rule.span.line
        if rule.shortfall is not None:
            self.asked(rule, regional)
        p = self.plan.rule(name)
        assert p.entity is None, "checked (E314): entities are not split"
        r = self.loop(rule, regional)
        ratios = ", ".join(self.ex.expr(s.ratio, r) for s in p.shares)  # a share may vary by region
        with w.indent() if regional else contextlib.nullcontext():
            if rule.shortfall is not None:
                w.line(f"amt = paid[{r}]")
            else:
                w.line(f"amt = rt.amount({self.amount(rule, r)}, {name!r}, {line})", line)
            w.line(f"parts = rt.split_parts(amt, [{ratios}], {name!r}, {line}, {r})")
            src = self.ep(p.payer, r)
            for i, s in enumerate(p.shares):
                w.line(f"self.ledger.move({name!r}, {line}, {src}, {self.ep(s.to, r)}, parts[{i}], {r})")
            w.line("result[r] = amt" if regional else "result = amt")

    def cover(self, rule: ir.Rule, regional: bool) -> None:
        """Tier by tier over all regions, as the interpreter does: a 合计上限 is shared."""
        w, ex = self.w, self.ex
        name, line = rule.name.text, rule.span.line
        assert self.plan.rule(name).entity is None, "checked (E314): entities are not covered by tiers"
        if regional:
            w.line("result = {}")
            w.line("for r in self.regions:")
            with w.indent():
                w.line(f"result[r] = rt.amount({self.amount(rule, 'r')}, {name!r}, {line})", line)
            w.line("regions = self.regions")
            w.line("left = [result[r] for r in regions]")
        else:
            w.line(f"result = rt.amount({self.amount(rule, None)}, {name!r}, {line})", line)
            w.line("regions = [None]")
            w.line("left = [result]")
        gated = rule.cond is not None
        if gated:
            assert rule.cond is not None
            w.comment("当 false: nothing moves there, so the tiers' caps are not read there, nor the rest anywhere")
            if regional:
                w.line("held = []")
                w.line("for r in regions:")
                with w.indent():
                    w.line(f"held.append({ex.expr(rule.cond, 'r')})")
            else:
                w.line(f"held = [{ex.expr(rule.cond, None)}]")
            w.line("if any(held):")
        with w.indent() if gated else contextlib.nullcontext():
            self.tiers(rule, regional, gated)

    def tiers(self, rule: ir.Rule, regional: bool, gated: bool) -> None:
        """The waterfall's tiers, from `left` in `regions` (where `held`, when `gated`)."""
        w, ex = self.w, self.ex
        name, line = rule.name.text, rule.span.line
        r = "r" if regional else None
        p = self.plan.rule(name)
        for tier in p.tiers:
            w.comment(f"层 {quote_line(tier.name)}")
            if tier.cap is None:
                w.line("need = left")
            else:
                cap = ex.expr(tier.cap, "r") if regional else ex.expr(tier.cap, None)
                w.line("need = []")
                if gated:
                    w.line("for r, x, h in zip(regions, left, held):")
                    with w.indent():
                        w.line(f"need.append(min(x, max(rt.round_fen({cap}), rt.ZERO)) if h else x)")
                else:
                    w.line("for r, x in zip(regions, left):")
                    with w.indent():
                        w.line(f"need.append(min(x, max(rt.round_fen({cap}), rt.ZERO)))")
            total = "None" if tier.total_cap is None else f"max(rt.round_fen({ex.expr(tier.total_cap, None)}), rt.ZERO)"
            at = r if tier.total_cap is None else None  # under a 合计上限 the shares are global (E303)
            shares = ", ".join(ex.expr(x.share, at) if x.share is not None else "rt.ONE" for x in tier.payers)
            if at is None:
                w.line(f"ratios = [[{shares}]] * len(regions)")
            else:
                w.line(f"ratios = [[{shares}] for r in regions]")
            lines = (line, tier.line)
            w.line(f"pieces = rt.tier_rows(need, ratios, {total}, {name!r}, {lines}, regions)")
            w.line("for r, row in zip(regions, pieces):")
            with w.indent():
                dest = self.ep(p.payee, r)
                for i, x in enumerate(tier.payers):
                    w.line(f"self.ledger.move({name!r}, {tier.line}, {self.ep(x.by, r)}, {dest}, row[{i}], {r})")
            w.line("left = [x - sum(row, rt.ZERO) for x, row in zip(left, pieces)]")
