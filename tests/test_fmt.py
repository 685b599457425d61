"""`pool fmt`: one canonical layout that never changes what a policy means."""

from __future__ import annotations

import json
import random
import re
import tempfile
from pathlib import Path

import attrs
import policygen
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.cli import main
from compiler.driver import check_file
from compiler.parsing.cst import Role, lexemes
from compiler.source import SourceFile
from tests.cli import run

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "fmt"
BUNDLED = sorted((ROOT / "policies").glob("*.pool")) + sorted((ROOT / "stdlib").rglob("*.pool"))
SCENARIOS = {
    "guizhou_risk_adjustment": "guizhou_2026.json",
    "guiyang_county_budget": "guiyang_county_budget.json",
    "jilin_city_pooling": "jilin_city_pooling.json",
    "ningbo_city_pooling": "ningbo_2022.json",
    "ningbo_contributions": "ningbo_contributions.json",
}


def formatted(path: Path, keywords: str | None = None) -> str:
    code, out, err = run("fmt", str(path), *(["--keywords", keywords] if keywords else []))
    assert code == 0, err
    return out


# ---- the layout a drafter sees


def test_messy_policy_gets_the_canonical_layout() -> None:
    assert formatted(GOLDEN / "messy.pool") == (GOLDEN / "messy.formatted.pool").read_text(encoding="utf-8")


def test_keywords_en_rewrites_every_keyword_and_back() -> None:
    english = formatted(GOLDEN / "messy.pool", "en")
    assert english == (GOLDEN / "messy.en.pool").read_text(encoding="utf-8")
    # 以上 is written after a band's edge, `from` before it; 自 and 由 are both `from`.
    assert "from 100万元 => 2%" in english and "from each region" in english
    assert formatted(GOLDEN / "messy.en.pool", "zh") == (GOLDEN / "messy.formatted.pool").read_text(encoding="utf-8")


def test_band_edge_marks_hug_their_edge_and_translate(tmp_path: Path) -> None:
    messy = tmp_path / "m.pool"
    messy.write_text(
        "令 档 = 分段 收入 { 0元 至 100万元 （含） => 1%, 100万元(不含)   以上 => 2% }\n",
        encoding="utf-8",
    )
    assert "{ 0元 至 100万元(含) => 1%, 100万元(不含) 以上 => 2% }" in formatted(messy)
    assert "{ 0元 to 100万元(incl) => 1%, from 100万元(excl) => 2% }" in formatted(messy, "en")


def test_formatting_is_idempotent(tmp_path: Path) -> None:
    once = tmp_path / "once.pool"
    once.write_text(formatted(GOLDEN / "messy.pool"), encoding="utf-8")
    assert formatted(once) == once.read_text(encoding="utf-8")


def test_every_keyword_of_the_grammar_has_both_forms() -> None:
    from compiler.parsing import keywords
    from compiler.parsing.cst import _parser

    # Recurring dates are literals (每月25日 / monthly 25) and stay as written.
    recurring = {
        "monthly",
        "next-month",
        "quarterly",
        "yearly",
        "next-year",
        "end",
        "first-month",
        "second-month",
        "last-month",
    }
    words = {
        t.pattern.value for t in _parser().terminals if t.pattern.type == "str" and re.match(r"\w", t.pattern.value)
    }
    phrases = {w for zh, en in keywords.PAIRS for w in (zh, *en.split())}
    one_token_in_chinese = set(keywords.YEAR_WORDS)  # 第2年, 前3年: literals in Chinese
    assert words - recurring - one_token_in_chinese - {"until"} <= phrases, words - recurring - phrases


# ---- the command: --check, --diff, --write, failures


def test_check_passes_on_every_bundled_policy_and_stdlib_module() -> None:
    code, out, err = run("fmt", "--check", str(ROOT / "policies"), str(ROOT / "stdlib"))
    assert code == 0, out
    assert out == ""
    assert f"0 个文件需要格式化,{len(BUNDLED)} 个文件已是规范格式" in err


def test_check_names_the_file_that_would_change_and_exits_1(tmp_path: Path) -> None:
    messy = tmp_path / "messy.pool"
    messy.write_bytes((GOLDEN / "messy.pool").read_bytes())
    code, out, err = run("fmt", "--check", str(tmp_path), "--lang", "en")
    assert code == 1
    assert out == f"would reformat {messy}\n"
    assert "1 file(s) would be reformatted, 0 already formatted" in err
    assert messy.read_bytes() == (GOLDEN / "messy.pool").read_bytes()  # --check never writes


def test_diff_shows_the_changes_as_a_unified_diff(tmp_path: Path) -> None:
    messy = tmp_path / "messy.pool"
    messy.write_bytes((GOLDEN / "messy.pool").read_bytes())
    code, out, _ = run("fmt", "--diff", str(messy))
    assert code == 1
    assert out.startswith(f"--- {messy}\n+++ {messy}\n")
    assert "\n-令 增量=取大（收入-收入×50%，0）\n" in out
    assert "\n+  令 增量 = 取大(收入 - 收入 × 50%, 0)\n" in out


