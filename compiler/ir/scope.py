"""The symbol table: what each name in a program refers to.

Built once from the IR; the checks read it, and so do the backends (through
`CheckedPolicy`), so it lives with the IR rather than with the checks.
"""

from __future__ import annotations

from typing import Union

import attrs

from compiler.ir import nodes as ir
from compiler.ir.expr import REGION_GROUP
from compiler.ir.walk import all_rules, decl_exprs, walk
from compiler.source import Span

REGION = REGION_GROUP  # the region dimension, beside None (global) and entity kinds

ValueDecl = Union[ir.ParamDecl, ir.InputDecl, ir.LetDecl, ir.Rule]
PartyLike = Union[ir.PartyDecl, ir.FundDecl]


@attrs.frozen
class Conflict:
    """A name declared twice where one namespace holds it (or a member listed twice in an
    enumeration or region set): the scope keeps the first. The checks report it."""

    name: str
    span: Span
    first: Span
    member_of: str | None = None  # a value named like a member of this enumeration


@attrs.define
class Scope:
    values: dict[str, ValueDecl] = attrs.Factory(dict)
    parties: dict[str, PartyLike] = attrs.Factory(dict)
    funds: dict[str, ir.FundDecl] = attrs.Factory(dict)
    enums: dict[str, ir.EnumDecl] = attrs.Factory(dict)
    regionsets: dict[str, ir.RegionSetDecl] = attrs.Factory(dict)
    entities: dict[str, ir.EntityDecl] = attrs.Factory(dict)
    rules: list[ir.Rule] = attrs.Factory(list)
    constraints: list[ir.Constraint] = attrs.Factory(list)  # 约束, in source order
    main_file: str = ""
    _reads: dict[str, frozenset[str]] = attrs.Factory(dict)  # memo for `reads`

    def each_entity(self, ref: ir.PartyRef | None) -> str | None:
        """The kind of entity a party reference means each of (各参保人员, 各 参保人员), else None.
        Glued, 各参保人员 lexes as one name: it means the kind when no party is called that."""
        if ref is None:
            return None
        if ref.entity is not None:
            return ref.entity.text
        if ref.name is not None and ref.name.text not in self.parties:
            text = ref.name.text
            if text.startswith("各") and text[1:] in self.entities:
                return text[1:]
        return None

    def links(self, kind: str) -> list[str]:
        """The kinds an entity of `kind` is linked to, directly or through others (a person's
        employer, the employer's group), nearest first; cycles are the checks' to report."""
        out: list[str] = []
        todo = [kind]
        while todo:
            d = self.entities.get(todo.pop(0))
            for link in d.links if d else ():
                if link.text not in out and link.text != kind:
                    out.append(link.text)
                    todo.append(link.text)
        return out

    def lifts(self, fine: str | None, coarse: str | None) -> bool:
        """Whether a value of dimension `coarse` can be read where `fine` is evaluated: a
        global value anywhere, a region's value for each of its entities, an employer's for
        each of its persons. Dimensions: None (global), REGION, or an entity kind."""
        if coarse is None or coarse == fine:
            return True
        if fine is None:
            return False
        if coarse == REGION:
            return True
        return fine != REGION and coarse in self.links(fine)

    def enum_of_member(self, member: str) -> list[ir.EnumDecl]:
        return [e for e in self.enums.values() if any(m.text == member for m in e.members)]

    def filled_before(self, rule: ir.Rule) -> list[ir.Rule]:
        """For a retention with 累计上限: the rules written before it that pay into the same
        destination. Its room under the cap is what they and the opening balance leave,
        so two retentions into one fund never take it past the cap together."""
        if (
            rule.kind is not ir.RuleKind.RETAIN
            or rule.cumulative_cap is None
            or rule.dest is None
            or rule.dest.name is None
        ):
            return []
        before = self.rules[: self.rules.index(rule)]
        return [r for r in self.feeders(rule.dest.name.text) if r in before]

    def feeders(self, fund: str) -> list[ir.Rule]:
        """The rules that bring money into a fund in a period: its own 上解 rules,
        and every rule elsewhere that pays it (as destination or as a split share)."""

        def names(ref: ir.PartyRef | None) -> bool:
            return ref is not None and ref.name is not None and ref.name.text == fund

        return [
            r
            for r in self.rules
            if (r.kind is ir.RuleKind.COLLECT and r.fund is not None and r.fund.text == fund)
            or names(r.dest)
            or any(names(s.party) for s in r.shares)
        ]

    def feeders_for(self, rule: ir.Rule) -> list[ir.Rule]:
        """The inflows `全部`, `剩余` and `不足时` count for a rule of a fund: the fund's feeders
        less the rule and any feeder that depends on it. Money that comes back because of
        this payment (an advance recovered in the same period) is not there to make it."""
        assert rule.fund is not None
        return [r for r in self.feeders(rule.fund.text) if r is not rule and not self._feeds_back(r, rule)]

    def reads(self, name: str) -> frozenset[str]:
        """Every value `name` depends on, directly or through others (a fund's inflows and
        earlier outflows for the fund words). Cycles are the checks' to report: a name on
        the current path counts as read."""
        if name in self._reads:
            return self._reads[name]
        self._reads[name] = frozenset({name})  # on the path
        d = self.values.get(name)
        direct: set[str] = set()
        if d is not None:
            for top in decl_exprs(d):
                for e in walk(top):
                    if isinstance(e, ir.Name) and e.name in self.values:
                        direct.add(e.name)
            if isinstance(d, ir.Rule):
                direct |= {r.name.text for r in self.fund_words(d)}
                direct |= {r.name.text for r in self.filled_before(d)}
        out = set(direct)
        for n in direct:
            out |= self.reads(n)
        self._reads[name] = frozenset(out)
        return self._reads[name]

    def fund_words(self, rule: ir.Rule) -> list[ir.Rule]:
        """The rules a rule's `全部`, `剩余` or `不足时` reads: the inflows it counts, and for
        `剩余` and `不足时` the fund's earlier outflows."""
        if rule.fund is None:
            return []
        words = [e for top in decl_exprs(rule) for e in walk(top) if isinstance(e, (ir.FundAll, ir.FundRemaining))]
        remaining = rule.shortfall is not None or any(isinstance(e, ir.FundRemaining) for e in words)
        if not words and not remaining:
            return []
        fund = self.funds[rule.fund.text]
        out = self.feeders_for(rule)
        if remaining:
            out += [r for r in fund.rules[: fund.rules.index(rule)] if r.kind is not ir.RuleKind.COLLECT]
        return out

    def _feeds_back(self, feeder: ir.Rule, rule: ir.Rule) -> bool:
        """Whether the feeder's amount reads `rule` by name (an advance recovered from it),
        or through values that do."""
        names = {e.name for top in decl_exprs(feeder) for e in walk(top) if isinstance(e, ir.Name)}
        return rule.name.text in names or any(rule.name.text in self.reads(n) for n in names if n in self.values)

    def regions(self, policy: ir.Policy | None) -> list[ir.Ident]:
        if policy is None or policy.header.region_set is None:
            return []
        rs = self.regionsets.get(policy.header.region_set.text)
        return list(rs.members) if rs else []


