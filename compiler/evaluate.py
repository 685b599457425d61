"""One entry point for evaluating a policy on a scenario file, for the CLI and for analysts.

    >>> from compiler.evaluate import evaluate_file
    >>> checked, scenario, result = evaluate_file("policies/guizhou_risk_adjustment.pool", "s.json")
    >>> result.transfers[0].amount, result.closing

Failures (policy errors, bad scenario data, a period that cannot be settled)
raise EvaluationFailed, which renders the same messages the CLI prints.
"""

from __future__ import annotations

import hashlib
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from types import ModuleType

from compiler.diagnostics import render_text
from compiler.driver import check_file
from compiler import runtime as rt
from compiler.interpreter import Env, EvalError, Machine, PeriodResult, Transfer, settle
from compiler.interpreter.trace import Step, explain
from compiler.interpreter.values import Scalar
from compiler.ir.checked import CheckedPolicy
from compiler.runtime import PolicyError
from compiler.scenario import Scenario, ScenarioError, Source, Value, load, load_periods


class EvaluationFailed(Exception):
    def __init__(self, exit_code: int, zh: str, en: str) -> None:
        super().__init__(en)
        self.exit_code = exit_code
        self.zh, self.en = zh, en

    def render(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def _fraction(v: Value) -> Scalar:
    return Fraction(v) if not isinstance(v, (bool, str)) else v


def env_of(scen: Scenario) -> Env:
    def convert(table: dict[str, Value | dict[str, Value]]) -> dict[str, Scalar | dict[str, Scalar]]:
        return {k: ({r: _fraction(x) for r, x in v.items()} if isinstance(v, dict) else _fraction(v)) for k, v in table.items()}

    return Env(
        list(scen.regions), convert(scen.params), convert(scen.inputs),
        {k: Fraction(v) for k, v in scen.state.items()}, scen.period,
    )  # fmt: skip


def load_policy(policy: str | Path) -> CheckedPolicy:
    """A checked policy, ready to evaluate; EvaluationFailed with the diagnostics otherwise."""
    return check_policy(policy)


def check_policy(policy: str | Path) -> CheckedPolicy:
    result = check_file(policy)
    if result.policy is None:
        zh = render_text(result.errors, result.sources, "zh")
        en = render_text(result.errors, result.sources, "en")
        raise EvaluationFailed(2 if result.io_error else 1, zh, en)
    return result.policy


def load_scenario(checked: CheckedPolicy, scenario: Source) -> Scenario:
    scen, errors = load(scenario, checked)
    if scen is None:
        raise EvaluationFailed(2, *_render(errors, str(scenario)))
    return scen


def explain_file(policy: str | Path, scenario: str | Path, target: str) -> tuple[CheckedPolicy, Step]:
    """The trace of one value, `名称` or `名称@地区`, as data."""
    checked = check_policy(policy)
    scen = load_scenario(checked, scenario)
    name, _, region = target.partition("@")
    try:
        return checked, explain(checked, Machine(checked, env_of(scen)), name, region or None)
    except EvalError as e:
        raise EvaluationFailed(2, f"{scenario}: {e.zh}\n", f"{scenario}: {e.en}\n") from None


Engine = str  # "compiled" (the generated evaluator, the default) or "interpreter" (the oracle)


def settle_with(
    checked: CheckedPolicy, env: Env, engine: Engine, where: str, module: ModuleType | None = None
) -> PeriodResult:
    """One period on either engine, as exact rationals; failures as EvaluationFailed."""
    try:
        if engine == "interpreter":
            return settle(checked, env)
        module = module or policy_module(checked)
        out = module.evaluate(env.regions, _decimals(env.params), _decimals(env.inputs), {k: _dec(v) for k, v in env.opening.items()})
    except EvalError as e:
        at = f"{e.span}: " if e.span else ""
        raise EvaluationFailed(2, f"{where}: 无法计算:{at}{e.zh}\n", f"{where}: cannot settle: {at}{e.en}\n") from None
    except PolicyError as e:
        at = f"{checked.program.main.span.file}:{e.line}: " if e.line else ""
        raise EvaluationFailed(2, f"{where}: 无法计算:{at}{e.zh}\n", f"{where}: cannot settle: {at}{e.en}\n") from None
    return PeriodResult(
        {k: _exact(v) for k, v in out.values.items()},
        [Transfer(t.source, t.dest, Fraction(t.amount), t.rule, t.line) for t in out.transfers],
        {k: Fraction(v) for k, v in out.closing.items()},
    )


def _dec(v: Fraction) -> Decimal:
    d = Decimal(v.numerator) / Decimal(v.denominator)
    assert Fraction(d) == v, "scenario values are finite decimals"
    return d


def _decimals(table: dict[str, Scalar | dict[str, Scalar]]) -> dict[str, rt.Supplied]:
    def one(x: Scalar) -> rt.Value:
        return _dec(x) if isinstance(x, Fraction) else x

    return {k: ({r: one(x) for r, x in v.items()} if isinstance(v, dict) else one(v)) for k, v in table.items()}


def _exact(v: rt.Supplied) -> Scalar | dict[str, Scalar]:
    def one(x: rt.Value) -> Scalar:
        return Fraction(x) if isinstance(x, Decimal) else x

    return {r: one(x) for r, x in v.items()} if isinstance(v, dict) else one(v)


def policy_module(checked: CheckedPolicy) -> ModuleType:
    """The compiled evaluator of a checked policy."""
    return compiled_module(checked, checked.sources[checked.program.main.span.file])


def evaluate_file(
    policy: str | Path, scenario: str | Path, engine: Engine = "compiled"
) -> tuple[CheckedPolicy, Scenario, PeriodResult]:
    checked = check_policy(policy)
    scen, res = evaluate_checked(checked, scenario, engine)
    return checked, scen, res


def evaluate_checked(checked: CheckedPolicy, scenario: Source, engine: Engine = "compiled") -> tuple[Scenario, PeriodResult]:
    """One period of a policy already checked (the service checks once and caches)."""
    scen = load_scenario(checked, scenario)
    return scen, settle_with(checked, env_of(scen), engine, str(scenario))


def simulate_files(
    policy: str | Path, files: list[str], engine: Engine = "compiled"
) -> tuple[CheckedPolicy, list[tuple[Scenario, PeriodResult]]]:
    """Several periods in order, each opening with the previous period's closing balances."""
    checked = check_policy(policy)
    return checked, simulate_checked(checked, list(files), engine)


def simulate_checked(checked: CheckedPolicy, files: list[Source], engine: Engine = "compiled") -> list[tuple[Scenario, PeriodResult]]:
    periods: list[Scenario] = []
    for f in files:
        got, errors = load_periods(f, checked)
        if errors:
            raise EvaluationFailed(2, *_render(errors, f))
        if periods and any(s.state for s in got):
            raise EvaluationFailed(2, f"{f}: state: 期初余额由上一期结转,不能再给出\n", f"{f}: state: balances carry over from the previous period\n")
        periods += got
    out: list[tuple[Scenario, PeriodResult]] = []
    carried: dict[str, Fraction] | None = None
    module = policy_module(checked) if engine == "compiled" else None  # compiled once for all periods
    for scen in periods:
        env = env_of(scen)
        if carried is not None:
            env.opening = dict(carried)
        res = settle_with(checked, env, engine, f"{scen.file} ({scen.period})", module)
        carried = res.closing
        out.append((scen, res))
    return out


def _render(errors: list[ScenarioError], file: Source) -> tuple[str, str]:
    return tuple("".join(e.render(str(file), lang) + "\n" for e in errors) for lang in ("zh", "en"))  # type: ignore[return-value]


def compiled_module(checked: CheckedPolicy, source_text: str) -> ModuleType:
    """Generate the evaluator and load it as a module (without writing a file)."""
    from compiler.codegen.python import generate

    code = generate(checked, checked.program.main.span.file, source_text)
    # dataclasses resolve string annotations through sys.modules: register first.
    name = "pool_generated_" + hashlib.sha256(code.encode("utf-8")).hexdigest()[:16]
    module = ModuleType(name)
    sys.modules[name] = module
    exec(compile(code, f"<pool: {checked.program.main.span.file}>", "exec"), module.__dict__)
    return module
