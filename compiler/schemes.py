"""Per-scheme declarations: 职工医保和居民医保专户分设,专户之间不调剂.

A fund written `资金 统筹基金 每险种` keeps one account per scheme of the header's 险种; an
input, parameter or derived value written `每险种` has one value per scheme. Like readings
(compiler/readings.py), this is resolved before checking into an ordinary program: each
such declaration, and every value, rule or constraint that reads one, is copied once per
scheme and named `名称(险种)` (统筹基金(职工医保)), the way a per-region account is named
`名称(地区)`. In a scheme's copy every per-scheme name means that scheme's copy and 险种
means that scheme, so one run settles every scheme's accounts side by side and the
engines only ever see plain funds, values and rules. Each copy records what it was copied
from (`SchemeCopy`): the crossing check (checks/schemes.py), the scenario reader and the
explainer read that.

`名称(险种)` names one scheme's copy explicitly: in an expression (`征缴收入(职工医保)`)
and after 自/至 (`统筹基金(居民医保)`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import attrs

from compiler.diagnostics import Diagnostic, diag
from compiler.ir import nodes as ir
from compiler.ir.scope import account
from compiler.ir.walk import decl_exprs, map_decls, walk

T = TypeVar("T")
_Copyable = ir.ParamDecl | ir.InputDecl | ir.LetDecl | ir.Constraint | ir.Rule | ir.FundDecl


def copy_name(base: str, scheme: str) -> str:
    """The name of one scheme's copy, as the ledger shows it: 统筹基金(职工医保), spelt like a
    per-region account."""
    return account(base, scheme)


def written_per_scheme(program: ir.Program) -> bool:
    return any(_declared(d) for _, d in program.all_decls())


def _declared(d: ir.Decl) -> bool:
    match d:
        case ir.FundDecl():
            return d.per_scheme
        case ir.InputDecl() | ir.ParamDecl():
            return d.type.per_scheme
        case ir.LetDecl():
            return d.type is not None and d.type.per_scheme
    return False


class _Expander:
    def __init__(self, program: ir.Program, schemes: tuple[str, ...]) -> None:
        self.schemes = schemes
        implicit = [d for _, d in program.all_decls() if isinstance(d, ir.InputDecl) and d.implicit]
        self.scheme_input = implicit[0].name.text if implicit else None
        self.funds: set[str] = set()  # funds kept per scheme
        self.per: set[str] = set()  # every name with one copy per scheme
        self.diags: list[Diagnostic] = []
        self.constraints: set[int] = set()  # ids of constraints copied per scheme
        decls = [d for _, d in program.all_decls()]
        for d in decls:
            if isinstance(d, ir.FundDecl) and d.per_scheme:
                self.funds.add(d.name.text)
                self.per.add(d.name.text)
                self.per.update(r.name.text for r in d.rules)
            elif _declared(d):
                assert isinstance(d, (ir.InputDecl, ir.ParamDecl, ir.LetDecl))
                self.per.add(d.name.text)
        # A value, rule or constraint that reads a per-scheme name is itself per scheme.
        changed = True
        while changed:
            changed = False
            for d in decls:
                for one in d.rules if isinstance(d, ir.FundDecl) else [d]:
                    if isinstance(one, (ir.LetDecl, ir.Rule)) and one.name.text not in self.per and self.reads(one):
                        self.per.add(one.name.text)
                        changed = True
                    elif isinstance(one, ir.Constraint) and id(one) not in self.constraints and self.reads(one):
                        self.constraints.add(id(one))
                        changed = True

    def reads(self, d: ir.Decl) -> bool:
        if isinstance(d, ir.Rule) and (
            (d.fund is not None and d.fund.text in self.funds)
            or any(p.name is not None and p.name.text in self.funds for p in _parties(d))
        ):
            return True
        # 险种 too: where accounts are kept per scheme, what differs by scheme is settled for each.
        return any(
            isinstance(e, ir.Name) and (e.name in self.per or e.name == self.scheme_input)
            for top in decl_exprs(d)
            for e in walk(top)
        )

    def copied(self, d: ir.Decl) -> bool:
        if isinstance(d, ir.Constraint):
            return id(d) in self.constraints
        return isinstance(d, (ir.ParamDecl, ir.InputDecl, ir.LetDecl, ir.Rule, ir.FundDecl)) and d.name.text in self.per

    # ---- copying

    def decls(self, decls: tuple[ir.Decl, ...]) -> tuple[ir.Decl, ...]:
        out: list[ir.Decl] = []
        for d in decls:
            if isinstance(d, ir.FundDecl) and not d.per_scheme:
                rules: list[ir.Rule] = []
                for r in d.rules:
                    rules += self.copies(r) if self.copied(r) else [self.sub(r, None)]
                out.append(attrs.evolve(d, rules=tuple(rules)))
            elif self.copied(d):
                assert isinstance(d, (ir.ParamDecl, ir.InputDecl, ir.LetDecl, ir.Rule, ir.FundDecl, ir.Constraint))
                out += self.copies(d)
            elif isinstance(d, (ir.ParamDecl, ir.InputDecl, ir.LetDecl, ir.Rule, ir.Constraint)):
                out.append(self.sub(d, None))
            elif isinstance(d, ir.Example):
                out.append(self.example(d))
            else:
                out.append(d)
        return tuple(out)

    def example(self, ex: ir.Example) -> ir.Example:
        """An example gives a per-scheme value keyed by scheme, as it gives a per-region one:
        `已知 征缴收入 = {职工医保: 1000元, 居民医保: 400元}` is each scheme's copy."""

        def bindings(bs: tuple[ir.Binding, ...]) -> tuple[ir.Binding, ...]:
            out: list[ir.Binding] = []
            for b in bs:
                keys = [rv.region.text for rv in b.value.regions]
                if b.name.text in self.per and b.value.scalar is None and keys and set(keys) <= set(self.schemes):
                    out += [
                        ir.Binding(
                            ir.Ident(copy_name(b.name.text, rv.region.text), b.name.span),
                            ir.Value(rv.value, (), rv.span),
                            b.span,
                        )
                        for rv in b.value.regions
                    ]
                else:
                    out.append(b)
            return tuple(out)

        def case(c: ir.PeriodCase) -> ir.PeriodCase:
            return attrs.evolve(c, given=bindings(c.given), opening=bindings(c.opening), expect=bindings(c.expect))

        shared = case(ex.shared) if ex.shared is not None else None
        return attrs.evolve(ex, shared=shared, periods=tuple(case(c) for c in ex.periods))

    def copies(self, d: T) -> list[T]:
        out: list[T] = []
        for s in self.schemes:
            c = self.sub(d, s)
            assert isinstance(c, _Copyable)
            base = getattr(d, "name", None)
            extra: dict[str, Any] = {"scheme_copy": ir.SchemeCopy(base.text if base is not None else "", s)}
            if base is not None:
                extra["name"] = ir.Ident(copy_name(base.text, s), base.span)
            if isinstance(c, (ir.InputDecl, ir.ParamDecl)) or (isinstance(c, ir.LetDecl) and c.type is not None):
                assert c.type is not None
                extra["type"] = attrs.evolve(c.type, per_scheme=False)
            if isinstance(c, ir.FundDecl):
                extra["per_scheme"] = False
                extra["rules"] = tuple(
                    attrs.evolve(
                        r,
                        name=ir.Ident(copy_name(r.name.text, s), r.name.span),
                        scheme_copy=ir.SchemeCopy(r.name.text, s),
                    )
                    for r in c.rules
                )
            out.append(attrs.evolve(c, **extra))
        return out

    def sub(self, node: T, scheme: str | None) -> T:
        """`node` with every per-scheme name meaning `scheme`'s copy (None: only explicit ones)."""
        return _map(node, lambda n: self.one(n, scheme))

    def one(self, node: object, scheme: str | None) -> object | None:
        match node:
            case ir.Name(name=name) if scheme is not None and name in self.per:
                return ir.Name(copy_name(name, scheme), node.span)
            case ir.Name(name=name) if scheme is not None and name == self.scheme_input:
                return ir.Name(scheme, node.span)  # in a scheme's copy, 险种 is that scheme
            case ir.Call(func=func, args=(ir.Name(name=arg),), group=None, where=None) if func.text in self.per:
                if arg not in self.schemes:
                    self.diags.append(diag("E447", node.span, name=func.text, scheme=arg))
                    return None
                return ir.Name(copy_name(func.text, arg), node.span)
            case ir.PartyRef(name=ir.Ident(text=text) as name) if "(" in text:
                base, _, rest = text.partition("(")
                if base not in self.funds or rest[:-1] not in self.schemes:
                    self.diags.append(diag("E447", node.span, name=base, scheme=rest[:-1]))
                return None
            case ir.PartyRef(name=ir.Ident(text=text) as name) if scheme is not None and text in self.funds:
                return attrs.evolve(node, name=ir.Ident(copy_name(text, scheme), name.span))
            case ir.Rule(fund=ir.Ident(text=text) as fund) if scheme is not None and text in self.funds:
                inner = _map(attrs.evolve(node, fund=None), lambda n: self.one(n, scheme))
                return attrs.evolve(inner, fund=ir.Ident(copy_name(text, scheme), fund.span))
            case ir.FundDecl(name=name) if scheme is not None and name.text in self.funds:
                rules = tuple(_map(r, lambda n: self.one(n, scheme)) for r in node.rules)
                return attrs.evolve(node, rules=rules)
        return None


