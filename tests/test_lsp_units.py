"""The language server's analysis without the protocol: completion by context, hover
texts and quick fixes, on the bundled Guizhou policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.lsp.actions import fixes
from compiler.lsp.analysis import MAX_BYTES, Analysis, analyse
from compiler.lsp.complete import complete
from compiler.lsp.hover import hover

ROOT = Path(__file__).resolve().parent.parent
GUIZHOU = ROOT / "policies" / "guizhou_risk_adjustment.pool"
TEXT = GUIZHOU.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def good() -> Analysis:
    return analyse(TEXT, GUIZHOU)


@pytest.mark.parametrize(
    ("before", "present", "absent"),
    [
        ("    分配 x = 全部  至 ", {"各地区", "省级留存", "地方政府"}, {"参保人数"}),
        ("  参数 x：", {"金额", "比例", "money", "缺口原因"}, {"参保人数"}),
        ("      例外 缺口原因 属于 ｛管理不力、", {"挤占挪用", "正常"}, {"贵阳市"}),
        ("    已知 参保人数 = {贵阳市: 1, ", {"遵义市", "黔南布依族苗族自治州"}, {"参保人数"}),
        ("  令 x = 取大(上年", {"上年度征缴收入"}, {"前年度征缴收入"}),
        ("  ｐａｒ", {"参数", "param", "party"}, {"输入"}),
    ],
)
def test_completion_offers_what_fits_the_place(
    good: Analysis, before: str, present: set[str], absent: set[str]
) -> None:
    labels = {c.label for c in complete(good, before)}
    assert present <= labels, present - labels
    assert not (absent & labels)


def test_a_space_alone_pops_up_completion_only_where_the_context_narrows_it(good: Analysis) -> None:
    assert complete(good, "  令 x = 上年度征缴收入 ", specific_only=True) == []
    assert complete(good, "    分配 x = 全部  至 各地区  按 ", specific_only=True)


def test_hover_on_a_rule_gives_its_fund_and_formula_in_words(good: Analysis) -> None:
    occ = next(o for o in good.occurrences if o.name == "附加留存额" and o.declares)
    text = hover(good, occ, "zh")
    assert text is not None
    assert text.startswith("**规则(留存)** 附加留存额: 金额, 单位 元")
    assert "属于资金“附加调剂金”" in text
    assert "附加调剂金将当年筹集的全部资金的50%转入省级留存" in text
    fn = next(o for o in good.occurrences if o.name == "取大")
    assert hover(good, fn, "en") == "**built-in function** `取大` / `max`"


def test_a_missing_unit_is_fixed_where_money_is_added(tmp_path: Path) -> None:
    text = TEXT.replace("  输入 老年参保人数", "  令 测试额 = 上年度征缴收入 + 500\n  输入 老年参保人数", 1)
    a = analyse(text, GUIZHOU)
    (fix,) = fixes(a, [d for d in a.diagnostics if d.code == "E301"], "zh")
    assert fix.title == "500 改为 500元"
    assert a.source.line_text(fix.span.line)[fix.span.column - 1 : fix.span.end_column - 1] == "500"


def test_an_oversized_file_is_one_diagnostic_and_no_parse() -> None:
    a = analyse("#" * (MAX_BYTES + 1), ROOT / "big.pool")
    (d,) = a.diagnostics
    assert d.code == "E106" and "pool check" in d.message("zh")
    assert a.program is None and a.occurrences == []
