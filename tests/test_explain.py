"""The explainer: current, deterministic, escaped, publishable, and its figures are the evaluator's."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.driver import check_file
from compiler.explain.priced import price
from compiler.explain.render import render_html, render_markdown
from compiler.explain.viewmodel import Audience, build
from compiler.interpreter.examples import run_examples

ROOT = Path(__file__).resolve().parent.parent
POLICIES = sorted((ROOT / "policies").glob("*.pool"))
GUIZHOU = ROOT / "policies" / "guizhou_risk_adjustment.pool"
GUIYANG = ROOT / "policies" / "guiyang_county_budget.pool"
CASES = [(p, lang, fmt) for p in POLICIES for lang in ("zh", "en") for fmt in ("md", "html")]
GOLDEN = ROOT / "tests" / "golden" / "explain"
# Reviewed by eye, as an official reads a 解读: regenerate with UPDATE_GOLDEN=1 and read the diff.
GOLDENS = [
    ("guizhou_risk_adjustment", Audience.PUBLIC),
    ("ningbo_city_pooling", Audience.PUBLIC),
    ("ningbo_contributions", Audience.PUBLIC),
    ("guizhou_risk_adjustment", Audience.REVIEW),
]


def _md(path: Path, lang: str = "zh", audience: Audience = Audience.PUBLIC, appendix: bool = False) -> str:
    checked = check_file(path).policy
    assert checked is not None
    return render_markdown(build(checked, lang, audience=audience, appendix=appendix, pricing=price(checked, path)))


def _read(stem: str, lang: str = "zh", fmt: str = "md") -> str:
    return (ROOT / "docs" / "policies" / f"{stem}.{lang}.{fmt}").read_text(encoding="utf-8")


@pytest.mark.parametrize(("path", "lang", "fmt"), CASES, ids=[f"{p.stem}.{lang}.{fmt}" for p, lang, fmt in CASES])
def test_committed_explainer_is_current(path: Path, lang: str, fmt: str) -> None:
    checked = check_file(path).policy
    assert checked is not None
    committed = ROOT / "docs" / "policies" / f"{path.stem}.{lang}.{fmt}"
    view = build(checked, lang, pricing=price(checked, path))
    fresh = render_markdown(view) if fmt == "md" else render_html(view)
    hint = (
        f"regenerate: pool explain {path.relative_to(ROOT)} --lang {lang} --format {fmt} "
        f"-o {committed.relative_to(ROOT)}"
    )
    assert committed.read_text(encoding="utf-8") == fresh, hint


@pytest.mark.parametrize(("stem", "audience"), GOLDENS, ids=[f"{s}.{a.value}" for s, a in GOLDENS])
def test_explainer_matches_the_golden_file_read_by_eye(stem: str, audience: Audience) -> None:
    fresh = _md(ROOT / "policies" / f"{stem}.pool", audience=audience)
    golden = GOLDEN / f"{stem}.{audience.value}.zh.md"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(fresh, encoding="utf-8")
    assert golden.read_text(encoding="utf-8") == fresh, f"read the difference, then: UPDATE_GOLDEN=1 pytest {__file__}"


def test_explainer_bytes_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    outs = []
    for seed in ("0", "7"):
        out = tmp_path / f"{seed}.html"  # the format follows the name: .md would be Markdown
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "compiler.cli", "explain", str(GUIZHOU), "-o", str(out)],
            check=True,
            env=env,
            cwd=ROOT,
        )
        assert out.read_bytes().startswith(b"<!DOCTYPE html>")
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


# ---- what a bureau could publish as it stands (issue 15, "What it must show")

PUBLIC = [p for p in POLICIES]


def _prose(text: str) -> str:
    """The running text: Markdown table rules and list markers are not prose."""
    return "\n".join(line for line in text.splitlines() if not re.fullmatch(r"\|[-|]+\|", line))


@pytest.mark.parametrize("path", PUBLIC, ids=[p.stem for p in PUBLIC])
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_public_form_has_no_code_in_it(path: Path, fmt: str) -> None:
    text = _read(path.stem, "zh", fmt)
    assert "policies/" not in text and ".pool" not in text
    assert not re.search(r"\.pool:\d+|第\d+行|line \d+", text)
    assert "取大" not in text and "取小" not in text and "本文由 pool" not in text
    assert not re.search(r"\d\.\d{5,}", text), "a number with more than 4 decimal places"
    assert not re.search(r"[\u4e00-\u9fff][,:;][\u4e00-\u9fff]", _prose(text)), "ASCII punctuation in Chinese prose"
    assert "(上解)" not in text and "（上解）" not in text and "（转移）" not in text and "（拆分）" not in text


@pytest.mark.parametrize("path", PUBLIC, ids=[p.stem for p in PUBLIC])
def test_public_form_leaves_out_empty_sections(path: Path) -> None:
    text = _read(path.stem)
    sections = re.split(r"^## ", text, flags=re.M)[1:]
    for s in sections:
        heading, _, body = s.partition("\n")
        assert body.strip(), f"empty section {heading}"
        assert body.strip() not in ("无。", "None."), f"section {heading} says only 无"
    numbers = [re.match(r"(\S+?)、", s).group(1) for s in sections if re.match(r"\S+?、", s)]  # type: ignore[union-attr]
    assert numbers == ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"][: len(numbers)], (
        "sections numbered in order"
    )


def test_guiyang_public_form_has_no_traditional_characters() -> None:
    opencc = pytest.importorskip("opencc")
    convert = opencc.OpenCC("t2s").convert
    seed = Path("/work/shared/seeds/003_c3cacd9d9b45d143.txt")
    source = seed.read_text(encoding="utf-8") if seed.exists() else GUIYANG.read_text(encoding="utf-8")
    traditional = {ch for ch in set(source) if convert(ch) != ch}
    assert len(traditional) > 50  # the check has something to find
    for fmt in ("md", "html"):
        found = traditional & set(_read("guiyang_county_budget", "zh", fmt))
        assert not found, f"traditional characters in the public form: {sorted(found)}"


def test_review_form_keeps_the_original_traditional_quote_and_the_source_lines() -> None:
    review = _md(GUIYANG, audience=Audience.REVIEW)
    assert "原文照录：本方案月度預結算按DIP付費" in review
    assert "原文（三（六））：本方案月度预结算按DIP付费" in review
    assert re.search(r"`policies/guiyang_county_budget\.pool:\d+`", review)
    assert "## 附：计算过程" in review
    assert "## 附：计算过程" not in _read("guiyang_county_budget")
    assert "## 附：计算过程" in _md(GUIYANG, appendix=True)


def test_contributions_are_paid_not_remitted() -> None:
    # Persons and employers 缴纳 their contributions; 上解 is between governments and upward funds.
    for lang_text in (_read("ningbo_contributions"), _read("ningbo_contributions", fmt="html")):
        assert "上解" not in lang_text
    zh = _read("ningbo_contributions")
    assert "**职工个人缴费**。在职单位职工按个人缴费基数的2%缴纳职工个人缴费，计入职工医保统筹基金。" in zh
    assert "用人单位按单位缴费基数的7.5%缴纳单位基本医疗保险费" in zh  # 8.5% − 0.5% − 0.5%, from the interpreter


@pytest.mark.parametrize(
    ("stem", "status"),
    [
        ("ningbo_city_pooling", "征求意见稿"),
        ("ningbo_contributions", "征求意见稿"),
        ("guiyang_county_budget", "起草说明"),
        ("jilin_city_pooling", "正式印发"),
    ],
)
def test_document_status_is_shown_first(stem: str, status: str) -> None:
    md, html = _read(stem), _read(stem, fmt="html")
    assert md.split("\n## ")[0].count(f"**{status}**") == 1, "the status comes before the first section"
    assert f'<p class="status"><strong>{status}</strong>' in html


def test_dates_and_number_are_kept_apart() -> None:
    jilin = _read("jilin_city_pooling")
    assert "- **文号**：吉政发〔2020〕3号" in jilin
    assert "- **印发日期**：2020年1月17日" in jilin
    guiyang = _read("guiyang_county_budget")
    assert "- **施行日期**：自2025年1月1日起施行" in guiyang
    assert "原则上自2025年度起实施" in guiyang


def test_rules_read_as_sentences_with_the_bureau_verbs() -> None:
    zh = _read("guizhou_risk_adjustment")
    assert (
        "未完成征缴目标或基金支出增幅超过支出增幅警戒线（待定）的市（州）向附加调剂金上解上年度征缴收入的一定比例（附加上解比例，待定）。"
        in zh
    )
    assert (
        "发生正常缺口的市（州），由省级留存按其缺口的10%予以调剂；省级留存不足以全部调剂时，按各市（州）应调剂额的比例分配省级留存。"
        in zh
    )  # the drafters’ 说明, figures filled in
    ningbo = _read("ningbo_city_pooling")
    assert "由市财政承担20%、缺口地财政承担80%" in ningbo
    assert "50%转入归集基金，50%返还区县累计结余" in ningbo


def test_worked_example_narrates_the_arithmetic_with_readable_numbers() -> None:
    zh = _read("guizhou_risk_adjustment")
    assert "1. 贵阳市的按实际标准上解额为 10亿元 × 10% − 1亿元 × 50%，即5000万元。" in zh.replace(
        "2. 贵阳市", "1. 贵阳市"
    )
    assert "附加留存额为 1.8亿元 × 50%，但不超过 18亿元 × 5% − 8000万元，即1000万元。" in zh
    assert "贵阳市不符合“未完成征缴目标或基金支出增幅超过支出增幅警戒线（待定）”的条件，附加上解额为0元。" in zh
    assert "贵阳市的按实际标准上解额为 10亿元 × 10% − 3亿元 × 50%，为负，按零计，即0元。" in zh
    assert "参保人数：贵阳市400万人，遵义市600万人" in zh
    assert "附加上解比例（假设）：3%" in zh
    assert "即约9529.41万元" in zh  # 95,294,117.65元 in one readable unit


def test_the_payments_table_shows_the_split_the_title_promises() -> None:
    zh = _read("ningbo_city_pooling")
    example = zh.split("累计结余不足时归集基金与缺口地财政各担50%")[1].split("### 例")[0]
    for row in (
        "| 区县累计结余（鄞州区） | 鄞州区 | 正常缺口弥补 | 2000万元 |",
        "| 归集基金 | 鄞州区 | 正常缺口弥补 | 2000万元 |",
        "| 缺口地财政（鄞州区） | 鄞州区 | 正常缺口弥补 | 2000万元 |",
    ):
        assert row in example


def test_a_weight_that_is_itself_arithmetic_is_bracketed_in_the_worked_example() -> None:
    # 老年参保人数's weight is 100% − 人数权重: without brackets the formula reads as a different sum.
    md = _md(ROOT / "docs" / "tutorial" / "first_policy.pool")
    assert "2000万元 × （60% × 50万人 ÷ 100万人 + （100% − 60%） × 8万人 ÷ 20万人），即920万元" in md


def test_every_expected_figure_in_the_examples_is_what_the_evaluator_gives() -> None:
    """Each example's expected values pass `pool test`, and the explainer prints the same figures."""
    checked = check_file(GUIZHOU).policy
    assert checked is not None
    assert all(o.passed for o in run_examples(checked))
    zh = _md(GUIZHOU, appendix=True)
    section = zh.split("## 附：计算过程")[1]
    results = re.findall(r"^- (\S+?) = .*?\*\*(.+?)\*\*$", section, re.M)
    assert ("缺口调剂额（贵阳市）", "1000万元") in results
    assert ("地方政府弥补额（六盘水市）", "1亿元") in results
    assert ("绩效分配额（贵阳市）", "约9529.41万元") in results


