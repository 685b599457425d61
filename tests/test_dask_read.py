"""`--engine dask` with the workers reading their own partitions' rows from the files: the same
bytes as `--engine vector`; a bad cell refused with the same file:row:column messages; files the
workers cannot read settled by shipping the partitions instead."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from compiler.tools import population
from tests.test_dask import NINGBO, entities, pool

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    local = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with local as c, distributed.Client(c) as cl:
        yield cl


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {k: str(v) for k, v in population.write(tmp_path_factory.mktemp("pop"), 3000, seed=3).items()}


def files_of(made: dict[str, str]) -> dict[str, str]:
    return {"用人单位": made["用人单位"], "参保人员": made["参保人员"]}


def test_workers_read_their_rows_and_give_the_vector_bytes(made: dict[str, str], client: Any) -> None:
    from compiler.scale import load_files, load_policy_and_scenario, results_parquet, settle_vector
    from compiler.scale_dask import Early, settle_reading

    checked, scen = load_policy_and_scenario(NINGBO, made["scenario"], None, None)
    keys, planned = load_files(checked, scen, made["scenario"], files_of(made), inputs=False)
    assert keys is not None and not keys.inputs  # the client read no input column
    out = settle_reading(checked, planned, keys, client, Early(client, checked, files_of(made)))
    assert out is not None  # the workers read the files themselves
    _, _, vec = settle_vector(NINGBO, made["scenario"], files_of(made))
    assert results_parquet(out) == results_parquet(vec)
    assert {k: v.tolist() for k, v in out.values.items()} == {k: v.tolist() for k, v in vec.values.items()}


def test_files_the_workers_cannot_read_are_shipped_instead(made: dict[str, str], client: Any, tmp_path: Path) -> None:
    from compiler.scale import load_files, load_policy_and_scenario
    from compiler.scale_dask import Early, settle_reading

    checked, scen = load_policy_and_scenario(NINGBO, made["scenario"], None, None)
    keys, planned = load_files(checked, scen, made["scenario"], files_of(made), inputs=False)
    assert keys is not None
    gone = {k: str(tmp_path / f"elsewhere-{Path(v).name}") for k, v in files_of(made).items()}
    assert (
        settle_reading(checked, planned, keys, client, Early(client, checked, gone)) is None
    )  # the client then ships them


def test_a_bad_cell_is_told_at_the_files_row_as_vector_tells_it(
    made: dict[str, str], client: Any, tmp_path: Path
) -> None:
    table = pq.read_table(made["参保人员"])
    wage = table["缴费工资"].to_pylist()
    wage[1234] = -wage[1234]  # a negative wage, row 1235 of the file
    bad = tmp_path / "persons.parquet"
    pq.write_table(
        table.set_column(table.schema.get_field_index("缴费工资"), "缴费工资", pa.array(wage, table["缴费工资"].type)),
        bad,
    )
    files = {**made, "参保人员": str(bad)}
    address = client.scheduler.address
    code, _, vec = pool("run", NINGBO, made["scenario"], "--engine", "vector", *entities(files), "--lang", "en")
    assert code == 2 and "persons.parquet:1235:缴费工资" in vec and "cannot be negative" in vec
    code, _, dsk = pool("run", NINGBO, made["scenario"], "--engine", "dask", "--scheduler", address,
                        *entities(files), "--lang", "en")  # fmt: skip
    assert code == 2 and dsk == vec


NO_LINK = """\
政策 隶属 {
  地区 县
  地区集 县 { 甲县、乙县 }
  实体 用人单位 属于 地区
  实体 参保人员 属于 地区 隶属 用人单位
  输入 工资: 金额 每人
  令 单位均值: 金额 每单位 = 平均(工资 按 用人单位)
  资金 基金 结转 {
    上解 分摊 = 单位均值 × 1%  自 各参保人员
  }
}
"""


def test_a_settlement_error_names_the_same_id_as_vector(tmp_path: Path, client: Any) -> None:
    policy = tmp_path / "p.pool"
    policy.write_text(NO_LINK, encoding="utf-8")
    employers = pa.table({"id": ["E1", "E2"], "地区": ["甲县", "乙县"]})
    persons = pa.table(
        {
            "id": [f"P{i:02d}" for i in range(12)],
            "用人单位": ["E1", "E2", "E1", "E2", "E1", "E2", "E1", "", "E1", "E2", "E1", "E2"],
            "地区": ["甲县", "乙县", "甲县", "乙县", "甲县", "乙县", "甲县", "乙县", "甲县", "乙县", "甲县", "乙县"],
            "工资": [f"{5000 + i}.00" for i in range(12)],
        }
    )
    pq.write_table(employers, tmp_path / "e.parquet")
    pq.write_table(persons, tmp_path / "p.parquet")
    scen = tmp_path / "s.json"
    scen.write_text('{"period": 2023}', encoding="utf-8")
    files = {"用人单位": str(tmp_path / "e.parquet"), "参保人员": str(tmp_path / "p.parquet")}
    args = ["run", str(policy), str(scen), *entities(files), "--lang", "en"]
    code, _, vec = pool(*args, "--engine", "vector")
    assert code == 2 and "P07" in vec, vec
    code, _, dsk = pool(*args, "--engine", "dask", "--scheduler", client.scheduler.address)
    assert code == 2 and dsk == vec


def test_an_id_problem_and_an_input_problem_are_told_together_as_vector_tells_them(
    made: dict[str, str], client: Any, tmp_path: Path
) -> None:
    table = pq.read_table(made["参保人员"])
    ids, kinds = table["id"].to_pylist(), table["身份"].to_pylist()
    ids[2000] = ids[5]  # a repeated id: found by the client's read of ids, regions and links
    kinds[17] = "公务员"  # not a member: found only where the inputs are read
    table = table.set_column(0, "id", pa.array(ids)).set_column(
        table.schema.get_field_index("身份"), "身份", pa.array(kinds)
    )
    bad = tmp_path / "persons.parquet"
    pq.write_table(table, bad)
    files = {**made, "参保人员": str(bad)}
    code, _, vec = pool("run", NINGBO, made["scenario"], "--engine", "vector", *entities(files), "--lang", "en")
    assert code == 2 and "persons.parquet:2001:id" in vec and "persons.parquet:18:身份" in vec
    code, _, dsk = pool("run", NINGBO, made["scenario"], "--engine", "dask", "--scheduler", client.scheduler.address,
                        *entities(files), "--lang", "en")  # fmt: skip
    assert code == 2 and dsk == vec


def test_csv_files_read_by_the_workers_give_the_vector_bytes(client: Any, tmp_path: Path) -> None:
    made = {k: str(v) for k, v in population.write(tmp_path, 1500, seed=9, fmt="csv").items()}
    args = ["run", NINGBO, made["scenario"], *entities(made), "--json"]
    code, vec, err = pool(*args, "--engine", "vector")
    assert code == 0, err
    code, dsk, err = pool(*args, "--engine", "dask", "--scheduler", client.scheduler.address)
    assert code == 0, err
    assert dsk == vec


DEFAULTED = (
    NO_LINK.replace("  输入 工资: 金额 每人\n", "  输入 工资: 金额 每人  默认 5000元\n")
    .replace("  令 单位均值: 金额 每单位 = 平均(工资 按 用人单位)\n", "")
    .replace("单位均值 × 1%", "工资 × 1%")
)


def test_a_file_without_the_column_of_a_defaulted_input_settles_as_vector_does(tmp_path: Path, client: Any) -> None:
    policy = tmp_path / "p.pool"
    policy.write_text(DEFAULTED, encoding="utf-8")
    pq.write_table(pa.table({"id": ["E1", "E2"], "地区": ["甲县", "乙县"]}), tmp_path / "e.parquet")
    persons = {
        "id": [f"P{i}" for i in range(9)],
        "用人单位": ["E1", "E2", ""] * 3,
        "地区": ["甲县", "乙县", "乙县"] * 3,
    }
    pq.write_table(pa.table(persons), tmp_path / "p.parquet")  # no 工资 column: every person at its default
    scen = tmp_path / "s.json"
    scen.write_text('{"period": 2023}', encoding="utf-8")
    files = {"用人单位": str(tmp_path / "e.parquet"), "参保人员": str(tmp_path / "p.parquet")}
    args = ["run", str(policy), str(scen), *entities(files), "--json"]
    code, vec, err = pool(*args, "--engine", "vector")
    assert code == 0, err
    assert '"基金": "450.00"' in vec.decode()  # 9 persons × 5000元 × 1%
    code, dsk, err = pool(*args, "--engine", "dask", "--scheduler", client.scheduler.address)
    assert code == 0, err
    assert dsk == vec
