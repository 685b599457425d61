"""`pool test` on policies, case files and folders: output, failures, exit codes, JSON, coverage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli import main

ROOT = Path(__file__).resolve().parent.parent
GUIZHOU = ROOT / "policies" / "guizhou_risk_adjustment.pool"
CASES = ROOT / "policies" / "cases" / "guizhou_risk_adjustment.cases.yaml"
SCENARIO = ROOT / "policies" / "scenarios" / "guizhou_2026.json"


@pytest.fixture(autouse=True)
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # paths are shown relative to the working directory


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["test", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def line_of(path: Path, text: str) -> int:
    """The line a construct is on, found by its text, so edits elsewhere in a policy do not break the test."""
    [n] = [i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line]
    return n


def case_file(tmp_path: Path, expect: str, tolerance: str | None = None, name: str = "t.cases.yaml") -> Path:
    tol = f'    tolerance: "{tolerance}"\n' if tolerance is not None else ""
    path = tmp_path / name
    path.write_text(
        f"policy: {GUIZHOU}\ncases:\n  - name: 一个用例\n    scenario: {SCENARIO}\n{tol}    expect:\n{expect}",
        encoding="utf-8",
    )
    return path


# ------------------------------------------------------------------------------------- passing


def test_bundled_case_file_passes_one_line_per_case_with_its_line() -> None:
    code, out = run("policies/cases/guizhou_risk_adjustment.cases.yaml")
    lines = out.splitlines()
    assert code == 0, out
    assert lines[0] == "policies/cases/guizhou_risk_adjustment.cases.yaml → policies/guizhou_risk_adjustment.pool"
    assert lines[1] == "  ✓ 2026年三市整年结算,留存未达累计上限  (policies/cases/guizhou_risk_adjustment.cases.yaml:7)"
    assert lines[-1] == "3 passed, 0 failed"


def test_every_bundled_case_file_passes() -> None:
    code, out = run("policies/cases")
    assert code == 0, out
    assert out.splitlines()[-1] == "8 passed, 0 failed"


# ------------------------------------------------------------------------------------- failing


def test_wrong_expectation_shows_expected_actual_and_the_rule_that_produced_it(tmp_path: Path) -> None:
    path = case_file(
        tmp_path, '      基础上解额: {贵阳市: "50000001.00", 遵义市: 8000万元}\n      省级留存: 9000万元\n'
    )
    code, out = run(str(path))
    rule = line_of(GUIZHOU, "上解 基础上解额 =")
    fund = line_of(GUIZHOU, "资金 省级留存 结转")
    retain, cover = (
        line_of(GUIZHOU, "留存 附加留存额 ="),
        line_of(GUIZHOU, "补助 缺口调剂额 = 可调剂缺口 × 缺口调剂比例  至 各地区  不足时 按比例"),
    )
    assert code == 1
    assert f"  ✗ 一个用例  ({path}:3)" in out
    assert f"      基础上解额@贵阳市: 期望 50,000,001.00元, 实际 50,000,000.00元  ({path}:6)" in out
    assert f"        ← 由规则“基础上解额”算出 (policies/guizhou_risk_adjustment.pool:{rule})" in out
    assert f"      省级留存: 期望 90,000,000.00元, 实际 91,500,000.00元  ({path}:7)" in out
    assert (
        f"        ← 资金“省级留存”的期末余额(policies/guizhou_risk_adjustment.pool:{fund}),"
        f"经 规则“附加留存额”(第 {retain} 行)、规则“缺口调剂额”(第 {cover} 行)"
    ) in out
    assert "遵义市" not in out  # only the values that differ
    assert out.splitlines()[-1] == "0 passed, 1 failed"
    code, out = run(str(path), "--lang", "en")
    assert f"      基础上解额@贵阳市: expected 50,000,001.00元, actual 50,000,000.00元  ({path}:6)" in out
    assert f"        ← from rule ‘基础上解额’ (policies/guizhou_risk_adjustment.pool:{rule})" in out


def test_failing_example_names_the_derived_value_behind_a_number(tmp_path: Path) -> None:
    text = GUIZHOU.read_text(encoding="utf-8").replace(
        "期望 按实际标准上解额 = {贵阳市: 0元}", "期望 按实际标准上解额 = {贵阳市: 1元}"
    )
    path = tmp_path / "p.pool"
    path.write_text(text, encoding="utf-8")
    code, out = run(str(path))
    let = line_of(path, "令 按实际标准上解额 =")
    assert code == 1
    assert (
        f"      按实际标准上解额@贵阳市: 期望 1.00元, 实际 0.00元  ({path}:{line_of(path, '期望 按实际标准上解额')})"
        in out
    )
    assert f"        ← 由派生值“按实际标准上解额”算出 ({path}:{let})" in out
    assert out.splitlines()[-1] == "6 passed, 1 failed"


def test_tolerance_allows_a_difference_up_to_it_and_no_more(tmp_path: Path) -> None:
    expect = '      基础上解额: {贵阳市: "50000000.01"}\n'
    assert run(str(case_file(tmp_path, expect, "0.01")))[0] == 0
    code, out = run(str(case_file(tmp_path, expect)))  # 0.00 by default: exact to the fen
    assert code == 1
    code, out = run(str(case_file(tmp_path, '      基础上解额: {贵阳市: "50000000.02"}\n', "0.01")))
    assert code == 1
    assert "期望 50,000,000.02元, 实际 50,000,000.00元,允许误差 0.01元" in out


def test_a_case_the_interpreter_cannot_settle_fails_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "t.cases.yaml"
    path.write_text(
        f"policy: {GUIZHOU}\ncases:\n  - name: 缺少输入\n    scenario:\n      period: 2026\n      scheme: 居民医保\n"
        '      partial: true\n      regions: {贵阳市: {上年度征缴收入: "1000.00"}}\n    expect:\n      基础上解额: 0元\n',
        encoding="utf-8",
    )
    code, out = run(str(path))
    assert code == 1
    assert "  ✗ 缺少输入" in out and "缺少输入“前年度征缴收入”(地区“贵阳市”)" in out


# ------------------------------------------------------------------------------------- discovery


def test_folder_is_searched_recursively_in_sorted_order(tmp_path: Path) -> None:
    expect = "      基础上解额: {贵阳市: 5000万元}\n"
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "deeper").mkdir(parents=True)
    case_file(tmp_path / "b", expect, name="a.cases.yaml")
    case_file(tmp_path / "a" / "deeper", expect, name="z.cases.yaml")
    (tmp_path / "notes.yaml").write_text("不是用例文件\n", encoding="utf-8")
    (tmp_path / "policy.pool").write_text(GUIZHOU.read_text(encoding="utf-8"), encoding="utf-8")
    code, out = run(str(tmp_path))
    heads = [line.split(" → ")[0] for line in out.splitlines() if not line.startswith(" ")][:-1]
    assert code == 0, out
    assert heads == [
        str(tmp_path / "a/deeper/z.cases.yaml"),
        str(tmp_path / "b/a.cases.yaml"),
        str(tmp_path / "policy.pool"),
    ]
    assert out.splitlines()[-1] == "9 passed, 0 failed"


def test_folder_without_policies_or_cases_is_an_input_error(tmp_path: Path) -> None:
    code, out = run(str(tmp_path))
    assert code == 2
    assert "目录中没有政策(.pool)或用例文件(.cases.yaml)" in out


# ------------------------------------------------------------------------------------- bad input: exit 2


def test_missing_policy_names_the_field_and_its_position(tmp_path: Path) -> None:
    path = tmp_path / "t.cases.yaml"
    path.write_text("# 用例\npolicy: ../nowhere.pool\ncases: []\n", encoding="utf-8")
    code, out = run(str(path))
    assert code == 2
    assert f"{path}:2:9: policy: 找不到政策文件" in out
    assert out.splitlines()[-1] == "0 passed, 0 failed"


def test_unknown_name_and_abc_as_money_are_reported_together(tmp_path: Path) -> None:
    path = case_file(tmp_path, "      基础上解率: 1元\n      基础上解额: {贵阳市: abc}\n")
    code, out = run(str(path))
    assert code == 2
    assert f"{path}:6:7: cases[0].expect.基础上解率: 不是政策中的值或结转资金,你是不是想写“基础上解额”?" in out
    assert f"{path}:7:20: cases[0].expect.基础上解额.贵阳市: “abc”不是金额" in out
    code, out = run(str(path), "--lang", "en")
    assert f"{path}:7:20: cases[0].expect.基础上解额.贵阳市: ‘abc’ is not money" in out


def test_inline_scenario_errors_point_into_the_case_file(tmp_path: Path) -> None:
    path = tmp_path / "t.cases.yaml"
    path.write_text(
        f"policy: {GUIZHOU}\ntolerance: abc\ncases:\n  - name: x\n    scenario:\n      period: 2026\n"
        "      regions: {贵阳市: {上年度征缴收入: abc}}\n    expect:\n      基础上解额: 0元\n",
        encoding="utf-8",
    )
    code, out = run(str(path))
    assert code == 2
    assert f"{path}:2:12: tolerance: “abc”不是非负的金额" in out
    assert f"{path}:7:32: cases[0].scenario.regions.贵阳市.上年度征缴收入: “abc”不是数字" in out


def test_policy_with_errors_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pool"
    bad.write_text("令 a = 未定义\n", encoding="utf-8")
    code, out = run(str(bad), "policies/cases/guizhou_risk_adjustment.cases.yaml")
    assert code == 2  # and the other files still run
    assert "E201" in out and out.splitlines()[-1] == "3 passed, 0 failed"


# ------------------------------------------------------------------------------------- JSON and coverage


def test_json_report_shape(tmp_path: Path) -> None:
    path = case_file(tmp_path, "      基础上解额: {贵阳市: 5001万元}\n")
    result = CliRunner().invoke(main, ["test", str(path), "--json", "--coverage"])
    doc = json.loads(result.stdout)
    assert result.exit_code == 1
    assert sorted(doc) == ["cases", "coverage", "errors", "exit_code", "failed", "passed"]
    assert (doc["passed"], doc["failed"], doc["errors"], doc["exit_code"]) == (0, 1, [], 1)
    [case] = doc["cases"]
    assert {k: case[k] for k in ("label", "kind", "line", "status", "tolerance")} == {
        "label": "一个用例",
        "kind": "case",
        "line": 3,
        "status": "failed",
        "tolerance": "0.00",
    }
    [mm] = case["mismatches"]
    assert mm == {
        "name": "基础上解额",
        "region": "贵阳市",
        "period": 2026,
        "expected": "50010000.00",
        "actual": "50000000.00",
        "file": str(path),
        "line": 6,
        "producer": {
            "kind": "rule",
            "name": "基础上解额",
            "file": "policies/guizhou_risk_adjustment.pool",
            "line": line_of(GUIZHOU, "上解 基础上解额 ="),
            "via": [],
        },
    }
    [cov] = doc["coverage"]
    assert sorted(cov) == ["covered", "percent", "policy", "total", "uncovered"]
    assert sorted(cov["uncovered"][0]) == ["column", "file", "kind", "line", "message"]


def test_coverage_of_the_guizhou_cases_names_what_they_miss() -> None:
    code, out = run("policies/cases/guizhou_risk_adjustment.cases.yaml", "--coverage")
    assert code == 0
    assert "覆盖率 policies/guizhou_risk_adjustment.pool: 26/30 (86.7%)" in out
    short = line_of(GUIZHOU, "补助 缺口调剂额 = 可调剂缺口 × 缺口调剂比例  至 各地区  不足时 按比例")
    assert (
        f"  policies/guizhou_risk_adjustment.pool:{short}  规则“缺口调剂额”从未遇到资金“省级留存”不足(“不足时 按比例”从未起作用)"
        in out
    )
    cap = line_of(GUIZHOU, "累计上限 全省上年度征缴收入")
    mismanaged = line_of(GUIZHOU, "管理不力 => 0元")
    assert (
        f"  policies/guizhou_risk_adjustment.pool:{cap}  规则“附加留存额”的累计上限“全省上年度征缴收入 × 留存上限比例”从未起作用"
        in out
    )
    assert f"  policies/guizhou_risk_adjustment.pool:{mismanaged}  “可调剂缺口”的匹配分支“管理不力”从未选中" in out
    assert out.splitlines()[-1] == "3 passed, 0 failed"  # the closing line stays last and alone


def test_coverage_of_examples_alone_and_with_the_case_file() -> None:
    code, out = run(str(GUIZHOU.relative_to(ROOT)), "--coverage", "--lang", "en")
    assert "coverage policies/guizhou_risk_adjustment.pool: 27/30 (90.0%)" in out
    branch = line_of(GUIZHOU, "上解 基础上解额 =")
    assert (
        f"  policies/guizhou_risk_adjustment.pool:{branch}  ‘基础上解额’: 取大(按实际标准上解额, 按原标准上解额) never came out as 按原标准上解额"
        in out
    )
    # One policy, one record, however it is reached: its examples and its case file together cover it all.
    code, out = run("policies", "--coverage")
    assert code == 0, out
    # Every bundled policy, in sorted order, fully exercised by its examples and case files together.
    figures = [line.split(" ", 1)[1] for line in out.splitlines() if line.startswith("覆盖率")]
    assert figures == [
        "policies/baoshan_tasks.pool: 0/0 (100.0%)",
        "policies/guiyang_county_budget.pool: 42/42 (100.0%)",
        "policies/guizhou_risk_adjustment.pool: 30/30 (100.0%)",
        "policies/jilin_city_pooling.pool: 18/18 (100.0%)",
        "policies/ningbo_city_pooling.pool: 31/31 (100.0%)",
        "policies/ningbo_contributions.pool: 24/24 (100.0%)",
    ]


def test_json_with_bad_input_is_still_one_document_on_standard_output(tmp_path: Path) -> None:
    path = case_file(tmp_path, "      基础上解额: {贵阳市: abc}\n")
    result = CliRunner().invoke(main, ["test", str(path), "--json", "--lang", "en"])
    doc = json.loads(result.stdout)
    assert result.exit_code == 2 and doc["exit_code"] == 2 and doc["cases"] == []
    assert doc["errors"] == [
        {
            "file": str(path),
            "line": 6,
            "column": 20,
            "field": "cases[0].expect.基础上解额.贵阳市",
            "message": "‘abc’ is not money",
        }
    ]
    assert "‘abc’ is not money" in result.stderr


def test_a_recorder_never_changes_a_result() -> None:
    from compiler.driver import check_file
    from compiler.evaluate import env_of
    from compiler.interpreter import settle
    from compiler.scenario import load
    from compiler.tools.coverage import Coverage

    for policy, scenario in (
        ("guizhou_risk_adjustment", "guizhou_2026.json"),
        ("jilin_city_pooling", "jilin_city_pooling.json"),
        ("guiyang_county_budget", "guiyang_county_budget.json"),
        ("ningbo_city_pooling", "ningbo_2022.json"),
    ):
        checked = check_file(ROOT / "policies" / f"{policy}.pool").policy
        assert checked is not None
        scen, errors = load(ROOT / "policies" / "scenarios" / scenario, checked)
        assert scen is not None, errors
        recorder = Coverage(checked, policy)
        assert settle(checked, env_of(scen), recorder) == settle(checked, env_of(scen))
        assert recorder.hits, policy


@pytest.mark.parametrize(
    ("policy", "old", "new", "message"),
    [
        (
            "ningbo_city_pooling",
            "已知 险种 = 职工医保",
            "已知 险种 = 宁波职工医保",
            "算例中“险种”的值“宁波职工医保”不是险种",
        ),
        (
            "guizhou_risk_adjustment",
            "{贵阳市: 10亿元, 遵义市: 8亿元}",
            "{贵阳市: 剩余10亿元, 遵义市: 8亿元}",
            "算例中“上年度征缴收入”的值“剩余10亿元”不是金额",
        ),
    ],
)
def test_an_example_value_of_the_wrong_kind_fails_the_example_instead_of_crashing(
    tmp_path: Path, policy: str, old: str, new: str, message: str
) -> None:
    # Found by source fuzzing: the checks do not look inside examples, so a misspelt member or a
    # name where money belongs reached a 匹配 or an operator, and pool test and explain crashed.
    text = (ROOT / "policies" / f"{policy}.pool").read_text(encoding="utf-8").replace(old, new, 1)
    path = tmp_path / "p.pool"
    path.write_text(text, encoding="utf-8")
    code, out = run(str(path))
    assert code == 1
    assert f"      {message}  ({path}:{line_of(path, new)})" in out
    assert CliRunner().invoke(main, ["explain", str(path)]).exception is None
