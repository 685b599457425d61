"""Recurring dates in timelines: lexing, lowering, E104, and how explainers show them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from compiler.driver import check_file
from compiler.explain.render import render_html, render_markdown
from compiler.explain.viewmodel import Explainer, build
from compiler.ir import nodes as ir
from compiler.parsing.parser import _parser

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "tests" / "fixtures" / "good"
M, Q, Y = ir.Cycle.MONTH, ir.Cycle.QUARTER, ir.Cycle.YEAR


def _milestones(path: Path) -> list[ir.Milestone]:
    result = check_file(path)
    assert result.program is not None
    return [m for _mod, d in result.program.all_decls() if isinstance(d, ir.Timeline) for m in d.milestones]


def _check(tmp_path: Path, text: str) -> list[tuple[str, int, int]]:
    path = tmp_path / "t.pool"
    path.write_text(text, encoding="utf-8")
    return [(d.code, d.span.line, d.span.column) for d in check_file(path).diagnostics]


# --------------------------------------------------------------------------- lexing


def test_no_parser_state_accepts_a_recurring_date_and_a_name() -> None:
    """The contextual lexer only tries RECURRING where no name may stand, so it can never cut a name up."""
    table = _parser().parser.parser.parser.parse_table  # type: ignore[attr-defined]
    for actions in table.states.values():
        assert not {"RECURRING", "NAME"} <= set(actions)
        assert not {"MONTH_DAY", "NAME"} <= set(actions) and not {"MONTH_DAY", "DATE"} <= set(actions)


NAMES = ("每月支付", "次年度结余", "每季度拨付额", "次月结算额", "每年上解额", "每月底线", "次年3月底额", "每月25日额")


def test_names_that_start_like_a_recurring_date_stay_names(tmp_path: Path) -> None:
    inputs = "".join(f"输入 {n}: 金额 每地区\n" for n in NAMES[:4])
    text = (
        inputs + f"令 {NAMES[4]} = {' + '.join(NAMES[:4])}\n"
        f"参数 {NAMES[5]}: 金额 = 0元\n参数 {NAMES[6]}: 金额 = 0元\n参数 {NAMES[7]}: 金额 = 0元\n"
        f'资金 调剂金 结转 {{\n  上解 上解额 = 取大({NAMES[4]} - {NAMES[5]} - {NAMES[6]} - {NAMES[7]}, 0元)  自 各地区  原文 "x"\n}}\n'
        '时间表 {\n  每月25日 前: "上报"  责任 每月支付\n  次年3月底 前: "清算"  责任 次年度结余、每季度拨付额\n}\n'
    )
    path = tmp_path / "names.pool"
    path.write_text(text, encoding="utf-8")
    result = check_file(path)
    assert [d.code for d in result.diagnostics if d.code.startswith("E")] == []
    assert result.program is not None
    declared = {
        d.name.text for _m, d in result.program.all_decls() if isinstance(d, (ir.InputDecl, ir.LetDecl, ir.ParamDecl))
    }
    assert set(NAMES) <= declared
    owners = [tuple(o.value for o in m.owners) for m in _milestones(path)]
    assert owners == [("每月支付",), ("次年度结余", "每季度拨付额")]


# --------------------------------------------------------------------------- lowering

FORMS = [
    # written (zh), written (en), unit, offset, month, day, month_end
    ("每月25日", "monthly 25", M, 0, None, 25, False),
    ("每月底", "monthly end", M, 0, None, None, True),
    ("每月", "monthly", M, 0, None, None, False),
    ("次月10日", "next-month 10", M, 1, None, 10, False),
    ("次月底", "next-month end", M, 1, None, None, True),
    ("每季度首月底", "quarterly first-month end", Q, 0, 1, None, True),
    ("每季度次月底", "quarterly second-month end", Q, 0, 2, None, True),
    ("每季度末月15日", "quarterly last-month 15", Q, 0, 3, 15, False),
    ("每季度首月", "quarterly first-month", Q, 0, 1, None, False),
    ("每季度末", "quarterly end", Q, 0, 3, None, True),
    ("每季度", "quarterly", Q, 0, None, None, False),
    ("每年9月30日", "yearly 9-30", Y, 0, 9, 30, False),
    ("每年2月底", "yearly 2-end", Y, 0, 2, None, True),
    ("每年3月", "yearly 3", Y, 0, 3, None, False),
    ("每年底", "yearly end", Y, 0, 12, None, True),
    ("次年3月底", "next-year 3-end", Y, 1, 3, None, True),
    ("次年3月31日", "next-year 3-31", Y, 1, 3, 31, False),
    ("次年", "next-year", Y, 1, None, None, False),
]


@pytest.mark.parametrize("form", FORMS, ids=[f[0] for f in FORMS])
def test_chinese_and_english_forms_lower_to_the_same_node(form: tuple[object, ...], tmp_path: Path) -> None:
    zh, en, *fields = form
    path = tmp_path / "f.pool"
    path.write_text(f'时间表 {{\n  {zh} 前: "甲"\n}}\ntimeline {{\n  {en} by: "乙"\n}}\n', encoding="utf-8")
    a, b = (m.date for m in _milestones(path))
    assert isinstance(a, ir.Recurring) and isinstance(b, ir.Recurring)
    assert (a.unit, a.offset, a.month, a.day, a.month_end) == tuple(fields)
    assert (b.unit, b.offset, b.month, b.day, b.month_end) == tuple(fields)
    assert (a.text, b.text) == (zh, en)
    assert (a.span.line, a.span.column, a.span.end_column) == (2, 3, 3 + len(str(zh)))
    assert (b.span.line, b.span.column, b.span.end_column) == (5, 3, 3 + len(str(en)))


def test_one_off_dates_are_unchanged_and_a_milestone_keeps_its_clauses() -> None:
    ms = _milestones(GOOD / "recurring_deadlines_chinese.pool")
    first = ms[0].date
    assert isinstance(first, ir.DateLit) and first.value.isoformat() == "2025-06-30"
    m = next(m for m in ms if isinstance(m.date, ir.Recurring) and m.date.text == "次月10日")
    assert m.by and [o.value for o in m.owners] == ["市财政局"] and m.literate.section is not None
    assert m.literate.section.value == "二(二)4"


def test_every_form_is_in_the_good_fixtures() -> None:
    zh = {m.date.text for m in _milestones(GOOD / "recurring_deadlines_chinese.pool")}
    en = {m.date.text for m in _milestones(GOOD / "recurring_deadlines_english.pool")}
    assert {f[0] for f in FORMS} <= zh and {f[1] for f in FORMS} <= en


# --------------------------------------------------------------------------- E104


@pytest.mark.parametrize(
    "written",
    [
        "每月32日",
        "每月0日",
        "每年2月30日",
        "每年4月31日",
        "每年13月",
        "次年13月1日",
        "每季度首月32日",
        "monthly 32",
        "yearly 2-30",
        "next-year 0-end",
    ],
)
def test_a_day_no_month_has_is_e104(written: str, tmp_path: Path) -> None:
    assert _check(tmp_path, f'时间表 {{\n  {written} 前: "x"\n}}\n') == [("E104", 2, 3)]


@pytest.mark.parametrize(
    "written", ["每月31日", "每年2月29日", "每季度次月31日", "次年12月31日", "monthly 31", "yearly 2-29"]
)
def test_a_day_some_months_have_is_kept(written: str, tmp_path: Path) -> None:
    assert _check(tmp_path, f'时间表 {{\n  {written} 前: "x"\n}}\n') == []


def test_a_malformed_recurring_date_is_a_syntax_error(tmp_path: Path) -> None:
    assert _check(tmp_path, '时间表 {\n  每周五 前: "x"\n}\n') == [("E101", 2, 3)]
    assert _check(tmp_path, 'timeline {\n  quarterly 15 by: "x"\n}\n') == [("E101", 2, 13)]


# --------------------------------------------------------------------------- explainer


@pytest.fixture(scope="module")
def explainers() -> dict[tuple[str, str], Explainer]:
    out = {}
    for keywords in ("chinese", "english"):
        checked = check_file(GOOD / f"recurring_deadlines_{keywords}.pool").policy
        assert checked is not None
        for lang in ("zh", "en"):
            out[keywords, lang] = build(checked, lang)
    return out


PHRASES = {
    "zh": [
        "每月25日前",
        "每月月底前",
        "次月10日前",
        "每季度首月月底前",
        "每季度末月15日前",
        "每季度",
        "每季度首月内",
        "每年9月30日前",
        "每年2月底前",
        "次年3月31日前",
        "每年3月",
        "次年",
    ],
    "en": [
        "by the 25th of each month",
        "by the end of each month",
        "by the 10th of the following month",
        "by the end of the first month of each quarter",
        "by the 15th of the last month of each quarter",
        "each quarter",
        "within the first month of each quarter",
        "by 30 September each year",
        "by the end of February each year",
        "by 31 March of the following year",
        "in March each year",
        "in the following year",
        "each month",
        "in the following month",
        "at the end of the last month of each quarter",
    ],
}


@pytest.mark.parametrize("keywords", ["chinese", "english"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_explainer_says_recurring_dates_in_plain_words(
    explainers: dict[tuple[str, str], Explainer], keywords: str, lang: str
) -> None:
    e = explainers[keywords, lang]
    when = [r.when for r in e.recurring]
    assert set(PHRASES[lang]) <= set(when)
    assert len(e.milestones) == 1  # the one-off date keeps its own table
    md = render_markdown(e)
    for phrase in PHRASES[lang]:
        assert f"| {phrase} |" in md


def test_both_keyword_sets_explain_alike(explainers: dict[tuple[str, str], Explainer]) -> None:
    for lang in ("zh", "en"):
        zh, en = explainers["chinese", lang], explainers["english", lang]
        assert [r.when for r in zh.recurring] == [r.when for r in en.recurring]


def test_recurring_dates_are_ordered_by_cycle_then_by_when_they_fall(
    explainers: dict[tuple[str, str], Explainer],
) -> None:
    e = explainers["chinese", "zh"]
    assert [r.sort_key for r in e.recurring] == sorted(r.sort_key for r in e.recurring)
    when = [r.when for r in e.recurring]
    assert when[:4] == ["每月25日前", "每月月底前", "每月月底前", "每月"]  # equal keys keep the order written
    assert (
        when.index("次月10日前")
        < when.index("每季度首月15日前")
        < when.index("每季度首月月底前")
        < when.index("每年2月底前")
    )
    assert when.index("每年9月30日前") < when.index("每年12月31日前") < when.index("次年3月31日前")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_html_shows_a_sortable_recurring_table(explainers: dict[tuple[str, str], Explainer], lang: str) -> None:
    e = explainers["chinese", lang]
    page = render_html(e)
    heads = re.findall(r"<h3>(.*?)</h3>", page.split('<section id="timeline"', 1)[1].split("</section>", 1)[0])
    assert heads == (["时间安排", "常规时限"] if lang == "zh" else ["Timeline", "Recurring deadlines"])
    table = re.search(
        r'<table class="sortable recurring">\n<thead><tr>(.*?)</tr></thead>\n<tbody>(.*?)</tbody>', page, re.S
    )
    assert table is not None
    assert re.findall(r"<th scope=\"col\"(?: data-sortable=\"(\w+)\")?>", table[1]) == ["key", "", "text"]
    rows = re.findall(r'<tr><td class="when" data-sort="([^"]*)">(.*?)</td>', table[2])
    assert rows == [(r.sort_key, r.when) for r in e.recurring]
    # the one-off table is the same as before: calendar dates only
    assert re.findall(r'<td class="date" data-sort="([^"]*)">', page) == ["2025-06-30"]


def test_a_policy_without_recurring_dates_renders_as_before() -> None:
    checked = check_file(GOOD / "chinese_keywords_every_construct.pool").policy
    assert checked is not None
    e = build(checked, "zh")
    assert [r.when for r in e.recurring] == ["次年3月31日前"] and len(e.milestones) == 2
    checked = check_file(ROOT / "policies" / "guizhou_risk_adjustment.pool").policy
    assert checked is not None
    e = build(checked, "zh")
    assert (
        e.recurring == ()
        and "常规时限" not in render_html(e)
        and "###" not in render_markdown(e).split("、时间安排\n", 1)[1]
    )


def test_recurring_rows_are_escaped(tmp_path: Path) -> None:
    path = tmp_path / "x.pool"
    path.write_text(
        '政策 测试 {\n  时间表 { 每月25日 前: "<script>alert(1)</script>"  责任 "<b>局</b>" }\n}\n', encoding="utf-8"
    )
    checked = check_file(path).policy
    assert checked is not None
    page = render_html(build(checked, "zh"))
    assert "<script>alert" not in page and "&lt;b&gt;局&lt;/b&gt;" in page
    assert "每月25日前" in page and "\\<script\\>" in render_markdown(build(checked, "zh"))
