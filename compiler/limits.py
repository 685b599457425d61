"""How deep a policy may nest, and the recursion room every command needs for it.

Lowering, the checks, both engines, the formatter and the explainer recurse over
expressions and over chains of derived values. The checks bound both (E109 past
MAX_EXPR_DEPTH brackets, E112 past MAX_CHAIN values, compiler/checks/depth.py), and
every entry point runs with RECURSION_LIMIT, which holds what they admit with room to
spare (tests/test_money_exact.py runs a policy at each limit through every command).
CPython 3.11+ keeps Python-to-Python calls off the C stack, so this is safe on the
main thread's default stack. Imports nothing: `pool --help` stays fast.
"""

from __future__ import annotations

import sys

# CPython refuses more than 200 nested brackets in one expression; the compiled evaluator
# writes each level of an expression as one or more, and a statement adds a few around it.
MAX_EXPR_DEPTH = 150
MAX_CHAIN = 1000
RECURSION_LIMIT = 20_000


def allow_deep_recursion() -> None:
    """Raise the interpreter's recursion limit to RECURSION_LIMIT (never lower it)."""
    if sys.getrecursionlimit() < RECURSION_LIMIT:
        sys.setrecursionlimit(RECURSION_LIMIT)
