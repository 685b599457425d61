"""Exact linear forms over parameters: enough to prove that shares add up to
exactly 100% when some of them are open parameters (p + (100% − p) = 100%)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from compiler.checks.context import Context
from compiler.ir import nodes as ir

# symbol name → coefficient; the key "" holds the constant term
Linear = dict[str, Fraction]


def fixed_param(p: ir.ParamDecl) -> bool:
    """A parameter with a value and no bounds cannot be changed by a scenario."""
    return p.value is not None and not p.bounds


def linear(e: ir.Expr, ctx: Context, seen: frozenset[str] = frozenset()) -> Linear | None:
    match e:
        case ir.Num(value=v):
            return {"": Fraction(v)}
        case ir.Neg(operand=a):
            la = linear(a, ctx, seen)
            return None if la is None else {k: -c for k, c in la.items()}
        case ir.Name(name=n) if n not in seen:
            d = ctx.scope.values.get(n)
            if isinstance(d, ir.ParamDecl) and d.value is not None and fixed_param(d):
                return linear(d.value, ctx, seen | {n})
            if isinstance(d, ir.LetDecl):
                return linear(d.expr, ctx, seen | {n})
            if isinstance(d, (ir.ParamDecl, ir.InputDecl)):
                return {n: Fraction(1)}
            return None
        case ir.Binary(op=op, left=a, right=b):
            la, lb = linear(a, ctx, seen), linear(b, ctx, seen)
            if la is None or lb is None:
                return None
            if op in "+-":
                sign = 1 if op == "+" else -1
                out = dict(la)
                for k, c in lb.items():
                    out[k] = out.get(k, Fraction(0)) + sign * c
                return {k: c for k, c in out.items() if c != 0 or k == ""}
            ca, cb = constant_of(la), constant_of(lb)
            if op == "*" and (ca is not None or cb is not None):
                scale, other = (ca, lb) if ca is not None else (cb, la)
                assert scale is not None
                return {k: c * scale for k, c in other.items()}
            if op == "/" and cb is not None and cb != 0:
                return {k: c / cb for k, c in la.items()}
    return None


def constant_of(form: Linear) -> Fraction | None:
    if all(c == 0 for k, c in form.items() if k):
        return form.get("", Fraction(0))
    return None


def constant(e: ir.Expr, ctx: Context) -> Fraction | None:
    form = linear(e, ctx)
    return None if form is None else constant_of(form)


def show(form: Linear) -> str:
    """A linear form as a drafter would write it: 参保人数权重 + 30%."""
    parts: list[str] = []
    for k in sorted(k for k in form if k):
        c = form[k]
        if c == 0:
            continue
        coef = "" if abs(c) == 1 else f"{percent(abs(c))} × "
        parts.append(("- " if c < 0 else "+ ") + coef + k)
    const = form.get("", Fraction(0))
    if const != 0 or not parts:
        parts.append(("- " if const < 0 else "+ ") + percent(abs(const)))
    text = " ".join(parts)
    return text[2:] if text.startswith("+ ") else "-" + text[2:]


def percent(f: Fraction) -> str:
    """Exact percentage text: 1/3 prints as 33.333…% rather than a rounded lie."""
    value = f * 100
    if value.denominator == 1:
        return f"{value.numerator}%"
    d = Decimal(value.numerator) / Decimal(value.denominator)
    text = format(d.normalize(), "f")
    if Decimal(text) * value.denominator != value.numerator:
        text = format(d.quantize(Decimal("0.001")), "f") + "…"
    return f"{text}%"
