"""Time within a period, lowered before the checks to what every engine already settles.

A value written `每月` (`每季度`) has one value per month (quarter) of the period; a rule
written `按月` (`按季度`) settles once per month, each time with that month's values. Like
per-scheme funds (compiler/schemes.py), this becomes an ordinary program: each such
declaration, and every value or constraint that reads one, is copied once per month and
named `名称(3月)` (`名称(第2季度)`). In a month's copy

- a monthly name means that month's copy, and 月份 the months of the period elapsed at its
  end (3 in March; 6 in the second quarter);
- `累计(x)` is x from the first month to this one, `此前(x)` up to the month before (0 in
  the first): `取小(累计(费用), 预算 × 月份 ÷ 12) − 此前(预结算)` caps what has been paid so
  far, month by month (据实封顶);
- `合计(x 近12个月)` (滚动12个月) reaches into the year before: input x's copies there are
  the implicit inputs `x(12月)(前1年)`, which a scenario's history gives (or pool simulate
  carries).

`合计(x 全年)` and `平均(x 全年)` total the months anywhere, so a yearly rule reads the
year. A yearly rule that reads a monthly value directly is an error (E465): it must say
按月, or total the months. The copies of consecutive monthly rules settle month by month
(all of January's, then February's), each copy falls due at its month's end (the plan's
`due_month`), and a 挂账 copy asks again for what the month before left unpaid (the plan's
`claim`, the rule as written). Each copy records what it was copied from (`SubCopy`).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

import attrs

from compiler import years
from compiler.diagnostics import Diagnostic, diag
from compiler.ir import functions
from compiler.ir import nodes as ir
from compiler.ir.history import history_name, parse_history
from compiler.ir.subperiods import MONTH_NUMBER, UNITS, label, parse_label, sub_name
from compiler.ir.walk import children, decl_exprs, map_decls, walk
from compiler.messages import Text
from compiler.source import Span

__all__ = ["lower"]

TO_DATE, BEFORE = "to_date", "before"  # 累计: from the first month to this one; 此前: to the month before
_Named = ir.ParamDecl | ir.InputDecl | ir.LetDecl | ir.Rule
_Copyable = ir.ParamDecl | ir.InputDecl | ir.LetDecl | ir.Rule | ir.Constraint


def written_per_sub(program: ir.Program) -> bool:
    return any(_declared(d) is not None for _, d in _flat(program))


def _flat(program: ir.Program) -> list[tuple[ir.Module, ir.Decl]]:
    out: list[tuple[ir.Module, ir.Decl]] = []
    for m, d in program.all_decls():
        out.append((m, d))
        if isinstance(d, ir.FundDecl):
            out += [(m, r) for r in d.rules]
    return out


def _declared(d: ir.Decl) -> str | None:
    match d:
        case ir.InputDecl() | ir.ParamDecl():
            return d.type.sub
        case ir.LetDecl():
            return d.type.sub if d.type is not None else None
        case ir.Rule():
            return d.sub.unit if d.sub is not None else None
    return None


def _is_time_call(e: ir.Expr) -> bool:
    return isinstance(e, ir.Call) and (
        _fn(e.func.text) in (TO_DATE, BEFORE) or (e.window is not None and e.window.unit in ("月", "全年"))
    )


class _Lowering:
    def __init__(self, program: ir.Program) -> None:
        self.diags: list[Diagnostic] = []
        flat = [d for _, d in _flat(program)]
        self.named: dict[str, _Named] = {d.name.text: d for d in flat if isinstance(d, _Named)}
        self.unit: dict[str, str] = {}  # every name with one copy per month (quarter): its unit
        self.constraints: dict[int, str] = {}  # id of a constraint copied per month → unit
        self.unsettled: set[str] = set()  # yearly rules reading monthly values (E465): left as written
        self.added: dict[str, ir.InputDecl] = {}  # history inputs 近12个月 reaches back to
        for d in flat:
            if isinstance(d, _Named) and (u := _declared(d)) is not None:
                self.unit[d.name.text] = u
        # A value that reads a monthly one is monthly; a rule must say so (E465, below).
        changed = True
        while changed:
            changed = False
            for d in flat:
                if isinstance(d, ir.LetDecl) and d.name.text not in self.unit:
                    u = self.reads(d)
                    if u is not None:
                        self.unit[d.name.text] = u
                        changed = True
        for d in flat:
            if isinstance(d, ir.Constraint) and (u := self.reads(d)) is not None:
                self.constraints[id(d)] = u
            elif isinstance(d, ir.Rule):
                self.check_rule(d)

    # ---- which declarations are monthly

    def reads(self, d: ir.Decl) -> str | None:
        """The unit a declaration is settled in because of what it reads, if any."""
        units, span = self.units(d)
        if len(units) > 1:
            self.diags.append(diag("E469", span or d.span))
        return min(units) if units else None

    def units(self, d: ir.Decl) -> tuple[set[str], Span | None]:
        """The units of the monthly (quarterly) values a declaration reads; 月份, 累计 or a
        window of months with nothing monthly read is a month's."""
        found: set[str] = set()
        where: list[Span] = []
        words = False

        def visit(e: ir.Expr) -> None:
            nonlocal words
            if _is_time_call(e):
                assert isinstance(e, ir.Call)
                arg = e.args[0] if e.args else None
                if e.window is None or e.window.unit != "全年":  # a year's total is the year's
                    where.append(e.span)
                    if isinstance(arg, ir.Name) and arg.name in self.unit:
                        found.add(self.unit[arg.name])
                    else:
                        words = True
                for x in e.args[1:]:
                    visit(x)
                return
            if isinstance(e, ir.Name) and e.name in self.unit:
                found.add(self.unit[e.name])
                where.append(e.span)
            elif isinstance(e, ir.Name) and self.month_word(e.name):
                words = True
                where.append(e.span)
            for child in children(e):
                visit(child)

        for top in decl_exprs(d):
            visit(top)
        if not found and words:
            found.add("月")
        return found, where[0] if where else None

    def _names(self, d: ir.Decl) -> set[str]:
        return {e.name for top in decl_exprs(d) for e in walk(top) if isinstance(e, ir.Name)}

    def month_word(self, name: str) -> bool:
        return name == MONTH_NUMBER and name not in self.named

    def check_rule(self, r: ir.Rule) -> None:
        written = r.sub.unit if r.sub is not None else None
        units, span = self.units(r)
        read = min(units) if len(units) == 1 else None
        if len(units) > 1:
            self.diags.append(diag("E469", span or r.span))
        elif written is None and read is not None:
            monthly = next((n for n in sorted(self._names(r)) if n in self.unit), MONTH_NUMBER)
            self.diags.append(diag("E465", span or r.span, rule=r.name.text, name=monthly, unit=_said(read)))
            self.unsettled.add(r.name.text)
        elif written is not None and read is None:
            assert r.sub is not None
            self.diags.append(diag("E466", r.sub.span, rule=r.name.text, unit=_said(written)))
        elif written is not None and read is not None and read != written:
            self.diags.append(diag("E469", span or r.span))
        if written is not None and r.shortfall is not None and r.shortfall.kind is ir.ShortfallKind.CLAIM:
            own = next((c for c in _calls_of(r, r.name.text) if _fn(c.func.text) in (TO_DATE, BEFORE)), None)
            if own is not None:
                self.diags.append(diag("E471", own.span, rule=r.name.text))
        if written is not None and r.instalments is not None:
            self.diags.append(diag("E472", r.instalments.span, unit=_said(written)))

    # ---- rewriting one copy

    def rewrite(self, unit: str | None, index: int) -> Callable[[ir.Expr], ir.Expr]:
        """Pass 1: the time words (累计, 此前, windows) into sums of copies, their argument as written."""

        def f(e: ir.Expr) -> ir.Expr:
            if not _is_time_call(e):
                return e
            assert isinstance(e, ir.Call)
            return self.time_call(e, unit, index)

        return f

    def names(self, unit: str, index: int) -> Callable[[ir.Expr], ir.Expr]:
        """Pass 2: every monthly name into this month's copy, 月份 into its number."""
        months = UNITS[unit]

        def f(e: ir.Expr) -> ir.Expr:
            if isinstance(e, ir.Name) and e.name in self.unit:
                return ir.Name(sub_name(e.name, label(unit, index)), e.span)
            if isinstance(e, ir.Name) and self.month_word(e.name):
                n = index * 12 // months
                return ir.Num(Decimal(n), ir.NumKind.NUMBER, str(n), e.span)
            return e

        return f

    def time_call(self, e: ir.Call, unit: str | None, index: int) -> ir.Expr:
        arg = e.args[0] if len(e.args) == 1 else None
        fn = functions.lookup(e.func.text)
        what = e.func.text if e.window is None else f"{e.func.text}(… {_window_text(e.window)})"
        if not isinstance(arg, ir.Name) or arg.name not in self.unit:
            self.diags.append(diag("E468", e.span, what=what))
            return e
        own = self.unit[arg.name]
        n = UNITS[own]
        whole = e.window is not None and e.window.unit == "全年"
        if not whole and unit is None:
            self.diags.append(diag("E467", e.span, what=what))
            return e
        if e.window is not None and (fn is None or fn.id not in ("sum", "mean")):
            self.diags.append(diag("E468", e.span, what=what))
            return e
        if whole:
            picks = list(range(1, n + 1))
        elif _fn(e.func.text) == TO_DATE:
            picks = list(range(1, index + 1))
        elif _fn(e.func.text) == BEFORE:
            picks = list(range(1, index))
        else:
            assert e.window is not None
            count = e.window.years
            last = index if e.window.current else index - 1
            picks = list(range(last - count + 1, last + 1))
        terms: list[ir.Expr] = []
        for i in picks:
            if i >= 1:
                terms.append(ir.Name(sub_name(arg.name, label(own, i)), e.span))
                continue
            back, month = (1 - i) // n + 1, (i - 1) % n + 1  # the year before: 0 → 12月, −1 → 11月
            base = sub_name(arg.name, label(own, month))
            decl = self.named.get(arg.name)
            if not isinstance(decl, ir.InputDecl):
                self.diags.append(diag("E468", e.span, what=what))
                return e
            like = attrs.evolve(decl, type=attrs.evolve(decl.type, sub=None), default=None, implicit=True)
            for j in range(1, n + 1):  # a year before is given whole, as a scenario's history gives it
                each = history_name(sub_name(arg.name, label(own, j)), back)
                self.added.setdefault(each, attrs.evolve(like, name=ir.Ident(each, e.span)))
            terms.append(ir.Name(history_name(base, back), e.span))
        if not terms:
            return self.zero(arg.name, e.span)
        total = terms[0]
        for t in terms[1:]:
            total = ir.Binary("+", total, t, e.span)
        if fn is not None and fn.id == "mean":
            k = len(terms)
            return ir.Binary("/", total, ir.Num(Decimal(k), ir.NumKind.NUMBER, str(k), e.span), e.span, written=e)
        return attrs.evolve(total, written=e) if isinstance(total, ir.Binary) else total

    def zero(self, name: str, span: Span) -> ir.Expr:
        """此前(x) in the first month: nothing, as money where x is money."""
        if self.money(name, set()):
            return ir.Num(Decimal(0), ir.NumKind.MONEY, "0元", span)
        return ir.Num(Decimal(0), ir.NumKind.NUMBER, "0", span)

    def money(self, name: str, seen: set[str]) -> bool:
        d = self.named.get(name)
        if d is None or name in seen:
            return False
        seen.add(name)
        if isinstance(d, ir.Rule):
            return True
        if isinstance(d, (ir.InputDecl, ir.ParamDecl)) or (isinstance(d, ir.LetDecl) and d.type is not None):
            assert d.type is not None
            return d.type.name.text == "金额"
        assert isinstance(d, ir.LetDecl)
        return any(
            (isinstance(e, ir.Num) and e.kind is ir.NumKind.MONEY)
            or (isinstance(e, ir.Name) and self.money(e.name, seen))
            for e in walk(d.expr)
        )

    # ---- copying

    def copy(self, d: ir.Decl, unit: str, index: int) -> ir.Decl:
        c = years.decl(years.decl(d, self.rewrite(unit, index)), self.names(unit, index))
        base = d.name.text if isinstance(d, _Named) else ""
        extra: dict[str, Any] = {"sub_copy": ir.SubCopy(base, unit, index)}
        if isinstance(c, _Named):
            extra["name"] = ir.Ident(sub_name(base, label(unit, index)), c.name.span)
        if isinstance(c, (ir.InputDecl, ir.ParamDecl)) or (isinstance(c, ir.LetDecl) and c.type is not None):
            assert c.type is not None
            extra["type"] = attrs.evolve(c.type, sub=None)
        if isinstance(c, ir.Rule):
            extra["sub"] = None
        return cast(ir.Decl, attrs.evolve(cast(Any, c), **extra))

    def unit_of(self, d: ir.Decl) -> str | None:
        if isinstance(d, ir.Constraint):
            return self.constraints.get(id(d))
        if isinstance(d, _Named):
            return self.unit.get(d.name.text)
        return None

    def decls(self, decls: tuple[ir.Decl, ...]) -> tuple[ir.Decl, ...]:
        """Each monthly declaration as its copies, in place; a run of consecutive monthly
        rules month by month (January's of each, then February's)."""
        out: list[ir.Decl] = []
        run: list[tuple[ir.Decl, str]] = []

        def flush() -> None:
            if not run:
                return
            most = max(UNITS[u] for _, u in run)
            for i in range(1, most + 1):
                for d, u in run:
                    if i <= UNITS[u]:
                        out.append(self.copy(d, u, i))
            run.clear()

        for d in decls:
            u = self.unit_of(d)
            if u is not None and isinstance(d, ir.Rule):
                run.append((d, u))
                continue
            flush()
            if u is not None and isinstance(d, _Copyable):
                out += [self.copy(d, u, i) for i in range(1, UNITS[u] + 1)]
            elif isinstance(d, ir.FundDecl):
                rules = tuple(r for r in self.decls(d.rules) if isinstance(r, ir.Rule))  # copies of rules
                out.append(attrs.evolve(d, rules=rules))
            elif isinstance(d, ir.Example):
                out.append(self.example(d))
            elif isinstance(d, ir.Rule) and d.name.text in self.unsettled:
                out.append(d)  # E465 says what to do; the checks do not run
            else:
                out.append(years.decl(d, self.rewrite(None, 0)))
        flush()
        return tuple(out)

    def example(self, ex: ir.Example) -> ir.Example:
        """An example gives a monthly value keyed by month, as it gives a per-region one:
        `已知 费用 = {1月: 100元, 2月: 120元, …}` is each month's copy; `已知 费用(3月) = …`
        names one."""

        def bindings(bs: tuple[ir.Binding, ...]) -> tuple[ir.Binding, ...]:
            out: list[ir.Binding] = []
            for b in bs:
                hist = parse_history(b.name.text)  # 已知 费用 前1年 = {1月: …}: the year before's months
                base, back = hist if hist is not None else (b.name.text, 0)
                unit = self.unit.get(base)
                if unit is None:
                    out.append(b)
                    continue
                keys = [parse_label(rv.region.text) for rv in b.value.regions]
                if b.value.scalar is not None or not keys or any(k is None or k[0] != unit for k in keys):
                    self.diags.append(diag("E470", b.span, name=base, unit=_said(unit), example=label(unit, 1)))
                    continue
                for rv in b.value.regions:
                    copy = sub_name(base, rv.region.text)
                    named = ir.Ident(history_name(copy, back) if back else copy, b.name.span)
                    out.append(ir.Binding(named, ir.Value(rv.value, (), rv.span), b.span, b.part))
            return tuple(out)

        def case(c: ir.PeriodCase) -> ir.PeriodCase:
            return attrs.evolve(c, given=bindings(c.given), opening=bindings(c.opening), expect=bindings(c.expect))

        shared = case(ex.shared) if ex.shared is not None else None
        return attrs.evolve(ex, shared=shared, periods=tuple(case(c) for c in ex.periods))


