"""Fill the `{{…}}` references in drafters' prose with the values the interpreter computes.

`pool check` (compiler/checks/prose.py) has already proved every reference resolvable; a
value that still cannot be computed (an example that fails to run) is shown as 〔未能计算〕
and the example's failure is `pool test`'s to report.
"""

from __future__ import annotations

from compiler.explain.phrases import Phrases
from compiler.explain.worked import value_text
from compiler.interpreter.examples import example_periods
from compiler.interpreter.funds import Machine
from compiler.interpreter.values import EvalError, Scalar
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.prose import refs
from compiler.ir.scope import account
from compiler.ir.types import MONEY


class Filler:
    def __init__(self, checked: CheckedPolicy, phrases: Phrases) -> None:
        self.c = checked
        self.p = phrases
        policy = checked.policy
        self.examples = {d.label.value: d for d in (policy.decls if policy else ()) if isinstance(d, ir.Example)}

    def fill(self, text: str) -> str:
        out, at = [], 0
        for ref in refs(text):
            out.append(text[at : ref.start])
            out.append(self.value(ref.name, ref.example, ref.region))
            at = ref.end
        out.append(text[at:])
        return "".join(out)

    def value(self, name: str, example: str | None, region: str | None) -> str:
        missing = self.p.t("〔未能计算〕", "[not computable]")
        if example is None:
            return self.p.name(name)
        ex = self.examples.get(example)
        if ex is None:
            return missing
        got: Scalar | None = None
        try:
            for run in example_periods(self.c, ex):  # the last period that computes it
                if name in self.c.scope.funds:
                    fund = self.c.scope.funds[name]
                    key = account(name, region) if fund.per_region and region else name
                    if run.closing is not None and key in run.closing:
                        got = run.closing[key]
                    continue
                v = Machine(self.c, run.env).values.name(name, region)
                got = v
        except EvalError:
            pass
        if got is None:
            return missing
        return value_text(got, self.c.types.get(name, MONEY), self.p.lang)
