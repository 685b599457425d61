"""docs/architecture.md's stage diagram is the code's: regenerate it with
`python scripts/architecture.py` when the imports between stages change."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _generated() -> tuple[str, str]:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import architecture
    finally:
        sys.path.pop(0)
    return architecture.committed(), architecture.diagram()


def test_the_committed_diagram_is_the_one_the_imports_give() -> None:
    committed, generated = _generated()
    assert committed == generated


def test_no_backend_reads_the_parser_or_the_checks() -> None:
    _, generated = _generated()
    for backend in ("interpreter", "codegen", "vector", "explain", "plan"):
        for upstream in ("parsing", "checks", "driver"):
            assert f"{backend} --> {upstream}" not in generated
