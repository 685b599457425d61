"""约束 on a scenario: every constraint evaluated, exactly, before a period is settled.

The one place every engine's caller goes through (compiler.evaluate.settle_with, the
examples of `pool test`, the stochastic base period): the interpreter's expressions
are the oracle, so the compiled and vectorized engines need no code of their own.
A constraint that reads a value the scenario does not give (an input only one branch
needs, an open parameter it leaves out) is not decided; settling says what is missing.
"""

from __future__ import annotations

from compiler.interpreter.funds import Machine
from compiler.interpreter.values import Env, EvalError
from compiler.ir.checked import CheckedPolicy
from compiler.ir.regional import regional

# What a scenario may leave out: a constraint reading it is not decided.
_UNDECIDED = frozenset({"missing-input", "missing-input-in", "open-parameter", "no-region-value"})


def check_constraints(checked: CheckedPolicy, env: Env) -> None:
    """Raise the settlement error of the first constraint the scenario breaks (in source order,
    a per-region one in the order of the scenario's regions)."""
    if not checked.scope.constraints:
        return
    values = Machine(checked, env).values
    for c in checked.scope.constraints:
        text = " ".join(checked.text_of(c.cond.span).split()) or "…"
        quote = c.literate.quote.value if c.literate.quote is not None else None
        for region in env.regions if regional(checked, c.cond) else [None]:
            try:
                holds = values.truth(c.cond, region)
            except EvalError as e:
                if e.key in _UNDECIDED:
                    break
                raise
            if not holds:
                key = "constraint" + ("-in" if region is not None else "") + ("-quoted" if quote else "")
                raise EvalError(key, span=c.cond.span, cond=text, quote=quote, region=region)
