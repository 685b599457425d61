"""Crashes the fuzz tests found, each pinned by the smallest input that showed it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text", ["", "# 只有注释\n", (ROOT / "stdlib" / "causes.pool").read_text(encoding="utf-8")])
def test_explain_of_a_file_without_a_policy_is_exit_2_not_a_traceback(text: str, tmp_path: Path) -> None:
    path = tmp_path / "module.pool"
    path.write_text(text, encoding="utf-8")
    run = CliRunner().invoke(main, ["explain", "--lang", "en", str(path)])
    assert run.exit_code == 2 and isinstance(run.exception, SystemExit)
    assert "declares no policy" in run.output


def test_a_lone_carriage_return_does_not_move_the_caret_to_another_line(tmp_path: Path) -> None:
    """Lark counts lines by \\n; the snippet and the end-of-file span used str.splitlines (\\r, \\x0c, U+2028 …)."""
    from compiler.diagnostics import render_text
    from compiler.driver import check_file

    path = tmp_path / "cr.pool"
    path.write_bytes("参数 甲: 比例 = 10%\r# 注释\u2028\x0c\n政策 {".encode())
    result = check_file(path)
    [d] = result.errors
    assert (d.code, d.span.line) == ("E101", 3)  # a lone \r ends a line (issue 14 item 5)
    shown = render_text(result.diagnostics, result.sources, "en")
    assert "3 | 政策 {" in shown and "\r" not in shown and "\u2028" not in shown


@pytest.mark.parametrize(
    "text",
    [
        '{"period": ' + "9" * 5000 + "}",
        '{"period": "²"}',
        "period: ²\n",
        '{"params": {"附加上解比例": "' + "9" * 200_000 + '"}}',
    ],
    ids=["integer of 5000 digits", "superscript two", "superscript two (YAML)", "value of 200,000 digits"],
)
def test_numbers_python_cannot_convert_are_a_clear_exit_2(text: str, tmp_path: Path) -> None:
    """int() refuses over 4300 digits and takes ² as a digit it cannot convert: both were tracebacks."""
    path = tmp_path / ("s.yaml" if text.startswith("period:") else "s.json")
    path.write_text(text, encoding="utf-8")
    run = CliRunner().invoke(
        main, ["run", "--lang", "en", str(ROOT / "policies" / "guizhou_risk_adjustment.pool"), str(path)]
    )
    assert run.exit_code == 2 and isinstance(run.exception, SystemExit), run.output
    assert run.stderr.startswith(str(path)) and len(run.stderr) < 2000  # a megabyte value is not echoed back


def test_a_nul_or_bidi_control_in_a_quote_cannot_break_or_disguise_the_generated_module(tmp_path: Path) -> None:
    """原文 goes into comments: a NUL made the module unimportable (SyntaxError), a U+202E could
    make a comment display as code (Trojan Source)."""
    import ast

    source = (
        '政策 测试 {\n  输入 收入: 金额\n  主体 财政\n  转移 转出 = 收入  自 财政  至 财政  原文 "a\\x00b\\u202ec"\n}\n'
    )
    source = source.replace("\\x00", "\x00").replace("\\u202e", "\u202e")
    path = tmp_path / "nul.pool"
    path.write_text(source, encoding="utf-8")
    run = CliRunner().invoke(main, ["compile", str(path), "-o", str(tmp_path / "m.py")])
    assert run.exit_code == 0, run.output
    code = (tmp_path / "m.py").read_text(encoding="utf-8")
    ast.parse(code)
    assert "\x00" not in code and "\u202e" not in code and "a[U+0000]b[U+202E]c" in code


def test_explain_of_an_example_expecting_a_region_it_does_not_list(tmp_path: Path) -> None:
    """An 期望 for 丙县 in an example of 甲区、乙区: pool test fails the example, explain raised KeyError."""
    text = (ROOT / "policies" / "jilin_city_pooling.pool").read_text(encoding="utf-8")
    first = '例 "正常缺口由市级结余基金足额补足" {\n'
    assert first in text
    text = text.replace(first, first + "    期望 市州政府补足额 = {甲区: 0元, 乙区: 1000万元, 丙县: 0元}\n", 1)
    path = tmp_path / "jilin.pool"
    path.write_text(text, encoding="utf-8")
    for lang in ("zh", "en"):
        run = CliRunner().invoke(main, ["explain", "--lang", lang, str(path)])
        assert run.exit_code == 0 and run.exception is None, repr(run.exception)


def test_a_policy_name_equal_to_a_fallback_name_does_not_share_its_code(tmp_path: Path) -> None:
    """`_private` is not usable as written and became f0, as did a fund named f0: one method
    served both funds, and a fund was left holding money (found by tests/fuzz/test_injection.py)."""
    from decimal import Decimal

    from policygen import check_source

    from compiler.evaluate import compiled_module

    source = """政策 测试 {
  输入 _私有: 金额 每地区
  输入 n0: 金额 每地区
  输入 收入: 金额 每地区
  主体 财政
  资金 _private {
    上解 上解额 = 收入 + n0 + _私有  自 各地区  原文 "x"
    转移 转出 = 全部  至 财政  原文 "x"
  }
  资金 f0 结转 {
    补助 补助额 = 收入  至 各地区  不足时 按比例  原文 "x"
  }
}
"""
    checked = check_source(source)
    module = compiled_module(checked, source)
    data = {"收入": {"甲": Decimal("1.00")}, "n0": {"甲": Decimal("2.00")}, "_私有": {"甲": Decimal("4.00")}}
    out = module.evaluate(["甲"], {}, data, {"f0": Decimal("10.00")})
    assert [(t.source, t.dest, t.amount) for t in out.transfers] == [
        ("甲", "_private", Decimal("7.00")),
        ("_private", "财政", Decimal("7.00")),
        ("f0", "甲", Decimal("1.00")),
    ]
    assert out.closing == {"f0": Decimal("9.00")}
