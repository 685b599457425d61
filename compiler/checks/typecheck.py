"""Types and units: money + ratio is an error, money × ratio is money.

Fills `ctx.types` with the type of every value declaration for later passes
and the backends, and establishes Fact.TYPES_AGREE when no unit or type is wrong.
"""

from __future__ import annotations

from compiler.checks.context import Context, Fact, ValueDecl, suggest, undefined
from compiler.diagnostics import Diagnostic, diag, note
from compiler.ir import functions
from compiler.ir import nodes as ir
from compiler.ir.scope import REGION, Scope
from compiler.ir.types import BOOL, BUILTIN_TYPES, MONEY, MONTHS, NUMBER, RATIO, Base, Type, dim
from compiler.ir.walk import children
from compiler.messages import Text

M, R, C, N, MO = Base.MONEY, Base.RATIO, Base.COUNT, Base.NUMBER, Base.MONTHS
_MUL = {(M, R): M, (M, N): M, (M, C): M, (R, R): R, (R, N): R, (N, N): N, (C, R): C, (C, N): C}
# 个月: 3个月 × 月均支出 is money (a reserve target), 3个月 × 50% is months.
_MUL.update({(MO, M): M, (MO, R): MO, (MO, N): MO})
_MUL.update({(b, a): t for (a, b), t in list(_MUL.items())})
_DIV = {
    (M, M): R,
    (C, C): R,
    (M, C): M,
    (M, R): M,
    (M, N): M,
    (R, R): R,
    (R, N): R,
    (N, N): N,
    (N, R): N,
    (C, N): C,
    (C, R): C,
    (MO, MO): R,
    (MO, R): MO,
    (MO, N): MO,
    (M, MO): M,  # 年度支出 ÷ 12个月: money a month
}
_OP_TEXT = {"+": "+", "-": "−", "*": "×", "/": "÷"}


def _is_zero(e: ir.Expr) -> bool:
    return isinstance(e, ir.Num) and e.value == 0


def _count_literal(e: ir.Expr, other: Type) -> bool:
    """A plain number next to a head count is a head count: 参保人数 > 1000; next to a number
    of months it is months: 可支付月数 >= 3."""
    return isinstance(e, ir.Num) and e.kind is ir.NumKind.NUMBER and other.base in (C, MO)


def _months_of_money(e: ir.Expr, actual: Type, declared: Type, checker: Checker) -> bool:
    """Money ÷ money declared 月数: 累计结余 ÷ 月均支出 is how many months the balance lasts."""
    if declared.base is not MO or actual.base is not R or not (isinstance(e, ir.Binary) and e.op == "/"):
        return False
    left, right = checker.infer(e.left, None), checker.infer(e.right, None)
    return left is not None and right is not None and left.base is M and right.base is M


def _additive(a: Base, b: Base) -> Base | None:
    if a == b and a in (M, R, C, N, MO):
        return a
    if {a, b} == {R, N}:
        return R
    return None


def conforms(actual: Type, declared: Type, expr: ir.Expr | None = None) -> bool:
    if actual.per_region and not declared.per_region:
        return False
    if expr is not None and _is_zero(expr) and declared.numeric:
        return True
    if isinstance(expr, ir.Num) and expr.kind is ir.NumKind.NUMBER and declared.base in (C, MO):
        return True  # a head count is written as a plain number: 400万; months may be: 3
    if actual.base == declared.base:
        return actual.enum == declared.enum
    return actual.dimensionless and declared.dimensionless


