"""pool compile, explain and graph write -o files atomically: an error or an interrupt in the
middle of a write leaves the old file (or none), never part of the new one, and no temporary
file behind. (pool fmt --write is covered where fmt is built.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from budget import tally
from click.testing import CliRunner

import compiler.fileio
from compiler.cli import main

ROOT = Path(__file__).resolve().parents[2]
POLICY = str(ROOT / "policies" / "guizhou_risk_adjustment.pool")
COMMANDS = [["compile"], ["explain"], ["explain", "--format", "md"], ["graph"]]
OLD = "旧文件 old file\n"


class _Breaks:
    """A file whose write stops half way with the given exception."""

    def __init__(self, f: Any, exc: BaseException) -> None:
        self.f, self.exc = f, exc

    def write(self, text: str) -> int:
        self.f.write(text[: len(text) // 2])
        self.f.flush()
        raise self.exc

    def __getattr__(self, name: str) -> Any:
        return getattr(self.f, name)

    def __enter__(self) -> _Breaks:
        return self

    def __exit__(self, *args: object) -> None:
        self.f.close()


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize(
    "exc", [OSError(28, "No space left on device"), KeyboardInterrupt(), RuntimeError("bug")], ids=type
)
@pytest.mark.parametrize("existing", [True, False], ids=["over an old file", "new file"])
def test_a_write_that_fails_half_way_leaves_the_old_file_and_no_temporary(
    command: list[str], exc: BaseException, existing: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out" / "result.txt"
    out.parent.mkdir()
    if existing:
        out.write_text(OLD, encoding="utf-8")
    real = os.fdopen
    monkeypatch.setattr(compiler.fileio.os, "fdopen", lambda *a, **k: _Breaks(real(*a, **k), exc))
    run = CliRunner().invoke(main, [*command, POLICY, "-o", str(out)])
    assert run.exit_code != 0
    assert sorted(p.name for p in out.parent.iterdir()) == (["result.txt"] if existing else [])
    if existing:
        assert out.read_text(encoding="utf-8") == OLD
    if isinstance(exc, OSError):
        assert run.exit_code == 2 and "No space left on device" in run.output  # a usage error, not a traceback
    tally("atomic writes: failure injected mid-write")


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_write_that_succeeds_replaces_the_whole_file(command: list[str], tmp_path: Path) -> None:
    out = tmp_path / "result.txt"
    out.write_text(OLD, encoding="utf-8")
    run = CliRunner().invoke(main, [*command, POLICY, "-o", str(out)])
    assert run.exit_code == 0, run.output
    stdout = CliRunner().invoke(main, [*command, POLICY]).stdout
    assert out.read_text(encoding="utf-8") == stdout
    assert [p.name for p in tmp_path.iterdir()] == ["result.txt"]
    assert out.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# A child that writes half, says so, and waits to be interrupted.
SLOW = """
import os, sys, time
import compiler.fileio
from compiler.cli import main
real = os.fdopen
class Slow:
    def __init__(self, f): self.f = f
    def write(self, text):
        self.f.write(text[: len(text) // 2]); self.f.flush()
        open(sys.argv[1], "w").close()
        time.sleep(60)
        return self.f.write(text[len(text) // 2 :])
    def __getattr__(self, name): return getattr(self.f, name)
    def __enter__(self): return self
    def __exit__(self, *a): self.f.close()
compiler.fileio.os.fdopen = lambda *a, **k: Slow(real(*a, **k))
main(sys.argv[2:])
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
@pytest.mark.parametrize("command", [["compile"], ["explain"], ["graph"]], ids=" ".join)
def test_a_process_killed_mid_write_leaves_the_old_file(
    sig: signal.Signals, command: list[str], tmp_path: Path
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "result.txt"
    out.write_text(OLD, encoding="utf-8")
    marker = tmp_path / "half-written"
    child = subprocess.Popen(
        [sys.executable, "-c", SLOW, str(marker), *command, POLICY, "-o", str(out)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert child.poll() is None and time.monotonic() < deadline, child.stderr.read() if child.stderr else ""
        time.sleep(0.02)
    assert len(list(out_dir.iterdir())) == 2  # the target and the half-written temporary file
    child.send_signal(sig)
    child.wait(timeout=30)
    assert child.returncode != 0
    assert out.read_text(encoding="utf-8") == OLD
    left = sorted(p.name for p in out_dir.iterdir())
    if sig is signal.SIGKILL:  # nothing runs after SIGKILL: a hidden temporary file may stay, the target is whole
        assert left[-1] == "result.txt" and all(n.startswith(".result.txt.") and n.endswith(".tmp") for n in left[:-1])
    else:
        assert left == ["result.txt"]
    tally("atomic writes: process interrupted mid-write")
