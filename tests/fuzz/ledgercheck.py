"""An independent conservation check of one period's ledger, from what the generator knows.

It shares no code with the engines: the accounts, which of them carry a balance, and the caps
come from tests/fuzz/moneygen.py's Case, the arithmetic is Fraction, and it reads only the
ledger rows and the closing balances an engine reports. For every fund account:

    opening + inflows − outflows = closing      (carried: as reported; not carried: zero)

to the fen; every amount is ≥ 0 and a whole number of fen; every 累计上限 is respected: what the
capped retentions put into a fund this period is at most what the highest of its caps leaves
room for above the opening balance (several caps on one fund do not add up).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Any

from moneygen import Cap

Row = tuple[str, str, Fraction, str, int]

# moneygen's one rule that may carry unpaid claims (不足时 挂账), and the reserve it pays from.
# A claim is what the rule asked and was not paid: never negative, a whole fen, and left only
# when the reserve paid out everything it held.
CLAIMS = {"缺口补助": "省级留存"}


def _fen(x: Fraction) -> bool:
    return (x * 100).denominator == 1


def check_period(
    rows: Iterable[Row],
    closing: dict[str, Fraction],
    opening: dict[str, Fraction],
    accounts: dict[str, bool],
    caps: list[Cap],
    scenario: dict[str, Any],
) -> list[str]:
    """What is wrong with one engine's ledger for one period ([] when nothing is)."""
    rows = list(rows)
    problems: list[str] = []
    for src, dst, amount, rule, line in rows:
        if amount < 0:
            problems.append(f"negative transfer {src}→{dst} {amount} ({rule}, line {line})")
        if not _fen(amount):
            problems.append(f"transfer {src}→{dst} of {amount} 元 is not a whole fen ({rule}, line {line})")
        if src == dst:
            problems.append(f"{rule}: {src} pays itself")
    for acc, carried in accounts.items():
        inflow = sum((a for _, d, a, _, _ in rows if d == acc), Fraction(0))
        outflow = sum((a for s, _, a, _, _ in rows if s == acc), Fraction(0))
        balance = opening.get(acc, Fraction(0)) + inflow - outflow
        if carried:
            if acc not in closing:
                problems.append(f"carried account {acc} has no closing balance (it would close at {_yuan(balance)})")
            elif closing[acc] != balance:
                problems.append(
                    f"{acc}: opening {_yuan(opening.get(acc, Fraction(0)))} + in {_yuan(inflow)} − out "
                    f"{_yuan(outflow)} = {_yuan(balance)}, reported {_yuan(closing[acc])}"
                )
            if balance < 0:
                problems.append(f"{acc} closes overdrawn at {_yuan(balance)}")
        elif balance != 0:
            problems.append(f"{acc} is not carried yet is left holding {_yuan(balance)}")
    for acc in closing:
        claim = next((r for r in CLAIMS if acc.startswith(r + "(")), None)
        if claim is not None:
            left = closing[acc]
            if left < 0 or not _fen(left):
                problems.append(f"unpaid claim {acc} of {_yuan(left)}")
            elif left and closing.get(CLAIMS[claim], Fraction(0)) != 0:
                problems.append(
                    f"{acc} is left unpaid {_yuan(left)} while {CLAIMS[claim]} still holds "
                    f"{_yuan(closing[CLAIMS[claim]])}"
                )
        elif acc not in accounts:
            problems.append(f"closing balance for {acc}, which is no carried fund account")
    by_fund: dict[str, list[Cap]] = {}
    for cap in caps:
        by_fund.setdefault(cap.fund, []).append(cap)
    for fund, fund_caps in by_fund.items():
        rules = {c.rule for c in fund_caps}
        retained = sum((a for _, d, a, r, _ in rows if d == fund and r in rules), Fraction(0))
        ceiling = max(Fraction(c.value(scenario)) for c in fund_caps)
        room = max(Fraction(0), ceiling - opening.get(fund, Fraction(0)))
        if retained > room:
            problems.append(
                f"累计上限 {_yuan(ceiling)} exceeded: {fund} opened at {_yuan(opening.get(fund, Fraction(0)))} and "
                f"retained {_yuan(retained)}"
            )
    return problems


def _yuan(x: Fraction) -> str:
    """Exactly (Decimal's default 28 digits would hide a fen at 10²⁶ 元)."""
    fen = x * 100
    if fen.denominator != 1:
        return f"{x} (not a whole fen)"
    n = abs(fen.numerator)
    return f"{'-' if fen < 0 else ''}{n // 100}.{n % 100:02d}"


def opening_of(scenario: dict[str, Any]) -> dict[str, Fraction]:
    """The scenario's `state` as ledger accounts (a per-region fund's balance is `名(地区)`)."""
    out: dict[str, Fraction] = {}
    for fund, v in scenario.get("state", {}).items():
        if isinstance(v, dict):
            out.update({f"{fund}({r})": Fraction(Decimal(x)) for r, x in v.items()})
        else:
            out[fund] = Fraction(Decimal(v))
    return out