class Checker:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.scope = ctx.scope
        self.out: list[Diagnostic] = []  # type errors, and warnings
        # What a match leaves uncovered: an error of the policy's consistency, not of its types.
        self.coverage: list[Diagnostic] = []
        self.pending: set[str] = set()
        self.memo: dict[int, Type | None] = {}  # each expression's type as inferred, for the entity join

    # ---- declarations

    def type_ref(self, t: ir.TypeRef) -> Type | None:
        kind = t.entity.text if t.entity is not None and t.entity.text in self.scope.entities else None
        if t.name.text in BUILTIN_TYPES:
            return Type(BUILTIN_TYPES[t.name.text], t.per_region).per(kind)
        if t.name.text in self.scope.enums:
            return Type(Base.ENUM, t.per_region, t.name.text).per(kind)
        return None  # reported by resolve

    def decl_type(self, name: str) -> Type | None:
        if name in self.ctx.types:
            return self.ctx.types[name]
        if name in self.pending or name not in self.scope.values:
            return None  # a cycle (reported by the cycles pass) or undefined
        self.pending.add(name)
        t = self._decl_type(self.scope.values[name])
        self.pending.discard(name)
        if t is None:
            self.ctx.broken.add(name)
        else:
            self.ctx.types[name] = t
        return t

    def _decl_type(self, d: ValueDecl) -> Type | None:
        if isinstance(d, (ir.ParamDecl, ir.InputDecl)):
            return self.type_ref(d.type)
        if isinstance(d, ir.LetDecl):
            actual = self.infer(d.expr, None)
            if d.type is None:
                return actual
            declared = self.type_ref(d.type)
            if declared and actual:
                if _months_of_money(d.expr, actual, declared, self):
                    actual = Type(MO, actual.per_region)  # still E303 when it varies by region
                self.expect(d.expr, actual, declared)
            return declared
        return self.rule_type(d)

    def rule_type(self, r: ir.Rule) -> Type | None:
        amount = self.infer(r.amount, r)
        if amount is None:
            return None
        kind = rule_entity(self.scope, r)
        if kind is not None:
            return MONEY.per(kind)  # each entity pays, or is paid, its own amount
        if r.kind in (ir.RuleKind.ALLOCATE, ir.RuleKind.PAY):
            return MONEY.regional()
        if r.fund is not None and self.scope.funds[r.fund.text].per_region:
            return MONEY.regional()  # every region's own account moves its own amount
        if any(self._per_region_party(ref) for ref in (r.source, r.dest)):
            return MONEY.regional()  # 自/至 各地区 (or a per-region party): one transfer per region
        if r.kind is ir.RuleKind.COLLECT and (r.source is None or r.source.each_region):
            return MONEY.regional()
        if r.kind is ir.RuleKind.RETAIN:
            return MONEY
        return amount

    def _per_region_party(self, ref: ir.PartyRef | None) -> bool:
        if ref is None:
            return False
        if ref.name is None:
            return True
        decl = self.scope.parties.get(ref.name.text)
        return decl is not None and decl.per_region

    # ---- expressions

    def expect(self, e: ir.Expr, actual: Type, declared: Type) -> None:
        if actual.entity is not None and not self.scope.lifts(dim(declared), actual.entity):
            want = dim(declared)
            hint = note("aggregate-entity", group=want) if want is not None else note("aggregate-entity-all")
            self.out.append(
                diag("E310", e.span, hint=hint, want=_dim_text(want), what=_expr_text(e), kind=actual.entity)
            )
            return
        if conforms(actual, declared, e):
            return
        if actual.per_region and not declared.per_region and actual.scalar() == declared:
            self.out.append(diag("E303", e.span, what=_expr_text(e)))
        else:
            zero = note("zero-literal") if declared.base is M and _is_zero(e) else None
            self.out.append(diag("E302", e.span, hint=zero, expected=type_text(declared), got=type_text(actual)))

    def expect_type(
        self, e: ir.Expr | None, rule: ir.Rule | None, want: Type, scalar: bool = False, entity: str | None = None
    ) -> Type | None:
        """Check e against want; per-region values are accepted unless scalar is asked for, and
        values per entity of `entity` (or a kind it is linked to) where it is given."""
        if e is None:
            return None
        t = self.infer(e, rule)
        if t is not None:
            shaped = want.regional(t.per_region and not scalar)
            self.expect(e, t, shaped.per(entity) if shaped.per_region else shaped)
        return t

    def infer(self, e: ir.Expr, rule: ir.Rule | None) -> Type | None:
        """The type of e; a value per entity where any operand is one (the finest of them)."""
        t = self._joined(e, self._infer(e, rule))
        self.memo[id(e)] = t
        return t

    def _joined(self, e: ir.Expr, t: Type | None) -> Type | None:
        if t is None or not t.per_region or isinstance(e, ir.Name) or _sets_own_dim(e):
            return t
        kind: str | None = None
        for c in children(e):
            ct = self.memo.get(id(c))
            if ct is None or ct.entity is None or ct.entity == kind:
                continue
            if kind is None or self.scope.lifts(ct.entity, kind):
                kind = ct.entity
            elif not self.scope.lifts(kind, ct.entity):
                self.out.append(
                    diag(
                        "E311",
                        c.span,
                        hint=note("aggregate-entity", group="地区"),
                        a=kind,
                        b=ct.entity,
                    )
                )
                return None
        return t.per(kind)

    def _infer(self, e: ir.Expr, rule: ir.Rule | None) -> Type | None:
        match e:
            case ir.Num(kind=kind):
                return {ir.NumKind.MONEY: MONEY, ir.NumKind.PERCENT: RATIO, ir.NumKind.MONTHS: MONTHS}.get(kind, NUMBER)
            case ir.BoolLit():
                return BOOL
            case ir.FundAll() | ir.FundRemaining():
                return MONEY
            case ir.Name(name=n):
                if n in self.scope.values:
                    return self.decl_type(n)
                owners = self.scope.enum_of_member(n)
                if len(owners) > 1:
                    enums = "、".join(o.name.text for o in owners)
                    self.out.append(diag("E206", e.span, hint=note("compare-to-member", name=n), name=n, enums=enums))
                return Type(Base.ENUM, False, owners[0].name.text) if len(owners) == 1 else None
            case ir.Binary():
                return self.binary(e, rule)
            case ir.Neg(operand=a):
                t = self.infer(a, rule)
                if t is not None and not t.numeric:
                    self.out.append(diag("E302", a.span, expected=_NUMERIC, got=type_text(t)))
                    return None
                return t
            case ir.Compare():
                return self.compare(e, rule)
            case ir.MemberOf(operand=a, members=members):
                t = self.infer(a, rule)
                if t is None:
                    return None
                if t.base is not Base.ENUM or t.enum is None:
                    self.out.append(diag("E302", a.span, expected=_ENUM, got=type_text(t)))
                    return None
                self.members_in(members, t.enum)
                return BOOL.regional(t.per_region)
            case ir.Logical(operands=ops):
                per = False
                for op in ops:
                    t = self.infer(op, rule)
                    if t is not None:
                        self.expect(op, t, BOOL.regional(t.per_region).per(t.entity))
                        per |= t.per_region
                return BOOL.regional(per)
            case ir.If(cond=c, then=a, else_=b):
                tc = self.infer(c, rule)
                if tc is not None:
                    self.expect(c, tc, BOOL.regional(tc.per_region).per(tc.entity))
                joined = self.join([a, b], rule)
                return joined.regional(joined.per_region or bool(tc and tc.per_region)) if joined else None
            case ir.Match():
                return self.match(e, rule)
            case ir.Bands():
                return self.bands(e, rule)
            case ir.Call():
                return self.call(e, rule)
        raise AssertionError(e)

    def join(self, exprs: list[ir.Expr], rule: ir.Rule | None) -> Type | None:
        """The common type of alternatives (branches, arms, bands, max/min arguments)."""
        typed = [(x, self.infer(x, rule)) for x in exprs]
        known = [(x, t) for x, t in typed if t is not None]
        if len(known) < len(typed):
            return None
        per = any(t.per_region for _, t in known)
        anchors = [t for x, t in known if not _is_zero(x)] or [t for _, t in known]
        result = anchors[0].scalar()
        for x, t in known:
            if _is_zero(x) and result.numeric:
                continue
            if t.scalar() == result:
                continue
            if t.dimensionless and result.dimensionless:
                result = RATIO if R in (t.base, result.base) else result
                continue
            self.out.append(diag("E302", x.span, expected=type_text(result), got=type_text(t.scalar())))
            return None
        return result.regional(per)

    def binary(self, e: ir.Binary, rule: ir.Rule | None) -> Type | None:
        lt, rt = self.infer(e.left, rule), self.infer(e.right, rule)
        if lt is None or rt is None:
            return None
        per = lt.per_region or rt.per_region
        base: Base | None
        if e.op in "+-":
            if _is_zero(e.left) and rt.numeric:
                base = rt.base
            elif _is_zero(e.right) and lt.numeric:
                base = lt.base
            elif _count_literal(e.left, rt) or _count_literal(e.right, lt):
                base = C
            else:
                base = _additive(lt.base, rt.base)
        else:
            base = (_MUL if e.op == "*" else _DIV).get((lt.base, rt.base))
        if base is None:
            self.out.append(
                diag(
                    "E301",
                    e.span,
                    hint=note("units-rule"),
                    op=_OP_TEXT[e.op],
                    left=type_text(lt.scalar()),
                    right=type_text(rt.scalar()),
                )
            )
            return None
        return Type(base, per)

    def compare(self, e: ir.Compare, rule: ir.Rule | None) -> Type | None:
        if _bare_member(e.left, self) and not _bare_member(e.right, self):
            e = ir.Compare(e.op, e.right, e.left, e.span)  # 正常 = 缺口原因 reads as 缺口原因 = 正常
        lt = self.infer(e.left, rule)
        if (
            lt is not None
            and lt.base is Base.ENUM
            and isinstance(e.right, ir.Name)
            and e.right.name not in self.scope.values
        ):
            assert lt.enum is not None
            self.members_in((ir.Ident(e.right.name, e.right.span),), lt.enum)
            return BOOL.regional(lt.per_region)
        if (
            isinstance(e.right, ir.Name)
            and e.right.name not in self.scope.values
            and not self.scope.enum_of_member(e.right.name)
        ):
            # Deferred by resolve: not a member of the left side's enumeration, nor anything else.
            members = [m.text for en in self.scope.enums.values() for m in en.members]
            self.out.append(undefined("value", e.right.name, e.right.span, [*self.scope.values, *members]))
            return None
        rt = self.infer(e.right, rule)
        if lt is None or rt is None:
            return None
        per = lt.per_region or rt.per_region
        literal = _is_zero(e.left) or _is_zero(e.right) or _count_literal(e.left, rt) or _count_literal(e.right, lt)
        ok = (lt.numeric and rt.numeric and (_additive(lt.base, rt.base) or literal)) or (
            lt.scalar() == rt.scalar() and (e.op in ("=", "!=") or lt.base is Base.DATE)
        )
        if not ok:
            self.out.append(diag("E301", e.span, op=e.op, left=type_text(lt.scalar()), right=type_text(rt.scalar())))
            return None
        return BOOL.regional(per)

    def members_in(self, members: tuple[ir.Ident, ...], enum: str) -> None:
        valid = {m.text for m in self.scope.enums[enum].members}
        for m in members:
            if m.text not in valid:
                s = suggest(m.text, valid)
                self.out.append(
                    diag("E304", m.span, hint=note("did-you-mean", suggestion=s) if s else None, name=m.text, enum=enum)
                )

    def match(self, e: ir.Match, rule: ir.Rule | None) -> Type | None:
        st = self.infer(e.subject, rule)
        if st is None:
            return None
        if st.base is not Base.ENUM or st.enum is None:
            self.out.append(diag("E302", e.subject.span, expected=_ENUM, got=type_text(st)))
            return None
        all_members = [m.text for m in self.scope.enums[st.enum].members]
        covered: set[str] = set()
        otherwise = False
        for arm in e.arms:
            if otherwise:
                self.out.append(diag("W504", arm.span))
                continue
            if arm.patterns is None:
                otherwise = True
                if covered >= set(all_members):
                    self.out.append(diag("W504", arm.span))
                continue
            self.members_in(arm.patterns, st.enum)
            names = {p.text for p in arm.patterns}
            if names and names <= covered:
                self.out.append(diag("W504", arm.span))
            covered |= names
        missing = [m for m in all_members if m not in covered]
        if missing and not otherwise:
            self.coverage.append(diag("E410", e.span, hint=note("add-other"), enum=st.enum, missing="、".join(missing)))
        body = self.join([a.body for a in e.arms], rule)
        return body.regional(body.per_region or st.per_region) if body else None

    def bands(self, e: ir.Bands, rule: ir.Rule | None) -> Type | None:
        st = self.infer(e.subject, rule)
        if st is None:
            return None
        if not st.numeric:
            self.out.append(diag("E302", e.subject.span, expected=_NUMERIC, got=type_text(st)))
            return None
        for b in e.bands:
            for edge in (b.lower, b.upper):
                if edge is not None:
                    et = self.infer(edge, rule)
                    if et is not None:
                        self.expect(edge, et, Type(st.base, et.per_region).per(et.entity) if not _is_zero(edge) else et)
        values = self.join([b.value for b in e.bands], rule)
        if values is None:
            return None
        per = values.per_region or st.per_region
        if e.progressive:
            # Each band's rate applies to the part of the subject inside it.
            base = _MUL.get((st.base, values.base))
            if base is None:
                self.out.append(
                    diag("E301", e.span, op="×", left=type_text(st.scalar()), right=type_text(values.scalar()))
                )
                return None
            return Type(base, per)
        return values.regional(per)

    def call(self, e: ir.Call, rule: ir.Rule | None) -> Type | None:
        fn = functions.lookup(e.func.text)
        if fn is None or len(e.args) < fn.min_args or (fn.max_args is not None and len(e.args) > fn.max_args):
            return None  # reported by resolve
        if fn.id == "balance":
            arg = e.args[0]
            fund = self.scope.funds.get(arg.name) if isinstance(arg, ir.Name) else None
            return MONEY.regional(bool(fund and fund.per_region))
        if fn.id in ("max", "min", "clamp"):
            return self.join(list(e.args), rule)
        t = self.infer(e.args[0], rule)
        if t is None:
            return None
        if t.entity is not None or e.group is not None or e.where is not None:
            return self.entity_aggregate(e, fn.id, t, rule)
        if fn.id == "count":
            self.expect(e.args[0], t, BOOL.regional(True))
            return Type(C)
        if not t.numeric:
            self.out.append(diag("E302", e.args[0].span, expected=_NUMERIC, got=type_text(t)))
            return None
        if not t.per_region:
            self.out.append(diag("E302", e.args[0].span, expected=PER_REGION_TEXT, got=type_text(t)))
            return None
        if fn.id == "share":
            return RATIO.regional()
        return t.scalar()

    def entity_aggregate(self, e: ir.Call, fn: str, t: Type, rule: ir.Rule | None) -> Type | None:
        """合计/平均/计数 of values per entity: by a coarser dimension, over those where 当 holds."""
        kind = t.entity
        if kind is None or fn == "share":
            self.out.append(diag("E313", e.span))
            return None
        group = e.group.text if e.group is not None else None
        if e.group is not None and not self.scope.lifts(kind, group):
            links = "".join(f"、{k}" for k in self.scope.links(kind))
            hint = note("entity-groups", links=links)
            self.out.append(diag("E312", e.group.span, hint=hint, kind=kind, group=e.group.text))
            return None
        if e.where is not None:
            self.expect_type(e.where, rule, BOOL, entity=kind)
        if fn == "count":
            self.expect(e.args[0], t, BOOL.per(kind))
            base = Type(C)
        elif not t.numeric:
            self.out.append(diag("E302", e.args[0].span, expected=_NUMERIC, got=type_text(t)))
            return None
        else:
            base = t.scalar()
        if group == REGION:
            return base.regional()
        return base.per(group)


