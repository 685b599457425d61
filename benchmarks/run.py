"""pool benchmarks: every engine on the same rules, side by side, in one run.

    .venv/bin/python benchmarks/run.py            # the figures in docs/performance.md (a few minutes)
    .venv/bin/python benchmarks/run.py --quick    # smaller sizes, seconds

1. The Guizhou base-fund rule (benchmarks/guizhou_base.pool) on 1,000,000 region-years,
   2. the Ningbo waterfall (policies/ningbo_city_pooling.pool) over several years with balances
   carried: reference interpreter, compiled evaluator (exact rationals), vectorized backend,
   hand-written NumPy (benchmarks/handwritten.py) and OpenFisca (the remittance formula,
   benchmarks/openfisca_guizhou.py), with time per region-year and the amounts that
   differ from the compiled evaluator by a fen or more. Slow engines run on a sample
   of draws, said in the output; their time per region-year is that sample's.
3. `pool check` of a 300-line policy, and `pool --help` start-up against a bare
   `python -c "import lark, click"`.

OpenFisca runs in its own process: in this Python if openfisca-core is installed
(`pip install -e '.[bench]'`), else in the interpreter POOL_BENCH_OPENFISCA_PYTHON names.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import handwritten

from compiler.evaluate import check_policy, compiled_module
from compiler.interpreter import Env, settle
from compiler.vector import Batch, Scaled, run_batch

# engine, (wall, CPU) ns per region-year, amounts off, amounts compared, note
Row = tuple[str, tuple[float, float] | None, int | None, int | None, str]
D100 = Decimal(100)


class Clock:
    """Wall and CPU time together: on a shared machine the CPU time of this process is
    the steadier measure of the work done; the wall time is what a user waits."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def __enter__(self) -> Clock:
        self._w, self._c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall += time.perf_counter() - self._w
        self.cpu += time.process_time() - self._c

    def per(self, n: int) -> tuple[float, float]:
        return self.wall / n * 1e9, self.cpu / n * 1e9


def best_pair(f: Callable[[], Any], g: Callable[[], Any], repeat: int) -> tuple[Clock, Any, Clock, Any]:
    """Best wall and best CPU time of f and g run alternately, so both meet the same load."""
    cf, cg, rf, rg = Clock(), Clock(), None, None
    cf.wall = cf.cpu = cg.wall = cg.cpu = float("inf")
    for _ in range(repeat):
        for fn, clock in ((f, cf), (g, cg)):
            one = Clock()
            with one:
                out = fn()
            clock.wall, clock.cpu = min(clock.wall, one.wall), min(clock.cpu, one.cpu)
            if fn is f:
                rf = out
            else:
                rg = out
    return cf, rf, cg, rg


