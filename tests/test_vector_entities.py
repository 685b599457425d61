"""The vectorized backend settles entity policies (persons, employers, institutions below
regions) as the reference interpreter does, to the fen, draw by draw: ledger, closing
balances, every rule's values and which draws fail.

Each batch is built by `batch_of` from scenario-like records carrying `entities`, as
compiler.scenario will; the interpreter settles the same draw with `Env(..., entities)`.
"""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from compiler.driver import check_file
from compiler.interpreter import Env, settle
from compiler.ir.checked import CheckedPolicy
from compiler.runtime import Entities, SettlementError
from compiler.vector import Batch, BatchError, batch_of, run_batch

PERSONS = (Path(__file__).parent / "fixtures" / "entities" / "engines.pool").read_text(encoding="utf-8")

# Aggregates by employer (with 当), by region and over all; a per-person capped 上解 into a
# per-region fund; a region-level condition gating a 补助 to each institution, 不足时 {form}.
MIXED = """
政策 实体测试 {{
  地区 县
  地区集 县 {{ 甲县、乙县、丙县 }}
  实体 用人单位 属于 地区
  实体 参保人员 属于 地区 隶属 用人单位
  实体 定点医疗机构 属于 地区
  主体 财政
  输入 工资: 金额 每人
  输入 在职: 布尔 每 参保人员
  输入 费用: 金额 每机构
  输入 县达标: 布尔 每地区
  参数 比例: 比例 = 2%
  参数 封顶: 金额 = 300元
  令 单位基数: 金额 每单位 = 合计(工资 按 用人单位 当 在职)
  令 单位人数 = 计数(在职 按 用人单位)
  令 县合计 = 合计(工资 按 地区)
  令 县均值 = 平均(工资 按 地区 当 在职)
  令 全市 = 合计(工资)
  令 全市人数 = 计数(在职)
  资金 县级基金 每地区 结转 {{
    上解 个人缴费 = 工资 × 比例  自 各参保人员  当 在职  上限 封顶
    上解 单位缴费 = 单位基数 × 8% + 单位人数 × 1元  自 各 用人单位
  }}
  资金 市级基金 结转 {{
    上解 县调剂 = 县合计 × 1% + 县均值 × 0.5%  自 各地区
    转移 市统筹 = 全市 × 0.3% + 全市人数 × 0.01元  自 财政  至 市级基金
    补助 机构补助 = 费用 × 10%  至 各定点医疗机构  当 县达标  不足时 {form}
  }}
}}
"""

# A person reads its employer's mean: one with no employer cannot, where the rule applies to it.
# Institutions share what is left by a weight and by a mix of weights.
LINKS = """
政策 隶属 {
  地区 县
  地区集 县 { 甲县、乙县 }
  实体 用人单位 属于 地区
  实体 参保人员 属于 地区 隶属 用人单位
  实体 定点医疗机构 属于 地区
  输入 工资: 金额 每人
  输入 在职: 布尔 每 参保人员
  输入 费用: 金额 每机构
  输入 床位: 人数 每机构
  令 单位均值: 金额 每单位 = 平均(工资 按 用人单位)
  资金 基金 结转 {
    上解 分摊 = 单位均值 × 1%  自 各参保人员  当 在职
    分配 按费用 = 全部 × 50%  至 各定点医疗机构  按 费用
    分配 综合 = 剩余  至 各定点医疗机构  按 { 费用: 70%, 床位: 30% }
  }
}
"""


def _checked(tmp_path: Path, text: str, name: str = "p.pool") -> CheckedPolicy:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = check_file(path)
    assert result.policy is not None, [d.message("en") for d in result.errors]
    return result.policy


def _entities(
    regions: dict[str, dict[str, str]],
    links: dict[str, dict[str, dict[str, str | None]]],
    kinds: dict[str, tuple[str, ...]],
) -> Entities:
    return Entities({k: list(v) for k, v in regions.items()}, regions, links, kinds)


def _exact(v: Any, kind: type) -> Any:
    """Numbers written as text, as a scenario (Decimal) or the interpreter (Fraction) holds them."""
    if isinstance(v, dict):
        return {k: _exact(x, kind) for k, x in v.items()}
    return v if isinstance(v, bool) else kind(Decimal(v))


