"""Lark tree → IR: the module, the policy and its declarations.

Together with `lower_expr`, the one place that knows the shape of the parse tree:
`Lowering` has one method per grammar rule or alias (grammar/pool.lark), called
bottom-up with the node's `meta` and its children already lowered. Clauses that are
not IR nodes of their own (a rule's 自/至/当, a header line) come up as the small
typed values below and are gathered by the declaration that holds them.
Lowering never raises on user error: bad literals become diagnostics and a
placeholder value, so checking goes on and reports everything in one run.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from decimal import Decimal

import attrs
import lark
from lark import Token, v_args
from lark.exceptions import VisitError
from lark.tree import Meta

from compiler.diagnostics import Diagnostic, diag, label
from compiler.ir import nodes as ir
from compiler.ir.subperiods import sub_name
from compiler.ir.types import ENTITY_SPELLINGS
from compiler.messages import Text
from compiler.parsing.lower_expr import LeafLowering, MetaLine
from compiler.source import SourceFile, Span
from compiler.years import history_name


class _Flag(enum.Enum):
    """A keyword that is there or not: 每地区, 结转, 可为负, 前."""

    PER_REGION = "per_region"
    PER_SCHEME = "per_scheme"
    PER_MONTH = "月"
    PER_QUARTER = "季度"
    CARRIED = "carried"
    SIGNED = "signed"
    BY = "by"


# ---- header lines (gathered by `policy`)


@attrs.frozen
class _HeaderLine:
    span: Span
    word: str  # the keyword as written, for E202 when the line comes twice


@attrs.frozen
class _Basis(_HeaderLine):
    basis: ir.Str


@attrs.frozen
class _Effective(_HeaderLine):
    start: ir.DateLit
    end: ir.DateLit | None


@attrs.frozen
class _SchemeStart(_HeaderLine):
    scheme: ir.Ident
    date: ir.DateLit


@attrs.frozen
class _RegionSet(_HeaderLine):
    name: ir.Ident


@attrs.frozen
class _Level(_HeaderLine):
    level: ir.Str


@attrs.frozen
class _Schemes(_HeaderLine):
    schemes: tuple[ir.Ident, ...]
    decls: tuple[ir.Decl, ...]  # the enumeration and the input it implies


@attrs.frozen
class _Status(_HeaderLine):
    status: ir.Str


@attrs.frozen
class _DocNumber(_HeaderLine):
    number: ir.Str


@attrs.frozen
class _Issued(_HeaderLine):
    date: ir.DateLit


@attrs.frozen
class _Prose(_HeaderLine):
    text: ir.Str


# ---- clauses (gathered by the declaration they belong to)


@attrs.frozen
class _Value:
    value: ir.Expr | None  # None: 待定


@attrs.frozen
class _Authority:
    owners: tuple[ir.Str, ...]


@attrs.frozen
class _Default:
    value: ir.Expr


@attrs.frozen
class _ChoiceDefault:
    name: ir.Ident


@attrs.frozen
class _From:
    party: ir.PartyRef


@attrs.frozen
class _To:
    party: ir.PartyRef


@attrs.frozen
class _SingleWeight:
    factor: ir.Expr


@attrs.frozen
class _Weights:
    weights: tuple[ir.Weight, ...]


@attrs.frozen
class _When:
    cond: ir.Expr


@attrs.frozen
class _Cap:
    cap: ir.Expr


@attrs.frozen
class _CumulativeCap:
    cap: ir.Expr


@attrs.frozen
class _TotalCap:
    cap: ir.Expr


@attrs.frozen
class _Shares:
    shares: tuple[ir.Share, ...]


@attrs.frozen
class _Tiers:
    tiers: tuple[ir.Tier, ...]
    unassigned: ir.Unassigned | None = None


_RuleClause = (
    ir.Instalments
    | _From
    | _To
    | _SingleWeight
    | _Weights
    | _When
    | _Cap
    | _CumulativeCap
    | ir.Exception_
    | _Shares
    | _Tiers
    | ir.Shortfall
    | MetaLine
)


@attrs.frozen
class _ExampleRegions:
    regions: tuple[ir.Ident, ...]


@attrs.frozen
class _Members:
    members: ir.Members


@attrs.frozen
class _Given:
    binding: ir.Binding


@attrs.frozen
class _Opening:
    binding: ir.Binding


@attrs.frozen
class _Expect:
    binding: ir.Binding


_Statement = _ExampleRegions | _Members | _Given | _Opening | _Expect


@attrs.frozen
class _Period:
    year: int
    statements: tuple[_Statement | MetaLine, ...]
    span: Span


@attrs.frozen
class _Owners:
    owners: tuple[ir.Str, ...]


@attrs.frozen
class _Deadline:
    date: ir.DateLit | None  # None: 持续推进


@v_args(inline=True, meta=True)
class Lowering(LeafLowering):
    """Declarations: the module, the policy and everything declared in them."""

    # ---- module and policy

    def start(self, meta: Meta, *items: ir.Import | ir.Policy | ir.Decl) -> ir.Module:
        imports = tuple(i for i in items if isinstance(i, ir.Import))
        policies = [p for p in items if isinstance(p, ir.Policy)]
        decls = tuple(d for d in items if not isinstance(d, (ir.Import, ir.Policy)))
        for extra in policies[1:]:
            self.diags.append(diag("E107", extra.name.span))
        return ir.Module(self.file, imports, decls, policies[0] if policies else None, self._span(meta))

    def import_decl(self, meta: Meta, path: Token) -> ir.Import:
        return ir.Import(self._string(path), self._span(meta))

    def policy(self, meta: Meta, name: Token, *members: _HeaderLine | ir.Decl) -> ir.Policy:
        basis = level = None
        eff_from = eff_to = None
        region_set = None
        schemes: tuple[ir.Ident, ...] = ()
        status = number = None
        issued: ir.DateLit | None = None
        prose: list[ir.Str] = []
        decls: list[ir.Decl] = []
        seen: dict[type[_HeaderLine], Span] = {}
        starts: list[tuple[ir.Ident, ir.DateLit]] = []
        for m in members:
            if not isinstance(m, _HeaderLine):
                decls.append(m)
                continue
            if not isinstance(m, (_SchemeStart, _Prose)):  # 解读 paragraphs may repeat, 生效 险种 too
                if type(m) in seen:  # a second 生效/层级/… would silently replace the first
                    self.diags.append(diag("E202", m.span, labels=[label(seen[type(m)], "first-defined")], name=m.word))
                seen[type(m)] = m.span
            match m:
                case _Basis():
                    basis = m.basis
                case _Effective():
                    eff_from, eff_to = m.start, m.end
                case _SchemeStart():
                    starts.append((m.scheme, m.date))
                case _RegionSet():
                    region_set = m.name
                case _Level():
                    level = m.level
                case _Schemes():
                    schemes = m.schemes
                    decls += m.decls
                case _Status():
                    status = m.status
                case _DocNumber():
                    number = m.number
                case _Issued():
                    issued = m.date
                case _Prose():
                    prose.append(m.text)
        known = {x.text for x in schemes}
        for scheme, _ in starts:
            if scheme.text not in known:
                self.diags.append(diag("E201", scheme.span, kind=Text("险种", "scheme"), name=scheme.text))
        span = self._span(meta)
        header = ir.Header(
            basis,
            eff_from,
            eff_to,
            region_set,
            level,
            schemes,
            span,
            status,
            number,
            issued,
            tuple(prose),
            tuple(starts),
        )
        return ir.Policy(self._ident(name), header, tuple(decls), span)

    # ---- header lines

    def _word(self, meta: Meta) -> str:
        return self._source_text(meta).split()[0]

    def h_basis(self, meta: Meta, basis: Token) -> _HeaderLine:
        return _Basis(self._span(meta), self._word(meta), self._string(basis))

    def h_effective(self, meta: Meta, start: Token, end: Token | None = None) -> _HeaderLine:
        return _Effective(self._span(meta), self._word(meta), self._date(start), self._date(end) if end else None)

    def h_scheme_start(self, meta: Meta, scheme: Token, date: Token) -> _HeaderLine:
        return _SchemeStart(self._span(meta), self._word(meta), self._ident(scheme), self._date(date))

    def h_regions(self, meta: Meta, name: Token) -> _HeaderLine:
        return _RegionSet(self._span(meta), self._word(meta), self._ident(name))

    def h_level(self, meta: Meta, level: ir.Str) -> _HeaderLine:
        return _Level(self._span(meta), self._word(meta), level)

    def h_schemes(self, meta: Meta, schemes: tuple[ir.Ident, ...]) -> _HeaderLine:
        """`险种 A、B` declares the enumeration 险种 {A、B} and a global input 险种 that a
        scenario's `scheme` sets, so rules can differ by scheme (当 险种 = 职工医保)."""
        span = self._span(meta)
        word = self._word(meta)
        name = ir.Ident("scheme" if word.startswith("schemes") else "险种", span)
        none = ir.Literate(None, None, span)
        decls = (
            ir.EnumDecl(name, schemes, none, span, implicit=True),
            ir.InputDecl(name, ir.TypeRef(name, False, span), False, None, none, span, implicit=True),
        )
        return _Schemes(span, word, schemes, decls)

    def h_status(self, meta: Meta, status: ir.Str) -> _HeaderLine:
        return _Status(self._span(meta), self._word(meta), status)

    def h_number(self, meta: Meta, number: Token) -> _HeaderLine:
        return _DocNumber(self._span(meta), self._word(meta), self._string(number))

    def h_issued(self, meta: Meta, date: Token) -> _HeaderLine:
        return _Issued(self._span(meta), self._word(meta), self._date(date))

    def h_prose(self, meta: Meta, text: Token) -> _HeaderLine:
        return _Prose(self._span(meta), self._word(meta), self._string(text))

    # ---- declarations

    def enum_decl(self, meta: Meta, name: Token, members: tuple[ir.Ident, ...], *metas: MetaLine) -> ir.Decl:
        return ir.EnumDecl(self._ident(name), members, self._literate(metas, meta), self._span(meta))

    def regionset_decl(self, meta: Meta, name: Token, members: tuple[ir.Ident, ...], *metas: MetaLine) -> ir.Decl:
        return ir.RegionSetDecl(self._ident(name), members, self._literate(metas, meta), self._span(meta))

    def type_ref(self, meta: Meta, name: Token, *pers: _Flag | ir.Ident) -> ir.TypeRef:
        entity = next((p for p in pers if isinstance(p, ir.Ident)), None)
        sub = next((p.value for p in pers if p in (_Flag.PER_MONTH, _Flag.PER_QUARTER)), None)
        return ir.TypeRef(
            self._ident(name), _Flag.PER_REGION in pers, self._span(meta), entity, _Flag.PER_SCHEME in pers, sub
        )

    def sub_month(self, meta: Meta) -> _Flag:
        return _Flag.PER_MONTH

    def sub_quarter(self, meta: Meta) -> _Flag:
        return _Flag.PER_QUARTER

    def per_kind(self, meta: Meta, kind: Token) -> ir.Ident:
        return self._ident(kind)

    # 每人, 每单位, 每机构: the usual kinds' short spellings (docs/language.md, 实体)
    def per_person(self, meta: Meta) -> ir.Ident:
        return ir.Ident(ENTITY_SPELLINGS["每人"], self._span(meta))

    def per_employer(self, meta: Meta) -> ir.Ident:
        return ir.Ident(ENTITY_SPELLINGS["每单位"], self._span(meta))

    def per_institution(self, meta: Meta) -> ir.Ident:
        return ir.Ident(ENTITY_SPELLINGS["每机构"], self._span(meta))

    def entity_decl(self, meta: Meta, name: Token, *rest: ir.Ident | _Flag | MetaLine) -> ir.Decl:
        links = tuple(k for k in rest if isinstance(k, ir.Ident))
        metas = [m for m in rest if isinstance(m, MetaLine)]
        return ir.EntityDecl(self._ident(name), links, self._literate(metas, meta), self._span(meta))

    def e_in_region(self, meta: Meta) -> _Flag:
        return _Flag.PER_REGION

    def e_under(self, meta: Meta, kind: Token) -> ir.Ident:
        return self._ident(kind)

    def per_region(self, meta: Meta) -> _Flag:
        return _Flag.PER_REGION

    def per_scheme(self, meta: Meta) -> _Flag:
        return _Flag.PER_SCHEME

    def carried(self, meta: Meta) -> _Flag:
        return _Flag.CARRIED

    def signed(self, meta: Meta) -> _Flag:
        return _Flag.SIGNED

    def by(self, meta: Meta) -> _Flag:
        return _Flag.BY

    def param_decl(
        self, meta: Meta, name: Token, type_: ir.TypeRef, *clauses: _Value | ir.Bound | _Authority | MetaLine
    ) -> ir.Decl:
        value: ir.Expr | None = None
        bounds: list[ir.Bound] = []
        authority: tuple[ir.Str, ...] = ()
        metas: list[MetaLine] = []
        for c in clauses:
            match c:
                case _Value():
                    value = c.value
                case ir.Bound():
                    bounds.append(c)
                case _Authority():
                    authority += c.owners
                case MetaLine():
                    metas.append(c)
        literate = self._literate(metas, meta)
        return ir.ParamDecl(self._ident(name), type_, value, tuple(bounds), authority, literate, self._span(meta))

    def value_given(self, meta: Meta, value: ir.Expr) -> _Value:
        return _Value(value)

    def value_open(self, meta: Meta) -> _Value:
        return _Value(None)

    def bound_min(self, meta: Meta, value: ir.Expr) -> ir.Bound:
        return ir.Bound(ir.BoundKind.MIN, value, self._span(meta))

    def bound_max(self, meta: Meta, value: ir.Expr) -> ir.Bound:
        return ir.Bound(ir.BoundKind.MAX, value, self._span(meta))

    def authority(self, meta: Meta, owners: tuple[ir.Str, ...]) -> _Authority:
        return _Authority(owners)

    def input_decl(self, meta: Meta, name: Token, type_: ir.TypeRef, *clauses: _Flag | _Default | MetaLine) -> ir.Decl:
        signed = False
        default: ir.Expr | None = None
        metas: list[MetaLine] = []
        for c in clauses:
            match c:
                case _Flag.SIGNED:
                    signed = True
                case _Default():
                    default = c.value
                case MetaLine():
                    metas.append(c)
        return ir.InputDecl(self._ident(name), type_, signed, default, self._literate(metas, meta), self._span(meta))

    def default(self, meta: Meta, value: ir.Expr) -> _Default:
        return _Default(value)

    def let_decl(self, meta: Meta, name: Token, *rest: ir.TypeRef | ir.Expr | MetaLine) -> ir.Decl:
        type_ = next((t for t in rest if isinstance(t, ir.TypeRef)), None)
        expr = next(e for e in rest if not isinstance(e, (ir.TypeRef, MetaLine)))
        metas = [m for m in rest if isinstance(m, MetaLine)]
        return ir.LetDecl(self._ident(name), type_, expr, self._literate(metas, meta), self._span(meta))

    def constraint_decl(self, meta: Meta, cond: ir.Expr, *rest: MetaLine) -> ir.Decl:
        return ir.Constraint(cond, self._literate(list(rest), meta), self._span(meta))

    def party_decl(self, meta: Meta, name: Token, *rest: _Flag | MetaLine) -> ir.Decl:
        metas = [m for m in rest if isinstance(m, MetaLine)]
        return ir.PartyDecl(self._ident(name), _Flag.PER_REGION in rest, self._literate(metas, meta), self._span(meta))

    def fund_decl(self, meta: Meta, fund: Token, *rest: _Flag | MetaLine | ir.Rule | ir.Choice) -> ir.Decl:
        """The fund's rules, and the rules of the readings written among them, are
        lowered before the fund is: they learn which fund holds them here."""
        name = self._ident(fund)
        metas = [m for m in rest if isinstance(m, MetaLine)]
        rules: list[ir.Rule] = []
        choices: list[tuple[int, ir.Choice]] = []
        for k in rest:
            if isinstance(k, ir.Rule):
                rules.append(attrs.evolve(k, fund=name))
            elif isinstance(k, ir.Choice):
                options = tuple(attrs.evolve(o, decls=tuple(_in_fund(d, name) for d in o.decls)) for o in k.options)
                choices.append((len(rules), attrs.evolve(k, options=options, fund=name)))
        return ir.FundDecl(
            name,
            _Flag.CARRIED in rest,
            _Flag.PER_REGION in rest,
            tuple(rules),
            self._literate(metas, meta),
            self._span(meta),
            tuple(choices),
            per_scheme=_Flag.PER_SCHEME in rest,
        )

    def choice_decl(self, meta: Meta, name: Token, *rest: MetaLine | ir.Option | _ChoiceDefault) -> ir.Choice:
        metas = [m for m in rest if isinstance(m, MetaLine)]
        options = tuple(o for o in rest if isinstance(o, ir.Option))
        default = next(d for d in rest if isinstance(d, _ChoiceDefault))
        return ir.Choice(self._ident(name), options, default.name, self._literate(metas, meta), self._span(meta))

    def choice_default(self, meta: Meta, name: Token) -> _ChoiceDefault:
        return _ChoiceDefault(self._ident(name))

    def option(self, meta: Meta, name: Token, *rest: MetaLine | ir.OptionDecl) -> ir.Option:
        metas = [m for m in rest if isinstance(m, MetaLine)]
        decls = tuple(d for d in rest if not isinstance(d, MetaLine))
        return ir.Option(self._ident(name), decls, self._literate(metas, meta), self._span(meta))

    # ---- rules

    def rule(self, meta: Meta, kind: ir.RuleKind, name: Token, amount: ir.Expr, *clauses: _RuleClause) -> ir.Rule:
        source = dest = None
        single_weight = cond = cap = cumulative_cap = None
        shortfall: ir.Shortfall | None = None
        instalments: ir.Instalments | None = None
        sub: ir.Sub | None = None
        unassigned: ir.Unassigned | None = None
        weights: tuple[ir.Weight, ...] = ()
        exceptions: list[ir.Exception_] = []
        shares: list[ir.Share] = []
        tiers: list[ir.Tier] = []
        metas: list[MetaLine] = []
        for c in clauses:
            match c:
                case _From():
                    source = c.party
                case _To():
                    dest = c.party
                case _SingleWeight():
                    single_weight = c.factor
                case _Weights():
                    weights += c.weights
                case _When():
                    cond = c.cond
                case _Cap():
                    cap = c.cap
                case _CumulativeCap():
                    cumulative_cap = c.cap
                case ir.Exception_():
                    exceptions.append(c)
                case _Shares():
                    shares += c.shares
                case _Tiers():
                    tiers += c.tiers
                    unassigned = c.unassigned or unassigned
                case ir.Shortfall():
                    shortfall = c
                case ir.Instalments():
                    instalments = c
                case ir.Sub():
                    sub = c
                case MetaLine():
                    metas.append(c)
        return ir.Rule(
            kind=kind,
            name=self._ident(name),
            amount=amount,
            fund=None,  # set by the fund block that holds the rule (fund_decl)
            source=source,
            dest=dest,
            weights=weights,
            single_weight=single_weight,
            cond=cond,
            cap=cap,
            cumulative_cap=cumulative_cap,
            exceptions=tuple(exceptions),
            shares=tuple(shares),
            tiers=tuple(tiers),
            literate=self._literate(metas, meta),
            span=self._span(meta),
            shortfall=shortfall,
            instalments=instalments,
            unassigned=unassigned,
            sub=sub,
        )

    def k_collect(self, meta: Meta) -> ir.RuleKind:
        return ir.RuleKind.COLLECT

    def k_allocate(self, meta: Meta) -> ir.RuleKind:
        return ir.RuleKind.ALLOCATE

    def k_retain(self, meta: Meta) -> ir.RuleKind:
        return ir.RuleKind.RETAIN

    def k_pay(self, meta: Meta) -> ir.RuleKind:
        return ir.RuleKind.PAY

    def k_transfer(self, meta: Meta) -> ir.RuleKind:
        return ir.RuleKind.TRANSFER

    def k_split(self, meta: Meta) -> ir.RuleKind:
        return ir.RuleKind.SPLIT

    def k_cover(self, meta: Meta) -> ir.RuleKind:
        return ir.RuleKind.COVER

    def c_from(self, meta: Meta, party: ir.PartyRef) -> _From:
        return _From(party)

    def c_to(self, meta: Meta, party: ir.PartyRef) -> _To:
        return _To(party)

    def c_by(self, meta: Meta, weights: _SingleWeight | _Weights) -> _SingleWeight | _Weights:
        return weights

    def w_single(self, meta: Meta, factor: ir.Expr) -> _SingleWeight:
        return _SingleWeight(factor)

    def w_mix(self, meta: Meta, *weights: ir.Weight) -> _Weights:
        return _Weights(weights)

    def weight(self, meta: Meta, factor: ir.Expr, weight: ir.Expr) -> ir.Weight:
        return ir.Weight(factor, weight, self._span(meta))

    def c_when(self, meta: Meta, cond: ir.Expr) -> _When:
        return _When(cond)

    def c_cap(self, meta: Meta, cap: ir.Expr) -> _Cap:
        return _Cap(cap)

    def c_cumcap(self, meta: Meta, cap: ir.Expr) -> _CumulativeCap:
        return _CumulativeCap(cap)

    def c_except(self, meta: Meta, cond: ir.Expr, value: ir.Expr, *metas: MetaLine) -> ir.Exception_:
        return ir.Exception_(cond, value, self._literate(metas, meta), self._span(meta))

    def c_shares(self, meta: Meta, *shares: ir.Share) -> _Shares:
        return _Shares(shares)

    def share(self, meta: Meta, party: ir.PartyRef, ratio: ir.Expr) -> ir.Share:
        return ir.Share(party, ratio, self._span(meta))

    def c_tiers(self, meta: Meta, *tiers: ir.Tier | ir.Unassigned) -> _Tiers:
        rest = [t for t in tiers if isinstance(t, ir.Unassigned)]
        return _Tiers(tuple(t for t in tiers if isinstance(t, ir.Tier)), rest[0] if rest else None)

    def unassigned(self, meta: Meta, *metas: MetaLine) -> ir.Unassigned:
        return ir.Unassigned(self._literate(metas, meta), self._span(meta))

    def c_short(self, meta: Meta, kind: ir.ShortfallKind) -> ir.Shortfall:
        return ir.Shortfall(kind, self._span(meta))

    def c_instalments(self, meta: Meta, token: Token) -> ir.Instalments:
        parts, _, held = str(token)[1:].partition("期")
        holdback = Decimal(held.removeprefix("预留").rstrip("%％")) / 100 if held else Decimal(0)
        return self._instalments(int(parts), holdback, meta)

    def c_instalments_en(self, meta: Meta, parts: Token, held: Token | None = None) -> ir.Instalments:
        holdback = Decimal(str(held).rstrip("%％")) / 100 if held is not None else Decimal(0)
        return self._instalments(int(parts), holdback, meta)

    def c_monthly(self, meta: Meta) -> ir.Sub:
        return ir.Sub("月", self._span(meta))

    def c_quarterly(self, meta: Meta) -> ir.Sub:
        return ir.Sub("季度", self._span(meta))

    def _instalments(self, parts: int, holdback: Decimal, meta: Meta) -> ir.Instalments:
        span = self._span(meta)
        if parts < 1 or 12 % parts or holdback >= 1:
            self.diags.append(diag("E464", span, parts=parts))
            parts, holdback = 1, Decimal(0)
        return ir.Instalments(parts, holdback, span)

    def s_pro_rata(self, meta: Meta) -> ir.ShortfallKind:
        return ir.ShortfallKind.PRO_RATA

    def s_in_order(self, meta: Meta) -> ir.ShortfallKind:
        return ir.ShortfallKind.IN_ORDER

    def s_claim(self, meta: Meta) -> ir.ShortfallKind:
        return ir.ShortfallKind.CLAIM

    def party_named(self, meta: Meta, name: Token) -> ir.PartyRef:
        return ir.PartyRef(self._ident(name), self._span(meta))

    def party_account(self, meta: Meta, name: Token, scheme: Token) -> ir.PartyRef:
        """统筹基金(职工医保): one scheme's account of a fund kept 每险种, named as the ledger names it."""
        return ir.PartyRef(ir.Ident(f"{name}({scheme})", self._span(meta)), self._span(meta))

    def party_regions(self, meta: Meta) -> ir.PartyRef:
        return ir.PartyRef(None, self._span(meta))

    def party_each(self, meta: Meta, kind: Token) -> ir.PartyRef:
        return ir.PartyRef(None, self._span(meta), self._ident(kind))

    def tier(self, meta: Meta, name: Token, *rest: ir.Payer | _Cap | _TotalCap | MetaLine) -> ir.Tier:
        payers: list[ir.Payer] = []
        cap: ir.Expr | None = None
        total_cap: ir.Expr | None = None
        metas: list[MetaLine] = []
        for c in rest:
            match c:
                case ir.Payer():
                    payers.append(c)
                case MetaLine():
                    metas.append(c)
                case _TotalCap():
                    total_cap = c.cap
                case _Cap():
                    cap = c.cap
        return ir.Tier(self._ident(name), tuple(payers), cap, total_cap, self._literate(metas, meta), self._span(meta))

    def payer(self, meta: Meta, party: ir.PartyRef, share: ir.Expr | None = None) -> ir.Payer:
        return ir.Payer(party, share, self._span(meta))

    def t_cap(self, meta: Meta, cap: ir.Expr) -> _Cap:
        return _Cap(cap)

    def t_total_cap(self, meta: Meta, cap: ir.Expr) -> _TotalCap:
        return _TotalCap(cap)

    # ---- examples

    def example_decl(self, meta: Meta, label_: ir.Str, *items: _Statement | _Period | MetaLine) -> ir.Decl:
        periods = [self._period_case(p.year, p.statements, p.span) for p in items if isinstance(p, _Period)]
        metas = [m for m in items if isinstance(m, MetaLine)]
        regions = tuple(r for it in items if isinstance(it, _ExampleRegions) for r in it.regions)
        rest = [it for it in items if isinstance(it, (_Members, _Given, _Opening, _Expect))]
        shared: ir.PeriodCase | None = None
        if not periods:
            periods.append(self._period_case(None, rest, self._span(meta)))
        elif rest:
            shared = self._period_case(None, rest, _statement_span(rest[0]).to(_statement_span(rest[-1])))
        return ir.Example(label_, regions, shared, tuple(periods), self._literate(metas, meta), self._span(meta))

    def _period_case(self, year: int | None, statements: Sequence[_Statement | MetaLine], span: Span) -> ir.PeriodCase:
        regions: tuple[ir.Ident, ...] = ()
        given: list[ir.Binding] = []
        opening: list[ir.Binding] = []
        expect: list[ir.Binding] = []
        members: list[ir.Members] = []
        for s in statements:
            match s:
                case _ExampleRegions():
                    regions += s.regions
                case _Members():
                    members.append(s.members)
                case _Given():
                    given.append(s.binding)
                case _Opening():
                    opening.append(s.binding)
                case _Expect():
                    expect.append(s.binding)
        return ir.PeriodCase(year, regions, tuple(given), tuple(opening), tuple(expect), span, tuple(members))

    def ex_period(self, meta: Meta, year: Token, *statements: _Statement | MetaLine) -> _Period:
        return _Period(int(year), statements, self._span(meta))

    def ex_regions(self, meta: Meta, regions: tuple[ir.Ident, ...]) -> _ExampleRegions:
        return _ExampleRegions(regions)

    def ex_members(self, meta: Meta, kind: Token, *entries: ir.Member) -> _Members:
        return _Members(ir.Members(self._ident(kind), entries, self._span(meta)))

    def member_entry(self, meta: Meta, id_: Token, parent: Token) -> ir.Member:
        return ir.Member(self._ident(id_), self._ident(parent), self._span(meta))

    def ex_given(self, meta: Meta, name: Token, value: ir.Value) -> _Given:
        return _Given(ir.Binding(self._ident(name), value, self._span(meta)))

    def ex_given_sub(self, meta: Meta, name: Token, label: Token, value: ir.Value) -> _Given:
        """已知 实际发生费用(3月) = …: one month's copy of a value kept 每月 (compiler/months.py)."""
        return _Given(ir.Binding(self._sub_ident(name, label), value, self._span(meta)))

    def ex_expect_sub(self, meta: Meta, name: Token, label: Token, value: ir.Value) -> _Expect:
        return _Expect(ir.Binding(self._sub_ident(name, label), value, self._span(meta)))

    def _sub_ident(self, name: Token, label: Token) -> ir.Ident:
        ident = self._ident(name)
        return ir.Ident(sub_name(ident.text, str(label)), ident.span)

    def ex_given_before(self, meta: Meta, name: Token, window: Token, value: ir.Value) -> _Given:
        """已知 征缴收入 前1年 = …: the value the period's 前N年 reads for that year."""
        text = str(window)
        ident = self._ident(name)
        if text[0] != "前":
            self.diags.append(diag("E462", self._span(meta)))
        named = ir.Ident(history_name(ident.text, int(text[1:-1])), ident.span)
        return _Given(ir.Binding(named, value, self._span(meta)))

    def ex_opening(self, meta: Meta, name: Token, value: ir.Value) -> _Opening:
        return _Opening(ir.Binding(self._ident(name), value, self._span(meta)))

    def ex_expect(self, meta: Meta, name: Token, *rest: Token | ir.Value) -> _Expect:
        value = rest[-1]
        assert isinstance(value, ir.Value)
        part = self._ident(rest[0]) if isinstance(rest[0], Token) else None
        return _Expect(ir.Binding(self._ident(name), value, self._span(meta), part))

    def ex_meta(self, meta: Meta, line: MetaLine) -> MetaLine:
        return line

    def v_scalar(self, meta: Meta, value: ir.Expr) -> ir.Value:
        return ir.Value(value, (), self._span(meta))

    def v_regions(self, meta: Meta, *values: ir.RegionValue) -> ir.Value:
        return ir.Value(None, values, self._span(meta))

    def region_value(self, meta: Meta, region: Token, value: ir.Expr) -> ir.RegionValue:
        return ir.RegionValue(self._ident(region), value, self._span(meta))

    # ---- timeline and tasks

    def timeline_decl(self, meta: Meta, *milestones: ir.Milestone) -> ir.Decl:
        return ir.Timeline(milestones, self._span(meta))

    def milestone(
        self, meta: Meta, when: Token | ir.Recurring, *rest: _Flag | Token | _Owners | MetaLine
    ) -> ir.Milestone:
        date = self._date(when) if isinstance(when, Token) else when
        text = self._string(next(t for t in rest if isinstance(t, Token)))
        owners = tuple(o for c in rest if isinstance(c, _Owners) for o in c.owners)
        metas = [m for m in rest if isinstance(m, MetaLine)]
        return ir.Milestone(date, _Flag.BY in rest, text, owners, self._literate(metas, meta), self._span(meta))

    def owners(self, meta: Meta, owners: tuple[ir.Str, ...]) -> _Owners:
        return _Owners(owners)

    def tasks_decl(self, meta: Meta, *rest: ir.Str | ir.Task) -> ir.Decl:
        label_ = next((t for t in rest if isinstance(t, ir.Str)), None)
        tasks = tuple(t for t in rest if isinstance(t, ir.Task))
        return ir.TaskTable(label_, tasks, self._span(meta))

    def task(self, meta: Meta, *rest: Token | _Owners | _Deadline | MetaLine) -> ir.Task:
        tokens = [t for t in rest if isinstance(t, Token)]  # INT? STRING
        number = int(tokens[0]) if len(tokens) > 1 else None
        text = self._string(tokens[-1])
        owners = tuple(o for c in rest if isinstance(c, _Owners) for o in c.owners)
        deadline = ([d.date for d in rest if isinstance(d, _Deadline)] or [None])[-1]  # the last 时限 written
        metas = [m for m in rest if isinstance(m, MetaLine)]
        return ir.Task(number, text, owners, deadline, self._literate(metas, meta), self._span(meta))

    def deadline(self, meta: Meta, date: ir.DateLit | None) -> _Deadline:
        return _Deadline(date)

    def dl_date(self, meta: Meta, date: Token) -> ir.DateLit:
        return self._date(date)

    def dl_ongoing(self, meta: Meta) -> None:
        return None


def _statement_span(s: _Given | _Opening | _Expect | _Members) -> Span:
    return s.members.span if isinstance(s, _Members) else s.binding.span


def _in_fund(decl: ir.OptionDecl, fund: ir.Ident) -> ir.OptionDecl:
    """An option's rule written in `fund`'s block, told so; values (参数, 令) stay the policy's."""
    return attrs.evolve(decl, fund=fund) if isinstance(decl, ir.Rule) else decl


def lower(tree: lark.Tree[Token], source: SourceFile) -> tuple[ir.Module, list[Diagnostic]]:
    lowering = Lowering(source)
    try:
        module = lowering.transform(tree)
    except VisitError as e:  # a bug in lowering, never a user's error: show the real one
        raise e.orig_exc from None
    return module, lowering.diags
