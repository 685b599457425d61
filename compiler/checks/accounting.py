"""Every fund that does not carry a balance must pass on all it takes in, in every branch.

Each outflow of a fund is read as a fraction of the fund's period inflow
(`全部 × 50%` is one half; `剩余` is whatever is left). A condition gives two
branches (paid, or zero); a cap gives two (not binding, or binding: less than
the full fraction). Where some branch leaves less than 100% passed on, money
would sit in a fund that has no balance to hold it.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import attrs

from compiler.checks.context import Context
from compiler.checks.linear import constant, percent
from compiler.diagnostics import Diagnostic, diag, label, note
from compiler.ir import nodes as ir
from compiler.messages import Text

_MAX_BRANCHES = 256


@attrs.frozen
class Outcome:
    """One way an outflow can turn out."""

    fraction: Fraction | None  # of the fund's inflow; None: not a known fraction
    rest: bool = False  # takes everything left
    short: bool = False  # less than `fraction` (a cap binds)
    why: ir.Expr | None = None  # the cap or condition behind this branch
    why_kind: str = ""  # "cap" or "condition"


def _fraction(e: ir.Expr, ctx: Context) -> Outcome:
    match e:
        case ir.Num(value=v) if v == 0:
            return Outcome(Fraction(0))
        case ir.FundAll():
            return Outcome(Fraction(1))
        case ir.FundRemaining():
            return Outcome(None, rest=True)
        case ir.Binary(op="*", left=ir.FundAll(), right=k) | ir.Binary(op="*", left=k, right=ir.FundAll()):
            c = constant(k, ctx)
            return Outcome(c)
    return Outcome(None)


def _outcomes(r: ir.Rule, ctx: Context) -> list[Outcome]:
    """The rule's amount, and each 例外's in its place (an exception paying 200% of the
    inflow overdraws the fund however rarely its condition holds); each capped or not."""
    options: list[Outcome] = []
    for amount, cond in [(r.amount, None), *((x.value, x.cond) for x in r.exceptions)]:
        base = _fraction(amount, ctx)
        if cond is not None:
            base = attrs.evolve(base, why=cond, why_kind="exception")
        options.append(base)
        for cap in (r.cap, r.cumulative_cap):
            if cap is not None and not base.rest:
                options.append(attrs.evolve(base, short=True, why=cap, why_kind="cap"))
    if r.cond is not None:
        options.append(Outcome(Fraction(0), why=r.cond, why_kind="condition"))
    return options


def _outflows(fund: ir.FundDecl) -> list[ir.Rule]:
    return [r for r in fund.rules if r.kind is not ir.RuleKind.COLLECT]


def check(ctx: Context) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for fund in ctx.scope.funds.values():
        if fund.carried or fund.name.span.file != ctx.scope.main_file:
            continue
        out += _fund(ctx, fund)
    return out


def _fund(ctx: Context, fund: ir.FundDecl) -> list[Diagnostic]:
    if not ctx.scope.feeders(fund.name.text):
        return []  # nothing flows in: unused (W501), not leaking
    rules = _outflows(fund)
    per_rule = [_outcomes(r, ctx) for r in rules]
    combos = 1
    for opts in per_rule:
        combos *= len(opts)
    if combos > _MAX_BRANCHES:
        return [diag("W503", fund.name.span, what=_verify(fund))]
    name = fund.name.text
    for combo in itertools.product(*per_rule) if rules else [()]:
        total = Fraction(0)
        short = False
        rest = False
        unknown = False
        after_rest = Fraction(0)  # anything paid after 剩余 took everything overdraws the fund
        for o in combo:
            if o.rest:
                rest = True
            elif o.fraction is None:
                unknown = True
            elif rest:
                after_rest += o.fraction
            else:
                total += o.fraction
                short |= o.short
        cause = next((o for o in combo if o.why is not None), None)
        branch = _branch(cause, rules, combo)
        if total > 1 or after_rest > 0:
            shown = percent(total) if not after_rest else "100% + " + percent(after_rest)
            return [diag("E408", fund.name.span, fund=name, branch=branch, total=shown)]
        if rest:
            continue
        if unknown:
            return [diag("W503", fund.name.span, what=_verify(fund))]
        if total < 1 or short:
            part = Text("一部分金额", "part of its money") if short else Text(percent(1 - total), percent(1 - total))
            labels = []
            if cause is not None and cause.why is not None:
                kind = {"cap": "cap-binds", "exception": "exception-applies"}.get(cause.why_kind, "condition-false")
                labels.append(label(cause.why.span, kind))
            return [
                diag(
                    "E407",
                    fund.name.span,
                    labels=labels,
                    hint=note("use-remaining"),
                    fund=name,
                    branch=branch,
                    part=part,
                )
            ]
    return []


def _branch(cause: Outcome | None, rules: list[ir.Rule], combo: tuple[Outcome, ...]) -> Text:
    if cause is None:
        return Text("", "")
    rule = rules[combo.index(cause)].name.text
    if cause.why_kind == "cap":
        return Text(f"在“{rule}”的上限生效时", f" when the cap on ‘{rule}’ binds")
    if cause.why_kind == "exception":
        return Text(f"在“{rule}”的例外成立时", f" when an exception of ‘{rule}’ applies")
    return Text(f"在“{rule}”的条件不成立时", f" when the condition of ‘{rule}’ is false")


def _verify(fund: ir.FundDecl) -> Text:
    n = fund.name.text
    return Text(f"资金“{n}”的收入全部有去向", f"every yuan fund ‘{n}’ takes in is passed on")
