"""What an expression varies over: one value (None), each region, or each entity of a kind.

The type pass reports where dimensions do not fit; this reads them off a checked
program for the plan, which tells every engine what each entity aggregate runs over.
"""

from __future__ import annotations

from compiler.ir import functions
from compiler.ir import nodes as ir
from compiler.ir.scope import REGION, Scope
from compiler.ir.types import Type, dim
from compiler.ir.walk import children


def dim_of(e: ir.Expr, types: dict[str, Type], scope: Scope) -> str | None:
    """The finest dimension among the values `e` reads; an entity aggregate counts as its group."""
    match e:
        case ir.Name(name=n):
            return dim(types[n]) if n in types else None
        case ir.Call(func=f, args=args):
            fn = functions.lookup(f.text)
            if fn is not None and fn.aggregate:
                kind = aggregate_kind(e, types, scope)
                if kind is not None:
                    return e.group.text if e.group is not None else None
                return None
            if fn is not None and fn.id == "share":
                return REGION
            if fn is not None and fn.id == "balance":
                fund = scope.funds.get(args[0].name) if isinstance(args[0], ir.Name) else None
                return REGION if fund is not None and fund.per_region else None
    out: str | None = None
    for c in children(e):
        d = dim_of(c, types, scope)
        if d is not None and (out is None or scope.lifts(d, out)):
            out = d
    return out


def aggregate_kind(e: ir.Call, types: dict[str, Type], scope: Scope) -> str | None:
    """The kind of entity a 合计/平均/计数 runs over, or None when it aggregates regions."""
    d = dim_of(e.args[0], types, scope) if e.args else None
    return d if d is not None and d != REGION else None
