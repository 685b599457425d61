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
