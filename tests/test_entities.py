"""Entities below regions (docs/language.md, 实体): persons, employers, institutions.

What a drafter and an actuary notice: the examples settle to the hand-computed fen, a
scenario lists entities as tables, the ledger totals them per rule and region unless
--detail asks, and a bad table is refused with the record's position (exit 2).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli import run

HERE = Path(__file__).resolve().parent / "fixtures" / "entities"
PERSONS, GATE, CAP = (str(HERE / f"{n}.pool") for n in ("persons", "gate", "cap"))


ENGINES = pytest.mark.parametrize("engine", ["interpreter", "compiled"])


def scenario(tmp_path: Path, doc: object) -> str:
    p = tmp_path / "s.json"
    p.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return str(p)


def test_the_examples_settle_to_the_hand_computed_fen() -> None:
    code, out, _ = run("test", PERSONS, GATE, CAP)
    assert code == 0, out
    assert "3 passed" not in out and "4 passed, 0 failed" in out


@ENGINES
def test_a_region_condition_gates_each_institutions_amount(tmp_path: Path, engine: str) -> None:
    doc = {
        "regions": {
            "甲县": {"累计结余": "9000000", "月均支出": "2000000"},
            "乙县": {"累计结余": "3000000", "月均支出": "1500000"},
        },
        "entities": {
            "定点医疗机构": [
                {"id": "甲县人民医院", "地区": "甲县", "年度预算": "12345600"},
                {"id": "甲县中医院", "地区": "甲县", "年度预算": "3333333.33"},
                {"id": "乙县人民医院", "地区": "乙县", "年度预算": "8000000"},
            ]
        },
        "state": {"医保基金": "10000000"},
    }
    code, out, err = run("run", GATE, scenario(tmp_path, doc), "--json", "--detail", "定点医疗机构", "--engine", engine)
    assert code == 0, err
    got = json.loads(out)
    assert got["values"]["预付金"] == {"甲县人民医院": "1234560.00", "甲县中医院": "333333.33", "乙县人民医院": "0.00"}
    assert [t["to"] for t in got["transfers"]] == ["定点医疗机构(甲县人民医院)", "定点医疗机构(甲县中医院)"]
    assert got["state"] == {"医保基金": "8432106.67"}


@ENGINES
def test_a_per_person_cap_sums_into_each_countys_fund(tmp_path: Path, engine: str) -> None:
    doc = {
        "entities": {
            "参保人员": [
                {"id": "张三", "地区": "甲县", "年工资": "300000"},
                {"id": "李四", "地区": "甲县", "年工资": "88888.88"},
                {"id": "王五", "地区": "乙县", "年工资": "250000.50"},
            ]
        }
    }
    code, out, err = run("run", CAP, scenario(tmp_path, doc), "--json", "--engine", engine)
    assert code == 0, err
    got = json.loads(out)
    # totals per rule and region, with how many persons each sums; values per person left out
    assert got["transfers"] == [
        {"from": "参保人员", "to": "县级统筹基金(甲县)", "amount": "6777.78", "region": "甲县", "count": 2,
         "rule": "个人缴费", "line": 10},
        {"from": "参保人员", "to": "县级统筹基金(乙县)", "amount": "5000.00", "region": "乙县", "count": 1,
         "rule": "个人缴费", "line": 10},
    ]  # fmt: skip
    assert "个人缴费" not in got["values"]
    assert got["state"] == {"县级统筹基金": {"甲县": "6777.78", "乙县": "5000.00"}}


def test_the_text_ledger_totals_entities_and_says_how_to_list_them() -> None:
    code, out, _ = run("run", PERSONS, str(HERE / "persons.json"), "--engine", "interpreter")
    assert code == 0
    assert "甲县参保人员(2)" in out and "160.00" in out
    assert "逐个列出用 --detail" in out
    code, out, _ = run("run", PERSONS, str(HERE / "persons.json"), "--detail", "参保人员", "--engine", "interpreter")
    assert "参保人员(张三)" in out and "参保人员(李四)" in out and "甲县用人单位(1)" in out
    code, _, err = run("run", PERSONS, str(HERE / "persons.json"), "--detail", "医院", "--engine", "interpreter")
    assert code == 2 and "没有实体“医院”" in err


@ENGINES
def test_an_employer_aggregate_leaves_out_persons_with_no_employer(engine: str) -> None:
    code, out, _ = run("run", PERSONS, str(HERE / "persons.json"), "--json", "--detail", "用人单位", "--engine", engine)
    assert code == 0
    values = json.loads(out)["values"]
    # 李四 has no employer; 赵六 is not 在职: neither counts towards an employer's base
    assert values["单位基数"] == {"甲公司": "5000.00", "乙公司": "7777.77"}
    assert values["单位缴费"] == {"甲公司": "400.00", "乙公司": "622.22"}


BAD = {
    "entities": {
        "用人单位": [{"id": "甲公司", "地区": "丙县"}, {"id": "乙公司", "地区": "乙县"}],
        "参保人员": [
            {"id": "张三", "用人单位": "乙公司", "工资": "5000.00", "在职": True},
            {"id": "张三", "地区": "甲县", "工资": "3000", "在职": True},
            {"id": "王五", "用人单位": "丁公司", "工资": "100", "在职": False},
        ],
    }
}


def test_bad_entity_tables_are_refused_with_the_records_position(tmp_path: Path) -> None:
    path = scenario(tmp_path, BAD)
    code, out, err = run("run", PERSONS, path)
    assert code == 2 and out == ""
    assert "Traceback" not in err
    assert f"{path}:1:" in err  # json.dumps writes one line: the column tells the record
    assert "entities.用人单位[0].地区: “丙县”不是情景或政策中的地区" in err
    assert "entities.参保人员[1].id: “张三”重复出现" in err
    assert "entities.参保人员[2].用人单位: 用人单位“丁公司”不在 entities.用人单位 中" in err
    code, _, err = run("run", PERSONS, path, "--lang", "en")
    assert code == 2 and "‘张三’ is listed twice" in err


def test_a_per_entity_input_outside_its_table_is_refused(tmp_path: Path) -> None:
    doc = {"regions": {"甲县": {"工资": "5000"}}}
    code, _, err = run("run", PERSONS, scenario(tmp_path, doc))
    assert code == 2
    assert "regions.甲县.工资: 按参保人员逐个取值的输入须写在 entities.参保人员 的记录中" in err


def test_the_schema_describes_the_entity_tables() -> None:
    code, out, _ = run("schema", PERSONS)
    assert code == 0
    tables = json.loads(out)["properties"]["entities"]["properties"]
    person = tables["参保人员"]["items"]
    assert set(person["properties"]) == {"id", "地区", "region", "用人单位", "工资", "在职"}
    assert person["required"] == ["id"]


CLAIMS = """政策 结算 {
  地区 县
  地区集 县 { 甲县、乙县 }
  实体 定点医疗机构 属于 地区
  输入 结算额: 金额 每机构
  输入 参与: 布尔 每机构  默认 是
  资金 医保基金 结转 {
    补助 结算款 = 结算额  至 各定点医疗机构  当 参与  不足时 挂账  原文 "按月结算"
  }
}
"""


@ENGINES
def test_claims_on_each_institution_carry_by_id_into_the_next_period(tmp_path: Path, engine: str) -> None:
    policy = tmp_path / "p.pool"
    policy.write_text(CLAIMS, encoding="utf-8")
    hospitals = [
        {"id": "一院", "地区": "甲县", "结算额": "300000"},
        {"id": "二院", "地区": "乙县", "结算额": "100000", "参与": False},
        {"id": "三院", "地区": "乙县", "结算额": "100000"},  # 参与 not given: its default 是
    ]
    first = {"entities": {"定点医疗机构": hospitals}, "state": {"医保基金": "200000"}}
    code, out, err = run("run", str(policy), scenario(tmp_path, first), "--json", "--engine", engine)
    assert code == 0, err
    state = json.loads(out)["state"]
    # 400000 asked (二院 does not take part), 200000 held: each paid half, the rest carried as a claim
    assert state == {"医保基金": "0.00", "结算款": {"一院": "150000.00", "二院": "0.00", "三院": "50000.00"}}
    second = {"entities": {"定点医疗机构": hospitals}, "state": {**state, "医保基金": "1000000"}}
    code, out, err = run("run", str(policy), scenario(tmp_path, second), "--json", "--engine", engine,
                         "--detail", "定点医疗机构")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["values"]["结算款"] == {"一院": "450000.00", "二院": "0.00", "三院": "150000.00"}


def test_a_misspelt_each_entity_payer_is_one_message_with_a_suggestion(tmp_path: Path) -> None:
    policy = tmp_path / "p.pool"
    text = Path(PERSONS).read_text(encoding="utf-8").replace("自 各参保人员", "自 各参保人元")
    policy.write_text(text, encoding="utf-8")
    code, out, _ = run("check", str(policy))
    assert code == 1
    assert "错误[E201]: 未定义的主体或资金“各参保人元”" in out and "你是不是想写“各参保人员”" in out
    assert "E310" not in out
