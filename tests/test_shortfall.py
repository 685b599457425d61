"""A fund that cannot pay (issue 16 item 4): 不足时 按比例 / 按顺序 / 挂账, the check that an
overdraft of a reserve is answered (E421), and where the clause means nothing (E418–E420)."""

from __future__ import annotations

import json
import sys
from fractions import Fraction as F
from pathlib import Path

import pytest

from compiler.driver import check_source
from compiler.evaluate import load_scenario

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "fuzz"))
from engines import run_all

from tests.cli import run

GUIZHOU = str(ROOT / "policies" / "guizhou_risk_adjustment.pool")
GUIZHOU_SHORT = str(ROOT / "policies" / "scenarios" / "guizhou_risk_adjustment.readings.json")

# Three regions; the region set lists 甲 before 乙, the scenario lists 乙 first.
POLICY = """政策 测试 {
  地区集 全省 { 甲、乙、丙 }
  地区 全省
  输入 缺口: 金额 每地区
  资金 留存 结转 原文 "留存" {
    补助 调剂 = 缺口 × 10%  至 各地区  不足时 FORM  原文 "调剂10%"
  }
}
"""
# 乙 asks 30.00, 甲 10.00, 丙 0.00 (0.003 rounds to nothing); the reserve holds 20.00.
SCENARIO = {
    "period": 2026,
    "regions": {"乙": {"缺口": "300.00"}, "甲": {"缺口": "100.00"}, "丙": {"缺口": "0.03"}},
    "state": {"留存": "20.00"},
}


def _files(tmp_path: Path, form: str, scenario: dict[str, object]) -> tuple[str, str]:
    policy, scen = tmp_path / "p.pool", tmp_path / "s.json"
    policy.write_text(POLICY.replace("FORM", form), encoding="utf-8")
    scen.write_text(json.dumps(scenario, ensure_ascii=False), encoding="utf-8")
    return str(policy), str(scen)


def _ledgers(policy: str, scenario: str) -> list[list[tuple[str, str, F]]]:
    source = Path(policy).read_text(encoding="utf-8")
    checked = check_source(source).policy
    assert checked is not None
    outs = run_all(checked, source, [load_scenario(checked, scenario, None)])
    found = []
    for engine, (out,) in outs.items():
        assert out.failed is None and out.crash is None, (engine, out)
        found.append(sorted((s, d, a) for s, d, a, _, _ in out.ledger))
    return found


@pytest.mark.parametrize(
    "form, paid",
    [
        ("按比例", {"乙": F(15), "甲": F(5)}),  # 20.00 shared 30 : 10
        ("按顺序", {"甲": F(10), "乙": F(10)}),  # 甲 first, in full; 乙 gets the rest
        ("挂账", {"乙": F(15), "甲": F(5)}),  # pro rata now, the rest asked again next period
    ],
)
def test_each_form_pays_what_the_reserve_holds_alike_on_every_engine(
    tmp_path: Path, form: str, paid: dict[str, F]
) -> None:
    policy, scen = _files(tmp_path, form, SCENARIO)
    ledgers = _ledgers(policy, scen)
    assert ledgers[0] == ledgers[1] == ledgers[2] == sorted(("留存", r, a) for r, a in paid.items())


def test_a_reserve_that_holds_enough_pays_every_amount_whatever_the_form(tmp_path: Path) -> None:
    rich = {**SCENARIO, "state": {"留存": "1000.00"}}
    for form in ("按比例", "按顺序", "挂账"):
        policy, scen = _files(tmp_path, form, rich)
        assert _ledgers(policy, scen)[0] == [("留存", "乙", F(30)), ("留存", "甲", F(10))]


