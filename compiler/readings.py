"""Readings: how a policy reads its text where the text is not plain.

A declaration says how it read its clause with 理解 "…"; a choice (解读) names
alternative readings, each an option holding its own values or rules. Choices are
resolved here, before checking, into an ordinary program: the checks run on each
option's program and the engines only ever see one resolved policy, so every engine
settles every option alike.

`readings_of` and `open_points` give the explainer what it says about readings,
as data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import attrs

from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.functions import lookup
from compiler.ir.walk import decl_exprs, walk
from compiler.plan import plan_of
from compiler.source import Span

Chosen = Mapping[str, str]  # choice name → option name


class ReadingError(Exception):
    """A --reading or a scenario's readings names no choice, or no option of it."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


def choices(program: ir.Program) -> tuple[ir.Choice, ...]:
    """Every choice in the program, in the order written (funds' choices in place)."""
    out: list[ir.Choice] = []
    for _, d in program.all_decls():
        if isinstance(d, ir.Choice):
            out.append(d)
        elif isinstance(d, ir.FundDecl):
            out += [c for _, c in d.choices]
    return tuple(out)


def defaults(program: ir.Program) -> dict[str, str]:
    return {c.name.text: c.default.text for c in choices(program)}


def settle_choices(program: ir.Program, wanted: Chosen) -> dict[str, str]:
    """The option of every choice: the wanted ones, the default elsewhere."""
    known = {c.name.text: c for c in choices(program)}
    out = defaults(program)
    for name, option in wanted.items():
        c = known.get(name)
        if c is None:
            names = "、".join(known) or "无"
            raise ReadingError(
                f"政策没有名为“{name}”的解读(有:{names})",
                f"the policy has no choice of readings named ‘{name}’ (it has: {', '.join(known) or 'none'})",
            )
        opts = [o.name.text for o in c.options]
        if option not in opts:
            raise ReadingError(
                f"解读“{name}”没有选项“{option}”(有:{'、'.join(opts)})",
                f"the choice ‘{name}’ has no option ‘{option}’ (it has: {', '.join(opts)})",
            )
        out[name] = option
    return out


def resolve(program: ir.Program, chosen: Chosen) -> ir.Program:
    """The program with every choice replaced by its chosen option's declarations
    (the default where `chosen` names none). A choice whose chosen option is not
    among its options contributes nothing: the driver reports that default first."""
    if not choices(program):
        return program
    picks = {**defaults(program), **chosen}

    def option(c: ir.Choice) -> tuple[ir.OptionDecl, ...]:
        found = next((o for o in c.options if o.name.text == picks.get(c.name.text)), None)
        return found.decls if found is not None else ()

    def decls(ds: tuple[ir.Decl, ...]) -> tuple[ir.Decl, ...]:
        out: list[ir.Decl] = []
        for d in ds:
            if isinstance(d, ir.Choice):
                out += option(d)
            elif isinstance(d, ir.FundDecl) and d.choices:
                rules = list(d.rules)
                values: list[ir.Decl] = []
                for at, c in reversed(d.choices):  # from the end, so earlier positions hold
                    rules[at:at] = [r for r in option(c) if isinstance(r, ir.Rule)]
                    values[:0] = [x for x in option(c) if not isinstance(x, ir.Rule)]
                # An option's values are the policy's, whatever block it is written in.
                out += [attrs.evolve(d, rules=tuple(rules), choices=()), *values]
            else:
                out.append(d)
        return tuple(out)

    def module(m: ir.Module) -> ir.Module:
        policy = attrs.evolve(m.policy, decls=decls(m.policy.decls)) if m.policy is not None else None
        return attrs.evolve(m, decls=decls(m.decls), policy=policy)

    return ir.Program(module(program.main), tuple(module(m) for m in program.modules))


# ---- what the explainer says ---------------------------------------------------------


@attrs.frozen
class OptionInfo:
    name: str
    reading: str | None  # the option's own 理解
    default: bool
    declares: tuple[str, ...]  # the values and rules it gives


@attrs.frozen
class Reading:
    """One place where the policy reads its text: a 理解 on a declaration, or a choice."""

    subject: str  # the declaration's name (or the choice's)
    quote: str | None  # the clause read
    section: str | None
    reading: str | None  # the text of the 理解
    span: Span
    options: tuple[OptionInfo, ...] = ()  # for a choice: its options, the default marked


