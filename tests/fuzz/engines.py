"""The three engines on the same scenarios, their answers in one shape, and how they differ.

    outs = run_all(checked, source, scenarios)   # {"interpreter": [Outcome…], "compiled": […], "vector": […]}
    differences(outs, scenarios)                 # [] when all three agree to the fen

Amounts are exact Fractions of a 元 whatever the engine (the vectorized one's int64 fen
divided by 100), so a comparison is exact; a value that is not a whole fen is kept as it
came, for the conservation check to flag.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import attrs

from compiler.evaluate import compiled_module, env_of
from compiler.interpreter import EvalError, settle
from compiler.ir.checked import CheckedPolicy
from compiler.runtime import PolicyError
from compiler.scenario import Scenario
from compiler.vector import Batch, VectorOverflow, batch_of, run_batch

ENGINES = ("interpreter", "compiled", "vector")
Row = tuple[str, str, Fraction, str, int]  # source, dest, amount in 元, rule, line
Val = Fraction | dict[str, Fraction]


@dataclass
class Outcome:
    """One engine's answer for one scenario: a ledger, or a failure it reported, or a crash."""

    ledger: list[Row] = field(default_factory=list)
    closing: dict[str, Fraction] = field(default_factory=dict)
    values: dict[str, Val] = field(default_factory=dict)  # every rule's value, money
    failed: str | None = None  # a failure the engine reports to the user (overdrawn fund, …)
    crash: str | None = None  # anything else: a traceback a user would see
    refused: bool = False  # the vectorized engine refused an amount past int64 fen


def _money(v: Any) -> Val:
    if isinstance(v, dict):
        return {r: Fraction(x) for r, x in v.items()}
    return Fraction(v)


def _from_scalar(values: dict[str, Any], transfers: list[Any], closing: dict[str, Any], rules: list[str]) -> Outcome:
    ledger = [(t.source, t.dest, Fraction(t.amount), t.rule, t.line) for t in transfers]
    return Outcome(
        ledger, {k: Fraction(v) for k, v in closing.items()}, {k: _money(values[k]) for k in rules if k in values}
    )


def run_interpreter(checked: CheckedPolicy, scen: Scenario, rules: list[str]) -> Outcome:
    try:
        res = settle(checked, env_of(scen))
    except EvalError as e:
        return Outcome(failed=e.en)
    except Exception:
        return Outcome(crash=traceback.format_exc(limit=-6))
    return _from_scalar(res.values, res.transfers, res.closing, rules)


def run_compiled(module: Any, scen: Scenario, rules: list[str]) -> Outcome:
    try:
        out = module.evaluate(list(scen.regions), dict(scen.params), dict(scen.inputs), dict(scen.state), scen.entities)
    except PolicyError as e:
        return Outcome(failed=e.en)
    except Exception:
        return Outcome(crash=traceback.format_exc(limit=-6))
    return _from_scalar(out.values, out.transfers, out.closing, rules)


def run_vector(
    checked: CheckedPolicy, scens: list[Scenario], rules: list[str], given: Batch | None = None
) -> list[Outcome]:
    """Every scenario as one draw of a single batch (they share their regions)."""
    n = given.size if given is not None else len(scens)
    try:
        batch = given if given is not None else batch_of(checked, scens)
    except OverflowError:  # a global ratio of 30 digits over one int64 denominator: one draw at a time, exact
        return [o for s in scens for o in _one_by_one(checked, s, rules)]
    try:
        res = run_batch(checked, batch, raise_failures=False)
    except VectorOverflow:
        return [Outcome(refused=True) for _ in range(n)]
    except Exception:
        return [Outcome(crash=traceback.format_exc(limit=-6)) for _ in range(n)]
    outs = []
    for k in range(n):
        if res.failed[k]:
            why = res.reasons.get(k)
            outs.append(Outcome(failed=why.en if why else "failed"))
            continue
        ledger = [(s, d, Fraction(fen, 100), rule, line) for s, d, fen, rule, line in res.ledger(k)]
        closing = {a: Fraction(int(v[k]), 100) for a, v in res.closing.items()}
        values: dict[str, Val] = {}
        for name in rules:
            arr = res.values[name][k]
            kind = checked.types[name].entity
            members = (scens[0].entities.of(kind) if scens else []) if kind is not None else res.regions
            values[name] = (
                {r: Fraction(int(x), 100) for r, x in zip(members, arr)} if arr.ndim else Fraction(int(arr), 100)
            )
        outs.append(Outcome(ledger, closing, values))
    return outs


