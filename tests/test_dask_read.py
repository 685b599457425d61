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
