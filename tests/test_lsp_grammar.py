"""The VS Code grammar: generated from the keyword table, and tested with
vscode-tmgrammar-test on every bundled policy (when Node and the extension's
npm packages are installed: `npm ci` in editors/vscode)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from compiler.lsp import textmate
from compiler.source import SourceFile

ROOT = Path(__file__).resolve().parent.parent
VSCODE = ROOT / "editors" / "vscode"


def test_the_committed_grammar_is_the_generated_one() -> None:
    committed = (ROOT / textmate.OUTPUT).read_text(encoding="utf-8")
    assert committed == textmate.render(), "run: python -m compiler.lsp.textmate"
    assert textmate.main(["--check"]) == 0


def test_every_keyword_of_the_parser_is_coloured_as_a_keyword() -> None:
    grammar = (ROOT / "grammar" / "pool.lark").read_text(encoding="utf-8")
    literals = {w for w in re.findall(r'"([^"\\]+)"', grammar) if re.match(r"\w", w)}
    words = {w for phrase in textmate.keyword_scopes() for w in phrase.split()}
    assert literals <= words, literals - words


def test_the_grammar_is_what_vs_code_reads() -> None:
    package = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    (contributed,) = package["contributes"]["grammars"]
    assert contributed["scopeName"] == textmate.SCOPE
    assert (VSCODE / contributed["path"]).resolve() == (ROOT / textmate.OUTPUT).resolve()
    data = json.loads((ROOT / textmate.OUTPUT).read_text(encoding="utf-8"))
    for pattern in data["repository"]["keywords"]["patterns"]:
        re.compile(pattern["match"])  # Python reads Oniguruma's subset used here


def test_a_case_asserts_what_the_parser_reads() -> None:
    case = textmate.syntax_test(SourceFile("t.pool", '政策 示例 {\n  参数 基础上解比例: 比例 = 10%  原文 "上解"\n}\n'))
    assert case is not None
    lines = case.splitlines()
    assert lines[0] == '# SYNTAX TEST "source.pool" "t.pool"'
    assert "# <-- storage.type.pool" in lines  # 政策 at the start of the line
    assert "#    ^^^^^^ entity.name.function.pool" in lines  # the declared name, not its 上解
    assert "#                 ^^^ constant.numeric.percent.pool" in lines
    assert "#                      ^^ keyword.other.pool" in lines  # 原文
    assert "#                         ^^^^ string.quoted.double.pool" in lines


TOOL = VSCODE / "node_modules" / ".bin" / "vscode-tmgrammar-test"


@pytest.mark.skipif(not (shutil.which("node") and TOOL.exists()), reason="needs node and `npm ci` in editors/vscode")
def test_the_grammar_colours_every_bundled_policy_as_the_parser_reads_it() -> None:
    out = subprocess.run(
        ["bash", str(VSCODE / "test" / "run-grammar-tests.sh")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert out.stdout.count("run successfuly") == 2 * len(
        [*ROOT.glob("policies/*.pool"), *ROOT.glob("stdlib/**/*.pool")]
    )


@pytest.mark.skipif(not shutil.which("node"), reason="needs node")
def test_the_vscode_client_starts_pool_lsp_with_the_settings() -> None:
    # vscode and vscode-languageclient are stubbed in the test: no npm packages needed.
    out = subprocess.run(
        ["node", "--test", "test/extension.test.js"],
        cwd=VSCODE,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "# pass 3" in out.stdout and "# fail 0" in out.stdout