def test_a_claim_is_carried_and_asked_again_the_next_period(tmp_path: Path) -> None:
    policy, first = _files(tmp_path, "挂账", SCENARIO)
    code, out, err = run("run", policy, first, "--json")
    assert code == 0, err
    state = json.loads(out)["state"]
    assert state == {"留存": "0.00", "调剂": {"乙": "15.00", "甲": "5.00", "丙": "0.00"}}
    # The next year: 33.33 in the reserve; 乙 asks 30.00 + 15.00, 甲 10.00 + 5.00.
    second = tmp_path / "s2.json"
    second.write_text(
        json.dumps(
            {**SCENARIO, "period": 2027, "state": {"留存": "33.33", **{"调剂": state["调剂"]}}}, ensure_ascii=False
        ),
        encoding="utf-8",
    )
    assert _ledgers(policy, str(second))[0] == [("留存", "乙", F(2500, 100)), ("留存", "甲", F(833, 100))]
    code, out, _ = run("run", policy, str(second))
    assert code == 0 and "调剂(乙)" in out and "20.00" in out and "未付金额" in out  # 45.00 − 25.00 still owed
    # simulate carries the claim from one period to the next by itself: with nothing new in
    # the reserve, 2027 pays nothing and the claims grow by the year's amounts.
    code, out, err = run("simulate", policy, first, _later(tmp_path), "--json")
    assert code == 0, err
    assert _last_state(json.loads(out))["调剂"] == {"乙": "45.00", "甲": "15.00", "丙": "0.00"}


def _last_state(doc: object) -> dict[str, object]:
    periods = doc["periods"] if isinstance(doc, dict) else doc
    return periods[-1]["state"]  # type: ignore[no-any-return]


def _later(tmp_path: Path) -> str:
    """The next period: the same amounts asked, nothing new in the reserve."""
    p = tmp_path / "later.json"
    p.write_text(json.dumps({"period": 2027, "regions": SCENARIO["regions"]}, ensure_ascii=False), encoding="utf-8")
    return str(p)


def test_a_reserve_payment_that_may_overdraw_is_refused_with_the_forms_in_the_hint(tmp_path: Path) -> None:
    policy = tmp_path / "p.pool"
    policy.write_text(POLICY.replace("  不足时 FORM", ""), encoding="utf-8")
    code, out, err = run("check", str(policy))
    text = out + err
    assert code == 1
    assert "错误[E421]: “调剂”从资金“留存”付款,金额可能超过资金的余额,却没有说明不足时怎么办" in text
    assert "不足时 按比例、不足时 按顺序 或 不足时 挂账" in text and "取小(…, 剩余)" in text
    code, out, err = run("check", str(policy), "--lang", "en")
    assert "‘调剂’ pays out of fund ‘留存’ and may ask for more than the fund holds" in out + err
    # Bounded by what the fund holds: nothing to answer.
    policy.write_text(
        POLICY.replace(
            "补助 调剂 = 缺口 × 10%  至 各地区  不足时 FORM",
            "分配 调剂 = 取小(合计(缺口) × 10%, 剩余)  至 各地区  按 缺口",
        ),
        encoding="utf-8",
    )
    code, out, err = run("check", str(policy))
    assert code == 0, out + err


@pytest.mark.parametrize(
    "source, code, words",
    [
        (
            POLICY.replace(
                '资金 留存 结转 原文 "留存" {\n    补助 调剂 = 缺口 × 10%  至 各地区  不足时 FORM',
                '主体 省财政\n  资金 留存 结转 原文 "留存" {\n    上解 调剂 = 缺口 × 10%  自 各地区  不足时 按比例',
            ),
            "E418",
            "“调剂”不是从所在资金付款的规则,“不足时”在这里没有意义",
        ),
        (
            POLICY.replace("资金 留存 结转", "资金 留存 每地区 结转").replace("FORM", "按比例"),
            "E419",
            "每地区各自记账的资金“留存”",
        ),
        (
            POLICY.replace("  地区 全省\n", "").replace("FORM", "按顺序"),
            "E420",
            "“按顺序”按政策地区集的先后付款,但本政策没有声明地区集",
        ),
    ],
)
def test_the_clause_where_it_means_nothing_is_an_error_at_the_clause(source: str, code: str, words: str) -> None:
    result = check_source(source)
    found = [d for d in result.diagnostics if d.code == code]
    assert found and words in found[0].message("zh"), [d.message("zh") for d in result.diagnostics]
    assert result.policy is None


