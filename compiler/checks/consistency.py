"""Is the policy consistent with itself? Bounds, shares, band tables, waterfalls, exceptions."""

from __future__ import annotations

from fractions import Fraction

from compiler.checks.context import Context
from compiler.checks.intervals import Analyzer
from compiler.checks.linear import constant, constant_of, linear, percent, show
from compiler.diagnostics import Diagnostic, diag, label, note
from compiler.ir import nodes as ir
from compiler.ir.constants import fold
from compiler.ir.types import Base
from compiler.ir.walk import decl_exprs, walk
from compiler.messages import Text
from compiler.numbers import to_decimal

ONE = Fraction(1)


def check_bounds(ctx: Context) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    values = ctx.scope.values
    for _m, d in ctx.program.all_decls():
        if isinstance(d, ir.Example):
            out += _example_bounds(ctx, d)
        if not isinstance(d, ir.ParamDecl):
            continue
        limits = _limits(ctx, d)
        lows = [(b, v) for b, v in limits if b.kind is ir.BoundKind.MIN]
        highs = [(b, v) for b, v in limits if b.kind is ir.BoundKind.MAX]
        for bl, lo in lows:
            for bh, hi in highs:
                if lo > hi:
                    out.append(
                        diag(
                            "E417",
                            bl.span,
                            labels=[label(bh.span, "declared-bound")],
                            name=d.name.text,
                            low=_shown(ctx, d, bl.expr, lo),
                            high=_shown(ctx, d, bh.expr, hi),
                        )
                    )
        value = fold(d.value, values) if d.value is not None else None
        if value is None or d.value is None:
            continue
        out += _outside(ctx, d, d.value, value, limits, Text("", ""))
    return out


def _limits(ctx: Context, d: ir.ParamDecl) -> list[tuple[ir.Bound, Fraction]]:
    """A parameter's bounds that the policy fixes, by their exact values."""
    out = []
    for b in d.bounds:
        v = fold(b.expr, ctx.scope.values)
        if v is not None:
            out.append((b, v))
    return out


def _outside(
    ctx: Context, d: ir.ParamDecl, e: ir.Expr, value: Fraction, limits: list[tuple[ir.Bound, Fraction]], where: Text
) -> list[Diagnostic]:
    out = []
    for b, v in limits:
        if (b.kind is ir.BoundKind.MIN and value < v) or (b.kind is ir.BoundKind.MAX and value > v):
            out.append(
                diag(
                    "E401",
                    e.span,
                    labels=[label(b.span, "declared-bound")],
                    name=d.name.text,
                    value=_shown(ctx, d, e, value),
                    bound=_bound_text(_shown(ctx, d, b.expr, v), b),
                    where=where,
                )
            )
    return out


def _example_bounds(ctx: Context, ex: ir.Example) -> list[Diagnostic]:
    """An example's 已知 is a scenario written in the policy: held to the same bounds."""
    out: list[Diagnostic] = []
    where = Text(f"算例“{ex.label.value}”中", f" in example ‘{ex.label.value}’")
    for case in (*([ex.shared] if ex.shared else []), *ex.periods):
        for b in case.given:
            d = ctx.scope.values.get(b.name.text)
            if not isinstance(d, ir.ParamDecl) or not d.bounds:
                continue
            limits = _limits(ctx, d)
            given = [b.value.scalar] if b.value.scalar is not None else [rv.value for rv in b.value.regions]
            for e in given:
                value = fold(e, ctx.scope.values)
                if value is not None:
                    out += _outside(ctx, d, e, value, limits, where)
    return out


def _text(e: ir.Expr) -> str:
    return e.text if isinstance(e, ir.Num) else "…"


def _shown(ctx: Context, d: ir.ParamDecl, e: ir.Expr, v: Fraction) -> str:
    """A value as the drafter wrote it, or, for an expression, its value in the parameter's unit."""
    if isinstance(e, ir.Num):
        return e.text
    t = ctx.types.get(d.name.text)
    if t is not None and t.base is Base.RATIO:
        return percent(v)
    number = format(to_decimal(v).normalize(), "f")
    return number + "元" if t is not None and t.base is Base.MONEY else number


def _bound_text(shown: str, b: ir.Bound) -> Text:
    return Text(
        ("不低于 " if b.kind is ir.BoundKind.MIN else "不高于 ") + shown,
        ("at least " if b.kind is ir.BoundKind.MIN else "at most ") + shown,
    )


# ---- band tables ---------------------------------------------------------------------


