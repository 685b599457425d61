"""The runtime of generated evaluators, and the money rules every engine shares.

Imports from the compiler only the message registry and spans (compiler.messages,
compiler.source), so a generated module needs little besides this file.

Arithmetic is exact: every number is a Fraction (an exact rational). Decimal at
any fixed precision is not enough: a ratio of 28 digits times a 16-digit income
needs 44, and a quotient such as x ÷ 7 × 7 must come back to x exactly or a half
fen rounds the wrong way. Scenario and literal values are finite decimals and
convert exactly; money leaves the evaluator as whole fen, so its Decimal is exact.

The two rules that decide a fen, implemented here once for the interpreter and the
generated evaluators (the vectorized backend implements the same two in int64 and
is held to these by tests/test_vector.py):
- rounding: half-up to 0.01 元 (away from zero on a tie), at every transfer;
- apportioning (allocations, splits, waterfall tiers): each part gets the floor of
  its exact share in fen; the fen left over go one each to the parts with the
  largest exact remainders; equal remainders go to the earlier part (the order the
  scenario lists its regions, or the order a rule lists its payers).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Union

from compiler.messages import SETTLEMENT
from compiler.source import Span

Number = Union[Fraction, Decimal, int]  # what a caller may supply; kept as Fraction inside
Value = Union[Fraction, bool, str]
Item = Union[Fraction, Decimal, int, bool, str]  # one supplied value
Supplied = Union[Item, dict[str, Item]]  # one value, or one per region

FEN = Fraction(1, 100)
ZERO = Fraction(0)
ONE = Fraction(1)


class SettlementError(Exception):
    """A period that cannot be settled (division by zero, a negative transfer, an overdrawn
    fund, a missing input): the one error type every engine raises. `key` names the
    sentence in compiler.messages.SETTLEMENT; `line` (or `span`) where in the policy."""

    def __init__(self, key: str, line: int | None = None, span: Span | None = None, **args: object) -> None:
        text = SETTLEMENT[key]
        self.key, self.details, self.span = key, args, span
        self.line = line if line is not None or span is None else span.line
        self.zh, self.en = text.zh.format(**args), text.en.format(**args)
        super().__init__(self.en)

    def __str__(self) -> str:
        return self.en


PolicyError = SettlementError  # the name the generated modules and their callers know


class BadWeights(Exception):
    """Weights that add up to zero or less, or a negative one: nothing to apportion by."""


@dataclass(frozen=True)
class Transfer:
    source: str
    dest: str
    amount: Decimal  # whole fen, exact
    rule: str
    line: int


def exact(x: Number) -> Fraction:
    """A supplied number as an exact rational (Decimal and int convert exactly)."""
    return x if isinstance(x, Fraction) else Fraction(x)


def round_fen(x: Fraction) -> Fraction:
    """Half-up to the fen, away from zero on a tie (Decimal's ROUND_HALF_UP)."""
    n = math.floor(abs(x) * 100 + Fraction(1, 2))
    return Fraction(-n if x < 0 else n, 100)


def round_places(x: Fraction, places: int) -> int:
    """x × 10^places rounded half-up (away from zero on a tie), as an integer."""
    scale: int = 10**places
    n = math.floor(abs(x) * scale + Fraction(1, 2))
    return -n if x < 0 else n


def _terminates(q: int) -> bool:
    for p in (2, 5):
        while q % p == 0:
            q //= p
    return q == 1


def to_decimal(x: Fraction, places: int | None = None) -> Decimal:
    """The Decimal of an exact value, at any size: exactly `places` places (rounded
    half-up), or with places=None the exact value when it terminates, else 10 places.
    Built from digits, never through a Decimal context, so 10²⁶ 元 prints as readily as 1."""
    if places is None:
        if _terminates(x.denominator):
            scale, digits = 0, x
            while digits.denominator != 1:
                scale, digits = scale + 1, digits * 10
            return Decimal(f"{digits.numerator}E-{scale}")
        places = 10
    return Decimal(f"{round_places(x, places)}E-{places}")


def shift(d: Decimal, places: int) -> Decimal:
    """d × 10^places, exactly: only the exponent moves (Decimal's own × and ÷ round
    to the context's 28 digits, which turned 0.499999999999999999999999999999% into 0.5%)."""
    sign, digits, exponent = d.as_tuple()
    assert isinstance(exponent, int), "finite values only"
    return Decimal((sign, digits, exponent + places))


def money(x: Fraction) -> Decimal:
    """A whole-fen amount as the Decimal the ledger shows (two places, exact)."""
    return to_decimal(x, 2)


def div(a: Fraction, b: Fraction, line: int) -> Fraction:
    if b == 0:
        raise SettlementError("division-by-zero", line)
    return a / b


def apportion(total: Fraction, weights: Sequence[Fraction]) -> list[Fraction]:
    """Split whole fen in proportion to weights, exactly; the parts add up to the total.
    The one largest-remainder rule (see the module docstring). Raises BadWeights."""
    s = sum(weights, ZERO)
    if s <= 0 or any(w < 0 for w in weights):
        raise BadWeights()
    fen = round_places(total, 2)
    shares = [fen * w / s for w in weights]
    parts = [math.floor(x) for x in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(shares[i] - parts[i]), i))
    for i in by_remainder[: fen - sum(parts)]:
        parts[i] += 1
    return [Fraction(p, 100) for p in parts]


