"""The Ningbo contributions (policies/ningbo_contributions.pool), one month, side by side:

    .venv/bin/python benchmarks/ningbo_columns.py --persons 1000000
    .venv/bin/python benchmarks/ningbo_columns.py --persons 10000000 --dask
    .venv/bin/python benchmarks/ningbo_columns.py --agree 1000000   # the interpreter on 10^6 persons (~25 min)

Columns, each in its own child process so that peak memories do not mix (resource.getrusage):
- vector: pool's vector engine (read the Parquet files, checked; settle exactly);
- numpy: the same rules written by hand in NumPy on int64 fen (60%–300% clamp, 2% person, 10%
  flexible, the retirement top-ups, employer 7.5%/0.5%/0.5% on the summed base, each amount
  rounded half-up to the fen), reading the same files with pyarrow; no checks;
- duckdb: the same rules in SQL with DECIMAL arithmetic over the Parquet files (if installed:
  the `bench` extra);
- interpreter: the Decimal/Fraction evaluator on a 10^4-person population (the same generator);
- dask: `--engine dask`'s path with a LocalCluster of 2 worker processes (with --dask).
Each amount of every column is compared with the vector engine's on up to 10^6 sampled persons
(and every employer): the fen differences must be 0.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
POLICY = str(ROOT / "policies" / "ningbo_contributions.pool")
PERSON = ["职工个人缴费", "灵活就业人员缴费", "一次性补缴额", "按月延缴额"]
EMPLOYER = ["单位基本医疗保险费", "单位重大疾病医疗救助金", "单位生育保险费"]
AVG, BEFORE = 600_000, 560_000  # fen: the generator's 上年度省社平 (enabled) and 上上年度省社平


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def half_up(x: Any, num: int, den: int) -> Any:
    """round(x × num / den) half-up, x ≥ 0 int64 fen: exact in integers."""
    return (x * (2 * num) + den) // (2 * den)


def col_numpy(d: Path) -> dict[str, Any]:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    p = pq.read_table(d / "persons.parquet", columns=["用人单位", "身份", "状态", "参保时间段", "累计缴费年限",
                                                     "选择补缴方式", "缴费工资"])  # fmt: skip
    e = pq.read_table(d / "employers.parquet", columns=["id"])

    def codes(name: str, words: list[str]) -> Any:
        return np.asarray(pc.index_in(p[name].combine_chunks(), value_set=pa.array(words)).to_numpy(False))

    wage = np.asarray(pc.cast(pc.multiply(p["缴费工资"], 100), pa.int64()).to_numpy())
    kind = codes("身份", ["单位职工", "灵活就业人员", "失业人员"])
    retired = codes("状态", ["在职", "退休"]) == 1
    new = codes("参保时间段", ["原政策人员", "新参保人员"]) == 1
    choice = codes("选择补缴方式", ["一次性补缴", "按月延缴", "未选择"])
    half_years = np.asarray(pc.cast(pc.multiply(pc.cast(p["累计缴费年限"], pa.decimal128(8, 1)), 2), pa.int64()))
    basis = AVG  # 上年度省社平已启用
    base = np.where(kind == 0, np.clip(wage, basis * 60 // 100, basis * 3), wage)
    staff, flex = (kind == 0) & ~retired, (kind > 0) & ~retired
    owe = retired & new & (half_years < 40)
    out = {
        "职工个人缴费": np.where(staff, half_up(base, 2, 100), 0),
        "灵活就业人员缴费": np.where(flex, half_up(base, 10, 100), 0),
        # 上年度省社平 × 10% × 12 × 不足年限 (half-years: × 6 × (40 − h)); 按月延缴: 征缴依据省社平 × 10%
        "一次性补缴额": np.where(owe & (choice == 0), half_up(AVG * 6 * np.maximum(40 - half_years, 0), 10, 100), 0),
        "按月延缴额": np.where(owe & (choice == 1), half_up(np.full(len(wage), basis), 10, 100), 0),
    }
    link = pc.index_in(p["用人单位"].combine_chunks(), value_set=e["id"].combine_chunks())
    idx = np.asarray(pc.fill_null(link, -1).to_numpy(False), dtype=np.int64)
    keep = staff & (idx >= 0)
    summed = np.bincount(idx[keep], weights=base[keep], minlength=len(e)).astype(np.int64)  # < 2**53 here
    out |= {"单位基本医疗保险费": half_up(summed, 75, 1000), "单位重大疾病医疗救助金": half_up(summed, 5, 1000),
            "单位生育保险费": half_up(summed, 5, 1000)}  # fmt: skip
    return out


def col_duckdb(d: Path) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads TO 2")
    persons, employers = str(d / "persons.parquet"), str(d / "employers.parquet")
    basis = f"{AVG // 100}.00::DECIMAL(18,2)"
    con.execute(f"""
        CREATE TEMP TABLE p AS SELECT file_row_number AS row, 用人单位 AS emp, 身份 AS kind, 状态 AS st,
          CASE WHEN 身份 = '单位职工' THEN LEAST(GREATEST(缴费工资, {basis} * 0.6), {basis} * 3) ELSE 缴费工资 END
            AS base,
          状态 = '退休' AND 参保时间段 = '新参保人员' AND 累计缴费年限::DECIMAL(8,1) < 20 AS owe,
          选择补缴方式 AS choice, GREATEST(20 - 累计缴费年限::DECIMAL(8,1), 0) AS short
        FROM read_parquet('{persons}', file_row_number = true)""")
    fen = "::DECIMAL(18,2) * 100)::BIGINT"
    person = con.execute(f"""
        SELECT (ROUND(CASE WHEN kind = '单位职工' AND st = '在职' THEN base * 0.02 ELSE 0 END, 2){fen},
          (ROUND(CASE WHEN kind <> '单位职工' AND st = '在职' THEN base * 0.10 ELSE 0 END, 2){fen},
          (ROUND(CASE WHEN owe AND choice = '一次性补缴' THEN {basis} * 0.10 * 12 * short ELSE 0 END, 2){fen},
          (ROUND(CASE WHEN owe AND choice = '按月延缴' THEN {basis} * 0.10 ELSE 0 END, 2){fen}
        FROM p ORDER BY row""").fetchnumpy()
    employer = con.execute(f"""
        WITH s AS (SELECT emp, SUM(base) AS b FROM p WHERE kind = '单位职工' AND st = '在职' GROUP BY emp)
        SELECT (ROUND(COALESCE(b, 0) * 0.075, 2){fen}, (ROUND(COALESCE(b, 0) * 0.005, 2){fen},
               (ROUND(COALESCE(b, 0) * 0.005, 2){fen}
        FROM read_parquet('{employers}', file_row_number = true) e LEFT JOIN s ON s.emp = e.id
        ORDER BY e.file_row_number""").fetchnumpy()
    cols = [*person.values(), *employer.values()]
    return {n: np.asarray(c, dtype=np.int64) for n, c in zip(PERSON + EMPLOYER, cols)}


def col_vector(d: Path, dask: bool = False) -> dict[str, Any]:
    import pyarrow as pa

    from compiler.scale import settle_vector

    pa.set_memory_pool(pa.system_memory_pool())
    files = {"用人单位": str(d / "employers.parquet"), "参保人员": str(d / "persons.parquet")}
    if not dask:
        _, _, out = settle_vector(POLICY, d / "scenario.json", files)
    else:
        from compiler.scale_dask import client_for, settle_dask

        with client_for(None, 2) as client:
            t = time.perf_counter()
            _, _, out = settle_dask(POLICY, d / "scenario.json", files, client=client)
            print(json.dumps({"inside_cluster": time.perf_counter() - t}), file=sys.stderr)
    return {n: out.values[n][0] for n in PERSON + EMPLOYER}


def col_interpreter(d: Path) -> dict[str, Any]:
    from compiler.evaluate import evaluate_file

    _, _, res = evaluate_file(POLICY, d / "scenario_full.json", "interpreter")
    out = {}
    for n in PERSON + EMPLOYER:
        v = res.values[n]
        assert isinstance(v, dict)
        out[n] = np.array([int(x * 100) for x in v.values()], dtype=np.int64)
    return out


def agree(persons: int) -> None:
    """The interpreter against the vector engine on `persons` persons, as populations of 10^4 (seeds
    1, 2, …): the interpreter's time grows faster than its population, and a scenario file is at most
    8 MB. Every amount of every person and employer is compared."""
    import shutil

    from compiler.evaluate import evaluate_file
    from compiler.scale import settle_vector
    from compiler.tools import population

    done = amounts = diff = 0
    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(1, -(-persons // 10_000) + 1):
            made = population.write(Path(tmp) / str(seed), 10_000, seed=seed, full_json=True)
            files = {"用人单位": str(made["用人单位"]), "参保人员": str(made["参保人员"])}
            _, _, vec = settle_vector(POLICY, made["scenario"], files)
            _, _, res = evaluate_file(POLICY, made["full"], "interpreter")
            for name in PERSON + EMPLOYER:
                v = res.values[name]
                assert isinstance(v, dict)
                got = np.array([int(x * 100) for x in v.values()], dtype=np.int64)
                diff += int((got != vec.values[name][0]).sum())
                amounts += len(got)
            done += 10_000
            shutil.rmtree(Path(tmp) / str(seed))
    print(f"interpreter vs vector: {done:,} persons in {done // 10_000} populations, {amounts:,} amounts, "
          f"fen differences {diff}, {time.perf_counter() - t:.0f} s")  # fmt: skip


def child(column: str, d: Path, out: Path) -> None:
    t = time.perf_counter()
    got = {"numpy": col_numpy, "duckdb": col_duckdb, "interpreter": col_interpreter}.get(column)
    amounts = got(d) if got else col_vector(d, dask=column == "dask")
    wall = time.perf_counter() - t
    np.savez(out, **{n: amounts[n] for n in PERSON + EMPLOYER})
    workers = peak_mb(resource.RUSAGE_CHILDREN) if column == "dask" else 0.0
    print(json.dumps({"wall": wall, "peak": peak_mb(), "workers": workers}))


def run(column: str, d: Path, tmp: Path) -> tuple[dict[str, Any], dict[str, Any]] | None:
    out = tmp / f"{column}.npz"
    r = subprocess.run([sys.executable, __file__, "--child", column, "--dir", str(d), "--out", str(out)],
                       capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    if r.returncode:
        print(f"{column}: failed\n{r.stderr[-2000:]}")
        return None
    stats = json.loads(r.stdout.strip().splitlines()[-1])
    with np.load(out) as z:
        return stats, {n: z[n] for n in z.files}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--dask", action="store_true")
    ap.add_argument("--agree", type=int, default=0, help="only: the interpreter against vector on N persons")
    ap.add_argument("--child")
    ap.add_argument("--dir")
    ap.add_argument("--out")
    a = ap.parse_args()
    if a.child:
        return child(a.child, Path(a.dir), Path(a.out))
    if a.agree:
        return agree(a.agree)
    from compiler.tools import population

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        big, small = tmp / "big", tmp / "small"
        subprocess.run([sys.executable, "-m", "compiler.tools.population", "--persons", str(a.persons), "--seed",
                        "2023", "--out", str(big)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)  # fmt: skip
        population.write(small, 10_000, seed=2023, full_json=True)
        columns = ["vector", "numpy"]
        try:
            import duckdb  # noqa: F401

            columns.append("duckdb")
        except ImportError:
            print("duckdb: not installed (pip install 'pool-lang[bench]'): column skipped")
        columns += ["dask"] if a.dask else []
        results = {c: run(c, big, tmp) for c in columns}
        ref = results["vector"]
        assert ref is not None
        n = len(ref[1][PERSON[0]])
        sample = np.sort(np.random.default_rng(0).choice(n, min(n, 10**6), replace=False))
        print(f"Ningbo contributions, {a.persons:,} persons (one month); fen differences on {len(sample):,} sampled "
              "persons and every employer")  # fmt: skip
        print(f"{'column':<24}{'wall s':>10}{'peak MB':>10}{'diff fen':>10}")
        for c, got in results.items():
            if got is None:
                continue
            stats, amounts = got
            diff = sum(int((amounts[p][sample] != ref[1][p][sample]).sum()) for p in PERSON)
            diff += sum(int((amounts[e] != ref[1][e]).sum()) for e in EMPLOYER)
            extra = f"  (workers' peak {stats['workers']:,.0f} MB each at most)" if c == "dask" else ""
            print(f"{c:<24}{stats['wall']:>10.2f}{stats['peak']:>10,.0f}{diff:>10}{extra}")
        vec, interp = run("vector", small, tmp), run("interpreter", small, tmp)
        if vec and interp:
            diff = sum(int((interp[1][k] != vec[1][k]).sum()) for k in PERSON + EMPLOYER)
            per = interp[0]["wall"] / 10_000 / (ref[0]["wall"] / a.persons)
            print(f"{'interpreter (10^4)':<24}{interp[0]['wall']:>10.2f}{interp[0]['peak']:>10,.0f}{diff:>10}"
                  f"  (vs vector on the same 10^4; per person {per:,.0f}x the vector column's time)")  # fmt: skip


if __name__ == "__main__":
    main()