def _sets_own_dim(e: ir.Expr) -> bool:
    """An aggregate, 占比 or 余额 says what it varies over; other calls vary as their arguments."""
    if not isinstance(e, ir.Call):
        return False
    fn = functions.lookup(e.func.text)
    return fn is None or fn.aggregate or fn.id in ("share", "balance")


def rule_entity(scope: Scope, r: ir.Rule) -> str | None:
    """The kind of entity a rule pays or is paid by, one by one (自 各参保人员, 至 各定点医疗机构)."""
    return scope.each_entity(r.source) or scope.each_entity(r.dest)


def _dim_text(d: str | None) -> Text:
    if d is None:
        return Text("全局值", "a single value")
    if d == REGION:
        return Text("按地区取值的值", "a value per region")
    return Text(f"按“{d}”取值的值", f"a value per ‘{d}’")


def _bare_member(e: ir.Expr, checker: Checker) -> bool:
    return isinstance(e, ir.Name) and e.name not in checker.scope.values


def type_text(t: Type) -> Text:
    return Text(t.describe("zh"), t.describe("en"))


def _expr_text(e: ir.Expr) -> Text:
    if isinstance(e, ir.Name):
        return Text(f"“{e.name}”", f"‘{e.name}’")
    return Text("这个表达式", "this expression")