def claim_account(rule: str, region: str | None) -> str:
    """Where a 挂账 rule's unpaid claim is carried: 缺口调剂额, or 缺口调剂额(贵阳市)."""
    return rule if region is None else party(rule, region)


def amounts_due(
    rule: str,
    asked: Mapping[str | None, Fraction],
    form: str,
    opening: Mapping[str, Fraction],
    claims: Mapping[str, Fraction] | None = None,
) -> dict[str | None, Fraction]:
    """What a rule is owed this period: what it asks, and under 挂账 the claim carried in:
    left unpaid earlier in this period (`claims`: a month's copy of a rule settled 按月 asks
    again for what the month before left unpaid), else at the period's opening."""
    if form != "claim":
        return dict(asked)
    earlier = claims or {}
    out: dict[str | None, Fraction] = {}
    for k, a in asked.items():
        acct = claim_account(rule, k)
        out[k] = a + earlier.get(acct, opening.get(acct, ZERO))
    return out


def short_pay(
    rule: str,
    asked: Mapping[str | None, Fraction],
    available: Fraction,
    form: str,
    order: Sequence[str],
    opening: Mapping[str, Fraction],
    claims: dict[str, Fraction],
) -> dict[str | None, Fraction]:
    """What a fund holding `available` pays a rule that asks for `asked` (whole fen, by
    region; None for a rule with one amount), when the policy said what happens if it
    cannot pay in full (不足时):
    - "pro_rata" (按比例): all it holds, apportioned to the amounts asked (largest remainder);
    - "in_order" (按顺序): region by region in `order` (the policy's region set), each in
      full while the money lasts;
    - "claim" (挂账): the claim carried in from the period before is asked again with this
      period's amount; paid pro rata; what stays unpaid goes into `claims`, to be carried.
    A fund that holds enough pays every amount asked, whatever the form."""
    keys = list(asked)
    due = amounts_due(rule, asked, form, opening, claims)
    want = [due[k] for k in keys]
    have = Fraction(math.floor(max(available, ZERO) * 100), 100)  # never pay a part of a fen the fund lacks
    if sum(want, ZERO) <= have:
        paid = want
    elif form == "in_order":
        rank = {r: i for i, r in enumerate(order)}
        paid = [ZERO] * len(keys)
        for i in sorted(range(len(keys)), key=lambda i: (rank.get(keys[i] or "", len(rank)), i)):
            paid[i] = min(want[i], have)
            have -= paid[i]
    else:
        paid = apportion(have, want) if have > 0 else [ZERO] * len(keys)
    if form == "claim":
        for k, w, p in zip(keys, want, paid):
            claims[claim_account(rule, k)] = w - p
    return dict(zip(keys, paid))


