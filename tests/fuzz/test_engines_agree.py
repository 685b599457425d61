"""The three engines settle the same money, to the fen, and no ledger loses or makes any.

Random policies from tests/fuzz/moneygen.py (mixed-weight allocations over tie-prone counts,
and every other seed a small allocation made for remainder ties,
several 累计上限 on one fund, long sums, let chains, nested 如果, 28+ digit ratios, amounts of
10²⁶ 元, per-region balances over periods that leave a region out), each on 2–5 scenarios:
the reference interpreter, the compiled evaluator and the vectorized backend must give the same
ledger, closing balances and rule values; every ledger passes tests/fuzz/ledgercheck.py; the
periods go through `simulate` on both scalar engines without losing a balance.

Seeds are consecutive integers from POOL_FUZZ_SEED (default 0); a failure names its seeds, and
`python tests/fuzz/moneyrun.py SEED` replays one. POOL_FUZZ_SCALE multiplies the count (the long
run in docs/robustness.md).
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections import Counter, defaultdict
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from budget import examples, tally
from click.testing import CliRunner
from engines import differences, run_all
from moneygen import generate, tie_case
from moneyrun import Finding, check_case

from compiler.cli import main
from compiler.driver import check_file
from compiler.scenario import load

POLICIES = examples(50)  # about 300 scenarios: ~30 s on the 2-core CI machine
FIRST = int(os.environ.get("POOL_FUZZ_SEED", "0"))

# Which test owns which class of finding.
ENGINE_CLASSES = {
    "traceback",
    "one engine fails, another settles",
    "vector refused an amount within int64 fen",
    "remainder fen to a different region",
    "rounding or precision (a few fen)",
    "different amounts",
    "different values or balances",
    "run --json differs between engines",
    "unexpected exit code",
    "simulate: engines differ",
    "generated policy does not check",
    "generated scenario refused",
}
LEDGER_CLASSES = {"conservation", "累计上限 exceeded", "self-transfer"}
PERIOD_CLASSES = {"carried balance lost"}


@functools.cache
def _run() -> dict[str, list[Finding]]:
    """Every seed once, shared by the tests below; findings by class, the tally in budget.COUNTS."""
    by_class: dict[str, list[Finding]] = defaultdict(list)
    counts: Counter[str] = Counter()
    keep = os.environ.get("POOL_FUZZ_FINDINGS")  # the long run keeps every finding and its progress
    for i, seed in enumerate(range(FIRST, FIRST + POLICIES)):
        found = check_case(generate(seed), counts)
        if seed % 2 == 0:  # and a small policy made for remainder ties (issue 14 item 1's class)
            found += check_case(tie_case(seed), counts)
        for f in found:
            by_class[f.cls].append(f)
        if keep and found:
            with open(keep, "a", encoding="utf-8") as out:
                out.writelines(
                    json.dumps({"class": f.cls, "seed": f.seed, "detail": f.detail}, ensure_ascii=False) + "\n"
                    for f in found
                )
        if keep and i % 100 == 99:
            Path(keep + ".progress").write_text(
                json.dumps({"seeds done": i + 1, **counts}, ensure_ascii=False) + "\n", encoding="utf-8"
            )
    for k, v in counts.items():
        tally(f"money: {k}", v)
    for cls, found in by_class.items():
        tally(f"money: findings: {cls}", len(found))
        tally(f"money: seeds with: {cls}", len({f.seed for f in found}))
    return dict(by_class)


def _report(classes: set[str]) -> str:
    found = {
        c: fs
        for c, fs in _run().items()
        if c in classes or (c not in ENGINE_CLASSES | LEDGER_CLASSES | PERIOD_CLASSES and classes is ENGINE_CLASSES)
    }
    lines = []
    for cls, fs in sorted(found.items()):
        seeds = sorted({f.seed for f in fs})
        lines.append(
            f"{cls}: {len(fs)} findings, seeds {seeds[:20]} (replay: python tests/fuzz/moneyrun.py {seeds[0]})"
        )
        lines += [f"  {f}" for f in fs[:3]]
    return "\n".join(lines)


def test_three_engines_agree_to_the_fen_on_random_policies() -> None:
    assert not _report(ENGINE_CLASSES), _report(ENGINE_CLASSES)


def test_every_ledger_conserves_money_and_keeps_its_caps() -> None:
    assert not _report(LEDGER_CLASSES), _report(LEDGER_CLASSES)


def test_simulate_keeps_a_balance_of_a_region_a_period_leaves_out() -> None:
    assert not _report(PERIOD_CLASSES), _report(PERIOD_CLASSES)


def test_the_generator_reaches_every_class_it_is_for() -> None:
    """Without the hostile shapes the comparison proves little: a CI-sized run must contain them."""
    features: Counter[str] = Counter()
    for seed in range(FIRST, FIRST + POLICIES):
        features.update(generate(seed).features)
    for f in (
        "mixed-weight allocation",
        "several caps on one fund",
        "long sums",
        "let chains",
        "nested 如果",
        "28+ digit ratios",
        "amounts of 10²⁶ 元 and more",
    ):
        assert features[f] > 0, (f, features)
    assert sum("区县结余" in generate(s).funds for s in range(FIRST, FIRST + 20)) > 5


# ---- the mixed-weight case of issue 14, item 1

MIXED = """政策 混合权重 {
  地区集 城市 { 甲市、乙市、丙市 }
  地区 城市
  输入 上年度征缴收入: 金额 每地区
  输入 参保人数: 人数 每地区
  输入 老年参保人数: 人数 每地区
  资金 调剂金 {
    上解 上解额 = 上年度征缴收入  自 各地区  原文 "x"
    分配 基础分配额 = 全部  至 各地区  按 { 参保人数: 50%, 老年参保人数: 50% }  原文 "y"
  }
}
"""
MIXED_SCENARIO = {
    "period": 2026,
    "regions": {
        "甲市": {"上年度征缴收入": "33333333.40", "参保人数": "1000000", "老年参保人数": "100000"},
        "乙市": {"上年度征缴收入": "33333333.40", "参保人数": "1000000", "老年参保人数": "300000"},
        "丙市": {"上年度征缴收入": "33333333.30", "参保人数": "1000000", "老年参保人数": "300000"},
    },
}
# 100,000,000.10 元 shared 5/21, 8/21, 8/21: floors 23,809,523.83 / 38,095,238.13 / 38,095,238.13
# leave one fen; 甲市's remainder (.81 fen) is the largest, so it gets the fen.
MIXED_EXPECTED = {"甲市": "23809523.84", "乙市": "38095238.13", "丙市": "38095238.13"}


def _mixed(tmp_path: Path) -> tuple[Path, Path]:
    policy, scen = tmp_path / "mixed.pool", tmp_path / "mixed.json"
    policy.write_text(MIXED, encoding="utf-8")
    scen.write_text(json.dumps(MIXED_SCENARIO, ensure_ascii=False), encoding="utf-8")
    return policy, scen


def test_mixed_weights_issue_case_gives_the_same_fen_on_all_three_engines(tmp_path: Path) -> None:
    policy, path = _mixed(tmp_path)
    checked = check_file(policy).policy
    assert checked is not None
    scen, errors = load(path, checked)
    assert scen is not None, errors
    outs = run_all(checked, MIXED, [scen, scen])  # the vectorized engine twice in one batch
    assert not differences(outs), differences(outs)
    for engine, (o, _) in outs.items():
        got = {d: str(a) for s, d, a, r, _ in o.ledger if r == "基础分配额"}
        assert got == {k: str(Fraction(Decimal(v))) for k, v in MIXED_EXPECTED.items()}, engine


def test_vector_engine_gives_the_issue_case_the_same_fen_every_year(tmp_path: Path) -> None:
    """`simulate --draws --engine vector` settles the base year on the per-draw engine and later
    years on the vectorized one; with no growth every year is the same period, the same fen."""
    policy, path = _mixed(tmp_path)
    spec = tmp_path / "flat.yaml"
    spec.write_text(
        f'base: {path.name}\nyears: 2\ngrowth:\n  参保人数:\n    uniform: {{low: "0%", high: "0%"}}\n', encoding="utf-8"
    )
    args = ["simulate", str(policy), str(spec), "--draws", "2", "--engine", "vector", "--json"]
    for region, want in MIXED_EXPECTED.items():
        res = CliRunner().invoke(main, [*args, "--values", f"基础分配额@{region}"])
        assert res.exit_code in (0, 2) and res.output.strip(), res.output  # a result, or a message (exit 2)
        years = json.loads(res.stdout)["values"][0]["years"]
        assert [(y["period"], y["min"], y["max"]) for y in years] == [(p, want, want) for p in (2026, 2027, 2028)], (
            region
        )


def test_a_finding_names_its_seed_and_how_to_replay_it() -> None:
    """The failure message is what a maintainer replays from: it must carry the seed."""
    f = Finding("conservation", 4242, "x")
    assert "seed 4242" in str(f) and re.search(r"\[conservation\]", str(f))


RATIO_30 = """政策 比率 {
  地区集 城市 { 甲市、乙市 }
  地区 城市
  输入 收入: 金额 每地区
  输入 浮动比例: 比例
  主体 省财政
  资金 调剂金 {
    上解 上解额 = 收入 × 浮动比例  自 各地区  原文 "x"
    转移 转出 = 全部  至 省财政  原文 "x"
  }
}
"""


def test_vector_simulate_with_a_ratio_of_30_digits_settles_or_says_why(tmp_path: Path) -> None:
    """Found by this fuzzing: batch_of raised OverflowError (a traceback) for a global ratio
    of 30 significant digits, which no int64 denominator holds; `pool run` settles it. Now the
    vectorized engine says so and names --engine compiled (exit 2)."""
    policy = tmp_path / "ratio.pool"
    policy.write_text(RATIO_30, encoding="utf-8")
    base = {
        "period": 2026,
        "global": {"浮动比例": "0.123456789012345678901234567891"},
        "regions": {"甲市": {"收入": "1000.00"}, "乙市": {"收入": "2000.00"}},
    }
    (tmp_path / "base.json").write_text(json.dumps(base, ensure_ascii=False), encoding="utf-8")
    spec = tmp_path / "grow.yaml"
    spec.write_text(
        'base: base.json\nyears: 2\ngrowth:\n  收入:\n    uniform: {low: "0%", high: "1%"}\n', encoding="utf-8"
    )
    res = CliRunner().invoke(
        main, ["simulate", str(policy), str(spec), "--draws", "3", "--engine", "vector", "--values", "上解额@甲市"]
    )
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert res.exit_code in (0, 2) and res.output.strip(), res.output  # a result, or a message (exit 2)
