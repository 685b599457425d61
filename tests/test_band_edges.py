"""Band edges inclusive or exclusive as the text says (issue 19 item 6.1): 超标5%(含5%)以内.

`5%(含)` / `5%(不含)` (English `(incl)` / `(excl)`) mark an edge; unmarked, a band holds its
lower edge and not its upper one. Adjacent bands must meet with exactly one of them
holding the shared edge (E403/E404), and all three engines decide membership alike.
"""

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
  地区集 全省 { 甲、乙、丙、丁 }
  地区 全省
  输入 超标率: 比例 每地区
  输入 超支: 金额 每地区
  参数 分界: 比例 = 5%
  资金 基金 结转 原文 "基金" {
    补助 分担 = 超支 × 分段 超标率 { 0% 至 分界(含) => 100%; 分界（不含） 至 10%(含) => 50%; 10%(不含) 以上 => 0% }  至 各地区  不足时 按比例  原文 "分担"
  }
}
"""
SCENARIO = {
    "period": 2026,
    "regions": {
        "甲": {"超标率": "5%", "超支": "100.00"},
        "乙": {"超标率": "10%", "超支": "100.00"},
        "丙": {"超标率": "10.01%", "超支": "100.00"},
        "丁": {"超标率": "0%", "超支": "100.00"},
    },
    "state": {"基金": "1000.00"},
}


def _check(tmp_path: Path, source: str, *extra: str) -> tuple[int, str, str]:
    p = tmp_path / "p.pool"
    p.write_text(source, encoding="utf-8")
    return run("check", str(p), *extra)


def test_marked_edges_check_clean(tmp_path: Path) -> None:
    code, out, err = _check(tmp_path, POLICY)
    assert code == 0, out + err


def test_the_three_engines_put_an_edge_value_in_the_band_that_holds_it(tmp_path: Path) -> None:
    checked = check_source(POLICY).policy
    assert checked is not None
    scen = tmp_path / "s.json"
    scen.write_text(json.dumps(SCENARIO, ensure_ascii=False), encoding="utf-8")
    outs = run_all(checked, POLICY, [load_scenario(checked, str(scen), None)])
    assert differences(outs) == []
    paid = {d: a for s, d, a, _, _ in outs["interpreter"][0].ledger}
    assert paid == {"甲": F(100), "乙": F(50), "丁": F(100)}  # 丙 at 10.01% gets 0%: nothing moves


def test_both_bands_holding_the_edge_overlap(tmp_path: Path) -> None:
    code, out, _ = _check(tmp_path, POLICY.replace("分界（不含）", "分界(含)"))
    assert code == 1
    assert "E404" in out and "两档都含5%:把其中一边写成 5%(不含)" in out


def test_neither_band_holding_the_edge_leaves_a_gap(tmp_path: Path) -> None:
    code, out, _ = _check(tmp_path, POLICY.replace("分界(含)", "分界"), "--lang", "en")
    assert code == 1
    assert "E403" in out and "neither band holds 5% itself" in out


def test_an_exclusive_last_upper_edge_leaves_its_edge_uncovered(tmp_path: Path) -> None:
    source = POLICY.replace("; 10%(不含) 以上 => 0%", "")
    code, out, _ = _check(tmp_path, source)
    assert code == 1 and "E412" in out and "超过10%的部分" in out


def test_unmarked_edges_keep_their_meaning(tmp_path: Path) -> None:
    source = POLICY.replace("分界(含)", "分界").replace("分界（不含）", "分界").replace("10%(含)", "10%")
    source = source.replace("10%(不含) 以上", "10% 以上")
    checked = check_source(source).policy
    assert checked is not None
    scen = tmp_path / "s.json"
    scen.write_text(json.dumps(SCENARIO, ensure_ascii=False), encoding="utf-8")
    outs = run_all(checked, source, [load_scenario(checked, str(scen), None)])
    assert differences(outs) == []
    paid = {d: a for s, d, a, _, _ in outs["interpreter"][0].ledger}
    assert paid == {"甲": F(50), "丁": F(100)}  # [5%, 10%) holds 5%; 10% falls in the last band


def test_fmt_writes_marks_with_ascii_parentheses_and_translates_them() -> None:
    en = format_source(SourceFile("p.pool", POLICY), keywords="en").text
    assert en is not None and "0% to 分界(incl) => 100%; 分界(excl) to 10%(incl) => 50%; from 10%(excl) => 0%" in en
    zh = format_source(SourceFile("p.pool", en), keywords="zh").text
    assert zh is not None and "0% 至 分界(含) => 100%; 分界(不含) 至 10%(含) => 50%; 10%(不含) 以上 => 0%" in zh


def test_explain_words(tmp_path: Path) -> None:
    p = tmp_path / "p.pool"
    p.write_text(POLICY, encoding="utf-8")
    code, out, _ = run("explain", str(p), "--format", "md")
    assert code == 0
    assert "5%以内（含5%）的部分按100%；超过5%至10%（含10%）的部分按50%；超过10%的部分按0%" in out
