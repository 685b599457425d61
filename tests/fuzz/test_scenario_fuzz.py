"""Malformed scenario files: always a clear message naming the file, exit code 2, nothing on
stdout and no traceback; a mutant that happens to be valid settles (exit 0) or cannot (exit 2).

Seeds are the bundled scenarios. Mutations put hostile values anywhere in the tree (wrong
types, 1e400, -0, NaN, Infinity, huge integers, full-width digits, megabyte strings), delete or
add keys, duplicate keys, and write the result as JSON or YAML; raw mutations cut the text,
insert bytes that are not UTF-8, nest deeply. Files too large to be a period's data (tens of
megabytes) are refused before they are read, in bounded time and memory.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from budget import fuzz, tally
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from compiler.cli import main
from compiler.scenario import MAX_BYTES

ROOT = Path(__file__).resolve().parents[2]
SCEN = ROOT / "policies" / "scenarios"
SEEDS = [
    ("guizhou_risk_adjustment", "guizhou_2026.json"),
    ("guizhou_risk_adjustment", "guizhou_2027.yaml"),
    ("guiyang_county_budget", "guiyang_county_budget.json"),
    ("jilin_city_pooling", "jilin_city_pooling.json"),
    ("ningbo_city_pooling", "ningbo_2022.json"),
    ("ningbo_contributions", "ningbo_contributions.json"),
]
RAW = "\x00raw{}\x00"  # a placeholder replaced by a raw JSON token after dumping
HOSTILE: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    [],
    {},
    [1, 2],
    {"a": "b"},
    "",
    " ",
    "abc",
    "-0",
    "-0.00",
    "0e0",
    "1e400",
    "-1e400",
    "1e-400",
    "NaN",
    "nan",
    "-Infinity",
    "Infinity",
    "inf",
    "sNaN",
    "1_000",
    "１２３",
    "١٢٣",
    "12元",
    "5%%",
    "%",
    "150%",
    "0x10",
    "1,000",
    "1.005",
    "9" * 5000,
    "是",
    "否",
    "yes",
    "正常 ",
    "\u200b正常",
    "x" * 100_000,
    "\ud800",
    RAW.format("1e400"),
    RAW.format("-0"),
    RAW.format("NaN"),
    RAW.format("Infinity"),
    RAW.format("-Infinity"),
    RAW.format("9" * 5000),
    RAW.format("1" + "0" * 400),
    RAW.format("1.5e-320"),
    RAW.format("-0.0"),
]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _set(tree: Any, path: tuple[Any, ...], value: Any, op: str) -> Any:
    if not path:
        return value
    parent = tree
    for k in path[:-1]:
        parent = parent[k]
    if op == "delete":
        del parent[path[-1]]
    elif op == "rename" and isinstance(parent, dict):
        parent[str(value)[:50]] = parent.pop(path[-1])
    else:
        parent[path[-1]] = value
    return tree


@st.composite
def scenario_files(draw: st.DrawFn) -> tuple[str, str, bytes]:
    policy, seed = draw(st.sampled_from(SEEDS))
    text = (SCEN / seed).read_text(encoding="utf-8")
    tree = json.loads(text) if seed.endswith(".json") else yaml.safe_load(text)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(tree)))
        value = draw(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=8), st.integers(), st.floats()))
        tree = _set(tree, path, value, draw(st.sampled_from(["set", "set", "delete", "rename"])) if path else "set")
    suffix = draw(st.sampled_from([".json", ".yaml"]))
    if suffix == ".json":
        out = json.dumps(tree, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 1])))
        for token in ["1e400", "-0", "NaN", "Infinity", "-Infinity", "9" * 5000, "1" + "0" * 400, "1.5e-320", "-0.0"]:
            out = out.replace(json.dumps(RAW.format(token)), token)
    else:
        out = yaml.safe_dump(tree, allow_unicode=draw(st.booleans()))
    data = out.encode("utf-8", errors="surrogatepass")
    raw = draw(st.sampled_from(["none", "none", "cut", "bytes", "dupkey", "nest"]))
    at = draw(st.integers(0, len(data)))
    if raw == "cut":
        data = data[:at]
    elif raw == "bytes":
        data = (
            data[:at]
            + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\xef\xbb\xbf", b"\x80\x80"]))
            + data[at:]
        )
    elif raw == "dupkey" and data.startswith(b"{"):
        data = b'{"period": 2026, ' + data[1:]
    elif raw == "nest":
        depth = draw(st.sampled_from([10, 1000, 100_000]))
        data = b"[" * depth + data + b"]" * depth
    return policy, suffix, data


def _run(policy: str, suffix: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"scenario{suffix}"
        path.write_bytes(data)
        run = CliRunner().invoke(main, ["run", "--lang", "en", str(ROOT / "policies" / f"{policy}.pool"), str(path)])
        assert run.exception is None or isinstance(run.exception, SystemExit), repr(run.exception)
        assert run.exit_code in (0, 2), run.output
        if run.exit_code == 2:
            assert run.stdout == "" and run.stderr.startswith(str(path)), run.stderr[:500]
            assert "Traceback" not in run.stderr


@fuzz(150)
@given(scenario_files())
def test_a_malformed_scenario_is_a_clear_exit_2(case: tuple[str, str, bytes]) -> None:
    _run(*case)
    tally("scenario mutants: pool run")


def _bounded(args: list[str], seconds: float, megabytes: int) -> subprocess.CompletedProcess[str]:
    """Run a pool command in a child with an address-space limit; report its time."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (megabytes << 20, megabytes << 20))

    start = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "compiler.cli", *args],
        capture_output=True,
        text=True,
        preexec_fn=limit,
        cwd=ROOT,
        timeout=seconds * 4,
    )
    assert time.monotonic() - start < seconds, f"took {time.monotonic() - start:.1f} s"
    return run


