"""Scenarios from spreadsheets and results to them (issue 20): the same ledger as the JSON
scenario, every problem named by file, sheet and cell with exit 2, and output Excel opens."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from decimal import Decimal, localcontext
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli import main

openpyxl = pytest.importorskip("openpyxl")

ROOT = Path(__file__).resolve().parent.parent
POLICY = str(ROOT / "policies" / "guizhou_risk_adjustment.pool")
SCENARIOS = ROOT / "policies" / "scenarios"
INPUTS = [
    "上年度征缴收入",
    "前年度征缴收入",
    "参保人数",
    "老年参保人数",
    "完成征缴目标",
    "基金支出增幅",
    "绩效得分",
    "历年累计结余缺口",
    "缺口原因",
]


def run(*args: str) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout_bytes, result.stderr


def json_ledger() -> str:
    code, out, _ = run("run", POLICY, str(SCENARIOS / "guizhou_2026.json"), "--json")
    assert code == 0
    return out.decode()


def workbook(tmp_path: Path, edit: object = None) -> Path:
    """The bundled Guizhou scenario typed into a workbook as an analyst would: numbers as
    numbers, growth as percentage-formatted cells, booleans as Excel booleans."""
    scen = json.loads((SCENARIOS / "guizhou_2026.json").read_text(encoding="utf-8"))
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "地区"
    ws.append(["地区", *INPUTS])
    for region, values in scen["regions"].items():
        row: list[object] = [region]
        for name in INPUTS:
            v = values[name]
            if isinstance(v, bool) or name == "缺口原因":
                row.append(v)
            elif v.endswith("%"):
                row.append(float(Decimal(v[:-1]) / 100))
            else:
                row.append(float(v) if "." in v else int(v))
        ws.append(row)
    for (cell,) in ws.iter_rows(min_row=2, min_col=7, max_col=7):
        cell.number_format = "0%"
    params = book.create_sheet("参数")
    params.append(["参数", "值"])
    params.append(["期间", 2026])
    params.append(["险种", "居民医保"])
    for name, v in scen["params"].items():
        params.append([name, float(Decimal(v[:-1]) / 100)])
    params.append(["部分地区", "是"])  # three of the nine 市(州), as the JSON says
    state = book.create_sheet("期初余额")
    state.append(["资金", "金额(元)"])
    state.append(["省级留存", 80000000])
    if callable(edit):
        edit(book)
    path = tmp_path / "cities.xlsx"
    book.save(path)
    if edit is _fen:
        # openpyxl writes 16 significant digits; Excel writes a double's shortest repr, so
        # =0.1+0.2 is stored as 0.30000000000000004. Put that text where Excel would.
        with zipfile.ZipFile(path) as z:
            parts = {i: z.read(i) for i in z.infolist()}
        with zipfile.ZipFile(path, "w") as z:
            for info, data in parts.items():
                z.writestr(info, data.replace(b"<v>0.25</v>", b"<v>0.30000000000000004</v>"))
    return path


def test_bundled_csv_with_wanyuan_and_separators_settles_like_the_json() -> None:
    code, out, err = run("run", POLICY, str(SCENARIOS / "guizhou_2026.csv"), "--json")
    assert code == 0, err
    assert out.decode() == json_ledger()


def test_workbook_settles_like_the_json(tmp_path: Path) -> None:
    code, out, err = run("run", POLICY, str(workbook(tmp_path)), "--json")
    assert code == 0, err
    assert out.decode() == json_ledger()


def test_gbk_csv_is_named_and_read_with_encoding(tmp_path: Path) -> None:
    gbk = tmp_path / "cities.csv"
    gbk.write_bytes((SCENARIOS / "guizhou_2026.csv").read_text(encoding="utf-8").encode("gbk"))
    code, _, err = run("run", POLICY, str(gbk))
    assert code == 2
    assert "GBK/GB18030" in err and "--encoding gb18030" in err and "UTF-8" in err
    code, out, err = run("run", POLICY, str(gbk), "--encoding", "gb18030", "--json")
    assert code == 0, err
    assert out.decode() == json_ledger()
    code, _, err = run("run", POLICY, str(gbk), "--encoding", "klingon")
    assert code == 2 and "未知的编码" in err


def _text_in_money(book: object) -> None:
    book["地区"]["B3"] = "八亿"  # type: ignore[index]


def _missing_region(book: object) -> None:
    book["地区"]["C5"] = 1  # type: ignore[index]


def _unknown_column(book: object) -> None:
    for cell, value in (("K1", "征缴收入"), ("K2", 1), ("K3", 2), ("K4", 3)):
        book["地区"][cell] = value  # type: ignore[index]


def _merged(book: object) -> None:
    book["地区"].merge_cells("H3:I3")  # type: ignore[index]


def _fen(book: object) -> None:
    book["地区"]["I4"] = 0.25  # type: ignore[index]  # becomes Excel's text of a computed double, below


def _formula(book: object) -> None:
    book["参数"]["B5"] = "=1/100*3"  # type: ignore[index]  # saved by openpyxl: no computed value


def _unknown_sheet(book: object) -> None:
    book.create_sheet("备忘").append(["看这里"])  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_text_in_money, "cities.xlsx:地区!B3: regions.遵义市.上年度征缴收入: “八亿”不是数字"),
        (_missing_region, "cities.xlsx:地区!A5: 缺少地区名称"),
        (_unknown_column, "cities.xlsx:地区!K1: regions.贵阳市.征缴收入: 不是输入"),
        (_merged, "cities.xlsx:地区!H3:I3: 合并的单元格"),
        (_fen, "cities.xlsx:地区!I4: regions.安顺市.历年累计结余缺口: 金额最多两位小数(到分):0.30000000000000004"),
        (_formula, "cities.xlsx:参数!B5: 公式没有保存计算结果"),
        (_unknown_sheet, "cities.xlsx:备忘!A1: 不知道这一行属于哪张表"),
    ],
)
def test_bad_workbook_names_sheet_and_cell(tmp_path: Path, edit: object, expected: str) -> None:
    code, out, err = run("run", POLICY, str(workbook(tmp_path, edit)))
    assert code == 2 and out == b""
    assert expected in err
    assert err.count("cities.xlsx:") == 1, err  # one message for one problem (a header is every row's key)


def test_messages_in_english(tmp_path: Path) -> None:
    code, _, err = run("run", POLICY, str(workbook(tmp_path, _missing_region)), "--lang", "en")
    assert code == 2 and "cities.xlsx:地区!A5: the region's name is missing" in err


def test_csv_cells_are_named_like_excel(tmp_path: Path) -> None:
    text = (SCENARIOS / "guizhou_2026.csv").read_text(encoding="utf-8").replace("70%", "七成")
    bad = tmp_path / "cities.csv"
    bad.write_text(text, encoding="utf-8")
    code, _, err = run("run", POLICY, str(bad))
    assert code == 2 and "cities.csv:B9: params.参保人数权重: “七成”不是数字" in err


def test_units_must_fit_the_type(tmp_path: Path) -> None:
    text = (
        (SCENARIOS / "guizhou_2026.csv")
        .read_text(encoding="utf-8")
        .replace("支出增幅警戒线,15%", "支出增幅警戒线,15万元")
    )
    bad = tmp_path / "cities.csv"
    bad.write_text(text, encoding="utf-8")
    code, _, err = run("run", POLICY, str(bad))
    assert code == 2 and "“15万元”不是数字" in err


def test_json_scenarios_take_amounts_as_drafters_write_them(tmp_path: Path) -> None:
    text = (SCENARIOS / "guizhou_2026.json").read_text(encoding="utf-8")
    text = text.replace('"1000000000.00"', '"10亿元"').replace('"800000000.00", "参保', '"800,000,000.00", "参保')
    scen = tmp_path / "s.json"
    scen.write_text(text.replace('"6000000"', '"600万"'), encoding="utf-8")
    code, out, err = run("run", POLICY, str(scen), "--json")
    assert code == 0, err
    assert out.decode() == json_ledger()


def test_read_scenario_file_gives_the_json_shape() -> None:
    from compiler.sheets import read_scenario_file

    data = read_scenario_file(SCENARIOS / "guizhou_2026.csv")
    assert list(data) == ["period", "scheme", "params", "regions", "state", "partial"]
    assert data["period"] == "2026" and data["state"] == {"省级留存": "80,000,000.00"}
    regions = data["regions"]
    assert isinstance(regions, dict) and list(regions) == ["贵阳市", "遵义市", "安顺市"]
    assert regions["贵阳市"]["上年度征缴收入"] == "100,000.00万元"  # the column's unit, applied by the reader
    assert regions["贵阳市"]["基金支出增幅"] == "5%"


# ---- output


def test_csv_output_opens_in_excel_with_chinese_and_numbers() -> None:
    code, out, _ = run("run", POLICY, str(SCENARIOS / "guizhou_2026.json"), "--format", "csv")
    assert code == 0
    assert out.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the BOM
    text = out.decode("utf-8-sig")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["资金往来"]
    assert rows[1] == ["期间", "规则", "自", "至", "金额(元)", "行"]
    assert rows[2] == ["2026", "基础上解额", "贵阳市", "基础调剂金", "50000000.00", "58"]
    assert ["2026", "省级留存", "", "91500000.00"] in rows
    assert ["期间", "年龄结构权重(%)", "全省上年度征缴收入(元)", "附加留存额(元)"] in rows
    assert ["2026", "30%", "2100000000.00", "16500000.00"] in rows


def test_xlsx_output_holds_exact_numbers_and_is_deterministic(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    code, _, err = run("run", POLICY, str(SCENARIOS / "guizhou_2026.json"), "--format", "xlsx", "-o", str(out))
    assert code == 0, err
    first = out.read_bytes()
    code, again, _ = run("run", POLICY, str(SCENARIOS / "guizhou_2026.json"), "--format", "xlsx")
    assert code == 0 and again == first  # same bytes, to stdout too when it is not a terminal
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["资金往来", "地区结果", "全局结果", "期末余额"]
    ledger = list(book["资金往来"].iter_rows(values_only=True))
    doc = json.loads(json_ledger())
    assert [Decimal(repr(r[4])).quantize(Decimal("0.01")) for r in ledger[1:]] == [
        Decimal(t["amount"]) for t in doc["transfers"]
    ]
    assert book["资金往来"]["E2"].number_format == "#,##0.00"
    assert book["期末余额"]["D2"].value == 91500000


def test_simulate_and_diff_write_spreadsheets(tmp_path: Path) -> None:
    code, out, _ = run(
        "simulate",
        POLICY,
        str(SCENARIOS / "guizhou_2026.json"),
        str(SCENARIOS / "guizhou_2027.yaml"),
        "--format",
        "csv",
    )
    assert code == 0
    periods = {row[0] for row in csv.reader(io.StringIO(out.decode("utf-8-sig"))) if row and row[0].isdigit()}
    assert periods == {"2026", "2027"}
    new = tmp_path / "new.pool"
    new.write_text(Path(POLICY).read_text(encoding="utf-8").replace("= 10%", "= 12%", 1), encoding="utf-8")
    target = tmp_path / "impact.xlsx"
    code, _, err = run(
        "diff",
        POLICY,
        str(new),
        "--scenario",
        str(SCENARIOS / "guizhou_2026.csv"),
        "--format",
        "xlsx",
        "-o",
        str(target),
    )
    assert code == 1, err
    rules = list(openpyxl.load_workbook(target)["各规则"].iter_rows(values_only=True))
    assert rules[0] == ("资金", "规则", "地区", "旧版本(元)", "新版本(元)", "变化(元)")
    # 12% × 10亿 − 50% × 1亿 increment, against 10% × 10亿 − 5000万
    assert ("基础调剂金", "基础上解额", "贵阳市", 50000000, 70000000, 20000000) in rules
    code, _, err = run("diff", POLICY, str(new), "--format", "csv")
    assert code == 2 and "--scenario" in err


def test_amounts_beyond_excels_precision_are_written_as_text() -> None:
    from compiler.sheets.write import Column, Table, to_xlsx

    big, fine = Decimal("12345678901234.56"), Decimal("1234567890123.45")  # 16 and 15 digits
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx([Table("t", [Column("a"), Column("b")], [[big, fine]])])))
    assert book["t"]["A2"].value == "12345678901234.56"  # a double would make it …234.56 ± a fen
    assert book["t"]["B2"].value == 1234567890123.45


def test_case_files_take_spreadsheet_scenarios(tmp_path: Path) -> None:
    cases = tmp_path / "g.cases.yaml"
    cases.write_text(
        f"policy: {POLICY}\ncases:\n  - name: 表格情景\n    scenario: {SCENARIOS / 'guizhou_2026.csv'}\n"
        "    expect:\n      基础上解额: {贵阳市: 5000万元, 遵义市: 8000万元, 安顺市: 2500万元}\n      省级留存: 9150万元\n",
        encoding="utf-8",
    )
    code, out, err = run("test", str(cases))
    assert code == 0, out.decode() + err
    assert "1 passed, 0 failed" in out.decode()


def test_draws_write_each_years_distribution_as_a_sheet(tmp_path: Path) -> None:
    ningbo = str(ROOT / "policies" / "ningbo_city_pooling.pool")
    stochastic = str(SCENARIOS / "ningbo_stochastic.yaml")
    args = ("simulate", ningbo, stochastic, "--draws", "60", "--seed", "4")
    doc = json.loads(run(*args, "--json")[1])
    out = tmp_path / "d.xlsx"
    code, _, err = run(*args, "--format", "xlsx", "-o", str(out))
    assert code == 0, err
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [v["value"] for v in doc["values"]]
    for value in doc["values"]:
        rows = list(book[value["value"]].iter_rows(values_only=True))
        assert rows[0][:5] == ("年份", "均值(元)", "P5(元)", "P25(元)", "中位数(元)")
        for row, year in zip(rows[1:], value["years"], strict=True):
            assert row[0] == year["period"] and Decimal(repr(row[4])) == Decimal(year["p50"]).normalize()
            with localcontext(prec=15):  # what a spreadsheet number holds
                ever = Decimal(year["ever_zero_draws"]) / 60
            assert Decimal(repr(row[10])) == ever  # 至今曾为零: a fraction, shown as a percentage


def test_excel_unicode_text_utf16_tab_separated_is_read(tmp_path: Path) -> None:
    rows = list(csv.reader(io.StringIO((SCENARIOS / "guizhou_2026.csv").read_text(encoding="utf-8"))))
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\r\n").writerows(rows)
    tsv = tmp_path / "cities.csv"
    tsv.write_bytes(out.getvalue().encode("utf-16"))  # what Excel's "Unicode text" saves: a BOM, then UTF-16
    code, got, err = run("run", POLICY, str(tsv), "--json")
    assert code == 0, err
    assert got.decode() == json_ledger()


# ---- entities (issue 18): persons and employers, one record a row


CONTRIBUTIONS = str(ROOT / "policies" / "ningbo_contributions.pool")
ENTITY_CSV = """\ufeff全局,值
上年度省社平,6000
上上年度省社平,5600
上年度省社平已启用,是