def check_bands(ctx: Context) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    an = Analyzer(ctx)
    for _m, d in ctx.program.all_decls():
        for top in decl_exprs(d):
            for e in walk(top):
                if isinstance(e, ir.Bands):
                    out += _bands(ctx, an, e)
    return out


def _edge_text(e: ir.Expr, ctx: Context) -> str:
    form = linear(e, ctx)
    return _text(e) if isinstance(e, ir.Num) else (show(form) if form is not None else "…")


def _bands(ctx: Context, an: Analyzer, e: ir.Bands) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    bands = e.bands
    reversed_ = set()
    for i, band in enumerate(bands):
        if band.upper is None:
            continue
        start, end = an.of(band.lower), an.of(band.upper)
        # Reversed whatever a scenario gives: its lowest lower edge is at or above its highest upper edge.
        if start.lo is not None and end.hi is not None and end.hi <= start.lo:
            out.append(diag("E440", band.span, lower=_edge_text(band.lower, ctx), upper=_edge_text(band.upper, ctx)))
            reversed_.add(i)
    for i, (a, b) in enumerate(zip(bands, bands[1:])):
        if i in reversed_ or i + 1 in reversed_:
            continue
        if a.upper is None:
            out.append(diag("E404", b.span, lower=_edge_text(b.lower, ctx)))
            continue
        if a.upper == b.lower:  # written alike (spans aside): they meet, whatever they are worth
            out += _meeting(ctx, a, b)
            continue
        hi, lo = linear(a.upper, ctx), linear(b.lower, ctx)
        if hi is None or lo is None:
            out.append(diag("W503", b.span, what=Text("分段表相邻档次首尾相接", "adjacent bands meet")))
            continue
        gap = constant_of({k: lo.get(k, Fraction(0)) - hi.get(k, Fraction(0)) for k in set(hi) | set(lo)})
        if gap == 0:
            out += _meeting(ctx, a, b)
        elif gap is None:
            out.append(diag("W503", b.span, what=Text("分段表相邻档次首尾相接", "adjacent bands meet")))
        elif gap > 0:
            out.append(
                diag(
                    "E403",
                    b.lower.span,
                    labels=[label(a.upper.span, "band-lower", value=_edge_text(a.upper, ctx))],
                    lower=_edge_text(a.upper, ctx),
                    upper=_edge_text(b.lower, ctx),
                )
            )
        elif gap < 0:
            out.append(
                diag(
                    "E404",
                    b.lower.span,
                    labels=[label(a.upper.span, "band-lower", value=_edge_text(a.upper, ctx))],
                    lower=_edge_text(b.lower, ctx),
                )
            )
    subject = an.of(e.subject)
    first = constant(bands[0].lower, ctx)
    if first is not None and (
        subject.lo is None or subject.lo < first or (subject.lo == first and not bands[0].holds_lower)
    ):
        shown = "−∞" if subject.lo is None else percent(subject.lo) if _is_ratio(ctx, e) else str(subject.lo)
        where = f"{shown} 至 {bands[0].lower.text if isinstance(bands[0].lower, ir.Num) else first}"
        out.append(
            diag(
                "E412",
                bands[0].span,
                where=Text(f"低于首档下限的部分({where})", f"values below the first band ({where})"),
            )
        )
    last = bands[-1]
    if last.upper is not None:
        top = constant(last.upper, ctx)
        if top is None or subject.hi is None or subject.hi > top or (subject.hi == top and not last.holds_upper):
            edge = _edge_text(last.upper, ctx)
            beyond = (
                Text(f"超过{edge}的部分", f"values above {edge}")
                if last.holds_upper
                else Text(f"{edge}及以上的部分", f"values from {edge} up")
            )
            out.append(diag("E412", last.span, where=beyond))
    return out


def _meeting(ctx: Context, a: ir.Band, b: ir.Band) -> list[Diagnostic]:
    """Two bands whose edges are the same value: exactly one of them may hold it."""
    assert a.upper is not None
    edge = _edge_text(a.upper, ctx)
    where = [label(a.upper.span, "band-lower", value=edge)]
    if a.holds_upper and b.holds_lower:
        return [diag("E404", b.lower.span, labels=where, hint=note("band-both-hold", value=edge), lower=edge)]
    if not a.holds_upper and not b.holds_lower:
        return [
            diag(
                "E403", b.lower.span, labels=where, hint=note("band-neither-holds", value=edge), lower=edge, upper=edge
            )
        ]
    return []


def _is_ratio(ctx: Context, e: ir.Bands) -> bool:
    return any(isinstance(b.lower, ir.Num) and b.lower.kind is ir.NumKind.PERCENT for b in e.bands)


