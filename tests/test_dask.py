"""`pool run --engine dask`: the entity tables settled region by region on a Dask cluster give,
byte for byte, what `--engine vector` gives (--json and -o results.parquet), on a local cluster
started here (2 worker processes, one per module) and through --scheduler with its address;
a policy that reads across regions is refused naming the rule."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from compiler.cli import main
from compiler.tools import population

pytest.importorskip("pyarrow")
distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[1]
NINGBO = str(ROOT / "policies" / "ningbo_contributions.pool")

REGIONAL = """\
政策 试点 {
  地区 县
  地区集 县 { 甲县、乙县、丙县、丁县 }
  实体 用人单位 属于 地区
  实体 参保人员 属于 地区 隶属 用人单位
  输入 缴费工资: 金额 每人
  输入 配套比例: 比例 每地区
  令 单位基数: 金额 每单位 = 合计(缴费工资 按 用人单位)
  令 县工资总额: 金额 每地区 = 合计(缴费工资 按 地区)
  资金 基金 结转 {
    上解 个人缴费 = 缴费工资 × 2%  自 各参保人员
    上解 单位缴费 = 单位基数 × 8%  自 各用人单位
    上解 县配套 = 县工资总额 × 配套比例
  }
}
"""

ACROSS = REGIONAL.replace("上解 县配套 = 县工资总额 × 配套比例", "上解 县配套 = 合计(缴费工资) × 配套比例 / 100")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        yield c


@pytest.fixture(scope="module")
def pop(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {k: str(v) for k, v in population.write(tmp_path_factory.mktemp("pop"), 4000, seed=11).items()}


def pool(*args: str) -> tuple[int, bytes, str]:
    r = CliRunner().invoke(main, list(args))
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.stdout_bytes, r.stderr


def entities(made: dict[str, str]) -> list[str]:
    return ["--entities", f"用人单位={made['用人单位']}", "--entities", f"参保人员={made['参保人员']}"]


def both(policy: str, scenario: str, files: list[str], cluster: Any, tmp: Path, *more: str) -> None:
    """The vector run and the dask run (--scheduler: the module's cluster) agree to the byte."""
    code, vec, err = pool("run", policy, scenario, "--engine", "vector", *files, *more)
    assert code == 0, err
    code, dsk, err = pool("run", policy, scenario, "--engine", "dask", "--scheduler", cluster.scheduler_address,
                          *files, *more)  # fmt: skip
    assert code == 0, err
    assert dsk == vec
    v, d = tmp / "v.parquet", tmp / "d.parquet"
    assert pool("run", policy, scenario, "--engine", "vector", *files, "-o", str(v))[0] == 0
    assert pool("run", policy, scenario, "--engine", "dask", "--scheduler", cluster.scheduler_address,
                *files, "-o", str(d))[0] == 0  # fmt: skip
    assert d.read_bytes() == v.read_bytes()


def test_ningbo_population_same_bytes(pop: dict[str, str], cluster: Any, tmp_path: Path) -> None:
    both(NINGBO, pop["scenario"], entities(pop), cluster, tmp_path, "--json")
    _, text, _ = pool("run", NINGBO, pop["scenario"], "--engine", "vector", *entities(pop), "--json")
    doc = json.loads(text)
    assert len({t["region"] for t in doc["transfers"]}) > 3  # several regions, so several partitions


def test_text_output_and_api_on_a_client(pop: dict[str, str], cluster: Any) -> None:
    from compiler.scale import ledger_rows, results_parquet, settle_vector
    from compiler.scale_dask import settle_dask

    files = {"用人单位": pop["用人单位"], "参保人员": pop["参保人员"]}
    _, _, vec = settle_vector(NINGBO, pop["scenario"], files)
    with distributed.Client(cluster) as client:
        _, _, dsk = settle_dask(NINGBO, pop["scenario"], files, client=client)
    assert ledger_rows(dsk) == ledger_rows(vec)
    assert {k: v.tolist() for k, v in dsk.closing.items()} == {k: v.tolist() for k, v in vec.closing.items()}
    assert results_parquet(dsk) == results_parquet(vec)
    _, text, _ = pool("run", NINGBO, pop["scenario"], "--engine", "vector", *entities(pop))
    assert pool("run", NINGBO, pop["scenario"], "--engine", "dask", "--scheduler", cluster.scheduler_address,
                *entities(pop))[1] == text  # fmt: skip


def regional_files(tmp: Path, policy_text: str) -> tuple[str, str, list[str]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    policy = tmp / "p.pool"
    policy.write_text(policy_text, encoding="utf-8")
    counties = ["甲县", "乙县", "丙县", "丁县"]
    employers = pa.table({"id": [f"E{i}" for i in range(40)], "地区": [counties[i % 4] for i in range(40)]})
    n = 3000
    persons = pa.table(
        {
            "id": [f"P{i}" for i in range(n)],
            "用人单位": [f"E{(i * 7) % 40}" if i % 5 else "" for i in range(n)],
            "地区": [counties[((i * 7) % 40) % 4] for i in range(n)],
            "缴费工资": [f"{3000 + (i * 37) % 9000}.{i % 100:02d}" for i in range(n)],
        }
    )
    pq.write_table(employers, tmp / "e.parquet")
    pq.write_table(persons, tmp / "p.parquet")
    scen = tmp / "s.json"
    rates = {c: {"配套比例": f"{i + 1}%"} for i, c in enumerate(counties)}
    scen.write_text(json.dumps({"period": 2023, "regions": rates}, ensure_ascii=False), "utf-8")
    return (
        str(policy),
        str(scen),
        ["--entities", f"用人单位={tmp / 'e.parquet'}", "--entities", f"参保人员={tmp / 'p.parquet'}"],
    )


def test_per_region_rules_same_bytes(tmp_path: Path, cluster: Any) -> None:
    policy, scen, files = regional_files(tmp_path, REGIONAL)
    both(policy, scen, files, cluster, tmp_path, "--json")


def test_a_rule_reading_every_region_is_refused(tmp_path: Path, cluster: Any) -> None:
    policy, scen, files = regional_files(tmp_path, ACROSS)
    assert pool("run", policy, scen, "--engine", "vector", *files)[0] == 0
    code, _, err = pool("run", policy, scen, "--engine", "dask", "--scheduler", cluster.scheduler_address, *files)
    assert code == 2
    assert "县配套" in err and "--engine vector" in err
    assert "Traceback" not in err


def test_a_regional_constraint_is_checked_on_the_workers_as_vector_checks_it(tmp_path: Path, cluster: Any) -> None:
    text = REGIONAL.replace(
        "  资金 基金 结转 {",
        '  约束 县工资总额 < 1000000元  原文 "各县工资总额不超过一百万元"\n  资金 基金 结转 {',
    )
    policy, scen, files = regional_files(tmp_path, text)
    said = set()
    for engine in ("vector", "dask"):
        code, out, err = pool("run", policy, scen, "--engine", engine, "--scheduler", cluster.scheduler_address, *files)
        assert code == 2 and out == b""
        said.add(err)
    [only] = said  # the same refusal from both engines
    assert "约束“县工资总额 < 1000000元”在地区“" in only and "(原文“各县工资总额不超过一百万元”)" in only


def test_a_constraint_reading_every_region_is_refused_by_dask(tmp_path: Path, cluster: Any) -> None:
    text = REGIONAL.replace("  资金 基金 结转 {", '  约束 合计(配套比例) < 100%  原文 "x"\n  资金 基金 结转 {')
    policy, scen, files = regional_files(tmp_path, text)
    assert pool("run", policy, scen, "--engine", "vector", *files)[0] == 0
    code, _, err = pool("run", policy, scen, "--engine", "dask", "--scheduler", cluster.scheduler_address, *files)
    assert code == 2
    assert "--engine dask 不能分地区检查这一约束:它对各地区求合计或把各地区的值合成一个数;请用 --engine vector" in err
