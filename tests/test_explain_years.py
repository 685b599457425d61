"""Time across periods in the 解读 reads as the drafter wrote it: a schedule after the rule it
sets, earlier years' inputs by their year, never the lowered names (征缴收入(前1年), 年度)."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.driver import check_file
from compiler.explain.render import render_html, render_markdown
from compiler.explain.viewmodel import build

LEVY = Path(__file__).resolve().parent / "fixtures" / "years" / "levy.pool"


def _explain(path: Path, lang: str = "zh", fmt: str = "md") -> str:
    checked = check_file(path).policy
    assert checked is not None
    view = build(checked, lang)
    return render_markdown(view) if fmt == "md" else render_html(view)


def _calendar(tmp_path: Path) -> Path:
    """The levy with calendar years and a one-year base."""
    text = LEVY.read_text(encoding="utf-8").replace("第1年: 4%, 第2年起: 3%", "2025: 4%, 2026起: 3%")
    text = text.replace("平均(征缴收入 前3年)", "合计(征缴收入 前1年)")
    text = "\n".join(line for line in text.splitlines() if "前2年 =" not in line and "前3年 =" not in line)
    p = tmp_path / "calendar.pool"
    p.write_text(text, encoding="utf-8")
    return p


def test_a_rate_set_by_year_is_said_after_the_rule() -> None:
    zh = _explain(LEVY)
    assert "各地区按上解基数向调剂金上解，征收比例实施第1年为4%，第2年起为3%。" in zh
    assert "上解上解基数" not in zh
    assert "调剂金：各地区按上解基数上解，征收比例实施第1年为4%，第2年起为3%。" in zh  # 主要内容
    en = _explain(LEVY, "en")
    assert (
        "Each region pays 征收比例 of 上解基数 into 调剂金; 征收比例 is 4% in policy year 1, 3% from policy year 2 on."
        in en
    )
    assert "the average 征缴收入 over the previous 3 years" in en


def test_calendar_years_read_the_same_way(tmp_path: Path) -> None:
    p = _calendar(tmp_path)
    zh = _explain(p)
    assert "各地区按上解基数向调剂金上解，征收比例2025年为4%，2026年起为3%。" in zh
    assert "**上解基数**：上年征缴收入。" in zh
    en = _explain(p, "en")
    assert "征收比例 is 4% in 2025, 3% from 2026 on." in en
    assert "**上解基数**: 征缴收入 the year before." in en


def test_an_examples_earlier_years_are_named_by_their_year() -> None:
    zh = _explain(LEVY)
    assert "假设：征缴收入：1000万元；2024年征缴收入：900万元；2023年征缴收入：800万元；2022年征缴收入：700万元。" in zh
    en = _explain(LEVY, "en")
    assert "征缴收入 in 2024: ¥9,000,000; 征缴收入 in 2023: ¥8,000,000" in en


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_no_lowered_name_reaches_the_reader(tmp_path: Path, lang: str, fmt: str) -> None:
    for p in (LEVY, _calendar(tmp_path)):
        text = _explain(p, lang, fmt)
        assert "(前1年)" not in text and "（前1年）" not in text
        assert "年度" not in text


def test_english_formulas_take_english_brackets_and_tooltips_chinese_colons() -> None:
    en = _explain(LEVY, "en")
    assert "上解基数 = (¥9,000,000 + ¥8,000,000 + ¥7,000,000) ÷ 3 = ¥8,000,000." in en
    assert "（" not in en.split("Worked examples", 1)[1]
    html = _explain(LEVY, "zh", "html")
    assert "<title>各地区 → 调剂金：①调剂金上解</title>" in html
