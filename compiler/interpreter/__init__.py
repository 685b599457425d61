"""The reference interpreter: the oracle every compiled evaluator is tested against.

`settle` runs one period: every rule, the ledger, and each fund's conservation
(opening + in − out = closing, to the fen). `run_examples` runs the examples a
policy carries, period after period, carrying the balances of carried funds.
"""

from __future__ import annotations

from fractions import Fraction

import attrs

from compiler.interpreter.constraints import check_constraints
from compiler.interpreter.funds import Machine, Transfer
from compiler.interpreter.recorder import Recorder
from compiler.interpreter.values import Env, EvalError, Member, Scalar
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.runtime import NO_ENTITIES, Account, Entities, conserve

__all__ = [
    "Env",
    "EvalError",
    "Machine",
    "PeriodResult",
    "Recorder",
    "Transfer",
    "check_constraints",
    "settle",
    "settle_machine",
]


@attrs.frozen
class PeriodResult:
    values: dict[str, Scalar | dict[str, Scalar]]
    transfers: list[Transfer]
    closing: dict[str, Fraction]  # every carried fund account's balance at the end of the period
    entities: Entities = NO_ENTITIES  # the period's persons, employers, institutions (the ledger totals them)


def settle(checked: CheckedPolicy, env: Env, recorder: Recorder | None = None) -> PeriodResult:
    return settle_machine(Machine(checked, env, recorder))


def settle_machine(m: Machine) -> PeriodResult:
    """Run every rule of a machine's period; the machine can then be asked for any other value."""
    checked, env = m.checked, m.env
    for r in checked.scope.rules:
        m.run(r)
    transfers = [t for r in checked.scope.rules for t in m.results[r.name.text].transfers]
    into: dict[str, Fraction] = {}
    out_of: dict[str, Fraction] = {}
    for t in transfers:
        into[t.dest] = into.get(t.dest, Fraction(0)) + t.amount
        out_of[t.source] = out_of.get(t.source, Fraction(0)) + t.amount
    accounts = [Account(a, f.carried, span=f.span) for f in m.plan.funds for a in f.accounts(env.regions)]
    closing = conserve(accounts, env.opening, lambda a: (into.get(a, Fraction(0)), out_of.get(a, Fraction(0))))
    closing.update(m.claims)  # 挂账: unpaid claims carry like balances
    return PeriodResult(_computed(checked, m), transfers, closing, env.entities)


def _computed(checked: CheckedPolicy, m: Machine) -> dict[str, Scalar | dict[str, Scalar]]:
    """Every rule, and every derived value settlement needed. A value only one
    branch needs (原标准征缴收入 when a region changed its policy) is left out
    where it was not needed, rather than demanding inputs the period lacks."""
    out: dict[str, Scalar | dict[str, Scalar]] = {}
    for n, d in checked.scope.values.items():
        if isinstance(d, ir.Rule):
            out[n] = m.value(n)
        elif isinstance(d, ir.LetDecl):
            got = {r: v for (name, r), v in m.values.memo.items() if name == n}
            kind = checked.types[n].entity
            if None in got:
                out[n] = got[None]
            elif got and kind is not None:  # per entity: by id, in the order the scenario lists them
                out[n] = {i: got[Member(kind, i)] for i in m.env.entities.of(kind) if Member(kind, i) in got}
            elif got:
                out[n] = {r: got[r] for r in m.env.regions if r in got}
    return out
