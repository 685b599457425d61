"""The built parser is kept on disk between runs; a bad or missing cache never changes a result."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

POLICY = Path(__file__).resolve().parent.parent / "policies" / "guizhou_risk_adjustment.pool"
TYPO = "参数 比例A: 比例 = 10%\n令 b = 比例B × 2\n"


def check(cache: Path, path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "POOL_CACHE_DIR": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "compiler.cli", "check", str(path)], capture_output=True, text=True, env=env, timeout=120
    )


def cached_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("parser-*.pickle"))


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, Path]:
    """What pool check says of a clean policy and of a typo, with a parser built from scratch."""
    cache = tmp_path_factory.mktemp("fresh")
    typo = tmp_path_factory.mktemp("src") / "typo.pool"
    typo.write_text(TYPO, encoding="utf-8")
    clean = check(cache, POLICY)
    assert clean.returncode == 0, clean.stderr
    bad = check(cache, typo)
    assert bad.returncode == 1
    assert "比例B" in bad.stdout + bad.stderr
    return clean.stdout, bad.stdout, typo


def test_first_run_stores_the_parser_and_later_runs_use_it(tmp_path: Path, expected: tuple[str, str, Path]) -> None:
    first = check(tmp_path, POLICY)
    assert first.returncode == 0 and first.stdout == expected[0]
    [stored] = cached_files(tmp_path)
    written = stored.stat().st_mtime_ns
    again = check(tmp_path, POLICY)
    assert again.returncode == 0 and again.stdout == expected[0]
    assert cached_files(tmp_path) == [stored] and stored.stat().st_mtime_ns == written  # read, not rebuilt


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "not a parser"])
def test_a_damaged_cache_file_is_rebuilt_and_the_result_is_the_same(
    tmp_path: Path, expected: tuple[str, str, Path], damage: str
) -> None:
    check(tmp_path, POLICY)
    [stored] = cached_files(tmp_path)
    data = stored.read_bytes()
    stored.write_bytes(
        {
            "truncated": data[: len(data) // 2],
            "garbage": os.urandom(4096),
            "empty": b"",
            "not a parser": b"\x80\x05K\x2a.",  # a pickled 42
        }[damage]
    )
    bad = check(tmp_path, expected[2])
    assert bad.returncode == 1 and bad.stdout == expected[1]
    assert "Traceback" not in bad.stderr
    [rebuilt] = cached_files(tmp_path)
    written = rebuilt.stat().st_mtime_ns
    assert check(tmp_path, POLICY).stdout == expected[0]
    assert rebuilt.stat().st_mtime_ns == written  # stored again, whole: the next run reads it


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to a read-only directory")
def test_an_unwritable_cache_directory_only_costs_time(tmp_path: Path, expected: tuple[str, str, Path]) -> None:
    tmp_path.chmod(0o500)
    try:
        result = check(tmp_path / "pool", POLICY)
    finally:
        tmp_path.chmod(0o700)
    assert result.returncode == 0 and result.stdout == expected[0]


def test_a_cache_path_that_is_a_file_only_costs_time(tmp_path: Path, expected: tuple[str, str, Path]) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("not a directory", encoding="utf-8")
    result = check(blocker, POLICY)
    assert result.returncode == 0 and result.stdout == expected[0]
    assert "Traceback" not in result.stderr
