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
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from types import ModuleType

from compiler.diagnostics import render_text
from compiler.driver import check_file, with_readings
from compiler.interpreter import Env, EvalError, Machine, PeriodResult, Transfer, check_constraints, settle
from compiler.interpreter.trace import Step, explain
from compiler.interpreter.values import Scalar
from compiler.ir.checked import CheckedPolicy
from compiler.ir.scope import account
from compiler.limits import allow_deep_recursion
from compiler.numbers import to_decimal
from compiler.readings import ReadingError
from compiler.runtime import SettlementError
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
        return {
            k: ({r: _fraction(x) for r, x in v.items()} if isinstance(v, dict) else _fraction(v))
            for k, v in table.items()
        }

    return Env(
        list(scen.regions),
        convert(scen.params),
        convert(scen.inputs),
        {k: Fraction(v) for k, v in scen.state.items()},
        scen.period,
        scen.entities,
    )


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


def load_scenario(checked: CheckedPolicy, scenario: Source, encoding: str | None = None) -> Scenario:
    scen, errors = load(scenario, checked, encoding)
    if scen is None:
        raise EvaluationFailed(2, *_render(errors, str(scenario)))
    return scen


def under_readings(checked: CheckedPolicy, *asked: Mapping[str, str]) -> CheckedPolicy:
    """The policy under the readings asked for (a scenario's, then --reading, which wins)."""
    wanted: dict[str, str] = {}
    for a in asked:
        wanted.update(a)
    if not wanted:
        return checked
    try:
        return with_readings(checked, wanted)
    except ReadingError as e:
        raise EvaluationFailed(2, f"readings: {e.zh}\n", f"readings: {e.en}\n") from None


def _scenario_under_readings(
    checked: CheckedPolicy, scenario: str | Path, encoding: str | None, readings: Mapping[str, str]
) -> tuple[CheckedPolicy, Scenario]:
    scen = load_scenario(checked, scenario, encoding)
    chosen = under_readings(checked, scen.readings, readings)
    if chosen is not checked:  # read again: an option may give other values their types
        scen = load_scenario(chosen, scenario, encoding)
    return chosen, scen


def explain_file(
    policy: str | Path, scenario: str | Path, target: str, encoding: str | None = None, readings: Mapping[str, str] = {}
) -> tuple[CheckedPolicy, Step]:
    """The trace of one value, `名称` or `名称@地区`, as data."""
    checked, scen = _scenario_under_readings(check_policy(policy), scenario, encoding, readings)
    return checked, explain_scenario(checked, scen, target)


def explain_scenario(checked: CheckedPolicy, scen: Scenario, target: str) -> Step:
    """The trace of `名称` or `名称@地区` on a scenario already read (`pool serve` reads it once)."""
    name, _, region = target.partition("@")
    try:
        return explain(checked, Machine(checked, env_of(scen)), name, region or None)
    except EvalError as e:
        raise EvaluationFailed(2, f"{scen.file}: {e.zh}\n", f"{scen.file}: {e.en}\n") from None


Engine = str  # "compiled" (the generated evaluator, the default) or "interpreter" (the oracle)


def settle_with(
    checked: CheckedPolicy, env: Env, engine: Engine, where: str, module: ModuleType | None = None
) -> PeriodResult:
    """One period on either engine, as exact rationals; failures as EvaluationFailed."""
    allow_deep_recursion()
    try:
        check_constraints(checked, env)  # 约束: the same on every engine, before anything is settled
        if engine == "interpreter":
            return settle(checked, env)
        module = module or policy_module(checked)
        out = module.evaluate(
            env.regions, env.params, env.inputs, env.opening, env.entities
        )  # exact rationals both ways
    except SettlementError as e:  # the one error type of every engine: a span, or a line of the main file
        if e.span is not None:
            at = f"{e.span}: "
        else:
            at = f"{checked.program.main.span.file}:{e.line}:{_column(checked, e.line)}: " if e.line else ""
        raise EvaluationFailed(2, f"{where}: 无法计算:{at}{e.zh}\n", f"{where}: cannot settle: {at}{e.en}\n") from None
    return PeriodResult(
        dict(out.values),
        [Transfer(t.source, t.dest, Fraction(t.amount), t.rule, t.line) for t in out.transfers],
        {k: Fraction(v) for k, v in out.closing.items()},
        env.entities,
    )


def _column(checked: CheckedPolicy, line: int) -> int:
    """The column the interpreter would give for a compiled evaluator's error on `line`:
    where the fund's name, the rule, or the declaration starts (the evaluator keeps lines only);
    on any other line (a band of a table) where its text starts."""
    file = checked.program.main.span.file
    spans = [f.name.span for f in checked.scope.funds.values()]
    spans += [r.span for r in checked.scope.rules] + [t.span for r in checked.scope.rules for t in r.tiers]
    spans += [d.span for d in checked.scope.values.values()]
    found = next((s.column for s in spans if s.file == file and s.line == line), None)
    if found is not None:
        return found
    lines = checked.sources.get(file, "").splitlines()
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return len(text) - len(text.lstrip()) + 1


