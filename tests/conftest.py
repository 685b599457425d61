from __future__ import annotations

from pathlib import Path

import pytest

from compiler.limits import allow_deep_recursion

# Every pool entry point raises the limit on first use; raising it once here keeps it steady for
# hypothesis, which otherwise warns that a test changed it.
allow_deep_recursion()

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def root() -> Path:
    return ROOT