def agree(checked: CheckedPolicy, regions: list[str], ents: Entities, draws: list[dict[str, Any]]) -> Any:
    """Vector and interpreter, draw by draw. Each draw: {"params", "inputs", "state"}."""
    scenarios = [
        SimpleNamespace(
            regions=tuple(regions),
            params=_exact(d.get("params", {}), Decimal),
            inputs=_exact(d["inputs"], Decimal),
            state={a: Decimal(v) for a, v in d.get("state", {}).items()},
            entities=ents,
        )
        for d in draws
    ]
    out = run_batch(checked, batch_of(checked, scenarios), raise_failures=False)  # type: ignore[arg-type]
    for k, d in enumerate(draws):
        env = Env(
            regions,
            _exact(d.get("params", {}), Fraction),
            _exact(d["inputs"], Fraction),
            {a: Fraction(Decimal(v)) for a, v in d.get("state", {}).items()},
            None,
            ents,
        )
        try:
            want = settle(checked, env)
        except SettlementError:
            assert out.failed[k], k
            continue
        assert not out.failed[k], (k, out.reasons.get(k))
        assert out.ledger(k) == [(t.source, t.dest, int(t.amount * 100), t.rule, t.line) for t in want.transfers], k
        assert {a: int(v[k]) for a, v in out.closing.items()} == {a: int(v * 100) for a, v in want.closing.items()}
        for name, v in want.values.items():
            if name in out.values:
                got = out.values[name][k]
                expect = [int(x * 100) for x in v.values()] if isinstance(v, dict) else int(v * 100)
                assert (list(got) if isinstance(v, dict) else int(got)) == expect, (k, name)
    return out


PERSONS_ENTITIES = _entities(
    {"用人单位": {"甲公司": "甲县", "乙公司": "乙县"}, "参保人员": {"张三": "甲县", "李四": "甲县", "王五": "乙县"}},
    {
        "用人单位": {"甲公司": {}, "乙公司": {}},
        "参保人员": {"张三": {"用人单位": "甲公司"}, "李四": {"用人单位": None}, "王五": {"用人单位": "乙公司"}},
    },
    {"用人单位": (), "参保人员": ("用人单位",)},
)


def test_persons_policy_to_the_fen_with_a_hand_computed_half_fen(tmp_path: Path) -> None:
    checked = _checked(tmp_path, PERSONS)
    draws = [
        {"inputs": {"工资": {"张三": "5000.25", "李四": "3000", "王五": "4123.45"}, "在职": True}},
        {
            "inputs": {
                "工资": {"张三": "1", "李四": "2", "王五": "3"},
                "在职": {"张三": True, "李四": False, "王五": True},
            }
        },
        {"inputs": {"工资": {"张三": "0.25", "李四": "0", "王五": "99999.99"}, "在职": False}},
    ]
    out = agree(checked, ["甲县", "乙县"], PERSONS_ENTITIES, draws)
    # 5000.25 元 × 2% = 100.005 元: half up, 100.01 元; 李四 (no employer) is in no employer's 基数.
    assert out.values["个人缴费"][0].tolist() == [10001, 6000, 8247]
    assert out.values["单位缴费"][0].tolist() == [40002, 32988]  # 5000.25 × 8% = 400.02; 4123.45 × 8% = 329.876


def test_arrays_and_a_scalar_for_every_entity(tmp_path: Path) -> None:
    checked = _checked(tmp_path, PERSONS)
    wage = np.array([[500025, 300000, 412345], [100, 200, 300]], dtype=np.int64)
    batch = Batch(("甲县", "乙县"), 2, {}, {"工资": wage, "在职": True}, {}, PERSONS_ENTITIES)
    out = run_batch(checked, batch)
    assert out.values["个人缴费"].tolist() == [[10001, 6000, 8247], [2, 4, 6]]
    assert out.closing["基金"].tolist() == [10001 + 6000 + 8247 + 40002 + 32988, 2 + 4 + 6 + 8 + 24]
    with pytest.raises(ValueError, match="shape"):
        run_batch(checked, Batch(("甲县", "乙县"), 2, {}, {"工资": wage[:, :2], "在职": True}, {}, PERSONS_ENTITIES))


MIXED_ENTITIES = _entities(
    {
        "用人单位": {"甲一": "甲县", "乙一": "乙县", "丙一": "丙县"},
        "参保人员": {"赵": "甲县", "钱": "甲县", "孙": "乙县", "李": "丙县", "周": "丙县", "吴": "乙县"},
        "定点医疗机构": {"甲院": "甲县", "乙院": "乙县", "丙院": "丙县", "丙二院": "丙县"},
    },
    {
        "用人单位": {"甲一": {}, "乙一": {}, "丙一": {}},
        "参保人员": {
            "赵": {"用人单位": "甲一"},
            "钱": {"用人单位": "甲一"},
            "孙": {"用人单位": "乙一"},
            "李": {"用人单位": None},  # no employer: in no employer's 合计 or 计数
            "周": {"用人单位": "丙一"},
            "吴": {"用人单位": "甲一"},  # an employer in another region
        },
        "定点医疗机构": {"甲院": {}, "乙院": {}, "丙院": {}, "丙二院": {}},
    },
    {"用人单位": (), "参保人员": ("用人单位",), "定点医疗机构": ()},
)


