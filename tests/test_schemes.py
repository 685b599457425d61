"""Funds and values kept per scheme (每险种): 职工医保和居民医保专户分设,专户之间不调剂."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

from compiler.driver import check_source
from compiler.evaluate import load_scenario

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "fuzz"))
from engines import differences, run_all

from tests.cli import run

POLICY = """地区集 两区 { 甲区、乙区 }

政策 专户分设 {
  地区 两区
  险种 职工医保、居民医保
  主体 省财政
  主体 医疗机构
  输入 征缴收入: 金额 每地区 每险种
  输入 待遇支出: 金额 每险种
  令 上解比例 = 匹配 险种 { 职工医保 => 90%  居民医保 => 80% }
  资金 统筹基金 每险种 结转  原文 "职工医保和居民医保专户分设,专户之间不调剂" {
    上解 征缴 = 征缴收入 × 上解比例  自 各地区  原文 "征缴收入按比例归集"
    转移 支出 = 待遇支出  至 医疗机构  不足时 按比例  原文 "支付待遇"
  }
  转移 财政补助 = 100元  自 省财政  至 统筹基金  当 险种 = 居民医保  原文 "财政补助居民医保"
}
"""

# 职工医保: 甲区 1000 × 90% = 900, 乙区 2000 × 90% = 1800 in; 2500 out; closes at 200.
# 居民医保: opens at 10; 甲区 300 × 80% = 240, 乙区 500 × 80% = 400, 财政 100 in (750 in all);
# asks 800, pays what it holds, 750; closes at 0. No money crosses between the two.
SCENARIO = {
    "regions": {
        "甲区": {"征缴收入": {"职工医保": "1000元", "居民医保": "300元"}},
        "乙区": {"征缴收入": {"职工医保": "2000元", "居民医保": "500元"}},
    },
    "schemes": {"职工医保": {"待遇支出": "2500元"}, "居民医保": {"待遇支出": "800元"}},
    "state": {"统筹基金": {"职工医保": "0元", "居民医保": "10元"}},
}
# The same, every per-scheme value keyed by scheme where it is given, balances by account.
FLAT = {
    "regions": SCENARIO["regions"],
    "global": {"待遇支出": {"职工医保": "2500元", "居民医保": "800元"}},
    "state": {"统筹基金(居民医保)": "10元"},
}


def _files(tmp_path: Path, policy: str = POLICY, **scenarios: object) -> tuple[str, dict[str, str]]:
    p = tmp_path / "p.pool"
    p.write_text(policy, encoding="utf-8")
    out = {}
    for name, data in scenarios.items():
        s = tmp_path / f"{name}.json"
        s.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        out[name] = str(s)
    return str(p), out


def test_each_scheme_collects_and_pays_from_its_own_account(tmp_path: Path) -> None:
    policy, scens = _files(tmp_path, a=SCENARIO, b=FLAT)
    for scen in scens.values():
        code, out, err = run("run", policy, scen, "--json")
        assert code == 0, err
        got = json.loads(out)
        assert got["state"] == {"统筹基金(职工医保)": "200.00", "统筹基金(居民医保)": "0.00"}
        moves = {(t["rule"], t["from"], t["to"]): Decimal(t["amount"]) for t in got["transfers"]}
        assert moves == {
            ("征缴(职工医保)", "甲区", "统筹基金(职工医保)"): Decimal("900.00"),
            ("征缴(职工医保)", "乙区", "统筹基金(职工医保)"): Decimal("1800.00"),
            ("支出(职工医保)", "统筹基金(职工医保)", "医疗机构"): Decimal("2500.00"),
            ("征缴(居民医保)", "甲区", "统筹基金(居民医保)"): Decimal("240.00"),
            ("征缴(居民医保)", "乙区", "统筹基金(居民医保)"): Decimal("400.00"),
            ("支出(居民医保)", "统筹基金(居民医保)", "医疗机构"): Decimal("750.00"),
            ("财政补助(居民医保)", "省财政", "统筹基金(居民医保)"): Decimal("100.00"),
        }


def test_the_three_engines_settle_the_schemes_alike(tmp_path: Path) -> None:
    policy, scens = _files(tmp_path, a=SCENARIO, b=FLAT)
    checked = check_source(POLICY, policy).policy
    assert checked is not None
    loaded = [load_scenario(checked, s) for s in scens.values()]
    outs = run_all(checked, POLICY, loaded)
    assert not differences(outs)
    for out in outs.values():
        assert out[0].failed is None and out[0].crash is None
        assert out[0].closing["统筹基金(职工医保)"] == 200
        assert out[0].closing["统筹基金(居民医保)"] == 0


def test_simulate_carries_each_schemes_balance(tmp_path: Path) -> None:
    later = {
        "regions": {
            "甲区": {"征缴收入": {"职工医保": "100元", "居民医保": "100元"}},
            "乙区": {"征缴收入": {"职工医保": "0元", "居民医保": "0元"}},
        },
        "schemes": {"职工医保": {"待遇支出": "250元"}, "居民医保": {"待遇支出": "10元"}},
    }
    policy, scens = _files(tmp_path, a=SCENARIO, b=later)
    code, out, err = run("simulate", policy, scens["a"], scens["b"], "--json")
    assert code == 0, err
    periods = json.loads(out)
    # 职工医保 200 + 90 - 250 = 40; 居民医保 0 + 80 + 100 - 10 = 170.
    assert periods[1]["state"] == {"统筹基金(职工医保)": "40.00", "统筹基金(居民医保)": "170.00"}


def test_a_scheme_left_out_is_named_with_its_position(tmp_path: Path) -> None:
    missing = {**SCENARIO, "schemes": {"职工医保": {"待遇支出": "2500元"}, "居民医保": {}}}
    policy, scens = _files(tmp_path, a=missing)
    code, _, err = run("run", policy, scens["a"])
    assert code == 2
    assert "schemes.居民医保.待遇支出" in err and "a.json:1:" in err and "居民医保" in err
    keyed = {**FLAT, "global": {"待遇支出": {"职工医保": "2500元"}}}
    policy, scens = _files(tmp_path, b=keyed)
    code, _, err = run("run", policy, scens["b"], "--lang", "en")
    assert code == 2
    assert "global.待遇支出.居民医保" in err and "is missing for ‘居民医保’" in err


CROSSING = """政策 不调剂 {
  险种 职工医保、居民医保
  主体 参保单位
  输入 征缴收入: 金额 每险种
  资金 调剂金 结转 {}
  资金 统筹基金 每险种 结转 {
    上解 征缴 = 征缴收入  自 参保单位
    转移 调出 = 剩余  至 调剂金
  }
  转移 调剂 = 100元  自 统筹基金(职工医保)  至 统筹基金(居民医保)  不足时 按比例
  拆分 分摊 = 100元  自 参保单位 { 统筹基金(职工医保): 50%, 统筹基金(居民医保): 50% }
  转移 拨付 = 征缴收入 × 10%  自 调剂金  至 统筹基金  不足时 按比例
}
"""


def test_money_crossing_between_schemes_is_refused(tmp_path: Path) -> None:
    checked = check_source(CROSSING, "c.pool")
    crossing = {(d.span.line, d.message("zh")) for d in checked.diagnostics if d.code == "E446"}
    assert crossing == {
        (
            8,
            "规则“调出”把“统筹基金(职工医保)”的钱付入不按险种分设的“调剂金”,各险种的钱会在那里混合:各险种专户分设,专户之间不调剂",
        ),
        (10, "规则“调剂”从“统筹基金(职工医保)”付款到“统筹基金(居民医保)”:各险种专户分设,专户之间不调剂"),
        (11, "规则“分摊”同时进出“统筹基金(职工医保)”和“统筹基金(居民医保)”:各险种专户分设,专户之间不调剂"),
    }  # 拨付: a fund not kept per scheme may pay every scheme's account
    policy, _ = _files(tmp_path, CROSSING)
    code, out, err = run("check", policy, "--lang", "en")
    assert code == 1
    assert "E446" in out + err and "no money crosses between them" in out + err and "专户之间不调剂" in out + err


def test_a_scheme_copy_must_name_a_per_scheme_fund_and_a_header_scheme() -> None:
    bad = CROSSING.replace("自 统筹基金(职工医保)  至 统筹基金(居民医保)", "自 统筹基金(新农合)  至 参保单位")
    assert "E447" in {d.code for d in check_source(bad, "c.pool").diagnostics}
    no_header = "政策 无险种 {\n  资金 统筹基金 每险种 结转 {}\n}\n"
    assert [d.code for d in check_source(no_header, "n.pool").diagnostics] == ["E448"]


def test_a_policy_without_per_scheme_funds_still_takes_one_scheme(tmp_path: Path) -> None:
    one = POLICY.replace(" 每险种", "").replace(" 每地区 每险种", " 每地区")
    policy, scens = _files(
        tmp_path,
        a={
            "scheme": "居民医保",
            "regions": {"甲区": {"征缴收入": "300元"}, "乙区": {"征缴收入": "500元"}},
            "global": {"待遇支出": "800元"},
        },
    )
    (tmp_path / "p.pool").write_text(one, encoding="utf-8")
    code, out, err = run("run", policy, scens["a"], "--json")
    assert code == 0, err
    assert json.loads(out)["state"] == {"统筹基金": "0.00"}


def test_the_explainer_says_the_accounts_are_kept_per_scheme(tmp_path: Path) -> None:
    policy, _ = _files(tmp_path)
    code, out, err = run("explain", policy)
    assert code == 0, err
    assert "职工医保、居民医保分设专户，专户之间不调剂：统筹基金按险种各设一个账户" in out
    code, out, err = run("explain", policy, "--lang", "en")
    assert code == 0, err
    assert "The schemes keep separate accounts and no money crosses between them" in out


def test_the_schema_takes_per_scheme_values_keyed_by_scheme(tmp_path: Path) -> None:
    policy, _ = _files(tmp_path)
    code, out, err = run("schema", policy)
    assert code == 0, err
    props = json.loads(out)["properties"]
    assert set(props["schemes"]["properties"]) == {"职工医保", "居民医保"}
    assert set(props["schemes"]["properties"]["职工医保"]["properties"]) == {"待遇支出"}
    region = props["regions"]["additionalProperties"]["properties"]
    assert region["征缴收入"]["required"] == ["职工医保", "居民医保"] and "征缴收入(职工医保)" in region
    assert set(props["state"]["properties"]["统筹基金"]["properties"]) == {"职工医保", "居民医保"}


EXAMPLE = """政策 专户 {
  险种 职工医保、居民医保
  主体 省财政
  主体 医疗机构
  输入 征缴收入: 金额 每险种
  输入 待遇支出: 金额 每险种
  资金 统筹基金 每险种 结转  原文 "专户分设" {
    上解 征缴 = 征缴收入  自 省财政  原文 "征缴"
    转移 支出 = 待遇支出  至 医疗机构  不足时 按比例  原文 "支出"
      理解 "不足时按比例"
  }
  例 "各险种各算各的" {
    期初 统筹基金 = {职工医保: 0元, 居民医保: 10元}
    已知 征缴收入 = {职工医保: 1000元, 居民医保: 500元}
    已知 待遇支出 = {职工医保: 800元, 居民医保: 600元}
    期望 支出 = {职工医保: 800元, 居民医保: EXPECTED}
    期望 统筹基金 = {职工医保: 200元, 居民医保: 0元}
  }
}
"""


def test_an_example_gives_and_expects_values_keyed_by_scheme(tmp_path: Path) -> None:
    right, _ = _files(tmp_path, EXAMPLE.replace("EXPECTED", "510元"))
    code, out, err = run("test", right)
    assert code == 0, out + err
    wrong = tmp_path / "wrong.pool"
    wrong.write_text(EXAMPLE.replace("EXPECTED", "500元"), encoding="utf-8")
    code, out, _ = run("test", str(wrong))
    assert code == 1 and "支出(居民医保): 期望 500.00元, 实际 510.00元" in out


def test_a_tier_payer_with_a_share_in_brackets_is_still_a_payer_and_its_share() -> None:
    """`由 省财政 (比例一)`: a scheme's account is written after 自/至 and in shares, never after 由."""
    source = """政策 t {
  参数 比例一: 比例 = 60%
  主体 省财政
  主体 市财政
  输入 缺口: 金额
  弥补 补缺 = 缺口  至 市财政  原文 "x" {
    层 一: 由 省财政 (比例一), 市财政 (100% - 比例一)  原文 "x"
  }
}
"""
    assert not [d for d in check_source(source, "t.pool").diagnostics if d.code.startswith("E")]
