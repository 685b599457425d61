"""约束: a condition on the policy's values, decided here when every value it reads is known.

A condition that reads only literals, parameters with values and derived values built
from them is evaluated exactly (rationals); a violated one is E441. One that reads an
input, an open parameter, a rule or an aggregate cannot be decided before a scenario
gives its values: nothing is said here, and every scenario is checked before settling.
"""

from __future__ import annotations

from fractions import Fraction

from compiler.checks.context import Context
from compiler.diagnostics import Diagnostic, Note, diag, note
from compiler.ir import functions
from compiler.ir import nodes as ir
from compiler.ir.arith import apply
from compiler.ir.walk import walk
from compiler.messages import Text

Known = Fraction | bool | str


class _Unknown(Exception):
    """The condition reads something a scenario decides."""


def check(ctx: Context) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for c in ctx.scope.constraints:
        try:
            holds = _value(c.cond, ctx, frozenset())
        except _Unknown:
            continue
        if holds is False:
            out.append(
                diag(
                    "E441",
                    c.cond.span,
                    hint=_values_hint(c.cond, ctx),
                    clause=quote_clause(c),
                )
            )
    return out


def quote_clause(c: ir.Constraint) -> Text:
    """“(原文“…”)” after the condition, or nothing when the constraint quotes no clause."""
    q = c.literate.quote
    if q is None:
        return Text("", "")
    return Text(f"(原文“{q.value}”)", f" (quote “{q.value}”)")


def _values_hint(cond: ir.Expr, ctx: Context) -> Note | None:
    shown: list[str] = []
    for e in walk(cond):
        if isinstance(e, ir.Name):
            d = ctx.scope.values.get(e.name)
            if isinstance(d, ir.ParamDecl) and isinstance(d.value, ir.Num):
                item = f"{e.name} = {d.value.text}"
                if item not in shown:
                    shown.append(item)
    return note("constraint-values", values=Text("、".join(shown), ", ".join(shown))) if shown else None


def _value(e: ir.Expr, ctx: Context, seen: frozenset[str]) -> Known:
    match e:
        case ir.Num(value=v):
            return Fraction(v)
        case ir.BoolLit(value=b):
            return b
        case ir.Name(name=n):
            d = ctx.scope.values.get(n)
            if d is None:
                return n  # an enumeration member
            if n in seen:
                raise _Unknown  # a cycle: the cycles pass reports it
            if isinstance(d, ir.ParamDecl) and d.value is not None:
                return _value(d.value, ctx, seen | {n})
            if isinstance(d, ir.LetDecl):
                return _value(d.expr, ctx, seen | {n})
            raise _Unknown
        case ir.Neg(operand=a):
            return -_num(a, ctx, seen)
        case ir.Binary(op=op, left=a, right=b):
            got = apply(op, _num(a, ctx, seen), _num(b, ctx, seen))
            if got is None:
                raise _Unknown  # a division by zero: E414's to report
            return got
        case ir.Compare(op=op, left=a, right=b):
            left, right = _value(a, ctx, seen), _value(b, ctx, seen)
            if op == "=":
                return left == right
            if op == "!=":
                return left != right
            if not isinstance(left, Fraction) or not isinstance(right, Fraction):
                raise _Unknown
            return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]
        case ir.MemberOf(operand=a, members=ms):
            return _value(a, ctx, seen) in {m.text for m in ms}
        case ir.Logical(op="not", operands=(a,)):
            return not _truth(a, ctx, seen)
        case ir.Logical(op="and", operands=ops):
            return all(_truth(o, ctx, seen) for o in ops)
        case ir.Logical(op="or", operands=ops):
            return any(_truth(o, ctx, seen) for o in ops)
        case ir.If(cond=c, then=t, else_=f):
            return _value(t if _truth(c, ctx, seen) else f, ctx, seen)
        case ir.Call(func=f, args=args):
            fn = functions.lookup(f.text)
            if fn is not None and fn.id in ("max", "min") and args:
                nums = [_num(a, ctx, seen) for a in args]
                return max(nums) if fn.id == "max" else min(nums)
            if fn is not None and fn.id == "clamp" and len(args) == 3:
                x, lo, hi = (_num(a, ctx, seen) for a in args)
                return min(max(x, lo), hi)
    raise _Unknown


def _num(e: ir.Expr, ctx: Context, seen: frozenset[str]) -> Fraction:
    v = _value(e, ctx, seen)
    if not isinstance(v, Fraction):
        raise _Unknown
    return v


def _truth(e: ir.Expr, ctx: Context, seen: frozenset[str]) -> bool:
    v = _value(e, ctx, seen)
    if not isinstance(v, bool):
        raise _Unknown
    return v
