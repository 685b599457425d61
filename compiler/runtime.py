"""The runtime of generated evaluators. Imports nothing else from the compiler.

Money is Decimal, rounded half-up to the fen at every transfer; arithmetic in
between runs at 50 significant digits, so only a value within 10⁻⁴⁰ of a half
fen could round differently from exact arithmetic.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Union

Value = Union[Decimal, bool, str]
Supplied = Union[Value, dict[str, Value]]  # one value, or one per region

CONTEXT = decimal.Context(prec=50, rounding=ROUND_HALF_UP, traps=[decimal.InvalidOperation, decimal.DivisionByZero])
FEN = Decimal("0.01")
ZERO = Decimal(0)


class PolicyError(Exception):
    """A period that cannot be settled: division by zero, a negative transfer, an overdrawn fund."""

    def __init__(self, zh: str, en: str, line: int | None = None) -> None:
        super().__init__(en)
        self.zh, self.en, self.line = zh, en, line


@dataclass(frozen=True)
class Transfer:
    source: str
    dest: str
    amount: Decimal
    rule: str
    line: int


def round_fen(x: Decimal) -> Decimal:
    return x.quantize(FEN, rounding=ROUND_HALF_UP, context=CONTEXT)


def div(a: Decimal, b: Decimal, line: int) -> Decimal:
    if b == 0:
        raise PolicyError("除数为零", "division by zero", line)
    return CONTEXT.divide(a, b)


def largest_remainder(total: Decimal, weights: list[Decimal], rule: str, line: int) -> list[Decimal]:
    """Split whole fen in proportion to weights; leftover fen go to the largest
    remainders, ties to the earlier region. The parts add up to the total."""
    s = sum(weights, ZERO)
    if s <= 0 or any(w < 0 for w in weights):
        raise PolicyError(f"“{rule}”的分配依据之和为零或为负", f"the weights of ‘{rule}’ add up to zero or less", line)
    fen = int(total / FEN)
    exact = [CONTEXT.divide(CONTEXT.multiply(Decimal(fen), w), s) for w in weights]
    parts = [int(x.to_integral_value(rounding=ROUND_FLOOR)) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: fen - sum(parts)]:
        parts[i] += 1
    return [Decimal(p) * FEN for p in parts]


def tier_pieces(need: list[Decimal], shares: list[Decimal], total_cap: Decimal | None, rule: str, line: int) -> list[list[Decimal]]:
    """What each payer of one waterfall tier pays in each region (rows: regions).
    Mirrors compiler.interpreter.funds.tier_pieces, which says why."""
    if total_cap is None:
        return [largest_remainder(n, shares, rule, line) if n else [ZERO] * len(shares) for n in need]
    wanted = sum(need, ZERO)
    parts = need if wanted <= total_cap else largest_remainder(total_cap, need, rule, line)
    tier_total = sum(parts, ZERO)
    rows = [[ZERO] * len(shares) for _ in parts]
    if not tier_total:
        return rows
    unpaid = list(parts)
    for i, payer_total in enumerate(largest_remainder(tier_total, shares, rule, line)):
        if i == len(shares) - 1:
            spread = unpaid
        else:
            spread = largest_remainder(payer_total, unpaid, rule, line) if payer_total else [ZERO] * len(unpaid)
        for row, piece in zip(rows, spread):
            row[i] = piece
        unpaid = [u - q for u, q in zip(unpaid, spread)]
    return rows


def _increasing(bands: list[tuple[Decimal, Decimal | None, Decimal]], line: int) -> None:
    """Edges may be open parameters a scenario sets: out of order, bands would overlap."""
    for lo, hi, _ in bands:
        if hi is not None and hi <= lo:
            raise PolicyError("分段表的档次边界须递增", "band edges must increase", line)


def band(x: Decimal, bands: list[tuple[Decimal, Decimal | None, Decimal]], line: int) -> Decimal:
    _increasing(bands, line)
    for lo, hi, value in bands:
        if lo <= x and (hi is None or x < hi):
            return value
    raise PolicyError("分段表没有覆盖该值", f"no band holds the value {x}", line)


def progressive(x: Decimal, bands: list[tuple[Decimal, Decimal | None, Decimal]], line: int) -> Decimal:
    _increasing(bands, line)
    total = ZERO
    for lo, hi, rate in bands:
        top = x if hi is None else min(x, hi)
        if top > lo:
            total += (top - lo) * rate
    return total


class Ledger:
    """Transfers grouped by rule, so the ledger reads in source order however
    evaluation happened to reach the rules."""

    def __init__(self) -> None:
        self.by_rule: dict[str, list[Transfer]] = {}

    def move(self, rule: str, line: int, source: str, dest: str, amount: Decimal, region: str | None = None) -> Decimal:
        amount = round_fen(amount)
        if amount < 0:
            where = f"(地区“{region}”)" if region else ""
            raise PolicyError(f"“{rule}”{where}为负:{amount}", f"‘{rule}’ is negative ({amount})", line)
        entries = self.by_rule.setdefault(rule, [])
        if amount:
            entries.append(Transfer(source, dest, amount, rule, line))
        return amount

    def into(self, fund: str, rules: list[str]) -> Decimal:
        return sum((t.amount for r in rules for t in self.by_rule.get(r, []) if t.dest == fund), ZERO)

    def out_of(self, fund: str, rules: list[str]) -> Decimal:
        return sum((t.amount for r in rules for t in self.by_rule.get(r, []) if t.source == fund), ZERO)

    def in_order(self, rules: list[str]) -> list[Transfer]:
        return [t for r in rules for t in self.by_rule.get(r, [])]


def settle_funds(
    ledger: Ledger, rules: list[str], funds: dict[str, bool], opening: dict[str, Decimal], lines: dict[str, int],
    regional: frozenset[str] = frozenset(), regions: list[str] | None = None,
) -> dict[str, Decimal]:  # fmt: skip
    """Conservation per fund account: opening + in − out = closing, to the fen. A
    fund that is not carried must close at zero; a carried one may not go below it.
    A per-region fund keeps one account per region."""
    closing: dict[str, Decimal] = {}
    transfers = ledger.in_order(rules)
    accounts = [
        (name, carried, lines[fund])
        for fund, carried in funds.items()
        for name in ([party(fund, r) for r in regions or []] if fund in regional else [fund])
    ]
    for fund, carried, line in accounts:
        inflow = sum((t.amount for t in transfers if t.dest == fund), ZERO)
        outflow = sum((t.amount for t in transfers if t.source == fund), ZERO)
        balance = opening.get(fund, ZERO) + inflow - outflow
        if carried:
            if balance < 0:
                raise PolicyError(f"资金“{fund}”余额不足:期末余额为{balance}", f"fund ‘{fund}’ is overdrawn: it would close at {balance}", line)
            closing[fund] = balance
        elif balance != 0:
            raise PolicyError(f"资金“{fund}”期末留有{balance}元没有去向", f"fund ‘{fund}’ is left holding {balance} with no destination", line)
    return closing


def need(table: dict[str, Supplied], name: str, region: str | None, kind: str) -> Value:
    """A supplied input or parameter, or a clear error naming what is missing."""
    if name not in table:
        if kind == "open":
            raise PolicyError(f"参数“{name}”待定,须由情景提供", f"parameter ‘{name}’ is open and must be supplied")
        where = f"(地区“{region}”)" if region else ""
        raise PolicyError(f"缺少输入“{name}”{where}", f"missing input ‘{name}’" + (f" for ‘{region}’" if region else ""))
    value = table[name]
    if isinstance(value, dict):
        if region is None or region not in value:
            raise PolicyError(f"“{name}”缺少地区“{region}”的值", f"‘{name}’ has no value for region ‘{region}’")
        return value[region]
    return value


def num(v: Value) -> Decimal:
    if isinstance(v, bool) or not isinstance(v, Decimal):
        raise PolicyError(f"应为数值,却是{v!r}", f"expected a number, got {v!r}")
    return v


def flag(v: Value) -> bool:
    if not isinstance(v, bool):
        raise PolicyError(f"应为布尔值,却是{v!r}", f"expected a boolean, got {v!r}")
    return v


def text(v: Value) -> str:
    if not isinstance(v, str):
        raise PolicyError(f"应为文字,却是{v!r}", f"expected text, got {v!r}")
    return v


def regional(values: Mapping[str, Value]) -> dict[str, Value]:
    """A per-region mapping of any value type, as the evaluator stores it."""
    return dict(values)


def party(name: str, region: str) -> str:
    """A per-region party, such as 地方政府(安顺市)."""
    return f"{name}({region})"


def amount(x: Decimal, rule: str, line: int) -> Decimal:
    """An amount about to be moved or shared out: to the fen, never negative."""
    x = round_fen(x)
    if x < 0:
        raise PolicyError(f"“{rule}”为负:{x}", f"‘{rule}’ is negative ({x})", line)
    return x


def mix(parts: list[tuple[Decimal, list[Decimal]]], rule: str, line: int) -> list[Decimal]:
    """Each region's share under a weighted mix of factors: Σ weight × factor ÷ Σ factor."""
    shares = [ZERO] * (len(parts[0][1]) if parts else 0)
    for weight, factors in parts:
        total = sum(factors, ZERO)
        if total <= 0:
            raise PolicyError(f"“{rule}”的分配依据之和为零或为负", f"the weights of ‘{rule}’ add up to zero or less", line)
        shares = [s + CONTEXT.divide(CONTEXT.multiply(weight, f), total) for s, f in zip(shares, factors)]
    return shares


@dataclass(frozen=True)
class Result:
    values: dict[str, Supplied]
    transfers: list[Transfer]
    closing: dict[str, Decimal]


def result(
    transfers: list[Transfer], closing: dict[str, Decimal], rules: list[str],
    by_region: dict[str, dict[str, Decimal]], totals: dict[str, Decimal],
    lets: list[tuple[str, bool]], memo: dict[tuple[str, str | None], Value], regions: list[str],
) -> Result:  # fmt: skip
    """Every rule's value, and every derived value settlement needed."""
    values: dict[str, Supplied] = {}
    for name in rules:
        values[name] = dict(by_region[name]) if name in by_region else totals[name]
    for name, per_region in lets:
        if not per_region and (name, None) in memo:
            values[name] = memo[(name, None)]
        elif per_region:
            got = {r: memo[(name, r)] for r in regions if (name, r) in memo}
            if got:
                values[name] = got
    return Result(values, transfers, closing)
