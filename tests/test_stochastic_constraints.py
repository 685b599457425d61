"""Issue 19 (6): a 约束 reading an input that grows is checked in every simulated year, on
every engine: a draw whose inputs grow past it stops there, with the constraint's sentence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli import main

POLICY = """\
地区集 两区 { 东区、西区 }
政策 储备金 {
  地区 两区
  输入 收入: 金额 每地区
  输入 支出: 金额 每地区
  约束 支出 ≤ 收入 × 105%  原文 "支出不超过收入的105%"
  资金 储备 结转 {
    上解 缴入 = 收入  自 各地区  原文 "收入全部缴入"
  }
}
"""
SCENARIO = """\
period: 2024
regions:
  东区: {收入: "100.00", 支出: "100.00"}
  西区: {收入: "100.00", 支出: "100.00"}
state: {储备: "50.00"}
years: 4
growth:
  支出:
    uniform: {low: "-10%", high: "10%"}
    independent: true
"""


def _run(tmp_path: Path, engine: str) -> dict[str, object]:
    policy, scenario = tmp_path / "p.pool", tmp_path / "s.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    scenario.write_text(SCENARIO, encoding="utf-8")
    args = ["simulate", str(policy), str(scenario), "--draws", "40", "--seed", "3", "--json", "--lang", "en"]
    result = CliRunner().invoke(main, [*args, "--engine", engine])
    assert result.exit_code == 0, result.stderr
    doc: dict[str, object] = json.loads(result.stdout)
    return doc


@pytest.mark.parametrize("engine", ["vector", "compiled"])
def test_a_constraint_broken_in_a_later_year_stops_the_draw(tmp_path: Path, engine: str) -> None:
    doc = _run(tmp_path, engine)
    unsettled = doc["unsettled"]
    assert isinstance(unsettled, list) and unsettled, doc
    for u in unsettled:
        assert "p.pool:6:6" in u["en"] and "does not hold in" in u["en"], u
        assert "支出 ≤ 收入 × 105%" in u["en"], u


def test_the_engines_stop_the_same_draws_with_the_same_sentence(tmp_path: Path) -> None:
    vector, compiled = _run(tmp_path, "vector"), _run(tmp_path, "compiled")
    assert vector["unsettled"] == compiled["unsettled"]
    assert vector["values"] == compiled["values"]