def apportion_tier(
    need: Sequence[Fraction], shares: Sequence[Fraction], total_cap: Fraction | None
) -> list[list[Fraction]]:
    """What each payer of one waterfall tier pays in each region (rows: regions).

    Without a total cap each region's part is split between the payers by their
    shares. With one, the tier pays min(Σ need, cap) in all, shared between the
    regions in proportion to need; each payer's total is its share of that, and is
    spread over the regions in proportion to what is still unpaid there, the last
    payer taking the rest. So a fund that pays 50% of a tier capped at twice its
    balance never pays more than its balance, and every figure is whole fen.
    Raises BadWeights.
    """
    zeros = [ZERO] * len(shares)
    if total_cap is None:
        return [apportion(n, shares) if n else list(zeros) for n in need]
    wanted = sum(need, ZERO)
    parts = list(need) if wanted <= total_cap else apportion(total_cap, need)
    tier_total = sum(parts, ZERO)
    rows = [list(zeros) for _ in parts]
    if not tier_total:
        return rows
    unpaid = list(parts)
    for i, payer_total in enumerate(apportion(tier_total, shares)):
        last = i == len(shares) - 1
        spread = unpaid if last else (apportion(payer_total, unpaid) if payer_total else [ZERO] * len(unpaid))
        for row, piece in zip(rows, spread):
            row[i] = piece
        unpaid = [u - p for u, p in zip(unpaid, spread)]
    return rows


def shares_fault(ratios: Sequence[Fraction]) -> str | None:
    """What is wrong with the shares one region splits by: nothing to split by (zero-weights),
    or shares that do not add up to exactly 100% (a conditional share a scenario got wrong)."""
    total = sum(ratios, ZERO)
    if total <= 0 or any(w < 0 for w in ratios):
        return "zero-weights"
    return None if total == ONE else "shares-sum"


def check_shares(
    ratios: Sequence[Fraction], rule: str, line: int, share_line: int, region: str | None, span: Span | None = None
) -> None:
    """Raise the error every engine raises for shares that cannot split a non-zero amount:
    zero-weights at the rule's line, or the shares' sum at `share_line` (the split's or the tier's)."""
    fault = shares_fault(ratios)
    if fault == "zero-weights":
        raise SettlementError(fault, line, span, rule=rule)
    if fault is not None:
        if region is None:
            raise SettlementError("shares-sum-all", share_line, rule=rule)
        raise SettlementError("shares-sum", share_line, rule=rule, region=region)


def split_parts(
    amt: Fraction, ratios: Sequence[Fraction], rule: str, line: int, region: str | None, span: Span | None = None
) -> list[Fraction]:
    """One region's (or the one) amount of a split, by its shares there."""
    if not amt:
        return [ZERO] * len(ratios)
    check_shares(ratios, rule, line, line, region, span)
    return apportion(amt, ratios)


def tier_rows(
    need: Sequence[Fraction],
    ratios: Sequence[Sequence[Fraction]],
    total_cap: Fraction | None,
    rule: str,
    lines: tuple[int, int],
    regions: Sequence[str | None],
    span: Span | None = None,
) -> list[list[Fraction]]:
    """What each payer of one tier pays in each region, the shares given per region (rows like
    `need`); `lines` is the rule's line and the tier's. A tier with a total cap has global shares
    (checked, E303): they are the first row. Raises SettlementError as every engine does."""
    line, tier_line = lines
    if total_cap is None:
        for n, rs, r in zip(need, ratios, regions):
            if n:
                check_shares(rs, rule, line, tier_line, r, span)
        return [apportion(n, rs) if n else [ZERO] * len(rs) for n, rs in zip(need, ratios)]
    if min(sum(need, ZERO), total_cap):
        check_shares(ratios[0], rule, line, tier_line, None, span)
    try:
        return apportion_tier(need, ratios[0], total_cap)
    except BadWeights:
        raise SettlementError("zero-weights", line, span, rule=rule) from None


def _bad_weights(rule: str, line: int) -> PolicyError:
    return SettlementError("zero-weights", line, rule=rule)


def largest_remainder(total: Fraction, weights: list[Fraction], rule: str, line: int) -> list[Fraction]:
    try:
        return apportion(total, weights)
    except BadWeights:
        raise _bad_weights(rule, line) from None


def tier_pieces(
    need: list[Fraction], shares: list[Fraction], total_cap: Fraction | None, rule: str, line: int
) -> list[list[Fraction]]:
    try:
        return apportion_tier(need, shares, total_cap)
    except BadWeights:
        raise _bad_weights(rule, line) from None