def _one_by_one(checked: CheckedPolicy, scen: Scenario, rules: list[str]) -> list[Outcome]:
    """One scenario as a batch of one, its global numbers given as exact scalars rather than
    int64 arrays (run_batch takes a Fraction for a global value)."""

    def split(table: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        arrays = {k: v for k, v in table.items() if isinstance(v, dict) or not checked.types[k].numeric}
        return arrays, {k: Fraction(v) for k, v in table.items() if k not in arrays}

    params, p_exact = split(dict(scen.params))
    inputs, i_exact = split(dict(scen.inputs))
    try:
        batch = batch_of(checked, [attrs.evolve(scen, params=params, inputs=inputs)])
        batch = attrs.evolve(batch, params={**batch.params, **p_exact}, inputs={**batch.inputs, **i_exact})
    except OverflowError:
        return [Outcome(refused=True)]
    return run_vector(checked, [], rules, batch)


def run_all(checked: CheckedPolicy, source: str, scens: list[Scenario]) -> dict[str, list[Outcome]]:
    rules = [r.name.text for r in checked.scope.rules]
    try:
        module = compiled_module(checked, source)
    except Exception:
        crash = traceback.format_exc(limit=-6)
        compiled = [Outcome(crash=crash) for _ in scens]
    else:
        compiled = [run_compiled(module, s, rules) for s in scens]
    return {
        "interpreter": [run_interpreter(checked, s, rules) for s in scens],
        "compiled": compiled,
        "vector": run_vector(checked, scens, rules),
    }


@dataclass(frozen=True)
class Difference:
    cls: str  # what kind of disagreement (docs/robustness.md counts them by class)
    scenario: int
    detail: str


def _limit(o: Outcome) -> bool:
    """The vectorized engine may refuse amounts past int64 fen (9.2 × 10¹⁶ 元), never get them wrong."""
    big = Fraction(2**63, 100)
    return any(abs(a) >= big for _, _, a, _, _ in o.ledger) or any(abs(v) >= big for v in o.closing.values())


def classify(rule_rows: dict[str, list[Row]], other_rows: dict[str, list[Row]]) -> str:
    """A rule whose regions' fen differ but add up the same: the remainder went elsewhere
    (largest remainder); a rule whose total differs by a few fen: rounding or precision."""
    for rule in sorted(set(rule_rows) | set(other_rows)):
        a, b = rule_rows.get(rule, []), other_rows.get(rule, [])
        if a != b:
            ta, tb = sum((r[2] for r in a), Fraction(0)), sum((r[2] for r in b), Fraction(0))
            if ta == tb and len(a) == len(b):
                return "remainder fen to a different region"
            if abs(ta - tb) <= Fraction(len(a) + len(b) + 1, 100):
                return "rounding or precision (a few fen)"
            return "different amounts"
    return "different values or balances"


def _by_rule(rows: list[Row]) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    for row in rows:
        out.setdefault(row[3], []).append(row)
    return out


def differences(outs: dict[str, list[Outcome]]) -> list[Difference]:
    """Each engine against the interpreter (the oracle), scenario by scenario."""
    found: list[Difference] = []
    oracle = outs["interpreter"]
    for k, want in enumerate(oracle):
        if want.crash:
            found.append(Difference("traceback", k, f"interpreter: {want.crash}"))
        for engine in ENGINES[1:]:
            got = outs[engine][k]
            if got.crash:
                found.append(Difference("traceback", k, f"{engine}: {got.crash}"))
            elif want.crash:
                continue
            elif got.refused:
                if want.failed is None and not _limit(want):
                    found.append(Difference("vector refused an amount within int64 fen", k, engine))
            elif (want.failed is None) != (got.failed is None):
                found.append(
                    Difference(
                        "one engine fails, another settles",
                        k,
                        f"interpreter: {want.failed!r}; {engine}: {got.failed!r}",
                    )
                )
            elif want.failed is None and (
                got.ledger != want.ledger or got.closing != want.closing or got.values != want.values
            ):
                cls = classify(_by_rule(want.ledger), _by_rule(got.ledger))
                found.append(Difference(cls, k, f"{engine} vs interpreter: {_first_diff(want, got)}"))
    return found


def _first_diff(want: Outcome, got: Outcome) -> str:
    for a, b in zip(want.ledger, got.ledger):
        if a != b:
            return f"ledger {_row(a)} vs {_row(b)}"
    if len(want.ledger) != len(got.ledger):
        return f"ledger of {len(want.ledger)} rows vs {len(got.ledger)}"
    for name in want.values:
        if want.values[name] != got.values.get(name):
            return f"value {name}: {want.values[name]} vs {got.values.get(name)}"
    return f"closing {want.closing} vs {got.closing}"


def yuan(x: Fraction) -> str:
    """Exactly, to the fen (Decimal's default 28 digits would hide a fen at 10²⁶ 元)."""
    fen = x * 100
    if fen.denominator != 1:
        return f"{x} (not a whole fen)"
    n = abs(fen.numerator)
    return f"{'-' if fen < 0 else ''}{n // 100}.{n % 100:02d}"


def _row(r: Row) -> str:
    return f"{r[0]}→{r[1]} {yuan(r[2])} ({r[3]}, line {r[4]})"
