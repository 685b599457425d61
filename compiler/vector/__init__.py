"""The vectorized backend: a checked policy over arrays of scenarios at once.

    from compiler.vector import Batch, run_batch
    out = run_batch(checked, Batch(regions, size, params, inputs, opening))
    out.values["基础上解额"]        # int64 fen, (draws, regions)
    out.closing["省级留存"]          # int64 fen, (draws,)
    out.ledger(7)                    # draw 7's transfers, as the scalar engines list them

Representation (compiler/vector/arith.py says more): money moved is int64 fen;
every value before a transfer is an exact rational num/den over int64 (Python
ints where a bound says int64 might not hold; or VectorOverflow with `strict`);
rounding is half-up to the fen in integers; largest-remainder shares use an
integer floor, integer remainders and a stable argsort. No float touches money.
Batch values: money as int64 fen arrays, other numbers as `Scaled(num, den)`
arrays or exact scalars, booleans as bool arrays, enumeration members as str
arrays (or their codes: compiler/vector/flag.py); per-region values (draws, regions), global ones (draws,), or a scalar.

Entities below regions (compiler/vector/entities.py): `Batch.entities` lists them, the
same in every draw; a value per entity of a kind is (draws, n) in the order listed, a
per-entity rule's value too, and its transfers name each entity's account (参保人员(张三))
and the per-region fund accounts of the entity's region, as the interpreter's ledger does.

It imports compiler.ir, numpy and (for `batch_of`) compiler.scenario: never the parser
or the checks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
import numpy as np

from compiler.ir.checked import CheckedPolicy
from compiler.ir.types import Base
from compiler.plan import plan_of
from compiler.runtime import SettlementError
from compiler.vector import arith as A
from compiler.vector.arith import Arr, Ctx, VectorOverflow, Why, why
from compiler.vector.batch import Batch, Scaled
from compiler.vector.constraints import check_constraints
from compiler.vector.entities import Columns, Layout
from compiler.vector.flag import coded, member_codes
from compiler.vector.flows import AnyFlow, EntityFlow, Flow, account_terms
from compiler.vector.rules import Failures, Machine
from compiler.vector.stack import batch_of
from compiler.vector.values import Flag, V, Values

__all__ = [
    "Batch",
    "BatchError",
    "BatchResult",
    "Columns",
    "EntityFlow",
    "Flow",
    "Scaled",
    "VectorOverflow",
    "batch_of",
    "run_batch",
    "settle_funds",
]


class BatchError(SettlementError):
    """Some draws cannot be settled; `failed` marks them, `reasons` says why (first ones).
    The settlement error of the first failing draw, as the scalar engines would raise it."""

    def __init__(self, failed: Arr, reasons: dict[int, Why]) -> None:
        first = int(np.flatnonzero(failed)[0])
        reason = reasons.get(first, Why("cannot-settle"))
        details: dict[str, Any] = dict(reason.details)
        super().__init__(reason.key, reason.line, None, **details)
        self.failed, self.reasons, self.first = failed, reasons, first
        self.column = reason.column  # a 约束's, named file:line:column as the other engines do
        self.args = (f"draw {first} (of {int(failed.sum())} failing): {reason.en}",)

    def __str__(self) -> str:
        return str(self.args[0])


@attrs.frozen
class BatchResult:
    regions: tuple[str, ...]
    values: dict[str, Arr]  # every rule, int64 fen: (draws, regions) or (draws,)
    flows: list[AnyFlow]  # the ledger, in the scalar engines' order, zero amounts included; per-entity
    # rules as one EntityFlow each (amounts per entity as arrays, totals per region on demand)
    closing: dict[str, Arr]  # every carried fund account, int64 fen (draws,)
    failed: Arr  # (draws,) bool: draws that could not be settled (empty unless strict=False)
    promoted: int  # operations that needed Python ints (0 when int64 held everywhere)
    reasons: dict[int, Why] = attrs.field(factory=dict)  # why a failed draw failed (the first ones)
    ids: Mapping[str, Sequence[str]] = attrs.field(factory=dict)  # the entities' ids per kind, in order

    def all_flows(self) -> list[Flow]:
        """Every transfer as a Flow, one per entity for per-entity rules: for small batches."""
        out: list[Flow] = []
        for f in self.flows:
            out += f.expand(self.ids.get(f.kind, ())) if isinstance(f, EntityFlow) else [f]
        return out

    def ledger(self, draw: int) -> list[tuple[str, str, int, str, int]]:
        """Draw `draw`'s transfers as (source, dest, fen, rule, line), zero ones left out."""
        return [(f.source, f.dest, int(f.amount[draw]), f.rule, f.line) for f in self.all_flows() if f.amount[draw]]