Band = tuple[Fraction, Union[Fraction, None], Fraction]


def _increasing(bands: list[Band], line: int, lines: Sequence[int]) -> None:
    """Edges may be open parameters a scenario sets: out of order, bands would overlap.
    The error names the first band out of order by its own line (`lines`, one per band)."""
    for i, (lo, hi, _) in enumerate(bands):
        if hi is not None and hi <= lo:
            raise SettlementError("bands-order", lines[i] if i < len(lines) else line)


def inside(x: Fraction, lo: Fraction, hi: Fraction | None, holds: tuple[bool, bool] = (True, False)) -> bool:
    """Is x in the band from lo to hi, holding each edge or not as written (含/不含)?
    Unmarked, a band holds its lower edge and not its upper one."""
    above = lo < x or (holds[0] and x == lo)
    return above and (hi is None or x < hi or (holds[1] and x == hi))


def band(
    x: Fraction,
    bands: list[Band],
    line: int,
    lines: Sequence[int] = (),
    holds: list[tuple[bool, bool]] | None = None,
) -> Fraction:
    _increasing(bands, line, lines)
    for i, (lo, hi, value) in enumerate(bands):
        if inside(x, lo, hi, holds[i] if holds else (True, False)):
            return value
    raise SettlementError("bands-miss-value", line, value=to_decimal(x))


def progressive(x: Fraction, bands: list[Band], line: int, lines: Sequence[int] = ()) -> Fraction:
    _increasing(bands, line, lines)
    total = ZERO
    for lo, hi, rate in bands:
        top = x if hi is None else min(x, hi)
        if top > lo:
            total += (top - lo) * rate
    return total


def _negative(rule: str, region: str | None, x: Fraction, line: int) -> PolicyError:
    if region:
        return SettlementError("negative-in", line, rule=rule, region=region, amount=money(x))
    return SettlementError("negative", line, rule=rule, amount=money(x))


class Ledger:
    """Transfers grouped by rule, so the ledger reads in source order however
    evaluation happened to reach the rules. Amounts stay exact inside."""

    def __init__(self) -> None:
        self.by_rule: dict[str, list[tuple[str, str, Fraction, int]]] = {}

    def move(
        self, rule: str, line: int, source: str, dest: str, amount: Fraction, region: str | None = None
    ) -> Fraction:
        amount = round_fen(amount)
        if amount < 0:
            raise _negative(rule, region, amount, line)
        entries = self.by_rule.setdefault(rule, [])
        if amount:
            entries.append((source, dest, amount, line))
        return amount

    def into(self, fund: str, rules: list[str]) -> Fraction:
        return sum((a for r in rules for _, d, a, _ in self.by_rule.get(r, []) if d == fund), ZERO)

    def out_of(self, fund: str, rules: list[str]) -> Fraction:
        return sum((a for r in rules for s, _, a, _ in self.by_rule.get(r, []) if s == fund), ZERO)

    def in_order(self, rules: list[str]) -> list[Transfer]:
        return [Transfer(s, d, money(a), r, line) for r in rules for s, d, a, line in self.by_rule.get(r, [])]


def settle_funds(
    ledger: Ledger,
    rules: list[str],
    funds: dict[str, bool],
    opening: dict[str, Fraction],
    lines: dict[str, int],
    regional: frozenset[str] = frozenset(),
    regions: list[str] | None = None,
) -> dict[str, Fraction]:
    """Conservation per fund account: opening + in − out = closing, to the fen. A
    fund that is not carried must close at zero; a carried one may not go below it.
    A per-region fund keeps one account per region."""
    accounts = [
        Account(name, carried, lines[fund])
        for fund, carried in funds.items()
        for name in ([party(fund, r) for r in regions or []] if fund in regional else [fund])
    ]
    return conserve(accounts, opening, lambda a: (ledger.into(a, rules), ledger.out_of(a, rules)))


@dataclass(frozen=True)
class Account:
    """One ledger account of a fund, and where the policy declares the fund."""

    name: str
    carried: bool
    line: int | None = None
    span: Span | None = None


