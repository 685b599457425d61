"""Per-scheme copies (每险种, compiler/schemes.py) as an official reads the policy.

Inside a scheme's copy 险种 is that scheme, so a condition or a 匹配 on it is settled before
the copy is described: 险种 = 居民医保 is simply true in the 居民医保 copy, and a copy whose
condition is false never pays and is not described at all; 匹配 险种 {…} is the arm of the
copy's scheme. Where the copies of one written rule (or value) read alike but for the scheme,
the rule is described once, for every scheme's account separately, with what differs listed
by scheme (上解比例为职工医保90%、居民医保80%).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import attrs

from compiler.explain.phrases import Phrases
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.types import Base

T = TypeVar("T")
_OPEN, _CLOSE = "\ue000", "\ue001"  # around a mark for what differs by scheme, in a merged sentence


class Copies:
    def __init__(self, checked: CheckedPolicy) -> None:
        self.c = checked
        policy = checked.policy
        self.schemes = tuple(s.text for s in policy.header.schemes) if policy is not None else ()
        scope = checked.scope
        named: list[tuple[str, ir.SchemeCopy | None]] = [
            (n, getattr(d, "scheme_copy", None)) for n, d in scope.values.items()
        ]
        named += [(n, f.scheme_copy) for n, f in scope.funds.items()]
        named += [(r.name.text, r.scheme_copy) for r in scope.rules]
        self.copy_of = {n: sc for n, sc in named if sc is not None}
        self.funds = {n for n, f in scope.funds.items() if f.scheme_copy is not None}

    def literal(self, e: ir.Expr) -> str | None:
        """The scheme a copy's 险种 became (compiler/schemes.py writes it as a name)."""
        if isinstance(e, ir.Name) and e.name in self.schemes and e.name not in self.c.scope.values:
            return e.name
        return None

    def siblings(self, name: str) -> dict[str, str]:
        """Scheme → the copy's name, for every copy of the value `name` is a copy of."""
        sc = self.copy_of.get(name)
        values = self.c.scope.values
        if sc is None or name not in values:
            return {}
        return {x.scheme: n for n, x in self.copy_of.items() if x.base == sc.base and n in values}

    # ---- settling 险种 in a copy

    def fold(self, e: T, keep_match: bool = False) -> T:
        """`e` with every test on a copy's scheme settled (see above)."""
        return _rebuild(e, lambda n: self._settle(n, keep_match))

    def _settle(self, n: object, keep_match: bool) -> object:
        match n:
            case ir.Compare(op="=" | "!=" as op, left=a, right=b) if self.literal(a) and self.literal(b):
                return ir.BoolLit((self.literal(a) == self.literal(b)) == (op == "="), n.span)
            case ir.MemberOf(operand=a, members=ms) if self.literal(a):
                return ir.BoolLit(self.literal(a) in {m.text for m in ms}, n.span)
            case ir.Logical(op="not", operands=(ir.BoolLit(value=v),)):
                return ir.BoolLit(not v, n.span)
            case ir.Logical(op="and" | "or" as op, operands=ops) if any(isinstance(o, ir.BoolLit) for o in ops):
                decisive = op == "or"  # true decides an or, false an and
                if any(isinstance(o, ir.BoolLit) and o.value is decisive for o in ops):
                    return ir.BoolLit(decisive, n.span)
                rest = tuple(o for o in ops if not isinstance(o, ir.BoolLit))
                if not rest:
                    return ir.BoolLit(not decisive, n.span)
                return rest[0] if len(rest) == 1 else attrs.evolve(n, operands=rest)
            case ir.If(cond=ir.BoolLit(value=v), then=a, else_=b):
                return a if v else b
            case ir.Match(subject=s, arms=arms) if not keep_match and self.literal(s):
                return _arm(arms, self.literal(s) or "") or n
        return n

    def rule(self, r: ir.Rule, keep_match: bool = False) -> ir.Rule | None:
        """The copy as its scheme reads it; None for one that never pays (its condition is false there)."""
        if r.scheme_copy is None:
            return r
        cond = self.fold(r.cond) if r.cond is not None else None
        if isinstance(cond, ir.BoolLit) and not cond.value:
            return None
        amount = self.fold(r.amount, keep_match)
        exceptions: list[ir.Exception_] = []
        for x in r.exceptions:
            x = attrs.evolve(x, cond=self.fold(x.cond), value=self.fold(x.value, keep_match))
            if isinstance(x.cond, ir.BoolLit) and not x.cond.value:
                continue  # an exception for another scheme
            if isinstance(x.cond, ir.BoolLit) and not exceptions:  # one that always applies in this copy
                if isinstance(x.value, ir.Num) and x.value.value == 0:
                    return None
                amount = x.value
                break
            exceptions.append(x)
        return attrs.evolve(
            r,
            cond=None if isinstance(cond, ir.BoolLit) else cond,
            amount=amount,
            cap=self.fold(r.cap, keep_match) if r.cap is not None else None,
            exceptions=tuple(exceptions),
        )

    # ---- names

    def unschemed(self, text: str, schemes: tuple[str, ...]) -> str:
        """A merged sentence names each copy by what it copies: 统筹基金, not 统筹基金(职工医保); a fund
        kept for only some of the schemes keeps their names: 统筹基金(职工医保、居民医保)."""
        partial = set(schemes) != set(self.schemes)
        for name in sorted(self.copy_of, key=len, reverse=True):
            sc = self.copy_of[name]
            base = f"{sc.base}({'、'.join(schemes)})" if partial and name in self.funds else sc.base
            text = text.replace(name, base)
        return text

    def label(self, names: list[str], zh: bool) -> list[str]:
        """统筹基金(职工医保)、统筹基金(居民医保) → 统筹基金(职工医保、居民医保): copies listed once."""
        out: list[str] = []
        joined: dict[str, int] = {}
        for n in names:
            sc = self.copy_of.get(n)
            if sc is None:
                out.append(n)
            elif sc.base in joined:
                i = joined[sc.base]
                out[i] = out[i][:-1] + ("、" if zh else ", ") + sc.scheme + ")"
            else:
                joined[sc.base] = len(out)
                out.append(n)
        return list(dict.fromkeys(out))