# ---- drafters' prose (说明, 解读) with {{名称}} references


def test_drafters_prose_is_filled_with_the_computed_values() -> None:
    zh = _read("guizhou_risk_adjustment")
    assert (
        "1. 基础调剂金：各市（州）以上年度统筹基金征缴收入为基数，按不低于10%的比例上解，可按征缴收入同比增量的50%予以扣除"
        in zh
    )
    assert "{{" not in zh and "}}" not in zh


def test_a_reference_to_an_example_value_is_filled_from_the_interpreter(tmp_path: Path) -> None:
    text = GUIZHOU.read_text(encoding="utf-8").replace(
        "  状态 正式印发\n",
        '  状态 正式印发\n  解读 "例如，遵义市上解{{增量扣除后仍须上解：基础上解额：遵义市}}，全省留存达到{{留存达到上限后结转下一年：省级留存}}。"\n',
    )
    path = tmp_path / "g.pool"
    path.write_text(text, encoding="utf-8")
    zh = _md(path) if check_file(path).policy is not None else ""
    assert "例如，遵义市上解8000万元，全省留存达到9000万元。" in zh


def test_a_reference_to_an_unknown_name_fails_the_check_with_its_line(tmp_path: Path) -> None:
    text = GUIZHOU.read_text(encoding="utf-8").replace("{{增量扣除比例}}", "{{增量扣出比例}}")
    path = GUIZHOU.with_name("_prose_typo.pool")
    try:
        path.write_text(text, encoding="utf-8")
        run = subprocess.run(
            [sys.executable, "-m", "compiler.cli", "check", str(path)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
    finally:
        path.unlink()
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "{{增量扣出比例}}" in ln)
    assert run.returncode == 1
    assert f"_prose_typo.pool:{line}:" in run.stderr + run.stdout and "E260" in run.stderr + run.stdout
    assert "增量扣除比例" in run.stderr + run.stdout  # did you mean


def test_written_files_get_the_usual_permissions(tmp_path: Path) -> None:
    # An explainer copied to a shared drive must be readable by others: not mkstemp's 0600.
    from compiler.fileio import write_atomic

    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "x.html", "<p>x</p>")
    finally:
        os.umask(old)
    assert (tmp_path / "x.html").stat().st_mode & 0o777 == 0o644