def test_files_of_tens_of_megabytes_are_refused_quickly_in_little_memory(tmp_path: Path) -> None:
    seed = json.loads((SCEN / "guizhou_2026.json").read_text(encoding="utf-8"))
    region = next(iter(seed["regions"].values()))
    cases = {
        "regions.json": json.dumps(
            seed | {"regions": {f"地区{i}": region for i in range(120_000)}}, ensure_ascii=False
        ),
        "string.json": json.dumps(seed | {"params": {"附加上解比例": "9" * 30_000_000}}),
        "deep.yaml": "[" * 20_000_000 + "]" * 20_000_000,
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        assert path.stat().st_size > 2 * MAX_BYTES
        run = _bounded(["run", "policies/guizhou_risk_adjustment.pool", str(path)], seconds=20, megabytes=400)
        assert run.returncode == 2 and run.stdout == "" and "8 MB" in run.stderr, (name, run.stderr[-500:])
        tally("scenario files of tens of megabytes")


def test_the_largest_accepted_file_stays_within_time_and_memory(tmp_path: Path) -> None:
    """Just under the limit: about 24,000 regions, read and reported (none is a Guizhou city)."""
    seed = json.loads((SCEN / "guizhou_2026.json").read_text(encoding="utf-8"))
    region = next(iter(seed["regions"].values()))
    n = 1
    text = ""
    while True:  # the most regions that fit
        bigger = json.dumps(
            seed | {"regions": {f"地区{i}": region for i in range(n * 2)}}, ensure_ascii=False, indent=1
        )
        if len(bigger.encode()) > MAX_BYTES:
            break
        n, text = n * 2, bigger
    path = tmp_path / "large.json"
    path.write_text(text, encoding="utf-8")
    run = _bounded(["run", "policies/guizhou_risk_adjustment.pool", str(path)], seconds=90, megabytes=1200)
    assert run.returncode == 2 and run.stdout == "" and "Traceback" not in run.stderr
    tally("scenario files just under the size limit")


def test_an_alias_bomb_is_read_in_bounded_time(tmp_path: Path) -> None:
    """YAML aliases nest a billion references in a few hundred bytes; nothing may expand them."""
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    lines += ["regions: {贵阳市: {上年度征缴收入: *a9}}", "params: *a9", "state: {省级留存: *a9}"]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = _bounded(["run", "policies/guizhou_risk_adjustment.pool", str(path)], seconds=20, megabytes=400)
    assert run.returncode == 2 and run.stdout == "" and "Traceback" not in run.stderr
    tally("scenario alias bombs")
