"""约束 / constraint: decided at compile time where the policy fixes every value it reads (E441),
and on every scenario before settling, the same on every engine (exit 2, never a traceback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import compiler as pool
from compiler.cli import main
from compiler.driver import check_source
from tests.cli import run

POLICY = """政策 筹资 {{
  地区 市州
  地区集 市州 {{ 甲市, 乙市 }}
  参数 单位部分: 金额 = {unit}
  参数 个人部分: 金额 = 30元  不低于 0元
  参数 财政补助: 金额 = 10元
  约束 单位部分 + 个人部分 + 财政补助 >= 100元  原文 "筹资标准每人每年不低于100元"  条款 "第三条"
  参数 权重甲: 比例 待定
  参数 权重乙: 比例 待定
  约束 权重甲 + 权重乙 = 100%  原文 "各因素权重之和为100%"
  输入 下限: 金额 每地区
  输入 上限: 金额 每地区
  约束 下限 < 上限
  输入 收入: 金额 每地区
  资金 调剂金 {{
    上解 上解额 = 收入 × 权重甲  自 各地区  原文 "上解"
    分配 分配额 = 全部  至 各地区  按 收入  原文 "分配"
  }}
}}
"""


def codes(unit: str) -> list[str]:
    return [d.code for d in check_source(POLICY.format(unit=unit), "p.pool").diagnostics]


def scenario(tmp_path: Path, a: str = "60%", b: str = "40%", low: str = "1", name: str = "s.json") -> Path:
    data = {
        "params": {"权重甲": a, "权重乙": b},
        "regions": {
            "甲市": {"收入": "100", "下限": "1", "上限": "2"},
            "乙市": {"收入": "300", "下限": low, "上限": "2"},
        },
    }
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    path = tmp_path / "p.pool"
    path.write_text(POLICY.format(unit="60元"), encoding="utf-8")
    return path


# ---- at compile time


def test_a_constraint_the_policy_breaks_is_an_error_quoting_its_clause(tmp_path: Path) -> None:
    path = tmp_path / "p.pool"
    path.write_text(POLICY.format(unit="50元"), encoding="utf-8")
    code, out, _ = run("check", str(path))
    assert code == 1
    assert f"{path}:7:6: 错误[E441]: 约束不成立(原文“筹资标准每人每年不低于100元”)" in out
    assert "单位部分 = 50元、个人部分 = 30元、财政补助 = 10元" in out  # the values that break it
    code, out, _ = run("check", "--lang", "en", str(path))
    assert "error[E441]: the constraint does not hold (quote “筹资标准每人每年不低于100元”)" in out


def test_a_constraint_that_holds_or_waits_for_a_scenario_says_nothing() -> None:
    assert "E441" not in codes("60元")  # 60 + 30 + 10 = 100: holds exactly
    assert codes("60元") == ["I601", "I601"]  # the open weights; the 下限 < 上限 of inputs is not decided


def test_a_constraint_is_a_condition_and_type_checked_like_one() -> None:
    text = POLICY.format(unit="60元").replace("约束 下限 < 上限", "约束 下限 + 上限")
    assert "E302" in [d.code for d in check_source(text, "p.pool").diagnostics]
    text = POLICY.format(unit="60元").replace("约束 下限 < 上限", "约束 下限 < 10%")
    assert "E301" in [d.code for d in check_source(text, "p.pool").diagnostics]


def test_a_value_read_only_by_a_constraint_is_used(policy: Path) -> None:
    code, out, _ = run("check", "--strict", str(policy))
    assert code == 0 and "W501" not in out  # 权重乙, 下限 and 上限 exist only to be checked


# ---- on a scenario


@pytest.mark.parametrize("engine", ["compiled", "interpreter"])
def test_a_scenario_that_breaks_a_constraint_exits_2_naming_its_line_and_clause(
    policy: Path, tmp_path: Path, engine: str
) -> None:
    code, out, err = run("run", str(policy), str(scenario(tmp_path, b="30%")), "--engine", engine)
    assert (code, out) == (2, "")
    assert f"{policy}:10:6: 约束“权重甲 + 权重乙 = 100%”不成立(原文“各因素权重之和为100%”)" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("engine", ["compiled", "interpreter"])
def test_a_per_region_constraint_names_the_region_that_breaks_it(policy: Path, tmp_path: Path, engine: str) -> None:
    code, _, err = run("run", str(policy), str(scenario(tmp_path, low="3")), "--engine", engine, "--lang", "en")
    assert code == 2
    assert f"{policy}:13:6: the constraint ‘下限 < 上限’ does not hold in ‘乙市’" in err


def test_a_scenario_that_meets_every_constraint_settles_the_same_on_both_engines(policy: Path, tmp_path: Path) -> None:
    s = str(scenario(tmp_path))
    outs = [run("run", str(policy), s, "--json", "--engine", e) for e in ("compiled", "interpreter")]
    assert outs[0][0] == 0 and outs[0] == outs[1]


def test_simulate_stops_at_the_period_that_breaks_a_constraint(policy: Path, tmp_path: Path) -> None:
    first, second = scenario(tmp_path, name="a.json"), scenario(tmp_path, low="5", name="b.json")
    code, out, err = run("simulate", str(policy), str(first), str(second))
    assert (code, out) == (2, "")
    assert f"{second}" in err and "约束“下限 < 上限”在地区“乙市”不成立" in err


def test_the_python_api_raises_what_the_cli_prints(policy: Path, tmp_path: Path) -> None:
    with pytest.raises(pool.PoolError) as e:
        pool.load(policy).run(scenario(tmp_path, b="30%"))
    assert e.value.exit_code == 2 and "各因素权重之和为100%" in e.value.render("zh")


def test_an_example_whose_givens_break_a_constraint_fails_with_the_message(tmp_path: Path) -> None:
    path = tmp_path / "p.pool"
    example = """  例 "权重之和不足" {
    地区 甲市
    已知 权重甲 = 60%
    已知 权重乙 = 30%
    已知 收入 = 100元
    期望 上解额 = 60元
  }
}
"""
    path.write_text(POLICY.format(unit="60元").removesuffix("}\n") + example, encoding="utf-8")
    result = CliRunner().invoke(main, ["test", str(path)])
    assert result.exit_code == 1
    assert "约束“权重甲 + 权重乙 = 100%”不成立(原文“各因素权重之和为100%”)" in result.output
    assert f"({path}:10)" in result.output  # the constraint's line


# ---- words: explainer and fmt


def test_the_explainer_lists_constraints_in_plain_words(policy: Path) -> None:
    code, md, _ = run("explain", str(policy), "--format", "md")
    assert code == 0
    assert "- 本政策要求：单位部分 + 个人部分 + 财政补助不低于100元（原文“筹资标准每人每年不低于100元”）" in md
    assert "- 本政策要求：各地区下限低于上限" in md
    assert run("explain", str(policy), "--format", "md")[1] == md  # deterministic
    code, en, _ = run("explain", str(policy), "--format", "md", "--lang", "en")
    assert "The policy requires, in every region: 下限 is below 上限" in en


def test_fmt_lays_out_a_constraint_and_translates_its_keyword(tmp_path: Path) -> None:
    path = tmp_path / "p.pool"
    path.write_text('政策 P {\n地区 市州\n  constraint   甲+乙<=  1  quote "x"\n}\n', encoding="utf-8")
    assert run("fmt", str(path))[1] == '政策 P {\n  地区 市州\n  constraint 甲 + 乙 <= 1  quote "x"\n}\n'
    assert run("fmt", str(path), "--keywords", "zh")[1] == '政策 P {\n  地区 市州\n  约束 甲 + 乙 <= 1  原文 "x"\n}\n'


def test_weights_that_are_separate_open_parameters_add_up_by_a_constraint() -> None:
    text = """政策 P {
  地区 市州
  地区集 市州 { 甲市, 乙市 }
  参数 权重甲: 比例 待定
  参数 权重乙: 比例 待定
  约束 权重甲 + 权重乙 = 100%
  输入 收入: 金额 每地区
  输入 人数: 人数 每地区
  资金 调剂金 {
    上解 上解额 = 收入 × 10%  自 各地区  原文 "上解"
    分配 分配额 = 全部  至 各地区  按 { 收入: 权重甲, 人数: 权重乙 }  原文 "分配"
  }
}
"""

    def errors(t: str) -> list[str]:
        return [d.code for d in check_source(t, "p.pool").diagnostics if d.code.startswith("E")]

    assert errors(text) == []
    assert errors(text.replace("  约束 权重甲 + 权重乙 = 100%\n", "")) == ["E402"]
    assert errors(text.replace("= 100%\n", "= 90%\n")) == ["E402"]  # a constraint that says otherwise
    assert errors(text.replace("约束 权重甲 + 权重乙 = 100%", "约束 100% - 权重乙 = 权重甲 且 权重甲 >= 0%")) == []


OPTIONS = """政策 试点 {
  地区 县
  地区集 县 { 甲县、乙县 }
  参数 单位部分: 金额 = 60元
  参数 个人部分: 金额 = 30元
  解读 财政补助标准 原文 "财政补助按规定标准执行" {
    选项 补足 {
      参数 财政补助: 金额 = 10元
      约束 单位部分 + 个人部分 + 财政补助 >= 100元  原文 "筹资标准每人每年不低于100元"
    }
    选项 从低 {
      参数 财政补助: 金额 = {low}
      约束 单位部分 + 个人部分 + 财政补助 >= 95元  原文 "筹资标准每人每年不低于95元"
    }
    默认 补足
  }
  资金 基金 结转 {
    上解 筹资 = 单位部分 + 个人部分 + 财政补助  自 各地区  原文 "筹资"
  }
}
"""


def test_each_reading_may_carry_its_own_constraint(tmp_path: Path) -> None:
    path = tmp_path / "p.pool"
    path.write_text(OPTIONS.replace("{low}", "5元"), encoding="utf-8")
    code, out, _ = run("check", str(path))
    assert code == 0, out
    path.write_text(OPTIONS.replace("{low}", "4元"), encoding="utf-8")
    code, out, _ = run("check", str(path))
    assert code == 1
    assert "错误[E441]: 约束不成立(原文“筹资标准每人每年不低于95元”)" in out
    assert "在解读“财政补助标准”取选项“从低”时" in out


ENTITY_TOTALS = """地区集 两县 { 甲县、乙县 }
政策 拨付不超预算 {
  地区 两县
  实体 医院 属于 地区
  输入 预算: 金额 每 医院
  资金 基金 结转 {
    补助 拨付 = 预算  至 各医院  不足时 按比例  原文 "按预算拨付"
  }
  约束 合计(拨付 按 地区) < 合计(预算 按 地区)  原文 "各县拨付总额低于预算"
  例 "一家医院" {
    期初 基金 = 100元
    名单 医院 {甲医院: 甲县}
    已知 预算 = {甲医院: 10元}
    期望 拨付 = {甲医院: 10元}
  }
}
"""


def test_a_constraint_totalling_an_entity_rule_by_region_is_decided_region_by_region(tmp_path: Path) -> None:
    policy = tmp_path / "p.pool"
    policy.write_text(ENTITY_TOTALS, encoding="utf-8")
    code, out, _ = run("test", str(policy))  # the interpreter used to stop on an assertion here
    assert code == 1 and "在地区“甲县”不成立(原文“各县拨付总额低于预算”)" in out
    scen = {"state": {"基金": "100"}, "entities": {"医院": [{"id": "甲医院", "地区": "甲县", "预算": "10"}]}}
    path = tmp_path / "s.json"
    path.write_text(json.dumps(scen, ensure_ascii=False), encoding="utf-8")
    said = set()
    for engine in ("interpreter", "compiled", "vector"):  # the vector engine used not to check 约束 in pool run
        code, out, err = run("run", str(policy), str(path), "--engine", engine)
        assert code == 2 and out == ""
        said.add(err.replace(str(tmp_path), ""))
    assert said == {
        "/s.json: 无法计算:/p.pool:9:6: 约束“合计(拨付 按 地区) < 合计(预算 按 地区)”在地区“甲县”不成立"
        "(原文“各县拨付总额低于预算”)\n"
    }
