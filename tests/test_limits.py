"""What the checks admit, every command handles; what they refuse, they say why (issue 14).

Line endings, names that look alike, nesting and chains at and past the limits
(compiler/limits.py), and the messages a drafter or analyst gets when a run cannot go on.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli import main
from compiler.driver import check_file
from compiler.evaluate import load_scenario
from compiler.limits import MAX_CHAIN, MAX_EXPR_DEPTH
from compiler.vector import batch_of, run_batch

ROOT = Path(__file__).resolve().parent.parent


def _pool(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, [*args])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    return res.exit_code, res.output


def _policy(body: str, extra: str = "") -> str:
    return f"""政策 深 {{
  输入 收入: 金额
  主体 地方
{extra}  资金 调剂金 {{
    上解 上解额 = {body}  自 地方  原文 "x"
    转移 全额 = 全部  至 地方  原文 "x"
  }}
}}
"""


def test_a_file_with_lone_cr_line_ends_and_a_comment_first_keeps_its_rules(tmp_path: Path) -> None:
    policy = tmp_path / "mac.pool"
    policy.write_bytes(("# 老式 Mac 文件\r" + _policy("收入").replace("\n", "\r")).encode())
    scen = tmp_path / "s.json"
    scen.write_text('{"period": 2026, "global": {"收入": "5.00"}}', encoding="utf-8")
    code, out = _pool("run", str(policy), str(scen), "--json")
    assert code == 0, out
    assert [(t["rule"], t["amount"]) for t in json.loads(out)["transfers"]] == [("上解额", "5.00"), ("全额", "5.00")]


def test_a_full_width_digit_inside_a_name_is_e102_not_a_second_name(tmp_path: Path) -> None:
    policy = tmp_path / "p.pool"
    policy.write_text("政策 甲 {\n  输入 收入1: 金额\n  输入 收入１: 金额\n}\n", encoding="utf-8")
    code, out = _pool("check", str(policy), "--lang", "en")
    assert (
        code == 1 and "3:8: error[E102]: unrecognised character ‘１’" in out and "use the ASCII character ‘1’" in out
    ), out


def _sum(n: int) -> str:
    return " + ".join(["收入"] * n)


def test_an_expression_at_the_depth_limit_runs_everywhere(tmp_path: Path) -> None:
    policy = tmp_path / "deep.pool"
    policy.write_text(_policy(_sum(MAX_EXPR_DEPTH)), encoding="utf-8")
    scen = tmp_path / "s.json"
    scen.write_text('{"period": 2026, "global": {"收入": "1.00"}}', encoding="utf-8")
    want = f"{MAX_EXPR_DEPTH}.00"
    for engine in ("interpreter", "compiled"):
        code, out = _pool("run", str(policy), str(scen), "--json", "--engine", engine)
        assert code == 0 and json.loads(out)["values"]["全额"] == want, out
    checked = check_file(policy).policy
    assert checked is not None
    batch = run_batch(checked, batch_of(checked, [load_scenario(checked, scen)]))
    assert batch.ledger(0)[-1][2] == MAX_EXPR_DEPTH * 100
    for args in (
        ["fmt", str(policy)],
        ["explain", str(policy)],
        ["graph", str(policy)],
        ["test", str(policy)],
        ["compile", str(policy)],
    ):
        code, out = _pool(*args)
        assert code == 0, (args, out[-500:])


def test_the_explainer_phrases_nested_conditions_at_the_limit_in_linear_time(tmp_path: Path) -> None:
    # Each phrase built its Chinese and English forms from its branches' phrases: 2^depth.
    n = MAX_EXPR_DEPTH // 2 - 1
    policy = tmp_path / "ifs.pool"
    policy.write_text(_policy("如果 收入 > 0元 则 " * n + "收入" + " 否则 0元" * n), encoding="utf-8")
    code, out = _pool("explain", str(policy), "--format", "md")
    assert code == 0 and out.count("否则") >= n - 1, out[-500:]  # the outermost reads as a condition


def test_past_the_depth_limit_check_says_how_deep_and_the_limit(tmp_path: Path) -> None:
    policy = tmp_path / "deep.pool"
    policy.write_text(_policy(_sum(MAX_EXPR_DEPTH + 2)), encoding="utf-8")
    code, out = _pool("check", str(policy), "--lang", "en")
    assert code == 1
    assert (
        f"5:14: error[E109]: the expression is too long or nested too deeply ({MAX_EXPR_DEPTH + 2} levels, the limit "
        f"is {MAX_EXPR_DEPTH}; each term of a long sum counts as one)" in out
    ), out


def test_a_chain_of_derived_values_past_the_limit_is_e112_not_split_it_into_derived_values(tmp_path: Path) -> None:
    chain = "  令 值0 = 收入\n" + "".join(f"  令 值{i} = 值{i - 1} + 1元\n" for i in range(1, MAX_CHAIN + 1))
    policy = tmp_path / "chain.pool"
    policy.write_text(_policy(f"值{MAX_CHAIN}", chain), encoding="utf-8")
    code, out = _pool("check", str(policy), "--lang", "en")
    assert code == 1 and "E112" in out and f"over the limit of {MAX_CHAIN}" in out and "E109" not in out, out[-800:]


MIX = (ROOT / "tests" / "test_exact_money.py").read_text(encoding="utf-8").split('MIXED = """')[1].split('"""')[0]


def _mixed(tmp_path: Path, regions: dict[str, dict[str, str]]) -> tuple[Path, Path]:
    policy = tmp_path / "mix.pool"
    policy.write_text(MIX, encoding="utf-8")
    scen = tmp_path / "s.json"
    scen.write_text(
        json.dumps({"period": 2026, "partial": True, "regions": regions}, ensure_ascii=False), encoding="utf-8"
    )
    return policy, scen


def test_a_scenario_listing_no_region_says_so_rather_than_weights_sum_to_zero(tmp_path: Path) -> None:
    policy, scen = _mixed(tmp_path, {})
    code, out = _pool("run", str(policy), str(scen), "--lang", "en")
    assert code == 2 and "regions: lists no region; the policy computes per region" in out, out


def test_explain_at_a_region_the_scenario_does_not_list_names_the_regions_it_does(tmp_path: Path) -> None:
    one = {"上年度征缴收入": "100.00", "参保人数": "10", "老年参保人数": "1"}
    policy, scen = _mixed(tmp_path, {"甲市": one, "乙市": one})
    code, out = _pool("run", str(policy), str(scen), "--explain", "基础上解额@北京", "--lang", "en")
    assert code == 2 and "the scenario has no region ‘北京’; it lists: 甲市, 乙市" in out, out


def test_both_engines_give_file_line_and_column_for_a_period_that_cannot_settle(tmp_path: Path) -> None:
    zero = {"上年度征缴收入": "100.00", "参保人数": "0", "老年参保人数": "0"}
    policy, scen = _mixed(tmp_path, {"甲市": zero, "乙市": zero})
    outs = {e: _pool("run", str(policy), str(scen), "--engine", e, "--lang", "en") for e in ("interpreter", "compiled")}
    assert outs["interpreter"] == outs["compiled"]
    code, out = outs["compiled"]
    assert code == 2 and "mix.pool:10:5: the weights of ‘基础分配额’ add up to zero or less" in out, out


NINGBO = ROOT / "policies" / "ningbo_city_pooling.pool"


def _ningbo_periods(tmp_path: Path, second: int, drop: bool, first: int = 2022) -> list[str]:
    base = json.loads((ROOT / "policies" / "scenarios" / "ningbo_2022.json").read_text(encoding="utf-8"))
    base["period"] = first
    nxt = {k: v for k, v in base.items() if k != "state"}
    nxt["period"] = second
    if drop:
        nxt["regions"] = {r: v for r, v in base["regions"].items() if r != "海曙区"}
        nxt["partial"] = True  # the subset is not what is refused here: the balance left behind is
    files = []
    for i, data in enumerate((base, nxt)):
        path = tmp_path / f"p{i}.json"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        files.append(str(path))
    return files


def test_simulate_refuses_to_drop_a_region_that_holds_a_carried_balance(tmp_path: Path) -> None:
    code, out = _pool("simulate", str(NINGBO), *_ningbo_periods(tmp_path, 2023, drop=True), "--lang", "en")
    assert code == 2
    assert (
        "regions: ‘海曙区’ is missing: it closed 2022 with 15,000,000.00 in ‘区县累计结余’, which carries into 2023"
        in out
    ), out


@pytest.mark.parametrize(("first", "second"), [(2022, 2022), (2023, 2022)])
def test_simulate_refuses_periods_that_repeat_or_go_back(tmp_path: Path, first: int, second: int) -> None:
    code, out = _pool(
        "simulate", str(NINGBO), *_ningbo_periods(tmp_path, second, drop=False, first=first), "--lang", "en"
    )
    assert code == 2 and f"period: {second} follows {first} but is not later" in out, out
