"""Data-driven check tests: each fixture states the diagnostics it must produce.

A bad fixture starts with lines `# expect: CODE LINE:COL`; the errors and warnings
`pool check` reports must be exactly those. Notes (I6xx) are asserted when listed.
`# message: TEXT` asserts the first expected diagnostic's Chinese message contains TEXT.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from compiler.driver import check_file
from compiler.interpreter.examples import run_examples
from compiler.messages import CODES, Severity

FIXTURES = Path(__file__).parent / "fixtures"
BAD = sorted((FIXTURES / "bad").glob("*.pool"))
GOOD = sorted((FIXTURES / "good").glob("*.pool"))


def _expectations(path: Path) -> tuple[list[tuple[str, int, int]], list[str]]:
    expected: list[tuple[str, int, int]] = []
    messages: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"#\s*expect:\s*(\w+)\s+(\d+):(\d+)\s*$", line):
            expected.append((m[1], int(m[2]), int(m[3])))
        elif m := re.match(r"#\s*message:\s*(.+?)\s*$", line):
            messages.append(m[1])
    return expected, messages


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_fixture_reports_exactly_what_it_expects(path: Path) -> None:
    expected_list, messages = _expectations(path)
    expected = set(expected_list)
    assert expected, f"{path.name} has no '# expect:' line"
    result = check_file(path)
    got = {(d.code, d.span.line, d.span.column) for d in result.diagnostics if d.severity is not Severity.NOTE}
    got_notes = {(d.code, d.span.line, d.span.column) for d in result.diagnostics if d.severity is Severity.NOTE}
    expected_notes = {e for e in expected if CODES[e[0]].severity is Severity.NOTE}
    assert got == expected - expected_notes
    assert expected_notes <= got_notes
    first = expected_list[0]
    for text in messages:
        match = [d for d in result.diagnostics if (d.code, d.span.line, d.span.column) == first]
        assert any(text in d.message("zh") for d in match), [d.message("zh") for d in match]


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.stem)
def test_good_fixture_is_clean_even_under_strict(path: Path) -> None:
    result = check_file(path)
    assert [d for d in result.diagnostics if d.severity is not Severity.NOTE] == []
    assert result.ok
    # What checks clean must also run: its examples pass on both engines' oracle.
    assert result.policy is not None
    assert [o.example.label.value for o in run_examples(result.policy) if not o.passed] == []


def test_every_code_has_a_bad_fixture() -> None:
    covered = {e[0] for p in BAD for e in _expectations(p)[0]}
    # E106 (unreadable file) is exercised in test_cli and test_files; E109 (nesting too deep) and
    # E112 (a chain of over 1,000 derived values) in test_limits, at and just past the limits.
    missing = sorted(set(CODES) - covered - {"E106", "E109", "E112"})
    assert missing == []
