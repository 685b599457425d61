"""Synthetic populations for policies/ningbo_contributions.pool: persons and employers, any size.

    python -m compiler.tools.population --persons 1000000 --seed 7 --out pop/
    pool run policies/ningbo_contributions.pool pop/scenario.json --engine vector \\
        --entities 用人单位=pop/employers.parquet --entities 参保人员=pop/persons.parquet

Seeded and deterministic: the same seed, size and options write the same files. Writes
persons.parquet and employers.parquet (or .csv with --format csv) and scenario.json (the
period and the 省社平 figures, no entities). Distributions (demonstration data, not statistics):
employers' sizes are heavy-tailed (Pareto, shape 1.1) and employers are spread unevenly over
the ten 区县; 75% 单位职工 (each with an employer), 18% 灵活就业人员, 7% 失业人员 (each with a
region of its own); 78% 在职, 22% 退休; ages 18–64 at work, 55–95 retired; monthly wages
log-normal around the 省社平 (σ 0.55, to the fen); 30% 新参保人员; years of contributions to
the half year; retirees short of twenty years choose 一次性补缴, 按月延缴 or neither.

Money is written exactly: `缴费工资` as decimal text in CSV, as decimal128(18, 2) in Parquet,
or with --money fen as int64 fen in a column `缴费工资(分)`. The generator draws with floats;
what it writes is exact, and it is what the reader reads. `--json` also writes scenario_full.json
with the entities inline (for the interpreter, on small sizes).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

REGIONS = ["海曙区", "江北区", "北仑区", "镇海区", "鄞州区", "奉化区", "余姚市", "慈溪市", "宁海县", "象山县"]
REGION_WEIGHTS = [0.14, 0.09, 0.11, 0.06, 0.22, 0.05, 0.10, 0.13, 0.05, 0.05]


def generate(persons: int, seed: int = 0, average_fen: int = 600_000) -> dict[str, dict[str, Any]]:
    """Columns as numpy arrays: {"用人单位": {...}, "参保人员": {...}}; ids as running numbers
    (P00000001, E0000001), wages as int64 fen. Links: the employer's position, -1 for none."""
    rng = np.random.default_rng(seed)
    n = persons
    employers = max(1, n // 25)
    size = rng.pareto(1.1, employers) + 1.0
    e_region = rng.choice(len(REGIONS), size=employers, p=REGION_WEIGHTS)
    kind = rng.choice(3, size=n, p=[0.75, 0.18, 0.07])  # 单位职工, 灵活就业人员, 失业人员
    retired = rng.random(n) < 0.22
    employer = np.where(kind == 0, rng.choice(employers, size=n, p=size / size.sum()), -1)
    own_region = np.where(kind == 0, -1, rng.choice(len(REGIONS), size=n, p=REGION_WEIGHTS))
    age = np.where(retired, rng.integers(55, 96, n), rng.integers(18, 65, n))
    sigma = 0.55
    wage = np.rint(average_fen * np.exp(rng.normal(-sigma * sigma / 2, sigma, n))).astype(np.int64)
    new = rng.random(n) < 0.30
    half_years = np.where(retired, rng.integers(20, 81, n), np.minimum(rng.integers(0, 71, n), (age - 16) * 2))
    short = retired & new & (half_years < 40)
    choice = np.where(short, rng.choice(3, size=n, p=[0.5, 0.3, 0.2]), 2)  # 一次性补缴, 按月延缴, 未选择
    return {
        "用人单位": {"region": e_region.astype(np.int64)},
        "参保人员": {
            "employer": employer.astype(np.int64),
            "region": own_region.astype(np.int64),
            "kind": kind,
            "retired": retired,
            "age": age.astype(np.int64),
            "wage_fen": wage,
            "new": new,
            "half_years": half_years.astype(np.int64),
            "choice": choice,
        },
    }


def _ids(pa: Any, pc: Any, prefix: str, n: int, width: int) -> Any:
    digits = pc.utf8_lpad(pa.array(np.arange(1, n + 1, dtype=np.int64)).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def _words(pa: Any, codes: np.ndarray, words: list[str]) -> Any:
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(words)).cast(pa.string())


def tables(pop: dict[str, dict[str, Any]], money: str = "decimal") -> tuple[Any, Any]:
    """(employers, persons) as pyarrow tables; money: "decimal" (decimal128), "text" or "fen"."""
    import pyarrow as pa
    import pyarrow.compute as pc

    e, p = pop["用人单位"], pop["参保人员"]
    e_ids = _ids(pa, pc, "E", len(e["region"]), 7)
    employers = pa.table({"id": e_ids, "地区": _words(pa, e["region"], REGIONS)})
    has_emp = p["employer"] >= 0
    link = pc.if_else(pa.array(has_emp), pc.take(e_ids, pa.array(np.maximum(p["employer"], 0))), None)
    region = pc.if_else(pa.array(p["region"] >= 0), _words(pa, np.maximum(p["region"], 0), REGIONS), None)
    wage = p["wage_fen"]
    if money == "fen":
        wage_col, wage_name = pa.array(wage, pa.int64()), "缴费工资(分)"
    else:
        text = pc.binary_join_element_wise(
            pa.array(wage // 100).cast(pa.string()), pc.utf8_lpad(pa.array(wage % 100).cast(pa.string()), 2, "0"), "."
        )
        wage_col = text if money == "text" else text.cast(pa.decimal128(18, 2))
        wage_name = "缴费工资"
    years = p["half_years"]
    years_text = pc.binary_join_element_wise(
        pa.array(years // 2).cast(pa.string()), pa.array(np.where(years % 2, "5", "0")), "."
    )
    persons = pa.table(
        {
            "id": _ids(pa, pc, "P", len(wage), 8),
            "地区": region,
            "用人单位": link,
            "身份": _words(pa, p["kind"], ["单位职工", "灵活就业人员", "失业人员"]),
            "状态": _words(pa, p["retired"].astype(np.int64), ["在职", "退休"]),
            "年龄": pa.array(p["age"], pa.int64()),
            "参保时间段": _words(pa, p["new"].astype(np.int64), ["原政策人员", "新参保人员"]),
            "累计缴费年限": years_text,
            "选择补缴方式": _words(pa, p["choice"], ["一次性补缴", "按月延缴", "未选择"]),
            wage_name: wage_col,
        }
    )
    return employers, persons


def scenario(average_fen: int = 600_000, period: int = 2023) -> dict[str, Any]:
    before = average_fen * 14 // 15  # the year before last: a little lower
    return {
        "period": period,
        "scheme": "职工医保",
        "description": "合成人口(演示数据)",
        "global": {
            "上年度省社平": f"{average_fen // 100}.{average_fen % 100:02d}",
            "上上年度省社平": f"{before // 100}.{before % 100:02d}",
            "上年度省社平已启用": True,
        },
    }


def write(
    out: Path, persons: int, seed: int = 0, fmt: str = "parquet", money: str = "", full_json: bool = False
) -> dict[str, Path]:
    """Write the population; the files written, by name."""
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    out.mkdir(parents=True, exist_ok=True)
    pop = generate(persons, seed)
    employers, people = tables(pop, money or ("decimal" if fmt == "parquet" else "text"))
    files = {"用人单位": out / f"employers.{fmt}", "参保人员": out / f"persons.{fmt}"}
    for table, path in ((employers, files["用人单位"]), (people, files["参保人员"])):
        if fmt == "parquet":
            pq.write_table(table, path, compression="zstd")
        else:
            pcsv.write_csv(table, path)
    files["scenario"] = out / "scenario.json"
    files["scenario"].write_text(json.dumps(scenario(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if full_json:
        doc = scenario()
        doc["entities"] = {"用人单位": _records(employers), "参保人员": _records(people)}
        files["full"] = out / "scenario_full.json"
        files["full"].write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
    return files


def _records(table: Any) -> list[dict[str, Any]]:
    """JSON records as a scenario writes them: text for every value, empty cells left out."""
    keep = [c for c in table.column_names if c != "年龄"]
    return [{k: str(v) for k, v in row.items() if v is not None} for row in table.select(keep).to_pylist()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m compiler.tools.population", description=__doc__.split("\n")[0])
    ap.add_argument("--persons", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=Path("population"))
    ap.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    ap.add_argument("--money", choices=["decimal", "text", "fen"], default="")
    ap.add_argument("--json", action="store_true", help="also scenario_full.json with the entities inline")
    a = ap.parse_args(argv)
    for name, path in write(a.out, a.persons, a.seed, a.format, a.money, a.json).items():
        print(f"{name}: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
