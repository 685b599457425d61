"""`期望` may name one tier's or one payer's part of a waterfall (issue 19 item 6.4):
`期望 缺口弥补.第一层 = …`, `期望 缺口弥补.归集基金 = …`, per region when the rule is."""

from __future__ import annotations

import json
import sys
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
  主体 市财政
  主体 缺口地财政 每地区
  资金 归集基金 结转 原文 "归集" {}
  输入 当期缺口: 金额 每地区
  输入 累计结余: 金额 每地区
  弥补 缺口弥补 = 当期缺口  至 各地区 {
    层 动用累计结余: 由 各地区  上限 累计结余
    层 共同分担: 由 归集基金 50%, 缺口地财政 50%  上限 100元
    层 财政兜底: 由 市财政 20%, 缺口地财政 80%
  }
    原文 "缺口"
  例 "两县" {
    已知 当期缺口 = { 甲县: 300元, 乙县: 50元 }
    已知 累计结余 = { 甲县: 100元, 乙县: 100元 }
    期初 归集基金 = 1000元
    期望 缺口弥补.动用累计结余 = { 甲县: 100元, 乙县: 50元 }
    期望 缺口弥补.共同分担 = { 甲县: 100元, 乙县: 0元 }
    期望 缺口弥补.归集基金 = { 甲县: 50元, 乙县: 0元 }
    期望 缺口弥补.缺口地财政 = { 甲县: 130元, 乙县: 0元 }
    期望 缺口弥补.市财政 = { 甲县: 20元, 乙县: 0元 }
  }
}
"""


def _write(tmp_path: Path, source: str) -> str:
    p = tmp_path / "p.pool"
    p.write_text(source, encoding="utf-8")
    return str(p)


def test_tier_and_payer_parts_pass(tmp_path: Path) -> None:
    code, out, err = run("test", _write(tmp_path, POLICY))
    assert code == 0, out + err
    assert "1 passed, 0 failed" in out


def test_a_wrong_part_is_reported_under_its_dotted_name(tmp_path: Path) -> None:
    code, out, _ = run("test", _write(tmp_path, POLICY.replace("甲县: 20元", "甲县: 21元")))
    assert code == 1
    assert "缺口弥补.市财政@甲县: 期望 21.00元, 实际 20.00元" in out


def test_an_unknown_tier_or_payer_has_a_did_you_mean(tmp_path: Path) -> None:
    code, out, _ = run("check", _write(tmp_path, POLICY.replace("缺口弥补.市财政", "缺口弥补.市财正")))
    assert code == 1
    assert "错误[E201]: 未定义的层或承担方“市财正”" in out and "你是不是想写“市财政”?" in out


def test_a_part_of_a_value_that_is_not_a_waterfall_is_e214(tmp_path: Path) -> None:
    code, out, _ = run("check", _write(tmp_path, POLICY.replace("缺口弥补.市财政", "当期缺口.市财政")), "--lang", "en")
    assert code == 1
    assert "error[E214]: ‘当期缺口’ is not a cover rule" in out


def test_fmt_keeps_the_dot_tight_and_english_keywords_keep_it() -> None:
    messy = POLICY.replace("缺口弥补.共同分担", "缺口弥补 . 共同分担")
    zh = format_source(SourceFile("p.pool", messy)).text
    assert zh is not None and "期望 缺口弥补.共同分担 = {甲县: 100元, 乙县: 0元}" in zh
    en = format_source(SourceFile("p.pool", messy), keywords="en").text
    assert en is not None and "expect 缺口弥补.共同分担 = {甲县: 100元, 乙县: 0元}" in en


def test_the_engines_settle_the_waterfall_alike(tmp_path: Path) -> None:
    checked = check_source(POLICY).policy
    assert checked is not None
    scen = tmp_path / "s.json"
    doc = {
        "period": 2026,
        "regions": {"甲县": {"当期缺口": "300", "累计结余": "100"}, "乙县": {"当期缺口": "50", "累计结余": "100"}},
        "state": {"归集基金": "1000"},
    }
    scen.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    outs = run_all(checked, POLICY, [load_scenario(checked, str(scen), None)])
    assert differences(outs) == []
