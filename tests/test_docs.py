"""Every pool snippet in the README and docs/ is checked: the docs cannot drift from the language.

```pool blocks must check clean under --strict (notes allowed); ```pool-error CODE blocks
must produce that code. Examples inside a snippet are run and must pass.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from compiler.driver import check_file
from compiler.interpreter.examples import run_examples
from compiler.messages import Severity

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^```(pool(?:-error\s+(\w+))?)\s*\n(.*?)^```", re.M | re.S)


def _snippets() -> list[tuple[str, str | None, str]]:
    out = []
    for doc in DOCS:
        if not doc.exists():
            continue
        text = doc.read_text(encoding="utf-8")
        for m in BLOCK.finditer(text):
            line = text[: m.start()].count("\n") + 1
            out.append((f"{doc.relative_to(ROOT)}:{line}", m[2], m[3]))
    return out


SNIPPETS = _snippets()


def test_the_docs_have_snippets() -> None:
    assert len(SNIPPETS) >= 1


@pytest.mark.parametrize(("where", "code", "text"), SNIPPETS, ids=[s[0] for s in SNIPPETS])
def test_snippet(where: str, code: str | None, text: str, tmp_path: Path) -> None:
    path = tmp_path / "snippet.pool"
    path.write_text(text, encoding="utf-8")
    result = check_file(path)
    found = [(d.code, d.message("en")) for d in result.diagnostics if d.severity is not Severity.NOTE]
    if code is None:
        assert found == [], where
        # A snippet's worked examples must hold too: the arithmetic in the docs is run.
        assert result.policy is not None
        failed = [o.example.label.value for o in run_examples(result.policy) if not o.passed]
        assert failed == [], (where, failed)
    else:
        assert code in [c for c, _ in found], (where, found)