def _named(d: object) -> Iterable[tuple[str, ir.Literate, Span]]:
    """Each (name, literate, span) a declaration carries, its parts included."""
    match d:
        case ir.Rule():
            yield d.name.text, d.literate, d.span
            for t in d.tiers:
                yield f"{d.name.text}·{t.name.text}", t.literate, t.span
            for e in d.exceptions:
                yield f"{d.name.text}·例外", e.literate, e.span
        case ir.FundDecl():
            yield d.name.text, d.literate, d.span
            for r in d.rules:
                yield from _named(r)
            for _, c in d.choices:
                yield from _named(c)
        case ir.Choice():
            for o in d.options:
                for x in o.decls:
                    yield from _named(x)
        case ir.ParamDecl() | ir.LetDecl() | ir.InputDecl() | ir.PartyDecl() | ir.EnumDecl() | ir.RegionSetDecl():
            yield d.name.text, d.literate, d.span
        case ir.Constraint():
            yield "约束", d.literate, d.span
        case ir.Timeline():
            for m in d.milestones:
                yield m.text.value, m.literate, m.span
        case ir.TaskTable():
            for task in d.tasks:
                yield task.text.value, task.literate, task.span


def _declares(d: ir.OptionDecl) -> str:
    """What an option gives, by name; a constraint by its clause (it has no name)."""
    if isinstance(d, ir.Constraint):
        return f"约束“{d.literate.quote.value}”" if d.literate.quote is not None else "约束"
    return d.name.text


def _main_decls(program: ir.Program) -> tuple[ir.Decl, ...]:
    m = program.main
    return m.decls + (m.policy.decls if m.policy is not None else ())


def _text(s: ir.Str | None) -> str | None:
    return s.value if s is not None else None


def readings_of(program: ir.Program) -> tuple[Reading, ...]:
    """Every reading the policy file states, in source order: each 理解, and each choice
    with its options. Pass the program as written (CheckedPolicy.written), not a resolved one."""
    out: list[Reading] = []
    for d in _main_decls(program):
        for c in [d] if isinstance(d, ir.Choice) else [c for _, c in d.choices] if isinstance(d, ir.FundDecl) else []:
            opts = tuple(
                OptionInfo(
                    o.name.text,
                    _text(o.literate.reading),
                    o.name.text == c.default.text,
                    tuple(_declares(x) for x in o.decls),
                )
                for o in c.options
            )
            lit = c.literate
            out.append(Reading(c.name.text, _text(lit.quote), _text(lit.section), _text(lit.reading), c.span, opts))
        for name, lit, span in _named(d):
            if lit.reading is not None:
                out.append(Reading(name, _text(lit.quote), _text(lit.section), lit.reading.value, span))
    return tuple(sorted(out, key=lambda r: (r.span.line, r.span.column)))


def of_policy(checked: CheckedPolicy) -> tuple[tuple[Reading, ...], tuple[OpenPoint, ...]]:
    """What an explainer says of a checked policy's readings: every reading its file states
    (本解读对原文的理解) and every point it leaves open (待明确事项: 待定 parameters and
    unanswered discretionary words). What each option changes on a scenario is
    compiler.tools.reading_diff.compare_readings."""
    written = checked.written or checked.program
    return readings_of(written), open_points(written)


# ---- discretion: words that leave the reader a choice ----------------------------------

# 可 inside these words is not a grant of discretion.
_NOT_DISCRETION = ("可持续", "可靠", "可行性", "许可", "认可", "不可", "可动用", "可用", "可支配")
# Traditional forms too: some seed texts (Guiyang) are written in them.
_WORDS = ("原则上", "原則上", "一定比例", "等因素", "等原因", "按程序", "左右", "适当", "適當", "参照", "參照", "可")
_PATTERN = re.compile("|".join(_WORDS))


def discretion_words(quote: str) -> list[tuple[int, str]]:
    """(offset, word) of every word in `quote` that leaves room for a choice."""
    out = []
    for m in _PATTERN.finditer(quote):
        if m.group() == "可" and any(
            quote[max(0, m.start() - 1) : m.start() + len(w)].find(w) >= 0 for w in _NOT_DISCRETION
        ):
            continue
        out.append((m.start(), m.group()))
    return out


@attrs.frozen
class OpenPoint:
    """A place the text leaves open and the policy does not answer: a 待定 parameter, or
    a discretionary word in a quote with no reading."""

    subject: str
    word: str | None  # None: a 待定 parameter (or a waterfall's 未规定)
    quote: str | None
    span: Span  # the word inside the quote, or the parameter
    unassigned: bool = False  # a waterfall whose text assigns no one the rest of the need (未规定)


