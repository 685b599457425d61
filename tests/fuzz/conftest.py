"""Fuzz tests: bounded in CI, scaled up by POOL_FUZZ_SCALE for the long run (docs/robustness.md)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/policygen.py
sys.path.insert(0, str(Path(__file__).resolve().parent))  # budget.py

from budget import COUNTS


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With POOL_FUZZ_REPORT=FILE, write how many cases each surface ran (the figures in the doc)."""
    report = os.environ.get("POOL_FUZZ_REPORT")
    if report and COUNTS:
        Path(report).write_text(
            json.dumps(dict(sorted(COUNTS.items())), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
