"""A waterfall tier with a 合计上限 (total cap) shared between regions.

The invariants a drafter relies on, for any needs, shares and cap: the tier pays
min(Σ need, cap) in all, no region gets more than it needs, each payer pays its
share of the tier's total to the fen (so a fund paying 50% of a tier capped at
twice its balance is never overdrawn). The interpreter and the compiled evaluator share
this one implementation (compiler.runtime.apportion_tier); tests/test_vector.py holds the
vectorized engine to it.
"""

from __future__ import annotations

import json
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from compiler.cli import main
from compiler.driver import check_source
from compiler.evaluate import load_scenario
from compiler.interpreter.funds import largest_remainder, tier_pieces
from compiler.interpreter.values import EvalError

sys.path.insert(0, str(Path(__file__).resolve().parent / "fuzz"))
from engines import differences, run_all

ERR = EvalError("zero-weights", rule="x")
fen = st.integers(min_value=0, max_value=10**9)
share_sets = st.sampled_from([[50, 50], [20, 80], [100], [1, 1, 1], [10, 30, 60], [33, 33, 34]])


@given(st.lists(fen, min_size=1, max_size=8), share_sets, st.one_of(st.none(), fen))
def test_total_cap_tier_invariants(needs: list[int], shares: list[int], cap: int | None) -> None:
    need = [Fraction(n, 100) for n in needs]
    ratios = [Fraction(s, sum(shares)) for s in shares]
    total_cap = None if cap is None else Fraction(cap, 100)
    rows = tier_pieces(need, ratios, total_cap, ERR)
    paid = [sum(row, Fraction(0)) for row in rows]
    assert all(p <= n for p, n in zip(paid, need))
    assert all(x >= 0 and (x * 100).denominator == 1 for row in rows for x in row)
    tier_total = sum(paid, Fraction(0))
    assert tier_total == (sum(need, Fraction(0)) if total_cap is None else min(sum(need, Fraction(0)), total_cap))
    if total_cap is not None:
        payer_totals = [sum((row[i] for row in rows), Fraction(0)) for i in range(len(shares))]
        assert payer_totals == largest_remainder(tier_total, ratios, ERR)


def test_a_fund_paying_half_of_a_tier_capped_at_twice_its_balance_is_never_overdrawn() -> None:
    # Three districts each need an odd number of fen: splitting each 50/50 and rounding
    # half-up would take 3 fen from a fund holding 2; sharing the tier as a whole does not.
    need = [Fraction(1, 100)] * 3 + [Fraction(3, 100)]
    rows = tier_pieces(need, [Fraction(1, 2), Fraction(1, 2)], Fraction(4, 100), ERR)
    fund = sum((row[0] for row in rows), Fraction(0))
    assert fund == Fraction(2, 100)
    assert sum((sum(row, Fraction(0)) for row in rows), Fraction(0)) == Fraction(4, 100)


def test_without_a_total_cap_each_region_splits_its_own_part() -> None:
    rows = tier_pieces([Fraction(1001, 100), Fraction(0)], [Fraction(1, 2), Fraction(1, 2)], None, ERR)
    assert rows == [[Fraction(501, 100), Fraction(500, 100)], [Fraction(0), Fraction(0)]]


# Issue 19 (5): a waterfall whose 当 is false moves nothing, so it must not ask for its tiers'
# shares, caps or 合计上限 there; where it holds in another region they are still needed.
COVER = """政策 缺口弥补试点 {
  地区集 试点区 { 甲区、乙区 }
  地区 试点区
  主体 市财政  原文 "市级财政"
  主体 区财政 每地区  原文 "区级财政"
  参数 分担比例: 比例 待定  不高于 100%
  参数 市级合计上限: 金额 待定
  输入 启用: 布尔 每地区  原文 "是否启用"
  输入 缺口: 金额 每地区  原文 "当期缺口"
  输入 封顶人数: 数值 每地区  原文 "封顶人数"
  弥补 缺口弥补 = 缺口  至 各地区  当 启用 {
    层 共同分担: 由 市财政 分担比例, 区财政 100% - 分担比例  上限 缺口 × 10 / 封顶人数  合计上限 市级合计上限
    层 兜底: 由 区财政
  }
    原文 "启用时缺口由市、区财政分担"
}
"""
# 乙区 is off and its cap would divide by zero; 甲区 is on: its first tier is capped at
# 100.01 × 10 / 20 = 50.005 → 50.01, split 40 : 60 to the fen; the rest falls to 兜底.
GATED_LEDGER = [
    ("市财政", "甲区", Fraction("20.00"), "缺口弥补", 12),
    ("区财政(甲区)", "甲区", Fraction("30.01"), "缺口弥补", 12),
    ("区财政(甲区)", "甲区", Fraction("50.00"), "缺口弥补", 13),
]


def _cover_files(tmp_path: Path, scenario: dict[str, object]) -> tuple[str, str]:
    policy, scen = tmp_path / "cover.pool", tmp_path / "s.json"
    policy.write_text(COVER, encoding="utf-8")
    scen.write_text(json.dumps(scenario, ensure_ascii=False), encoding="utf-8")
    return str(policy), str(scen)


def _regions(甲: tuple[bool, str], 乙: tuple[bool, str]) -> dict[str, object]:
    return {
        "甲区": {"启用": 甲[0], "缺口": "100.01", "封顶人数": 甲[1]},
        "乙区": {"启用": 乙[0], "缺口": "30.01", "封顶人数": 乙[1]},
    }


@pytest.mark.parametrize(
    "scenario, ledger",
    [
        ({"period": 2026, "regions": _regions((False, "0"), (False, "0"))}, []),
        (
            {
                "period": 2026,
                "params": {"分担比例": "40%", "市级合计上限": "1000.00"},
                "regions": _regions((True, "20"), (False, "0")),
            },
            GATED_LEDGER,
        ),
    ],
)
def test_a_waterfall_whose_condition_is_false_reads_none_of_its_tiers(
    tmp_path: Path, scenario: dict[str, object], ledger: list[tuple[str, str, Fraction, str, int]]
) -> None:
    policy, scen = _cover_files(tmp_path, scenario)
    for engine in ("compiled", "interpreter"):
        result = CliRunner().invoke(main, ["run", policy, scen, "--json", "--engine", engine])
        assert result.exit_code == 0, (engine, result.stderr)
        got = [
            (t["from"], t["to"], Fraction(t["amount"]), t["rule"], t["line"])
            for t in json.loads(result.stdout)["transfers"]
        ]
        assert got == ledger, engine
    checked = check_source(COVER).policy
    assert checked is not None
    outs = run_all(checked, COVER, [load_scenario(checked, scen, None)])
    assert differences(outs) == []
    for engine, (out,) in outs.items():
        assert out.failed is None and out.crash is None, (engine, out)
        assert out.ledger == ledger, engine


def test_a_waterfall_that_holds_in_one_region_still_needs_its_shares(tmp_path: Path) -> None:
    policy, scen = _cover_files(tmp_path, {"period": 2026, "regions": _regions((True, "20"), (False, "0"))})
    for engine in ("compiled", "interpreter"):
        result = CliRunner().invoke(main, ["run", policy, scen, "--engine", engine])
        assert result.exit_code == 2, engine
        assert "参数“分担比例”待定" in result.stderr, (engine, result.stderr)
    checked = check_source(COVER).policy
    assert checked is not None
    outs = run_all(checked, COVER, [load_scenario(checked, scen, None)])
    assert all(out.failed is not None and "分担比例" in out.failed for (out,) in outs.values()), outs
