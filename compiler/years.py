"""Time across periods, lowered before the checks to what every engine already settles.

- `按年度 { 2025: 4%, 2026起: 3% }` (or `{ 第1年: 4%, 第2年起: 3% }`, the policy's own years
  counted from 生效) becomes a choice on the implicit input 年度, the period a scenario
  settles (its `period`; an example's 期): `如果 年度 < 2026 则 4% 否则 3%`. Every year the
  policy is in force must have exactly one value: a gap is E460, entries out of order E461.
- `合计(征缴收入 前3年)` becomes 征缴收入(前1年) + 征缴收入(前2年) + 征缴收入(前3年), implicit
  inputs a scenario's `history` gives (or the periods before it, in `pool simulate` and in
  an example's 期 blocks); `近3年` counts this period and the two before; 平均 divides by the
  years. Only an input has earlier values (E462).

The lowered program is what the checks, the plan and the engines see; spans point at what
the drafter wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import attrs

from compiler.diagnostics import Diagnostic, diag
from compiler.ir import functions
from compiler.ir import nodes as ir
from compiler.ir.history import YEAR, history_name, parse_history
from compiler.ir.walk import decl_exprs, walk
from compiler.source import Span

__all__ = ["YEAR", "history_name", "lower", "parse_history"]

Rewrite = Callable[[ir.Expr], ir.Expr]


def lower(program: ir.Program) -> tuple[ir.Program, list[Diagnostic]]:
    policy = program.policy
    exprs = [e for _m, d in program.all_decls() for top in decl_exprs(d) for e in walk(top)]
    uses_years = any(isinstance(e, ir.Schedule) for e in exprs)
    windows = [e for e in exprs if isinstance(e, ir.Call) and e.window is not None and e.window.unit == "年"]
    if not uses_years and not windows:
        return program, []
    out: list[Diagnostic] = []
    inputs = {d.name.text: d for _m, d in program.all_decls() if isinstance(d, ir.InputDecl)}
    added: dict[str, ir.InputDecl] = {}
    start = policy.header.effective_from.first.year if policy and policy.header.effective_from else None
    end = policy.header.effective_to.value.year if policy and policy.header.effective_to else None

    def rewrite(e: ir.Expr) -> ir.Expr:
        if isinstance(e, ir.Schedule):
            return _schedule(e, start, end, out, added)
        if isinstance(e, ir.Call) and e.window is not None and e.window.unit == "年":  # months: compiler/months.py
            return _window(e, inputs, out, added)
        return e

    lowered = ir.Program(_module(program.main, rewrite), tuple(_module(m, rewrite) for m in program.modules))
    if not added or lowered.main.policy is None:
        return lowered, out
    p = lowered.main.policy
    main = attrs.evolve(lowered.main, policy=attrs.evolve(p, decls=(*p.decls, *added.values())))
    return ir.Program(main, lowered.modules), out


def _implicit(name: str, like: ir.InputDecl | None, span: Span) -> ir.InputDecl:
    if like is not None:
        return attrs.evolve(like, name=ir.Ident(name, span), default=None, implicit=True)
    none = ir.Literate(None, None, span)
    return ir.InputDecl(ir.Ident(name, span), ir.TypeRef(ir.Ident("数值", span), False, span), False, None, none, span,
                        implicit=True)  # fmt: skip


def _schedule(
    e: ir.Schedule, start: int | None, end: int | None, out: list[Diagnostic], added: dict[str, ir.InputDecl]
) -> ir.Expr:
    """The entries as years in order, each holding until the next; a choice on 年度."""
    spans: list[tuple[int, bool, ir.Expr, Span]] = []
    for x in e.entries:
        if x.nth and start is None:
            out.append(diag("E463", x.span))
            return x.value
        year = start + x.year - 1 if x.nth and start is not None else x.year
        spans.append((year, x.onward, x.value, x.span))
    years = [y for y, _, _, _ in spans]
    if years != sorted(set(years)):
        out.append(diag("E461", e.span))
        return spans[0][2]
    first, last = spans[0][0], spans[-1]
    if start is not None and first > start:
        out.append(diag("E460", e.span, year=f"{start}年"))
    for (y, onward, _, span), nxt in zip(spans, [*years[1:], None]):
        if not onward and nxt is not None and nxt > y + 1:
            out.append(diag("E460", span, year=f"{y + 1}年"))
    if not last[1] and (end is None or end > last[0]):
        out.append(diag("E460", last[3], year=f"{last[0] + 1}年"))
    added.setdefault(YEAR, _implicit(YEAR, None, e.span))
    period = ir.Name(YEAR, e.span)
    chosen: ir.Expr = spans[-1][2]
    for (_, _, value, span), nxt in reversed(list(zip(spans[:-1], years[1:]))):
        cond = ir.Compare("<", period, ir.Num(Decimal(nxt), ir.NumKind.NUMBER, str(nxt), span), span)
        chosen = ir.If(cond, value, chosen, span)
    return attrs.evolve(chosen, written=e) if isinstance(chosen, ir.If) else chosen


def _window(
    e: ir.Call, inputs: dict[str, ir.InputDecl], out: list[Diagnostic], added: dict[str, ir.InputDecl]
) -> ir.Expr:
    """合计/平均 over an input's earlier values: the implicit inputs they are, summed."""
    assert e.window is not None
    fn = functions.lookup(e.func.text)
    arg = e.args[0] if e.args else None
    if fn is None or fn.id not in ("sum", "mean") or not isinstance(arg, ir.Name) or arg.name not in inputs:
        out.append(diag("E462", e.window.span, what=e.func.text))
        return e
    w = e.window
    backs = range(0 if w.current else 1, w.years if w.current else w.years + 1)
    terms: list[ir.Expr] = []
    for back in backs:
        if back == 0:
            terms.append(arg)
            continue
        name = history_name(arg.name, back)
        added.setdefault(name, _implicit(name, inputs[arg.name], e.span))
        terms.append(ir.Name(name, e.span))
    total = terms[0]
    for t in terms[1:]:
        total = ir.Binary("+", total, t, e.span)
    if fn.id == "sum":
        return attrs.evolve(total, written=e) if isinstance(total, ir.Binary) else total
    n = len(terms)
    return ir.Binary("/", total, ir.Num(Decimal(n), ir.NumKind.NUMBER, str(n), e.span), e.span, written=e)