def test_an_advance_recovered_in_the_same_period_can_be_paid_short() -> None:
    # The recovery reads the advance, so the advance cannot count it as money the fund holds.
    source = """政策 预付 {
  地区集 两县 { 甲县、乙县 }
  地区 两县
  输入 预算: 金额 每地区
  资金 基金 结转 原文 "基金" {
    补助 预付金 = 预算 × 10%  至 各地区  不足时 按比例  原文 "预付"
    上解 冲抵 = 预付金  自 各地区  原文 "冲抵"
  }
}
"""
    checked = check_source(source).policy
    assert checked is not None
    scen = {
        "period": 2026,
        "regions": {"甲县": {"预算": "1000.00"}, "乙县": {"预算": "3000.00"}},
        "state": {"基金": "200.00"},
    }
    outs = run_all(checked, source, [_scenario(checked, scen)])
    ledgers = {e: sorted((s, d, a) for s, d, a, _, _ in o[0].ledger) for e, o in outs.items()}
    assert ledgers["interpreter"] == ledgers["compiled"] == ledgers["vector"]
    assert ("基金", "甲县", F(50)) in ledgers["interpreter"] and ("基金", "乙县", F(150)) in ledgers["interpreter"]


def _scenario(checked: object, doc: dict[str, object]) -> object:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "s.json"
        p.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        return load_scenario(checked, str(p), None)  # type: ignore[arg-type]


def test_guizhou_prices_its_three_readings_of_a_short_reserve() -> None:
    code, out, err = run("diff", "--readings", GUIZHOU, GUIZHOU_SHORT)
    assert code == 1, err  # the readings differ in money, as `diff` says of differences
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.startswith(("地方政府", "挂账"))}
    # 16,500,000 in the reserve against 30,000,000 + 50,000,000 asked.
    assert rows["地方政府(贵阳市)"][:3] == ["293,812,500.00", "283,500,000.00", "293,812,500.00"]
    assert rows["挂账未付:缺口调剂额(安顺市)"][:3] == ["0.00", "0.00", "39,687,500.00"]
    code, out, _ = run("explain", GUIZHOU, "--format", "md")
    assert "挂账次年调剂：按此理解，贵阳市的缺口调剂额挂账2381.25万元，次年续付" in out


def test_the_worked_example_says_the_reserve_paid_short() -> None:
    code, out, _ = run("explain", GUIZHOU, "--format", "md")
    assert code == 0
    assert (
        "贵阳市的缺口调剂额为 1亿元 × 10%（应付1000万元，省级留存不足以全额支付，按应付金额的比例支付），即500万元。"
        in out
    )


def test_the_clause_keeps_its_meaning_through_the_formatter_in_both_languages(tmp_path: Path) -> None:
    policy, _ = _files(tmp_path, "挂账", SCENARIO)
    code, en, _ = run("fmt", "--keywords", "en", policy)
    assert code == 0 and "shortfall claim" in en
    back = tmp_path / "en.pool"
    back.write_text(en, encoding="utf-8")
    code, zh, _ = run("fmt", "--keywords", "zh", str(back))
    assert code == 0 and "不足时 挂账" in zh


def test_a_misspelt_form_is_named_with_the_one_meant(tmp_path: Path) -> None:
    policy = tmp_path / "p.pool"
    policy.write_text(POLICY.replace("FORM", "按比列"), encoding="utf-8")
    code, out, err = run("check", str(policy))
    assert code == 1
    assert "p.pool:6:34: 错误[E101]: 此处不应出现“按比列”" in out + err
    assert "提示: 你是不是想写“按比例”?" in out + err  # not “按 比列”: 按 alone is no form of 不足时


def test_a_claim_given_for_a_rule_that_carries_none_is_refused_at_its_key(tmp_path: Path) -> None:
    policy, scen = _files(tmp_path, "按比例", {**SCENARIO, "state": {"留存": "20.00", "调剂": {"甲": "1.00"}}})
    code, out, err = run("run", policy, scen)
    assert code == 2 and out == ""
    assert "state.调剂: 不是结转的资金或挂账的规则" in err and "Traceback" not in err
