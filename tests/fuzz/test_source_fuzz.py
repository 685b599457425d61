"""Mutated bundled policies: `pool check` never raises, every diagnostic points into the file.

Mutations are the slips of people and of copy-paste out of Word and PDFs: tokens and lines
deleted, duplicated or swapped, random Unicode inserted (full-width punctuation, zero-width
and bidi controls, CJK, emoji, controls), the file cut anywhere. A mutant that still checks
clean must also compile and explain.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from budget import fuzz, tally
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from compiler.cli import main
from compiler.diagnostics import Diagnostic, render_text, to_json
from compiler.driver import check_file

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "policies").glob("*.pool")) + sorted((ROOT / "stdlib").rglob("*.pool"))
TEXTS = [p.read_text(encoding="utf-8") for p in SEEDS]
TOKEN = re.compile(r"\s+|\w+|[^\w\s]")
# What an IME, a word processor or a hostile file puts between the tokens.
NASTY = list("：，（）％；。“”「」【】、｛｝＝＋－×÷→⇒《》…—·！？ 　") + [
    "\u200b",
    "\u200c",
    "\u200d",
    "\ufeff",
    "\u2060",  # zero-width
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",  # bidi
    "\u0000",
    "\u0007",
    "\u001b",
    "\r",
    "\x0b",
    "\x0c",
    "\u0085",
    "\u2028",
    "\u2029",  # controls, odd newlines
    "\ud7ff",
    "\U0001f600",
    "\U00020000",
    "e\u0301",
    "\ufffd",
    "ＡＢＣ",
    "１２３",
    "\\",
    '"',
    "#",
    "//",
]


@st.composite
def mutants(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        text = draw(_mutate(text))
    return text


@st.composite
def _mutate(draw: st.DrawFn, text: str) -> str:
    kind = draw(st.sampled_from(["token", "line", "insert", "cut"]))
    if kind == "cut":
        return text[: draw(st.integers(0, len(text)))]
    if kind == "insert":
        at = draw(st.integers(0, len(text)))
        junk = draw(st.one_of(st.sampled_from(NASTY), st.text(min_size=1, max_size=3)))
        return text[:at] + junk + text[at:]
    parts = TOKEN.findall(text) if kind == "token" else text.splitlines(keepends=True)
    if not parts:
        return text
    i = draw(st.integers(0, len(parts) - 1))
    j = draw(st.integers(0, len(parts) - 1))
    op = draw(st.sampled_from(["delete", "duplicate", "swap"]))
    if op == "delete":
        del parts[i]
    elif op == "duplicate":
        parts.insert(j, parts[i])
    else:
        parts[i], parts[j] = parts[j], parts[i]
    return "".join(parts)


def _span_ok(d: Diagnostic, lines: list[str]) -> bool:
    s = d.span
    if not (1 <= s.line <= max(len(lines), 1) + 1 and s.column >= 1):
        return False
    if (s.end_line, s.end_column) < (s.line, s.column):
        return False
    width = len(lines[s.line - 1]) if s.line <= len(lines) else 0
    return s.column <= width + 2


@fuzz(400)
@given(mutants())
def test_check_never_raises_on_a_mutated_policy(source: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "mutant.pool"
        path.write_bytes(source.encode("utf-8", errors="surrogatepass"))
        result = check_file(path)
        shown = next(iter(result.sources), None)
        for diag in result.diagnostics:
            if diag.span.file == shown:  # spans in an imported stdlib module point there
                text = result.sources[shown].text
                assert _span_ok(diag, text.split("\n")), (diag.code, diag.span, diag.message("en"))
        for lang in ("zh", "en"):
            render_text(result.diagnostics, result.sources, lang)
            to_json(result.diagnostics, lang)
        run = CliRunner().invoke(main, ["check", "--lang", "en", str(path)])
        assert run.exit_code in (0, 1, 2) and (run.exception is None or isinstance(run.exception, SystemExit)), (
            run.output
        )
        tally("source mutants: pool check")
        if result.ok:
            tally("source mutants that check clean: compile and explain")
            for command in (["compile", str(path)], ["explain", str(path)]):
                out = CliRunner().invoke(main, command)
                assert out.exit_code in (0, 1, 2) and (
                    out.exception is None or isinstance(out.exception, SystemExit)
                ), (command, out.output)


@fuzz(150)
@given(st.binary(max_size=300) | st.text(max_size=200).map(lambda t: t.encode("utf-8", errors="surrogatepass")))
def test_check_never_raises_on_random_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "random.pool"
        path.write_bytes(data)
        run = CliRunner().invoke(main, ["check", str(path)])
        assert run.exit_code in (0, 1, 2) and (run.exception is None or isinstance(run.exception, SystemExit)), (
            run.output
        )
        tally("random bytes: pool check")
