"""The HTML explainer: one self-contained page, every section, escaped, sortable, printable, deterministic.

None of this needs a browser; scripts/check_html_in_chromium.py checks the same pages in Chromium.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import attrs
import pytest
from markupsafe import escape

from compiler.driver import check_file
from compiler.explain.render import render_html
from compiler.explain.svg import em, flow_svg, wrap
from compiler.explain.viewmodel import Audience, Explainer, Flow, build
from compiler.ir.checked import CheckedPolicy

ROOT = Path(__file__).resolve().parent.parent
POLICIES = sorted((ROOT / "policies").glob("*.pool"))
GUIZHOU = ROOT / "policies" / "guizhou_risk_adjustment.pool"
EVERY_CONSTRUCT = ROOT / "tests" / "fixtures" / "good" / "chinese_keywords_every_construct.pool"
LANGS = ("zh", "en")
SVG_NS = "{http://www.w3.org/2000/svg}"
HEADINGS = {
    "zh": (
        "一、起草背景和依据",
        "二、主要内容",
        "三、关键数字",
        "四、对谁有什么影响",
        "五、具体规定",
        "六、资金流向",
        "七、举例说明",
        "八、时间安排",
        "九、本解读对原文的理解",
        "十、需要明确的事项",
    ),
    "en": (
        "1. Background and basis",
        "2. Main points",
        "3. Key figures",
        "4. Who pays and who receives",
        "5. The rules",
        "6. Fund flows",
        "7. Worked examples",
        "8. Timeline",
        "9. How this explainer reads the text",
        "10. Still to be decided",
    ),
}

HOSTILE = (
    "政策 测试 {\n"
    '  依据 "<img src=x onerror=alert(0)>"\n'
    '  参数 比例甲: 比例 = 10%  原文 "| 表格 | 注入 | <script>alert(1)</script> **粗体** [链接](x)"\n'
    "  输入 收入: 金额\n"
    '  资金 留存 结转 { 转移 转入额 = 收入 × 比例甲 自 财政 至 留存  原文 "x\\n## 假标题" 条款 "</blockquote><script>alert(2)</script>" }\n'
    '  主体 财政 原文 "x"\n'
    '  时间表 { 2025年6月30日 前: "<script>alert(3)</script>"  责任 "\\" onclick=\\"alert(4)", 财政 }\n'
    '  任务表 { 任务 1 "</td></tr></table><script>alert(5)</script>" 责任 "<i>局</i>" 时限 2025年底 }\n'
    "}\n"
)


def _checked(path: Path) -> CheckedPolicy:
    checked = check_file(path).policy
    assert checked is not None, path
    return checked


@pytest.fixture(scope="module")
def guizhou() -> dict[str, tuple[Explainer, str]]:
    checked = _checked(GUIZHOU)
    out = {}
    for lang in LANGS:
        e = build(checked, lang)
        out[lang] = (e, render_html(e))
    return out


@pytest.fixture()
def hostile(tmp_path: Path) -> CheckedPolicy:
    path = tmp_path / "p.pool"
    path.write_text(HOSTILE, encoding="utf-8")
    return _checked(path)


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _only(pattern: str, page: str) -> str:
    found = re.findall(pattern, page, re.S)
    assert len(found) == 1, (pattern, len(found))
    return str(found[0])


def _svg(page: str) -> str:
    return _only(r"(<svg\b.*?</svg>)", page)


def _strings(obj: object) -> Iterator[str]:
    """Every string in a view-model object, recursively."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, tuple):
        for x in obj:
            yield from _strings(x)
    elif attrs.has(type(obj)):
        for f in attrs.fields(cast("type[attrs.AttrsInstance]", type(obj))):
            yield from _strings(getattr(obj, f.name))


# --------------------------------------------------------------------------- one self-contained file


