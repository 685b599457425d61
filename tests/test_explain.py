"""The explainer: current, deterministic, escaped, and its figures are the evaluator's."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.driver import check_file
from compiler.explain.render import render_html, render_markdown
from compiler.explain.viewmodel import build
from compiler.interpreter.examples import run_examples

ROOT = Path(__file__).resolve().parent.parent
POLICIES = sorted((ROOT / "policies").glob("*.pool"))
GUIZHOU = ROOT / "policies" / "guizhou_risk_adjustment.pool"
CASES = [(p, lang, fmt) for p in POLICIES for lang in ("zh", "en") for fmt in ("md", "html")]


@pytest.mark.parametrize(("path", "lang", "fmt"), CASES, ids=[f"{p.stem}.{lang}.{fmt}" for p, lang, fmt in CASES])
def test_committed_explainer_is_current(path: Path, lang: str, fmt: str) -> None:
    checked = check_file(path).policy
    assert checked is not None
    committed = ROOT / "docs" / "policies" / f"{path.stem}.{lang}.{fmt}"
    view = build(checked, lang)
    fresh = render_markdown(view) if fmt == "md" else render_html(view)
    hint = f"regenerate: pool explain {path.relative_to(ROOT)} --lang {lang} --format {fmt} -o {committed.relative_to(ROOT)}"
    assert committed.read_text(encoding="utf-8") == fresh, hint


def test_explainer_bytes_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    outs = []
    for seed in ("0", "7"):
        out = tmp_path / f"{seed}.html"  # the format follows the name: .md would be Markdown
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "compiler.cli", "explain", str(GUIZHOU), "-o", str(out)], check=True, env=env, cwd=ROOT)
        assert out.read_bytes().startswith(b"<!DOCTYPE html>")
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_every_section_is_there_in_both_languages() -> None:
    zh = (ROOT / "docs" / "policies" / "guizhou_risk_adjustment.zh.md").read_text(encoding="utf-8")
    en = (ROOT / "docs" / "policies" / "guizhou_risk_adjustment.en.md").read_text(encoding="utf-8")
    for heading in ("一、标题与依据", "二、总体说明", "三、规则解读", "四、参数表", "五、资金流向", "六、举例说明", "七、时间安排", "八、待明确事项"):
        assert f"## {heading}" in zh
    for heading in ("1. Title and basis", "2. Overview", "3. The rules", "4. Parameters", "5. Fund flows", "6. Worked examples", "7. Timeline", "8. Open questions"):
        assert f"## {heading}" in en
    assert "| 2025年6月30日前 | 出台省级风险调剂金管理办法 | 省财政厅、省医保局 |" in zh
    assert "| 附加上解比例 | **待定** | 不高于100% | 省医保局、省财政厅 |" in zh
    assert "按实际标准上解额为上年度征缴收入的10%减去同比增量的50%,不低于零。" in zh


def test_worked_example_shows_the_arithmetic_with_real_numbers() -> None:
    zh = (ROOT / "docs" / "policies" / "guizhou_risk_adjustment.zh.md").read_text(encoding="utf-8")
    assert "- 按实际标准上解额(贵阳市) = 取大(10亿元 × 10% − 1亿元 × 50%, 0) = **5000万元**" in zh
    assert "- 附加留存额 = 1.8亿元 × 50%,但不超过 18亿元 × 5% − 8000万元 = **1000万元**" in zh
    assert "- 附加上解额(贵阳市) = 需缴附加调剂金不成立,不计 = **0元**" in zh


def test_a_weight_that_is_itself_arithmetic_is_bracketed_in_the_worked_example() -> None:
    # 老年参保人数's weight is 100% − 人数权重: without brackets the formula reads as a different sum.
    checked = check_file(ROOT / "docs" / "tutorial" / "first_policy.pool").policy
    assert checked is not None
    md = render_markdown(build(checked, "zh"))
    assert "2000万元 × (60% × 500000 ÷ 1000000 + (100% − 60%) × 80000 ÷ 200000) = **920万元**" in md


def test_written_files_get_the_usual_permissions(tmp_path: Path) -> None:
    # An explainer copied to a shared drive must be readable by others: not mkstemp's 0600.
    from compiler.fileio import write_atomic

    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "x.html", "<p>x</p>")
    finally:
        os.umask(old)
    assert (tmp_path / "x.html").stat().st_mode & 0o777 == 0o644


def test_every_expected_figure_in_the_examples_is_what_the_evaluator_gives() -> None:
    """Each example's expected values pass `pool test`, and the explainer prints the same figures."""
    checked = check_file(GUIZHOU).policy
    assert checked is not None
    assert all(o.passed for o in run_examples(checked))
    zh = render_markdown(build(checked, "zh"))
    section = zh.split("## 六、举例说明")[1].split("## 七")[0]
    results = re.findall(r"^- (\S+?) = .*?\*\*(.+?)\*\*$", section, re.M)
    assert ("缺口调剂额(贵阳市)", "1000万元") in results
    assert ("地方政府弥补额(六盘水市)", "1亿元") in results
    assert ("绩效分配额(贵阳市)", "95,294,117.65元") in results


def test_policy_text_cannot_break_the_markdown(tmp_path: Path) -> None:
    path = tmp_path / "p.pool"
    path.write_text(
        '政策 测试 {\n  参数 比例甲: 比例 = 10%  原文 "| 表格 | 注入 | <script>alert(1)</script> **粗体** [链接](x)"\n'
        '  输入 收入: 金额\n  资金 留存 结转 { 转移 转入额 = 收入 × 比例甲 自 财政 至 留存  原文 "x\\n## 假标题" }\n  主体 财政 原文 "x"\n}\n',
        encoding="utf-8",
    )
    checked = check_file(path).policy
    assert checked is not None
    text = render_markdown(build(checked, "zh"))
    assert "<script>" not in text and "\\<script\\>" in text
    assert "\n## 假标题" not in text
    row = next(line for line in text.splitlines() if line.startswith("| 比例甲 |"))
    assert row.count(" | ") == 4  # the injected pipes are escaped, the row keeps its five cells
