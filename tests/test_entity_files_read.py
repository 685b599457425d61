"""How entity files are read fast stays invisible: a dictionary-coded column, ids out of order, a
decimal column of another scale give the same amounts and the same file:row:column problems as
plain text would (compiler/entity_files.py, compiler/entity_columns.py)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.test_entities_scale import GOOD, POLICY, persons, pool, refused, split

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def coded(tmp: Path, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    """A persons file whose `columns` are stored as Arrow dictionaries (read back as such)."""
    table = pa.table({c: pa.array([r.get(c) for r in rows], pa.string()) for c in rows[0]})
    for c in columns:
        table = table.set_column(table.schema.get_field_index(c), c, table[c].dictionary_encode())
    path = tmp / "persons.parquet"
    pq.write_table(table, path)
    return str(path)


def amounts(tmp: Path, path: str) -> list[dict[str, Any]]:
    scen, _ = split(tmp, "parquet")
    code, out, err = pool("run", POLICY, scen, "--engine", "vector", "--json", "--entities", f"参保人员={path}")
    assert code == 0, err
    transfers: list[dict[str, Any]] = json.loads(out)["transfers"]
    return transfers


def test_a_dictionary_coded_enumeration_reports_each_bad_row(tmp_path: Path) -> None:
    rows = [{**GOOD, "id": f"p{i}"} for i in range(5)]
    rows[2]["身份"] = "公务员"
    rows[4]["身份"] = "公务员"
    rows[3]["地区"] = "杭州市"
    err = refused(tmp_path, coded(tmp_path, rows, ("身份", "地区", "状态")))
    assert "persons.parquet:3:身份" in err and "persons.parquet:5:身份" in err and "is not one of" in err
    assert "persons.parquet:4:地区" in err and "is not a region" in err
    assert err.count("persons.parquet:") == 4, err  # the bad region also leaves the row without one


def test_a_dictionary_coded_file_settles_as_plain_text_does(tmp_path: Path) -> None:
    rows = [{**GOOD, "id": f"p{i}", "缴费工资": f"{5000 + 1000 * i}.0{i}"} for i in range(4)]
    rows[1]["身份"] = "单位职工"
    plain = amounts(tmp_path, persons(tmp_path, rows))
    dictionary = amounts(tmp_path, coded(tmp_path, rows, ("身份", "地区", "状态", "参保时间段", "累计缴费年限")))
    assert dictionary == plain and plain


def test_a_missing_enumeration_cell_in_a_dictionary_column_is_reported_at_its_row(tmp_path: Path) -> None:
    rows = [{**GOOD, "id": f"p{i}"} for i in range(3)]
    rows[1]["状态"] = None
    err = refused(tmp_path, coded(tmp_path, rows, ("状态",)))
    assert "persons.parquet:2:状态" in err and "missing" in err


def test_repeated_ids_out_of_order_are_each_reported_at_the_later_row(tmp_path: Path) -> None:
    ids = ["c", "a", "b", "a", "c", "d", "a"]
    rows = [{**GOOD, "id": i} for i in ids]
    err = refused(tmp_path, persons(tmp_path, rows))
    listed = [line.split(":")[1] for line in err.splitlines() if "listed twice" in line]
    assert listed == ["4", "5", "7"], err


def test_ids_in_order_with_no_repeats_are_accepted(tmp_path: Path) -> None:
    rows = [{**GOOD, "id": f"p{i:03d}"} for i in range(50)]
    assert amounts(tmp_path, persons(tmp_path, rows))


def test_decimals_of_another_scale_and_negatives_read_exactly(tmp_path: Path) -> None:
    one = [{**GOOD, "缴费工资": Decimal("6000.1")}]
    got = amounts(tmp_path, persons(tmp_path, one, types={"缴费工资": pa.decimal128(9, 1)}))
    assert got[0]["amount"] == "600.01"  # 6000.10 × 10%
    minus = [{**GOOD, "id": "p1", "缴费工资": Decimal("1.00")}, {**GOOD, "id": "p2", "缴费工资": Decimal("-0.01")}]
    err = refused(tmp_path, persons(tmp_path, minus, types={"缴费工资": pa.decimal128(12, 2)}))
    assert "persons.parquet:2:缴费工资" in err and "cannot be negative" in err


def test_an_integer_too_large_to_scale_is_refused_not_wrapped(tmp_path: Path) -> None:
    rows = [{**GOOD, "id": "p1", "缴费工资": 6000}, {**GOOD, "id": "p2", "缴费工资": 10**17}]
    err = refused(tmp_path, persons(tmp_path, rows, types={"缴费工资": pa.int64()}))
    assert "persons.parquet:1:缴费工资" not in err and "persons.parquet:2:缴费工资" in err and "too large" in err
    years = [{**GOOD, "id": "p1", "累计缴费年限": 3}, {**GOOD, "id": "p2", "累计缴费年限": 2**63 - 1}]
    err = refused(tmp_path, persons(tmp_path, years, types={"累计缴费年限": pa.uint64()}))
    assert "persons.parquet:2:累计缴费年限" in err and "too large" in err


def test_ids_are_compared_trimmed_and_never_a_regions_name(tmp_path: Path) -> None:
    rows = [{**GOOD, "id": "p1 "}, {**GOOD, "id": "p2"}, {**GOOD, "id": " p1"}, {**GOOD, "id": "海曙区"}]
    err = refused(tmp_path, persons(tmp_path, rows))
    assert "persons.parquet:3:id" in err and "listed twice" in err
    assert "persons.parquet:4:id" in err and "region's name" in err
    assert err.count("persons.parquet:") == 2, err
    ascii_ids = [{**GOOD, "id": f"p{i}"} for i in range(3)] + [{**GOOD, "id": "p1"}]
    err = refused(tmp_path, persons(tmp_path, ascii_ids))
    assert "persons.parquet:4:id" in err and err.count("persons.parquet:") == 1, err
