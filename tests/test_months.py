"""月数 / months: money ÷ monthly money is a number of months (reserves measured in months of
expenditure), shown as 个月 by every printer, never as a percentage; the engines compute the
same exact value, and their JSON is the same."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compiler.driver import check_source
from tests.cli import run

POLICY = """政策 储备 {
  地区 区县
  地区集 区县 { 甲区, 乙区 }
  输入 累计结余: 金额 每地区
  输入 年度支出: 金额 每地区
  参数 储备月数: 月数 = 3个月  不低于 1个月
  令 月均支出 = 年度支出 ÷ 12
  令 可支付月数: 月数 每地区 = 累计结余 / 月均支出
  令 储备目标 = 储备月数 × 月均支出
  令 需上划 = 可支付月数 > 储备月数 且 可支付月数 >= 1
  资金 归集基金 结转 {
    上解 上划额 = 取大(累计结余 - 储备目标, 0元)  自 各地区  当 需上划  原文 "按满足3个月支付能力的额度上划"
  }
  例 "三个半月" {
    地区 甲区
    已知 累计结余 = 350元
    已知 年度支出 = 1200元
    期望 可支付月数 = 3.5个月
    期望 上划额 = 50元
  }
}
"""

SCENARIO = {
    "params": {"储备月数": "2个月"},
    "regions": {
        "甲区": {"累计结余": "1200", "年度支出": "1200"},
        "乙区": {"累计结余": "350", "年度支出": "1200"},
    },
}


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    policy, scenario = tmp_path / "p.pool", tmp_path / "s.json"
    policy.write_text(POLICY, encoding="utf-8")
    scenario.write_text(json.dumps(SCENARIO, ensure_ascii=False), encoding="utf-8")
    return str(policy), str(scenario)


def codes(text: str) -> list[str]:
    return [d.code for d in check_source(text, "p.pool").diagnostics]


def test_money_over_money_declared_months_checks_and_its_examples_pass(files: tuple[str, str]) -> None:
    assert codes(POLICY) == []
    code, out, _ = run("test", files[0])
    assert code == 0, out


@pytest.mark.parametrize(
    ("let", "code"),
    [
        ("令 甲: 月数 = 合计(累计结余) / 合计(年度支出) × 12", None),  # a ratio × 12 is not months: E302
        ("令 甲 = 储备月数 + 10%", "E301"),
        ("令 甲 = 储备月数 > 10%", "E301"),
        ("令 甲 = 储备月数 > 100元", "E301"),
        ("令 甲: 月数 = 合计(累计结余)", "E302"),
        ("令 甲: 月数 = 累计结余 / 年度支出", "E303"),  # per region into a global value
    ],
)
def test_months_do_not_mix_with_other_units(let: str, code: str | None) -> None:
    found = codes(POLICY.replace("  资金 归集基金", f"  {let}\n  资金 归集基金"))
    assert (code or "E302") in found


def test_months_combine_as_a_reserve_target_does() -> None:
    extra = "令 半年支出 = 6个月 × 月均支出\n  令 倍数 = 可支付月数 / 储备月数\n  令 每月 = 年度支出 / 12个月"
    text = POLICY.replace("  资金 归集基金", f"  {extra}\n  资金 归集基金")
    assert [c for c in codes(text) if c != "W501"] == []


def test_the_trace_shows_months_not_a_percentage(files: tuple[str, str]) -> None:
    code, out, _ = run("run", *files, "--explain", "可支付月数@甲区")
    assert code == 0
    assert out.startswith("可支付月数@甲区 = 12个月    [派生值 ")
    assert "1200%" not in out
    code, out, _ = run("run", *files, "--explain", "可支付月数@乙区", "--lang", "en")
    assert out.startswith("可支付月数@乙区 = 3.5 months    [derived value ")


def test_the_engines_print_the_same_json_with_months_as_numbers(files: tuple[str, str]) -> None:
    outs = [run("run", *files, "--json", "--engine", e) for e in ("compiled", "interpreter")]
    assert outs[0][0] == 0 and outs[0] == outs[1]
    values = json.loads(outs[0][1])["values"]
    assert values["可支付月数"] == {"甲区": "12", "乙区": "3.5"}
    assert values["储备目标"] == {"甲区": "200.00", "乙区": "200.00"}  # 2个月 from the scenario × 100元


def test_the_explainer_says_months(files: tuple[str, str]) -> None:
    code, md, _ = run("explain", files[0], "--format", "md")
    assert code == 0
    assert "| 储备月数 | 3个月 | 不低于1个月 |" in md
    assert "甲区的可支付月数为 350元 ÷ 100元，即3.5个月。" in md
    assert "可支付月数超过3个月且可支付月数达到1个月" in md
    assert "%" not in md.split("举例说明")[1].split("\n\n## ")[0]


def test_english_literal_and_type_name(tmp_path: Path) -> None:
    text = (
        "policy P {\n  param reserve: months = 3 months  min 1 month\n  input balance: money\n"
        "  input monthly: money\n  let cover: months = balance / monthly\n  let short = cover < reserve\n"
        "  let target = reserve * monthly\n  party A\n  party B\n"
        '  transfer top = max(target - balance, 0元)  from A  to B  when short  quote "x"\n}\n'
    )
    assert codes(text) == []
    path = tmp_path / "en.pool"
    path.write_text(text, encoding="utf-8")
    assert run("fmt", "--check", str(path))[0] == 0