用人单位
id,地区
甲公司,海曙区

参保人员
id,地区,用人单位,身份,状态,参保时间段,缴费工资(元),累计缴费年限,选择补缴方式
张三,,甲公司,单位职工,在职,新参保人员,"8,000.00",3,
李四,鄞州区,,灵活就业人员,在职,新参保人员,6000,6,未选择
"""


def test_entity_sections_of_a_csv_read_as_entity_records(tmp_path: Path) -> None:
    from compiler.sheets import read_scenario_file

    path = tmp_path / "persons.csv"
    path.write_text(ENTITY_CSV, encoding="utf-8")
    data = read_scenario_file(path)
    assert data["entities"] == {
        "用人单位": [{"id": "甲公司", "地区": "海曙区"}],
        "参保人员": [
            # an empty 地区 is left out (the employer gives it); any other empty cell is an empty value
            {"id": "张三", "用人单位": "甲公司", "身份": "单位职工", "状态": "在职", "参保时间段": "新参保人员",
             "缴费工资": "8,000.00", "累计缴费年限": "3", "选择补缴方式": None},
            {"id": "李四", "地区": "鄞州区", "用人单位": None, "身份": "灵活就业人员", "状态": "在职",
             "参保时间段": "新参保人员", "缴费工资": "6000", "累计缴费年限": "6", "选择补缴方式": "未选择"},
        ],
    }  # fmt: skip
    code, out, err = run("run", CONTRIBUTIONS, str(path), "--json", "--detail", "参保人员")
    assert code == 0, err  # 张三's empty 选择补缴方式 takes its default; 李四 has no employer
    values = json.loads(out)["values"]
    assert values["职工个人缴费"] == {"张三": "160.00", "李四": "0.00"}
    assert values["灵活就业人员缴费"] == {"张三": "0.00", "李四": "600.00"}


def test_bad_entity_sheet_names_sheet_and_cell(tmp_path: Path) -> None:
    path = tmp_path / "persons.xlsx"
    code, _, err = run(
        "template",
        CONTRIBUTIONS,
        "--scenario",
        str(SCENARIOS / "ningbo_contributions.json"),
        "-o",
        str(path),
    )
    assert code == 0, err
    book = openpyxl.load_workbook(path)
    persons = book["参保人员"]
    persons["A3"] = "职工甲"  # a second 职工甲
    persons["B7"] = "火星区"  # not a region
    persons["C4"] = "丙公司"  # an employer not listed
    persons["G5"] = None  # a wage left empty
    persons["I6"] = None  # 选择补缴方式 has a default: empty is fine
    book.save(path)
    code, out, err = run("run", CONTRIBUTIONS, str(path))
    assert code == 2 and out == b""
    assert "persons.xlsx:参保人员!A3: entities.参保人员[1].id: “职工甲”重复出现" in err
    assert "persons.xlsx:参保人员!B7: entities.参保人员[5].地区: “火星区”不是情景或政策中的地区" in err
    assert "persons.xlsx:参保人员!C4: entities.参保人员[2].用人单位: 用人单位“丙公司”不在 entities.用人单位 中" in err
    assert "persons.xlsx:参保人员!G5: entities.参保人员[3].缴费工资: 缺少这一输入" in err
    assert err.count("persons.xlsx:") == 4, err


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("参保人员\nid", "id"), "persons.csv:A10: 以 id 开头的实体表不知是哪种实体"),  # no row naming the kind
        (
            ("id,地区\n甲公司,海曙区", "id,地区,员工数\n甲公司,海曙区,50"),
            "persons.csv:C7: entities.用人单位[0].员工数: 未知字段",
        ),
        (
            ("甲公司,海曙区", "甲公司,海曙区\n甲公司,江北区"),
            "persons.csv:A9: entities.用人单位[1].id: “甲公司”重复出现",
        ),
        (("\n\n参保人员", "\n\n用人单位\nid\n乙公司\n\n参保人员"), "persons.csv:A10: 用人单位表重复出现"),
        (("李四,鄞州区,", "李四,,"), "persons.csv:A13: entities.参保人员[1]: 缺少所属地区(地区)或所隶属的实体"),
    ],
)
def test_bad_entity_csv_names_the_cell(tmp_path: Path, edit: tuple[str, str], expected: str) -> None:
    path = tmp_path / "persons.csv"
    path.write_text(ENTITY_CSV.replace(*edit), encoding="utf-8")
    code, _, err = run("run", CONTRIBUTIONS, str(path))
    assert code == 2 and expected in err, err


def test_entity_results_are_totalled_per_rule_and_region(tmp_path: Path) -> None:
    scen = str(SCENARIOS / "ningbo_contributions.json")
    code, out, err = run("run", CONTRIBUTIONS, scen, "--format", "csv")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out.decode("utf-8-sig"))))
    assert rows[1] == ["期间", "规则", "自", "至", "地区", "个数", "金额(元)", "行"]
    assert rows[2] == ["2022", "职工个人缴费", "参保人员", "职工医保统筹基金", "海曙区", "2", "228.01", "208"]
    doc = json.loads(run("run", CONTRIBUTIONS, scen, "--json")[1])
    ledger = rows[2 : rows.index([])]
    assert [(r[4], int(r[5]), r[6]) for r in ledger] == [
        (t["region"], t["count"], t["amount"]) for t in doc["transfers"]
    ]
    assert not any("职工甲" in c or "缴费工资" in c for r in rows for c in r)  # per-person values left out
    out_path = tmp_path / "r.xlsx"
    code, _, err = run("run", CONTRIBUTIONS, scen, "--format", "xlsx", "--detail", "参保人员", "-o", str(out_path))
    assert code == 0, err
    assert run("run", CONTRIBUTIONS, scen, "--format", "xlsx", "--detail", "参保人员")[1] == out_path.read_bytes()
    book = openpyxl.load_workbook(out_path)
    assert book.sheetnames == ["资金往来", "全局结果", "参保人员结果", "期末余额"]
    first = [c.value for c in book["资金往来"][2]]
    assert first == [2022, "职工个人缴费", "参保人员(职工甲)", "职工医保统筹基金", "海曙区", None, 72, 208]
    persons = list(book["参保人员结果"].iter_rows(values_only=True))
    assert persons[0][:4] == ("期间", "id", "地区", "限定后缴费工资(元)") and len(persons) == 11
    code, _, err = run("run", CONTRIBUTIONS, scen, "--format", "csv", "--detail", "人员")
    assert code == 2 and "--detail:没有实体“人员”" in err
