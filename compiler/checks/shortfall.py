"""A fund that cannot pay: every rule that may ask a fund for more than it holds says
what happens then (不足时 按比例 / 按顺序 / 挂账), and the clause sits only where it means
something.

A carried fund (a reserve) pays out of a balance no formula in the policy bounds: a rule
whose request is not bounded by what it holds is refused here (E421), before any run. A
fund that does not carry a balance passes on what it takes in, and the accounting pass
(E407/E408/W503) already reasons about the shares of its inflow.
"""

from __future__ import annotations

from fractions import Fraction

from compiler.checks.context import Context
from compiler.checks.linear import constant
from compiler.diagnostics import Diagnostic, diag, note
from compiler.ir import nodes as ir
from compiler.ir.functions import lookup

K = ir.RuleKind


def pays_from_fund(rule: ir.Rule) -> bool:
    """The rule moves money out of the fund whose block holds it (not into it, and not
    between other parties)."""
    return rule.fund is not None and rule.kind not in (K.COLLECT, K.COVER) and rule.source is None


def check(ctx: Context) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    regions = ctx.scope.regions(ctx.policy)
    for rule in ctx.scope.rules:
        if rule.name.span.file != ctx.scope.main_file or rule.name.text in ctx.broken:
            continue
        fund = ctx.scope.funds.get(rule.fund.text) if rule.fund is not None else None
        if rule.shortfall is not None:
            out += _placement(ctx, rule, fund, regions)
        elif (
            fund is not None
            and fund.carried
            and pays_from_fund(rule)
            and not _misshapen(rule, fund)
            and not _bounded(rule, fund, ctx)
        ):
            hint = note("shortfall-per-region", fund=fund.name.text) if fund.per_region else note("shortfall-forms")
            out.append(diag("E421", rule.name.span, hint=hint, name=rule.name.text, fund=fund.name.text))
    return out


def _misshapen(rule: ir.Rule, fund: ir.FundDecl) -> bool:
    """A rule the rule-shape pass already refuses (an allocation or retention out of a
    per-region fund): one error about it is enough."""
    return fund.per_region and rule.kind in (K.ALLOCATE, K.RETAIN)


def _placement(ctx: Context, rule: ir.Rule, fund: ir.FundDecl | None, regions: list[ir.Ident]) -> list[Diagnostic]:
    assert rule.shortfall is not None
    span = rule.shortfall.span
    if fund is None or not pays_from_fund(rule):
        return [diag("E418", span, name=rule.name.text)]
    if fund.per_region:
        return [diag("E419", span, name=rule.name.text, fund=fund.name.text)]
    regional = ctx.types.get(rule.name.text)
    if (
        rule.shortfall.kind is ir.ShortfallKind.IN_ORDER
        and regional is not None
        and regional.per_region
        and not regions
    ):
        return [diag("E420", span, name=rule.name.text)]
    return []


def _bounded(rule: ir.Rule, fund: ir.FundDecl, ctx: Context) -> bool:
    """Whether the rule can never ask for more than its fund holds: its amount (and every
    exception's) is at most 剩余 or a share of 全部, or its cap is. In a fund with one account
    a per-region amount is bounded only when it is zero (each region's part under 剩余 says
    nothing of their sum); in a per-region fund each region pays out of its own account, and
    余额(that fund) — what the account opened with — bounds its part."""
    t = ctx.types.get(rule.name.text)
    per_region = t is not None and t.per_region and rule.kind is not K.ALLOCATE
    amounts = [rule.amount, *(x.value for x in rule.exceptions)]
    own = fund.name.text if fund.per_region else None
    if per_region and own is None:
        return all(_zero(e, ctx) for e in amounts)
    if rule.cap is not None and _within(rule.cap, ctx, own):
        return True
    return all(_within(e, ctx, own) for e in amounts)


def _zero(e: ir.Expr, ctx: Context) -> bool:
    return constant(e, ctx) == 0


def _within(e: ir.Expr, ctx: Context, own: str | None = None) -> bool:
    """e ≤ what the fund holds, whatever the inputs (`own`: a per-region fund, whose
    余额 bounds what each region's account pays)."""
    match e:
        case ir.Call(func=f, args=(ir.Name(name=n),)) if (
            own is not None and n == own and (fn := lookup(f.text)) and fn.id == "balance"
        ):
            return True
        case ir.FundRemaining() | ir.FundAll():
            return True
        case ir.Binary(op="*", left=ir.FundAll(), right=k) | ir.Binary(op="*", left=k, right=ir.FundAll()):
            c = constant(k, ctx)
            return c is not None and Fraction(0) <= c <= 1
        case ir.Call(func=f, args=args) if (fn := lookup(f.text)) is not None and fn.id == "min":
            return any(_within(a, ctx, own) for a in args)
        case ir.If(then=a, else_=b):
            return _within(a, ctx, own) and _within(b, ctx, own)
        case ir.Match(arms=arms):
            return all(_within(arm.body, ctx, own) for arm in arms)
    return _zero(e, ctx)