_NUMERIC = Text("数值(金额、比例、人数或数值)", "a number (money, ratio, count or number)")
_ENUM = Text("枚举值", "an enumeration value")
_ORDERED = Text("可比较大小的数值(金额、比例、人数、数值)", "a value with an order (money, ratio, count or number)")
PER_REGION_TEXT = Text("按地区取值的数", "a per-region number")


def check(ctx: Context) -> list[Diagnostic]:
    checker = Checker(ctx)
    for name in ctx.scope.values:
        checker.decl_type(name)
    for _module, d in ctx.program.all_decls():
        match d:
            case ir.ParamDecl():
                declared = checker.type_ref(d.type)
                if declared is not None and declared.base in (Base.ENUM, Base.BOOL, Base.TEXT) and d.bounds:
                    # Only what has an order can be bounded: 不低于 按全额 means nothing.
                    for b in d.bounds:
                        checker.out.append(
                            diag("E302", b.span, hint=note("bound-on-enum"), expected=_ORDERED, got=type_text(declared))
                        )
                if declared is not None:
                    ordered = declared.base not in (Base.ENUM, Base.BOOL, Base.TEXT)
                    for e in (d.value, *(b.expr for b in d.bounds if ordered)):
                        checker.expect_type(e, None, declared, scalar=not declared.per_region)
            case ir.InputDecl(default=default) if default is not None:
                declared = checker.type_ref(d.type)
                if declared is not None:
                    checker.expect_type(default, None, declared.scalar(), scalar=True)
            case ir.Example():
                _example(checker, d)
    for r in ctx.scope.rules:
        _rule(checker, r)
    for c in ctx.scope.constraints:  # like a 当 condition; a per-region one must hold in every region
        checker.expect_type(c.cond, None, BOOL)
    return ctx.establish(Fact.TYPES_AGREE, checker.out) + checker.coverage


