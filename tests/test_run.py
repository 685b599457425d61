"""`pool run`: the scenario contract, and bad input named by field and position, exit 2."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli import main
from compiler.driver import check_source
from compiler.evaluate import load_scenario
from compiler.vector import batch_of, run_batch
from tests.cli import run

ROOT = Path(__file__).resolve().parent.parent
POLICY = str(ROOT / "policies" / "guizhou_risk_adjustment.pool")
SCENARIO = ROOT / "policies" / "scenarios" / "guizhou_2026.json"


def test_json_output_follows_the_contract() -> None:
    code, out, _ = run("run", POLICY, str(SCENARIO), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["period"] == 2026
    assert doc["values"]["基础上解额"] == {"贵阳市": "50000000.00", "遵义市": "80000000.00", "安顺市": "25000000.00"}
    assert doc["transfers"][0] == {
        "from": "贵阳市",
        "to": "基础调剂金",
        "amount": "50000000.00",
        "rule": "基础上解额",
        "line": 58,
    }
    # 8000万 opening + 1650万 retained (under the 1.05亿 cap) − 500万 subsidy
    assert doc["state"] == {"省级留存": "91500000.00"}


def test_table_output_aligns_chinese_columns() -> None:
    code, out, _ = run("run", POLICY, str(SCENARIO))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "2026年 资金往来"
    assert "地方政府弥补额  地方政府(安顺市)  安顺市      45,000,000.00  165" in lines
    assert "省级留存  91,500,000.00" in lines


BAD = [
    ('"scheme"', '"sceme"', "3:3: sceme: 未知字段"),
    ('"上年度征缴收入": "800000000.00", ', "", "8:5: regions.遵义市.上年度征缴收入: 缺少这一输入(其他地区都给了)"),
    ('"1000000000.00"', '"abc"', "6:24: regions.贵阳市.上年度征缴收入: “abc”不是数字"),
    ('"1000000000.00"', "NaN", "6:24: regions.贵阳市.上年度征缴收入: “NaN”不是有限的数"),
    ('"1000000000.00"', '"-5.00"', "6:24: regions.贵阳市.上年度征缴收入: 不能为负:-5.00"),
    ('"1000000000.00"', '"1000000000.001"', "6:24: regions.贵阳市.上年度征缴收入: 金额最多两位小数(到分)"),
    ('"3%"', '"150%"', "4:41: params.附加上解比例: 150% 超出范围:须不高于 100%"),
    ('"缺口原因": "正常"}', '"缺口原因": "不明"}', "regions.贵阳市.缺口原因: “不明”不是缺口原因的成员"),
    ('"period": 2026', '"period": 2024', "2:13: period: 2024年不在政策生效期内(2025–)"),
    ('"period": 2026,', '"period": 2026, "period": 2027,', "2:19: period: 键重复出现"),
    ('"state"', "state", "13:3: 不是有效的 JSON"),
    ('"params": {', '"params": {"增量扣除比例": "60%", ', "params.增量扣除比例: 是固定参数"),
    ('"regions": {', '"regions": {"北京市": {}, ', "regions.北京市: 不是贵州市州中的地区"),
]


@pytest.mark.parametrize(
    ("old", "new", "message"), BAD, ids=[b[2].split(": ")[1] if ": " in b[2] else b[2] for b in BAD]
)
def test_bad_scenario_is_named_by_field_and_position(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = SCENARIO.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / "bad.json"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    code, out, err = run("run", POLICY, str(bad))
    assert code == 2
    assert out == ""  # nothing half-printed
    assert message in err


def test_a_reserve_too_small_for_the_subsidy_shares_what_it_holds(tmp_path: Path) -> None:
    # Guizhou reads a short 省级留存 as shared pro rata (issue 16): no overdraft, no stop.
    text = SCENARIO.read_text(encoding="utf-8").replace('"50000000.00"', '"5000000000.00"')
    short = tmp_path / "short.json"
    short.write_text(text, encoding="utf-8")
    code, out, err = run("run", POLICY, str(short), "--json")
    assert code == 0 and err == ""
    assert json.loads(out)["state"] == {"省级留存": "0.00"}


def test_explain_walks_from_the_rule_down_to_the_inputs() -> None:
    code, out, _ = run("run", POLICY, str(SCENARIO), "--explain", "基础上解额@贵阳市")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "基础上解额@贵阳市 = 50,000,000.00元    [规则 policies/guizhou_risk_adjustment.pool:58]"
    assert "  公式: 如果 擅自调整筹资政策 则 取大(按实际标准上解额, 按原标准上解额) 否则 按实际标准上解额" in lines
    assert "    上年度征缴收入@贵阳市 = 1,000,000,000.00元    [输入 policies/guizhou_risk_adjustment.pool:39]" in lines
    assert "    基础上解比例 = 10%    [参数 policies/guizhou_risk_adjustment.pool:23]" in lines
    # The branch not taken (the original-standard amount) is not part of the story.
    assert not any("按原标准上解额@" in line for line in lines)


def test_explain_returns_the_same_trace_as_data() -> None:
    from compiler.evaluate import explain_file

    _, step = explain_file(POLICY, SCENARIO, "地方政府弥补额@安顺市")
    assert (step.name, step.region, step.value, step.line) == ("地方政府弥补额", "安顺市", 45_000_000, 165)
    assert [(o.name, o.value) for o in step.operands] == [("历年累计结余缺口", 50_000_000), ("缺口调剂额", 5_000_000)]


def test_explain_of_a_per_region_value_needs_a_region() -> None:
    code, out, err = run("run", POLICY, str(SCENARIO), "--explain", "基础上解额")
    assert (code, out) == (2, "")
    assert "“基础上解额”按地区取值,请写成 基础上解额@地区" in err


def test_simulate_carries_the_retained_balance_into_the_next_year() -> None:
    code, out, _ = run(
        "simulate", POLICY, str(SCENARIO), str(ROOT / "policies" / "scenarios" / "guizhou_2027.yaml"), "--json"
    )
    assert code == 0
    first, second = json.loads(out)
    assert first["state"] == {"省级留存": "91500000.00"}
    # 2027 opens at 9150万; cap 22亿 × 5% = 1.1亿 leaves room for all 1650万; less the 500万 subsidy.
    assert second["period"] == 2027 and second["state"] == {"省级留存": "103000000.00"}


def test_simulate_table_has_a_row_per_period() -> None:
    code, out, _ = run("simulate", POLICY, str(SCENARIO), str(ROOT / "policies" / "scenarios" / "guizhou_2027.yaml"))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[0] == "期间" and lines[0].split()[-1] == "省级留存期末"
    assert lines[2].startswith("2026") and lines[2].endswith("91,500,000.00")
    assert lines[3].startswith("2027") and lines[3].endswith("103,000,000.00")


def test_simulate_refuses_a_second_opening_balance(tmp_path: Path) -> None:
    code, out, err = run("simulate", POLICY, str(SCENARIO), str(SCENARIO))
    assert (code, out) == (2, "")
    assert "state: 期初余额由上一期结转,不能再给出" in err


def test_schema_lists_open_parameters_as_required_and_regions_by_name() -> None:
    code, out, _ = run("schema", POLICY)
    assert code == 0
    schema = json.loads(out)
    props = schema["properties"]
    assert props["params"]["required"] == ["参保人数权重", "附加上解比例", "支出增幅警戒线"]
    assert "增量扣除比例" not in props["params"]["properties"]  # fixed: a scenario cannot set it
    assert props["regions"]["propertyNames"]["enum"][0] == "贵阳市"
    assert props["regions"]["additionalProperties"]["properties"]["缺口原因"] == {
        "enum": ["正常", "自行调整政策", "挤占挪用", "管理不力"]
    }
    assert props["period"] == {"type": "integer", "minimum": 2025}


def test_python_api_gives_values_ledger_and_trace_without_the_cli() -> None:
    import compiler as pool

    _, scen, result = pool.evaluate_file(POLICY, SCENARIO)
    assert scen.period == 2026
    assert result.values["基础上解额"]["贵阳市"] == 50_000_000  # type: ignore[index]
    assert result.transfers[0].rule == "基础上解额"
    _, trace = pool.explain_file(POLICY, SCENARIO, "同比增量@贵阳市")
    assert trace.value == 100_000_000 and trace.formula == "取大(上年度征缴收入 - 前年度征缴收入, 0)"
    with pytest.raises(pool.EvaluationFailed):
        pool.load_policy(ROOT / "tests" / "fixtures" / "bad" / "E402_split_shares.pool")


def test_both_engines_print_the_same_json() -> None:
    compiled = run("run", POLICY, str(SCENARIO), "--json")
    interpreted = run("run", POLICY, str(SCENARIO), "--json", "--engine", "interpreter")
    assert compiled == interpreted and compiled[0] == 0


def test_simulate_reads_one_file_with_several_periods(tmp_path: Path) -> None:
    first = json.loads(SCENARIO.read_text(encoding="utf-8"))
    second = {k: v for k, v in first.items() if k != "state"} | {"period": 2027}
    both = tmp_path / "two_years.json"
    both.write_text(json.dumps({"periods": [first, second]}, ensure_ascii=False), encoding="utf-8")
    code, out, _ = run("simulate", POLICY, str(both), "--json")
    assert code == 0
    years = json.loads(out)
    assert [y["period"] for y in years] == [2026, 2027]
    # Same data both years: 2027 opens at 9150万 and retains 1350万 up to the 1.05亿 cap.
    assert years[1]["values"]["附加留存额"] == "13500000.00"
    assert years[1]["state"] == {"省级留存": "100000000.00"}


def test_open_band_edges_set_out_of_order_are_refused_not_double_counted(tmp_path: Path) -> None:
    guiyang = ROOT / "policies" / "guiyang_county_budget.pool"
    text = (ROOT / "policies" / "scenarios" / "guiyang_county_budget.json").read_text(encoding="utf-8")
    swapped = text.replace('"结余率分界一": "5%"', '"结余率分界一": "12%"')
    bad = tmp_path / "swapped.json"
    bad.write_text(swapped, encoding="utf-8")
    for engine in ("compiled", "interpreter"):
        code, out, err = run("run", str(guiyang), str(bad), "--engine", engine, "--lang", "en")
        assert (code, out) == (2, ""), engine
        assert "band edges must increase" in err


def test_a_policy_whose_rules_differ_by_scheme_asks_for_the_scheme(tmp_path: Path) -> None:
    scen = tmp_path / "s.json"
    scen.write_text(
        '{"global": {"月均基金支付额": "1"}, "regions": {"海曙区": {"基金收入": "1", "基金支出": "2"}}}',
        encoding="utf-8",
    )
    code, out, err = run("run", str(ROOT / "policies" / "ningbo_city_pooling.pool"), str(scen))
    assert code == 2 and out == ""
    assert f"{scen}:1:1: scheme: 本政策的规则因险种而不同,须给出 scheme" in err


def test_per_region_fund_balances_are_checked_region_by_region(tmp_path: Path) -> None:
    scen = tmp_path / "s.json"
    scen.write_text(
        '{"scheme": "职工医保", "global": {"月均基金支付额": "1"},\n'
        ' "regions": {"海曙区": {"基金收入": "1", "基金支出": "2"}},\n'
        ' "state": {"区县累计结余": {"江北区": "5"}, "归集基金": {"海曙区": "1"}}}',
        encoding="utf-8",
    )
    code, out, err = run("run", str(ROOT / "policies" / "ningbo_city_pooling.pool"), str(scen))
    assert code == 2 and out == ""
    assert "s.json:3:23: state.区县累计结余.江北区: 不是本情景的地区" in err
    assert "s.json:3:44: state.归集基金: 应为金额" in err


def test_simulate_table_totals_a_per_region_fund_over_its_regions() -> None:
    # It raised KeyError: the table looked for one 区县累计结余 account, not one a region.
    policy, scenario = (
        str(ROOT / "policies" / "ningbo_city_pooling.pool"),
        str(ROOT / "policies" / "scenarios" / "ningbo_2022.json"),
    )
    result = CliRunner().invoke(main, ["simulate", policy, scenario])
    assert result.exit_code == 0, result.output
    [row] = result.output.splitlines()[2:]
    state = json.loads(CliRunner().invoke(main, ["run", policy, scenario, "--json"]).output)["state"]
    total = sum(Decimal(v) for v in state["区县累计结余"].values())
    assert f"{total:,.2f}" == "249,000,000.00" and row.split()[-2:] == ["249,000,000.00", "1,623,000,000.00"]


PER_REGION_PARAM = """政策 测试 {
  地区 市州
  参数 比例: 比例 每地区 待定 不高于 50%
  输入 收入: 金额 每地区
  资金 调剂金 {
    上解 上解额 = 收入 × 比例  自 各地区  原文 "按比例上解"
    分配 分配额 = 全部 至 各地区 按 收入  原文 "全部分配"
  }
}
地区集 市州 { 甲, 乙, 丙 }
"""


def test_a_per_region_parameter_is_given_per_region_and_settled_alike_by_every_engine(tmp_path: Path) -> None:
    from compiler.driver import check_file
    from compiler.scenario import load
    from compiler.vector import batch_of, run_batch

    policy = tmp_path / "p.pool"
    policy.write_text(PER_REGION_PARAM, encoding="utf-8")
    scen = tmp_path / "s.json"
    scen.write_text(
        '{"params": {"比例": {"甲": "15%", "乙": "25%", "丙": "10%"}},\n'
        ' "regions": {"甲": {"收入": "100"}, "乙": {"收入": "200"}, "丙": {"收入": "300"}}}',
        encoding="utf-8",
    )
    outs = {e: run("run", str(policy), str(scen), "--json", "--engine", e) for e in ("compiled", "interpreter")}
    assert outs["compiled"] == outs["interpreter"] and outs["compiled"][0] == 0
    collected = json.loads(outs["compiled"][1])["values"]["上解额"]
    assert collected == {"甲": "15.00", "乙": "50.00", "丙": "30.00"}
    checked = check_file(policy).policy
    assert checked is not None
    scenario, errors = load(scen, checked)
    assert scenario is not None and not errors
    fen = run_batch(checked, batch_of(checked, [scenario])).values["上解额"]
    assert [int(x) for x in fen[0]] == [1500, 5000, 3000]
    schema = json.loads(run("schema", str(policy))[1])["properties"]["params"]["properties"]["比例"]
    assert schema["anyOf"][1]["type"] == "object"
    scen.write_text('{"params": {"比例": {"甲": "60%"}}, "regions": {"甲": {"收入": "100"}}, "partial": true}')
    code, out, err = run("run", str(policy), str(scen))
    assert (code, out) == (2, "")
    assert "s.json:1:25: params.比例.甲: 60% 超出范围:须不高于 50%" in err


# Issue 19 (6): band edges a scenario sets out of order are reported at the first band out of
# order, the same file:line on every engine (the table starts on line 8, its bands on 9–11).
BANDS = """政策 分段试点 {
  地区集 试点区 { 甲区、乙区 }
  地区 试点区
  主体 市财政  原文 "市级财政"
  参数 分界一: 金额 待定
  参数 分界二: 金额 待定
  输入 收入: 金额 每地区  原文 "收入"
  令 档率 = 分段 收入 {
    0元 至 分界一 => 10%
    分界一 至 分界二 => 20%
    分界二 以上 => 30%
  }
  令 累进额 = 累进 收入 {
    0元 至 分界一 => 10%
    分界一 至 分界二 => 20%
    分界二 以上 => 30%
  }
  转移 补助 = 收入 × 档率 + 累进额  自 市财政  至 各地区  原文 "按档补助"
}
"""


@pytest.mark.parametrize("edges, line", [(("300.00", "200.00"), 10), (("0.00", "200.00"), 9)])
def test_bands_out_of_order_name_the_first_such_band_on_every_engine(
    tmp_path: Path, edges: tuple[str, str], line: int
) -> None:
    policy, scen = tmp_path / "bands.pool", tmp_path / "s.json"
    policy.write_text(BANDS, encoding="utf-8")
    doc = {
        "period": 2026,
        "params": {"分界一": edges[0], "分界二": edges[1]},
        "regions": {"甲区": {"收入": "100.00"}, "乙区": {"收入": "30000.00"}},
    }
    scen.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    for engine in ("compiled", "interpreter"):
        code, _, err = run("run", str(policy), str(scen), "--engine", engine)
        assert code == 2, engine
        assert err == f"{scen}: 无法计算:{policy}:{line}:5: 分段表的档次边界须递增\n", engine
        code, _, err = run("run", str(policy), str(scen), "--engine", engine, "--lang", "en")
        assert code == 2 and f"{policy}:{line}:5: " in err, (engine, err)
    checked = check_source(BANDS).policy
    assert checked is not None
    other = {**doc, "params": {"分界一": "300.00", "分界二": "200.00" if line == 9 else "400.00"}}
    other_file = tmp_path / "other.json"
    other_file.write_text(json.dumps(other, ensure_ascii=False), encoding="utf-8")
    # One batch, a draw per scenario: each draw names its own first band out of order (or none).
    batch = batch_of(checked, [load_scenario(checked, str(scen), None), load_scenario(checked, str(other_file), None)])
    res = run_batch(checked, batch, raise_failures=False)
    assert (res.reasons[0].key, res.reasons[0].line) == ("bands-order", line)
    if line == 9:
        assert (res.reasons[1].key, res.reasons[1].line) == ("bands-order", 10)
    else:
        assert not res.failed[1]
