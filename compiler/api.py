"""The Python API for analysts: load a policy once, run it on data, get Decimals back.

    >>> import compiler as pool
    >>> policy = pool.load("policies/guizhou_risk_adjustment.pool")
    >>> result = policy.run("policies/scenarios/guizhou_2026.json")
    >>> result.values["基础上解额"]["贵阳市"]
    Decimal('50000000.00')

The whole reference, with examples the tests run, is docs/api.md. A policy is checked
and compiled once (and `load` keeps it while its file is unchanged); a scenario may be
a file (JSON, YAML, .xlsx, .csv), a dict in the scenario-file shape, or a pandas
DataFrame of regions × inputs. Every failure raises PoolError, which carries the
diagnostics and messages the CLI prints.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import attrs

from compiler import report
from compiler.diagnostics import Diagnostic, render_text
from compiler.driver import Checked, check_file, check_source
from compiler.evaluate import EvaluationFailed, env_of, policy_module, settle_with, under_readings
from compiler.interpreter import Machine, PeriodResult
from compiler.interpreter.trace import explain, render
from compiler.interpreter.values import Scalar
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.types import Base, Type
from compiler.numbers import derived, to_decimal
from compiler.scenario import Scenario, ScenarioError, load_periods, load_tree
from compiler.sheets import SheetError
from compiler.sheets.frames import frame_regions, is_frame, to_frame, tree_of
from compiler.sheets.write import result_tables, write_tables

Value = Decimal | bool | str
T = TypeVar("T")
ScenarioLike = str | Path | Mapping[str, Any] | Any  # a file, scenario-shaped data, or a DataFrame


class PoolError(EvaluationFailed):
    """A policy that does not check, a scenario that does not fit, or a period that cannot
    be settled. `str(e)` and `e.render("zh")` are the messages the CLI prints;
    `diagnostics` holds the policy's diagnostics (code, severity, span, message) and
    `scenario_errors` each bad scenario field with its position."""

    def __init__(
        self,
        exit_code: int,
        zh: str,
        en: str,
        diagnostics: Sequence[Diagnostic] = (),
        scenario_errors: Sequence[ScenarioError] = (),
    ) -> None:
        super().__init__(exit_code, zh, en)
        self.diagnostics = list(diagnostics)
        self.scenario_errors = list(scenario_errors)

    def __str__(self) -> str:
        return self.zh


@attrs.frozen
class Transfer:
    """One ledger entry: `amount` yuan to the fen, moved by `rule` (line `line` of the policy)."""

    source: str
    dest: str
    amount: Decimal
    rule: str
    line: int


@attrs.frozen
class Result:
    """One settled period. Money is Decimal to the fen; ratios and counts are exact Decimals."""

    period: int | None
    values: dict[str, Value | dict[str, Value]]
    transfers: list[Transfer]
    balances: dict[str, Decimal]  # every carried fund account's closing balance, `名称(地区)` for a region's
    policy: Policy = attrs.field(repr=False)
    raw: PeriodResult = attrs.field(repr=False)  # exact rationals, as the engines give them
    # A partial scenario's regions left out; the readings the period was settled under.
    missing: tuple[str, ...] = attrs.field(default=(), repr=False)
    checked: CheckedPolicy | None = attrs.field(default=None, repr=False)

    def to_json(self) -> str:
        """Exactly what `pool run --json` prints."""
        return report.to_json(self.checked or self.policy.checked, self.period, self.raw, self.missing)

    def to_frames(self, lang: str = "zh") -> dict[str, Any]:
        """pandas DataFrames: 资金往来 (ledger), 地区结果, 全局结果, 期末余额; money as Decimal."""
        return _frames(self.policy, [(self.period, self.raw)], lang)

    def to_spreadsheet(self, fmt: str = "xlsx", lang: str = "zh") -> bytes:
        """The bytes `pool run --format xlsx|csv` writes."""
        return _sheet(self.policy, [(self.period, self.raw)], fmt, lang)


class Policy:
    """A checked policy, compiled on first use. Make one with `load` or `from_text`."""

    def __init__(self, checked: CheckedPolicy, warnings: Sequence[Diagnostic] = ()) -> None:
        self.checked = checked
        self.warnings = list(warnings)  # what `pool check` would warn about
        self._module: ModuleType | None = None

    def __repr__(self) -> str:
        return f"<Policy {self.name} ({len(self.regions)} regions)>"

    @property
    def name(self) -> str:
        return self.checked.policy.name.text if self.checked.policy is not None else ""

    @property
    def regions(self) -> list[str]:
        return [r.text for r in self.checked.scope.regions(self.checked.policy)]

    @property
    def inputs(self) -> dict[str, str]:
        """Each input a scenario gives, with its type as a drafter writes it (金额(每地区) …)."""
        return {
            n: self.checked.types[n].describe("zh")
            for n, d in self.checked.scope.values.items()
            if isinstance(d, ir.InputDecl) and not d.implicit
        }

    @property
    def open_params(self) -> list[str]:
        """Parameters the text leaves open (待定): a scenario must give them."""
        return [n for n, d in self.checked.scope.values.items() if isinstance(d, ir.ParamDecl) and d.value is None]

    def scenario(self, scenario: ScenarioLike, *, encoding: str | None = None, **fields: Any) -> Scenario:
        """A scenario checked against this policy (see `run` for what it may be)."""
        periods = self._periods(scenario, encoding, fields)
        if len(periods) != 1:
            raise PoolError(2, "这个情景有多期,请用 simulate\n", "this scenario holds several periods: use simulate\n")
        return periods[0]

    def run(
        self, scenario: ScenarioLike, *, engine: str = "compiled", encoding: str | None = None, **fields: Any
    ) -> Result:
        """Settle one period. `scenario` is a file path (JSON, YAML, .xlsx, .csv), a dict in
        the scenario-file shape, or a DataFrame of regions × inputs; keyword `fields`
        (period, scheme, params, global, regions, state) add to or replace its parts, so
        `run(frame, period=2026, params={...}, state={...})` completes a DataFrame."""
        return self._settle(self.scenario(scenario, encoding=encoding, **fields), engine, None)

    def simulate(
        self, scenarios: Sequence[ScenarioLike], *, engine: str = "compiled", encoding: str | None = None
    ) -> list[Result]:
        """Several periods in order, each opening with the last one's closing balances."""
        periods = [p for s in scenarios for p in self._periods(s, encoding, {})]
        if any(p.state for p in periods[1:]):
            raise PoolError(
                2,
                "期初余额由上一期结转,后续各期不能再给出\n",
                "balances carry over: only the first period may give state\n",
            )
        out: list[Result] = []
        for scen in periods:
            out.append(self._settle(scen, engine, out[-1].raw.closing if out else None))
        return out

    def explain(self, scenario: ScenarioLike, target: str, lang: str = "zh", **fields: Any) -> str:
        """The chain behind one number, `名称` or `名称@地区`, as `pool run --explain` prints it."""
        from compiler.interpreter import EvalError

        scen = self.scenario(scenario, **fields)
        name, _, region = target.partition("@")
        try:
            step = explain(self.checked, Machine(self.checked, env_of(scen)), name, region or None)
        except EvalError as e:
            raise PoolError(2, f"{scen.file}: {e.zh}\n", f"{scen.file}: {e.en}\n") from None
        return render(step, self.checked, lang)

    def template(self, fmt: str = "xlsx", scenario: ScenarioLike | None = None, lang: str = "zh") -> bytes:
        """A fill-in workbook (or CSV) for this policy, as `pool template` writes it."""
        from compiler.sheets import template_bytes

        scen = self.scenario(scenario) if scenario is not None else None
        return _sheet_call(lambda: template_bytes(self.checked, fmt, scen, lang))

    def simulation_frames(self, results: Sequence[Result], lang: str = "zh") -> dict[str, Any]:
        """The tables of several periods, one row each per period, as DataFrames."""
        return _frames(self, [(r.period, r.raw) for r in results], lang)

    # ---- internals

    def _periods(self, scenario: ScenarioLike, encoding: str | None, fields: Mapping[str, Any]) -> list[Scenario]:
        if isinstance(scenario, (str, Path)):
            if fields:
                raise TypeError("keyword fields complete a dict or a DataFrame; a file gives its own")
            got, errors = load_periods(scenario, self.checked, encoding)
            shown = str(scenario)
        else:
            data: dict[str, Any] = {"regions": frame_regions(scenario)} if is_frame(scenario) else dict(scenario)
            data.update({("global" if k == "global_" else k): v for k, v in fields.items()})
            shown = "<data>"
            try:
                tree = tree_of(data)
            except SheetError as e:
                raise PoolError(2, e.render(shown, "zh"), e.render(shown, "en")) from None
            got, errors = load_tree(tree, self.checked, shown)
        if errors:
            zh, en = ("".join(e.render(shown, lang) + "\n" for e in errors) for lang in ("zh", "en"))
            raise PoolError(2, zh, en, scenario_errors=errors)
        return got

    def _settle(self, scen: Scenario, engine: str, opening: dict[str, Fraction] | None) -> Result:
        env = env_of(scen)
        if opening is not None:
            env.opening = dict(opening)
        try:
            # A scenario's "readings" pick an option of a choice: settled on that resolution.
            checked = under_readings(self.checked, scen.readings)
            if checked is self.checked and engine == "compiled" and self._module is None:
                self._module = policy_module(self.checked)
            module = self._module if checked is self.checked else None
            raw = settle_with(
                checked, env, engine, f"{scen.file} ({scen.period})" if scen.period else scen.file, module
            )
        except EvaluationFailed as e:
            raise PoolError(e.exit_code, e.zh, e.en) from None
        balances = {k: to_decimal(v, 2) for k, v in raw.closing.items()}
        return Result(scen.period, _values(checked, raw), _transfers(raw), balances, self, raw, scen.missing, checked)