def _mixed_draws(seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    persons = MIXED_ENTITIES.ids["参保人员"]
    out = []
    for k in range(6):
        wages = {p: str(Decimal(rng.randint(0, 3_000_000)) / 100) for p in persons}
        at_work = {p: rng.random() < 0.7 for p in persons}
        if k < 2:  # 10000.3 × 1.5% = 150.0045 元 under a 150.5 元 cap; 20000.25 × 2% = 400.005 元 over 300 元
            wages["赵"], at_work["赵"] = ("10000.3", "20000.25")[k], True
        out.append(
            {
                "inputs": {
                    "工资": wages,
                    "在职": at_work,
                    "费用": {
                        i: str(Decimal(rng.randint(0, 50_000_000)) / 100) for i in MIXED_ENTITIES.ids["定点医疗机构"]
                    },
                    "县达标": {r: rng.random() < 0.6 for r in ("甲县", "乙县", "丙县")},
                },
                "params": {"封顶": "300", "比例": "0.02"} if k % 2 else {"封顶": "150.5", "比例": "0.015"},
                # A fund short of the institutions' 补助 in some draws, enough in others.
                "state": {"市级基金": str(rng.choice([0, 1000, 50_000, 10**7])), "县级基金(甲县)": "12.34"},
            }
        )
    return out


@pytest.mark.parametrize("form", ["按比例", "按顺序", "挂账"])
def test_aggregates_caps_a_gated_subsidy_and_a_short_fund(tmp_path: Path, form: str) -> None:
    checked = _checked(tmp_path, MIXED.format(form=form))
    draws = _mixed_draws(7)
    if form == "挂账":  # last period's unpaid claims, asked again
        for d in draws:
            d["state"]["机构补助(丙院)"] = "123.45"
    out = agree(checked, ["甲县", "乙县", "丙县"], MIXED_ENTITIES, draws)
    assert out.values["个人缴费"][:2, 0].tolist() == [15000, 30000]
    accounts = {f.dest for f in out.all_flows() if f.rule == "个人缴费"}
    assert accounts == {"县级基金(甲县)", "县级基金(乙县)", "县级基金(丙县)"}
    assert {f.dest for f in out.all_flows() if f.rule == "机构补助"} == {
        f"定点医疗机构({i})" for i in ("甲院", "乙院", "丙院", "丙二院")
    }


def test_a_short_fund_pays_institutions_pro_rata_to_the_fen(tmp_path: Path) -> None:
    checked = _checked(tmp_path, MIXED.format(form="按比例"))
    draw = _mixed_draws(1)[0]
    draw["inputs"]["工资"] = {p: "0" for p in MIXED_ENTITIES.ids["参保人员"]}
    draw["inputs"]["费用"] = {"甲院": "100", "乙院": "200", "丙院": "0", "丙二院": "300"}
    draw["inputs"]["县达标"] = {"甲县": True, "乙县": True, "丙县": True}
    draw["inputs"]["在职"] = True
    draw["state"] = {"市级基金": "0.01"}
    out = agree(checked, ["甲县", "乙县", "丙县"], MIXED_ENTITIES, [draw])
    # The fund holds 1 fen + 6 persons at work × 1 fen (市统筹) = 7 fen; asked 10, 20, 0, 30 元:
    # 7 fen shared 1:2:0:3 → 1.17, 2.33, 0, 3.5 → 1, 2, 0, 3 and the last fen to the largest remainder.
    assert out.values["机构补助"][0].tolist() == [1, 2, 0, 4]


LINK_ENTITIES = _entities(
    {
        "用人单位": {"甲公司": "甲县", "空公司": "乙县"},
        "参保人员": {"张三": "甲县", "李四": "乙县", "王五": "甲县"},
        "定点医疗机构": {"一院": "甲县", "二院": "乙县", "三院": "乙县"},
    },
    {
        "用人单位": {"甲公司": {}, "空公司": {}},  # 空公司 has no persons: its mean is never read
        "参保人员": {"张三": {"用人单位": "甲公司"}, "李四": {"用人单位": None}, "王五": {"用人单位": "甲公司"}},
        "定点医疗机构": {"一院": {}, "二院": {}, "三院": {}},
    },
    {"用人单位": (), "参保人员": ("用人单位",), "定点医疗机构": ()},
)


def test_a_person_with_no_employer_fails_only_where_its_employers_value_is_read(tmp_path: Path) -> None:
    checked = _checked(tmp_path, LINKS)
    base = {"工资": {"张三": "3333.33", "李四": "1000", "王五": "0.01"}}
    places = {"费用": {"一院": "1", "二院": "2", "三院": "4"}, "床位": {"一院": 3, "二院": 0, "三院": 1}}
    draws = [
        {"inputs": {**base, **places, "在职": {"张三": True, "李四": False, "王五": True}}},
        {"inputs": {**base, **places, "在职": {"张三": True, "李四": True, "王五": False}}},  # 李四 reads no employer
        {"inputs": {**base, **places, "在职": False}},
    ]
    out = agree(checked, ["甲县", "乙县"], LINK_ENTITIES, draws)
    assert out.failed.tolist() == [False, True, False]
    assert out.reasons[1].key == "no-link"
    with pytest.raises(BatchError) as e:
        run_batch(
            checked,
            batch_of(
                checked,
                [
                    SimpleNamespace(
                        regions=("甲县", "乙县"), params={}, inputs=d["inputs"], state={}, entities=LINK_ENTITIES
                    )
                    for d in draws
                ],
            ),
        )  # type: ignore[list-item]
    assert e.value.key == "no-link" and e.value.first == 1


def test_two_thousand_persons_random_wages_to_the_fen(tmp_path: Path) -> None:
    checked = _checked(tmp_path, MIXED.format(form="按比例"))
    rng = random.Random(2026)
    regions = ["甲县", "乙县", "丙县"]
    employers = {f"单位{i}": regions[i % 3] for i in range(50)}
    persons = {f"人{i}": rng.choice(regions) for i in range(2000)}
    links = {p: {"用人单位": (None if rng.random() < 0.05 else rng.choice(list(employers)))} for p in persons}
    institutions = {f"院{i}": rng.choice(regions) for i in range(20)}
    ents = _entities(
        {"用人单位": employers, "参保人员": persons, "定点医疗机构": institutions},
        {"用人单位": {e: {} for e in employers}, "参保人员": links, "定点医疗机构": {i: {} for i in institutions}},
        {"用人单位": (), "参保人员": ("用人单位",), "定点医疗机构": ()},
    )
    draws = []
    for _ in range(3):
        draws.append(
            {
                "inputs": {
                    "工资": {p: str(Decimal(rng.randint(0, 4_000_000)) / 100) for p in persons},
                    "在职": {p: rng.random() < 0.9 for p in persons},
                    "费用": {i: str(Decimal(rng.randint(0, 10**9)) / 100) for i in institutions},
                    "县达标": {r: rng.random() < 0.8 for r in regions},
                },
                "params": {"比例": str(Decimal(rng.randint(1, 999)) / 10000)},
                "state": {"市级基金": str(rng.randint(0, 10**6))},
            }
        )
    out = agree(checked, regions, ents, draws)
    assert not out.failed.any()
    assert out.values["个人缴费"].shape == (3, 2000) and out.values["单位缴费"].shape == (3, 50)


SHARES = """
政策 份数 {
  地区 县
  地区集 县 { 甲县、乙县 }
  实体 用人单位 属于 地区
  实体 参保人员 属于 地区 隶属 用人单位
  输入 工资: 金额 每人
  输入 份数: 数值 每人
  令 单位份额: 金额 每单位 = 合计(工资 ÷ 份数 按 用人单位)
  令 县均值 = 平均(工资 ÷ 份数 按 地区)
  资金 基金 结转 {
    上解 单位缴费 = 单位份额 × 3%  自 各 用人单位
    上解 县缴费 = 县均值 × 1%  自 各地区
    上解 个人 = 工资 ÷ 份数 × 7%  自 各参保人员
  }
}
"""


def test_sums_over_entities_with_different_denominators_are_exact(tmp_path: Path) -> None:
    checked = _checked(tmp_path, SHARES)
    rng = random.Random(3)
    persons = PERSONS_ENTITIES.ids["参保人员"]
    draws = [
        {
            "inputs": {
                "工资": {p: str(Decimal(rng.randint(0, 10**7)) / 100) for p in persons},
                "份数": {p: str(rng.choice([1, 3, 7, 11, 13])) for p in persons},
            }
        }
        for _ in range(4)
    ]
    out = agree(checked, ["甲县", "乙县"], PERSONS_ENTITIES, draws)
    assert not out.failed.any()
