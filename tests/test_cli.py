"""`pool check` as a drafter and an editor see it: exit codes, rendering, languages, JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli import main

GOLDEN = Path(__file__).parent / "golden"

TYPO = """\
参数 基础上解比例: 比例 = 10%  不低于 10%
输入 上年度征缴收入: 金额 每地区
资金 基础调剂金 {
  上解 基础上解额 = 上年度征缴收入 × 基础上解比率  自 各地区  原文 "按不低于10%的比例上解"
  分配 基础分配额 = 全部 至 各地区 按 上年度征缴收入  原文 "分配各市(州)"
}
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def write(tmp_path: Path, text: str, name: str = "policy.pool") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_bundled_policy_checks_clean_and_lists_open_parameters(root: Path) -> None:
    code, out = run("check", str(root / "policies" / "guizhou_risk_adjustment.pool"))
    assert code == 0
    assert "0 个错误,0 个警告,3 个提示" in out
    for name in ("参保人数权重", "附加上解比例", "支出增幅警戒线"):
        assert f"参数“{name}”待定" in out


def test_misspelt_name_renders_like_a_compiler(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, TYPO)
    code, out = run("check", "policy.pool")
    assert code == 1
    assert out == (GOLDEN / "typo.zh.txt").read_text(encoding="utf-8")
    code, out = run("check", "policy.pool", "--lang", "en")
    assert out == (GOLDEN / "typo.en.txt").read_text(encoding="utf-8")


def test_json_format_gives_editors_positions_and_hints(tmp_path: Path) -> None:
    code, out = run("check", write(tmp_path, TYPO), "--format", "json")
    assert code == 1
    [d] = json.loads(out)
    assert (d["code"], d["severity"], d["line"], d["column"], d["end_column"]) == ("E201", "error", 4, 24, 30)
    assert d["message"] == "未定义的名称“基础上解比率”"
    assert d["hint"] == "你是不是想写“基础上解比例”?"


def test_all_errors_of_a_run_are_reported_sorted(tmp_path: Path) -> None:
    text = TYPO.replace("不低于 10%", "不低于 20%").replace("按 上年度征缴收入", "按 参保人")
    code, out = run("check", write(tmp_path, text), "--format", "json")
    assert code == 1
    found = [(d["code"], d["line"]) for d in json.loads(out)]
    assert found == [("E401", 1), ("E201", 4), ("E201", 5)]


def test_warnings_pass_unless_strict(tmp_path: Path) -> None:
    path = write(tmp_path, "参数 未用参数: 比例 = 10%\n")
    assert run("check", path)[0] == 0
    code, out = run("check", path, "--strict")
    assert code == 1
    assert "警告[W501]: 参数“未用参数”没有被使用" in out


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    code, out = run("check", str(tmp_path / "nowhere.pool"))
    assert code == 2
    assert "E106" in out and "nowhere.pool" in out


def test_non_utf8_file_points_at_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "gbk.pool"
    path.write_bytes("参数 x: 比例 = 10%\n# 注释\n".encode() + "参数".encode("gbk"))
    code, out = run("check", str(path))
    assert code == 2
    assert "gbk.pool:3:1: 错误[E106]" in out


def test_fullwidth_punctuation_from_an_ime_is_accepted(tmp_path: Path) -> None:
    text = (
        "参数 比例甲：比例 ＝ 10％；\n输入 收入：金额 每地区；\n"
        "资金 留存金 结转 ｛ 上解 上解额 ＝ 收入 × 取大（比例甲，5％） 自 各地区 原文 “按比例上解”；｝\n"
    )
    code, out = run("check", write(tmp_path, text), "--strict")
    assert (code, out.strip()) == (0, "0 个错误,0 个警告,0 个提示")


def test_fullwidth_character_we_do_not_accept_names_the_ascii_one(tmp_path: Path) -> None:
    code, out = run("check", write(tmp_path, "参数 x: 比例 = 10%\n令 y = x ＂\n"), "--lang", "en")
    assert code == 1
    assert "policy.pool:2:9: error[E102]: unrecognised character ‘＂’" in out
    assert 'hint: use the ASCII character ‘"’ instead' in out


def test_keyword_run_into_a_name_gets_a_spacing_hint(tmp_path: Path) -> None:
    code, out = run("check", write(tmp_path, "令 a = 如果擅自 则 1 否则 2\n"))
    assert code == 1
    assert "关键字“如果”后需要空格:写成“如果 擅自”" in out


def test_cut_off_file_points_at_the_unclosed_brace(tmp_path: Path) -> None:
    code, out = run("check", write(tmp_path, '资金 基础调剂金 {\n  上解 甲 = 1元 原文 "x"\n'))
    assert code == 1
    assert "错误[E103]: 文件在此处意外结束" in out
    assert "这里打开的“{”没有闭合" in out


def test_pathologically_deep_expression_is_a_diagnostic(tmp_path: Path) -> None:
    terms = " + ".join(["1元"] * 100_000)
    code, out = run("check", write(tmp_path, f"令 总 = {terms}\n"))
    assert code == 1
    assert (
        "policy.pool:1:1: 错误[E109]: 表达式过长或嵌套过深(上千层,上限150层;一长串加减的每一项也算一层),请拆成几个派生值"
        in out
    )


@pytest.mark.parametrize("command", ["compile", "explain"])
def test_an_unwritable_output_path_is_exit_2_with_the_reason(command: str, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from compiler.cli import main

    target = tmp_path / "missing-dir" / "out.txt"
    result = CliRunner().invoke(
        main,
        [
            command,
            str(Path(__file__).resolve().parent.parent / "policies" / "guizhou_risk_adjustment.pool"),
            "-o",
            str(target),
        ],
    )
    assert result.exit_code == 2
    assert "No such file or directory" in result.output and "Traceback" not in result.output
    assert not target.parent.exists()