def _decimal(v: Scalar, t: Type | None) -> Value:
    if isinstance(v, (bool, str)):
        return v
    return to_decimal(v, 2) if t is not None and t.base is Base.MONEY else derived(v)  # as pool run --json


def _values(checked: CheckedPolicy, raw: PeriodResult) -> dict[str, Value | dict[str, Value]]:
    out: dict[str, Value | dict[str, Value]] = {}
    for name in checked.scope.values:
        if name in raw.values:
            v, t = raw.values[name], checked.types.get(name)
            out[name] = {r: _decimal(x, t) for r, x in v.items()} if isinstance(v, dict) else _decimal(v, t)
    return out


def _transfers(raw: PeriodResult) -> list[Transfer]:
    return [Transfer(t.source, t.dest, to_decimal(t.amount, 2), t.rule, t.line) for t in raw.transfers]


def _sheet_call(make: Callable[[], T]) -> T:
    try:
        return make()
    except SheetError as e:
        raise PoolError(2, e.render("-", "zh"), e.render("-", "en")) from None


def _frames(policy: Policy, runs: list[tuple[int | None, PeriodResult]], lang: str) -> dict[str, Any]:
    tables = result_tables(policy.checked, runs, lang)
    try:
        return {t.title: to_frame(t) for t in tables}
    except SheetError as e:  # pandas is not installed
        raise PoolError(2, e.render("-", "zh"), e.render("-", "en")) from None


