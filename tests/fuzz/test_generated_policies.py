"""Valid-by-construction random policies (tests/policygen.py): they check clean, compile,
pass mypy --strict, and the compiled evaluator agrees with the interpreter to the fen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from budget import fuzz, tally
from hypothesis import given
from hypothesis import strategies as st
from policygen import check_source, policies, scenarios

from compiler.codegen.python import generate
from compiler.evaluate import compiled_module, env_of
from compiler.interpreter import EvalError, settle
from compiler.runtime import PolicyError
from compiler.scenario import load

ROOT = Path(__file__).resolve().parents[2]


@fuzz(60)
@given(policies(), st.data())
def test_generated_policy_runs_the_same_on_both_engines(source: str, data: st.DataObject) -> None:
    checked = check_source(source)  # asserts: no error, no warning
    module = compiled_module(checked, source)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "scenario.json"
        path.write_text(json.dumps(data.draw(scenarios(source)), ensure_ascii=False), encoding="utf-8")
        scen, errors = load(path, checked)
    assert scen is not None, [e.en for e in errors]
    args = (list(scen.regions), dict(scen.params), dict(scen.inputs), dict(scen.state))
    tally("generated policies: both engines")
    try:
        oracle = settle(checked, env_of(scen))
    except EvalError as e:  # an overdrawn fund, weights all zero: both engines say the same
        with pytest.raises(PolicyError) as p:
            module.evaluate(*args)
        assert p.value.en == e.en
        return
    out = module.evaluate(*args)
    assert [(t.source, t.dest, Fraction(t.amount), t.rule, t.line) for t in out.transfers] == [
        (t.source, t.dest, t.amount, t.rule, t.line) for t in oracle.transfers
    ]
    assert {k: Fraction(v) for k, v in out.closing.items()} == oracle.closing
    assert all(t.amount > 0 and t.amount == t.amount.quantize(Decimal("0.01")) for t in out.transfers)


def test_generated_modules_pass_mypy_strict(tmp_path: Path) -> None:
    """One mypy process over a batch of generated evaluators (one each would take minutes)."""
    written: list[Path] = []

    @fuzz(25)
    @given(policies())
    def write(source: str) -> None:
        path = tmp_path / f"generated_{len(written):04d}.py"
        path.write_text(generate(check_source(source), "generated.pool", source), encoding="utf-8")
        written.append(path)

    write()
    tally("generated policies: mypy --strict", len(written))
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *map(str, written)],
        capture_output=True,
        text=True,
        env={**os.environ, "MYPYPATH": str(ROOT)},
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout[-4000:]
