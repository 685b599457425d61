"""`pool test`: find policies and case files, run every case on the reference
interpreter, and report as pytest does (text) or for programs (JSON).

Each policy is checked once however many paths name it, and all of its cases,
the examples it carries and those of its case files, share one coverage record.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import attrs

from compiler.interpreter.examples import Mismatch, run_examples
from compiler.interpreter.values import EvalError, Scalar
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.types import MONEY, Base, Type
from compiler.numbers import derived_text, show_value, to_decimal
from compiler.tools.cases import Problem, is_case_file, read_cases, read_header, run_case
from compiler.tools.coverage import Coverage, Report


@attrs.frozen
class Result:
    label: str
    file: str  # where the case is written
    line: int
    kind: str  # "example" (in the policy) or "case" (in a case file)
    mismatches: tuple[Mismatch, ...]
    error: EvalError | None
    tolerance: Fraction = Fraction(0)

    @property
    def passed(self) -> bool:
        return not self.mismatches and self.error is None


@attrs.frozen
class Group:
    """The cases of one file given or found: a policy's examples, or a case file's cases."""

    file: str
    policy: CheckedPolicy
    results: tuple[Result, ...]


@attrs.frozen
class Record:
    file: str
    line: int | None
    column: int | None
    field: str  # the case file's field, or a policy diagnostic's code
    zh: str
    en: str

    def json(self, lang: str) -> dict[str, object]:
        message = self.zh if lang == "zh" else self.en
        return {"file": self.file, "line": self.line, "column": self.column, "field": self.field, "message": message}


@attrs.frozen
class Failure:
    """An input that cannot be run (exit 2): a policy with errors, a bad case file."""

    zh: str
    en: str
    records: tuple[Record, ...]


def discover(paths: Iterable[str]) -> tuple[list[Path], list[Failure]]:
    """Files in the order given; a directory adds its policies and case files, sorted, recursively."""
    found: list[Path] = []
    failures: list[Failure] = []
    for p in map(Path, paths):
        if not p.is_dir():
            found.append(p)
            continue
        inside = sorted(
            (
                f
                for f in p.rglob("*")
                if f.is_file()
                and (f.suffix == ".pool" or is_case_file(f))
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
            ),
            key=lambda f: f.as_posix(),
        )
        if not inside:
            msg = (
                f"{p.as_posix()}: 目录中没有政策(.pool)或用例文件(.cases.yaml)",
                f"{p.as_posix()}: no policies (.pool) or case files (.cases.yaml) under this folder",
            )
            failures.append(Failure(msg[0] + "\n", msg[1] + "\n", (Record(p.as_posix(), None, None, "", *msg),)))
        found += inside
    unique = {f.resolve(): f for f in reversed(found)}  # a file reached twice runs once, where first reached
    return list(reversed(unique.values())), failures


class Session:
    def __init__(self, coverage: bool) -> None:
        self.coverage = coverage
        self.policies: dict[Path, CheckedPolicy | None] = {}
        self.recorders: dict[Path, Coverage] = {}
        self.groups: list[Group] = []
        self.failures: list[Failure] = []

    def policy(self, path: Path) -> CheckedPolicy | None:
        from compiler.diagnostics import render_text
        from compiler.driver import check_file

        key = path.resolve()
        if key not in self.policies:
            result = check_file(path)
            self.policies[key] = result.policy
            if result.policy is None:
                shown = result.errors or result.diagnostics
                records = tuple(
                    Record(d.span.file, d.span.line, d.span.column, d.code, d.message("zh"), d.message("en"))
                    for d in shown
                )
                self.failures.append(
                    Failure(render_text(shown, result.sources, "zh"), render_text(shown, result.sources, "en"), records)
                )
            elif self.coverage:
                self.recorders[key] = Coverage(result.policy, result.policy.program.main.file)
        return self.policies[key]

    def run(self, path: Path) -> None:
        if is_case_file(path):
            self.run_case_file(path)
            return
        checked = self.policy(path)
        if checked is None:
            return
        rec = self.recorders.get(path.resolve())
        results = [
            Result(o.example.label.value, o.example.span.file, o.example.span.line, "example", o.mismatches, o.error)
            for o in run_examples(checked, rec)
        ]
        self.groups.append(Group(checked.program.main.file, checked, tuple(results)))

    def run_case_file(self, path: Path) -> None:
        header = read_header(path)
        if isinstance(header, Problem):
            self.problems([header])
            return
        checked = self.policy(header.policy)
        if checked is None:
            return
        cases, problems = read_cases(header, checked)
        if problems:
            self.problems(problems)
            return
        rec = self.recorders.get(header.policy.resolve())
        results = []
        for c in cases:
            mismatches, error = run_case(checked, c, rec)
            results.append(Result(c.label, c.span.file, c.span.line, "case", mismatches, error, c.tolerance))
        self.groups.append(Group(header.file, checked, tuple(results)))

    def problems(self, problems: list[Problem]) -> None:
        zh = "".join(p.render("zh") + "\n" for p in problems)
        en = "".join(p.render("en") + "\n" for p in problems)
        records = tuple(
            Record(p.file, p.error.line, p.error.column, p.error.field, p.error.zh, p.error.en) for p in problems
        )
        self.failures.append(Failure(zh, en, records))

    @property
    def results(self) -> list[Result]:
        return [r for g in self.groups for r in g.results]

    def reports(self) -> list[Report]:
        return [rec.report() for rec in self.recorders.values()]

    @property
    def exit_code(self) -> int:
        return 2 if self.failures else 1 if any(not r.passed for r in self.results) else 0

    def summary(self) -> str:
        """The closing line CI parsers read: ASCII, alone on its line."""
        results = self.results
        passed = sum(r.passed for r in results)
        return f"{passed} passed, {len(results) - passed} failed"


# ---- what produced a value


def producer(checked: CheckedPolicy, mm: Mismatch) -> dict[str, object]:
    """The declaration that computed a value (a rule, a derived value…), or for a fund's
    closing balance the fund and the rules that moved its money this period."""
    # 缺口弥补.第一层: one tier's or one payer's part of a waterfall, which the rule produced.
    d = checked.scope.values.get(mm.name.partition(".")[0])
    if d is not None:
        kind = {ir.Rule: "rule", ir.LetDecl: "derived", ir.ParamDecl: "param", ir.InputDecl: "input"}[type(d)]
        return {"kind": kind, "name": mm.name, "file": d.span.file, "line": d.span.line, "via": []}
    fund = checked.scope.funds[mm.name]
    return {
        "kind": "fund",
        "name": mm.name,
        "file": fund.span.file,
        "line": fund.span.line,
        "via": [{"rule": r, "line": n} for r, n in mm.via],
    }


_KIND = {
    "rule": ir.DECL_WORDS[ir.Rule],
    "derived": ir.DECL_WORDS[ir.LetDecl],
    "param": ir.DECL_WORDS[ir.ParamDecl],
    "input": ir.DECL_WORDS[ir.InputDecl],
}


def _producer_text(p: dict[str, object], lang: str) -> str:
    where = f"{p['file']}:{p['line']}"
    if p["kind"] == "fund":
        via = p["via"]
        assert isinstance(via, list)
        if lang == "zh":
            moved = "、".join(f"规则“{v['rule']}”(第 {v['line']} 行)" for v in via) or "本期没有资金往来"
            return f"资金“{p['name']}”的期末余额({where}),经 {moved}"
        moved = ", ".join(f"rule ‘{v['rule']}’ (line {v['line']})" for v in via) or "no money moved this period"
        return f"closing balance of fund ‘{p['name']}’ ({where}), moved by {moved}"
    zh, en = _KIND[str(p["kind"])]
    if lang == "en":
        return f"from {en} ‘{p['name']}’ ({where})"
    return (
        f"由{zh}“{p['name']}”算出 ({where})" if p["kind"] in ("rule", "derived") else f"来自{zh}“{p['name']}” ({where})"
    )


def _type(checked: CheckedPolicy, name: str) -> Type:
    return checked.types.get(name) or MONEY  # a fund's balance is money


# ---- text


def render_text(session: Session, lang: str) -> str:
    zh = lang == "zh"
    out: list[str] = []
    for g in session.groups:
        policy = g.policy.program.main.file
        out.append(g.file if g.file == policy else f"{g.file} → {policy}")
        for r in g.results:
            where = f"{r.file}:{r.line}"
            if r.passed:
                # An example's pass line is as the tutorial shows it; a case file's names its line.
                out.append(f"  ✓ {r.label}" + (f"  ({where})" if r.kind == "case" else ""))
                continue
            out.append(f"  ✗ {r.label}  ({where})")
            for mm in r.mismatches:
                out += _mismatch_lines(g.policy, r, mm, lang)
            if r.error is not None:
                e = r.error
                at = f"  ({e.span.file}:{e.span.line})" if e.span else ""
                out.append(f"      {e.zh if zh else e.en}{at}")
    for rep in session.reports():
        head = "覆盖率" if zh else "coverage"
        out.append(f"{head} {rep.policy}: {rep.covered}/{rep.total} ({rep.percent}%)")
        out += [f"  {i.span.file}:{i.span.line}  {i.text(lang)}" for i in rep.uncovered]
    out.append(session.summary())
    return "\n".join(out) + "\n"


def _mismatch_lines(checked: CheckedPolicy, r: Result, mm: Mismatch, lang: str) -> list[str]:
    t = _type(checked, mm.name)
    target = mm.name + (f"@{mm.region}" if mm.region else "")
    label = ("期望", "实际") if lang == "zh" else ("expected", "actual")
    exp, act = show_value(mm.expected, t, lang), show_value(mm.actual, t, lang)
    slack = ""
    if r.tolerance and t.base is Base.MONEY:
        tol = _exact(r.tolerance)
        slack = f",允许误差 {tol}元" if lang == "zh" else f", tolerance {tol}元"
    lines = [f"      {target}: {label[0]} {exp}, {label[1]} {act}{slack}  ({mm.span.file}:{mm.span.line})"]
    p = producer(checked, mm)
    # An example's expectation of a rule sits in the rule's own file under its name (the
    # tutorial shows that line alone); every other value says what produced it.
    if r.kind == "case" or p["kind"] != "rule":
        lines.append(f"        ← {_producer_text(p, lang)}")
    return lines


# ---- JSON


def _exact(tolerance: Fraction) -> str:
    """A tolerance as written (it came from a decimal string), at least to the fen: 0.00, 0.005."""
    d = to_decimal(tolerance)
    return f"{d:.2f}" if d == d.quantize(Decimal("0.01")) else format(d, "f")


def _json_value(v: Scalar, t: Type) -> str | bool:
    if isinstance(v, (bool, str)):
        return v
    if t.base is Base.MONEY and (v * 100).denominator == 1:
        return str(to_decimal(v, 2))
    return derived_text(v)


def render_json(session: Session, lang: str) -> str:
    cases: list[dict[str, object]] = []
    for g in session.groups:
        for r in g.results:
            mismatches = []
            for mm in r.mismatches:
                t = _type(g.policy, mm.name)
                mismatches.append(
                    {
                        "name": mm.name,
                        "region": mm.region,
                        "period": mm.period,
                        "expected": _json_value(mm.expected, t),
                        "actual": _json_value(mm.actual, t),
                        "file": mm.span.file,
                        "line": mm.span.line,
                        "producer": producer(g.policy, mm),
                    }
                )
            error = None
            if r.error is not None:
                e = r.error
                error = {
                    "message": e.zh if lang == "zh" else e.en,
                    "file": e.span.file if e.span else None,
                    "line": e.span.line if e.span else None,
                }
            cases.append(
                {
                    "label": r.label,
                    "kind": r.kind,
                    "file": r.file,
                    "line": r.line,
                    "group": g.file,
                    "policy": g.policy.program.main.file,
                    "status": "passed" if r.passed else "failed",
                    "tolerance": _exact(r.tolerance),
                    "mismatches": mismatches,
                    "error": error,
                }
            )
    results = session.results
    passed = sum(r.passed for r in results)
    errors = [rec.json(lang) for f in session.failures for rec in f.records]
    doc: dict[str, object] = {
        "passed": passed,
        "failed": len(results) - passed,
        "errors": errors,
        "exit_code": session.exit_code,
        "cases": cases,
    }
    if session.coverage:
        doc["coverage"] = [
            {
                "policy": rep.policy,
                "total": rep.total,
                "covered": rep.covered,
                "percent": rep.percent,
                "uncovered": [
                    {
                        "kind": i.kind,
                        "file": i.span.file,
                        "line": i.span.line,
                        "column": i.span.column,
                        "message": i.text(lang),
                    }
                    for i in rep.uncovered
                ],
            }
            for rep in session.reports()
        ]
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
