"""The shape of each rule: who pays whom, from where and into what.

Its own pass, after the types: the types of what it reads are known by then.
"""

from __future__ import annotations

from compiler.checks.context import Context
from compiler.checks.typecheck import rule_type
from compiler.diagnostics import Diagnostic, diag
from compiler.ir import nodes as ir
from compiler.ir.scope import Scope
from compiler.ir.walk import rule_exprs, walk
from compiler.messages import Text
from compiler.source import Span

K = ir.RuleKind


def check(ctx: Context) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for fund in ctx.scope.funds.values():
        _fund(out, fund)
    for r in ctx.scope.rules:
        _rule(ctx, out, r)
    return out


def _shape(out: list[Diagnostic], span: Span, zh: str, en: str) -> None:
    out.append(diag("E411", span, what=Text(zh, en)))


def _rule(ctx: Context, out: list[Diagnostic], r: ir.Rule) -> None:
    scope = ctx.scope
    name = r.name.text
    if r.kind in (K.COLLECT, K.ALLOCATE, K.RETAIN, K.PAY) and r.fund is None:
        _shape(out, r.name.span, f"规则“{name}”须写在资金内", f"rule ‘{name}’ must be written inside a fund")
    if r.kind is K.ALLOCATE and r.single_weight is None and not r.weights:
        _shape(out, r.name.span, f"分配规则“{name}”须用“按”给出分配依据", f"allocation ‘{name}’ needs ‘by’ weights")
    if r.kind is not K.ALLOCATE and (r.single_weight is not None or r.weights):
        _shape(out, r.name.span, "只有分配规则可以“按”权重", "only an allocation takes ‘by’ weights")
    if r.kind is K.RETAIN:
        dest = r.dest.name.text if r.dest and r.dest.name else None
        if dest is None or dest not in scope.funds or not scope.funds[dest].carried:
            span = r.dest.span if r.dest else r.name.span
            _shape(out, span, "留存须转入一个结转的资金", "retention must go into a carried fund")
    if r.cumulative_cap is not None and r.kind is not K.RETAIN:
        _shape(out, r.cumulative_cap.span, "只有留存规则可以设累计上限", "only a retention has a cumulative cap")
    if r.kind is K.TRANSFER and (r.dest is None or (r.source is None and r.fund is None)):
        _shape(out, r.name.span, f"转移“{name}”须写明“自”和“至”", f"transfer ‘{name}’ needs both ‘from’ and ‘to’")
    if r.kind is K.SPLIT and r.source is None and r.fund is None:
        _shape(out, r.name.span, f"拆分“{name}”写在资金之外,须用“自”写明由谁拆分", f"split ‘{name}’ is outside a fund and needs ‘from’")
    if r.source is not None and r.dest is not None and r.source.each_region and r.dest.each_region:
        _shape(out, r.source.span, "各地区不能向各地区转移", "money cannot move from each region to each region")
    if r.kind is K.SPLIT and not r.shares:
        _shape(out, r.name.span, f"拆分“{name}”须列出各方份额", f"split ‘{name}’ needs the parties' shares")
    if r.kind is K.COVER and not r.tiers:
        _shape(out, r.name.span, f"弥补“{name}”须列出各层", f"cover ‘{name}’ needs its tiers")
    if r.kind is not K.SPLIT and r.shares:
        _shape(out, r.shares[0].span, "只有拆分规则可以列出份额", "only a split lists shares")
    if r.kind is not K.COVER and r.tiers:
        _shape(out, r.tiers[0].span, "只有弥补规则可以分层", "only a cover rule has tiers")
    _regions_need_regional_amount(ctx, out, r)
    fund = scope.funds.get(r.fund.text) if r.fund else None
    if fund is not None and fund.per_region:
        _per_region_fund_rule(out, r, fund)
    if r.kind is K.COLLECT and r.source is not None and r.source.name is not None:
        src = scope.parties.get(r.source.name.text)
        if isinstance(src, ir.FundDecl) and src.name.text == (r.fund.text if r.fund else None):
            _shape(out, r.source.span, "资金不能向自身上解", "a fund cannot collect from itself")
    _not_to_itself(scope, out, r)


def _not_to_itself(scope: Scope, out: list[Diagnostic], r: ir.Rule) -> None:
    """Money that leaves a fund and comes straight back moves nothing, and 全部 of the fund
    would then include itself (the compiled evaluator recursed forever on it)."""
    if r.kind is K.COLLECT:
        return
    if r.kind is K.COVER:  # each tier's payers pay the destination
        dest = r.dest.name.text if r.dest is not None and r.dest.name is not None else None
        pairs = [(p.party, dest) for t in r.tiers for p in t.payers]
    else:
        payer = r.source.name.text if r.source is not None and r.source.name is not None else (r.fund.text if r.fund else None)
        pairs = [(ref, payer) for ref in [r.dest, *(s.party for s in r.shares)] if ref is not None]
    for ref, other in pairs:
        if other in scope.funds and ref.name is not None and ref.name.text == other:
            _shape(out, ref.span, f"资金“{other}”不能向自身付款", f"fund ‘{other}’ cannot pay into itself")
            return


def _fund(out: list[Diagnostic], fund: ir.FundDecl) -> None:
    if fund.per_region and not fund.carried:
        # A per-region account that must close at zero would just pass money through.
        _shape(out, fund.name.span, f"按地区的资金“{fund.name.text}”须结转(每个地区一个账户,逐期保留余额)",
               f"per-region fund ‘{fund.name.text}’ must be carried: one account per region keeps its balance")  # fmt: skip


def _per_region_fund_rule(out: list[Diagnostic], r: ir.Rule, fund: ir.FundDecl) -> None:
    """Each region's account of a per-region fund only moves that region's own money."""
    if r.kind in (K.ALLOCATE, K.RETAIN):
        _shape(out, r.name.span, f"按地区的资金“{fund.name.text}”不能有分配或留存规则(各地区只动用自己的账户)",
               f"per-region fund ‘{fund.name.text}’ cannot allocate or retain: each region moves only its own account")  # fmt: skip
    for top in rule_exprs(r):
        for e in walk(top):
            if isinstance(e, (ir.FundAll, ir.FundRemaining)):
                _shape(out, e.span, f"按地区的资金“{fund.name.text}”内不能用“全部”或“剩余”;请用“余额({fund.name.text})”",
                       f"‘all’ and ‘remaining’ cannot be used in per-region fund ‘{fund.name.text}’; use balance({fund.name.text})")  # fmt: skip


def _regions_need_regional_amount(ctx: Context, out: list[Diagnostic], r: ir.Rule) -> None:
    """A share or tier paid by or to each region needs each region's own amount.

    A global amount (`全部` of a fund) has no rule for dividing it among the regions:
    that is what an allocation's weights are for. Both engines would otherwise have
    no region to name as the party (found by tests/fuzz: a split of `全部` with a
    share to 各地区 passed the checks and crashed the code generator).
    """
    if r.kind is K.ALLOCATE:
        return
    t = rule_type(ctx, r)
    if t is None or t.per_region:
        return
    refs = [s.party for s in r.shares] + [p.party for tier in r.tiers for p in tier.payers]
    for ref in refs:
        if ref.each_region:
            _shape(out, ref.span, "金额是全局值,不能按地区分给各地区;请用分配规则按因素分配,或拆分按地区取值的金额",
                   "the amount is a single global value and cannot go to each region: allocate it by weights, or split a per-region amount")  # fmt: skip
            return

