"""约束 over a batch: every constraint evaluated for every draw, before it is settled.

The per-draw engines check constraints through the interpreter (compiler.interpreter.
check_constraints) each period; here a draw whose inputs grew past a constraint fails
with the same sentence, at the same place: the first constraint it breaks in source
order, a per-region one in the order of the regions. A constraint reading a value the
draw lacks (an input only one branch needs) is not decided, as there.
"""

from __future__ import annotations

import attrs
import numpy as np

from compiler.ir.checked import CheckedPolicy
from compiler.ir.regional import regional
from compiler.runtime import REGION
from compiler.vector.arith import Why, why
from compiler.vector.rules import Failures
from compiler.vector.values import Values

# What a scenario may leave out: a constraint reading it is not decided.
UNDECIDED = frozenset({"missing-input", "missing-input-in", "open-parameter", "no-region-value"})


def check_constraints(checked: CheckedPolicy, values: Values, regions: list[str], failures: Failures) -> None:
    n = len(failures.failed)
    for c in checked.scope.constraints:
        text = " ".join(checked.text_of(c.cond.span).split()) or "…"
        quote = c.literate.quote.value if c.literate.quote is not None else None
        per = regional(checked, c.cond)
        width = len(regions) if per else 1
        with values.within(REGION if per else None):
            flag = values.flag(c.cond)
        holds = np.broadcast_to(np.asarray(flag.data, dtype=bool).reshape(-1, width), (n, width))
        bad = np.zeros((n, width), dtype=bool)
        if flag.bad is not None:
            bad = np.broadcast_to(np.asarray(flag.bad).reshape(-1, width), (n, width))
        undecided = flag.why is not None and flag.why.key in UNDECIDED
        # Where a region is undecided the interpreter stops reading this constraint for the draw.
        stop = np.cumsum(bad, axis=1) > 0 if undecided else np.zeros((n, width), dtype=bool)
        for i in range(width):
            region = regions[i] if per else None
            if not undecided:
                failures.add(bad[:, i] & ~stop[:, i], flag.why, c.cond.span.line)
            broken = _broken(c.cond.span.line, c.cond.span.column, text, quote, region)
            failures.add(~holds[:, i] & ~bad[:, i] & ~stop[:, i], broken)


def _broken(line: int, column: int, cond: str, quote: str | None, region: str | None) -> Why:
    key = "constraint" + ("-in" if region is not None else "") + ("-quoted" if quote else "")
    return attrs.evolve(why(key, line, cond=cond, quote=quote, region=region), column=column)
