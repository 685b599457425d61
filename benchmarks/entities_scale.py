"""Millions of persons on the vector engine: the Ningbo contributions policy, one month.

    .venv/bin/python benchmarks/entities_scale.py                    # 10^6 persons
    .venv/bin/python benchmarks/entities_scale.py --persons 10000000 # 10^7 (about 2.5 GB of RAM at peak)

Generates a population (compiler/tools/population.py, in a child process so its memory is
not counted), then in this process: reads the Parquet files (compiler/entity_files.py, only
the columns the policy uses), settles the month exactly (compiler/scale.settle_columns, the
median of --runs), totals the ledger per rule and region, and reports the peak resident
memory (resource.getrusage). For scale, the interpreter settles a 2,000-person sample of the
same population; the ratio is per person. Targets (docs/performance.md): 10^7 persons settled
in ≤ 10 s wall, peak ≤ 4 GB.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compiler.entity_files import read_entities
from compiler.evaluate import check_policy, evaluate_file, load_scenario
from compiler.scale import ledger_rows, settle_columns
from compiler.tools import population

POLICY = str(ROOT / "policies" / "ningbo_contributions.pool")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--money", choices=["decimal", "text", "fen"], default="decimal")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "compiler.tools.population", "--persons", str(a.persons), "--seed", "2023",
             "--out", str(out), "--money", a.money],
            check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        made = time.perf_counter() - t
        size = sum(f.stat().st_size for f in out.glob("*.parquet")) / 2**20
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())  # as pool run --engine vector does (compiler/scale.py)
        checked = check_policy(POLICY)
        scen = load_scenario(checked, out / "scenario.json")
        files = {"用人单位": str(out / "employers.parquet"), "参保人员": str(out / "persons.parquet")}
        base = peak_mb()
        t = time.perf_counter()
        data, regions = read_entities(checked, files, scen.regions)
        read = time.perf_counter() - t
        scen = attrs.evolve(scen, regions=tuple(regions))
        times, cpus = [], []
        for _ in range(a.runs):
            w, c = time.perf_counter(), time.process_time()
            res = settle_columns(checked, scen, data)
            rows = ledger_rows(res)
            times.append(time.perf_counter() - w)
            cpus.append(time.process_time() - c)
        settle, cpu = statistics.median(times), statistics.median(cpus)
        employers = len(data.columns.ids["用人单位"])
        print(f"population: {a.persons:,} persons, {employers:,} employers, Parquet {size:.1f} MiB "
              f"(money as {a.money}), generated in {made:.1f} s")  # fmt: skip
        print(f"read (only the policy's columns, checked): {read:.2f} s wall")
        print(f"settle, vector engine, exact fen (median of {a.runs}): {settle:.2f} s wall, {cpu:.2f} s CPU; "
              f"{len(rows)} ledger rows per rule and region")  # fmt: skip
        print(f"peak RSS: {peak_mb():,.0f} MB (before reading: {base:,.0f} MB)")
        per_million = settle * 1e6 / a.persons
        print(f"targets for 10^7 persons: settle <= 10 s wall, peak <= 4,096 MB; here per 10^6: {per_million:.2f} s")
        sample = Path(tmp) / "sample"
        made = population.write(sample, 2000, seed=2023, full_json=True)
        t = time.perf_counter()
        evaluate_file(POLICY, made["full"], "interpreter")
        interp = time.perf_counter() - t
        per_vector, per_interp = settle / a.persons, interp / 2000
        ratio = per_interp / per_vector
        print(f"interpreter, 2,000 persons: {interp:.2f} s wall; per person the vector engine is {ratio:,.0f}× faster")


if __name__ == "__main__":
    main()
