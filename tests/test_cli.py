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


# ---- issue 19: bugs found by drafters --------------------------------------------------------

_PARTIES = "  主体 市财政\n  主体 省财政\n"


def _policy(body: str) -> str:
    return "政策 测试 {\n" + body + "}\n"


def test_an_example_value_outside_a_parameters_bounds_is_refused(tmp_path: Path) -> None:
    text = _policy(
        "  参数 比例: 比例 待定 不高于 50%\n  输入 收入: 金额\n"
        + _PARTIES
        + '  转移 补助额 = 收入 × 比例  自 省财政 至 市财政  原文 "补助"\n'
        '  例 "一" {\n    已知 比例 = 60%\n    已知 收入 = 100元\n    期望 补助额 = 60元\n  }\n'
    )
    code, out = run("check", write(tmp_path, text))
    assert code == 1
    assert "policy.pool:8:13: 错误[E401]: 算例“一”中参数“比例”的值60%超出其声明的范围(不高于 50%)" in out


def test_a_constant_bound_is_evaluated_and_shown_by_its_value(tmp_path: Path) -> None:
    text = _policy(
        "  参数 额度: 金额 = 5元 不低于 取大(20元, 10元)\n  参数 比例: 比例 = 5% 不低于 10% + 5%\n  输入 收入: 金额\n"
        + _PARTIES
        + '  转移 补助额 = 收入 × 比例 + 额度  自 省财政 至 市财政  原文 "补助"\n'
    )
    code, out = run("check", write(tmp_path, text))
    assert code == 1
    assert "参数“额度”的值5元超出其声明的范围(不低于 20元)" in out
    assert "参数“比例”的值5%超出其声明的范围(不低于 15%)" in out


def test_an_ordering_bound_on_an_enumeration_parameter_is_a_type_error(tmp_path: Path) -> None:
    text = _policy(
        "  枚举 方式 { 按全额, 按差额 }\n  参数 计算方式: 方式 = 按全额 不低于 按全额\n  输入 收入: 金额\n"
        + _PARTIES
        + '  转移 补助额 = 如果 计算方式 = 按全额 则 收入 否则 0元  自 省财政 至 市财政  原文 "补助"\n'
    )
    code, out = run("check", write(tmp_path, text))
    assert code == 1
    assert "policy.pool:3:21: 错误[E302]: 这里需要可比较大小的数值(金额、比例、人数、数值),而实际是方式" in out
    assert "提示: 只有数值有大小之分:枚举、布尔、文本参数不能设“不低于”“不高于”" in out


_BANDS = (
    """  参数 线一: 比例 待定
  参数 线二: 比例 待定
  输入 结余率: 比例
  输入 收入: 金额
"""
    + _PARTIES
)


def _bands(rows: str) -> str:
    return _policy(_BANDS + "  转移 补助额 = 收入 × 分段 结余率 {\n" + rows + '  }  自 省财政 至 市财政  原文 "补助"\n')


def test_identical_non_linear_band_edges_meet(tmp_path: Path) -> None:
    rows = "    0 至 取大(线一, 线二) => 10%\n    取大(线一, 线二) 以上 => 20%\n"
    code, out = run("check", write(tmp_path, _bands(rows)))
    assert code == 0 and "W503" not in out, out


def test_a_reversed_constant_band_has_its_own_message(tmp_path: Path) -> None:
    rows = "    0 至 20% => 10%\n    20% 至 10% => 20%\n    10% 以上 => 30%\n"
    code, out = run("check", write(tmp_path, _bands(rows)))
    assert code == 1
    assert "policy.pool:10:5: 错误[E440]: 这一档的下界20%高于上界10%" in out
    assert "E404" not in out


def test_a_rule_named_like_an_enumeration_member_is_a_name_clash(tmp_path: Path) -> None:
    text = _policy(
        "  枚举 方式 { 按全额, 按差额 }\n  输入 计算方式: 方式\n  输入 收入: 金额\n"
        + _PARTIES
        + '  转移 按全额 = 如果 计算方式 = 按全额 则 收入 否则 0元  自 省财政 至 市财政  原文 "补助"\n'
    )
    code, out = run("check", write(tmp_path, text))
    assert code == 1
    assert "policy.pool:7:6: 错误[E213]: “按全额”与枚举“方式”的成员同名" in out
    assert "E204" not in out and "E301" not in out


def test_band_edges_that_are_reversed_whatever_the_scenario_gives_are_reported(tmp_path: Path) -> None:
    text = _policy(
        "  参数 线一: 比例 = 20% 不低于 20% 不高于 50%\n  参数 线二: 比例 = 10% 不高于 15%\n  输入 结余率: 比例\n"
        "  输入 收入: 金额\n" + _PARTIES + "  转移 补助额 = 收入 × 分段 结余率 {\n"
        "    0 至 线一 => 10%\n    线一 至 线二 => 20%\n    线二 以上 => 30%\n"
        '  }  自 省财政 至 市财政  原文 "补助"\n'
    )
    code, out = run("check", write(tmp_path, text))
    assert code == 1
    assert "policy.pool:10:5: 错误[E440]: 这一档的下界线一高于上界线二" in out
