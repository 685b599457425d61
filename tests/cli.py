"""Running `pool` in the test process, as the tests of a command do: the exit code, what it printed
and what it said on stderr, never an exception other than the exit."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from compiler.cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, name: str, text: str) -> str:
    """A file of the test's own, its path as the command line takes it."""
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)
