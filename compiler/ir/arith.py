"""The four operations on exact rationals, as the language means them: one place, read by
the interpreter, the constant folder and the constraint checker alike."""

from __future__ import annotations

from fractions import Fraction

OPERATORS = ("+", "-", "*", "/")


def apply(op: str, x: Fraction, y: Fraction) -> Fraction | None:
    """x op y exactly; None for a division by zero (each caller says what that means to it)."""
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    return x / y if y != 0 else None