def conserve(
    accounts: Sequence[Account], opening: Mapping[str, Fraction], moved: Callable[[str], tuple[Fraction, Fraction]]
) -> dict[str, Fraction]:
    """The one conservation rule, for the interpreter and the generated code (the vectorized
    engine applies it to arrays): per account, opening + in − out = closing, to the fen; an
    account that is not carried closes at zero, a carried one never below it. `moved(account)`
    gives (in, out). Returns the carried accounts' closing balances."""
    closing: dict[str, Fraction] = {}
    for a in accounts:
        inflow, outflow = moved(a.name)
        balance = opening.get(a.name, ZERO) + inflow - outflow
        if a.carried:
            if balance < 0:
                raise SettlementError("overdrawn", a.line, a.span, fund=a.name, amount=money(balance))
            closing[a.name] = balance
        elif balance < 0:
            raise SettlementError("pays-more", a.line, a.span, fund=a.name, amount=money(-balance))
        elif balance != 0:
            raise SettlementError("left-holding", a.line, a.span, fund=a.name, amount=money(balance))
    return closing


def need(table: Mapping[str, Supplied], name: str, region: str | None, kind: str) -> Item:
    """A supplied input or parameter, or a clear error naming what is missing."""
    if name not in table:
        if kind == "open":
            raise SettlementError("open-parameter", name=name)
        raise (
            SettlementError("missing-input-in", name=name, region=region)
            if region
            else SettlementError("missing-input", name=name)
        )
    value = table[name]
    if isinstance(value, dict):
        if region is None or region not in value:
            raise SettlementError("no-region-value", name=name, region=region)
        return value[region]
    return value


REGION = "地区"  # the region dimension, beside None (one value) and the entity kinds


@dataclass(frozen=True)
class Entities:
    """The entities a period settles (persons, employers, institutions): per kind, the ids in
    the order the scenario lists them, each one's region, and the entity it is linked to of
    each linked kind (None where a record leaves the link empty)."""

    ids: dict[str, list[str]]
    regions: dict[str, dict[str, str]]  # kind → id → region
    links: dict[str, dict[str, dict[str, str | None]]]  # kind → id → linked kind → id
    kinds: dict[str, tuple[str, ...]]  # kind → the kinds it is linked to directly (the policy's 隶属)
    _routes: dict[tuple[str, str], tuple[str, ...] | None] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def lift(self, kind: str, id_: str, to: str | None) -> str | None:
        """The member of dimension `to` whose value entity `id_` reads: its region, or the
        entity it is linked to, directly or through the entities it is linked to."""
        if to is None:
            return None
        if to == kind:
            return id_
        if to == REGION:
            return self.regions[kind][id_]
        got = self.linked(kind, id_, to)
        if got is None:
            raise SettlementError("no-link", kind=kind, id=id_, to=to)
        return got

    def at(self, kind: str, id_: str, to: str) -> str:
        """`lift` to a region or a linked kind, which always names one (or raises no-link):
        what a generated evaluator calls to read a coarser value for one entity."""
        got = self.lift(kind, id_, to)
        assert got is not None
        return got

    def of(self, kind: str) -> list[str]:
        """The ids of one kind, in the order the scenario lists them (none: no such entities)."""
        return self.ids.get(kind, [])

    def linked(self, kind: str, id_: str, to: str) -> str | None:
        """The entity of kind `to` that `id_` is linked to, directly or through others; None
        where a record leaves a link on the way empty (a person with no employer)."""
        path = self.route(kind, to)
        if path is None:
            return None
        at, here = id_, kind
        for nxt in path:
            linked = self.links[here][at].get(nxt)
            if linked is None:
                return None
            at, here = linked, nxt
        return at

    def route(self, kind: str, to: str) -> tuple[str, ...] | None:
        """The kinds a link from `kind` passes through to reach `to`, ending with `to` (() for `to`
        itself, None where no link leads there); found once per pair: every entity of a kind
        follows the same route."""
        key = (kind, to)
        if key not in self._routes:
            via = next((k for k in self.kinds.get(kind, ()) if k == to or self.reaches(k, to)), None)
            rest = self.route(via, to) if via is not None and via != to else ()
            self._routes[key] = () if kind == to else None if via is None or rest is None else (via, *rest)
        return self._routes[key]

    def reaches(self, kind: str, to: str) -> bool:
        """Whether an entity of `kind` is linked to one of `to`, directly or through others."""
        seen: set[str] = set()
        todo = list(self.kinds.get(kind, ()))
        while todo:
            k = todo.pop()
            if k == to:
                return True
            if k not in seen:
                seen.add(k)
                todo += self.kinds.get(k, ())
        return False

    def members(self, kind: str, group: str | None, key: str | None) -> list[str]:
        """The entities of `kind` in one group of an aggregate (all of them when `group` is None)."""
        ids = self.ids.get(kind, [])
        if group is None:
            return list(ids)
        if group == REGION:
            return [i for i in ids if self.regions[kind][i] == key]
        return [i for i in ids if self.linked(kind, i, group) == key]  # those with no such link: in no group


