"""A waterfall whose remainder the text does not assign (issue 19 item 6.3): 未规定 after the
last tier settles the tiers there are and leaves the rest unpaid, reported as such, with no E405."""

from __future__ import annotations

import json
import sys
from fractions import Fraction as F
from pathlib import Path

from compiler.driver import check_source, format_source
from compiler.evaluate import load_scenario
from compiler.source import SourceFile

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "fuzz"))
from engines import differences, run_all

from tests.cli import run

POLICY = """政策 测试 {
  地区集 全市 { 甲县、乙县 }
  地区 全市
  主体 缺口地财政 每地区
  资金 归集基金 结转 原文 "归集" {}
  输入 当期缺口: 金额 每地区
  输入 累计结余: 金额 每地区
  弥补 缺口弥补 = 当期缺口  至 各地区 {
    层 动用累计结余: 由 各地区  上限 累计结余
    层 共同分担: 由 归集基金 50%, 缺口地财政 50%  上限 100元
    未规定  原文 "归集基金亦不足时如何弥补,原文未作规定"
  }
    原文 "缺口"
}
"""
SCENARIO = {
    "period": 2026,
    "regions": {"甲县": {"当期缺口": "300.01", "累计结余": "100"}, "乙县": {"当期缺口": "50", "累计结余": "100"}},
    "state": {"归集基金": "1000"},
}


def _files(tmp_path: Path, source: str = POLICY) -> tuple[str, str]:
    p, s = tmp_path / "p.pool", tmp_path / "s.json"
    p.write_text(source, encoding="utf-8")
    s.write_text(json.dumps(SCENARIO, ensure_ascii=False), encoding="utf-8")
    return str(p), str(s)


def test_unassigned_lifts_e405(tmp_path: Path) -> None:
    policy, _ = _files(tmp_path)
    assert run("check", policy)[0] == 0
    without = "\n".join(line for line in POLICY.splitlines() if "未规定" not in line) + "\n"
    code, out, _ = run("check", _files(tmp_path, without)[0])
    assert code == 1 and "E405" in out


def test_the_engines_pay_the_tiers_and_leave_the_rest(tmp_path: Path) -> None:
    checked = check_source(POLICY).policy
    assert checked is not None
    outs = run_all(checked, POLICY, [load_scenario(checked, _files(tmp_path)[1], None)])
    assert differences(outs) == []
    paid = sum((a for s, d, a, _, _ in outs["interpreter"][0].ledger if d == "甲县"), F(0))
    assert paid == 200  # 100 from its own reserves, 100 from the shared tier; 100.01 left


def test_pool_run_says_what_no_tier_covered_per_region(tmp_path: Path) -> None:
    policy, scen = _files(tmp_path)
    code, out, _ = run("run", policy, scen)
    assert code == 0
    assert "各层未弥补、原文未规定由谁承担(元)" in out
    assert [line.split() for line in out.splitlines() if line.startswith("缺口弥补  ") and len(line.split()) == 3] == [
        ["缺口弥补", "甲县", "100.01"],
        ["缺口弥补", "乙县", "0.00"],
    ]
    code, out, _ = run("run", policy, scen, "--json")
    assert json.loads(out)["unassigned"] == [
        {"rule": "缺口弥补", "region": "甲县", "amount": "100.01"},
        {"rule": "缺口弥补", "region": "乙县", "amount": "0.00"},
    ]


def test_the_explainer_lists_it_as_an_open_point(tmp_path: Path) -> None:
    policy, _ = _files(tmp_path)
    code, out, _ = run("explain", policy, "--format", "md")
    assert code == 0
    assert "由归集基金、缺口地财政各承担50%（以100元为限）；仍未弥补的部分，原文未规定由谁承担。" in out
    assert "- **缺口弥补**（原文未规定各层弥补之后仍未弥补的部分由谁承担）" in out


def test_fmt_lays_it_out_and_translates_it() -> None:
    en = format_source(SourceFile("p.pool", POLICY), keywords="en").text
    assert en is not None and '    unassigned  quote "归集基金亦不足时如何弥补,原文未作规定"\n  }' in en
    zh = format_source(SourceFile("p.pool", en), keywords="zh").text
    assert zh == format_source(SourceFile("p.pool", POLICY)).text