def test_policy_text_cannot_break_the_markdown(tmp_path: Path) -> None:
    path = tmp_path / "p.pool"
    path.write_text(
        '政策 测试 {\n  参数 比例甲: 比例 = 10%  原文 "| 表格 | 注入 | <script>alert(1)</script> **粗体** [链接](x)"\n'
        '    条款 "| 注入 |"\n'
        '  输入 收入: 金额\n  资金 留存 结转 { 转移 转入额 = 收入 × 比例甲 自 财政 至 留存  原文 "x\\n## 假标题" }\n  主体 财政 原文 "x"\n}\n',
        encoding="utf-8",
    )
    text = _md(path, audience=Audience.REVIEW)
    assert "<script>" not in text and "\\<script\\>" in text
    assert "\n## 假标题" not in text
    row = next(line for line in text.splitlines() if line.startswith("| 比例甲 |"))
    assert row.count(" | ") == 4  # the injected pipes are escaped, the row keeps its five cells


def test_the_command_line_takes_the_audience_and_the_appendix(tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    base = [
        sys.executable,
        "-m",
        "compiler.cli",
        "explain",
        str(GUIZHOU.relative_to(ROOT)),
        "--format",
        "md",
        "-o",
        str(out),
    ]
    subprocess.run([*base, "--audience", "review"], check=True, cwd=ROOT)
    review = out.read_text(encoding="utf-8")
    assert "审阅版" in review and "`policies/guizhou_risk_adjustment.pool:" in review and "## 附：计算过程" in review
    subprocess.run([*base, "--appendix"], check=True, cwd=ROOT)
    public = out.read_text(encoding="utf-8")
    assert "## 附：计算过程" in public and ".pool" not in public and "审阅版" not in public


def test_without_a_converter_the_public_form_leaves_traditional_quotes_out(monkeypatch: pytest.MonkeyPatch) -> None:
    from compiler.explain import words

    monkeypatch.setattr(words, "_converter", lambda: None)
    public = _md(GUIYANG)
    assert "醫" not in public and "預" not in public
    review = _md(GUIYANG, audience=Audience.REVIEW)
    assert "未安装繁简转换组件" in review and "本方案月度預結算按DIP付費" in review
