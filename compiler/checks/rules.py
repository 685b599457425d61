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

K = ir.RuleKind


def check(ctx: Context) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for fund in ctx.scope.funds.values():
        _fund(out, fund)
    for r in ctx.scope.rules:
        _rule(ctx, out, r)
    return out


def _rule(ctx: Context, out: list[Diagnostic], r: ir.Rule) -> None:
    scope = ctx.scope
    name = r.name.text
    if r.kind in (K.COLLECT, K.ALLOCATE, K.RETAIN, K.PAY) and r.fund is None:
        out.append(diag("E411", r.name.span, name=name))
    if r.kind is K.ALLOCATE and r.single_weight is None and not r.weights:
        out.append(diag("E422", r.name.span, name=name))
    if r.kind is not K.ALLOCATE and (r.single_weight is not None or r.weights):
        out.append(diag("E423", r.name.span))
    if r.kind is K.RETAIN:
        dest = r.dest.name.text if r.dest and r.dest.name else None
        if dest is None or dest not in scope.funds or not scope.funds[dest].carried:
            span = r.dest.span if r.dest else r.name.span
            out.append(diag("E424", span))
    if r.cumulative_cap is not None and r.kind is not K.RETAIN:
        out.append(diag("E425", r.cumulative_cap.span))
    if r.kind is K.TRANSFER and (r.dest is None or (r.source is None and r.fund is None)):
        out.append(diag("E426", r.name.span, name=name))
    if r.kind is K.SPLIT and r.source is None and r.fund is None:
        out.append(diag("E427", r.name.span, name=name))
    if r.source is not None and r.dest is not None and r.source.each_region and r.dest.each_region:
        out.append(diag("E428", r.source.span))
    if r.kind is K.SPLIT and not r.shares:
        out.append(diag("E429", r.name.span, name=name))
    if r.kind is K.COVER and not r.tiers:
        out.append(diag("E430", r.name.span, name=name))
    if r.kind is not K.SPLIT and r.shares:
        out.append(diag("E431", r.shares[0].span))
    if r.kind is not K.COVER and r.tiers:
        out.append(diag("E432", r.tiers[0].span))
    _regions_need_regional_amount(ctx, out, r)
    fund = scope.funds.get(r.fund.text) if r.fund else None
    if fund is not None and fund.per_region:
        _per_region_fund_rule(out, r, fund)
    if r.kind is K.COLLECT and r.source is not None and r.source.name is not None:
        src = scope.parties.get(r.source.name.text)
        if isinstance(src, ir.FundDecl) and src.name.text == (r.fund.text if r.fund else None):
            out.append(diag("E433", r.source.span))
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
        source = r.source.name.text if r.source is not None and r.source.name is not None else None
        payer = source if source is not None else (r.fund.text if r.fund else None)
        pairs = [(ref, payer) for ref in [r.dest, *(s.party for s in r.shares)] if ref is not None]
    for ref, other in pairs:
        if other in scope.funds and ref.name is not None and ref.name.text == other:
            out.append(diag("E434", ref.span, fund=other))
            return


def _fund(out: list[Diagnostic], fund: ir.FundDecl) -> None:
    if fund.per_region and not fund.carried:
        # A per-region account that must close at zero would just pass money through.
        out.append(diag("E435", fund.name.span, fund=fund.name.text))


def _per_region_fund_rule(out: list[Diagnostic], r: ir.Rule, fund: ir.FundDecl) -> None:
    """Each region's account of a per-region fund only moves that region's own money."""
    if r.kind in (K.ALLOCATE, K.RETAIN):
        out.append(diag("E436", r.name.span, fund=fund.name.text))
    for top in rule_exprs(r):
        for e in walk(top):
            if isinstance(e, (ir.FundAll, ir.FundRemaining)):
                out.append(diag("E437", e.span, fund=fund.name.text))


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
            out.append(diag("E438", ref.span))
            return
