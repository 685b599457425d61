"""`pool test --coverage`: which rules and branches of a policy no case exercised.

The reference interpreter reports to a `Coverage` (its optional recorder) each
branch it takes; this module lists every branch the policy has, so the ones
never taken can be named with their line. A branch is:

- a rule that moved money (a rule that only ever came to 0 was never exercised);
- each arm of 如果 … 则 … 否则 and of 匹配, each 例外 and the rule's own amount
  when no 例外 applies, a `当` condition both true and false;
- each tier of a waterfall (弥补) that paid something, each row of a band table used;
- each argument of 取大/取小 that was the result, 限定 within, raised and lowered, a
  rule's 上限 and 累计上限 both binding and not.

Nodes are told apart by identity: every case of a policy runs on the one checked
IR, and the IR's equality ignores spans, so two equal 如果 on different lines
would otherwise count as one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from fractions import Fraction

import attrs

from compiler.interpreter.recorder import (
    CAP_BINDS,
    CAP_FREE,
    CUMULATIVE_BINDS,
    CUMULATIVE_FREE,
    ELSE,
    ENOUGH,
    LOWERED,
    MOVED,
    NO_EXCEPTION,
    RAISED,
    SHORT,
    THEN,
    WHEN_FALSE,
    WHEN_TRUE,
    WITHIN,
)
from compiler.ir import functions
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.subperiods import written
from compiler.ir.walk import decl_exprs, walk
from compiler.numbers import to_decimal
from compiler.source import Span


@attrs.frozen
class Item:
    kind: str  # rule, if, match, exception, when, tier, band
    zh: str
    en: str
    span: Span

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@attrs.frozen
class Report:
    policy: str
    total: int
    covered: int
    uncovered: tuple[Item, ...]

    @property
    def percent(self) -> str:
        """One decimal, half-up, never a float: 100% when there is nothing to cover."""
        if not self.total:
            return "100.0"
        return f"{to_decimal(Fraction(self.covered * 100, self.total), 1):.1f}"


class Coverage:
    """The recorder for one policy: the (node, branch) pairs evaluation took."""

    def __init__(self, checked: CheckedPolicy, policy: str) -> None:
        self.checked = checked
        self.policy = policy
        self.hits: set[tuple[int, int]] = set()

    def hit(self, node: object, branch: int) -> None:
        self.hits.add((id(node), branch))

    def report(self) -> Report:
        # A branch written once is counted once, however many copies of it the policy settles (each
        # month's of a rule settled 按月, each scheme's): covered when any copy took it.
        groups: dict[tuple[str, Span, int], tuple[list[tuple[int, int]], Item]] = {}
        for key, item in branches(self.checked):
            keys, _ = groups.setdefault((item.kind, item.span, key[1]), ([], item))
            keys.append(key)
        missed = [_written(item) for keys, item in groups.values() if not any(k in self.hits for k in keys)]
        missed.sort(key=lambda i: (i.span.file, i.span.line, i.span.column))
        return Report(self.policy, len(groups), len(groups) - len(missed), tuple(missed))


_QUOTED = re.compile(r"([“‘])([^”’]*)([”’])")


def _written(item: Item) -> Item:
    """An item named as the drafter wrote it: 预结算 for 预结算(1月)."""

    def name(m: re.Match[str]) -> str:
        return f"{m[1]}{written(m[2])}{m[3]}"

    return attrs.evolve(item, zh=_QUOTED.sub(name, item.zh), en=_QUOTED.sub(name, item.en))


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def branches(checked: CheckedPolicy) -> Iterator[tuple[tuple[int, int], Item]]:
    """Every branch of the policy, keyed as the recorder keys what it saw."""
    text = checked.text_of
    for name, d in checked.scope.values.items():
        if isinstance(d, ir.Rule):
            yield from _rule(checked, d)
        for top in decl_exprs(d):
            for e in walk(top):
                if isinstance(e, ir.If):
                    cond = _short(text(e.cond.span))
                    yield (
                        (id(e), THEN),
                        Item(
                            "if",
                            f"“{name}”中“如果 {cond}”从未成立(“则”分支)",
                            f"‘{name}’: 如果 {cond} was never true (the 则 arm)",
                            e.span,
                        ),
                    )
                    yield (
                        (id(e), ELSE),
                        Item(
                            "if",
                            f"“{name}”中“如果 {cond}”从未不成立(“否则”分支)",
                            f"‘{name}’: 如果 {cond} was never false (the 否则 arm)",
                            e.else_.span,
                        ),
                    )
                elif isinstance(e, ir.Match):
                    for i, arm in enumerate(e.arms):
                        pat = "、".join(p.text for p in arm.patterns) if arm.patterns is not None else "其他"
                        yield (
                            (id(e), i),
                            Item(
                                "match",
                                f"“{name}”的匹配分支“{pat}”从未选中",
                                f"‘{name}’: match arm ‘{pat}’ was never taken",
                                arm.span,
                            ),
                        )
                elif isinstance(e, ir.Call):
                    yield from _call(checked, name, e)
                elif isinstance(e, ir.Bands):
                    for i, band in enumerate(e.bands):
                        row = _short(text(band.span))
                        yield (
                            (id(e), i),
                            Item(
                                "band",
                                f"“{name}”的分段表第 {i + 1} 档“{row}”从未用到",
                                f"‘{name}’: band row {i + 1} ‘{row}’ was never used",
                                band.span,
                            ),
                        )


def _rule(checked: CheckedPolicy, r: ir.Rule) -> Iterator[tuple[tuple[int, int], Item]]:
    n = r.name.text
    yield (id(r), MOVED), Item("rule", f"规则“{n}”从未产生资金往来", f"rule ‘{n}’ never moved money", r.name.span)
    if r.cond is not None:
        cond = _short(checked.text_of(r.cond.span))
        yield (
            (id(r), WHEN_TRUE),
            Item("when", f"规则“{n}”的条件“当 {cond}”从未成立", f"rule ‘{n}’: 当 {cond} was never true", r.cond.span),
        )
        yield (
            (id(r), WHEN_FALSE),
            Item(
                "when", f"规则“{n}”的条件“当 {cond}”从未不成立", f"rule ‘{n}’: 当 {cond} was never false", r.cond.span
            ),
        )
    for x in r.exceptions:
        cond = _short(checked.text_of(x.cond.span))
        yield (
            (id(x), 0),
            Item(
                "exception", f"规则“{n}”的例外“{cond}”从未适用", f"rule ‘{n}’: exception ‘{cond}’ never applied", x.span
            ),
        )
    if r.exceptions:
        yield (
            (id(r), NO_EXCEPTION),
            Item(
                "exception",
                f"规则“{n}”总有例外适用,规则本身的金额从未用到",
                f"rule ‘{n}’: an exception always applied; its own amount was never used",
                r.amount.span,
            ),
        )
    for code, word, (zh, en) in ((r.cap, "上限", _CAP), (r.cumulative_cap, "累计上限", _CUMULATIVE)):
        if code is None:
            continue
        cap = _short(checked.text_of(code.span))
        yield (
            (id(r), zh),
            Item("cap", f"规则“{n}”的{word}“{cap}”从未起作用", f"rule ‘{n}’: {word} {cap} never bound", code.span),
        )
        yield (
            (id(r), en),
            Item("cap", f"规则“{n}”的{word}“{cap}”总是起作用", f"rule ‘{n}’: {word} {cap} always bound", code.span),
        )
    if r.shortfall is not None and r.fund is not None:
        f, word = r.fund.text, checked.text_of(r.shortfall.span)
        yield (
            (id(r), SHORT),
            Item(
                "shortfall",
                f"规则“{n}”从未遇到资金“{f}”不足(“{word}”从未起作用)",
                f"rule ‘{n}’: fund ‘{f}’ never ran short ({word} never acted)",
                r.shortfall.span,
            ),
        )
        yield (
            (id(r), ENOUGH),
            Item(
                "shortfall",
                f"规则“{n}”总是遇到资金“{f}”不足",
                f"rule ‘{n}’: fund ‘{f}’ always ran short",
                r.shortfall.span,
            ),
        )
    for t in r.tiers:
        yield (
            (id(t), 0),
            Item(
                "tier",
                f"规则“{n}”的层“{t.name.text}”从未承担金额",
                f"rule ‘{n}’: tier ‘{t.name.text}’ never paid anything",
                t.span,
            ),
        )


_CAP, _CUMULATIVE = (CAP_BINDS, CAP_FREE), (CUMULATIVE_BINDS, CUMULATIVE_FREE)


def _call(checked: CheckedPolicy, name: str, e: ir.Call) -> Iterator[tuple[tuple[int, int], Item]]:
    fn = functions.lookup(e.func.text)
    if fn is None or fn.id not in ("max", "min", "clamp"):
        return
    call = _short(checked.text_of(e.span))
    if fn.id == "clamp":
        for code, zh, en in (
            (WITHIN, "在上下限之间", "within its bounds"),
            (RAISED, "低于下限", "below its lower bound"),
            (LOWERED, "高于上限", "above its upper bound"),
        ):
            yield (
                (id(e), code),
                Item("clamp", f"“{name}”中“{call}”的值从未{zh}", f"‘{name}’: {call} was never {en}", e.span),
            )
        return
    for i, arg in enumerate(e.args):
        a = _short(checked.text_of(arg.span), 24)
        yield (
            (id(e), i),
            Item("minmax", f"“{name}”中“{call}”从未取到“{a}”", f"‘{name}’: {call} never came out as {a}", arg.span),
        )