def rule_type(ctx: Context, r: ir.Rule) -> Type | None:
    """The type of what a rule moves, `r` itself (not whatever holds its name when two
    declarations share it). Errors on the way are the type pass's to report."""
    return Checker(ctx).rule_type(r)


# Rules that may have each entity of a kind as payer (自) or payee (至).
_ENTITY_PAYS = (ir.RuleKind.COLLECT, ir.RuleKind.TRANSFER)
_ENTITY_PAID = (ir.RuleKind.PAY, ir.RuleKind.ALLOCATE, ir.RuleKind.TRANSFER)


def _entity_parties(checker: Checker, r: ir.Rule) -> str | None:
    """The rule's entity kind, after reporting each-entity parties where the rule cannot have one."""
    scope = checker.scope
    rule_word = Text(*r.kind.words)
    bad = [p for s in r.shares if (p := s.party) and scope.each_entity(p)]
    bad += [p.party for t in r.tiers for p in t.payers if scope.each_entity(p.party)]
    if r.source is not None and scope.each_entity(r.source) and r.kind not in _ENTITY_PAYS:
        bad.append(r.source)
    if r.dest is not None and scope.each_entity(r.dest) and r.kind not in _ENTITY_PAID:
        bad.append(r.dest)
    if r.dest is not None and scope.each_entity(r.source) and scope.each_entity(r.dest):
        bad.append(r.dest)
    for p in bad:
        kind = scope.each_entity(p)
        checker.out.append(diag("E314", p.span, hint=note("entity-rules"), rule=rule_word, kind=kind))
    # Even where E314 is reported, the amount is read as the drafter meant it, per entity: one
    # message for one mistake, not an E310 on the amount as well.
    return rule_entity(scope, r)


