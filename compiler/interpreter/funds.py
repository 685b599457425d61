"""The reference interpreter's rules: who pays whom, rounded to the fen, and the ledger.

Every transfer is rounded half-up to 0.01 元 where it is made; allocations and
splits hand out the remaining fen by largest remainder (ties to the earlier
region), so the parts always add up to the whole.
"""

from __future__ import annotations

from fractions import Fraction

import attrs

from compiler.interpreter.recorder import (
    CAP_BINDS,
    CAP_FREE,
    CUMULATIVE_BINDS,
    CUMULATIVE_FREE,
    ENOUGH,
    MOVED,
    NO_EXCEPTION,
    SHORT,
    WHEN_FALSE,
    WHEN_TRUE,
    Recorder,
)
from compiler.interpreter.values import Env, EvalError, Member, Region, Scalar, Values
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.plan import Endpoint, plan_of
from compiler.runtime import (
    BadWeights,
    amounts_due,
    apportion,
    apportion_tier,
    money,
    round_fen,
    short_pay,
    split_parts,
    tier_rows,
)

K = ir.RuleKind


def largest_remainder(total: Fraction, weights: list[Fraction], what: EvalError) -> list[Fraction]:
    """Split `total` (whole fen) in proportion to `weights`, exactly to the fen (runtime.apportion)."""
    try:
        return apportion(total, weights)
    except BadWeights:
        raise what from None


@attrs.frozen
class Transfer:
    source: str
    dest: str
    amount: Fraction
    rule: str
    line: int
    # A waterfall's transfer: the region it covers, its tier and its payer as written
    # (an example may expect one tier's or one payer's part).
    region: str | None = attrs.field(default=None, eq=False)
    tier: str | None = attrs.field(default=None, eq=False)
    payer: str | None = attrs.field(default=None, eq=False)


@attrs.define
class RuleResult:
    total: Fraction
    by_region: dict[str, Fraction] | None  # per-region rules: each region's amount
    transfers: list[Transfer]


