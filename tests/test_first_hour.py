"""The first hour of a new user (issue 20): `pool new` gives a policy that checks clean and
whose example and case pass, `explain -o x.md` writes Markdown, no help text names a file
the project lacks, and the README says how to reach `pool`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("name", ["我的政策", "my-policy"])
def test_new_policy_checks_clean_and_its_example_and_case_pass(tmp_path: Path, name: str) -> None:
    folder = tmp_path / name
    code, out, err = run("new", folder)
    assert code == 0, err
    policy = folder / f"{name}.pool"
    assert f"已创建 {policy.as_posix()}" in out and (folder / f"{name}.cases.yaml").exists()
    code, out, _ = run("check", "--strict", policy)
    assert (code, out) == (0, "0 个错误,0 个警告,0 个提示\n")
    code, out, _ = run("test", folder)
    assert code == 0 and "2 passed, 0 failed" in out
    code, out, _ = run("run", policy, folder / f"{name}_2026.json")
    assert code == 0 and "20,500,000.00" in out
    code, _, _ = run("fmt", "--check", policy)
    assert code == 0


def test_new_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "p.pool"
    target.write_text("# mine\n", encoding="utf-8")
    code, _, err = run("new", target)
    assert code == 2 and "已存在" in err
    assert target.read_text(encoding="utf-8") == "# mine\n"
    assert not (tmp_path / "p.cases.yaml").exists()


def test_explain_takes_the_format_from_the_output_name(tmp_path: Path) -> None:
    policy = ROOT / "policies" / "guizhou_risk_adjustment.pool"
    for name, start in (("x.md", "# "), ("x.html", "<!DOCTYPE html>"), ("x.htm", "<!DOCTYPE html>")):
        assert run("explain", policy, "-o", tmp_path / name)[0] == 0
        assert (tmp_path / name).read_text(encoding="utf-8").startswith(start)
    assert run("explain", policy, "-o", tmp_path / "y.md", "--format", "html")[0] == 0
    assert (tmp_path / "y.md").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_no_help_text_names_a_file_the_project_lacks() -> None:
    texts = [run(command, "--help")[1] for command in COMMANDS] + [run("--help")[1]]
    named = {m for text in texts for m in re.findall(r"[\w./-]+\.md\b", text)}
    assert all((ROOT / m).exists() for m in named), named
    assert not any("DESIGN" in t for t in texts)


def test_readme_and_tutorials_say_how_to_reach_pool() -> None:
    for doc in ("README.md", "docs/tutorial.md", "docs/tutorial.en.md"):
        text = (ROOT / doc).read_text(encoding="utf-8")
        assert (
            "source .venv/bin/activate" in text and ".venv\\Scripts\\activate" in text and ".venv/bin/pool" in text
        ), doc
