"""What changed between two versions of a policy, in policy terms rather than lines.

Declarations are matched by name and compared as IR. Spans are outside IR
equality, so layout and comments never count as a change. A changed declaration
is described field by field by walking its attrs fields generically: a field the
IR gains later (a per-region fund, a tier's total cap) is compared and named
without a change here. Expressions are compared whole and shown as formulas.
Output order is declaration order (new version first, then what only the old
one had), never the order of a set, so the report is the same on every run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Literal

import attrs

from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.tools import ptext

Status = Literal["added", "removed", "changed"]

# Sections in the order a report prints them.
SECTIONS = (
    "policy",
    "param",
    "input",
    "let",
    "rule",
    "fund",
    "party",
    "enum",
    "regionset",
    "example",
    "milestone",
    "task",
)


@attrs.frozen
class Step:
    """One step of the path to a changed field: a field name, a keyed element (a tier
    by its name, a share by its party) or a position."""

    kind: Literal["field", "key", "index"]
    text: str


@attrs.frozen
class Detail:
    path: tuple[Step, ...]
    old: str | None  # as policy text; None: not there in that version
    new: str | None


@attrs.frozen
class Change:
    section: str
    name: str
    status: Status
    details: tuple[Detail, ...] = ()
    summary: str | None = None  # an added or removed declaration in one line
    quote: str | None = None  # its 原文 (the new version's, or the old one's if removed)
    open: Literal["resolved", "opened"] | None = None  # a parameter's 待定 state changed


@attrs.frozen
class PolicyDiff:
    old: str
    new: str
    changes: tuple[Change, ...]

    @property
    def identical(self) -> bool:
        return not self.changes


def _key(x: object, lang: str) -> str | None:
    """How an element of a list is recognised across versions, when it has a name."""
    if isinstance(x, ir.Band):
        return ptext.band_edges(x, lang)
    if isinstance(x, ir.Arm):
        return ptext.arm_patterns(x, lang)
    for attr in ("name", "party", "kind", "factor"):
        value = getattr(x, attr, None)
        if value is not None and attrs.has(type(x)):
            return ptext.show(value, lang)
    return None


class _Comparer:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.out: list[Detail] = []

    def whole(
        self, path: tuple[Step, ...], old: object, new: object, absent: tuple[bool, bool] = (False, False)
    ) -> None:
        self.out.append(
            Detail(
                path,
                None if absent[0] else ptext.show(old, self.lang),
                None if absent[1] else ptext.show(new, self.lang),
            )
        )

    def compare(self, old: object, new: object, path: tuple[Step, ...] = (), skip: Sequence[str] = ()) -> None:
        if old == new:
            return
        if type(old) is type(new) and ptext.node_fields(old) and not isinstance(old, ptext.ATOMS):
            for f in ptext.node_fields(old):
                if f.name not in skip:
                    self.compare(getattr(old, f.name), getattr(new, f.name), (*path, Step("field", f.name)))
            return
        if isinstance(old, tuple) and isinstance(new, tuple) and old and new:
            self.elements(old, new, path)
            return
        self.whole(path, old, new)

    def elements(self, old: tuple[object, ...], new: tuple[object, ...], path: tuple[Step, ...]) -> None:
        okeys = [_key(x, self.lang) for x in old]
        nkeys = [_key(x, self.lang) for x in new]
        keyed = (
            all(k is not None for k in okeys + nkeys)
            and len(set(okeys)) == len(okeys)
            and len(set(nkeys)) == len(nkeys)
        )
        if keyed:
            olds = dict(zip(okeys, old))
            news = dict(zip(nkeys, new))
            common_old = [k for k in okeys if k in news]
            common_new = [k for k in nkeys if k in olds]
            if common_old != common_new:  # order matters: waterfall tiers, bands
                sep = "、" if self.lang == "zh" else ", "  # not an arrow: the detail itself reads old → new
                self.out.append(
                    Detail(
                        (*path, Step("field", "order")), sep.join(map(str, common_old)), sep.join(map(str, common_new))
                    )
                )
            for k in nkeys:
                assert k is not None
                if k in olds:
                    self.compare(olds[k], news[k], (*path, Step("key", k)))
                else:
                    self.whole((*path, Step("key", k)), None, news[k], (True, False))
            for k in okeys:
                assert k is not None
                if k not in news:
                    self.whole((*path, Step("key", k)), olds[k], None, (False, True))
            return
        structured = all(ptext.node_fields(x) and not isinstance(x, ptext.ATOMS) for x in old + new)
        if len(old) == len(new) and structured:
            for i, (a, b) in enumerate(zip(old, new), 1):
                self.compare(a, b, (*path, Step("index", str(i))))
            return
        self.whole(path, old, new)


def _details(old: object, new: object, lang: str, skip: Sequence[str] = ()) -> tuple[Detail, ...]:
    c = _Comparer(lang)
    c.compare(old, new, skip=skip)
    return tuple(c.out)


def _quote(d: object) -> str | None:
    lit = getattr(d, "literate", None)
    if isinstance(lit, ir.Literate) and lit.quote is not None:
        return lit.quote.value
    return None


_SECTION_OF: dict[type, str] = {
    ir.ParamDecl: "param",
    ir.InputDecl: "input",
    ir.LetDecl: "let",
    ir.Rule: "rule",
    ir.FundDecl: "fund",
    ir.PartyDecl: "party",
    ir.EnumDecl: "enum",
    ir.RegionSetDecl: "regionset",
}


def summary(d: object, lang: str) -> str:
    """An added or removed declaration in one line of policy text."""
    match d:
        case ir.ParamDecl():
            value = ptext.kw("open", lang) if d.value is None else ptext.expr(d.value, lang)
            return f"{ptext.show(d.type, lang)} = {value}" + "".join(f"  {ptext.show(b, lang)}" for b in d.bounds)
        case ir.InputDecl():
            return ptext.show(d.type, lang)
        case ir.LetDecl():
            return f"= {ptext.expr(d.expr, lang)}"
        case ir.Rule():
            where = f"{d.fund.text} · " if d.fund is not None else ""
            return f"{where}{ptext.kind_word(d.kind, lang)} = {ptext.expr(d.amount, lang)}"
        case ir.FundDecl():
            flags = [ptext.field(f.name, lang) for f in attrs.fields(ir.FundDecl) if getattr(d, f.name) is True]
            return ("、" if lang == "zh" else ", ").join(flags) or "—"
        case ir.PartyDecl():
            return ptext.kw("per_region", lang) if d.per_region else "—"
        case ir.EnumDecl() | ir.RegionSetDecl():
            return ptext.show(d.members, lang)
    return ptext.show(d, lang)


def _named(checked: CheckedPolicy) -> dict[str, object]:
    """Every declaration with a name, in declaration order (imported modules first)."""
    s = checked.scope
    out: dict[str, object] = {}
    for table in (s.values, s.parties, s.enums, s.regionsets):
        for name, d in table.items():
            out.setdefault(f"{type(d).__name__}:{name}", d)
    return out


def _match(
    old: dict[str, object],
    new: dict[str, object],
    section: Callable[[object], str],
    name: Callable[[object], str],
    compare: Callable[[object, object], tuple[Detail, ...]],
    lang: str,
) -> list[Change]:
    out: list[Change] = []
    for key, d in new.items():
        if key not in old:
            out.append(Change(section(d), name(d), "added", summary=summary(d, lang), quote=_quote(d)))
        elif old[key] != d:
            details = compare(old[key], d)
            if details:
                out.append(Change(section(d), name(d), "changed", details, quote=_quote(d) or _quote(old[key])))
    for key, d in old.items():
        if key not in new:
            out.append(Change(section(d), name(d), "removed", summary=summary(d, lang), quote=_quote(d)))
    return out


def _decl_name(d: object) -> str:
    n = getattr(d, "name", None)
    return n.text if isinstance(n, ir.Ident) else ""


def _compare_decls(lang: str) -> Callable[[object, object], tuple[Detail, ...]]:
    def compare(a: object, b: object) -> tuple[Detail, ...]:
        if isinstance(a, ir.ParamDecl) and isinstance(b, ir.ParamDecl):
            details = list(_details(a, b, lang, skip=("value",)))
            if a.value != b.value:
                show = [ptext.kw("open", lang) if v is None else ptext.expr(v, lang) for v in (a.value, b.value)]
                details.insert(0, Detail((Step("field", "value"),), show[0], show[1]))
            return tuple(details)
        if isinstance(a, ir.FundDecl) and isinstance(b, ir.FundDecl):
            # Rules are reported in their own section; here only the order they run in
            # (剩余 is what the rules before it left).
            details = list(_details(a, b, lang, skip=("rules",)))
            olds, news = [r.name.text for r in a.rules], [r.name.text for r in b.rules]
            common_old, common_new = [n for n in olds if n in news], [n for n in news if n in olds]
            if common_old != common_new:
                sep = "、" if lang == "zh" else ", "
                details.append(Detail((Step("field", "rule_order"),), sep.join(common_old), sep.join(common_new)))
            return tuple(details)
        return _details(a, b, lang)

    return compare


def _with_open(c: Change, old: dict[str, object], new: dict[str, object]) -> Change:
    if c.section != "param" or c.status != "changed":
        return c
    a, b = old.get(f"ParamDecl:{c.name}"), new.get(f"ParamDecl:{c.name}")
    if isinstance(a, ir.ParamDecl) and isinstance(b, ir.ParamDecl):
        if a.value is None and b.value is not None:
            return attrs.evolve(c, open="resolved")
        if a.value is not None and b.value is None:
            return attrs.evolve(c, open="opened")
    return c


def _items(checked: CheckedPolicy, kind: type) -> list[object]:
    decls = [d for _m, d in checked.program.all_decls()]
    match kind:
        case ir.Example:
            return [d for d in decls if isinstance(d, ir.Example)]
        case ir.Milestone:
            return [m for d in decls if isinstance(d, ir.Timeline) for m in d.milestones]
        case _:
            return [t for d in decls if isinstance(d, ir.TaskTable) for t in d.tasks]


def _listed(checked: CheckedPolicy, kind: type, key: Callable[[object], str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for x in _items(checked, kind):
        out.setdefault(key(x), x)  # a repeated label keeps its first occurrence
    return out


def _label(x: object) -> str:
    match x:
        case ir.Example(label=label):
            return label.value
        case ir.Milestone(text=text):
            return text.value
        case ir.Task(number=n, text=text):
            return f"{n}. {text.value}" if n is not None else text.value
    return ""


def compare(old: CheckedPolicy, new: CheckedPolicy, old_name: str, new_name: str, lang: str = "zh") -> PolicyDiff:
    changes: list[Change] = []
    if old.policy is not None and new.policy is not None:
        a, b = old.policy, new.policy
        details = _details(a.header, b.header, lang)
        if a.name != b.name:
            details = (Detail((Step("field", "name"),), a.name.text, b.name.text), *details)
        if details:
            changes.append(Change("policy", b.name.text, "changed", details))
    named_old, named_new = _named(old), _named(new)
    cmp = _compare_decls(lang)
    changes += [
        _with_open(c, named_old, named_new) for c in _match(named_old, named_new, _section, _decl_name, cmp, lang)
    ]
    for kind, section in ((ir.Example, "example"), (ir.Milestone, "milestone"), (ir.Task, "task")):
        lo, ln = _listed(old, kind, _label), _listed(new, kind, _label)
        found = _match(lo, ln, _const(section), _label, lambda x, y: _details(x, y, lang), lang)
        changes += [attrs.evolve(c, summary=_item_summary(lo.get(c.name) or ln.get(c.name), lang)) for c in found]
    order = {s: i for i, s in enumerate(SECTIONS)}
    changes.sort(key=lambda c: order.get(c.section, len(SECTIONS)))  # stable: declaration order within a section
    return PolicyDiff(old_name, new_name, tuple(changes))


def _const(section: str) -> Callable[[object], str]:
    return lambda _d: section


def _section(d: object) -> str:
    return _SECTION_OF.get(type(d), type(d).__name__.lower())


def _item_summary(x: object, lang: str) -> str | None:
    match x:
        case ir.Milestone(date=date, owners=owners):
            return f"{date.text}" + (f" · {ptext.show(owners, lang)}" if owners else "")
        case ir.Task(deadline=deadline, owners=owners):
            when = deadline.text if deadline is not None else ("持续推进" if lang == "zh" else "ongoing")
            return f"{when}" + (f" · {ptext.show(owners, lang)}" if owners else "")
    return None


def sections(d: PolicyDiff) -> Iterable[tuple[str, list[Change]]]:
    """The changes grouped by section, in report order (a section the IR gains later comes last)."""
    names = list(SECTIONS) + sorted({c.section for c in d.changes} - set(SECTIONS))
    for s in names:
        found = [c for c in d.changes if c.section == s]
        if found:
            yield s, found
