"""Time across periods (docs/language.md, 按年度 and 前N年): a levy that is 4% the first year and
3% after needs no year input; a three-year average base is one expression; every engine settles
them alike; what a scenario lacks is named with its field, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli import run, write

HERE = Path(__file__).resolve().parent / "fixtures" / "years"
LEVY = str(HERE / "levy.pool")


def test_the_example_settles_first_year_4_percent_then_3_on_a_three_year_average() -> None:
    code, out, _ = run("test", LEVY)
    assert code == 0, out


@pytest.mark.parametrize("engine", ["interpreter", "compiled"])
def test_simulate_carries_the_years_and_reads_history_from_earlier_periods(engine: str) -> None:
    code, out, err = run("simulate", LEVY, str(HERE / "levy.json"), "--json", "--engine", engine)
    assert code == 0, err
    years = json.loads(out)
    # 2025 (第1年, 4%): 甲县 (900万 + 800万 + 700万) ÷ 3 × 4% = 32万; 乙县 (1800万 + 1700万 + 1600.0000001万) ÷ 3
    # × 4% = 680000.000133… → 680000.00
    assert years[0]["values"]["调剂金上解"] == {"甲县": "320000.00", "乙县": "680000.00"}
    # 2026 (3%): its 前3年 are 2025 (the period before, in the same file), 2024 and 2023 (2025's history)
    assert years[1]["values"]["调剂金上解"] == {"甲县": "270000.00", "乙县": "550000.00"}
    assert years[1]["state"] == {"调剂金": "1820000.00"}


def test_a_period_without_its_history_is_refused_naming_the_field(tmp_path: Path) -> None:
    scen = {"period": 2026, "regions": {"甲县": {"征缴收入": "1"}, "乙县": {"征缴收入": "2"}},
            "history": {"2025": {"regions": {"甲县": {"征缴收入": "1"}, "乙县": {"征缴收入": "1"}}}}}  # fmt: skip
    code, out, err = run("run", LEVY, write(tmp_path, "s.json", json.dumps(scen, ensure_ascii=False)))
    assert code == 2 and out == ""
    assert (
        "history.2024: 缺少2024年的“征缴收入”(本政策读它的前2年的值):在 history.2024.regions.<地区>.征缴收入 中给出"
        in err
    )
    code, _, err = run("run", LEVY, write(tmp_path, "t.json", json.dumps({"regions": scen["regions"]})))
    assert code == 2 and "period: 本政策按年度取值或读往年的值,须给出 period" in err


BAD = """政策 试点 {{
  生效 2025年1月1日
  地区 县
  地区集 县 {{ 甲县、乙县 }}
  输入 收入: 金额 每地区
  {line}
}}
"""


@pytest.mark.parametrize(
    ("line", "code", "message"),
    [
        ("参数 比例: 比例 = 按年度 { 2026起: 3% }", "E460", "按年度没有给出2025年的值:政策施行期间的每一年都要有值"),
        ("参数 比例: 比例 = 按年度 { 2025: 4%, 2027起: 3% }", "E460", "按年度没有给出2026年的值"),
        ("参数 比例: 比例 = 按年度 { 2025: 4%, 2026: 3% }", "E460", "按年度没有给出2027年的值"),
        ("参数 比例: 比例 = 按年度 { 2026起: 4%, 2025: 3% }", "E461", "按年度的各年须从早到晚排列,且不重复"),
        ("令 错 = 合计(收入 + 收入 前2年)", "E462", "“前N年”“近N年”只能用在对一个输入求 合计 或 平均 时"),
    ],
)
def test_a_schedule_or_window_that_cannot_hold_is_reported(tmp_path: Path, line: str, code: str, message: str) -> None:
    path = write(tmp_path, "p.pool", BAD.format(line=line))
    status, out, _ = run("check", path)
    assert status == 1
    assert f"[{code}]: {message}" in out


def test_counting_the_policys_years_needs_its_effective_date(tmp_path: Path) -> None:
    text = BAD.format(line="参数 比例: 比例 = 按年度 { 第1年: 4%, 第2年起: 3% }").replace("  生效 2025年1月1日\n", "")
    status, out, _ = run("check", write(tmp_path, "p.pool", text), "--lang", "en")
    assert status == 1 and "[E463]: the schedule counts the policy's years" in out


def test_the_english_forms_read_the_same(tmp_path: Path) -> None:
    code, out, _ = run("fmt", LEVY, "--keywords", "en")
    assert code == 0
    assert "by year { 第1年: 4%, 第2年 onward: 3% }" in out
    english = write(tmp_path, "en.pool", out)
    code, out, _ = run("test", english)
    assert code == 0, out


def test_every_engine_agrees_on_the_years() -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).parent / "fuzz"))
    from engines import differences, run_all

    from compiler.driver import check_file
    from compiler.scenario import load_periods

    checked = check_file(LEVY).policy
    assert checked is not None
    scens, errors = load_periods(HERE / "levy.json", checked)
    assert not errors
    outs = run_all(checked, Path(LEVY).read_text(encoding="utf-8"), scens[:1])
    assert not differences(outs)
    assert outs["vector"][0].ledger == outs["interpreter"][0].ledger != []


INSTALMENTS = """政策 分期试点 {
  生效 2025年1月1日
  地区 县
  地区集 县 { 甲县、乙县 }
  输入 征缴收入: 金额 每地区
  资金 调剂金 结转 {
    上解 调剂金上解 = 征缴收入 × 3%  自 各地区  分4期
      原文 "按季度分四次上解"
    补助 月度拨付 = 征缴收入 × 1%  至 各地区  不足时 按比例  分12期预留3%
      原文 "按月拨付97%,预留3%年终清算"
  }
}
"""


@pytest.mark.parametrize("engine", ["interpreter", "compiled"])
def test_a_four_instalment_levy_shows_four_due_dates_and_a_holdback_the_year_end(tmp_path: Path, engine: str) -> None:
    policy = write(tmp_path, "p.pool", INSTALMENTS)
    scen = {"period": 2026, "regions": {"甲县": {"征缴收入": "1000000.01"}, "乙县": {"征缴收入": "333333.33"}},
            "state": {"调剂金": "100000"}}  # fmt: skip
    code, out, err = run("run", policy, write(tmp_path, "s.json", json.dumps(scen, ensure_ascii=False)), "--json",
                         "--engine", engine)  # fmt: skip
    assert code == 0, err
    rows = json.loads(out)["transfers"]
    levy = [(r["due"], r["instalment"], r["amount"]) for r in rows if r["rule"] == "调剂金上解" and r["from"] == "甲县"]
    # 1000000.01 × 3% = 30000.0003 → 30000.00, in four parts at the quarters' ends
    assert levy == [("2026-03-31", "1/4", "7500.00"), ("2026-06-30", "2/4", "7500.00"),
                    ("2026-09-30", "3/4", "7500.00"), ("2026-12-31", "4/4", "7500.00")]  # fmt: skip
    paid = [r for r in rows if r["rule"] == "月度拨付" and r["to"] == "乙县"]
    # 333333.33 × 1% = 3333.33; 3% held = 99.9999 → 100.00; 3233.33 in 12: five of 269.45, seven of 269.44
    assert [r["amount"] for r in paid] == ["269.45"] * 5 + ["269.44"] * 7 + ["100.00"]
    assert paid[-1]["instalment"] == "holdback" and paid[-1]["due"] == "2026-12-31"
    assert [r["due"] for r in paid[:3]] == ["2026-01-31", "2026-02-28", "2026-03-31"]
    code, out, _ = run("run", policy, str(tmp_path / "s.json"), "--engine", engine)
    assert "应付日期" in out and "预留,年终清算" in out


def test_instalments_that_do_not_fall_on_whole_months_are_refused(tmp_path: Path) -> None:
    code, out, _ = run("check", write(tmp_path, "p.pool", INSTALMENTS.replace("分4期", "分5期")))
    assert code == 1 and "[E464]: 分5期无法按整月排开" in out


def test_the_explainer_says_when_the_parts_fall_due(tmp_path: Path) -> None:
    code, out, _ = run("explain", write(tmp_path, "p.pool", INSTALMENTS), "--format", "md")
    assert code == 0
    assert "各地区向调剂金上解征缴收入的3%；分4期，于每季度末支付。" in out
    assert "其中97%按月分12期，于每月末支付，3%预留至年终清算时支付。" in out


def test_the_vector_engine_lays_out_instalments_as_the_scalar_engines_do(tmp_path: Path) -> None:
    policy = write(tmp_path, "p.pool", INSTALMENTS)
    scen = {"period": 2026, "regions": {"甲县": {"征缴收入": "1000000.01"}, "乙县": {"征缴收入": "333333.33"}},
            "state": {"调剂金": "100000"}}  # fmt: skip
    path = write(tmp_path, "s.json", json.dumps(scen, ensure_ascii=False))
    outs = {e: run("run", policy, path, "--json", "--engine", e) for e in ("interpreter", "vector")}
    assert outs["vector"][0] == 0, outs["vector"][2]
    assert json.loads(outs["vector"][1])["transfers"] == json.loads(outs["interpreter"][1])["transfers"]


def test_instalments_of_each_persons_contribution_agree_on_every_engine(tmp_path: Path) -> None:
    persons = (Path(__file__).parent / "fixtures" / "entities" / "persons.pool").read_text(encoding="utf-8")
    policy = write(tmp_path, "p.pool", persons.replace("当 在职  原文", "当 在职  分4期  原文", 1))
    scen = str(Path(__file__).parent / "fixtures" / "entities" / "persons.json")
    for detail in ((), ("--detail", "参保人员")):
        outs = {
            e: run("run", policy, scen, "--json", "--engine", e, *detail) for e in ("interpreter", "compiled", "vector")
        }
        assert all(code == 0 for code, _, _ in outs.values()), outs
        ledgers = {e: json.loads(out)["transfers"] for e, (_, out, _) in outs.items()}
        assert ledgers["compiled"] == ledgers["interpreter"] == ledgers["vector"]
        assert {r.get("instalment") for r in ledgers["vector"]} >= {"1/4", "4/4"}


def test_an_example_without_its_year_is_told_to_say_which_year(tmp_path: Path) -> None:
    text = """政策 年 {
  生效 2025年1月1日
  参数 比例甲: 比例 = 按年度 { 第1年: 4%, 第2年起: 3% }
  输入 收入: 金额
  令 上解 = 收入 × 比例甲
  例 "一" {
    已知 收入 = 100元
    期望 上解 = 4元
  }
}
"""
    code, out, _ = run("test", write(tmp_path, "y.pool", text))
    assert code == 1
    assert "本政策的值随年度而定(按年度、前N年):算例须写在 期 2026 { … } 中,说明是哪一年" in out
    assert "缺少输入“年度”" not in out