NO_ENTITIES = Entities({}, {}, {}, {})


def entity_account(kind: str, id_: str) -> str:
    """The ledger name of one entity: 参保人员(张三)."""
    return f"{kind}({id_})"


def mean(values: list[Fraction], kind: str, line: int) -> Fraction:
    """平均 over entities: their mean, or an error when the group has none."""
    if not values:
        raise SettlementError("no-entities", line, kind=kind)
    return sum(values, ZERO) / len(values)


def num(v: Item) -> Fraction:
    if isinstance(v, bool) or not isinstance(v, (Fraction, Decimal, int)):
        raise SettlementError("expected-number", value=repr(v))
    return exact(v)


def flag(v: Item) -> bool:
    if not isinstance(v, bool):
        raise SettlementError("expected-boolean", value=repr(v))
    return v


def text(v: Item) -> str:
    if not isinstance(v, str):
        raise SettlementError("expected-text", value=repr(v))
    return v


def regional(values: Mapping[str, Item]) -> dict[str, Item]:
    """A per-region mapping of any value type, as the evaluator stores it."""
    return dict(values)


def balances(opening: Mapping[str, Number]) -> dict[str, Fraction]:
    """Opening balances as exact rationals."""
    return {k: exact(v) for k, v in opening.items()}


def party(name: str, region: str) -> str:
    """A per-region party, such as 地方政府(安顺市)."""
    return f"{name}({region})"


def amount(x: Fraction, rule: str, line: int) -> Fraction:
    """An amount about to be moved or shared out: to the fen, never negative."""
    x = round_fen(x)
    if x < 0:
        raise _negative(rule, None, x, line)
    return x


def mix(parts: list[tuple[Fraction, list[Fraction]]], rule: str, line: int) -> list[Fraction]:
    """Each region's share under a weighted mix of factors: Σ weight × factor ÷ Σ factor, exactly."""
    shares = [ZERO] * (len(parts[0][1]) if parts else 0)
    for weight, factors in parts:
        total = sum(factors, ZERO)
        if total <= 0:
            raise _bad_weights(rule, line)
        shares = [s + weight * f / total for s, f in zip(shares, factors)]
    return shares


@dataclass(frozen=True)
class Result:
    values: dict[str, Value | dict[str, Value]]  # numbers exact (Fraction)
    transfers: list[Transfer]  # amounts as Decimal, whole fen
    closing: dict[str, Decimal]  # whole fen


def result(
    transfers: list[Transfer],
    closing: dict[str, Fraction],
    rules: list[str],
    by_region: dict[str, dict[str, Fraction]],
    totals: dict[str, Fraction],
    lets: list[tuple[str, str | None]],
    memo: dict[tuple[str, str | None], Value],
    regions: list[str],
    entities: Entities = NO_ENTITIES,
) -> Result:
    """Every rule's value, and every derived value settlement needed: `lets` names each with
    its dimension (None, REGION or a kind of entity); per-entity ones are keyed by id."""
    values: dict[str, Value | dict[str, Value]] = {}
    for name in rules:
        values[name] = dict(by_region[name]) if name in by_region else totals[name]
    for name, dim in lets:
        if dim is None:
            if (name, None) in memo:
                values[name] = memo[(name, None)]
            continue
        keys = regions if dim == REGION else entities.of(dim)
        got = {k: memo[(name, k)] for k in keys if (name, k) in memo}
        if got:
            values[name] = got
    return Result(values, transfers, {k: money(v) for k, v in closing.items()})
