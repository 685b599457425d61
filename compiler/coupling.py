"""Which rules need every region at once: what `pool run --engine dask` cannot settle region by region.

    found = cross_region(checked)     # None: every rule settles within its own region
    found.rule, found.line, found.zh, found.en

The Dask engine (compiler/scale_dask.py) settles each partition of the regions on its own.
That is exact when no rule's value in one region reads another region's values. A value
reads across regions when it (or anything it reads, transitively) is:

- a total over regions: 合计/平均/计数/占比 over the regions (份额 of a region reads them all);
- a total over the entities of every region: 合计(工资) with no 按, or 按 nothing local;
- a global value read from per-region or per-entity ones (whatever folds regions into one);
- an allocation (分配: a total shared by weight over all regions or entities);
- a fund word (全部, 剩余) or 不足时 (a fund's holdings are what every region paid in);
- a 弥补 with a tier's 合计上限 (shared between regions).

Static, on the checked policy and its plan: it reads compiler.ir and compiler.plan only.
"""

from __future__ import annotations

import attrs

from compiler.ir import functions
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.deps import dependencies
from compiler.ir.regional import regional
from compiler.ir.walk import decl_exprs, walk
from compiler.plan import plan_of

K = ir.RuleKind


@attrs.frozen
class Coupled:
    rule: str  # the first rule (in source order) that reads across regions
    line: int
    zh: str  # why, naming the value that does
    en: str
    constraint: bool = False  # a 约束 (checked in each partition), not a rule


def cross_region(checked: CheckedPolicy) -> Coupled | None:
    """The first rule whose value in a region depends on other regions; None if there is none."""
    plan = plan_of(checked)
    scope = checked.scope
    deps = {n: [x.name for x in refs] for n, refs in dependencies(scope).items()}
    own = {n: _own(checked, n) for n in scope.values}
    memo: dict[str, tuple[str, str, str] | None] = {}

    def why(n: str) -> tuple[str, str, str] | None:
        if n not in memo:
            memo[n] = None  # no cycles (the checks); guards against looping all the same
            found = own[n]
            if found is None:
                dim = plan.dims.get(n)
                for m in deps.get(n, []):
                    if dim is None and plan.dims.get(m) is not None:
                        found = (
                            n,
                            f"“{n}”由各地区或各实体的值合成一个数",
                            f"‘{n}’ folds per-region or per-entity values",
                        )
                        break
                    found = why(m)
                    if found is not None:
                        break
            memo[n] = found
        return memo[n]

    for r in plan.rules:
        got = why(r.name)
        if got is not None:
            at, zh, en = got
            tail_zh = "" if at == r.name else f"(经由“{at}”)"
            tail_en = "" if at == r.name else f" (through ‘{at}’)"
            return Coupled(r.name, r.line, zh + tail_zh, en + tail_en)
    # A 约束 is checked in each partition too: one that totals or folds regions would see only some.
    for c in scope.constraints:
        own_c = _reads_across(checked, c.cond)
        names = [e.name for e in walk(c.cond) if isinstance(e, ir.Name) and e.name in scope.values]
        folds = not regional(checked, c.cond) and any(plan.dims.get(n) is not None for n in names)
        through = next((g for n in names if (g := why(n)) is not None), None)
        if own_c or folds or through is not None:
            zh = "它对各地区求合计或把各地区的值合成一个数" if through is None else f"它读取的“{through[0]}”跨地区"
            en = (
                "it totals or folds the regions"
                if through is None
                else f"it reads ‘{through[0]}’, which reads across regions"
            )
            return Coupled("", c.span.line, zh, en, constraint=True)
    return None


def _reads_across(checked: CheckedPolicy, e: ir.Expr) -> bool:
    """An aggregate over the regions, or over every region's entities, in an expression."""
    plan = plan_of(checked)
    for x in walk(e):
        if not isinstance(x, ir.Call):
            continue
        fn = functions.lookup(x.func.text)
        if fn is None or fn.id not in ("sum", "mean", "count", "share"):
            continue
        if x not in plan.aggregates or fn.id == "share" or x.group is None:
            return True
    return False


def _own(checked: CheckedPolicy, name: str) -> tuple[str, str, str] | None:
    """Whether a value reads across regions by itself (not through what it reads)."""
    plan = plan_of(checked)
    d = checked.scope.values[name]
    if isinstance(d, ir.Rule):
        p = plan.rule(name)
        if p.kind is K.ALLOCATE:
            return name, f"“{name}”是分配:按权重分给所有地区或实体", f"‘{name}’ allocates one total over all regions"
        if p.shortfall is not None:
            return (
                name,
                f"“{name}”有不足时:基金的余额是各地区共同缴入的",
                f"‘{name}’ has 不足时: a fund holds every region's",
            )
        if any(t.total_cap is not None for t in p.tiers):
            return name, f"“{name}”的合计上限由各地区分享", f"‘{name}’ has a 合计上限 shared between regions"
    for top in decl_exprs(d):
        for e in walk(top):
            if isinstance(e, (ir.FundAll, ir.FundRemaining)):
                return name, f"“{name}”读基金的全部或剩余(各地区共同的)", f"‘{name}’ reads a fund word (全部, 剩余)"
            if not isinstance(e, ir.Call):
                continue
            fn = functions.lookup(e.func.text)
            if fn is None or fn.id not in ("sum", "mean", "count", "share"):
                continue  # 取大, 限定, 余额: one region's (or entity's) own values
            if e in plan.aggregates and fn.id != "share":
                if e.group is None:
                    return name, f"“{name}”合计所有地区的实体", f"‘{name}’ totals the entities of every region"
            else:
                return name, f"“{name}”对各地区求{fn.zh}", f"‘{name}’ takes {fn.zh} over the regions"
    return None
