"""Time within a period (docs/language.md, 按月): values kept 每月, rules settled 按月 with a
cumulative cap (累计, 此前), a 挂账 that carries month to month, 合计(x 全年), 近12个月 reaching
into last year, quarters; every engine settles them alike to the fen and the ledger says when
each month's transfer falls due."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli import run, write

HERE = Path(__file__).resolve().parent / "fixtures" / "months"
BUDGET = str(HERE / "budget.pool")
QUARTERS = str(HERE / "quarters.pool")
SHORT = str(HERE / "short.json")


@pytest.mark.parametrize("policy", [BUDGET, QUARTERS])
def test_the_examples_settle_month_by_month(policy: str) -> None:
    code, out, _ = run("test", policy)
    assert code == 0, out
    assert "1 passed" in out


def test_every_engine_settles_the_months_alike() -> None:
    outs = {}
    for engine in ("interpreter", "compiled", "vector"):
        code, out, err = run("run", BUDGET, SHORT, "--json", "--engine", engine)
        assert code == 0, err
        outs[engine] = out
    assert outs["interpreter"] == outs["compiled"] == outs["vector"]


def test_a_cumulative_cap_pays_what_the_fund_could_not_the_month_before() -> None:
    code, out, err = run("run", BUDGET, SHORT, "--json")
    assert code == 0, err
    doc = json.loads(out)
    values = doc["values"]
    # 甲县: the budget's progress is 10元 a month and costs reach it; 100元 in the fund runs short in April
    # (the January–March 69.3元 of both rules leave 30.7元): 甲县 asks 10元, 乙县 13元, 月度补贴 3.10元…
    assert values["预结算(1月)"] == {"甲县": "10.00", "乙县": "18.00"}
    assert values["预结算(4月)"] == {"甲县": "9.43", "乙县": "12.27"}
    # May: nothing left; the cap is on what was paid, so June would ask 甲县's unpaid 0.57元 again.
    assert values["预结算(5月)"] == {"甲县": "0.00", "乙县": "0.00"}
    # 挂账: each month's unpaid subsidy is asked again the next month, and December's carries to next year:
    # 甲县's subsidies 0.7 + 1.4 + … + 0.4 = 22.60元, of which 4.20元 (January–March) were paid.
    assert doc["state"] == {"统筹基金": "0.00", "月度补贴": {"甲县": "18.40", "乙县": "17.10"}}


def test_the_ledger_says_when_each_month_falls_due(tmp_path: Path) -> None:
    code, out, err = run("run", BUDGET, SHORT)
    assert code == 0, err
    assert "应付日期" in out and "期次" in out
    row = next(line.split() for line in out.splitlines() if line.startswith("预结算(2月)"))
    assert row == ["预结算(2月)", "统筹基金", "甲县", "10.00", "14", "2025-02-28", "2月"]
    scen = {"period": 2025, "state": {"基金": "1000"}, "global": {"季度费用": ["100", "200", "100", "0"]}}
    code, out, err = run("run", QUARTERS, write(tmp_path, "q.json", json.dumps(scen, ensure_ascii=False)), "--json")
    assert code == 0, err
    due = [(t["rule"], t["due"], t["amount"]) for t in json.loads(out)["transfers"]]
    assert due == [
        ("季度拨付(第1季度)", "2025-03-31", "90.00"),
        ("季度拨付(第2季度)", "2025-06-30", "180.00"),
        ("季度拨付(第3季度)", "2025-09-30", "90.00"),
    ]


def test_twelve_months_reach_into_last_year() -> None:
    code, out, err = run("run", BUDGET, SHORT, "--explain", "滚动支出(1月)@甲县")
    assert code == 0, err
    # last year's February to December (1.50 … 11.50 = 71.50元) and this January's 15元
    assert out.startswith("滚动支出(1月)@甲县 = 86.50元")
    assert "费用(12月)(前1年)@甲县 = 11.50元" in out and "费用(1月)(前1年)" not in out


@pytest.mark.parametrize("engine", ["interpreter", "compiled"])
def test_simulate_carries_last_years_months_and_the_claims(engine: str) -> None:
    code, out, err = run("simulate", BUDGET, str(HERE / "two_years.json"), "--json", "--engine", engine)
    assert code == 0, err
    years = json.loads(out)
    assert [y["period"] for y in years] == [2025, 2026]
    # 2026 opens with 2025's unpaid subsidies and an empty fund: nothing is paid, the claims grow.
    assert years[1]["state"] == {"统筹基金": "0.00", "月度补贴": {"甲县": "41.00", "乙县": "39.30"}}


def test_a_scenario_must_give_every_month(tmp_path: Path) -> None:
    scen = json.loads(Path(SHORT).read_text(encoding="utf-8"))
    scen["regions"]["甲县"]["费用"] = scen["regions"]["甲县"]["费用"][:11]
    scen["regions"]["乙县"]["费用"] = {"1月": "1", "13月": "2"}
    code, out, err = run("run", BUDGET, write(tmp_path, "s.json", json.dumps(scen, ensure_ascii=False)))
    assert code == 2 and out == ""
    assert "regions.甲县.费用: 按月取值,应给出12个值(从1月起依次),这里有11个" in err
    assert "regions.乙县.费用.13月: 应为1月这样的月份" in err
    assert "regions.乙县.费用: 缺少2月、3月、4月、5月、6月、7月、8月、9月、10月、11月、12月的值" in err
    del scen["history"]
    scen["regions"]["甲县"]["费用"] = scen["regions"]["乙县"]["费用"] = ["1"] * 12
    code, _, err = run("run", BUDGET, write(tmp_path, "t.json", json.dumps(scen, ensure_ascii=False)))
    assert code == 2
    assert err.count("缺少2024年") == 1  # one message for the year of months, named as written
    assert "缺少2024年的“费用”(本政策读它的前1年的值):在 history.2024.regions.<地区>.费用 中给出" in err


def test_a_message_about_every_months_copy_names_the_rule_as_written(tmp_path: Path) -> None:
    text = Path(BUDGET).read_text(encoding="utf-8").replace('      原文 "按月补贴,不足时挂账"\n', "")
    code, out, _ = run("check", write(tmp_path, "p.pool", text))
    assert code == 0
    assert out.count("W502") == 1 and "规则“月度补贴”没有注明原文" in out


def test_the_scenario_schema_takes_a_year_of_months_as_a_list() -> None:
    code, out, err = run("schema", BUDGET)
    assert code == 0, err
    regions = json.loads(out)["properties"]["regions"]["additionalProperties"]["properties"]
    year, keyed = regions["费用"]["oneOf"]
    assert (year["type"], year["minItems"], year["maxItems"]) == ("array", 12, 12)
    assert keyed["required"] == [f"{m}月" for m in range(1, 13)]
    assert "费用(3月)" in regions  # a month may still be given on its own


def test_a_stochastic_scenario_grows_a_year_of_months_by_one_draw() -> None:
    spec = str(HERE / "stochastic.yaml")
    outs = {}
    for engine in ("vector", "compiled"):
        code, out, err = run("simulate", BUDGET, spec, "--draws", "40", "--seed", "7", "--json", "--engine", engine)
        assert code == 0, err
        outs[engine] = {k: v for k, v in json.loads(out).items() if k != "engine"}
    assert outs["vector"] == outs["compiled"]
    code, out, err = run("simulate", BUDGET, spec, "--draws", "40", "--seed", "7")
    assert code == 0, err
    assert "  费用: normal(5%, 2%)(各月、各地区同一抽取)\n  补贴基数: 与费用同一抽取\n" in out


def test_the_graph_draws_each_monthly_value_and_rule_once() -> None:
    code, out, err = run("graph", BUDGET)
    assert code == 0, err
    assert '"预结算\\n补助(每地区) · 按月"' in out
    assert '"费用\\n输入 · 金额(每地区) · 每月"' in out
    assert '"费用(前1年)\\n输入 · 金额(每地区) · 每月"' in out  # last year's twelve months, one node
    assert "(3月)" not in out
