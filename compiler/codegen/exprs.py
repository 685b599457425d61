"""Expressions of the checked IR as Python source over exact rationals (Fraction).

Every name from the policy reaches the output either as a method name that is a
valid, NFKC-stable Python identifier (Chinese names usually are) or, failing
that, a numbered one; and as data only through repr(), so no name can inject code.
"""

from __future__ import annotations

import keyword
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager

import attrs

from compiler.ir import functions
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.scope import REGION
from compiler.ir.types import Base, Type
from compiler.ir.walk import walk
from compiler.plan import plan_of

_OPS = {"+": "+", "-": "-", "*": "*"}
_CMP = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def py_type(t: Type) -> str:
    if t.base is Base.BOOL:
        return "bool"
    if t.base in (Base.ENUM, Base.TEXT, Base.DATE):
        return "str"
    return "Fraction"


def field_type(t: Type) -> str:
    """What a caller supplies: any exact number (Decimal, Fraction, int) where a number is due."""
    return "rt.Number" if py_type(t) == "Fraction" else py_type(t)


def converter(t: Type) -> str:
    """The runtime check that turns a stored value back into its static type."""
    return {"bool": "flag", "str": "text", "Fraction": "num"}[py_type(t)]


def _safe(name: str) -> bool:
    """Usable as written: a Python identifier, stable under NFKC, not a keyword, not private."""
    return (
        name.isidentifier()
        and unicodedata.normalize("NFKC", name) == name
        and not keyword.iskeyword(name)
        and not name.startswith("_")
    )


def _attrs(names: list[str], stem: str) -> dict[str, str]:
    """A distinct Python name for each: itself when safe, else stem + index. A policy may
    itself name a value `n0` (or `f0`): the fallback then takes a trailing `_`, so two
    values never share a field or a method (found by tests/fuzz/test_injection.py)."""
    taken = {n for n in names if _safe(n)}
    out: dict[str, str] = {}
    for i, n in enumerate(names):
        if n in taken:
            out[n] = n
            continue
        fresh = f"{stem}{i}"
        while fresh in taken:
            fresh += "_"
        taken.add(fresh)
        out[n] = fresh
    return out


class Names:
    """Stable, safe method names for the policy's values."""

    def __init__(self, checked: CheckedPolicy) -> None:
        self.table: dict[str, str] = {}  # method names
        self.attrs = _attrs(list(checked.scope.values), "n")  # dataclass field names
        for name, d in checked.scope.values.items():  # declaration order: deterministic
            prefix = {ir.ParamDecl: "p", ir.InputDecl: "i", ir.LetDecl: "v", ir.Rule: "rule"}[type(d)]
            self.table[name] = f"{prefix}_{self.attrs[name]}"
        self.fund_attrs = _attrs(list(checked.scope.funds), "f")

    def __getitem__(self, name: str) -> str:
        return self.table[name]


@attrs.frozen
class Aggregate:
    """合计/平均/计数 over the entities of one group: a memoized method of the Period class,
    `agg_<n>(key)`, its body compiled where the call was met (inside its rule, for 全部)."""

    n: int
    call: ir.Call
    kind: str  # the entities it runs over
    var: str  # the variable for one of them in `where` and `value`
    where: str | None  # 当: which entities count
    value: str  # the value summed, averaged or (as a condition) counted

    @property
    def method(self) -> str:
        return f"agg_{self.n}"