@pytest.mark.parametrize("lang", LANGS)
def test_the_page_is_one_self_contained_file(guizhou: dict[str, tuple[Explainer, str]], lang: str) -> None:
    _e, page = guizhou[lang]
    assert page.startswith("<!DOCTYPE html>\n")
    assert "<link" not in page.lower()
    assert "@import" not in page and "@font-face" not in page
    assert not re.search(r"""\b(?:src|href|xlink:href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert not re.search(r"\bsrc\s*=", page), "nothing on the page is loaded from anywhere"
    assert re.findall(r"url\(([^)]*)\)", page) == ["#flow-arrow"] * len(re.findall(r"url\(", page))
    assert page.count("<style>") == 1 and page.count("<script") == 1 and "<script>" in page
    # the Content-Security-Policy allows this page's own style and script, by hash, and nothing else
    css = _only(r"<style>(.*?)</style>", page)
    js = _only(r"<script>(.*?)</script>", page)
    csp = _only(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page)
    assert "default-src 'none'" in csp
    assert f"style-src '{_sha256(css)}'" in csp and f"script-src '{_sha256(js)}'" in csp
    assert len(js) < 3000, "one small script"
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in page
    assert '<meta charset="utf-8">' in page


def test_the_chinese_font_stack_comes_from_the_system() -> None:
    page = render_html(build(_checked(GUIZHOU), "zh"))
    assert '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif' in page
    assert "max-width: 960px" in page


# --------------------------------------------------------------------------- the sections, same content


@pytest.mark.parametrize("lang", LANGS)
def test_every_section_is_there_in_order(guizhou: dict[str, tuple[Explainer, str]], lang: str) -> None:
    _e, page = guizhou[lang]
    headings = re.findall(r"<h2 id=\"h-[a-z]+\">(.*?)</h2>", page)
    assert tuple(headings) == HEADINGS[lang]
    assert page.count("<section ") == len(HEADINGS[lang])


@pytest.mark.parametrize("lang", LANGS)
def test_sections_with_nothing_to_say_are_left_out_and_the_rest_renumbered(tmp_path: Path, lang: str) -> None:
    path = tmp_path / "q.pool"
    path.write_text(
        "政策 测试 {\n  资金 留存 结转 { 转移 转入额 = 1元 自 财政 至 留存 }\n  主体 财政\n}\n", encoding="utf-8"
    )
    e = build(_checked(path), lang)
    assert not e.milestones and not e.tasks and not e.figures and not e.examples and not e.open_items
    page = render_html(e)
    headings = re.findall(r"<h2 id=\"h-[a-z]+\">(.*?)</h2>", page)
    want = {
        "zh": ["一、起草背景和依据", "二、主要内容", "三、对谁有什么影响", "四、具体规定", "五、资金流向"],
        "en": [
            "1. Background and basis",
            "2. Main points",
            "3. Who pays and who receives",
            "4. The rules",
            "5. Fund flows",
        ],
    }
    assert headings == want[lang]
    assert "无。" not in page and "None." not in page


@pytest.mark.parametrize("lang", LANGS)
def test_every_string_of_the_view_model_is_on_the_page(guizhou: dict[str, tuple[Explainer, str]], lang: str) -> None:
    """The same content as the Markdown: whatever the public view-model says, the page shows (escaped)."""
    e, page = guizhou[lang]
    review_only = {e.source_file, *(r.where for g in e.groups for r in g.rules), *(r.where for r in e.terms)}
    quotes = {q for g in e.groups for r in g.rules if r.quote for q in (r.quote.text, r.quote.original)}
    quotes |= {r.quote.text for r in e.terms if r.quote} | {f.quote for f in e.figures if f.quote}
    # The public form names a read clause by its section, and a choice's other options by name only.
    quotes |= {r.quote.text for r in e.readings if r.quote and r.section} | {
        o.reading for r in e.readings for o in r.options if not o.default
    }
    drafted = {r.sentence for g in e.groups for r in g.rules if r.drafted}
    skip = {
        e.lang,
        e.regions_label,
        *review_only,
        *quotes,
        *drafted,
        *(s.target for x in e.examples for s in x.steps),
        *(s.formula for x in e.examples for s in x.steps),
        *(s.result for x in e.examples for s in x.steps),
    }
    missing = [s for s in _strings(attrs.evolve(e, traces=())) if s and s not in skip and str(escape(s)) not in page]
    assert missing == []


def test_the_review_form_quotes_each_clause_with_its_source_line() -> None:
    e = build(_checked(GUIZHOU), "zh", audience=Audience.REVIEW)
    page = render_html(e)
    quotes = re.findall(
        r"<blockquote>\n<p><span class=\"clause-label\">(.*?)</span>(.*?)</p>\n<footer>见 <code>(.*?)</code></footer>",
        page,
    )
    assert len(quotes) == sum(1 for g in e.groups for r in g.rules if r.quote)
    line = next(
        i for i, ln in enumerate(GUIZHOU.read_text(encoding="utf-8").splitlines(), 1) if "上解 基础上解额" in ln
    )
    assert (
        "原文（二（一））：",
        "各市（州）以上年度统筹基金征缴收入为基数，每年按不低于10%的比例上解至省级，汇集形成基础调剂金",
        f"policies/guizhou_risk_adjustment.pool:{line}",
    ) in quotes
    assert '<h2 id="h-appendix">附：计算过程</h2>' in page
    public = render_html(build(_checked(GUIZHOU), "zh"))
    assert "<blockquote>" not in public and ".pool" not in public and "h-appendix" not in public


def test_open_parameters_are_highlighted(guizhou: dict[str, tuple[Explainer, str]]) -> None:
    e, page = guizhou["zh"]
    row = _only(r"(<tr class=\"open\"><td class=\"name\">附加上解比例</td>.*?</tr>)", page)
    assert '<td class="value open"><strong class="pending">待定</strong></td>' in row
    assert "<td>不高于100%</td>" in row  # the text authorises no one to set this ratio (issue 16)
    assert page.count('<tr class="open">') == sum(1 for p in e.figures if p.open) == 3
    assert '<td class="value">10%</td>' in page


def test_worked_examples_are_narrated_with_a_payments_table(guizhou: dict[str, tuple[Explainer, str]]) -> None:
    _e, page = guizhou["zh"]
    assert "<li>贵阳市的按实际标准上解额为 10亿元 × 10% − 1亿元 × 50%，即5000万元。</li>" in page
    assert '<tr><td>贵阳市</td><td>基础调剂金</td><td>基础上解额</td><td class="amount">5000万元</td></tr>' in page
    assert "约9529.41万元" in page and "95,294,117.65" not in page


# --------------------------------------------------------------------------- the diagram


@pytest.mark.parametrize("lang", LANGS)
def test_the_diagram_is_inline_with_a_node_per_fund_and_party(
    guizhou: dict[str, tuple[Explainer, str]], lang: str
) -> None:
    e, page = guizhou[lang]
    svg = _svg(page)
    assert svg == flow_svg(e)
    root = ET.fromstring(svg)  # well-formed XML
    nodes = {
        g.get("data-node"): g.get("class") for g in root.iter(f"{SVG_NS}g") if "node" in (g.get("class") or "").split()
    }
    for fund in e.funds:
        assert nodes[fund] == "node fund"
    for party in e.parties:
        assert nodes[party] == "node party"
    assert nodes["各市（州）" if lang == "zh" else "regions"] == "node region"
    assert len(nodes) == len(e.funds) + len(e.parties) + 1
    edges = [(g.get("data-from"), g.get("data-to")) for g in root.iter(f"{SVG_NS}g") if g.get("class") == "edge"]
    assert len(edges) == len(set(edges)) == len({(f.source, f.dest) for f in e.flows})


def test_parallel_flows_become_one_edge_with_both_numbered_labels(guizhou: dict[str, tuple[Explainer, str]]) -> None:
    e, _page = guizhou["zh"]
    flows = (*e.flows, Flow(8, "省级留存", "各市（州）", "另一补助"), Flow(9, "省级留存", "各市（州）", "缺口调剂额"))
    root = ET.fromstring(flow_svg(attrs.evolve(e, flows=flows)))
    edge = next(
        g for g in root.iter(f"{SVG_NS}g") if g.get("data-from") == "省级留存" and g.get("data-to") == "各市（州）"
    )
    assert [t.text for t in edge.iter(f"{SVG_NS}tspan")] == ["⑥缺口调剂额（10%）", "⑧另一补助", "⑨缺口调剂额"]
    assert (
        sum(1 for g in root.iter(f"{SVG_NS}g") if g.get("data-from") == "省级留存" and g.get("data-to") == "各市（州）")
        == 1
    )


def test_flows_are_numbered_in_the_order_money_moves_and_carry_their_ratio(
    guizhou: dict[str, tuple[Explainer, str]],
) -> None:
    e, page = guizhou["zh"]
    assert [f.number for f in e.flows] == list(range(1, len(e.flows) + 1))
    assert '<li><span class="n">④</span>附加调剂金 → 省级留存：附加留存额（50%）</li>' in page
    assert "④附加留存额（50%）" in _svg(page)


def test_the_regions_are_one_node_however_the_view_model_names_them(guizhou: dict[str, tuple[Explainer, str]]) -> None:
    e, _page = guizhou["en"]
    flows = (
        Flow(1, "each region", "基础调剂金", "a"),
        Flow(2, "regions", "基础调剂金", "b"),
        Flow(3, "基础调剂金", "each region", "c"),
    )
    root = ET.fromstring(flow_svg(attrs.evolve(e, flows=flows)))
    edges = {
        (g.get("data-from"), g.get("data-to")): "".join(g.itertext())
        for g in root.iter(f"{SVG_NS}g")
        if g.get("class") == "edge"
    }
    assert set(edges) == {("regions", "基础调剂金"), ("基础调剂金", "regions")}
    assert edges[("regions", "基础调剂金")].endswith("①a②b")  # one flow a line


def test_text_widths_count_cjk_as_one_em() -> None:
    assert em("基础调剂金") == 5.0
    assert em("regions") == pytest.approx(7 * 0.55)
    assert em("（10%）") == pytest.approx(2 + 3 * 0.55)
    lines = wrap(["上解一", "上解二很长的规则名称也要能够显示出来"], "、", max_em=11)
    assert lines[0] == "上解一、" and all(em(line) <= 11 for line in lines)
    assert "".join(lines) == "上解一、上解二很长的规则名称也要能够显示出来"


def test_the_diagram_lays_out_a_tangle_without_overlapping_boxes(guizhou: dict[str, tuple[Explainer, str]]) -> None:
    e, _page = guizhou["zh"]
    flows = (
        Flow(1, "各地区", "甲", "上解"),
        Flow(2, "甲", "乙", "x"),
        Flow(3, "乙", "丙", "y"),
        Flow(4, "丙", "甲", "回流"),
        Flow(5, "甲", "甲", "自环"),
        Flow(6, "丁", "乙", "z"),
        Flow(7, "丙", "各地区", "分配"),
    )
    svg = flow_svg(attrs.evolve(e, funds=("甲", "乙", "丙"), parties=("丁",), flows=flows))
    root = ET.fromstring(svg)
    boxes = []
    for g in root.iter(f"{SVG_NS}g"):
        if g.get("class") in ("node fund", "node party"):
            rect = g.find(f"{SVG_NS}rect")
            assert rect is not None
            boxes.append((float(rect.get("y") or 0), float(rect.get("height") or 0)))
    boxes.sort()
    assert len(boxes) == 4
    assert all(y1 + h1 <= y2 for (y1, h1), (y2, _h2) in zip(boxes, boxes[1:])), "boxes do not overlap"
    width = float(root.get("width") or 0)
    assert all(float(t.get("x") or 0) < width for t in root.iter(f"{SVG_NS}tspan"))


# --------------------------------------------------------------------------- escaping


@pytest.mark.parametrize("lang", LANGS)
def test_policy_text_cannot_break_the_page(hostile: CheckedPolicy, lang: str) -> None:
    page = render_html(build(hostile, lang, audience=Audience.REVIEW))
    assert page.count("<script") == 1, "only the page's own script"
    assert (
        "<script>alert" not in page
        and "<img" not in page
        and "<i>" not in page
        and "</td></tr></table><script>" not in page
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(0)&gt;" in page
    assert "&lt;/blockquote&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert "<td>&lt;script&gt;alert(3)&lt;/script&gt;</td>" in page
    assert '<td data-sort="&#34; onclick=&#34;alert(4)、财政">&#34; onclick=&#34;alert(4)、财政</td>' in page
    assert 'onclick="' not in page
    assert "&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;alert(5)&lt;/script&gt;" in page
    assert '<td data-sort="&lt;i&gt;局&lt;/i&gt;">&lt;i&gt;局&lt;/i&gt;</td>' in page
    assert page.count("<blockquote>") == 1 and page.count("</blockquote>") == 1
    assert page.count("<table") == page.count("</table>")


def test_policy_text_cannot_break_the_diagram(hostile: CheckedPolicy) -> None:
    e = build(hostile, "zh")
    evil = '<script>alert(6)</script>" onload="alert(7)'
    e = attrs.evolve(
        e,
        title=evil,
        funds=(evil, "留存"),
        parties=("财政&amp;",),
        flows=(Flow(1, "财政&amp;", evil, "</text><script>alert(8)</script>"), Flow(2, evil, "各地区", "x")),
    )
    svg = flow_svg(e)
    root = ET.fromstring(svg)  # still well-formed: nothing escaped its element
    assert "<script" not in svg and 'onload="' not in svg
    assert "&lt;/text&gt;&lt;script&gt;alert(8)&lt;/script&gt;" in svg
    assert "财政&amp;amp;" in svg
    nodes = {g.get("data-node") for g in root.iter(f"{SVG_NS}g")}
    assert evil in nodes and "财政&amp;" in nodes  # the names round-trip as text
    page = render_html(e)
    assert page.count("<script") == 1 and "<script>alert" not in page and 'onload="' not in page
    assert _svg(page) == svg


# --------------------------------------------------------------------------- sortable tables


def _rows(page: str, table: str) -> list[list[tuple[str, str]]]:
    """(data-sort, text) of each cell that has a data-sort, row by row."""
    body = _only(rf'<table class="sortable {table}">.*?<tbody>(.*?)</tbody>', page)
    return [re.findall(r'<td[^>]*? data-sort="([^"]*)">(.*?)</td>', row) for row in re.findall(r"<tr>(.*?)</tr>", body)]


@pytest.mark.parametrize("lang", LANGS)
def test_the_timeline_sorts_by_date_and_by_owner(guizhou: dict[str, tuple[Explainer, str]], lang: str) -> None:
    e, page = guizhou[lang]
    head = _only(r'<table class="sortable timeline">\n<thead><tr>(.*?)</tr></thead>', page)
    assert re.findall(r"<th scope=\"col\"(?: data-sortable=\"(\w+)\")?>", head) == ["key", "", "text"]
    rows = _rows(page, "timeline")
    assert [r[0][0] for r in rows] == [m.sort_key for m in e.milestones]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r[0][0]) for r in rows)
    assert [r[1] for r in rows] == [(m.owners, m.owners) for m in e.milestones]
    js = _only(r"<script>(.*?)</script>", page)
    assert 'querySelectorAll("table.sortable")' in js and 'getAttribute("data-sort")' in js and "localeCompare" in js
    assert "aria-sort" in js


@pytest.mark.parametrize("lang", LANGS)
def test_the_task_table_sorts_by_number_deadline_and_owner(lang: str) -> None:
    e = build(_checked(EVERY_CONSTRUCT), lang)
    assert e.tasks and e.milestones
    page = render_html(e)
    head = _only(r'<table class="sortable tasks">\n<thead><tr>(.*?)</tr></thead>', page)
    assert re.findall(r"<th scope=\"col\"(?: data-sortable=\"(\w+)\")?>", head) == ["key", "", "text", "key"]
    rows = _rows(page, "tasks")
    assert [r[2][0] for r in rows] == [t.sort_key for t in e.tasks]
    assert [r[1][0] for r in rows] == [t.owners for t in e.tasks]
    assert [r[0][0] for r in rows] == sorted(r[0][0] for r in rows), "sorting by number restores the order"
    assert [r[2][1] for r in rows] == [t.deadline for t in e.tasks]
    # both tables under one section, each with its own heading
    assert (
        ("时间安排与任务分工</h2>" in page and "<h3>任务分工</h3>" in page)
        if lang == "zh"
        else ("Timeline and tasks</h2>" in page and "<h3>Tasks</h3>" in page)
    )


# --------------------------------------------------------------------------- print


def test_the_page_prints_on_a4(guizhou: dict[str, tuple[Explainer, str]]) -> None:
    _e, page = guizhou["zh"]
    css = _only(r"<style>(.*?)</style>", page)
    assert re.search(r"@page \{ size: A4; margin: [^;}]+; \}", css)
    print_css = css.split("@media print {", 1)[1]
    assert re.search(r"tr, [^{]*\{ break-inside: avoid; page-break-inside: avoid; \}", print_css)
    assert "thead { display: table-header-group; }" in print_css
    assert re.search(r"h2, h3[^{]*\{ break-after: avoid;", print_css)
    assert "sticky" not in css and "position: fixed" not in css


# --------------------------------------------------------------------------- deterministic


@pytest.mark.parametrize(("path", "lang"), [(p, lang) for p in POLICIES for lang in LANGS])
def test_two_renders_are_byte_identical(path: Path, lang: str) -> None:
    assert render_html(build(_checked(path), lang)) == render_html(build(_checked(path), lang))


def test_the_bytes_do_not_depend_on_the_hash_seed() -> None:
    code = (
        "import sys; from compiler.driver import check_file; from compiler.explain.viewmodel import build;"
        "from compiler.explain.render import render_html;"
        "sys.stdout.buffer.write(render_html(build(check_file(sys.argv[1]).policy, 'zh')).encode('utf-8'))"
    )
    outs = [
        subprocess.run(
            [sys.executable, "-c", code, str(GUIZHOU)],
            check=True,
            capture_output=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("0", "7")
    ]
    assert outs[0] == outs[1] and len(outs[0]) > 10_000