def _sheet(policy: Policy, runs: list[tuple[int | None, PeriodResult]], fmt: str, lang: str) -> bytes:
    return _sheet_call(lambda: write_tables(result_tables(policy.checked, runs, lang), fmt))


# ---- loading, checked once

_CACHE: dict[tuple[str, ...], Policy] = {}
_CACHED = 64  # policies kept: a notebook that edits a policy text a hundred times keeps the latest


def _keep(key: tuple[str, ...], policy: Policy) -> Policy:
    _CACHE.pop(key, None)
    _CACHE[key] = policy  # the newest last
    while len(_CACHE) > _CACHED:
        del _CACHE[next(iter(_CACHE))]
    return policy


def _from_checked(result: Checked) -> Policy:
    if result.policy is None:
        zh, en = (render_text(result.errors, result.sources, lang) for lang in ("zh", "en"))
        raise PoolError(2 if result.io_error else 1, zh, en, diagnostics=result.diagnostics)
    return Policy(result.policy, [d for d in result.diagnostics if d not in result.errors])


def load(path: str | Path) -> Policy:
    """The policy in a .pool file, checked; the same object again while the file and the
    modules it imports are unchanged. PoolError with the diagnostics if it does not check."""
    p = Path(path)
    key: tuple[str, ...]
    try:
        stat = p.stat()
        key = ("file", str(p.resolve()), str(stat.st_mtime_ns), str(stat.st_size))
    except OSError:
        key = ()
    cached = _CACHE.get(key) if key else None
    if cached is not None and _unchanged(cached):
        return cached
    policy = _from_checked(check_file(p))
    return _keep(key, policy) if key else policy


def from_text(text: str, name: str = "<string>", directory: str | Path = ".") -> Policy:
    """A policy given as text, checked as if it were the file `name` in `directory`
    (where relative imports are found); cached by its text."""
    key = ("text", hashlib.sha256(text.encode("utf-8")).hexdigest(), name, str(Path(directory).resolve()))
    cached = _CACHE.get(key)
    return cached if cached is not None else _keep(key, _from_checked(check_source(text, name, directory)))


def _unchanged(policy: Policy) -> bool:
    """Whether every imported module still reads as it did when the policy was checked."""
    from compiler.resources import stdlib_dir

    main = policy.checked.program.main.span.file
    for shown, text in policy.checked.sources.items():
        if shown == main:
            continue
        # Modules are named as the driver shows them: stdlib/… or relative to the working folder.
        path = stdlib_dir() / shown.removeprefix("stdlib/") if shown.startswith("stdlib/") else Path(shown)
        try:
            if path.read_text(encoding="utf-8-sig").replace("\r\n", "\n") != text:
                return False
        except OSError:
            return False
    return True