# ---- rewriting every expression of a program


def expr(e: ir.Expr, f: Rewrite) -> ir.Expr:
    """e with f applied bottom-up to every subexpression."""
    match e:
        case ir.Call():
            where = expr(e.where, f) if e.where is not None else None
            e = attrs.evolve(e, args=tuple(expr(a, f) for a in e.args), where=where)
        case ir.Binary() | ir.Compare():
            e = attrs.evolve(e, left=expr(e.left, f), right=expr(e.right, f))
        case ir.Neg() | ir.MemberOf():
            e = attrs.evolve(e, operand=expr(e.operand, f))
        case ir.Logical():
            e = attrs.evolve(e, operands=tuple(expr(o, f) for o in e.operands))
        case ir.If():
            e = attrs.evolve(e, cond=expr(e.cond, f), then=expr(e.then, f), else_=expr(e.else_, f))
        case ir.Match():
            arms = tuple(attrs.evolve(a, body=expr(a.body, f)) for a in e.arms)
            e = attrs.evolve(e, subject=expr(e.subject, f), arms=arms)
        case ir.Bands():
            bands = tuple(
                attrs.evolve(
                    b,
                    lower=expr(b.lower, f),
                    upper=expr(b.upper, f) if b.upper is not None else None,
                    value=expr(b.value, f),
                )
                for b in e.bands
            )
            e = attrs.evolve(e, subject=expr(e.subject, f), bands=bands)
        case ir.Schedule():
            e = attrs.evolve(e, entries=tuple(attrs.evolve(x, value=expr(x.value, f)) for x in e.entries))
    return f(e)


def _opt(e: ir.Expr | None, f: Rewrite) -> ir.Expr | None:
    return expr(e, f) if e is not None else None


def _rule(r: ir.Rule, f: Rewrite) -> ir.Rule:
    return attrs.evolve(
        r,
        amount=expr(r.amount, f),
        single_weight=_opt(r.single_weight, f),
        cond=_opt(r.cond, f),
        cap=_opt(r.cap, f),
        cumulative_cap=_opt(r.cumulative_cap, f),
        weights=tuple(attrs.evolve(w, factor=expr(w.factor, f), weight=expr(w.weight, f)) for w in r.weights),
        exceptions=tuple(attrs.evolve(x, cond=expr(x.cond, f), value=expr(x.value, f)) for x in r.exceptions),
        shares=tuple(attrs.evolve(s, ratio=expr(s.ratio, f)) for s in r.shares),
        tiers=tuple(
            attrs.evolve(
                t,
                payers=tuple(attrs.evolve(p, share=_opt(p.share, f)) for p in t.payers),
                cap=_opt(t.cap, f),
                total_cap=_opt(t.total_cap, f),
            )
            for t in r.tiers
        ),
    )


def decl(d: ir.Decl, f: Rewrite) -> ir.Decl:
    match d:
        case ir.ParamDecl():
            bounds = tuple(attrs.evolve(b, expr=expr(b.expr, f)) for b in d.bounds)
            return attrs.evolve(d, value=_opt(d.value, f), bounds=bounds)
        case ir.InputDecl():
            return attrs.evolve(d, default=_opt(d.default, f))
        case ir.LetDecl():
            return attrs.evolve(d, expr=expr(d.expr, f))
        case ir.Rule():
            return _rule(d, f)
        case ir.FundDecl():
            return attrs.evolve(d, rules=tuple(_rule(r, f) for r in d.rules))
        case ir.Constraint():
            return attrs.evolve(d, cond=expr(d.cond, f))
    return d


def _module(m: ir.Module, f: Rewrite) -> ir.Module:
    policy = m.policy
    if policy is not None:
        policy = attrs.evolve(policy, decls=tuple(decl(d, f) for d in policy.decls))
    return attrs.evolve(m, decls=tuple(decl(d, f) for d in m.decls), policy=policy)
