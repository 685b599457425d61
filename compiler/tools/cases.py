"""Case files for `pool test`: a policy, scenarios, and the values they must produce.

A case file is YAML named `*.cases.yaml` (or `*.cases.yml`):

    policy: ../guizhou_risk_adjustment.pool     # relative to the case file
    tolerance: "0.00"                           # optional, 元, for every case
    cases:
      - name: 2026年三市
        scenario: ../scenarios/guizhou_2026.json   # a scenario file, a list of them, or one inline
        tolerance: "0.01"                          # optional, overrides the file's
        expect:
          基础上解额: {贵阳市: "50000000.00", 遵义市: 8000万元}
          省级留存: "90000000.00"                   # a carried fund: its closing balance

Scenarios are read by compiler.scenario, the reader `pool run` uses, so they are
checked the same way and inline ones report positions in the case file; the case file
itself is read with the same position-keeping reader (compiler/docread.py). A
scenario of several periods (a list of files, or a file of `periods`) is settled
in order, balances carried, and `expect` is checked against its last period. Nothing here raises on bad input: every
problem is a `Problem` naming the file, line, column and field.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import attrs
import yaml

from compiler import docread
from compiler.checks.context import suggest
from compiler.docread import Reader, at, text_of
from compiler.interpreter import EvalError, Machine, Recorder, settle_machine
from compiler.interpreter.examples import Mismatch
from compiler.interpreter.values import Scalar
from compiler.ir.checked import CheckedPolicy
from compiler.ir.scope import account
from compiler.ir.types import MONEY, Base, Type
from compiler.scenario import Scenario, ScenarioError, ScenarioReader, compose, load_periods
from compiler.source import Span

SUFFIXES = (".cases.yaml", ".cases.yml")
_FILE_KEYS = ("policy", "tolerance", "cases")
_CASE_KEYS = ("name", "scenario", "expect", "tolerance")
_SCALE = {"万": Fraction(10**4), "亿": Fraction(10**8)}


def is_case_file(path: str | Path) -> bool:
    return str(path).endswith(SUFFIXES)


def display(path: Path) -> str:
    """As check_file shows a policy's path: relative to the working directory when under it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return Path(os.path.normpath(path)).as_posix()


@attrs.frozen
class Problem:
    """Why a case file cannot be run: exit code 2."""

    file: str
    error: ScenarioError

    def render(self, lang: str) -> str:
        return self.error.render(self.file, lang)


@attrs.frozen
class Expect:
    name: str
    value: Scalar | dict[str, Scalar]
    span: Span
    region_spans: dict[str, Span]


@attrs.frozen
class Case:
    label: str
    span: Span
    periods: tuple[Scenario, ...]
    expects: tuple[Expect, ...]
    tolerance: Fraction


@attrs.frozen
class Header:
    """What a case file says before its policy is checked: which policy, and the tree to read next."""

    file: str  # as shown
    policy: Path  # resolved against the case file's folder
    root: yaml.MappingNode


def read_header(path: Path) -> Header | Problem:
    shown = display(path)
    root, errors = compose(path)
    if root is None:
        return Problem(shown, errors[0])
    if not isinstance(root, yaml.MappingNode):
        return Problem(
            shown,
            at(root, "", "用例文件应为对象,含 policy 与 cases", "a case file is an object with ‘policy’ and ‘cases’"),
        )
    keys = {str(k.value): (k, v) for k, v in root.value if isinstance(k, yaml.ScalarNode)}
    for name, (k, _) in keys.items():
        if name not in _FILE_KEYS:
            return Problem(shown, docread.unknown_field(k, name, _FILE_KEYS))
    if "policy" not in keys:
        return Problem(
            shown,
            at(root, "policy", "缺少 policy:用例所属的政策文件", "missing ‘policy’: the policy file the cases are for"),
        )
    node = keys["policy"][1]
    if not text_of(node):
        return Problem(shown, at(node, "policy", "应为政策文件的路径", "expected the path of a policy file"))
    policy = Path(os.path.normpath(path.parent / str(node.value)))
    if not policy.is_file():
        return Problem(
            shown, at(node, "policy", f"找不到政策文件 {display(policy)}", f"no policy file at {display(policy)}")
        )
    return Header(shown, policy, root)


