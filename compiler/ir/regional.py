"""Whether an expression takes one value per region: read by every engine's constraint check."""

from __future__ import annotations

from compiler.ir import functions
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.expr import REGION_GROUP
from compiler.ir.walk import children


def regional(checked: CheckedPolicy, e: ir.Expr) -> bool:
    """Whether an expression takes one value per region (an aggregate makes one of many)."""
    match e:
        case ir.Name(name=n):
            t = checked.types.get(n)
            return t is not None and t.per_region
        case ir.Call(func=f, args=args):
            fn = functions.lookup(f.text)
            if fn is not None and fn.aggregate:  # one value in all, or one a region: 合计(工资 按 地区)
                return isinstance(e, ir.Call) and e.group is not None and e.group.text == REGION_GROUP
            if fn is not None and fn.id == "share":
                return True
            if fn is not None and fn.id == "balance":
                fund = checked.scope.funds.get(args[0].name) if args and isinstance(args[0], ir.Name) else None
                return fund is not None and fund.per_region
    return any(regional(checked, c) for c in children(e))
