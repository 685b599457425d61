"""Money is never silently wrong: the cases an independent adversarial round found (issue 14).

Each test pins one case to the fen on every engine that can settle it: the reference
interpreter, the compiled evaluator and (where a scenario is one period) the vectorized
backend. Engines that disagree are a bug, never a tolerance.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli import main
from compiler.driver import check_file
from compiler.evaluate import load_scenario
from compiler.vector import batch_of, run_batch

ENGINES = ("interpreter", "compiled")


def _write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def _run(policy: Path, scenario: Path, engine: str) -> dict[str, object]:
    res = CliRunner().invoke(main, ["run", str(policy), str(scenario), "--json", "--engine", engine])
    assert res.exit_code == 0, res.output
    out: dict[str, object] = json.loads(res.output)
    return out


def _vector(policy: Path, scenario: Path) -> tuple[list[tuple[str, str, int, str, int]], dict[str, int]]:
    checked = check_file(policy).policy
    assert checked is not None
    scen = load_scenario(checked, scenario)
    got = run_batch(checked, batch_of(checked, [scen, scen]), raise_failures=False)
    assert got.ledger(0) == got.ledger(1)
    return got.ledger(0), {a: int(v[0]) for a, v in got.closing.items()}


MIXED = """地区集 三市 { 甲市、乙市、丙市 }
政策 混合权重 {
  地区 三市
  参数 基础上解比例: 比例 = 10%
  输入 上年度征缴收入: 金额 每地区
  输入 参保人数: 人数 每地区
  输入 老年参保人数: 人数 每地区
  资金 基础调剂金 {
    上解 基础上解额 = 上年度征缴收入 × 基础上解比例  自 各地区  原文 "x"
    分配 基础分配额 = 全部  至 各地区  按 { 参保人数: 50%, 老年参保人数: 50% }  原文 "x"
  }
}
"""


def test_a_three_way_tie_of_mixed_weight_remainders_gives_the_fen_to_the_first_region_on_every_engine(
    tmp_path: Path,
) -> None:
    # Shares 10/42, 16/42, 16/42 of 1,000,000,001 fen: every exact remainder is 1/3 fen.
    policy = _write(tmp_path, "mix.pool", MIXED)
    regions = {
        "甲市": {"上年度征缴收入": "33333333.40", "参保人数": "1000000", "老年参保人数": "100000"},
        "乙市": {"上年度征缴收入": "33333333.40", "参保人数": "1000000", "老年参保人数": "300000"},
        "丙市": {"上年度征缴收入": "33333333.30", "参保人数": "1000000", "老年参保人数": "300000"},
    }
    scen = _write(tmp_path, "s.json", json.dumps({"period": 2026, "regions": regions}, ensure_ascii=False))
    want = [("甲市", "2380952.39"), ("乙市", "3809523.81"), ("丙市", "3809523.81")]
    for engine in ENGINES:
        got = _run(policy, scen, engine)["transfers"]
        assert isinstance(got, list)
        assert [(t["to"], t["amount"]) for t in got if t["rule"] == "基础分配额"] == want, engine
    ledger, _ = _vector(policy, scen)
    assert [(dst, fen) for _, dst, fen, rule, _ in ledger if rule == "基础分配额"] == [
        ("甲市", 238095239),
        ("乙市", 380952381),
        ("丙市", 380952381),
    ]


TWO_CAPS = """政策 两个留存 {
  输入 收入: 金额
  主体 地方
  资金 甲金 {
    上解 甲上解 = 收入  自 地方  原文 "x"
    留存 甲留存 = 全部  至 省级留存  累计上限 1000元  原文 "x"
    转移 甲余 = 剩余  至 地方  原文 "x"
  }
  资金 乙金 {
    上解 乙上解 = 收入  自 地方  原文 "x"
    留存 乙留存 = 全部  至 省级留存  累计上限 1000元  原文 "x"
    转移 乙余 = 剩余  至 地方  原文 "x"
  }
  资金 省级留存 结转 {
  }
}
"""


def test_two_retentions_into_one_fund_never_take_it_past_its_cumulative_cap(tmp_path: Path) -> None:
    policy = _write(tmp_path, "caps.pool", TWO_CAPS)
    scen = _write(tmp_path, "s.json", '{"period": 2026, "global": {"收入": "600.00"}, "state": {"省级留存": "400.00"}}')
    for engine in ENGINES:
        out = _run(policy, scen, engine)
        assert out["state"] == {"省级留存": "1000.00"}, engine
        moved = {t["rule"]: t["amount"] for t in out["transfers"]}  # type: ignore[union-attr]
        assert moved == {"甲上解": "600.00", "甲留存": "600.00", "乙上解": "600.00", "乙余": "600.00"}, engine
    _, closing = _vector(policy, scen)
    assert closing == {"省级留存": 100000}


PRECISE = """政策 精度 {
  参数 比例: 比例 = RATIO
  输入 收入: 金额
  主体 地方
  资金 调剂金 {
    上解 上解额 = 收入 × 比例  自 地方  原文 "x"
    转移 全额 = 全部  至 地方  原文 "x"
  }
}
"""


@pytest.mark.parametrize(
    ("ratio", "income", "want"),
    [
        # A literal of 30 significant digits was read at 28 and became 0.5%: 1.00 元 × 0.5% rounds up.
        ("0.499999999999999999999999999999%", "1.00", "0.00"),
        # Income × a 28-digit ratio needs 44 digits; at Python's default 28 the product lost a fen.
        ("0.9443551342938713645918826337%", "3583966902362.17", None),
    ],
)
def test_every_digit_of_a_literal_and_of_a_product_counts(
    tmp_path: Path, ratio: str, income: str, want: str | None
) -> None:
    policy = _write(tmp_path, "p.pool", PRECISE.replace("RATIO", ratio))
    scen = _write(tmp_path, "s.json", json.dumps({"period": 2026, "global": {"收入": income}}))
    fen = int(Fraction(income) * Fraction(ratio[:-1]) + Fraction(1, 2))  # income × ratio% in fen, half-up
    expected = want or f"{fen // 100}.{fen % 100:02d}"
    for engine in ENGINES:
        assert _run(policy, scen, engine)["values"] == {"上解额": expected, "全额": expected}, engine


def test_a_scenario_ratio_of_40_digits_settles_the_same_on_both_engines(tmp_path: Path) -> None:
    policy = _write(tmp_path, "p.pool", PRECISE.replace("RATIO", "10%  不低于 0%"))  # a bound: adjustable
    ratio = "3.141592653589793238462643383279502884197%"
    scen = _write(
        tmp_path,
        "s.json",
        json.dumps({"period": 2026, "params": {"比例": ratio}, "global": {"收入": "987654321012.34"}}),
    )
    a, b = (_run(policy, scen, e)["values"] for e in ENGINES)
    fen = int(Fraction("987654321012.34") * Fraction(ratio[:-1]) + Fraction(1, 2))  # × ratio% × 100 fen
    amount = f"{fen // 100}.{fen % 100:02d}"
    assert a == b == {"上解额": amount, "全额": amount}


def test_amounts_past_10_to_the_26_are_printed_not_crashed(tmp_path: Path) -> None:
    policy = _write(
        tmp_path,
        "p.pool",
        PRECISE.replace("RATIO", "100%").replace("收入 × 比例", "收入 × 比例 + 100000000000000000000000000元"),
    )
    scen = _write(tmp_path, "s.json", '{"period": 2026, "global": {"收入": "1.00"}}')
    for engine in ENGINES:
        assert _run(policy, scen, engine)["values"] == {
            "上解额": "100000000000000000000000001.00",
            "全额": "100000000000000000000000001.00",
        }
    for args in (
        ["run", str(policy), str(scen)],
        ["run", str(policy), str(scen), "--explain", "全额"],
        ["simulate", str(policy), str(scen)],
    ):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 0 and "100,000,000,000,000,000,000,000,001.00" in res.output, (args, res.output)
    res = CliRunner().invoke(main, ["explain", str(policy), "--format", "md"])
    assert res.exit_code == 0 and "1000000000000000000亿元" in res.output, res.output


def test_an_exception_that_pays_out_twice_the_inflow_of_a_fund_without_a_balance_is_e408(tmp_path: Path) -> None:
    policy = _write(
        tmp_path,
        "p.pool",
        """地区集 两市 { 甲市、乙市 }
