"""The exact value of an expression the policy itself fixes, such as a parameter's bound
`不低于 取大(20元, 10元)`: literals, fixed parameters (a value and no bounds), derived values
built from them, + − × ÷, and 取大/取小/限定. The checks and the scenario reader both read
bounds through here, so a bound means one number wherever it is enforced."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from compiler.ir import functions
from compiler.ir import nodes as ir
from compiler.ir.arith import apply


def fold(e: ir.Expr, values: Mapping[str, object], seen: frozenset[str] = frozenset()) -> Fraction | None:
    """The value of `e` as an exact Fraction, or None where it depends on anything a scenario gives."""
    match e:
        case ir.Num(value=v):
            return Fraction(v)
        case ir.Neg(operand=a):
            x = fold(a, values, seen)
            return None if x is None else -x
        case ir.Name(name=n) if n not in seen:
            d = values.get(n)
            if isinstance(d, ir.ParamDecl) and d.value is not None and not d.bounds:
                return fold(d.value, values, seen | {n})
            if isinstance(d, ir.LetDecl):
                return fold(d.expr, values, seen | {n})
            return None
        case ir.Binary(op=op, left=a, right=b):
            x, y = fold(a, values, seen), fold(b, values, seen)
            if x is None or y is None:
                return None
            return apply(op, x, y)
        case ir.Call(func=f, args=args):
            fn = functions.lookup(f.text)
            parts = [fold(a, values, seen) for a in args]
            known = [p for p in parts if p is not None]
            if fn is None or len(known) != len(parts) or not known:
                return None
            if fn.id == "max":
                return max(known)
            if fn.id == "min":
                return min(known)
            if fn.id == "clamp" and len(known) == 3:
                return min(max(known[0], known[1]), known[2])
    return None