def test_write_rewrites_in_place_then_check_is_clean(tmp_path: Path) -> None:
    messy = tmp_path / "messy.pool"
    messy.write_bytes((GOLDEN / "messy.pool").read_bytes())
    code, out, _ = run("fmt", "--write", str(messy))
    assert (code, out) == (0, f"已格式化 {messy}\n")
    assert messy.read_text(encoding="utf-8") == (GOLDEN / "messy.formatted.pool").read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["messy.pool"]  # no temporary file left behind
    assert run("fmt", "--check", str(messy))[0] == 0


def test_a_syntax_error_is_reported_like_check_and_the_file_is_left_alone(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pool"
    text = "参数 比例甲: 比例 = 10%\n令 乙 = 比例甲 ×\n"
    broken.write_text(text, encoding="utf-8")
    code, out, err = run("fmt", "--write", str(broken))
    assert code == 2 and out == ""
    assert f"{broken}:3:1: 错误[E103]" in err or f"{broken}:2:" in err
    assert "^" in err
    assert broken.read_text(encoding="utf-8") == text


def test_a_missing_file_is_exit_2_with_the_reason(tmp_path: Path) -> None:
    code, _, err = run("fmt", str(tmp_path / "无此文件.pool"))
    assert code == 2
    assert "无此文件.pool" in err and "E106" in err


def test_a_layout_that_would_change_the_meaning_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import compiler.driver as driver

    policy = tmp_path / "p.pool"
    text = "参数 比例甲: 比例 = 10%\n"
    policy.write_text(text, encoding="utf-8")
    monkeypatch.setattr(driver, "layout", lambda lexemes: "参数 比例甲: 比例 = 20%\n")
    code, out, err = run("fmt", "--write", str(policy), "--lang", "en")
    assert code == 2 and out == ""
    assert "formatting would change what the policy means; left as it is" in err
    assert policy.read_text(encoding="utf-8") == text


# ---- formatting never changes meaning: the checked IR and what the evaluator computes


def _run_json(policy: Path, scenario: Path) -> object:
    code, out, err = run("run", str(policy), str(scenario), "--json")
    assert code == 0, err
    data = json.loads(out)
    for t in data["transfers"]:
        del t["line"]  # blank lines may move; nothing else may
    return data


@pytest.mark.parametrize("keywords", [None, "en", "zh"])
@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_formatting_keeps_the_checked_ir_and_every_result(path: Path, keywords: str | None, tmp_path: Path) -> None:
    copy = tmp_path / path.name
    copy.write_text(formatted(path, keywords), encoding="utf-8")
    before, after = check_file(path), check_file(copy)
    assert before.program is not None and after.program is not None
    # IR equality ignores spans; only the file name may differ.
    assert before.program.main == attrs.evolve(after.program.main, file=before.program.main.file)
    assert [d.code for d in before.diagnostics] == [d.code for d in after.diagnostics]
    code, out, _ = run("test", str(copy))
    assert code == 0, out
    scenario = SCENARIOS.get(path.stem)
    if scenario is not None:
        scen = ROOT / "policies" / "scenarios" / scenario
        assert _run_json(copy, scen) == _run_json(path, scen)


# ---- one canonical layout: spacing, indentation and punctuation do not matter


_WIDE = {":": "：", ",": "，", "(": "（", ")": "）", ";": "；", "{": "｛", "}": "｝", "=": "＝"}


def _respaced(path: Path, rnd: random.Random) -> str:
    """The same tokens on the same lines, with any spacing, indentation, blank-line
    count and full-width punctuation a drafter's editor might leave."""
    source = SourceFile(str(path), path.read_text(encoding="utf-8"))
    found, _ = lexemes(source)
    assert found is not None
    lines: list[str] = []
    last = 0
    for lx in found:
        text = _WIDE.get(lx.text, lx.text) if rnd.random() < 0.5 else lx.text
        if lx.line != last:
            blanks = lx.line - last - 1 if last else 0
            lines += [""] * (blanks and rnd.randint(blanks, blanks + 2))
            lines.append(rnd.choice(["", " ", "    ", "\t", "        "]) + text)
            last = lx.line
        else:
            lines[-1] += rnd.choice([" ", "  ", "\t", "\u3000", "   "]) + text
    return "\n".join(lines) + rnd.choice(["\n", "\n\n", "  \n"])


@pytest.mark.parametrize("path", BUNDLED[:6], ids=[p.stem for p in BUNDLED[:6]])
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32))
def test_any_spacing_formats_to_the_same_text(path: Path, seed: int, tmp_path: Path) -> None:
    messy = tmp_path / path.name
    messy.write_text(_respaced(path, random.Random(seed)), encoding="utf-8")
    assert formatted(messy) == path.read_text(encoding="utf-8")


