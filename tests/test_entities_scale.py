"""Entity tables from Parquet and CSV files on the vector engine (`pool run --engine vector
--entities KIND=FILE`): the same results as the JSON scenario on the interpreter, every bad
input refused with file:row:column (exit 2, no traceback), and results.parquet deterministic.
Small sizes only; benchmarks/entities_scale.py times millions."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from compiler.cli import main
from compiler.tools import population

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pcsv = pytest.importorskip("pyarrow.csv")

ROOT = Path(__file__).resolve().parents[1]
POLICY = str(ROOT / "policies" / "ningbo_contributions.pool")
SCENARIO = ROOT / "policies" / "scenarios" / "ningbo_contributions.json"


def pool(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args))
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.stdout, r.stderr


def ledger(text: str) -> dict[str, Any]:
    doc = json.loads(text)
    return {"transfers": doc["transfers"], "state": doc["state"]}


def split(tmp: Path, fmt: str) -> tuple[str, dict[str, str]]:
    """The bundled scenario with its entities moved into files: (scenario, kind → file)."""
    doc = json.loads(SCENARIO.read_text(encoding="utf-8"))
    entities = doc.pop("entities")
    files = {}
    for kind, records in entities.items():
        columns = sorted({k for r in records for k in r}, key=lambda k: (k != "id", k))
        table = pa.table({c: pa.array([r.get(c) for r in records], pa.string()) for c in columns})
        path = tmp / f"{kind}.{fmt}"
        pq.write_table(table, path) if fmt == "parquet" else pcsv.write_csv(table, path)
        files[kind] = str(path)
    scen = tmp / "scenario.json"
    scen.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return str(scen), files


def entities_args(files: dict[str, str]) -> list[str]:
    return [a for kind, f in files.items() for a in ("--entities", f"{kind}={f}")]


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_files_settle_as_the_json_scenario_does(tmp_path: Path, fmt: str) -> None:
    code, want, _ = pool("run", POLICY, str(SCENARIO), "--json", "--engine", "interpreter")
    assert code == 0
    scen, files = split(tmp_path, fmt)
    code, got, err = pool("run", POLICY, scen, "--json", "--engine", "vector", *entities_args(files))
    assert code == 0, err
    assert ledger(got) == ledger(want)
    # The JSON scenario itself on the vector engine: the same again.
    code, same, _ = pool("run", POLICY, str(SCENARIO), "--json", "--engine", "vector")
    assert code == 0 and ledger(same) == ledger(want)


def test_vector_equals_the_interpreter_on_a_generated_population(tmp_path: Path) -> None:
    made = population.write(tmp_path, 2000, seed=11, full_json=True)
    code, want, err = pool("run", POLICY, str(made["full"]), "--json", "--engine", "interpreter")
    assert code == 0, err
    files = {"用人单位": str(made["用人单位"]), "参保人员": str(made["参保人员"])}
    code, got, err = pool("run", POLICY, str(made["scenario"]), "--json", "--engine", "vector", *entities_args(files))
    assert code == 0, err
    assert ledger(got) == ledger(want)
    rows = json.loads(got)["transfers"]
    assert {r["rule"] for r in rows} >= {"职工个人缴费", "灵活就业人员缴费", "单位基本医疗保险费"}
    assert sum(r["count"] for r in rows if r["rule"] == "职工个人缴费") > 1000


def test_results_parquet_is_deterministic_and_adds_up(tmp_path: Path) -> None:
    made = population.write(tmp_path / "pop", 500, seed=5, money="fen")
    args = ["run", POLICY, str(made["scenario"]), "--engine", "vector"]
    args += entities_args({"用人单位": str(made["用人单位"]), "参保人员": str(made["参保人员"])})
    outs = []
    for name in ("a.parquet", "b.parquet"):
        code, _, err = pool(*args, "-o", str(tmp_path / name))
        assert code == 0, err
        outs.append((tmp_path / name).read_bytes())
    assert outs[0] == outs[1]
    table = pq.read_table(tmp_path / "a.parquet").to_pylist()
    assert set(table[0]) == {"实体", "id", "地区", "规则", "金额(分)"}
    _, text, _ = pool(*args, "--json")
    for rule in ("职工个人缴费", "单位基本医疗保险费"):
        fen = sum(r["金额(分)"] for r in table if r["规则"] == rule)
        total = sum(int(r["amount"].replace(".", "")) for r in json.loads(text)["transfers"] if r["rule"] == rule)
        assert fen == total > 0


def persons(tmp: Path, rows: list[dict[str, Any]], fmt: str = "parquet", types: dict[str, Any] | None = None) -> str:
    columns = list(rows[0])
    types = types or {}
    table = pa.table({c: pa.array([r.get(c) for r in rows], types.get(c, pa.string())) for c in columns})
    path = tmp / f"persons.{fmt}"
    pq.write_table(table, path) if fmt == "parquet" else pcsv.write_csv(table, path)
    return str(path)


GOOD = {"id": "甲", "地区": "海曙区", "身份": "灵活就业人员", "状态": "在职", "参保时间段": "新参保人员",
        "累计缴费年限": "3", "缴费工资": "6000.00"}  # fmt: skip


def refused(tmp: Path, path: str) -> str:
    scen, _ = split(tmp, "parquet")
    code, out, err = pool("run", POLICY, scen, "--engine", "vector", "--entities", f"参保人员={path}", "--lang", "en")
    assert code == 2, (out, err)
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize(
    ("change", "where", "says"),
    [
        ({"身份": "公务员"}, ":2:身份", "is not one of"),  # wrong type: not a member
        ({"缴费工资": "六千"}, ":2:缴费工资", "is not a number"),
        ({"地区": "杭州市"}, ":2:地区", "is not a region"),
        ({"id": "乙"}, ":2:id", "listed twice"),  # row 2 repeats row 1's id after the change below
        ({"缴费工资": "-5.00"}, ":2:缴费工资", "cannot be negative"),
        ({"缴费工资": "5.001"}, ":2:缴费工资", "is not a number"),
        ({"用人单位": "无此公司"}, ":2:用人单位", "is not listed"),
    ],
)
def test_each_bad_cell_is_reported_with_file_row_and_column(
    tmp_path: Path, change: dict[str, str], where: str, says: str
) -> None:
    first = {**GOOD, "id": "乙", "用人单位": None}
    second = {**GOOD, "用人单位": None, **change}
    err = refused(tmp_path, persons(tmp_path, [first, second]))
    assert f"persons.parquet{where}" in err and says in err, err


def test_a_missing_column_and_a_float_money_column_are_refused(tmp_path: Path) -> None:
    rows = [{k: v for k, v in GOOD.items() if k != "缴费工资"}]
    err = refused(tmp_path, persons(tmp_path, rows))
    assert "persons.parquet::缴费工资" in err and "missing" in err
    floaty = [{**GOOD, "缴费工资": 6000.0}]
    err = refused(tmp_path, persons(tmp_path, floaty, types={"缴费工资": pa.float64()}))
    assert "persons.parquet::缴费工资" in err and "float" in err and "缴费工资(分)" in err


def test_non_utf8_csv_text_is_refused_with_its_row(tmp_path: Path) -> None:
    path = tmp_path / "persons.csv"
    head = ",".join(GOOD).encode()
    good = ",".join(GOOD.values()).encode()
    bad = good.replace("灵活就业人员".encode(), "灵活就业人员".encode("gb18030"))
    path.write_bytes(head + b"\n" + good.replace("甲".encode(), b"A") + b"\n" + bad + b"\n")
    err = refused(tmp_path, str(path))
    assert "persons.csv:2:身份" in err and "UTF-8" in err


def test_many_problems_list_twenty_and_count_the_rest(tmp_path: Path) -> None:
    rows = [{**GOOD, "id": f"p{i}", "缴费工资": "x"} for i in range(30)]
    err = refused(tmp_path, persons(tmp_path, rows))
    assert err.count("persons.parquet:") == 20 and "10 more problems" in err


def test_integer_fen_and_decimal_columns_read_exactly(tmp_path: Path) -> None:
    scen, _ = split(tmp_path, "parquet")
    fen = [{**{k: v for k, v in GOOD.items() if k != "缴费工资"}, "缴费工资(分)": 600001}]
    dec = [{**GOOD, "缴费工资": Decimal("6000.01")}]
    got = []
    for rows, types in ((fen, {"缴费工资(分)": pa.int64()}), (dec, {"缴费工资": pa.decimal128(12, 2)})):
        path = persons(tmp_path, rows, types=types)
        code, out, err = pool("run", POLICY, scen, "--engine", "vector", "--json", "--entities", f"参保人员={path}")
        assert code == 0, err
        got.append(json.loads(out)["transfers"])
    assert got[0] == got[1] and got[0][0]["amount"] == "600.00"  # 6000.01 × 10% = 600.001 → 600.00