def _arm(arms: tuple[ir.Arm, ...], scheme: str) -> ir.Expr | None:
    for arm in arms:
        if arm.patterns is None or scheme in {p.text for p in arm.patterns}:
            return arm.body
    return None


def _rebuild(node: T, f: Callable[[object], object]) -> T:
    """`node` rebuilt bottom-up with `f` applied to every node; unchanged parts stay the same objects."""
    if isinstance(node, tuple):
        items = tuple(_rebuild(x, f) for x in node)
        return node if all(a is b for a, b in zip(items, node)) else items  # type: ignore[return-value]
    if attrs.has(type(node)) and not isinstance(node, (ir.Ident, ir.Str, ir.Num, ir.Schedule)):
        changes: dict[str, object] = {}
        for a in attrs.fields(cast(Any, type(node))):
            if a.name == "written":
                continue  # what the drafter wrote stays as written
            old = getattr(node, a.name)
            new = _rebuild(old, f)
            if new is not old:
                changes[a.name] = new
        if changes:
            node = attrs.evolve(node, **changes)  # type: ignore[misc]
    return f(node)  # type: ignore[return-value]


class MergedPhrases(Phrases):
    """Phrases for the copies of one rule told together: a copy's value that differs by scheme is
    a mark (filled in by `finish`), the same value in every copy is shown once."""

    def __init__(self, checked: CheckedPolicy, lang: str, copies: Copies) -> None:
        super().__init__(checked, lang)
        self.copies = copies
        self.marks: list[tuple[str, dict[str, str]]] = []

    def mark(self, label: str, by_scheme: dict[str, str]) -> str:
        key = (label, by_scheme)
        if key not in self.marks:
            self.marks.append(key)
        return f"{_OPEN}{self.marks.index(key)}{_CLOSE}"

    def name(self, n: str) -> str:
        siblings = self.copies.siblings(n)
        d = self.scope.values.get(n)
        if not siblings or d is None or self.fixed(ir.Name(n, d.name.span)) is None:
            return super().name(n)
        shown = {s: super(MergedPhrases, self).name(c) for s, c in siblings.items()}
        if len(set(shown.values())) == 1:
            return next(iter(shown.values()))
        return self.mark(self.copies.copy_of[n].base, shown)

    def _expr(self, e: ir.Expr) -> str:
        scheme = self.copies.literal(e.subject) if isinstance(e, ir.Match) else None
        if isinstance(e, ir.Match) and scheme is not None:
            shown = {s: self.expr(body) for s in self.copies.schemes if (body := _arm(e.arms, s)) is not None}
            if len(set(shown.values())) == 1:
                return next(iter(shown.values()))
            base = self.base(e)
            label = {Base.RATIO: ("比例", "the rate"), Base.MONEY: ("金额", "the amount")}.get(
                base or Base.NUMBER, ("标准", "the value")
            )
            return self.mark(self.t(*label), shown)
        return super()._expr(e)

    def finish(self, text: str, each: bool = True) -> str:
        """A sentence told once for every scheme: each mark as the list of what it is by scheme, and
        that every scheme's account is kept separately (按险种分别)."""
        zh = self.zh
        for i, (label, by) in enumerate(self.marks):
            m = f"{_OPEN}{i}{_CLOSE}"
            if m not in text:
                continue
            if text.strip("。.") == m:  # the whole value differs by scheme: 按险种确定
                listed = "；".join(f"{s}为{v}" for s, v in by.items())
                return self.t(
                    f"按险种确定：{listed}。", "by scheme: " + "; ".join(f"{s}: {v}" for s, v in by.items()) + "."
                )
            if zh:
                listed = "、".join(f"{s}{v}" for s, v in by.items())
                at = text.find("的" + m)
                end = at + 1 + len(m)
                if at >= 0 and (end == len(text) or text[end] in "。；，"):
                    text = f"{text[:at]}，{label}为{listed}{text[end:]}"
                else:
                    text = text.replace(m, f"{label}（{listed}）")
            else:
                text = text.replace(m, f"{label} ({'; '.join(f'{s}: {v}' for s, v in by.items())})")
        if not each:
            return text
        if zh:
            at = text.find("向")
            return text[:at] + "按险种分别" + text[at:] if at >= 0 else text[:-1] + "（按险种分别计算）。"
        first = text[:1].lower() if text[:1].isascii() else text[:1]
        return f"Scheme by scheme, {first}{text[1:]}"