def _unresolved_party(scope: Scope, r: ir.Rule) -> bool:
    refs = [r.source, r.dest, *(s.party for s in r.shares), *(p.party for t in r.tiers for p in t.payers)]
    return any(
        ref is not None and ref.name is not None and ref.name.text not in scope.parties and not scope.each_entity(ref)
        for ref in refs
    )


def _rule(checker: Checker, r: ir.Rule) -> None:
    """The units of each part of a rule (its shape is the rule-shape pass's)."""
    kind = _entity_parties(checker, r)
    if kind is None and _unresolved_party(checker.scope, r):
        # A misspelt payer or payee (E201): what it stands for is unknown, so the amount's
        # shape is taken as written rather than reported a second time as E310.
        amount = checker.infer(r.amount, r)
        kind = amount.entity if amount is not None else None
    scalar_amount = r.kind in (ir.RuleKind.ALLOCATE, ir.RuleKind.RETAIN)
    checker.expect_type(r.amount, r, MONEY, scalar=scalar_amount, entity=kind)
    checker.expect_type(r.cond, r, BOOL, entity=kind)
    checker.expect_type(r.cap, r, MONEY, entity=kind)
    checker.expect_type(r.cumulative_cap, r, MONEY, scalar=True)
    for x in r.exceptions:
        checker.expect_type(x.cond, r, BOOL, entity=kind)
        checker.expect_type(x.value, r, MONEY, entity=kind)
    for w in r.weights:
        _factor(checker, w.factor, r, kind)
        checker.expect_type(w.weight, r, RATIO, scalar=True)
    if r.single_weight is not None:
        _factor(checker, r.single_weight, r, kind)
    # A share may vary by region (如果 达标 则 40% 否则 100%) where the rule runs region by region:
    # each region splits its own amount by its own shares; under a 合计上限 they are one set.
    moved = checker.rule_type(r)
    regional = moved is not None and moved.per_region and moved.entity is None
    for s in r.shares:
        _share(checker, s.ratio, r, None if regional else "share-global-split")
    for tier in r.tiers:
        why = "share-global-split" if not regional else "share-global-total" if tier.total_cap else None
        for p in tier.payers:
            _share(checker, p.share, r, why)
        checker.expect_type(tier.cap, r, MONEY)
        checker.expect_type(tier.total_cap, r, MONEY, scalar=True)


