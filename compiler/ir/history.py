"""The names time across periods adds to a program (compiler/years.py lowers to them): the
implicit input 年度, and an input's value N periods back, 征缴收入(前1年)."""

from __future__ import annotations

YEAR = "年度"  # the implicit input holding the period's year


def history_name(name: str, back: int) -> str:
    """The implicit input for an input's value `back` periods before: 征缴收入(前1年)."""
    return f"{name}(前{back}年)"


def parse_history(name: str) -> tuple[str, int] | None:
    """(input, back) for a history input's name, else None."""
    base, paren, rest = name.partition("(前")
    if paren and rest.endswith("年)") and rest[:-2].isdigit():
        return base, int(rest[:-2])
    return None