def test_lexemes_mark_statements_and_clauses() -> None:
    found, _ = lexemes(SourceFile("t.pool", '参数 甲: 比例 = 10%  不低于 5%  原文 "x"  # 注\n'))
    assert found is not None
    roles = {lx.text: lx.role for lx in found}
    assert roles["参数"] is Role.ITEM and roles["不低于"] is Role.CLAUSE and roles["原文"] is Role.CLAUSE
    assert roles["# 注"] is Role.COMMENT


def test_recurring_dates_are_rewritten_with_the_keywords() -> None:
    zh = formatted(ROOT / "tests" / "fixtures" / "good" / "recurring_deadlines_english.pool", "zh")
    for line in ("每月25日 前:", "次月10日 前:", "每季度首月15日 前:", "每季度底:", "每年9月30日 前:", "次年3月底 前:"):
        assert f"\n    {line}" in zh, line
    en = formatted(ROOT / "tests" / "fixtures" / "good" / "recurring_deadlines_chinese.pool", "en")
    for line in (
        "monthly 25 by:",
        "next-month 10 by:",
        "quarterly first-month 15 by:",
        "yearly 9-30 by:",
        "next-year 3-end by:",
    ):
        assert f"\n    {line}" in en, line


def test_per_scheme_funds_and_scheme_accounts_are_laid_out_and_translated(tmp_path: Path) -> None:
    messy = tmp_path / "schemes.pool"
    messy.write_text(
        "政策 专户 {\n险种 职工医保、居民医保\n主体 财政\n输入 征缴收入:金额   每地区   每险种\n"
        "资金 统筹基金 每险种  结转{\n上解 征缴=征缴收入 自 各地区\n}\n"
        "转移 拨付=1元 自 统筹基金（职工医保） 至 财政\n}\n",
        encoding="utf-8",
    )
    canonical = (
        "政策 专户 {\n  险种 职工医保、居民医保\n  主体 财政\n  输入 征缴收入: 金额 每地区 每险种\n"
        "  资金 统筹基金 每险种 结转 {\n    上解 征缴 = 征缴收入  自 各地区\n  }\n"
        "  转移 拨付 = 1元  自 统筹基金(职工医保)  至 财政\n}\n"
    )
    assert formatted(messy) == canonical
    english = formatted(messy, "en")
    assert "input 征缴收入: 金额 per region per scheme" in english
    assert "fund 统筹基金 per scheme carried {" in english and "from 统筹基金(职工医保)  to 财政" in english
    back = tmp_path / "en.pool"
    back.write_text(english, encoding="utf-8")
    assert formatted(back, "zh") == canonical


# ---- and on random policies (tests/policygen.py): any construct, either keyword language


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(source=policygen.policies(), data=st.data(), keywords=st.sampled_from([None, "en", "zh"]))
def test_formatting_a_generated_policy_keeps_its_ir_and_its_ledger(
    source: str, data: st.DataObject, keywords: str | None
) -> None:
    from compiler.evaluate import env_of
    from compiler.interpreter import EvalError, settle
    from compiler.scenario import load

    with tempfile.TemporaryDirectory() as d:
        original, copy, scenario = Path(d) / "p.pool", Path(d) / "q.pool", Path(d) / "s.json"
        original.write_text(source, encoding="utf-8")
        copy.write_text(formatted(original, keywords), encoding="utf-8")
        assert formatted(copy, keywords) == copy.read_text(encoding="utf-8")  # idempotent
        before, after = check_file(original), check_file(copy)
        assert before.policy is not None and after.policy is not None and after.program is not None
        assert before.program is not None
        assert before.program.main == attrs.evolve(after.program.main, file=before.program.main.file)
        scenario.write_text(json.dumps(data.draw(policygen.scenarios(source)), ensure_ascii=False), encoding="utf-8")
        ledgers = []
        for checked in (before.policy, after.policy):
            scen, errors = load(scenario, checked)
            assert scen is not None, [e.en for e in errors]
            try:
                result = settle(checked, env_of(scen))
            except EvalError as e:  # a period that cannot settle must fail the same way
                ledgers.append(e.en)
                continue
            ledgers.append([(t.source, t.dest, t.amount, t.rule) for t in result.transfers])
        assert ledgers[0] == ledgers[1]


def test_standard_input_is_formatted_to_standard_output_for_editors() -> None:
    result = CliRunner().invoke(main, ["fmt", "-"], input="参数 甲：比例＝10%\n令 乙=甲×2\n".encode())
    assert (result.exit_code, result.stdout) == (0, "参数 甲: 比例 = 10%\n令 乙 = 甲 × 2\n")
    result = CliRunner().invoke(main, ["fmt", "-"], input=b"\xe5\x8f\x82\xe6\x95\xb0 \xff")
    assert result.exit_code == 2 and result.stdout == ""
    assert "<stdin>:1:4: 错误[E106]: 无法读取文件:第 7 字节不是有效的 UTF-8" in result.stderr
