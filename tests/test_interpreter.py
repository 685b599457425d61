"""The reference interpreter: exact money, allocations that add up, conservation, examples."""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli import main
from compiler.driver import check_file, check_source
from compiler.interpreter import Env, EvalError, settle
from compiler.interpreter.funds import largest_remainder, round_fen

ROOT = Path(__file__).resolve().parent.parent
GUIZHOU = ROOT / "policies" / "guizhou_risk_adjustment.pool"
YI = 100_000_000


@pytest.mark.parametrize(
    ("exact", "fen"),
    [
        (F("0.005"), F("0.01")),
        (F("0.0049999"), F("0")),
        (F("2.675"), F("2.68")),
        (F(1, 3), F("0.33")),
        (F(-5, 1000), F("-0.01")),
    ],
)
def test_round_half_up_to_the_fen(exact: F, fen: F) -> None:
    assert round_fen(exact) == fen


def test_largest_remainder_parts_add_up_and_ties_go_to_the_earlier_region() -> None:
    parts = largest_remainder(F("100.00"), [F(1), F(1), F(1)], EvalError("zero-weights", rule="甲"))
    assert parts == [F("33.34"), F("33.33"), F("33.33")]
    assert sum(parts) == F(100)


def test_largest_remainder_refuses_zero_weights() -> None:
    with pytest.raises(EvalError):
        largest_remainder(F(1), [F(0), F(0)], EvalError("zero-weights", rule="甲"))


def _env(opening: F) -> Env:
    regions = ["贵阳市", "遵义市", "安顺市"]
    per = lambda *vs: dict(zip(regions, vs))  # noqa: E731
    return Env(
        regions,
        params={"参保人数权重": F(7, 10), "附加上解比例": F(3, 100), "支出增幅警戒线": F(15, 100)},
        inputs={
            "上年度征缴收入": per(F(10 * YI), F(8 * YI), F(3 * YI)),
            "前年度征缴收入": per(F(9 * YI), F(8 * YI), F(29 * YI, 10)),
            "参保人数": per(F(4_000_000), F(6_000_000), F(2_300_000)),
            "老年参保人数": per(F(600_000), F(1_100_000), F(400_000)),
            "完成征缴目标": per(True, False, True),
            "基金支出增幅": per(F(5, 100), F(8, 100), F(20, 100)),
            "绩效得分": per(F(90), F(80), F(85)),
            "历年累计结余缺口": per(F(0), F(0), F(50_000_000)),
            "缺口原因": per("正常", "正常", "正常"),
        },
        opening={"省级留存": opening},
    )


def test_a_full_guizhou_period_conserves_every_fund_to_the_fen() -> None:
    checked = check_file(GUIZHOU).policy
    assert checked is not None
    res = settle(checked, _env(F(10 * YI)))
    by_rule: dict[str, F] = {}
    for t in res.transfers:
        by_rule[t.rule] = by_rule.get(t.rule, F(0)) + t.amount
        assert t.amount > 0 and t.amount * 100 == int(t.amount * 100)
    assert by_rule["基础上解额"] == by_rule["基础分配额"] == F(155_000_000)
    # The opening balance is above 5% of provincial income: nothing more is retained,
    # and the whole additional fund is redistributed by performance.
    assert "附加留存额" not in by_rule
    assert by_rule["附加上解额"] == by_rule["绩效分配额"] == F(33_000_000)
    assert res.closing == {"省级留存": F(10 * YI) - F(5_000_000)}
    assert res.values["地方政府弥补额"] == {"贵阳市": 0, "遵义市": 0, "安顺市": F(45_000_000)}


OVERDRAWN = """政策 试 {
  输入 缺口: 金额 每地区
  资金 留存 结转 原文 "留存" {
    补助 补 = 缺口  至 各地区  原文 "补足缺口"
  }
}
"""


def test_a_rule_that_may_overdraw_a_carried_fund_is_refused_before_any_run() -> None:
    # Issue 16: an unanswered overdraft is a check (E421), not a run-time stop.
    result = check_source(OVERDRAWN)
    assert result.policy is None
    assert [(d.code, d.span.line) for d in result.diagnostics if d.code.startswith("E")] == [("E421", 4)]


def test_missing_input_names_the_input_and_region() -> None:
    checked = check_file(GUIZHOU).policy
    assert checked is not None
    env = _env(F(YI))
    del env.inputs["绩效得分"]
    with pytest.raises(EvalError) as e:
        settle(checked, env)
    assert e.value.zh == "缺少输入“绩效得分”(地区“贵阳市”)"


def test_pool_test_runs_the_guizhou_examples() -> None:
    result = CliRunner().invoke(main, ["test", str(GUIZHOU)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("7 passed, 0 failed")
    assert "✓ 留存达到上限后结转下一年" in result.output


def test_pool_test_shows_expected_and_actual_and_fails(tmp_path: Path) -> None:
    text = GUIZHOU.read_text(encoding="utf-8").replace(
        "期望 缺口调剂额 = {贵阳市: 1000万元", "期望 缺口调剂额 = {贵阳市: 1001万元"
    )
    path = tmp_path / "p.pool"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["test", str(path)])
    assert result.exit_code == 1
    assert "缺口调剂额@贵阳市: 期望 10,010,000.00元, 实际 10,000,000.00元" in result.output
    assert result.output.strip().endswith("6 passed, 1 failed")