class Machine:
    """One period of one policy: values on demand, rules run once each."""

    def __init__(self, checked: CheckedPolicy, env: Env, recorder: Recorder | None = None) -> None:
        self.checked = checked
        self.scope = checked.scope
        self.env = env
        self.recorder = recorder  # pool test --coverage; observes only
        self.values = Values(checked, env, self.rule_value, recorder)
        self.results: dict[str, RuleResult] = {}
        self.plan = plan_of(checked)
        self.claims: dict[str, Fraction] = {}  # 挂账: what each claim rule left unpaid, to carry

    # ---- values

    def value(self, name: str) -> Scalar | dict[str, Scalar]:
        t = self.checked.types[name]
        if t.entity is not None:
            return {i: self.values.name(name, Member(t.entity, i)) for i in self.env.entities.ids.get(t.entity, [])}
        if t.per_region:
            return {r: self.values.name(name, r) for r in self.env.regions}
        return self.values.name(name, None)

    def members(self, kind: str | None) -> list[Region]:
        """Where a rule with one amount per region (kind None) or per entity of `kind` runs."""
        if kind is None:
            return list(self.env.regions)
        return [Member(kind, i) for i in self.env.entities.ids.get(kind, [])]

    def rule_value(self, rule: ir.Rule, region: Region) -> Fraction:
        res = self.run(rule)
        if res.by_region is None:
            return res.total
        at = self.values.lift(region, self.plan.dims.get(rule.name.text))
        assert at is not None
        return res.by_region[_key(at)]

    # ---- the fund words 全部 and 剩余

    def moved(self, names: tuple[str, ...], into: str | None = None, out_of: str | None = None) -> Fraction:
        """What the named rules paid into, or out of, one account this period."""
        rules = self.scope.values
        total = Fraction(0)
        for n in names:
            r = rules[n]
            assert isinstance(r, ir.Rule)
            total += sum((t.amount for t in self.run(r).transfers if t.dest == into or t.source == out_of), Fraction(0))
        return total

    def fund_word(self, rule: ir.Rule, word: ir.Expr) -> Fraction:
        """全部: what the fund took in, as the plan says the rule counts it; 剩余: that, with
        the opening balance, less what the fund's earlier rules paid out."""
        p = self.plan.rule(rule.name.text)
        assert p.fund is not None
        inflow = self.moved(p.inflow, into=p.fund)
        if isinstance(word, ir.FundAll):
            return inflow
        return self.env.opening.get(p.fund, Fraction(0)) + inflow - self.moved(p.spent_before, out_of=p.fund)

    # ---- rules

    def run(self, rule: ir.Rule) -> RuleResult:
        name = rule.name.text
        if name not in self.results:
            previous = self.values.fund_word
            self.values.fund_word = lambda w: self.fund_word(rule, w)
            try:
                self.results[name] = self._run(rule)
            finally:
                self.values.fund_word = previous
            if self.recorder is not None and self.results[name].transfers:
                self.recorder.hit(rule, MOVED)
        return self.results[name]

    def amount(self, rule: ir.Rule, region: Region) -> Fraction:
        v = self.values
        rec = self.recorder
        if rule.cond is not None:
            holds = v.truth(rule.cond, region)
            if rec is not None:
                rec.hit(rule, WHEN_TRUE if holds else WHEN_FALSE)
            if not holds:
                return Fraction(0)
        applies = next((x for x in rule.exceptions if v.truth(x.cond, region)), None)
        if rec is not None and rule.exceptions:
            rec.hit(*((applies, 0) if applies is not None else (rule, NO_EXCEPTION)))
        a = v.num(applies.value if applies is not None else rule.amount, region)
        if rule.cap is not None:
            cap = v.num(rule.cap, region)
            if rec is not None:
                rec.hit(rule, CAP_BINDS if cap < a else CAP_FREE)
            a = min(a, cap)
        a = round_fen(a)
        if a < 0:
            amount = money(a)
            if region:
                where = _key(region)
                raise EvalError("negative-in", span=rule.span, rule=rule.name.text, region=where, amount=amount)
            raise EvalError("negative", span=rule.span, rule=rule.name.text, amount=amount)
        return a

    def short(self, rule: ir.Rule, asked: dict[Region, Fraction]) -> dict[Region, Fraction]:
        """不足时: what the fund pays when it holds less than the rule asks (runtime.short_pay),
        by region or entity; entities are paid 按顺序 in the order the scenario lists them."""
        if rule.shortfall is None:
            return asked
        available = self.fund_word(rule, ir.FundRemaining(rule.shortfall.span))
        keyed = {(_key(k) if k is not None else None): a for k, a in asked.items()}
        claim = self.plan.rule(rule.name.text).claim
        due = amounts_due(claim, keyed, rule.shortfall.kind.value, self.env.opening, self.claims)  # before paying
        paid = short_pay(
            claim,
            keyed,
            available,
            rule.shortfall.kind.value,
            self.plan.region_order if self.plan.rule(rule.name.text).entity is None else (),
            self.env.opening,
            self.claims,
        )
        if self.recorder is not None:
            self.recorder.hit(rule, SHORT if paid != due else ENOUGH)
        return {k: paid[_key(k) if k is not None else None] for k in asked}

    def _run(self, rule: ir.Rule) -> RuleResult:
        p = self.plan.rule(rule.name.text)
        regions: list[Region] = self.members(p.entity) if p.regional else [None]

        def move(src: str, dst: str, amt: Fraction) -> Transfer:
            return Transfer(src, dst, amt, p.name, p.line)

        def at(end: Endpoint, where: Region) -> str:
            """The account of one side of a transfer made for a region or an entity."""
            return end.at(self.values.region_of(where), where.id if isinstance(where, Member) else None)

        if p.kind is K.ALLOCATE:
            assert p.fund is not None and p.payee is not None
            total = self.short(rule, {None: self.amount(rule, None)})[None]
            members = self.members(p.entity)
            parts = largest_remainder(total, self.weights(rule, members), _zero_weights(rule))
            by = {_key(m): a for m, a in zip(members, parts) if m is not None}
            moves = [move(p.fund, at(p.payee, m), a) for m, a in zip(members, parts) if a]
            return RuleResult(total, by, moves)
        if p.kind is K.RETAIN:
            assert p.payer is not None and p.payee is not None
            dest = p.payee.at(None)
            amt = self.amount(rule, None)
            if rule.cumulative_cap is not None:
                filled = self.moved(p.filled_before, into=dest)
                room = self.values.num(rule.cumulative_cap, None) - self.env.opening.get(dest, Fraction(0)) - filled
                room = max(round_fen(room), Fraction(0))
                if self.recorder is not None:
                    self.recorder.hit(rule, CUMULATIVE_BINDS if room < amt else CUMULATIVE_FREE)
                amt = min(amt, room)
            amt = self.short(rule, {None: amt})[None]
            return RuleResult(amt, None, [move(p.payer.at(None), dest, amt)] if amt else [])
        if p.kind is K.SPLIT:
            return self.split(rule, regions)
        if p.kind is K.COVER:
            return self.cover(rule, regions)
        # collect, pay, transfer: one amount per region (or one in all) from payer to payee
        assert p.payer is not None and p.payee is not None
        by_region: dict[str, Fraction] = {}
        transfers: list[Transfer] = []
        total = Fraction(0)
        asked = self.short(rule, {r: self.amount(rule, r) for r in regions})
        for r in regions:
            amt = asked[r]
            total += amt
            if r is not None:
                by_region[_key(r)] = amt
            if amt:
                transfers.append(move(at(p.payer, r), at(p.payee, r), amt))
        return RuleResult(total, by_region if p.regional else None, transfers)

    def weights(self, rule: ir.Rule, regions: list[Region]) -> list[Fraction]:
        v = self.values
        if rule.single_weight is not None:
            return [v.num(rule.single_weight, r) for r in regions]
        shares = [Fraction(0)] * len(regions)
        for w in rule.weights:
            factor = [v.num(w.factor, r) for r in regions]
            s = sum(factor, Fraction(0))
            if s <= 0:
                raise _zero_weights(rule)
            weight = v.num(w.weight, None)
            shares = [acc + weight * f / s for acc, f in zip(shares, factor)]
        return shares

    def split(self, rule: ir.Rule, regions: list[Region]) -> RuleResult:
        p = self.plan.rule(rule.name.text)
        assert p.payer is not None
        transfers: list[Transfer] = []
        by_region: dict[str, Fraction] = {}
        total = Fraction(0)
        asked = self.short(rule, {r: self.amount(rule, r) for r in regions})
        for r in regions:
            amt = asked[r]
            ratios = [self.values.num(s.ratio, r) for s in p.shares]  # a share may vary by region
            parts = split_parts(amt, ratios, p.name, p.line, _region(r), rule.span)
            for share, part in zip(p.shares, parts):
                if part:
                    transfers.append(Transfer(p.payer.at(_region(r)), share.to.at(_region(r)), part, p.name, p.line))
            total += amt
            if r is not None:
                by_region[_key(r)] = amt
        return RuleResult(total, by_region if regions != [None] else None, transfers)

    def cover(self, rule: ir.Rule, regions: list[Region]) -> RuleResult:
        """Tier by tier over all regions: a tier's 合计上限 is shared between regions."""
        transfers: list[Transfer] = []
        amounts = {r: self.amount(rule, r) for r in regions}
        # Where the rule's 当 is false it moves nothing: its tiers' caps are not read there, and
        # their shares and 合计上限 only if it holds somewhere (a region that holds still needs them).
        held = [rule.cond is None or self.values.truth(rule.cond, r) for r in regions]
        left = dict(amounts)
        p = self.plan.rule(rule.name.text)
        assert p.payee is not None
        for ir_tier, tier in zip(rule.tiers, p.tiers) if any(held) else ():
            need = [
                left[r]
                if tier.cap is None or not h
                else min(left[r], max(round_fen(self.values.num(tier.cap, r)), Fraction(0)))
                for r, h in zip(regions, held)
            ]
            ratios = [
                [self.values.num(x.share, at) if x.share is not None else Fraction(1) for x in tier.payers]
                for at in (regions if tier.total_cap is None else [None])  # under a 合计上限 the shares are global
            ]
            total_cap = (
                None if tier.total_cap is None else max(round_fen(self.values.num(tier.total_cap, None)), Fraction(0))
            )
            where = [_region(r) for r in regions]
            pieces = tier_rows(need, ratios, total_cap, p.name, (p.line, tier.line), where, rule.span)
            if self.recorder is not None and any(any(row) for row in pieces):
                self.recorder.hit(ir_tier, 0)
            names = [x.party.name.text if x.party.name else None for x in ir_tier.payers]
            for r, row in zip(regions, pieces):
                dest = p.payee.at(_region(r))
                for payer, piece, who in zip(tier.payers, row, names):
                    if piece:
                        src = payer.by.at(_region(r))
                        transfers.append(Transfer(src, dest, piece, p.name, tier.line, _region(r), tier.name, who))
                left[r] -= sum(row, Fraction(0))
        total = sum(amounts.values(), Fraction(0))
        by_region = {_key(r): a for r, a in amounts.items() if r is not None}
        return RuleResult(total, by_region if regions != [None] else None, transfers)


def _key(where: Region) -> str:
    """How a region or an entity keys a rule's amounts: its name, or the entity's id."""
    assert where is not None
    return where.id if isinstance(where, Member) else where


def _region(where: Region) -> str | None:
    """Splits and waterfalls run by region (E314 keeps entities out of them)."""
    assert not isinstance(where, Member)
    return where


def tier_pieces(
    need: list[Fraction], ratios: list[Fraction], total_cap: Fraction | None, what: EvalError
) -> list[list[Fraction]]:
    """What each payer of one tier pays in each region, one set of shares (runtime.apportion_tier)."""
    try:
        return apportion_tier(need, ratios, total_cap)
    except BadWeights:
        raise what from None


def _zero_weights(rule: ir.Rule) -> EvalError:
    n = rule.name.text
    return EvalError("zero-weights", span=rule.span, rule=n)
