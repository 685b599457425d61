"""Lark tree → IR: the module, the policy and its declarations.

Together with `lower_expr`, the one place that knows the shape of the parse tree.
Lowering never raises on user error: bad literals become diagnostics and a
placeholder value, so checking goes on and reports everything in one run.
"""

from __future__ import annotations

from collections.abc import Callable

import lark
from lark import Token, Tree

from compiler.diagnostics import Diagnostic, diag, label
from compiler.ir import nodes as ir
from compiler.messages import Text
from compiler.parsing.lower_expr import LeafLowering, T, _trees, _trees_of
from compiler.source import SourceFile, Span


_SHORTFALL = {"s_pro_rata": ir.ShortfallKind.PRO_RATA, "s_in_order": ir.ShortfallKind.IN_ORDER, "s_claim": ir.ShortfallKind.CLAIM}


class Lowering(LeafLowering):
    """Declarations: the module, the policy and everything declared in them."""

    # ---- module and policy

    def module(self, tree: T) -> ir.Module:
        imports: list[ir.Import] = []
        decls: list[ir.Decl] = []
        policies: list[ir.Policy] = []
        for child in _trees(tree):
            if child.data == "import_decl":
                imports.append(ir.Import(self.string(child.children[0]), self.span(child)))  # type: ignore[arg-type]
            elif child.data == "policy":
                policies.append(self.policy(child))
            else:
                decls.append(self.decl(child))
        for extra in policies[1:]:
            self.diags.append(diag("E107", extra.name.span))
        return ir.Module(self.file, tuple(imports), tuple(decls), policies[0] if policies else None, self.span(tree))

    def policy(self, tree: T) -> ir.Policy:
        name = self.ident(tree.children[0])  # type: ignore[arg-type]
        basis = level = None
        eff_from = eff_to = None
        region_set = None
        schemes: tuple[ir.Ident, ...] = ()
        status = number = None
        issued: ir.DateLit | None = None
        prose: list[ir.Str] = []
        decls: list[ir.Decl] = []
        seen: dict[str, Span] = {}
        starts: list[tuple[ir.Ident, ir.DateLit]] = []
        for m in _trees(tree):
            kids = m.children
            if m.data == "h_scheme_start":
                starts.append((self.ident(kids[0]), self.date(kids[1])))  # type: ignore[arg-type]
                continue
            if str(m.data).startswith("h_") and m.data != "h_prose":  # 解读 paragraphs may repeat
                if m.data in seen:  # a second 生效/层级/… would silently replace the first
                    word = self.source_text(m).split()[0]
                    self.diags.append(diag("E202", self.span(m), labels=[label(seen[m.data], "first-defined")], name=word))
                seen[str(m.data)] = self.span(m)
            if m.data == "h_basis":
                basis = self.string(kids[0])  # type: ignore[arg-type]
            elif m.data == "h_effective":
                eff_from = self.date(kids[0])  # type: ignore[arg-type]
                eff_to = self.date(kids[1]) if len(kids) > 1 else None  # type: ignore[arg-type]
            elif m.data == "h_regions":
                region_set = self.ident(kids[0])  # type: ignore[arg-type]
            elif m.data == "h_level":
                level = self.label(kids[0])  # type: ignore[arg-type]
            elif m.data == "h_schemes":
                schemes = self.names(kids[0])  # type: ignore[arg-type]
                decls += self.scheme_decls(m, schemes)
            elif m.data == "h_status":
                status = self.label(kids[0])  # type: ignore[arg-type]
            elif m.data == "h_number":
                number = self.string(kids[0])  # type: ignore[arg-type]
            elif m.data == "h_issued":
                issued = self.date(kids[0])  # type: ignore[arg-type]
            elif m.data == "h_prose":
                prose.append(self.string(kids[0]))  # type: ignore[arg-type]
            else:
                decls.append(self.decl(m))
        known = {x.text for x in schemes}
        for scheme, _ in starts:
            if scheme.text not in known:
                self.diags.append(diag("E201", scheme.span, kind=Text("险种", "scheme"), name=scheme.text))
        header = ir.Header(
            basis, eff_from, eff_to, region_set, level, schemes, self.span(tree), status, number, issued, tuple(prose), tuple(starts)
        )
        return ir.Policy(name, header, tuple(decls), self.span(tree))

    def scheme_decls(self, tree: T, schemes: tuple[ir.Ident, ...]) -> list[ir.Decl]:
        """`险种 A、B` declares the enumeration 险种 {A、B} and a global input 险种 that a
        scenario's `scheme` sets, so rules can differ by scheme (当 险种 = 职工医保)."""
        span = self.span(tree)
        word = "scheme" if self.source_text(tree).startswith("schemes") else "险种"
        name = ir.Ident(word, span)
        none = ir.Literate(None, None, span)
        return [
            ir.EnumDecl(name, schemes, none, span, implicit=True),
            ir.InputDecl(name, ir.TypeRef(name, False, span), False, None, none, span, implicit=True),
        ]

    # ---- declarations

    def decl(self, tree: T) -> ir.Decl:
        handler: Callable[[T], ir.Decl] = getattr(self, "d_" + str(tree.data))
        return handler(tree)

    def d_enum_decl(self, tree: T) -> ir.Decl:
        name, members, *metas = tree.children
        return ir.EnumDecl(self.ident(name), self.names(members), self.literate(metas, tree), self.span(tree))  # type: ignore[arg-type]

    def d_regionset_decl(self, tree: T) -> ir.Decl:
        name, members, *metas = tree.children
        return ir.RegionSetDecl(self.ident(name), self.names(members), self.literate(metas, tree), self.span(tree))  # type: ignore[arg-type]

    def type_ref(self, tree: T) -> ir.TypeRef:
        name = self.ident(tree.children[0])  # type: ignore[arg-type]
        return ir.TypeRef(name, len(tree.children) > 1, self.span(tree))

    def d_param_decl(self, tree: T) -> ir.Decl:
        name, tref, *rest = tree.children
        value: ir.Expr | None = None
        bounds: list[ir.Bound] = []
        authority: tuple[ir.Str, ...] = ()
        metas: list[T] = []
        for c in _trees_of(rest):
            if c.data == "value_given":
                value = self.expr(c.children[0])
            elif c.data in ("bound_min", "bound_max"):
                kind = ir.BoundKind.MIN if c.data == "bound_min" else ir.BoundKind.MAX
                bounds.append(ir.Bound(kind, self.expr(c.children[0]), self.span(c)))
            elif c.data == "authority":
                authority += self.owners(c.children[0])  # type: ignore[arg-type]
            elif c.data in ("m_quote", "m_section", "m_note", "m_reading"):
                metas.append(c)
        return ir.ParamDecl(
            self.ident(name), self.type_ref(tref), value, tuple(bounds), authority,  # type: ignore[arg-type]
            self.literate(metas, tree), self.span(tree),
        )  # fmt: skip

    def d_input_decl(self, tree: T) -> ir.Decl:
        name, tref, *rest = tree.children
        signed = False
        default: ir.Expr | None = None
        metas: list[T] = []
        for c in _trees_of(rest):
            if c.data == "signed":
                signed = True
            elif c.data == "default":
                default = self.expr(c.children[0])
            else:
                metas.append(c)
        return ir.InputDecl(
            self.ident(name), self.type_ref(tref), signed, default, self.literate(metas, tree), self.span(tree)  # type: ignore[arg-type]
        )

    def d_let_decl(self, tree: T) -> ir.Decl:
        kids = list(_trees_of(tree.children[1:]))
        tref = self.type_ref(kids.pop(0)) if kids[0].data == "type_ref" else None
        expr = self.expr(kids.pop(0))
        return ir.LetDecl(self.ident(tree.children[0]), tref, expr, self.literate(kids, tree), self.span(tree))  # type: ignore[arg-type]

    def d_party_decl(self, tree: T) -> ir.Decl:
        kids = list(_trees_of(tree.children[1:]))
        per_region = bool(kids) and kids[0].data == "per_region"
        metas = [k for k in kids if k.data.startswith("m_")]
        return ir.PartyDecl(self.ident(tree.children[0]), per_region, self.literate(metas, tree), self.span(tree))  # type: ignore[arg-type]

    def d_fund_decl(self, tree: T) -> ir.Decl:
        name = self.ident(tree.children[0])  # type: ignore[arg-type]
        kids = list(_trees_of(tree.children[1:]))
        carried = any(k.data == "carried" for k in kids)
        per_region = any(k.data == "per_region" for k in kids)
        metas = [k for k in kids if k.data.startswith("m_")]
        self.fund = name
        rules: list[ir.Rule] = []
        choices: list[tuple[int, ir.Choice]] = []
        try:
            for k in kids:
                if k.data == "rule":
                    rules.append(self.rule(k))
                elif k.data == "choice_decl":
                    choices.append((len(rules), self.choice(k)))
        finally:
            self.fund = None
        return ir.FundDecl(name, carried, per_region, tuple(rules), self.literate(metas, tree), self.span(tree), tuple(choices))

    def d_choice_decl(self, tree: T) -> ir.Decl:
        return self.choice(tree)

    def choice(self, tree: T) -> ir.Choice:
        name = self.ident(tree.children[0])  # type: ignore[arg-type]
        kids = list(_trees_of(tree.children[1:]))
        metas = [k for k in kids if k.data.startswith("m_")]
        default = next(k for k in kids if k.data == "choice_default")
        options = tuple(self.option(k) for k in kids if k.data == "option")
        return ir.Choice(
            name, options, self.ident(default.children[0]), self.literate(metas, tree), self.span(tree), self.fund  # type: ignore[arg-type]
        )

    def option(self, tree: T) -> ir.Option:
        name = self.ident(tree.children[0])  # type: ignore[arg-type]
        kids = list(_trees_of(tree.children[1:]))
        metas = [k for k in kids if k.data.startswith("m_")]
        decls: list[ir.ParamDecl | ir.LetDecl | ir.Rule] = []
        for k in kids:
            if k.data == "rule":
                decls.append(self.rule(k))
            elif k.data in ("param_decl", "let_decl"):
                d = self.decl(k)
                assert isinstance(d, (ir.ParamDecl, ir.LetDecl))
                decls.append(d)
        return ir.Option(name, tuple(decls), self.literate(metas, tree), self.span(tree))

    def d_rule(self, tree: T) -> ir.Decl:
        return self.rule(tree)

    def rule(self, tree: T) -> ir.Rule:
        kind_tree, name, amount, *clauses = tree.children
        assert isinstance(kind_tree, Tree)
        f: dict[str, object] = {
            "source": None, "dest": None, "single_weight": None, "cond": None, "cap": None,
            "cumulative_cap": None,
        }  # fmt: skip
        weights: list[ir.Weight] = []
        exceptions: list[ir.Exception_] = []
        shares: list[ir.Share] = []
        tiers: list[ir.Tier] = []
        metas: list[T] = []
        for c in _trees_of(clauses):
            k = c.children
            if c.data == "c_from":
                f["source"] = self.party(k[0])  # type: ignore[arg-type]
            elif c.data == "c_to":
                f["dest"] = self.party(k[0])  # type: ignore[arg-type]
            elif c.data == "c_by":
                w = k[0]
                assert isinstance(w, Tree)
                if w.data == "w_single":
                    f["single_weight"] = self.expr(w.children[0])
                else:
                    for wt in _trees(w):
                        weights.append(ir.Weight(self.expr(wt.children[0]), self.expr(wt.children[1]), self.span(wt)))
            elif c.data in ("c_when", "c_cap", "c_cumcap"):
                key = {"c_when": "cond", "c_cap": "cap", "c_cumcap": "cumulative_cap"}[str(c.data)]
                f[key] = self.expr(k[0])
            elif c.data == "c_except":
                cond, value, *em = k
                exceptions.append(
                    ir.Exception_(self.expr(cond), self.expr(value), self.literate(em, c), self.span(c))  # type: ignore[arg-type]
                )
            elif c.data == "c_shares":
                for s in _trees(c):
                    shares.append(ir.Share(self.party(s.children[0]), self.expr(s.children[1]), self.span(s)))  # type: ignore[arg-type]
            elif c.data == "c_tiers":
                tiers += [self.tier(t) for t in _trees(c)]
            elif c.data == "c_short":
                form = _trees(c)[0]
                f["shortfall"] = ir.Shortfall(_SHORTFALL[str(form.data)], self.span(c))
            else:
                metas.append(c)
        return ir.Rule(
            kind=ir.RuleKind(str(kind_tree.data)[2:]),
            name=self.ident(name),  # type: ignore[arg-type]
            amount=self.expr(amount),
            fund=self.fund,
            weights=tuple(weights),
            exceptions=tuple(exceptions),
            shares=tuple(shares),
            tiers=tuple(tiers),
            literate=self.literate(metas, tree),
            span=self.span(tree),
            **f,  # type: ignore[arg-type]
        )

    def party(self, tree: T) -> ir.PartyRef:
        if tree.data == "party_regions":
            return ir.PartyRef(None, self.span(tree))
        return ir.PartyRef(self.ident(tree.children[0]), self.span(tree))  # type: ignore[arg-type]

    def tier(self, tree: T) -> ir.Tier:
        name, *rest = tree.children
        payers: list[ir.Payer] = []
        cap: ir.Expr | None = None
        total_cap: ir.Expr | None = None
        metas: list[T] = []
        for c in _trees_of(rest):
            if c.data == "payer":
                share = self.expr(c.children[1]) if len(c.children) > 1 else None
                payers.append(ir.Payer(self.party(c.children[0]), share, self.span(c)))  # type: ignore[arg-type]
            elif c.data in ("m_quote", "m_section", "m_note", "m_reading"):
                metas.append(c)
            elif c.data == "t_total_cap":
                total_cap = self.expr(c.children[0])
            else:
                cap = self.expr(c.children[0])
        return ir.Tier(self.ident(name), tuple(payers), cap, total_cap, self.literate(metas, tree), self.span(tree))  # type: ignore[arg-type]

    # ---- examples, timeline, tasks

    def d_example_decl(self, tree: T) -> ir.Decl:
        label_tree, *items = tree.children
        top: list[T] = []
        periods: list[ir.PeriodCase] = []
        metas: list[T] = []
        for it in _trees_of(items):
            if it.data == "ex_period":
                year = it.children[0]
                periods.append(self.period_case(int(year), _trees(it), self.span(it)))  # type: ignore[arg-type]
            elif it.data == "ex_meta":
                metas.append(it.children[0])  # type: ignore[arg-type]
            else:
                top.append(it)
        regions: tuple[ir.Ident, ...] = ()
        for it in top:
            if it.data == "ex_regions":
                regions += self.names(it.children[0])  # type: ignore[arg-type]
        rest = [it for it in top if it.data != "ex_regions"]
        shared: ir.PeriodCase | None = None
        if not periods:
            periods.append(self.period_case(None, rest, self.span(tree)))
        elif rest:
            shared = self.period_case(None, rest, self.span(rest[0]).to(self.span(rest[-1])))
        return ir.Example(
            self.label(label_tree), regions, shared, tuple(periods), self.literate(metas, tree), self.span(tree)  # type: ignore[arg-type]
        )

    def period_case(self, year: int | None, stmts: list[T], span: Span) -> ir.PeriodCase:
        groups: dict[str, list[ir.Binding]] = {"ex_given": [], "ex_opening": [], "ex_expect": []}
        regions: tuple[ir.Ident, ...] = ()
        for s in stmts:
            if s.data == "ex_regions":
                regions += self.names(s.children[0])  # type: ignore[arg-type]
            elif s.data in groups:
                name, value = s.children
                groups[str(s.data)].append(ir.Binding(self.ident(name), self.value(value), self.span(s)))  # type: ignore[arg-type]
        return ir.PeriodCase(
            year, regions, tuple(groups["ex_given"]), tuple(groups["ex_opening"]), tuple(groups["ex_expect"]), span
        )

    def value(self, tree: T) -> ir.Value:
        if tree.data == "v_scalar":
            return ir.Value(self.expr(tree.children[0]), (), self.span(tree))
        rvs = tuple(
            ir.RegionValue(self.ident(rv.children[0]), self.expr(rv.children[1]), self.span(rv))  # type: ignore[arg-type]
            for rv in _trees(tree)
        )
        return ir.Value(None, rvs, self.span(tree))

    def d_timeline_decl(self, tree: T) -> ir.Decl:
        milestones = []
        for m in _trees(tree):
            date, *rest = m.children
            by = False
            text: ir.Str | None = None
            owners: tuple[ir.Str, ...] = ()
            metas: list[T] = []
            for c in rest:
                if isinstance(c, Token):
                    text = self.string(c)
                elif c.data == "by":
                    by = True
                elif c.data == "owners":
                    owners += self.owners(c.children[0])  # type: ignore[arg-type]
                else:
                    metas.append(c)
            assert text is not None
            when = self.date(date) if isinstance(date, Token) else self.recurring(date)
            milestones.append(ir.Milestone(when, by, text, owners, self.literate(metas, m), self.span(m)))
        return ir.Timeline(tuple(milestones), self.span(tree))

    def d_tasks_decl(self, tree: T) -> ir.Decl:
        label: ir.Str | None = None
        tasks = []
        for c in _trees(tree):
            if c.data in ("label_name", "label_string"):
                label = self.label(c)
                continue
            number: int | None = None
            text: ir.Str | None = None
            owners: tuple[ir.Str, ...] = ()
            deadline: ir.DateLit | None = None
            metas: list[T] = []
            for k in c.children:
                if isinstance(k, Token):
                    if k.type == "INT":
                        number = int(k)
                    else:
                        text = self.string(k)
                elif k.data == "owners":
                    owners += self.owners(k.children[0])  # type: ignore[arg-type]
                elif k.data == "deadline":
                    when = k.children[0]
                    assert isinstance(when, Tree)
                    deadline = self.date(when.children[0]) if when.data == "dl_date" else None  # type: ignore[arg-type]
                else:
                    metas.append(k)
            assert text is not None
            tasks.append(ir.Task(number, text, owners, deadline, self.literate(metas, c), self.span(c)))
        return ir.TaskTable(label, tuple(tasks), self.span(tree))

def lower(tree: lark.Tree[Token], source: SourceFile) -> tuple[ir.Module, list[Diagnostic]]:
    lowering = Lowering(source)
    module = lowering.module(tree)
    return module, lowering.diags
