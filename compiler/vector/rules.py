"""Rules over whole batches: who pays whom, in int64 fen, for every draw at once.

Mirrors compiler/interpreter/funds.py rule for rule; tests/test_vector.py holds
the two to the same ledger. A flow is one (source, dest) pair of one rule with
its amount in every draw; flows are kept in the order the scalar engines write
ledger entries, so dropping the zero ones gives their ledger draw by draw.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import attrs
import numpy as np

from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.plan import Endpoint, RulePlan, plan_of
from compiler.runtime import REGION, claim_account
from compiler.vector import arith as A
from compiler.vector.arith import Arr, Ctx, Q, Why, why
from compiler.vector.flows import AnyFlow, EntityFlow, Flow, account_terms
from compiler.vector.shares import by_region, largest_remainder, share_faults, stack, tier_pieces
from compiler.vector.values import Values

K = ir.RuleKind


@attrs.frozen
class RuleOut:
    fen: Arr  # (draws, regions) for a per-region rule, (draws, entities) per entity, (draws, 1) otherwise
    flows: list[AnyFlow]
    mag: int  # ≥ max |fen|, measured once: the rule's value is read by later rules


class Failures:
    """Which draws could not be settled, and the first reason for each."""

    def __init__(self, size: int) -> None:
        self.failed = np.zeros(size, dtype=bool)
        self.reasons: dict[int, Why] = {}

    def add(self, mask: Arr | None, why: Why | None, line: int | None = None) -> None:
        if mask is None:
            return
        rows = (
            np.asarray(mask).reshape(mask.shape[0], -1).any(axis=1)
            if np.ndim(mask)
            else np.full(self.failed.shape, bool(mask))
        )
        new = rows & ~self.failed
        if not new.any():
            return
        reason = why or Why("cannot-settle")
        if reason.line is None and line is not None:
            reason = attrs.evolve(reason, line=line)
        for i in np.flatnonzero(new)[:16]:  # enough to report; the mask holds them all
            self.reasons[int(i)] = reason.at(int(i))
        self.failed |= rows


def _zero_weights(rule: ir.Rule) -> Why:
    n = rule.name.text
    return why("zero-weights", rule.span.line, rule=n)


class Machine:
    def __init__(self, checked: CheckedPolicy, values: Values, failures: Failures) -> None:
        self.checked = checked
        self.scope = checked.scope
        self.v = values
        self.ctx: Ctx = values.ctx
        self.fail = failures
        self.size = values.size
        self.regions = values.regions
        self.results: dict[str, RuleOut] = {}
        self.plan = plan_of(checked)
        self.claims: dict[str, Arr] = {}  # 挂账: what each claim rule left unpaid, (draws,) fen

    def rule_value(self, rule: ir.Rule) -> Q:
        out = self.run(rule)
        return A.fen_q(out.fen, out.mag)

    # ---- 全部 and 剩余

    def moved(
        self, names: tuple[str, ...], sign: int, into: str | None = None, out_of: str | None = None
    ) -> list[tuple[int, Arr, int]]:
        """The named rules' flows into, or out of, one account, as signed fen terms."""
        out = []
        for n in names:
            out += account_terms(self.run(self.plan.rule(n).rule).flows, into, out_of, sign)
        return out

    def fund_word(self, rule: ir.Rule, word: ir.Expr) -> Q:
        p = self.plan.rule(rule.name.text)
        assert p.fund is not None
        terms = self.moved(p.inflow, 1, into=p.fund)
        if isinstance(word, ir.FundRemaining):
            terms += self.moved(p.spent_before, -1, out_of=p.fund)
            opening = self.v.opening.get(p.fund)
            if opening is not None:
                terms.append((1, opening, A.measure(opening)))
        total = A.fen_sum(self.ctx, terms, self.size)
        return A.fen_q(total.reshape(self.size, 1))

    # ---- rules

    def run(self, rule: ir.Rule) -> RuleOut:
        name = rule.name.text
        if name not in self.results:
            previous = self.v.fund_word
            self.v.fund_word = lambda w: self.fund_word(rule, w)
            try:
                with self.v.within(self.plan.dims.get(name)):  # a person's rule reads its region's values
                    self.results[name] = self._run(rule)
            finally:
                self.v.fund_word = previous
        return self.results[name]

    def fen(self, q: Q, rule: ir.Rule, line: int | None = None) -> Arr:
        """A value that is about to move money: to the fen; poison becomes a failure."""
        self.ctx.line = line or rule.span.line
        if q.bad is not None:
            self.fail.add(q.bad, q.why, self.ctx.line)
            # What a failed draw holds is meaningless: zero, so it cannot overflow the rounding.
            q = A.where(self.ctx, q.bad, A.const(Fraction(0)), attrs.evolve(q, bad=None, why=None))
        return A.to_fen(self.ctx, q)

    def where(self, p: RulePlan) -> tuple[str | None, Sequence[str | None]]:
        """Where a rule runs: its dimension, and the key of each column (a region, an entity's id)."""
        if p.entity is not None:
            return p.entity, self.v.layout.ids.get(p.entity, [])
        return (REGION, list(self.regions)) if p.regional else (None, [None])

    def per_entity(self, p: RulePlan, other: Endpoint | str, paying: bool, fen: Arr, m: int) -> EntityFlow:
        """A per-entity rule's transfers, all at once: with the account of each region on the other side."""
        assert p.entity is not None
        sides = tuple(other if isinstance(other, str) else other.at(r) for r in self.regions)
        region = self.v.layout.region_index(p.entity)
        return EntityFlow(p.name, p.line, p.entity, paying, sides, fen, m, region)

    def amount(self, rule: ir.Rule, dim: str | None) -> tuple[Arr, int]:
        with self.v.within(dim):
            return self._amount(rule, dim)

    def _amount(self, rule: ir.Rule, dim: str | None) -> tuple[Arr, int]:
        """cond → 0, else the first matching exception, else the amount; the cap; to the fen; never negative.
        With max |fen|: one pass each way serves the sign check and the bound."""
        v = self.v
        a = v.num(rule.amount)
        for x in reversed(rule.exceptions):
            a = v.choose(v.flag(x.cond), v.num(x.value), a)  # type: ignore[assignment]
        if rule.cap is not None:
            self.ctx.line = rule.span.line
            a = A.maximum(self.ctx, a, v.num(rule.cap), larger=False)
        if rule.cond is not None:
            a = v.choose(v.flag(rule.cond), a, A.const(Fraction(0)))  # type: ignore[assignment]
        if a.bad is not None:  # poison counts only where the rule runs: nowhere, with no entities of its kind
            a = attrs.evolve(a, bad=np.broadcast_to(a.bad, v.dshape(dim)))
        fen = np.broadcast_to(self.fen(a, rule), v.dshape(dim))
        lo, hi = (int(fen.min()), int(fen.max())) if fen.size else (0, 0)
        if lo < 0:
            n = rule.name.text
            self.fail.add(fen < 0, why("negative-draw", rule.span.line, rule=n))
        return fen, max(-lo, hi)

    def short(
        self, rule: ir.Rule, want: Arr, m: int, cols: Sequence[str | None], entities: bool = False
    ) -> tuple[Arr, int]:
        """不足时, as runtime.short_pay does it for one draw: every amount asked where the fund
        holds enough; else what it holds, pro rata (largest remainder) or region by region
        in the region set's order (entities in the order they are listed); 挂账 asks again
        for last period's unpaid claim."""
        sf = rule.shortfall
        if sf is None:
            return want, m
        name = self.plan.rule(rule.name.text).claim
        held = self.fen(self.fund_word(rule, ir.FundRemaining(sf.span)), rule, sf.span.line)
        have = np.maximum(np.broadcast_to(held, (self.size, 1)), 0)
        if sf.kind is ir.ShortfallKind.CLAIM and len(cols):  # no entities of the kind: nothing carried
            # A month's copy asks again for what the month before left unpaid (compiler/months.py).
            accts = [claim_account(name, r) for r in cols]
            carried = [self.claims.get(a, self.v.opening.get(a)) for a in accts]
            zero = np.zeros(self.size, np.int64)
            want = want + np.stack([zero if c is None else np.broadcast_to(c, (self.size,)) for c in carried], axis=1)
        enough = want.sum(axis=1, keepdims=True) <= have
        if sf.kind is ir.ShortfallKind.IN_ORDER:
            rank = {} if entities else {r: i for i, r in enumerate(self.plan.region_order)}
            perm = sorted(range(len(cols)), key=lambda i: (rank.get(cols[i] or "", len(rank)), i))
            w = want[:, perm]
            part = np.minimum(w, np.maximum(have - (np.cumsum(w, axis=1) - w), 0))
            cut = np.empty_like(part)
            cut[:, perm] = part
        else:
            weights = Q(want, 1, max(A.measure(want), 1), 1)
            cut, _ = largest_remainder(self.ctx, have, weights)  # weights summing to zero: enough holds there
        paid = np.where(enough, want, cut).astype(np.int64, copy=False)
        if sf.kind is ir.ShortfallKind.CLAIM:
            for i, r in enumerate(cols):
                self.claims[claim_account(name, r)] = want[:, i] - paid[:, i]
        return paid, A.measure(paid)

    def _run(self, rule: ir.Rule) -> RuleOut:
        p = self.plan.rule(rule.name.text)
        name, line = p.name, p.line
        dim, regions = self.where(p)

        if p.kind is K.ALLOCATE:
            assert p.fund is not None and p.payee is not None
            total, tm = self.amount(rule, None)
            total, _ = self.short(rule, total, tm, [None])
            with self.v.within(dim):
                weights = self.weights(rule, dim)
            parts, bad = largest_remainder(self.ctx, total, weights)
            self.fail.add(bad, _zero_weights(rule))
            m = A.measure(parts)
            if p.entity is not None:
                return RuleOut(parts, [self.per_entity(p, p.fund, False, parts, m)], m)
            flows: list[AnyFlow] = [Flow(p.fund, d, name, line, parts[:, i], m) for i, d in enumerate(self.regions)]
            return RuleOut(parts, flows, m)
        if p.kind is K.RETAIN:
            assert p.payer is not None and p.payee is not None
            dest = p.payee.at(None)
            amt, m = self.amount(rule, None)
            if rule.cumulative_cap is not None:
                room = A.add(self.ctx, self.v.num(rule.cumulative_cap), self.v.opening_q(dest), -1)
                if p.filled_before:
                    into = self.moved(p.filled_before, 1, into=dest)
                    filled = A.fen_q(A.fen_sum(self.ctx, into, self.size).reshape(self.size, 1))
                    room = A.add(self.ctx, room, filled, -1)
                amt = np.minimum(amt, np.maximum(self.fen(room, rule), 0))  # |amt| only shrinks: m still bounds it
            amt, m = self.short(rule, amt, m, [None])
            return RuleOut(amt, [Flow(p.payer.at(None), dest, name, line, amt[:, 0], m)], m)
        if p.kind is K.SPLIT:
            return self.split(rule, regions)
        if p.kind is K.COVER:
            return self.cover(rule, regions)
        assert p.payer is not None and p.payee is not None
        fen, m = self.short(rule, *self.amount(rule, dim), regions, p.entity is not None)
        payer, payee = p.payer, p.payee
        if p.entity is not None:
            paying = payer.entity is not None
            return RuleOut(fen, [self.per_entity(p, payee if paying else payer, paying, fen, m)], m)
        flows = [Flow(payer.at(r), payee.at(r), name, line, fen[:, i], m) for i, r in enumerate(regions)]
        return RuleOut(fen, flows, m)

    def weights(self, rule: ir.Rule, dim: str | None) -> Q:
        v, ctx = self.v, self.ctx
        ctx.line = rule.span.line
        shape = v.dshape(dim)
        if rule.single_weight is not None:
            w = A.eager(ctx, v.num(rule.single_weight))
            return attrs.evolve(w, num=np.broadcast_to(w.num, shape))
        shares: Q | None = None
        for x in rule.weights:
            factor = A.eager(ctx, v.num(x.factor))
            s = v.total(attrs.evolve(factor, num=np.broadcast_to(factor.num, shape)), dim)
            self.fail.add(np.asarray(s.num <= 0), _zero_weights(rule))
            safe = A.where(ctx, np.asarray(s.num <= 0), A.const(Fraction(1)), s)
            term = A.div(ctx, A.mul(ctx, v.num(x.weight), factor), safe)
            shares = term if shares is None else A.add(ctx, shares, term)
        assert shares is not None, "checked: a mix has at least one factor"
        return attrs.evolve(shares, num=np.broadcast_to(shares.num, shape))

    def split(self, rule: ir.Rule, regions: Sequence[str | None]) -> RuleOut:
        p = self.plan.rule(rule.name.text)
        assert p.payer is not None
        name, line = p.name, p.line
        regional = regions != [None]
        amt, am = self.short(rule, *self.amount(rule, REGION if regional else None), regions)
        with self.v.within(REGION if regional else None):  # a share may vary by region
            qs = [self.v.num(s.ratio) for s in rule.shares]
        width = len(regions) if regional and any(by_region(q) for q in qs) else 1
        ratios = stack(self.ctx, qs, self.size, width)
        parts, bad = largest_remainder(self.ctx, amt[:, :, None], _payers(ratios) if width == 1 else ratios)
        self.shares_faults(rule, ratios, amt, regions, line)
        self.fail.add((bad[:, :, 0] & (amt != 0)), _zero_weights(rule))
        self.fail.add(ratios.bad, ratios.why, rule.span.line)
        flows: list[AnyFlow] = []
        m = A.measure(parts)
        for i, r in enumerate(regions):
            for j, s in enumerate(p.shares):
                flows.append(Flow(p.payer.at(r), s.to.at(r), name, line, parts[:, i, j], m))
        return RuleOut(amt, flows, am)

    def shares_faults(self, rule: ir.Rule, ratios: Q, amt: Arr, regions: Sequence[str | None], line: int) -> None:
        """Region by region, as the scalar engines raise them: shares that cannot split a
        non-zero amount (zero-weights), then shares that do not add up to exactly 100%."""
        zero, off = share_faults(self.ctx, ratios)
        moving = amt != 0
        zero, off = np.broadcast_to(zero, amt.shape) & moving, np.broadcast_to(off, amt.shape) & moving
        for i, r in enumerate(regions):
            self.fail.add(zero[:, i], _zero_weights(rule))
            self.fail.add(off[:, i], _shares_sum(rule, r, line))

    def cover(self, rule: ir.Rule, regions: Sequence[str | None]) -> RuleOut:
        """Tier by tier over all regions: a tier's 合计上限 is shared between regions."""
        p = self.plan.rule(rule.name.text)
        assert p.payee is not None
        name = p.name
        regional = regions != [None]
        amounts, am = self.amount(rule, REGION if regional else None)
        # Where the rule's 当 is false it moves nothing: a tier's cap is not needed in that region,
        # its shares and 合计上限 not in a draw where it holds nowhere (their poison does not count there).
        held = np.ones(amounts.shape, dtype=bool)
        if rule.cond is not None:
            with self.v.within(REGION if regional else None):
                held = np.broadcast_to(self.v.flag(rule.cond).data, amounts.shape)
        anywhere = np.asarray(held.any(axis=1, keepdims=True))
        left = amounts
        flows: list[AnyFlow] = []
        for tier in p.tiers:
            need = left
            if tier.cap is not None:
                cap = self.fen(_needed(self.v.num(tier.cap), held), rule, tier.line)
                need = np.where(held, np.minimum(left, np.maximum(np.broadcast_to(cap, left.shape), 0)), left)
            one = A.const(Fraction(1))
            own = regional and tier.total_cap is None  # under a 合计上限 the shares are global (E303)
            with self.v.within(REGION if own else None):
                qs = [_needed(self.v.num(x.share), anywhere) if x.share is not None else one for x in tier.payers]
            ratios = stack(self.ctx, qs, self.size, len(regions) if own and any(by_region(q) for q in qs) else 1)
            self.fail.add(ratios.bad, ratios.why, tier.line)
            total_cap = None
            if tier.total_cap is not None:
                total_cap = np.maximum(
                    np.broadcast_to(
                        self.fen(_needed(self.v.num(tier.total_cap), anywhere), rule, tier.line), (self.size, 1)
                    ),
                    0,
                )
            self.ctx.line = tier.line
            rows, bad = tier_pieces(self.ctx, np.ascontiguousarray(need), ratios, total_cap)
            if total_cap is None:
                self.shares_faults(rule, ratios, need, regions, tier.line)
                self.fail.add(bad, _zero_weights(rule))
            else:
                self.fail.add(bad, _zero_weights(rule))
                _zero, off = share_faults(self.ctx, ratios)
                tier_total = np.minimum(need.sum(axis=1, keepdims=True), total_cap)
                self.fail.add(off & (tier_total != 0), why("shares-sum-all", tier.line, rule=name))
            m = A.measure(rows)
            for i, r in enumerate(regions):
                for j, x in enumerate(tier.payers):
                    flows.append(Flow(x.by.at(r), p.payee.at(r), name, tier.line, rows[:, i, j], m))
            left = left - A.lastsum(rows)[:, :, 0]
        return RuleOut(amounts, flows, am)


def _shares_sum(rule: ir.Rule, region: str | None, line: int) -> Why:
    if region is None:
        return why("shares-sum-all", line, rule=rule.name.text)
    return why("shares-sum", line, rule=rule.name.text, region=region)


def _needed(q: Q, where: Arr) -> Q:
    """A value read only `where` (a mask that broadcasts with it): its poison elsewhere is dropped."""
    if q.bad is None:
        return q
    return attrs.evolve(q, bad=np.asarray(q.bad & where))


def _payers(ratios: Q) -> Q:
    """Shares (draws, k) as weights for every region: (draws, 1, k)."""
    num = np.reshape(ratios.num, (ratios.num.shape[0], 1, -1))
    den = ratios.den if isinstance(ratios.den, int) else np.reshape(ratios.den, (np.shape(ratios.den)[0], 1, -1))
    return Q(num, den, ratios.mag, ratios.dmag, None)