def run_batch(
    checked: CheckedPolicy,
    batch: Batch,
    strict: bool = False,
    raise_failures: bool = True,
    constraints: bool = False,
    funds: bool = True,
) -> BatchResult:
    """Settle every draw of a batch. `strict`: raise VectorOverflow rather than
    fall back to Python ints. With `raise_failures` (the default) a draw that
    cannot be settled raises BatchError; otherwise it is marked in `failed`.
    With `constraints`, a draw that breaks a 约束 fails before anything is settled.
    Without `funds`, the rules only: no closing balances and no conservation check (a
    partition of the regions, whose funds `settle_funds` closes once all are combined)."""
    ctx = Ctx(strict=strict)
    regions = list(batch.regions)
    n = batch.size
    layout = Layout(batch.entities, regions)
    supplied = {k: _value(checked, k, v, n, layout) for k, v in {**batch.params, **batch.inputs}.items()}
    opening = {k: _fen(v, n) for k, v in batch.opening.items()}
    failures = Failures(n)
    machine: Machine
    values = Values(checked, regions, n, supplied, opening, lambda rule: machine.rule_value(rule), ctx, layout)
    machine = Machine(checked, values, failures)
    if constraints and checked.scope.constraints:
        check_constraints(checked, values, regions, failures)
    for rule in checked.scope.rules:
        machine.run(rule)
    flows = [f for rule in checked.scope.rules for f in machine.results[rule.name.text].flows]
    closing = _settle_funds(checked, regions, n, flows, opening, failures, ctx) if funds else {}
    closing.update(machine.claims)  # 挂账: unpaid claims carry like balances
    if raise_failures and failures.failed.any():
        raise BatchError(failures.failed, failures.reasons)
    out = {}
    for rule in checked.scope.rules:
        fen = machine.results[rule.name.text].fen
        out[rule.name.text] = fen if checked.types[rule.name.text].per_region else fen[:, 0]
    return BatchResult(tuple(regions), out, flows, closing, failures.failed, ctx.promoted, failures.reasons, layout.ids)


def settle_funds(checked: CheckedPolicy, batch: Batch, flows: list[AnyFlow]) -> BatchResult:
    """The funds of a batch closed over flows settled elsewhere (the partitions of a Dask run,
    combined): closing balances and the conservation check, as run_batch does them; BatchError
    where a draw cannot close. Only `closing` and `failed` of the result mean anything."""
    ctx, failures = Ctx(), Failures(batch.size)
    opening = {k: _fen(v, batch.size) for k, v in batch.opening.items()}
    closing = _settle_funds(checked, list(batch.regions), batch.size, flows, opening, failures, ctx)
    if failures.failed.any():
        raise BatchError(failures.failed, failures.reasons)
    return BatchResult(batch.regions, {}, flows, closing, failures.failed, ctx.promoted, failures.reasons)


def _settle_funds(
    checked: CheckedPolicy,
    regions: list[str],
    n: int,
    flows: list[AnyFlow],
    opening: dict[str, Arr],
    failures: Failures,
    ctx: Ctx,
) -> dict[str, Arr]:
    """Conservation per account: opening + in − out = closing; uncarried close at zero, carried never below."""
    closing: dict[str, Arr] = {}
    for fund in plan_of(checked).funds:
        for name in fund.accounts(regions):
            terms = account_terms(flows, into=name) + account_terms(flows, out_of=name, sign=-1)
            if name in opening:
                terms.append((1, opening[name], A.measure(opening[name])))
            balance = A.fen_sum(ctx, terms, n)
            if fund.carried:
                failures.add(balance < 0, why("overdrawn-draw", fund.line, fund=name))
                closing[name] = balance
            else:
                failures.add(balance != 0, why("left-holding-draw", fund.line, fund=name))
    return closing


def _fen(v: Any, n: int) -> Arr:
    if isinstance(v, np.ndarray):
        if v.dtype != np.int64:
            raise TypeError("opening balances are int64 fen arrays")
        return np.broadcast_to(v, (n,)).copy()
    return np.full(n, _exact_fen(Fraction(v)), dtype=np.int64)


def _exact_fen(x: Fraction) -> int:
    fen = x * 100
    if fen.denominator != 1:
        raise ValueError(f"money has at most two decimals: {x}")
    if abs(fen.numerator) >= 2**63:
        raise VectorOverflow(None, f"the amount {x}")
    return int(fen.numerator)


def _shape(a: Arr, width: int | None, n: int, name: str) -> Arr:
    """`width`: how many values per draw (regions, or entities of a kind); None for one."""
    want = (n, width) if width is not None else (n,)
    if a.shape != want:
        raise ValueError(f"‘{name}’ should have shape {want}, not {a.shape}")
    return a if width is not None else a.reshape(n, 1)


def _value(checked: CheckedPolicy, name: str, v: Any, n: int, layout: Layout) -> V:
    """A batch value as the evaluator holds it."""
    if name not in checked.types:
        raise KeyError(f"‘{name}’ is not a parameter or input of this policy")
    t = checked.types[name]
    dim = plan_of(checked).dims.get(name)
    width = layout.width(dim) if dim is not None else None
    if t.numeric:
        if isinstance(v, Scaled):
            return A.of_ints(_shape(np.asarray(v.num, dtype=np.int64), width, n, name), v.den)
        if isinstance(v, np.ndarray):
            if v.dtype != np.int64:
                raise TypeError(f"‘{name}’: numbers are int64 arrays (fen for money) or Scaled, never floats")
            return A.of_ints(_shape(v, width, n, name), 100 if t.base is Base.MONEY else 1)
        if isinstance(v, (bool, float)) or not isinstance(v, (int, Decimal, Fraction, str)):
            raise TypeError(f"‘{name}’: expected an exact number, got {v!r}")
        text = v.strip() if isinstance(v, str) else None
        if text is not None and text.endswith("%"):
            return A.const(Fraction(Decimal(text[:-1])) / 100)
        return A.const(Fraction(Decimal(text)) if text is not None else Fraction(v))
    data = coded(member_codes(checked), v) if t.base is Base.ENUM else np.asarray(v)
    if isinstance(v, np.ndarray):
        return Flag(_shape(data, width, n, name))
    return Flag(data)