def _span(file: str, node: yaml.Node) -> Span:
    line, column = docread.position(node)
    return Span(file, line, column, line, column)


class _CaseReader(Reader):
    """`errors`: the case file's (inline scenarios' included); `elsewhere`: the scenario files' it names."""

    def __init__(self, header: Header, checked: CheckedPolicy) -> None:
        super().__init__()
        self.h = header
        self.checked = checked
        self.elsewhere: list[Problem] = []

    @property
    def failed(self) -> bool:
        return bool(self.errors or self.elsewhere)

    def read(self) -> list[Case]:
        keys = {str(k.value): v for k, v in self.h.root.value if isinstance(k, yaml.ScalarNode)}
        default = self.tolerance(keys["tolerance"], "tolerance") if "tolerance" in keys else Fraction(0)
        node = keys.get("cases")
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.error(node or self.h.root, "cases", "应为非空的用例列表", "expected a non-empty list of cases")
            return []
        cases = [self.case(item, f"cases[{i}]", default) for i, item in enumerate(node.value)]
        return [c for c in cases if c is not None] if not self.failed else []

    def tolerance(self, node: yaml.Node, field: str) -> Fraction:
        text = text_of(node)
        d = docread.decimal(text.removesuffix("元"))
        if d is None or not d.is_finite() or d < 0:
            self.error(
                node,
                field,
                f'“{text}”不是非负的金额(如 "0.01")',
                f'‘{text}’ is not a non-negative amount (such as "0.01")',
            )
            return Fraction(0)
        return Fraction(d)

    def case(self, node: yaml.Node, field: str, default: Fraction) -> Case | None:
        if not isinstance(node, yaml.MappingNode):
            self.error(
                node, field, "应为对象,含 name、scenario、expect", "expected an object with name, scenario and expect"
            )
            return None
        keys: dict[str, yaml.Node] = {}
        for k, v in node.value:
            key = str(k.value) if isinstance(k, yaml.ScalarNode) else "?"
            if key not in _CASE_KEYS:
                self.unknown(k, f"{field}.{key}", _CASE_KEYS)
            keys[key] = v
        label = str(keys["name"].value) if isinstance(keys.get("name"), yaml.ScalarNode) else field
        tolerance = self.tolerance(keys["tolerance"], f"{field}.tolerance") if "tolerance" in keys else default
        for required in ("scenario", "expect"):
            if required not in keys:
                self.error(node, f"{field}.{required}", f"缺少 {required}", f"missing ‘{required}’")
        if "scenario" not in keys or "expect" not in keys:
            return None
        periods = self.scenario(keys["scenario"], f"{field}.scenario")
        if not periods:
            return None
        expects = self.expect(keys["expect"], f"{field}.expect", periods[-1])
        return Case(label, _span(self.h.file, node), tuple(periods), tuple(expects), tolerance)

    def scenario(self, node: yaml.Node, field: str) -> list[Scenario]:
        if isinstance(node, yaml.SequenceNode) and node.value:  # several files, in order, as pool simulate
            periods: list[Scenario] = []
            for i, item in enumerate(node.value):
                got = self.scenario(item, f"{field}[{i}]")
                if i > 0 and any(s.state for s in got):
                    self.error(
                        item,
                        f"{field}[{i}]",
                        "期初余额由上一期结转,这一期不能再给出 state",
                        "balances carry over from the previous period: this one cannot give state",
                    )
                periods += got
            return periods if not self.failed else []
        if isinstance(node, yaml.ScalarNode):
            path = Path(os.path.normpath(Path(self.h.file).parent / str(node.value)))
            if not path.is_file():
                self.error(node, field, f"找不到情景文件 {display(path)}", f"no scenario file at {display(path)}")
                return []
            periods, errors = load_periods(path, self.checked)
            self.elsewhere += [Problem(display(path), e) for e in errors]
            return periods
        # Written inline: the scenario reader reads the node itself, so positions are the case file's.
        reader = ScenarioReader(self.checked)
        scen = reader.read(node, self.h.file)
        self.errors += [attrs.evolve(e, field=f"{field}.{e.field}" if e.field else field) for e in reader.errors]
        return [scen] if scen is not None else []

    def expect(self, node: yaml.Node, field: str, scen: Scenario) -> list[Expect]:
        if not isinstance(node, yaml.MappingNode) or not node.value:
            self.error(node, field, "应为“名称: 值”的对象", "expected an object of ‘name: value’")
            return []
        scope = self.checked.scope
        out: list[Expect] = []
        for k, v in node.value:
            name = str(k.value) if isinstance(k, yaml.ScalarNode) else "?"
            where = f"{field}.{name}"
            fund = scope.funds.get(name)
            if name in scope.values:
                t = self.checked.types[name]
            elif fund is not None and fund.carried:
                t = Type(Base.MONEY, per_region=fund.per_region)
            elif fund is not None:
                self.error(
                    k,
                    where,
                    "不是结转的资金,没有期末余额可核对",
                    "is not a carried fund: it has no closing balance to check",
                )
                continue
            else:
                close = suggest(name, [*scope.values, *(f for f, d in scope.funds.items() if d.carried)])
                hint = (f",你是不是想写“{close}”?", f"; did you mean ‘{close}’?") if close else ("", "")
                self.error(
                    k,
                    where,
                    f"不是政策中的值或结转资金{hint[0]}",
                    f"is not a value or carried fund of the policy{hint[1]}",
                )
                continue
            out.append(self.value(name, k, v, where, t, scen))
        return out

    def value(self, name: str, k: yaml.Node, v: yaml.Node, field: str, t: Type, scen: Scenario) -> Expect:
        if not isinstance(v, yaml.MappingNode):
            return Expect(name, self.scalar(v, field, t), _span(self.h.file, k), {})
        if not t.per_region:
            self.error(v, field, "不按地区取值,应给出一个值", "does not vary by region: give one value")
            return Expect(name, Fraction(0), _span(self.h.file, k), {})
        values: dict[str, Scalar] = {}
        spans: dict[str, Span] = {}
        members = scen.entities.of(t.entity) if t.entity is not None else list(scen.regions)
        what = (t.entity, t.entity) if t.entity is not None else ("地区", "region")
        for rk, rv in v.value:
            region = str(rk.value) if isinstance(rk, yaml.ScalarNode) else "?"
            if region not in members:
                self.error(
                    rk,
                    f"{field}.{region}",
                    f"不是本例情景中的{what[0]}({'、'.join(members)})",
                    f"is not a {what[1]} of the case's scenario ({', '.join(members)})",
                )
                continue
            values[region] = self.scalar(rv, f"{field}.{region}", t)
            spans[region] = _span(self.h.file, rv)
        return Expect(name, values, _span(self.h.file, k), spans)

    def scalar(self, node: yaml.Node, field: str, t: Type) -> Scalar:
        text = text_of(node)
        what = t.scalar().describe("zh"), t.scalar().describe("en")
        if t.base is Base.BOOL:
            truth = docread.boolean(text)
            if truth is not None:
                return truth
            what = "布尔值(是/否、true/false)", "a boolean (true/false)"
        elif t.base is Base.ENUM:
            assert t.enum is not None
            members = [m.text for m in self.checked.scope.enums[t.enum].members]
            if text in members:
                return text
            what = f"{t.enum}的成员({'、'.join(members)})", f"one of {t.enum}: {', '.join(members)}"
        elif t.numeric:
            got = number(text, t)
            if got is not None:
                return got
        else:
            return text
        self.error(node, field, f"“{text}”不是{what[0]}", f"‘{text}’ is not {what[1]}")
        return Fraction(0)


