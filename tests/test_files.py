"""Nothing a user has is lost, and no input hangs a command (issue 14, items 6–9, 13, 14).

`-o` never lands on an input, a FIFO, a device or a directory; it writes through a
symbolic link to its target and keeps the target's permissions and hard links; `fmt -w`
will not overwrite an edit saved while it formatted. Inputs that are not regular files,
or are far too large, are refused before a byte is read.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli import main
from compiler.fileio import FileRefused, signature, write_atomic

ROOT = Path(__file__).resolve().parent.parent
GUIZHOU = ROOT / "policies" / "guizhou_risk_adjustment.pool"
UNFORMATTED = '政策 甲 {\n输入 收入: 金额\n  主体 地方\n  资金 乙 {\n    上解 丙 = 收入  自 地方  原文 "x"\n    转移 丁 = 全部  至 地方  原文 "x"\n  }\n}\n'


def _pool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "compiler.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("command", ["compile", "explain", "graph"])
def test_o_naming_the_input_is_refused_and_the_policy_is_untouched(command: str, tmp_path: Path) -> None:
    policy = tmp_path / "p.pool"
    policy.write_bytes(GUIZHOU.read_bytes())
    link = tmp_path / "link.pool"
    link.symlink_to(policy)
    for target in (policy, link):
        res = CliRunner().invoke(main, [command, str(policy), "-o", str(target), "--lang", "en"])
        assert res.exit_code == 2, res.output
        assert "names the input" in res.output and "choose another name" in res.output
        assert policy.read_bytes() == GUIZHOU.read_bytes()
    assert link.is_symlink()


def test_o_onto_a_fifo_a_device_or_a_directory_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target, kind in ((fifo, "a named pipe (FIFO)"), (Path("/dev/null"), "a character device")):
        res = CliRunner().invoke(main, ["compile", str(GUIZHOU), "-o", str(target), "--lang", "en"])
        assert res.exit_code == 2 and f"is not a regular file but {kind}" in res.output, res.output
    res = CliRunner().invoke(main, ["compile", str(GUIZHOU), "-o", str(tmp_path)])  # click says it first
    assert res.exit_code == 2 and "is a directory" in res.output, res.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_o_empty_is_a_clear_usage_error() -> None:
    res = CliRunner().invoke(main, ["compile", str(GUIZHOU), "-o", "", "--lang", "en"])
    assert res.exit_code == 2 and "-o: needs a file name, not an empty string" in res.output


def test_o_through_a_symlink_writes_its_target_and_keeps_the_link_and_the_mode(tmp_path: Path) -> None:
    real = tmp_path / "real.py"
    real.write_text("old\n", encoding="utf-8")
    os.chmod(real, 0o640)
    link = tmp_path / "link.py"
    link.symlink_to(real)
    res = CliRunner().invoke(main, ["compile", str(GUIZHOU), "-o", str(link)])
    assert res.exit_code == 0, res.output
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text(encoding="utf-8").startswith('"""')
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o640


@pytest.mark.parametrize("mode", [0o444, 0o600, 0o755])
def test_fmt_w_keeps_the_mode_the_symlink_and_the_hard_links(mode: int, tmp_path: Path) -> None:
    real = tmp_path / "p.pool"
    real.write_text(UNFORMATTED, encoding="utf-8")
    os.chmod(real, mode)
    hard = tmp_path / "hard.pool"
    os.link(real, hard)
    link = tmp_path / "link.pool"
    link.symlink_to(real)
    res = CliRunner().invoke(main, ["fmt", "-w", str(link)])
    assert res.exit_code == 0, res.output
    assert link.is_symlink()
    assert stat.S_IMODE(os.stat(real).st_mode) == mode
    assert os.stat(real).st_ino == os.stat(hard).st_ino  # still one file under two names
    assert hard.read_text(encoding="utf-8") == real.read_text(encoding="utf-8") != UNFORMATTED


def test_fmt_w_will_not_overwrite_an_edit_saved_while_it_formats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "p.pool"
    path.write_text(UNFORMATTED, encoding="utf-8")
    import compiler.driver as driver

    original = driver.format_file
    saved = UNFORMATTED.replace("收入", "收入甲")

    def format_then_the_drafter_saves(p: Path, keywords: str | None = None) -> driver.Formatted:
        result = original(p, keywords)
        Path(p).write_text(saved, encoding="utf-8")  # the editor saves while pool is formatting
        return result

    monkeypatch.setattr(driver, "format_file", format_then_the_drafter_saves)
    res = CliRunner().invoke(main, ["fmt", "-w", str(path), "--lang", "en"])
    assert res.exit_code == 2
    assert "the file changed after it was read" in res.output
    assert "0 file(s) reformatted" in res.output
    assert path.read_text(encoding="utf-8") == saved


def test_write_atomic_refuses_when_the_file_changed_since_it_was_read(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("a", encoding="utf-8")
    seen = signature(path)
    path.write_text("bb", encoding="utf-8")
    with pytest.raises(FileRefused):
        write_atomic(path, "c", expect=seen)
    assert path.read_text(encoding="utf-8") == "bb"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]  # no temporary file left


def test_check_refuses_a_fifo_and_a_device_at_once_instead_of_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "p.pool"
    os.mkfifo(fifo)
    for path, kind in ((fifo, "a named pipe (FIFO)"), (Path("/dev/zero"), "a character device")):
        run = _pool("check", str(path), "--lang", "en")  # a hang fails on the timeout
        assert run.returncode == 2 and f"is not a regular file but {kind}" in run.stderr + run.stdout, run


def test_a_policy_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.pool"
    big.write_bytes(b"# " + b"x" * (3 * 1024 * 1024) + b"\n")
    res = CliRunner().invoke(main, ["check", str(big), "--lang", "en"])
    assert res.exit_code == 2 and "over the 2 MB limit: too large for a policy" in res.output, res.output


def test_a_full_disk_on_stdout_is_exit_2_with_a_message_not_a_traceback() -> None:
    with open("/dev/full", "w") as full:
        run = subprocess.run(
            [sys.executable, "-m", "compiler.cli", "compile", str(GUIZHOU)],
            cwd=ROOT,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and "无法写出结果" in run.stderr


def test_fmt_with_standard_input_closed_is_exit_2_not_a_traceback() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "compiler.cli", "fmt", "-"],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        close_fds=True,
    )
    assert run.returncode == 0  # an empty stdin formats to nothing
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sys; os.close(0); sys.stdin = None; from compiler.cli import main; main(['fmt', '-', "
            "'--lang', 'en'])",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 2 and "there is no standard input" in run.stderr and "Traceback" not in run.stderr, (
        run.stderr
    )