政策 例外 {
  地区 两市
  输入 收入: 金额 每地区
  输入 特殊: 布尔
  主体 省财政
  资金 调剂金 {
    上解 上解额 = 收入 × 10%  自 各地区  原文 "x"
    转移 付出 = 全部  至 省财政  原文 "x"
      例外 特殊 => 全部 × 200%
  }
}
""",
    )
    res = CliRunner().invoke(main, ["check", str(policy), "--lang", "en"])
    assert res.exit_code == 1
    assert "E408" in res.output and "when an exception of ‘付出’ applies (200%)" in res.output, res.output


@pytest.mark.parametrize(
    "rule",
    [
        '转移 回流 = 全部  至 调剂金  原文 "x"',
        '拆分 回流 = 全部  { 调剂金: 50%, 省财政: 50% }  原文 "x"',
    ],
)
def test_a_fund_that_pays_into_itself_is_refused_by_check(tmp_path: Path, rule: str) -> None:
    policy = _write(
        tmp_path,
        "p.pool",
        f"""政策 自付 {{
  输入 收入: 金额
  主体 地方
  主体 省财政
  资金 调剂金 {{
    上解 上解额 = 收入  自 地方  原文 "x"
    {rule}
  }}
}}
""",
    )
    res = CliRunner().invoke(main, ["check", str(policy), "--lang", "en"])
    assert res.exit_code == 1 and "E434" in res.output and "fund ‘调剂金’ cannot pay into itself" in res.output, (
        res.output
    )
    scen = _write(tmp_path, "s.json", '{"period": 2026, "global": {"收入": "1.00"}}')
    assert CliRunner().invoke(main, ["run", str(policy), str(scen)]).exit_code == 1