def number(text: str, t: Type) -> Fraction | None:
    """A decimal as drafters write it: "50000000.00", "5000万元", "1.8亿", "6.8%". Never a float."""
    s, scale = text.strip(), Fraction(1)
    digits, percent = docread.percent(s) if t.base is Base.RATIO else (s, False)
    if percent:
        s, scale = digits, Fraction(1, 100)
    else:
        if t.base is Base.MONEY:
            s = s.removesuffix("元")
        if s[-1:] in _SCALE:
            s, scale = s[:-1], _SCALE[s[-1]]
    d = docread.decimal(s.replace(",", ""))
    return Fraction(d) * scale if d is not None and d.is_finite() else None


def read_cases(header: Header, checked: CheckedPolicy) -> tuple[list[Case], list[Problem]]:
    reader = _CaseReader(header, checked)
    cases = reader.read()
    if reader.failed:  # in file order, whichever part of the reader found them
        problems = [Problem(header.file, e) for e in reader.errors] + reader.elsewhere
        return [], sorted(problems, key=lambda p: (p.file != header.file, p.file, p.error.line, p.error.column))
    return cases, []


def run_case(
    checked: CheckedPolicy, case: Case, recorder: Recorder | None = None
) -> tuple[tuple[Mismatch, ...], EvalError | None]:
    """Settle the case's periods on the reference interpreter and compare its last period."""
    from compiler.evaluate import env_of

    opening: dict[str, Fraction] | None = None
    mismatches: list[Mismatch] = []
    try:
        for scen in case.periods:
            env = env_of(scen)
            if opening is not None:
                env.opening = dict(opening)
            m = Machine(checked, env, recorder)
            res = settle_machine(m)
            opening = res.closing
        for x in case.expects:
            fund = checked.scope.funds.get(x.name) if x.name not in checked.scope.values else None
            if fund is not None:
                names = {r: account(x.name, r) for r in env.regions} if fund.per_region else {}
                actual: Scalar | dict[str, Scalar] = (
                    {r: res.closing[a] for r, a in names.items()} if fund.per_region else res.closing[x.name]
                )
                t = MONEY
                via = tuple(
                    dict.fromkeys((tr.rule, tr.line) for tr in res.transfers if _through(tr.source, tr.dest, x.name))
                )
            else:
                actual, t, via = m.value(x.name), checked.types[x.name], ()
            mismatches += _compare(x, actual, t, case.tolerance, case.periods[-1].period, via)
    except EvalError as e:
        return tuple(mismatches), e
    return tuple(mismatches), None


def _through(source: str, dest: str, fund: str) -> bool:
    return any(p == fund or p.startswith(fund + "(") for p in (source, dest))


def _compare(
    x: Expect,
    actual: Scalar | dict[str, Scalar],
    t: Type,
    tolerance: Fraction,
    period: int | None,
    via: tuple[tuple[str, int], ...],
) -> list[Mismatch]:
    def differs(want: Scalar, got: Scalar) -> bool:
        if (
            isinstance(want, Fraction)
            and isinstance(got, Fraction)
            and not isinstance(got, bool)
            and t.base is Base.MONEY
        ):
            return abs(got - want) > tolerance
        return want != got

    if isinstance(actual, dict):
        wanted = x.value if isinstance(x.value, dict) else {r: x.value for r in actual}
        return [
            Mismatch(x.name, r, want, actual[r], x.region_spans.get(r, x.span), period, via)
            for r, want in wanted.items()
            if differs(want, actual[r])
        ]
    assert not isinstance(x.value, dict), "checked when read: a global value has one expectation"
    return [Mismatch(x.name, None, x.value, actual, x.span, period, via)] if differs(x.value, actual) else []