def off(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> int:
    return int(np.count_nonzero(np.asarray(a) != np.asarray(b)))


# ---- 1. Guizhou


def guizhou_data(n: int, r: int, rng: np.random.Generator) -> dict[str, np.ndarray[Any, Any]]:
    inc = rng.integers(10**9, 5 * 10**11, size=(n, r))  # 1000万元 to 50亿元, in fen
    prev = inc - rng.integers(-inc // 10, inc // 5)  # growth between −20% and +10%
    return {
        "上年度征缴收入": inc,
        "前年度征缴收入": prev,
        "擅自调整筹资政策": rng.random((n, r)) < 0.05,
        "原标准征缴收入": inc + rng.integers(0, inc // 10),
        "参保人数": rng.integers(500_000, 8_000_000, size=(n, r)),
        "老年参保人数": rng.integers(50_000, 1_500_000, size=(n, r)),
    }


def scalar_inputs(data: dict[str, np.ndarray[Any, Any]], regions: list[str], i: int, money: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, a in data.items():
        row = a[i]
        if a.dtype == bool:
            out[k] = {r: bool(x) for r, x in zip(regions, row)}
        else:
            out[k] = {r: (Decimal(int(x)) / D100 if k in money else Decimal(int(x))) for r, x in zip(regions, row)}
    return out


def run_decimal(
    module: Any, regions: list[str], draws: range, make: Callable[[int], dict[str, Any]], names: list[str]
) -> tuple[Clock, dict[str, np.ndarray[Any, Any]]]:
    """Time spent inside evaluate() (conversions left out), and each rule in fen."""
    got = {n: np.zeros((len(draws), len(regions)), dtype=np.int64) for n in names}
    spent = Clock()
    for j, i in enumerate(draws):
        inputs = make(i)
        with spent:
            out = module.evaluate(regions, {}, inputs, {})
        for n in names:
            got[n][j] = [int(out.values[n][r] * 100) for r in regions]
    return spent, got


def openfisca(
    data: dict[str, np.ndarray[Any, Any]],
) -> tuple[tuple[float, float] | None, np.ndarray[Any, Any] | None, str]:
    python = os.environ.get("POOL_BENCH_OPENFISCA_PYTHON")
    if python is None:
        try:
            import openfisca_core  # noqa: F401
        except ImportError:
            return (
                None,
                None,
                "not run: openfisca-core is not installed (pip install -e '.[bench]', or set "
                "POOL_BENCH_OPENFISCA_PYTHON)",
            )
        python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.npz", Path(tmp) / "out.npz"
        np.savez(
            src,
            inc=data["上年度征缴收入"],
            prev=data["前年度征缴收入"],
            orig=data["原标准征缴收入"],
            changed=data["擅自调整筹资政策"],
        )
        run = subprocess.run(
            [python, str(ROOT / "benchmarks" / "openfisca_guizhou.py"), str(src), str(dst)],
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            return None, None, "not run: " + (run.stderr.strip().splitlines() or ["failed"])[-1]
        out = np.load(dst)
        return (
            (float(out["seconds"]), float(out["cpu"])),
            out["remit"],
            f"remittance formula only (no allocation), {out['dtype']} 元",
        )


def guizhou(region_years: int, decimal_sample: int, interp_sample: int, rng: np.random.Generator) -> list[Row]:
    path = ROOT / "benchmarks" / "guizhou_base.pool"
    checked = check_policy(path)
    module = compiled_module(checked, path.read_text(encoding="utf-8"))
    regions = [r.text for r in checked.scope.regions(checked.policy)]
    r = len(regions)
    n = -(-region_years // r)
    data = guizhou_data(n, r, rng)
    ry = n * r
    money = {"上年度征缴收入", "前年度征缴收入", "原标准征缴收入"}
    rules = ["基础上解额", "基础分配额"]
    batch = Batch(
        tuple(regions), n, inputs={k: (v if v.dtype == bool or k in money else Scaled(v, 1)) for k, v in data.items()}
    )
    rows: list[Row] = []

    nd = min(decimal_sample, n)
    dec_time, want = run_decimal(module, regions, range(nd), lambda i: scalar_inputs(data, regions, i, money), rules)
    sample = "" if nd == n else f"on the first {nd * r:,} region-years"
    rows.append(
        (
            "compiled evaluator (exact rationals)",
            dec_time.per(nd * r),
            None,
            None,
            ("reference; " + sample) if sample else "the reference",
        )
    )

    ni = min(interp_sample, n)
    interp_clock = Clock()
    interp_off = 0
    for i in range(ni):
        scal = scalar_inputs(data, regions, i, money)
        env = Env(
            regions,
            {},
            {k: {x: (Fraction(v) if not isinstance(v, bool) else v) for x, v in d.items()} for k, d in scal.items()},
            {},
        )
        with interp_clock:
            res = settle(checked, env)
        for name in rules:
            value = res.values[name]
            assert isinstance(value, dict)
            interp_off += sum(int(value[x] * 100) != int(want[name][i, j]) for j, x in enumerate(regions))
    rows.append(
        ("reference interpreter", interp_clock.per(ni * r), interp_off, ni * r * 2, f"on {ni * r:,} region-years")
    )

    args = [
        data[k]
        for k in ("上年度征缴收入", "前年度征缴收入", "擅自调整筹资政策", "原标准征缴收入", "参保人数", "老年参保人数")
    ]
    vt, vout, ht, hout = best_pair(lambda: run_batch(checked, batch), lambda: handwritten.guizhou_base(*args), 5)
    voff = sum(off(vout.values[k][:nd], want[k]) for k in rules)
    rows.append(
        (
            "vectorized backend (compiler.vector)",
            vt.per(ry),
            voff,
            nd * r * 2,
            f"{ry:,} region-years, best of 5; Python-int fallbacks: {vout.promoted}",
        )
    )
    hoff = off(hout[0][:nd], want["基础上解额"]) + off(hout[1][:nd], want["基础分配额"])
    rows.append(
        (
            "hand-written NumPy",
            ht.per(ry),
            hoff,
            nd * r * 2,
            f"{ry:,} region-years, best of 5, run alternately with the backend",
        )
    )

    ot, oout, note = openfisca(data)
    if ot is None or oout is None:
        rows.append(("OpenFisca", None, None, None, note))
    else:
        rows.append(
            ("OpenFisca", (ot[0] / ry * 1e9, ot[1] / ry * 1e9), off(oout[:nd], want["基础上解额"]), nd * r, note)
        )
    return rows


# ---- 2. Ningbo


def ningbo(draws: int, years: int, decimal_sample: int, interp_sample: int, rng: np.random.Generator) -> list[Row]:
    path = ROOT / "policies" / "ningbo_city_pooling.pool"
    checked = check_policy(path)
    module = compiled_module(checked, path.read_text(encoding="utf-8"))
    regions = [r.text for r in checked.scope.regions(checked.policy)]
    n, r = draws, len(regions)
    ry = n * r * years
    income = rng.integers(2 * 10**10, 2 * 10**11, size=(years, n, r))  # 2亿元 to 20亿元
    spending = income + rng.integers(-income // 20, income // 20)
    top_up = np.where(rng.random((years, n, r)) < 0.1, rng.integers(0, 10**9, size=(years, n, r)), 0)
    monthly = rng.integers(3 * 10**10, 6 * 10**10, size=(years, n))
    pool0 = rng.integers(0, 3 * 10**11, size=n)
    local0 = rng.integers(0, 2 * 10**10, size=(n, r))
    accounts = [f"区县累计结余({x})" for x in regions]

    def vector() -> tuple[list[np.ndarray[Any, Any]], int]:
        opening: dict[str, Any] = {"归集基金": pool0, **{a: local0[:, j] for j, a in enumerate(accounts)}}
        out, promoted = [], 0
        for y in range(years):
            inputs = {
                "险种": "职工医保",
                "基金收入": income[y],
                "基金支出": spending[y],
                "考核少收多支额": top_up[y],
                "月均基金支付额": monthly[y],
            }
            res = run_batch(checked, Batch(tuple(regions), n, inputs=inputs, opening=opening))
            opening = dict(res.closing)
            promoted += res.promoted
            out.append(np.column_stack([res.closing["归集基金"], *(res.closing[a] for a in accounts)]))
        return out, promoted

    def hand() -> list[np.ndarray[Any, Any]]:
        pool, local, out = pool0, local0, []
        for y in range(years):
            pool, local, _ = handwritten.ningbo_year(income[y], spending[y], top_up[y], monthly[y], pool, local)
            out.append(np.column_stack([pool, local]))
        return out

    def scalar(engine: str, i: int) -> tuple[Clock, list[list[int]]]:
        opening = {
            "归集基金": Decimal(int(pool0[i])) / D100,
            **{a: Decimal(int(local0[i, j])) / D100 for j, a in enumerate(accounts)},
        }
        fopen = {k: Fraction(v) for k, v in opening.items()}
        spent, rows = Clock(), []
        for y in range(years):
            per = {"基金收入": income[y, i], "基金支出": spending[y, i], "考核少收多支额": top_up[y, i]}
            inputs: dict[str, Any] = {
                k: {x: Decimal(int(v)) / D100 for x, v in zip(regions, a)} for k, a in per.items()
            }
            inputs["险种"] = "职工医保"
            inputs["月均基金支付额"] = Decimal(int(monthly[y, i])) / D100
            if engine == "decimal":
                with spent:
                    closing = module.evaluate(regions, {}, inputs, opening).closing
                opening = closing
            else:
                env = Env(
                    regions,
                    {},
                    {
                        k: (
                            {x: Fraction(v) for x, v in d.items()}
                            if isinstance(d, dict)
                            else (Fraction(d) if isinstance(d, Decimal) else d)
                        )
                        for k, d in inputs.items()
                    },
                    fopen,
                )
                with spent:
                    closing = settle(checked, env).closing
                fopen = closing
            rows.append([int(closing["归集基金"] * 100), *(int(closing[a] * 100) for a in accounts)])
        return spent, rows

    rows: list[Row] = []
    nd = min(decimal_sample, n)
    dec = [scalar("decimal", i) for i in range(nd)]
    want = np.array([[row for row in d[1]] for d in dec]).transpose(1, 0, 2)  # (years, draws, accounts)
    compared = want.size
    rows.append(
        (
            "compiled evaluator (exact rationals)",
            _total(d[0] for d in dec).per(nd * r * years),
            None,
            None,
            f"the reference, on {nd * r * years:,} region-years",
        )
    )
    ni = min(interp_sample, n)
    interp = [scalar("interpreter", i) for i in range(ni)]
    got_i = np.array([d[1] for d in interp]).transpose(1, 0, 2)
    rows.append(
        (
            "reference interpreter",
            _total(d[0] for d in interp).per(ni * r * years),
            off(got_i, want[:, :ni]),
            got_i.size,
            f"on {ni * r * years:,} region-years",
        )
    )
    vt, (vout, promoted), ht, hout = best_pair(vector, hand, 5)
    vstack = np.stack(vout)
    rows.append(
        (
            "vectorized backend (compiler.vector)",
            vt.per(ry),
            off(vstack[:, :nd], want),
            compared,
            f"{ry:,} region-years, best of 5; Python-int fallbacks: {promoted}",
        )
    )
    hstack = np.stack(hout)
    rows.append(
        (
            "hand-written NumPy",
            ht.per(ry),
            off(hstack[:, :nd], want),
            compared,
            f"{ry:,} region-years, best of 5, run alternately; differs from vectorized on {off(hstack, vstack):,} of "
            f"{vstack.size:,}",
        )
    )
    rows.append(
        (
            "OpenFisca",
            None,
            None,
            None,
            "not written: a waterfall sharing a capped tier to the fen has no OpenFisca formula here",
        )
    )
    return rows


def _total(clocks: Any) -> Clock:
    out = Clock()
    for c in clocks:
        out.wall += c.wall
        out.cpu += c.cpu
    return out


# ---- 3. checking and start-up


PROBE = """
import statistics, sys, time
t = time.perf_counter()
from compiler.driver import check_file
imported = time.perf_counter() - t
t = time.perf_counter()
assert check_file(sys.argv[1]).policy is not None
first = time.perf_counter() - t
again = []
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    check_file(sys.argv[1])
    again.append(time.perf_counter() - t)
print(imported, first, statistics.median(again))
"""


def check_and_startup(runs: int) -> list[tuple[str, float, str]]:
    """In a fresh process, as a drafter meets it: the first check pays for lazy set-up."""
    policy = ROOT / "policies" / "guiyang_county_budget.pool"
    lines = len(policy.read_text(encoding="utf-8").splitlines())

    def probe() -> tuple[float, float, float]:
        out = subprocess.run(
            [sys.executable, "-c", PROBE, str(policy), str(runs)], capture_output=True, text=True, check=True, cwd=ROOT
        )
        imported, first, warm = (float(x) for x in out.stdout.split())
        return imported, first, warm

    probe()  # the very first run after installing stores the built parser (compiler/parsing/cache.py)
    probes = [probe() for _ in range(runs)]
    imported, first, warm = (statistics.median(p[i] for p in probes) for i in range(3))
    first_range = f"{min(p[1] for p in probes) * 1e3:.0f}–{max(p[1] for p in probes) * 1e3:.0f}"
    pool = Path(sys.executable).with_name("pool")

    def wall(cmd: list[str]) -> float:
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=True)
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    bare = wall([sys.executable, "-c", "import lark, click"])
    helped = wall([str(pool), "--help"]) if pool.exists() else float("nan")
    whole = wall([str(pool), "check", str(policy)]) if pool.exists() else float("nan")
    return [
        (f"import compiler.driver (fresh process, median of {runs})", imported * 1e3, "ms"),
        (
            f"check {policy.name} ({lines} lines), first in a fresh process",
            first * 1e3,
            f"ms, median of {runs} processes (range {first_range}); loads the parser, builds the lexer",
        ),
        (f"check {policy.name}, again in the same process", warm * 1e3, "ms"),
        ("python -c 'import lark, click'", bare * 1e3, f"ms, median of {runs}"),
        ("pool --help", helped * 1e3, f"ms, {helped / bare:.2f}× the bare import"),
        (f"pool check {policy.name} (whole command)", whole * 1e3, f"ms, median of {runs}"),
    ]


def table(title: str, rows: list[Row]) -> None:
    decimal = rows[0][1]
    assert decimal is not None
    print(f"\n{title}")
    print(f"  {'engine':38} {'wall ns/r-y':>12} {'CPU ns/r-y':>11} {'× compiled':>10} {'amounts off ≥1 fen':>22}  note")
    for name, ns, bad, compared, note in rows:
        wall = "—" if ns is None else f"{ns[0]:,.0f}"
        cpu = "—" if ns is None else f"{ns[1]:,.0f}"
        ratio = "—" if ns is None else f"{decimal[1] / ns[1]:,.1f}"
        diff = "—" if bad is None or compared is None else f"{bad:,} of {compared:,}"
        print(f"  {name:38} {wall:>12} {cpu:>11} {ratio:>10} {diff:>22}  {note}")
    print("  (× compiled compares CPU time; r-y = region-year)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke run in seconds")
    ap.add_argument("--region-years", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=20261124)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    scale = 100 if a.quick else 1
    print(
        f"pool benchmarks — {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, numpy "
        f"{np.__version__}, seed {a.seed}"
    )
    ry = a.region_years // scale
    g = guizhou(ry, decimal_sample=ry, interp_sample=2_000 // scale + 1, rng=rng)
    table(f"1. Guizhou base-fund rule (collect + allocation by two factors), {ry:,} region-years", g)
    years = 5
    draws = ry // (10 * years)
    nb = ningbo(draws, years, decimal_sample=2_000 // scale + 1, interp_sample=200 // scale + 1, rng=rng)
    table(f"2. Ningbo waterfall (whole policy, 职工医保), {draws:,} draws × 10 districts × {years} years carried", nb)
    print("\n3. Checking and start-up")
    for name, ms, note in check_and_startup(5 if a.quick else 15):
        print(f"  {name:58} {ms:10.1f} {note}")


if __name__ == "__main__":
    main()
