"""Built-in functions of the language: one canonical id, a Chinese and an English name."""

from __future__ import annotations

import attrs


@attrs.frozen
class Function:
    id: str
    zh: str
    min_args: int
    max_args: int | None  # None: any number from min_args
    aggregate: bool = False  # turns a per-region value into one value


FUNCTIONS: tuple[Function, ...] = (
    Function("max", "取大", 2, None),
    Function("min", "取小", 2, None),
    Function("clamp", "限定", 3, 3),
    Function("sum", "合计", 1, 1, aggregate=True),
    Function("mean", "平均", 1, 1, aggregate=True),
    Function("share", "占比", 1, 1),
    Function("count", "计数", 1, 1, aggregate=True),
    Function("balance", "余额", 1, 1),
    # Within a period (compiler/months.py lowers them before the checks): a monthly value from
    # the first month to this one, and up to the month before.
    Function("to_date", "累计", 1, 1),
    Function("before", "此前", 1, 1),
)

BY_NAME: dict[str, Function] = {n: f for f in FUNCTIONS for n in (f.id, f.zh)}


def lookup(name: str) -> Function | None:
    return BY_NAME.get(name)