class ExprCompiler:
    """Expressions as Python source. `r` names the variable holding where a value is wanted:
    a region, or the id of an entity of the kind `vars` binds it to (None: globally)."""

    def __init__(self, checked: CheckedPolicy, names: Names) -> None:
        self.checked = checked
        self.plan = plan_of(checked)
        self.names = names
        self.depth = 0  # for fresh region variables inside aggregates
        self.rule: ir.Rule | None = None
        self.vars: dict[str, str] = {}  # variable → the kind of entity it holds an id of (else a region)
        self.aggregates: dict[tuple[ir.Call, str | None], Aggregate] = {}

    def regional(self, name: str) -> bool:
        return self.checked.types[name].per_region

    def dim(self, name: str) -> str | None:
        """What a value varies over: None (one value), REGION, or a kind of entity."""
        return self.plan.dims.get(name, REGION if self.regional(name) else None)

    @contextmanager
    def bind(self, var: str, kind: str | None) -> Iterator[None]:
        """Within: `var` holds the id of an entity of `kind` (None: a region)."""
        before = self.vars.get(var)
        if kind is None:
            self.vars.pop(var, None)
        else:
            self.vars[var] = kind
        try:
            yield
        finally:
            if before is None:
                self.vars.pop(var, None)
            else:
                self.vars[var] = before

    def at(self, r: str | None, to: str | None) -> str | None:
        """Where a value of dimension `to` is read from `r`: the region of an entity, the
        entity it is linked to (runtime.Entities.at), or `r` itself."""
        if to is None:
            return None
        assert r is not None, "checked: a per-region value is read per region"
        have = self.vars.get(r, REGION)
        if have == to:
            return r
        assert have != REGION, "checked: a region reads no entity's value"
        return f"self.entities.at({have!r}, {r}, {to!r})"

    def value_call(self, name: str, r: str | None) -> str:
        method = f"self.{self.names[name]}"
        d = self.checked.scope.values[name]
        at = self.at(r, self.dim(name))
        if isinstance(d, ir.Rule):
            return f"{method}()[{at}]" if at is not None else f"{method}()"
        return f"{method}({at})" if at is not None else f"{method}()"

    def expr(self, e: ir.Expr, r: str | None) -> str:
        match e:
            case ir.Num(value=v):
                return f'Q("{v}")'
            case ir.BoolLit(value=b):
                return "True" if b else "False"
            case ir.Name(name=n):
                if n in self.checked.scope.values:
                    return self.value_call(n, r)
                return repr(n)  # an enumeration member
            case ir.FundAll():
                assert self.rule is not None and self.rule.fund is not None
                return self.inflow()
            case ir.FundRemaining():
                return self.remaining()
            case ir.Neg(operand=a):
                return f"(-{self.expr(a, r)})"
            case ir.Binary(op="/", left=a, right=b):
                return f"rt.div({self.expr(a, r)}, {self.expr(b, r)}, {e.span.line})"
            case ir.Binary(op=op, left=a, right=b):
                return f"({self.expr(a, r)} {_OPS[op]} {self.expr(b, r)})"
            case ir.Compare(op=op, left=a, right=b):
                return f"({self.expr(a, r)} {_CMP[op]} {self.expr(b, r)})"
            case ir.MemberOf(operand=a, members=ms):
                return f"({self.expr(a, r)} in {tuple(m.text for m in ms)!r})"
            case ir.Logical(op="not", operands=(a,)):
                return f"(not {self.expr(a, r)})"
            case ir.Logical(op=op, operands=ops):
                return "(" + f" {op} ".join(self.expr(o, r) for o in ops) + ")"
            case ir.If(cond=c, then=t, else_=f):
                return f"({self.expr(t, r)} if {self.expr(c, r)} else {self.expr(f, r)})"
            case ir.Match(subject=s, arms=arms):
                subject = self.expr(s, r)
                out = self.expr(arms[-1].body, r)
                for arm in reversed(arms[:-1]):
                    if arm.patterns is None:
                        out = self.expr(arm.body, r)
                        continue
                    members = tuple(p.text for p in arm.patterns)
                    out = f"{self.expr(arm.body, r)} if {subject} in {members!r} else {out}"
                return f"({out})"
            case ir.Bands(subject=s, bands=bands, progressive=prog):
                table = ", ".join(
                    f"({self.expr(b.lower, r)}, {self.expr(b.upper, r) if b.upper is not None else 'None'}, "
                    f"{self.expr(b.value, r)})"
                    for b in bands
                )
                lines = tuple(b.span.line for b in bands)  # a band out of order is named by its own line
                if prog:
                    return f"rt.progressive({self.expr(s, r)}, [{table}], {e.span.line}, {lines!r})"
                marked = any(b.lower_mark is not None or b.upper_mark is not None for b in bands)
                holds = f", {[(b.holds_lower, b.holds_upper) for b in bands]!r}" if marked else ""
                return f"rt.band({self.expr(s, r)}, [{table}], {e.span.line}, {lines!r}{holds})"
            case ir.Call():
                return self.call(e, r)
        raise AssertionError(e)

    def call(self, e: ir.Call, r: str | None) -> str:
        fn = functions.lookup(e.func.text)
        assert fn is not None
        args = e.args
        if fn.id == "balance":
            assert isinstance(args[0], ir.Name)
            if self.checked.scope.funds[args[0].name].per_region:
                return f"self.opening.get(rt.party({args[0].name!r}, {self.at(r, REGION)}), rt.ZERO)"
            return f"self.opening.get({args[0].name!r}, rt.ZERO)"
        if fn.id in ("max", "min"):
            return f"{fn.id}({', '.join(self.expr(a, r) for a in args)})"
        if fn.id == "clamp":
            x, lo, hi = (self.expr(a, r) for a in args)
            return f"min(max({x}, {lo}), {hi})"
        kind = self.plan.aggregates.get(e)
        if kind is not None:
            group = e.group.text if e.group is not None else None
            return f"self.{self.entity_aggregate(e, kind).method}({self.at(r, group)})"
        self.depth += 1
        q = f"q{self.depth}"
        try:
            inner = self.expr(args[0], q)
        finally:
            self.depth -= 1
        if fn.id == "count":
            return f"Q(sum(1 for {q} in self.regions if {inner}))"
        total = f"sum(({inner} for {q} in self.regions), rt.ZERO)"
        if fn.id == "sum":
            return total
        if fn.id == "mean":
            return f"rt.div({total}, Q(len(self.regions)), {e.span.line})"
        assert fn.id == "share" and r is not None
        return f"rt.div({self.expr(args[0], r)}, {total}, {e.span.line})"

    def entity_aggregate(self, e: ir.Call, kind: str) -> Aggregate:
        """The method for an aggregate over entities; one per call (per rule, if it reads 全部)."""
        fund_word = any(isinstance(x, (ir.FundAll, ir.FundRemaining)) for x in walk(e))
        key = (e, self.rule.name.text if fund_word and self.rule is not None else None)
        if key not in self.aggregates:
            self.depth += 1
            q = f"q{self.depth}"
            try:
                with self.bind(q, kind):
                    where = self.expr(e.where, q) if e.where is not None else None
                    value = self.expr(e.args[0], q)
            finally:
                self.depth -= 1
            self.aggregates[key] = Aggregate(len(self.aggregates) + 1, e, kind, q, where, value)
        return self.aggregates[key]

    def inflow(self) -> str:
        """全部 for the rule being compiled: what its fund takes in from the rules the plan
        says it counts (not money that comes back because of the rule itself)."""
        rule = self.rule
        assert rule is not None and rule.fund is not None
        feeders = self.plan.rule(rule.name.text).inflow
        calls = "".join(f"self.{self.names[x]}(), " for x in feeders)
        return f"self.inflow({rule.fund.text!r}, ({calls}), {list(feeders)!r})"

    def remaining(self) -> str:
        rule = self.rule
        assert rule is not None and rule.fund is not None
        earlier = self.plan.rule(rule.name.text).spent_before
        calls = "".join(f"self.{self.names[x]}(), " for x in earlier)
        name = rule.fund.text
        return f"self.remaining({name!r}, {self.inflow()}, ({calls}), {list(earlier)!r})"