def _share(checker: Checker, e: ir.Expr | None, r: ir.Rule, global_why: str | None) -> None:
    """A share: a ratio, per region unless `global_why` (a note) says why it must be one value."""
    if e is None:
        return
    t = checker.infer(e, r)
    if t is None:
        return
    if t.per_region and t.entity is None and global_why is not None and t.scalar() == RATIO:
        checker.out.append(diag("E303", e.span, hint=note(global_why), what=_expr_text(e)))
        return
    checker.expect_type(e, r, RATIO, scalar=global_why is not None)


def _factor(checker: Checker, e: ir.Expr, r: ir.Rule, kind: str | None) -> None:
    """An allocation's factor: a number per region (per entity, allocating to each entity)."""
    t = checker.infer(e, r)
    if t is None:
        return
    if not t.numeric:
        checker.expect(e, t, Type(Base.NUMBER, True).per(kind))
    elif t.entity is not None and t.entity != kind:
        checker.expect(e, t, Type(t.base, True).per(kind))
    elif not t.per_region:
        checker.out.append(diag("E302", e.span, expected=PER_REGION_TEXT, got=type_text(t)))


def _example(checker: Checker, ex: ir.Example) -> None:
    for case in (*([ex.shared] if ex.shared else []), *ex.periods):
        for b in (*case.given, *case.expect, *case.opening):
            fund = b.name.text in checker.scope.funds
            declared = MONEY if fund else checker.ctx.types.get(b.name.text)
            if declared is None:
                continue
            exprs = [b.value.scalar] if b.value.scalar is not None else [rv.value for rv in b.value.regions]
            for e in exprs:
                if e is not None:
                    checker.expect_type(e, None, declared.scalar(), scalar=True)