def _said(unit: str) -> Text:
    """月 / 季度 in a message, month / quarter in English."""
    return Text(unit, "month" if unit == "月" else "quarter")


def _fn(name: str) -> str | None:
    f = functions.lookup(name)
    return f.id if f is not None else None


def _calls_of(r: ir.Rule, name: str) -> list[ir.Call]:
    """The calls in a rule's expressions whose argument is `name`."""
    return [
        e
        for top in decl_exprs(r)
        for e in walk(top)
        if isinstance(e, ir.Call) and len(e.args) == 1 and isinstance(e.args[0], ir.Name) and e.args[0].name == name
    ]


def _window_text(w: ir.Window) -> str:
    if w.unit == "全年":
        return "全年"
    return f"{'近' if w.current else '前'}{w.years}{'个月' if w.unit == '月' else '年'}"


def lower(program: ir.Program) -> tuple[ir.Program, list[Diagnostic]]:
    """The program with every monthly declaration copied once per month (see above)."""
    exprs = [e for _, d in _flat(program) for top in decl_exprs(d) for e in walk(top)]
    uses = written_per_sub(program) or any(_is_time_call(e) for e in exprs)
    if not uses:
        return program, []
    x = _Lowering(program)

    out = map_decls(program, x.decls)
    if x.added and out.main.policy is not None:
        p = out.main.policy
        main = attrs.evolve(out.main, policy=attrs.evolve(p, decls=(*p.decls, *x.added.values())))
        out = ir.Program(main, out.modules)
    return out, x.diags
