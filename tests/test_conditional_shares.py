"""Issue 19 (4): shares that vary by region — a split that is 40/60 where a region meets its
target and 100/0 where it does not, a tier whose payers' shares do the same. Every engine
settles them region by region (largest remainder in each); the shares-sum check proves each
branch; what it cannot prove is checked at run time, with one message on every engine."""

from __future__ import annotations

import json
import sys
from fractions import Fraction
from pathlib import Path

from click.testing import CliRunner

from compiler.cli import main
from compiler.driver import check_source
from compiler.evaluate import load_scenario

sys.path.insert(0, str(Path(__file__).resolve().parent / "fuzz"))
from engines import differences, run_all

HEAD = """政策 结余拆分试点 {
  地区集 试点区 { 甲区、乙区 }
  地区 试点区
  主体 归集基金  原文 "归集基金"
  主体 市财政  原文 "市级财政"
  输入 当期结余: 金额 每地区  原文 "当期结余"
  输入 达标: 布尔 每地区  原文 "是否达标"
  输入 超支: 布尔 每地区  原文 "是否超支"
"""
SPLIT = (
    HEAD
    + """  拆分 结余拆分 = 当期结余  自 各地区  { 归集基金: 如果 达标 则 40% 否则 100%, 各地区: 如果 达标 则 60% 否则 0% }
    原文 "达标时40%归集、60%返还;未达标的全部归集"
}
"""
)
COVER = (
    HEAD
    + """  弥补 缺口弥补 = 当期结余  至 各地区 {
    层 分担: 由 市财政 如果 达标 则 30% 否则 100%, 归集基金 如果 达标 则 70% 否则 0%  上限 100元
    层 兜底: 由 市财政
  }
    原文 "达标地区由市财政承担30%"
}
"""
)
# Two conditions at once: not proved statically (W503), so checked region by region at run time.
UNPROVED = (
    HEAD
    + """  拆分 结余拆分 = 当期结余  自 各地区  { 归集基金: 如果 达标 则 40% 否则 100%, 各地区: 如果 超支 则 60% 否则 0% }
    原文 "达标时40%归集"
}
"""
)


def _scenario(tmp_path: Path, policy: str, regions: dict[str, object]) -> tuple[str, str]:
    p, s = tmp_path / "p.pool", tmp_path / "s.json"
    p.write_text(policy, encoding="utf-8")
    s.write_text(json.dumps({"period": 2026, "regions": regions}, ensure_ascii=False), encoding="utf-8")
    return str(p), str(s)


def _check(tmp_path: Path, policy: str, *opts: str) -> tuple[int, str]:
    p = tmp_path / "c.pool"
    p.write_text(policy, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", *opts, str(p)])
    return result.exit_code, result.stdout + result.stderr


def _outs(tmp_path: Path, policy: str, regions: dict[str, object]) -> dict[str, list[object]]:
    _p, scen = _scenario(tmp_path, policy, regions)
    checked = check_source(policy).policy
    assert checked is not None
    outs = run_all(checked, policy, [load_scenario(checked, scen, None)])
    assert differences(outs) == []
    return outs  # type: ignore[return-value]


# 甲区 meets its target, 乙区 does not.
TWO = {
    "甲区": {"当期结余": "100.01", "达标": True, "超支": True},
    "乙区": {"当期结余": "50.05", "达标": False, "超支": False},
}


def test_a_split_by_a_condition_settles_each_region_by_its_own_shares(tmp_path: Path) -> None:
    # 甲区: 10001 fen × 40% = 4000.4, × 60% = 6000.6: the leftover fen to the larger remainder (60%).
    # 乙区: 100% to the pooled reserve, nothing back.
    ledger = [
        ("甲区", "归集基金", Fraction("40.00"), "结余拆分", 9),
        ("甲区", "甲区", Fraction("60.01"), "结余拆分", 9),
        ("乙区", "归集基金", Fraction("50.05"), "结余拆分", 9),
    ]
    for engine, (out,) in _outs(tmp_path, SPLIT, TWO).items():
        assert out.failed is None and out.crash is None, (engine, out)  # type: ignore[attr-defined]
        assert out.ledger == ledger, engine  # type: ignore[attr-defined]


def test_a_tier_by_a_condition_settles_each_region_by_its_own_shares(tmp_path: Path) -> None:
    # 甲区: the first tier is capped at 100元: 30 : 70; the other 0.01 falls to 兜底.
    # 乙区: 50.05 under the cap, all the city's.
    ledger = [
        ("市财政", "甲区", Fraction("30.00"), "缺口弥补", 10),
        ("归集基金", "甲区", Fraction("70.00"), "缺口弥补", 10),
        ("市财政", "乙区", Fraction("50.05"), "缺口弥补", 10),
        ("市财政", "甲区", Fraction("0.01"), "缺口弥补", 11),
    ]
    for engine, (out,) in _outs(tmp_path, COVER, TWO).items():
        assert out.failed is None and out.crash is None, (engine, out)  # type: ignore[attr-defined]
        assert sorted(out.ledger) == sorted(ledger), engine  # type: ignore[attr-defined]


def test_a_branch_that_does_not_add_up_is_named(tmp_path: Path) -> None:
    bad = SPLIT.replace("否则 0% }", "否则 10% }")
    code, text = _check(tmp_path, bad)
    assert code == 1
    assert "E402" in text and "“达标”不成立时的拆分份额之和为110%" in text, text
    code, text = _check(tmp_path, bad, "--lang", "en")
    assert "split shares where ‘达标’ is false add up to 110%" in text, text


def test_shares_not_proved_are_checked_region_by_region(tmp_path: Path) -> None:
    code, text = _check(tmp_path, UNPROVED)
    assert code == 0 and "W503" in text, text
    regions = {
        "甲区": {"当期结余": "100.01", "达标": True, "超支": True},
        "乙区": {"当期结余": "50.05", "达标": True, "超支": False},
    }
    for engine, (out,) in _outs(tmp_path, UNPROVED, regions).items():
        want = "the shares of ‘结余拆分’ in ‘乙区’ do not add up to exactly 100%"
        assert out.failed == want, (engine, out)  # type: ignore[attr-defined]


def test_a_share_that_cannot_vary_by_region_says_why(tmp_path: Path) -> None:
    glob = (
        HEAD
        + """  拆分 结余拆分 = 合计(当期结余)  自 市财政  { 归集基金: 如果 达标 则 40% 否则 100%, 市财政: 如果 达标 则 60% 否则 0% }
    原文 "x"
}
"""
    )
    code, text = _check(tmp_path, glob)
    assert code == 1 and "E303" in text, text
    assert "只有逐地区计算的规则" in text, text
    total = COVER.replace("上限 100元", "上限 100元  合计上限 1000元")
    code, text = _check(tmp_path, total)
    assert code == 1 and "E303" in text and "合计上限" in text, text
