"""The 解读 of values and rules kept per month (按月, 每月): each rule told once, as written, with
when it is settled; no month's copy, no lowered sum of twelve terms reaches the reader."""

from __future__ import annotations

from pathlib import Path

from compiler.driver import check_file
from compiler.explain.render import render_markdown
from compiler.explain.viewmodel import build

BUDGET = Path(__file__).resolve().parent / "fixtures" / "months" / "budget.pool"


def explained(lang: str = "zh") -> str:
    checked = check_file(BUDGET).policy
    assert checked is not None
    return render_markdown(build(checked, lang))


def test_a_monthly_rule_is_told_once_as_written_and_when_it_is_settled() -> None:
    out = explained()
    assert (
        "**预结算**。统筹基金向各地区拨付年初至当月累计的费用（以预算按月均摊至当月的累计数为限）减去此前各月的预结算之和，"
        "为负时按零计；统筹基金不足以全额支付时，按应付金额的比例支付；按月结算，每月月末支付。"
    ) in out
    assert "**年终清算**。统筹基金向各地区拨付预算减去（全年预结算之和）" in out
    assert "1. 统筹基金：向各地区拨付预结算、补贴基数的10%、年终清算。" in out
    assert "- **滚动支出**：近12个月费用之和。" in out
    assert out.count("滚动支出不低于0元") == 1 and "（每月）" in out
    section = out.split("## 六、资金流向")[1].split("##")[0]
    assert section.strip().splitlines() == ["① 统筹基金 → 各地区：预结算", "② 统筹基金 → 各地区：月度补贴（10%）",
                                            "③ 统筹基金 → 各地区：年终清算"]  # fmt: skip
    rules = out.split("## 四、具体规定")[1].split("## 五")[0]
    assert "（1月）" not in rules and "(1月)" not in rules


def test_an_examples_months_are_one_line_and_a_sum_of_months_one_number() -> None:
    out = explained()
    assert "费用：1月15元，2月5元，3月10元，4月10元，5月10元，6月10元" in out
    assert "上年费用：每月0元" in out
    assert "（费用（1月）" not in out and "15元 + 5元" not in out


def test_english_says_when_too() -> None:
    out = explained("en")
    assert "settled each month, due at the month's end." in out
    assert "the total 费用 over the last 12 months, this one included" in out
