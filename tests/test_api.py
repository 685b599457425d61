"""The Python API (docs/api.md): its examples run as written, the notebook executes and shows
what it stores, and a result is the CLI's to the fen whatever form the scenario took."""

from __future__ import annotations

import doctest
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from notebook import code_cells, run_cells, stored  # tests/notebook.py

import compiler as pool
from compiler.cli import main

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "guizhou_risk_adjustment.pool"
SCENARIO = ROOT / "policies" / "scenarios" / "guizhou_2026.json"


def test_the_api_document_runs_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pandas")
    monkeypatch.chdir(ROOT)
    failed, attempted = doctest.testfile(
        str(ROOT / "docs" / "api.md"), module_relative=False, optionflags=doctest.ELLIPSIS
    )
    assert attempted > 30 and failed == 0


def test_the_notebook_executes_and_shows_what_it_stores(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pandas")
    monkeypatch.chdir(ROOT)
    cells = code_cells(json.loads((ROOT / "docs" / "api.ipynb").read_text(encoding="utf-8")))
    assert run_cells(["".join(c["source"]) for c in cells]) == [stored(c) for c in cells]


def test_dict_workbook_and_file_settle_like_the_cli(tmp_path: Path) -> None:
    cli = CliRunner().invoke(main, ["run", str(POLICY), str(SCENARIO), "--json"]).stdout
    policy = pool.load(POLICY)
    data = json.loads(SCENARIO.read_text(encoding="utf-8"))
    assert policy.run(SCENARIO).to_json() == cli
    assert policy.run(data).to_json() == cli
    assert policy.run(data, engine="interpreter").to_json() == cli
    xlsx = tmp_path / "s.xlsx"
    xlsx.write_bytes(policy.template("xlsx", SCENARIO))
    assert policy.run(xlsx).to_json() == cli


def test_python_numbers_are_taken_as_typed_and_money_never_through_a_float() -> None:
    policy = pool.load(POLICY)
    data = json.loads(SCENARIO.read_text(encoding="utf-8"))
    cities = data["regions"]
    cities["贵阳市"] |= {
        "上年度征缴收入": 1_000_000_000,
        "前年度征缴收入": Decimal("900000000.00"),
        "参保人数": 4_000_000,
    }
    cities["遵义市"] |= {"基金支出增幅": 0.08}  # a float ratio: 0.08 as typed
    assert policy.run(data).values["基础上解额"]["贵阳市"] == Decimal("50000000.00")
    cities["安顺市"]["历年累计结余缺口"] = 0.1 + 0.2  # 0.30000000000000004 is not an amount in fen
    with pytest.raises(pool.PoolError) as e:
        policy.run(data)
    assert "regions.安顺市.历年累计结余缺口: 金额最多两位小数(到分):0.30000000000000004" in str(e.value)


def test_load_checks_once_and_again_after_an_edit(tmp_path: Path) -> None:
    copy = tmp_path / "p.pool"
    text = POLICY.read_text(encoding="utf-8")
    shutil.copy(POLICY, copy)
    first = pool.load(copy)
    assert pool.load(copy) is first
    copy.write_text(text.replace("= 10%", "= 12%", 1) + "\n", encoding="utf-8")
    second = pool.load(copy)
    assert second is not first
    assert second.run(SCENARIO).values["基础上解额"]["贵阳市"] == Decimal("70000000.00")


def test_errors_carry_what_the_cli_prints() -> None:
    with pytest.raises(pool.PoolError) as e:
        pool.load(ROOT / "tests" / "nothing-here.pool")
    assert e.value.exit_code == 2
    with pytest.raises(pool.PoolError) as e:
        pool.from_text("政策 示例 { 输入 收入: 金额  令 上解 = 收入 × 上解比列 }", "示例.pool")
    assert e.value.exit_code == 1 and [d.code for d in e.value.diagnostics] == ["E201"]
    assert "示例.pool:1:32: 错误[E201]" in str(e.value) and "undefined" in e.value.render("en")
    with pytest.raises(TypeError):
        pool.load(POLICY).run(SCENARIO, period=2026)  # a file gives its own fields


def test_dataframe_needs_only_the_regions() -> None:
    pd = pytest.importorskip("pandas")
    data = json.loads(SCENARIO.read_text(encoding="utf-8"))
    frame = pd.DataFrame([{"地区": r, **v} for r, v in data["regions"].items()])
    rest = {k: v for k, v in data.items() if k != "regions"}
    assert pool.load(POLICY).run(frame, **rest).to_json() == pool.load(POLICY).run(data).to_json()
