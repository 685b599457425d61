"""A non-editable install carries the grammar and the standard library with it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_installed_in_a_fresh_venv_checks_a_policy_from_another_directory(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(ROOT)],
        check=True,
    )
    [wheel] = dist.glob("pool_lang-*.whl")
    # The venv sees the test environment's lark, attrs, jinja2 and click through a .pth
    # line (not system_site_packages: on a fresh machine the base interpreter has none of
    # them), so the test needs no network. A .pth line adds a directory without running
    # the .pth files in it, so the editable install of this checkout stays invisible.
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    purelib = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(ROOT / "policies" / "guizhou_risk_adjustment.pool", elsewhere / "贵州.pool")
    where = subprocess.run(
        [str(py), "-c", "import compiler, compiler.resources as r; print(compiler.__file__); print(r.grammar_path())"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(env_dir) in where and str(ROOT) not in where

    run = subprocess.run(
        [str(env_dir / "bin" / "pool"), "check", "贵州.pool"], cwd=elsewhere, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 个错误,0 个警告,3 个提示" in run.stdout