def _map(node: T, f: Callable[[object], object | None]) -> T:
    """`node` rebuilt bottom-up, with `f`'s replacement wherever it gives one."""
    got = f(node)
    if got is not None:
        return got  # type: ignore[return-value]
    if isinstance(node, tuple):
        return tuple(_map(x, f) for x in node)  # type: ignore[return-value]
    if attrs.has(type(node)) and not isinstance(node, (ir.Ident, ir.Str, ir.Num, ir.DateLit)):
        changes: dict[str, object] = {}
        for a in attrs.fields(cast(Any, type(node))):
            old = getattr(node, a.name)
            new = _map(old, f)
            if new is not old:
                changes[a.name] = new
        return attrs.evolve(node, **changes) if changes else node  # type: ignore[misc]
    return node


def _parties(r: ir.Rule) -> list[ir.PartyRef]:
    out = [p for p in (r.source, r.dest) if p is not None]
    out += [s.party for s in r.shares]
    out += [p.party for t in r.tiers for p in t.payers]
    return out


def expand(program: ir.Program) -> tuple[ir.Program, list[Diagnostic]]:
    """The program with every per-scheme declaration copied once per scheme (see above)."""
    if not written_per_scheme(program):
        return program, []
    policy = program.policy
    schemes = tuple(s.text for s in policy.header.schemes) if policy is not None else ()
    if not schemes:
        spans = [d.span for _, d in program.all_decls() if _declared(d)]
        return program, [diag("E448", spans[0])]
    x = _Expander(program, schemes)

    out = map_decls(program, x.decls)
    return out, x.diags