def account(name: str, region: str) -> str:
    """The ledger name of a per-region party or fund account, such as 县区财政(甲区);
    compiler.runtime.party spells it the same way."""
    return f"{name}({region})"


def entity_account(kind: str, id_: str) -> str:
    """The ledger name of one entity, such as 参保人员(张三); compiler.runtime spells it the same way."""
    return f"{kind}({id_})"


def fund_accounts(fund: ir.FundDecl, regions: list[str]) -> list[str]:
    """The ledger accounts a fund keeps: one, or one per region."""
    name = fund.name.text
    return [account(name, r) for r in regions] if fund.per_region else [name]


def build_scope(program: ir.Program) -> tuple[Scope, list[Conflict]]:
    """The symbol table, and the names it could not take because they were taken."""
    scope = Scope(main_file=program.main.file)
    conflicts: list[Conflict] = []
    # Values, parties and funds share one namespace: a drafter reads them all as names.
    seen: dict[str, ir.Ident] = {}

    def declare(name: ir.Ident, table: dict[str, object], decl: object, namespace: dict[str, ir.Ident]) -> None:
        if name.text in namespace:
            conflicts.append(Conflict(name.text, name.span, namespace[name.text].span))
            return
        namespace[name.text] = name
        table[name.text] = decl

    type_names: dict[str, ir.Ident] = {}
    set_names: dict[str, ir.Ident] = {}
    kind_names: dict[str, ir.Ident] = {}
    for _module, d in program.all_decls():
        match d:
            case ir.ParamDecl() | ir.InputDecl() | ir.LetDecl():
                declare(d.name, scope.values, d, seen)  # type: ignore[arg-type]
            case ir.PartyDecl():
                declare(d.name, scope.parties, d, seen)  # type: ignore[arg-type]
            case ir.FundDecl():
                declare(d.name, scope.parties, d, seen)  # type: ignore[arg-type]
                scope.funds[d.name.text] = d
            case ir.EnumDecl():
                declare(d.name, scope.enums, d, type_names)  # type: ignore[arg-type]
                _no_repeats(d.members, conflicts)
            case ir.RegionSetDecl():
                declare(d.name, scope.regionsets, d, set_names)  # type: ignore[arg-type]
                _no_repeats(d.members, conflicts)
            case ir.EntityDecl():
                declare(d.name, scope.entities, d, kind_names)  # type: ignore[arg-type]
            case ir.Constraint():
                scope.constraints.append(d)
    decls = tuple(d for _m, d in program.all_decls())
    for r in all_rules(decls):
        scope.rules.append(r)
        declare(r.name, scope.values, r, seen)  # type: ignore[arg-type]
    # A value named like an enumeration member: `方式 = 按全额` could mean either. The scope
    # keeps the member, so the clash is reported once, not as the cycle or type error it causes.
    for e in scope.enums.values():
        for m in e.members:
            if m.text in seen and (m.text in scope.values or m.text in scope.parties):
                conflicts.append(Conflict(m.text, seen[m.text].span, m.span, e.name.text))
                scope.values.pop(m.text, None)
                scope.parties.pop(m.text, None)
                scope.funds.pop(m.text, None)
    return scope, conflicts


def _no_repeats(members: tuple[ir.Ident, ...], conflicts: list[Conflict]) -> None:
    first: dict[str, ir.Ident] = {}
    for m in members:
        if m.text in first:
            conflicts.append(Conflict(m.text, m.span, first[m.text].span))
        else:
            first[m.text] = m