def open_points(program: ir.Program) -> tuple[OpenPoint, ...]:
    """The unanswered points of the main file: every 待定 parameter, and every
    discretionary word quoted on a value or rule that carries no 理解, is in no choice,
    and is not itself 待定. (The W505 check reports the latter.)"""
    out: list[OpenPoint] = []
    for d in _main_decls(program):
        if isinstance(d, ir.ParamDecl) and d.value is None:
            out.append(OpenPoint(d.name.text, None, _text(d.literate.quote), d.name.span))
        if isinstance(d, ir.ParamDecl) and d.value is None:
            continue  # 待定 answers its clause's discretion: the scenario settles it
        for r in _rules_in(d):
            if r.unassigned is not None:
                quote = r.unassigned.literate.quote or r.literate.quote
                out.append(OpenPoint(r.name.text, None, _text(quote), r.unassigned.span, unassigned=True))
        if not isinstance(d, (ir.ParamDecl, ir.LetDecl, ir.InputDecl, ir.Rule, ir.FundDecl)):
            continue
        for name, lit, _, outer in _valued(d):
            if lit.quote is None or lit.reading is not None or outer:
                continue
            for at, word in discretion_words(lit.quote.value):
                out.append(OpenPoint(name, word, lit.quote.value, word_span(lit.quote, at, word)))
    return tuple(out)


def _rules_in(d: ir.Decl) -> list[ir.Rule]:
    if isinstance(d, ir.Rule):
        return [d]
    return [r for r in d.rules if isinstance(r, ir.Rule)] if isinstance(d, ir.FundDecl) else []


def _valued(
    d: ir.ParamDecl | ir.LetDecl | ir.InputDecl | ir.Rule | ir.FundDecl,
) -> Iterable[tuple[str, ir.Literate, Span, bool]]:
    """Each (name, literate, span, read by its rule) a value or rule carries: a tier or
    exception is answered by its rule's 理解 as well as its own."""
    if isinstance(d, ir.FundDecl):
        yield d.name.text, d.literate, d.span, False
        for r in d.rules:
            yield from _valued(r)
        return
    yield d.name.text, d.literate, d.span, False
    if isinstance(d, ir.Rule):
        ruled = d.literate.reading is not None
        for t in d.tiers:
            yield f"{d.name.text}·{t.name.text}", t.literate, t.span, ruled
        for e in d.exceptions:
            yield f"{d.name.text}·例外", e.literate, e.span, ruled


def word_span(quote: ir.Str, at: int, word: str) -> Span:
    """The span of `word` at offset `at` of a quote's value: quotes sit on one line, and
    the opening quote mark is one character."""
    s = quote.span
    col = s.column + 1 + at
    return Span(s.file, s.line, col, s.line, col + len(word))


def uses_regions_together(checked: CheckedPolicy) -> tuple[str, ...]:
    """The values and rules whose amount depends on every region of the set at once:
    sums, means and shares over regions, allocations by weight, and totals capped over
    regions. A scenario listing only some regions gets other amounts for them. Aggregates over
    entities and allocations to each entity are not among them (the plan knows which they are)."""
    plan = plan_of(checked)
    out: list[str] = []
    program = checked.program
    for _, d in program.all_decls():
        rules = d.rules if isinstance(d, ir.FundDecl) else (d,) if isinstance(d, ir.Rule) else ()
        for r in rules:
            allocates = r.kind is ir.RuleKind.ALLOCATE and plan.rule(r.name.text).entity is None
            if allocates or any(t.total_cap is not None for t in r.tiers) or _aggregates(r, plan.aggregates):
                out.append(r.name.text)
        if isinstance(d, (ir.LetDecl, ir.ParamDecl)) and _aggregates(d, plan.aggregates):
            out.append(d.name.text)
    return tuple(dict.fromkeys(out))


def _aggregates(d: ir.Decl, over_entities: Mapping[ir.Call, str]) -> bool:
    """Whether a declaration sums, averages or shares over regions (not over entities)."""
    for root in decl_exprs(d):
        for e in walk(root):
            f = lookup(e.func.text) if isinstance(e, ir.Call) else None
            if f is not None and (f.aggregate or f.id == "share") and e not in over_entities:
                return True
    return False
