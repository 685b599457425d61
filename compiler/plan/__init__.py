"""Lowering a checked policy to its Plan (compiler/plan/nodes.py): run by the driver after
the checks; the interpreter, the compiled evaluator and the vectorized engine read it.

    plan = translate(checked)     # or plan_of(checked): the driver's, or made now
"""

from __future__ import annotations

from fractions import Fraction

from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.deps import dependencies
from compiler.ir.dims import aggregate_kind
from compiler.ir.scope import Scope
from compiler.ir.types import dim
from compiler.ir.walk import decl_exprs, walk
from compiler.plan.nodes import REGION, Endpoint, EntityKind, FundPlan, Payer, Plan, RulePlan, Share, Tier

__all__ = ["Endpoint", "FundPlan", "Plan", "RulePlan", "plan_of", "translate"]

K = ir.RuleKind


def plan_of(checked: CheckedPolicy) -> Plan:
    """The plan the driver attached to a checked policy, or one made now."""
    return checked.plan if isinstance(checked.plan, Plan) else translate(checked)


def translate(checked: CheckedPolicy) -> Plan:
    scope = checked.scope
    rules = tuple(_rule(scope, checked, r) for r in scope.rules)
    funds = tuple(
        FundPlan(f.name.text, f.carried, f.per_region, f.name.span.line, f.name.span) for f in scope.funds.values()
    )
    aggregates = {
        e: kind
        for top in _all_exprs(checked)
        for e in walk(top)
        if isinstance(e, ir.Call) and (kind := aggregate_kind(e, checked.types, scope)) is not None
    }
    return Plan(
        rules=rules,
        order=tuple(_order(checked)),
        funds=funds,
        claims=tuple(dict.fromkeys(r.claim for r in rules if r.shortfall is ir.ShortfallKind.CLAIM)),
        region_order=tuple(r.text for r in scope.regions(checked.policy)),
        by_name={r.name: r for r in rules},
        balances={
            **{f.name: f.per_region for f in funds if f.carried},
            **{r.claim: r.regional for r in rules if r.shortfall is ir.ShortfallKind.CLAIM},
        },
        entities=tuple(EntityKind(k, tuple(x.text for x in d.links), d.span.line) for k, d in scope.entities.items()),
        aggregates=aggregates,
        dims={n: dim(t) for n, t in checked.types.items()},
    )


def _all_exprs(checked: CheckedPolicy) -> list[ir.Expr]:
    """Every expression the engines evaluate: the values' and rules', and the constraints' (a
    约束 may total an entity value by region too)."""
    decls: list[ir.Decl] = [*checked.scope.values.values(), *checked.scope.constraints]
    return [e for d in decls for e in decl_exprs(d)]


def _party(scope: Scope, ref: ir.PartyRef | None, default: Endpoint | None) -> Endpoint | None:
    if ref is None:
        return default
    kind = scope.each_entity(ref)
    if kind is not None:
        return Endpoint(None, entity=kind)
    if ref.name is None:
        return REGION
    decl = scope.parties.get(ref.name.text)
    return Endpoint(ref.name.text, decl is not None and decl.per_region)


def _rule(scope: Scope, checked: CheckedPolicy, r: ir.Rule) -> RulePlan:
    fund = r.fund.text if r.fund else None
    own = Endpoint(fund, scope.funds[fund].per_region) if fund is not None else None
    payer: Endpoint | None
    payee: Endpoint | None
    if r.kind is K.COLLECT:
        payer, payee = _party(scope, r.source, REGION), _party(scope, r.dest, own)
    elif r.kind is K.ALLOCATE:  # 至 各地区, or 至 各定点医疗机构: each entity's own account
        payer, payee = own, _party(scope, r.dest, REGION) if scope.each_entity(r.dest) else REGION
    elif r.kind is K.RETAIN:
        payer, payee = own, _party(scope, r.dest, None)
    elif r.kind is K.SPLIT:
        payer, payee = _party(scope, r.source, own), None
    elif r.kind is K.COVER:
        payer, payee = None, _party(scope, r.dest, REGION)
    else:  # pay, transfer
        payer, payee = _party(scope, r.source, own), _party(scope, r.dest, REGION)
    shares = tuple(Share(_need(_party(scope, s.party, None)), s.ratio, s.span) for s in r.shares)
    tiers = tuple(
        Tier(
            t.name.text,
            tuple(Payer(_need(_party(scope, p.party, None)), p.share, p.span) for p in t.payers),
            t.cap,
            t.total_cap,
            t.span.line,
            t.span,
        )
        for t in r.tiers
    )
    inflow: tuple[str, ...] = ()
    spent: tuple[str, ...] = ()
    if fund is not None:
        f = scope.funds[fund]
        inflow = tuple(x.name.text for x in scope.feeders_for(r))
        spent = tuple(x.name.text for x in f.rules[: f.rules.index(r)] if x.kind is not K.COLLECT)
    return RulePlan(
        rule=r,
        kind=r.kind,
        name=r.name.text,
        line=r.span.line,
        regional=checked.types[r.name.text].per_region,
        entity=checked.types[r.name.text].entity,
        fund=fund,
        payer=payer,
        payee=payee,
        shares=shares,
        tiers=tiers,
        inflow=inflow,
        spent_before=spent,
        filled_before=tuple(x.name.text for x in scope.filled_before(r)),
        shortfall=r.shortfall.kind if r.shortfall is not None else None,
        span=r.span,
        instalments=(r.instalments.parts, Fraction(r.instalments.holdback)) if r.instalments is not None else None,
        claim=r.sub_copy.base if r.sub_copy is not None else r.name.text,
        due_month=r.sub_copy.month if r.sub_copy is not None else None,
    )


def _need(e: Endpoint | None) -> Endpoint:
    assert e is not None, "checked: shares and tier payers name a party"
    return e


def _order(checked: CheckedPolicy) -> list[str]:
    """Every value after the values it reads (ties in declaration order), so a generated
    module reads top-down like a derivation. The checks guarantee there are no cycles."""
    deps = {n: [x.name for x in refs] for n, refs in dependencies(checked.scope).items()}
    order: list[str] = []
    done: set[str] = set()

    def visit(n: str) -> None:
        if n in done:
            return
        done.add(n)
        for m in deps[n]:
            visit(m)
        order.append(n)

    for _module, d in checked.program.all_decls():  # source order, rules among the rest
        if isinstance(d, ir.FundDecl):
            for r in d.rules:
                visit(r.name.text)
        elif isinstance(d, (ir.ParamDecl, ir.InputDecl, ir.LetDecl, ir.Rule)):
            visit(d.name.text)
    return order
