"""Policies no drafter means to write but some will: a fund that pays itself, and expressions
hundreds or thousands deep. Each must get a diagnostic or a result from every command, never a
traceback (issue 14, items 10 and 11). Shapes come from tests/fuzz/moneygen.py."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from budget import tally
from click.testing import CliRunner
from moneygen import DEEP_SHAPES, deep_policy, self_paying

from compiler.cli import main

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = {"period": 2026, "regions": {"甲市": {"收入": "1000000.00"}, "乙市": {"收入": "2500.05"}}}


@pytest.mark.parametrize("seed", range(8))
def test_a_fund_that_pays_itself_is_refused_by_check(seed: int, tmp_path: Path) -> None:
    source, control, way = self_paying(seed)
    other = tmp_path / "other.pool"
    other.write_text(control, encoding="utf-8")
    ok = CliRunner().invoke(main, ["check", str(other)])
    assert ok.exit_code == 0, f"the same policy paying another fund must check clean:\n{ok.output}\n{control}"
    policy = tmp_path / "self.pool"
    policy.write_text(source, encoding="utf-8")
    scen = tmp_path / "s.json"
    scen.write_text(json.dumps(SCENARIO, ensure_ascii=False), encoding="utf-8")
    tally("hostile: self-paying funds")
    res = CliRunner().invoke(main, ["check", str(policy), "--lang", "en"])
    assert res.exception is None or isinstance(res.exception, SystemExit), (way, seed, res.exception)
    assert res.exit_code == 1 and re.search(r"\bE\d{3}\b", res.output), (
        f"seed {seed} ({way}): check said\n{res.output}\n{source}"
    )
    run = CliRunner().invoke(main, ["run", str(policy), str(scen)])
    assert run.exception is None or isinstance(run.exception, SystemExit), (way, seed, run.exception)
    assert run.exit_code == 1, (way, seed, run.output)


# Every command a user can point at one policy (and its scenario), run in one child process so a
# C-stack overflow kills the child, not the test run. The child reports each command's exit code
# and any exception other than SystemExit as it goes; a command still running after LIMIT seconds
# is stopped and reported as a hang.
LIMIT = 60
CHILD = r"""
import json, signal, sys, traceback
from click.testing import CliRunner
from compiler.cli import main
policy, scen, out, limit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
commands = [["check", policy], ["fmt", policy], ["compile", policy], ["run", policy, scen],
            ["run", policy, scen, "--engine", "interpreter"], ["run", policy, scen, "--json"],
            ["run", policy, scen, "--explain", "上解额@甲市"], ["test", policy], ["explain", policy],
            ["graph", policy], ["diff", policy, policy], ["simulate", policy, scen]]
class Hang(Exception):
    pass
def stop(*_):
    raise Hang(f"still running after {limit} s")
signal.signal(signal.SIGALRM, stop)
report = {}
for args in commands:
    name = " ".join(a for a in args if a not in (policy, scen))
    report[name] = [None, "started, never finished (the process died)"]
    json.dump(report, open(out, "w"), ensure_ascii=False)
    signal.alarm(limit)
    try:
        res = CliRunner().invoke(main, args)
        exc = res.exception
        trace = None if exc is None or isinstance(exc, SystemExit) else traceback.format_exception(exc, limit=-3)
        tb = None if trace is None else "".join(trace)[-1500:]
        report[name] = [res.exit_code, tb]
    except Hang as e:
        report[name] = [None, f"hang: {e}"]
    signal.alarm(0)
    json.dump(report, open(out, "w"), ensure_ascii=False)
"""


# 1,000 deep is past what every command can follow (E109/E112 say so, with the figures); a chain
# of 200 values is a real policy and must check.
DEEP = [(s, 1000) for s in DEEP_SHAPES] + [("chain", 200)]


@pytest.mark.parametrize(("shape", "n"), DEEP)
def test_every_command_handles_a_deep_policy_without_a_traceback(shape: str, n: int, tmp_path: Path) -> None:
    policy = tmp_path / "deep.pool"
    policy.write_text(deep_policy(shape, n), encoding="utf-8")
    scen = tmp_path / "s.json"
    scen.write_text(json.dumps(SCENARIO, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "report.json"
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(policy), str(scen), str(out), str(LIMIT)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=LIMIT * 14,
        check=False,
    )
    assert out.exists(), (
        f"{shape} × {n}: the child died ({child.returncode}) before any command: {child.stderr[-2000:]}"
    )
    report = json.loads(out.read_text(encoding="utf-8"))
    tally("hostile: deep-policy commands", len(report))
    broken = {cmd: r for cmd, r in report.items() if r[1] is not None or r[0] not in (0, 1, 2)}
    assert not broken, f"{shape} × {n}: " + "\n".join(f"pool {c}: exit {r[0]}\n{r[1]}" for c, r in broken.items())
    assert child.returncode == 0, child.stderr[-2000:]
    assert report["check"][0] == 0 or n >= 1000, report  # a chain of 200 values is a real policy: it must check
