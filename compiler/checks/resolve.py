"""Name resolution: every name is declared once, and every name, function, type, party and
region refers to something."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from compiler.checks.context import Context, Fact, Scope, conflict, undefined
from compiler.checks.linear import fixed_param
from compiler.diagnostics import Diagnostic, diag
from compiler.ir import functions
from compiler.ir import nodes as ir
from compiler.ir.scope import REGION
from compiler.ir.types import BUILTIN_TYPES
from compiler.ir.walk import decl_exprs, rule_exprs, walk


def check(ctx: Context) -> list[Diagnostic]:
    out = [conflict(c) for c in ctx.conflicts]
    scope = ctx.scope
    members = {m.text for e in scope.enums.values() for m in e.members}
    value_names = list(scope.values) + sorted(members)

    def expr(e: ir.Expr, fund: ir.FundDecl | None, rule: ir.Rule | None) -> None:
        # Names resolved elsewhere: a fund named by 余额(…), and the right side of
        # `x = 成员`, which the type pass resolves against x's enumeration.
        elsewhere: set[int] = set()
        for sub in walk(e):
            match sub:
                case ir.Call(func=f, args=(ir.Name() as arg, *_)) if _is_balance(f):
                    elsewhere.add(id(arg))
                case ir.Compare(op="=" | "!=", right=ir.Name() as right):
                    elsewhere.add(id(right))
        for sub in walk(e):
            match sub:
                case ir.Name(name=n) if n not in scope.values and n not in members and id(sub) not in elsewhere:
                    out.append(undefined("value", n, sub.span, value_names))
                case ir.Call(func=f, args=args):
                    fn = functions.lookup(f.text)
                    if fn is None:
                        out.append(undefined("function", f.text, f.span, functions.BY_NAME))
                        continue
                    if len(args) < fn.min_args or (fn.max_args is not None and len(args) > fn.max_args):
                        expected = str(fn.min_args) if fn.max_args == fn.min_args else f"{fn.min_args}+"
                        out.append(diag("E203", sub.span, name=f.text, expected=expected, got=len(args)))
                    if fn.id == "balance" and args:
                        out.extend(_balance_arg(ctx, args[0]))
                    if (sub.group is not None or sub.where is not None) and not fn.aggregate:
                        out.append(diag("E313", sub.span))
                    g = sub.group
                    if g is not None and g.text != REGION and g.text not in scope.entities:
                        out.append(undefined("entity", g.text, g.span, scope.entities))
                case ir.FundAll() | ir.FundRemaining() if fund is None:
                    out.append(diag("E205", sub.span))
                case ir.FundRemaining() if rule is not None and rule.kind is ir.RuleKind.COLLECT:
                    out.append(diag("E207", sub.span))

    def type_ref(t: ir.TypeRef) -> None:
        if t.name.text not in BUILTIN_TYPES and t.name.text not in scope.enums:
            out.append(undefined("type", t.name.text, t.name.span, [*BUILTIN_TYPES, *scope.enums]))
        if t.entity is not None and t.entity.text not in scope.entities:
            out.append(undefined("entity", t.entity.text, t.entity.span, scope.entities))

    def party(p: ir.PartyRef | None) -> None:
        if p is not None and p.entity is not None and p.entity.text not in scope.entities:
            out.append(undefined("entity", p.entity.text, p.entity.span, scope.entities))
        elif p is not None and p.name is not None and p.name.text not in scope.parties and not scope.each_entity(p):
            out.append(undefined("party", p.name.text, p.name.span, [*scope.parties, *_each(scope)]))

    for _module, d in ctx.program.all_decls():
        if isinstance(d, (ir.ParamDecl, ir.InputDecl)) or (isinstance(d, ir.LetDecl) and d.type):
            assert d.type is not None
            type_ref(d.type)
        if isinstance(d, ir.FundDecl):
            for r in d.rules:
                for e in rule_exprs(r):
                    expr(e, d, r)
                _rule_parties(r, party)
        elif isinstance(d, ir.Rule):
            for e in decl_exprs(d):
                expr(e, None, d)
            _rule_parties(d, party)
        elif isinstance(d, ir.Example):
            out += _example(ctx, d)
        elif isinstance(d, ir.EntityDecl):
            out += _entity(ctx, d)
        else:
            for e in decl_exprs(d):
                expr(e, None, None)

    policy = ctx.policy
    if policy is not None and policy.header.region_set is not None:
        rs = policy.header.region_set
        if rs.text not in scope.regionsets:
            out.append(undefined("regionset", rs.text, rs.span, scope.regionsets))
    return ctx.establish(Fact.NAMES_RESOLVED, out)


def _each(scope: Scope) -> list[str]:
    return [f"各{k}" for k in scope.entities]


def _entity(ctx: Context, d: ir.EntityDecl) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    kinds = ctx.scope.entities
    for link in d.links:
        if link.text not in kinds:
            out.append(undefined("entity", link.text, link.span, kinds))
    reached: set[str] = set()
    todo = [link.text for link in d.links]
    while todo:
        k = todo.pop()
        if k == d.name.text:
            return [*out, diag("E231", d.name.span, kind=k)]
        if k in reached or k not in kinds:
            continue
        reached.add(k)
        todo += [link.text for link in kinds[k].links]
    return out


def _members(ctx: Context, case: ir.PeriodCase, regions: set[str]) -> list[Diagnostic]:
    """名单: each entity's kind is declared, and it belongs to a region of the example or to an
    entity of a kind it is linked to, listed in the example."""
    out: list[Diagnostic] = []
    kinds = ctx.scope.entities
    ids: dict[str, str] = {}  # entity → its kind, over the example's lists
    for ms in case.members:
        for m in ms.members:
            ids.setdefault(m.id.text, ms.kind.text)
    for ms in case.members:
        if ms.kind.text not in kinds:
            out.append(undefined("entity", ms.kind.text, ms.kind.span, kinds))
            continue
        linked = ctx.scope.links(ms.kind.text)
        for m in ms.members:
            p = m.parent.text
            if p not in regions and ids.get(p) not in linked:
                out.append(diag("E230", m.parent.span, name=m.id.text, parent=p, kind=ms.kind.text))
    return out


def _is_balance(f: ir.Ident) -> bool:
    fn = functions.lookup(f.text)
    return fn is not None and fn.id == "balance"


def _rule_parties(r: ir.Rule, party: Callable[[ir.PartyRef | None], None]) -> None:
    party(r.source)
    party(r.dest)
    for s in r.shares:
        party(s.party)
    for t in r.tiers:
        for p in t.payers:
            party(p.party)


def _balance_arg(ctx: Context, arg: ir.Expr) -> list[Diagnostic]:
    funds = ctx.scope.funds
    if isinstance(arg, ir.Name) and arg.name in funds:
        if not funds[arg.name].carried:
            return [diag("E208", arg.span, fund=arg.name)]
        return []
    name = arg.name if isinstance(arg, ir.Name) else "?"
    return [undefined("fund", name, arg.span, [n for n, f in funds.items() if f.carried])]


def _part(ctx: Context, b: ir.Binding, part: ir.Ident) -> list[Diagnostic]:
    """期望 缺口弥补.第一层: the rule must be a waterfall with that tier or that payer."""
    rules = {r.name.text: r for r in ctx.scope.rules}
    rule = rules.get(b.name.text)
    if rule is None and b.name.text not in ctx.scope.values:
        return [undefined("value", b.name.text, b.name.span, [n for n, r in rules.items() if r.tiers])]
    if rule is None or not rule.tiers:
        return [diag("E214", b.name.span, name=b.name.text, part=part.text)]
    names = waterfall_parts(rule)
    return [] if part.text in names else [undefined("part", part.text, part.span, names)]


def waterfall_parts(rule: ir.Rule) -> list[str]:
    """The names an example may expect of a waterfall: its tiers, then its named payers."""
    payers = [p.party.name.text for t in rule.tiers for p in t.payers if p.party.name is not None]
    return [*(t.name.text for t in rule.tiers), *dict.fromkeys(payers)]


def _example(ctx: Context, ex: ir.Example) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    scope = ctx.scope
    known_regions = {r.text for r in scope.regions(ctx.policy)}
    carried = [n for n, f in scope.funds.items() if f.carried]
    # A fixed parameter (a value and no bounds) is the policy's own number: an
    # example may not change it, or the checks' reasoning about it would be void.
    givable = [
        n
        for n, v in scope.values.items()
        if isinstance(v, ir.InputDecl) or (isinstance(v, ir.ParamDecl) and not fixed_param(v))
    ]
    if ex.shared is not None:
        for b in ex.shared.expect:
            out.append(diag("E209", b.span))
    shared = ex.shared.members if ex.shared else ()
    for case in (*([ex.shared] if ex.shared else []), *ex.periods):
        for r in (*ex.regions, *case.regions):
            if known_regions and r.text not in known_regions:
                out.append(undefined("region", r.text, r.span, known_regions))
        regions = {r.text for r in (*ex.regions, *case.regions)} or known_regions
        if case is not ex.shared:
            case = attrs.evolve(case, members=(*shared, *case.members))
        out += _members(ctx, case, regions)
        ids = {m.id.text for ms in case.members for m in ms.members}
        # An example may expect a carried fund's closing balance, as well as any value.
        groups = ((case.given, givable), (case.expect, [*scope.values, *carried]), (case.opening, carried))
        for bindings, allowed in groups:
            for b in bindings:
                n = b.name.text
                if b.part is not None:
                    out += _part(ctx, b, b.part)
                elif n in allowed:
                    pass
                elif allowed is givable and isinstance(scope.values.get(n), ir.ParamDecl):
                    out.append(diag("E210", b.name.span, name=n))
                elif allowed is givable and n in scope.values:
                    out.append(diag("E211", b.name.span, name=n))
                elif allowed is carried and n in scope.funds:
                    out.append(diag("E212", b.name.span, fund=n))
                else:
                    kind = "fund" if allowed is carried else "value"
                    out.append(undefined(kind, n, b.name.span, allowed))
                for rv in b.value.regions:
                    if known_regions and rv.region.text not in known_regions and rv.region.text not in ids:
                        what = "member" if ids else "region"
                        out.append(undefined(what, rv.region.text, rv.region.span, [*known_regions, *ids]))
    return out