def policy_module(checked: CheckedPolicy) -> ModuleType:
    """The compiled evaluator of a checked policy."""
    return compiled_module(checked, checked.sources[checked.program.main.span.file])


def evaluate_file(
    policy: str | Path,
    scenario: str | Path,
    engine: Engine = "compiled",
    encoding: str | None = None,
    readings: Mapping[str, str] = {},
) -> tuple[CheckedPolicy, Scenario, PeriodResult]:
    """One period. `readings` (choice → option) override the scenario's and the defaults."""
    checked, scen = _scenario_under_readings(check_policy(policy), scenario, encoding, readings)
    return checked, scen, settle_with(checked, env_of(scen), engine, str(scenario))


def simulate_files(
    policy: str | Path,
    files: list[str],
    engine: Engine = "compiled",
    encoding: str | None = None,
    readings: Mapping[str, str] = {},
) -> tuple[CheckedPolicy, list[tuple[Scenario, PeriodResult]]]:
    """Several periods in order, each opening with the previous period's closing balances.
    Every period is settled under one reading: the first file's, overridden by `readings`."""
    return simulate_checked(check_policy(policy), list(files), engine, encoding, readings)


def simulate_checked(
    checked: CheckedPolicy,
    files: list[Source],
    engine: Engine = "compiled",
    encoding: str | None = None,
    readings: Mapping[str, str] = {},
) -> tuple[CheckedPolicy, list[tuple[Scenario, PeriodResult]]]:
    """simulate_files on a policy already checked (`pool serve` checks once and caches); the
    policy comes back under the reading the periods were settled on."""
    periods: list[Scenario] = []
    for f in files:
        got, errors = load_periods(f, checked, encoding)
        if errors:
            raise EvaluationFailed(2, *_render(errors, f))
        if not periods and got:
            chosen = under_readings(checked, got[0].readings, readings)
            if chosen is not checked:
                checked = chosen
                got, errors = load_periods(f, checked, encoding)
                if errors:
                    raise EvaluationFailed(2, *_render(errors, f))
        for s in got:
            other = {k: v for k, v in s.readings.items() if readings.get(k, checked.readings.get(k)) != v}
            if other:
                shown = ", ".join(f"{k}={v}" for k, v in other.items())
                raise EvaluationFailed(
                    2,
                    f"{s.file}: readings: {shown} 与第一期的解读不同;各期须按同一解读计算\n",
                    f"{s.file}: readings: {shown} differs from the first period's; every period is settled under one "
                    "reading\n",
                )
        if periods and any(s.state for s in got):
            raise EvaluationFailed(
                2,
                f"{f}: state: 期初余额由上一期结转,不能再给出\n",
                f"{f}: state: balances carry over from the previous period\n",
            )
        periods += got
    for before, after in zip(periods, periods[1:]):
        if before.period is not None and after.period is not None and after.period <= before.period:
            zh = f"{after.file}: period: {after.period}年排在{before.period}年之后,却不晚于它;各期须按年份先后排列,每年一期\n"
            en = (
                f"{after.file}: period: {after.period} follows {before.period} but is not later; "
                "periods must go forward in time, one a year\n"
            )
            raise EvaluationFailed(2, zh, en)
    out: list[tuple[Scenario, PeriodResult]] = []
    carried: dict[str, Fraction] | None = None
    module = policy_module(checked) if engine == "compiled" else None  # compiled once for all periods
    for scen in periods:
        env = env_of(scen)
        if carried is not None:
            _no_balance_left_behind(checked, out[-1][0], scen, carried)
            env.opening = dict(carried)
        res = settle_with(checked, env, engine, f"{scen.file} ({scen.period})", module)
        carried = res.closing
        out.append((scen, res))
    return checked, out


def _no_balance_left_behind(
    checked: CheckedPolicy, before: Scenario, after: Scenario, carried: dict[str, Fraction]
) -> None:
    """A region that holds a carried balance must be in the next period too: dropped, its
    balance would vanish from the state and its next gap would find nothing."""
    for fund in checked.scope.funds.values():
        if not (fund.carried and fund.per_region):
            continue
        for region in before.regions:
            held = carried.get(account(fund.name.text, region), Fraction(0))
            if held and region not in after.regions:
                name, money = fund.name.text, to_decimal(held, 2)
                zh = (
                    f"{after.file}: regions: 缺少地区“{region}”:它在第 {before.period} 期末的“{name}”余额为 {money:,} 元,"
                    f"须结转到第 {after.period} 期;请在该期列出这个地区\n"
                )
                en = (
                    f"{after.file}: regions: ‘{region}’ is missing: it closed {before.period} with {money:,} in "
                    f"‘{name}’, "
                    f"which carries into {after.period}; list the region in that period\n"
                )
                raise EvaluationFailed(2, zh, en)


def _render(errors: list[ScenarioError], file: Source) -> tuple[str, str]:
    zh, en = ("".join(e.render(str(file), lang) + "\n" for e in errors) for lang in ("zh", "en"))
    return zh, en


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