# ---- waterfalls and exceptions ----------------------------------------------------------


def check_waterfalls(ctx: Context) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for r in ctx.scope.rules:
        last_cap = (r.tiers[-1].cap or r.tiers[-1].total_cap) if r.tiers else None
        if last_cap is not None and r.unassigned is None:  # 未规定: the text leaves the rest to no one
            out.append(diag("E405", last_cap.span, labels=[label(r.tiers[-1].name.span, "last-tier")]))
        for tier in r.tiers[:-1]:
            if tier.cap is None and tier.total_cap is None:
                out.append(diag("E413", tier.name.span, tier=tier.name.text))
    return out


def check_dates(ctx: Context) -> list[Diagnostic]:
    policy = ctx.policy
    if policy is None:
        return []
    start, end = policy.header.effective_from, policy.header.effective_to
    if start is not None and end is not None and end.value < start.first:
        return [diag("E416", end.span, labels=[label(start.span, "declared-bound")], start=start.text, end=end.text)]
    return []


def _atoms(cond: ir.Expr) -> list[ir.Expr]:
    if isinstance(cond, ir.Logical) and cond.op == "and":
        return [a for op in cond.operands for a in _atoms(op)]
    return [cond]


def _allowed(atom: ir.Expr, ctx: Context) -> tuple[ir.Expr, frozenset[str]] | None:
    """An atom that restricts an enumeration-valued expression to a set of members."""
    if isinstance(atom, ir.Compare) and atom.op in ("=", "!=") and isinstance(atom.right, ir.Name):
        t = ctx.types.get(atom.left.name) if isinstance(atom.left, ir.Name) else None
        if t is not None and t.enum is not None:
            members = frozenset(m.text for m in ctx.scope.enums[t.enum].members)
            chosen = frozenset({atom.right.name})
            return atom.left, chosen if atom.op == "=" else members - chosen
    if isinstance(atom, ir.MemberOf):
        return atom.operand, frozenset(m.text for m in atom.members)
    return None


def _range(atom: ir.Expr, ctx: Context) -> tuple[ir.Expr, Fraction, bool, Fraction | None, bool] | None:
    """`x > 10%` as (x, low, low-inclusive, high, high-inclusive); None when not of that form."""
    if not isinstance(atom, ir.Compare) or atom.op not in ("<", "<=", ">", ">=", "="):
        return None
    c = constant(atom.right, ctx)
    if c is None:
        return None
    neg_inf = Fraction(-(10**30))  # below any amount a policy handles
    return {
        "<": (atom.left, neg_inf, True, c, False),
        "<=": (atom.left, neg_inf, True, c, True),
        ">": (atom.left, c, False, None, False),
        ">=": (atom.left, c, True, None, False),
        "=": (atom.left, c, True, c, True),
    }[atom.op]


def _disjoint_ranges(x: ir.Expr, y: ir.Expr, ctx: Context) -> bool:
    rx, ry = _range(x, ctx), _range(y, ctx)
    if rx is None or ry is None or rx[0] != ry[0]:
        return False
    for (_, lo, lo_in, _h, _hi), (_, _l, _li, hi, hi_in) in ((rx, ry), (ry, rx)):
        # one range starts where (or after) the other ends
        if hi is not None and (lo > hi or (lo == hi and not (lo_in and hi_in))):
            return True
    return False


def _exclusive(a: ir.Expr, b: ir.Expr, ctx: Context) -> bool:
    """Can the two conditions never hold together? Decided on enum and bool atoms."""
    atoms_a, atoms_b = _atoms(a), _atoms(b)
    for x in atoms_a:
        for y in atoms_b:
            if isinstance(y, ir.Logical) and y.op == "not" and y.operands[0] == x:
                return True
            if isinstance(x, ir.Logical) and x.op == "not" and x.operands[0] == y:
                return True
            if _disjoint_ranges(x, y, ctx):
                return True
            ax, ay = _allowed(x, ctx), _allowed(y, ctx)
            if ax and ay and ax[0] == ay[0] and not (ax[1] & ay[1]):
                return True
    return False


def check_exceptions(ctx: Context) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for r in ctx.scope.rules:
        xs = r.exceptions
        for i, a in enumerate(xs):
            for b in xs[i + 1 :]:
                if a.value != b.value and not _exclusive(a.cond, b.cond, ctx):
                    out.append(diag("E409", b.span, labels=[label(a.span, "other-exception")]))
    return out
