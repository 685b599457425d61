"""`pool template`: a fill-in workbook per policy that, filled in, runs unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli import main

openpyxl = pytest.importorskip("openpyxl")

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
# Every bundled policy with a bundled one-period scenario.
BUNDLED = [
    ("guizhou_risk_adjustment", "guizhou_2026.json"),
    ("guiyang_county_budget", "guiyang_county_budget.json"),
    ("jilin_city_pooling", "jilin_city_pooling.json"),
    ("ningbo_city_pooling", "ningbo_2022.json"),
    ("ningbo_contributions", "ningbo_contributions.json"),
]


def run(*args: str) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout_bytes, result.stderr


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize(("policy", "scenario"), BUNDLED)
def test_a_filled_template_settles_like_the_scenario(tmp_path: Path, policy: str, scenario: str, fmt: str) -> None:
    pool, scen = POLICIES / f"{policy}.pool", POLICIES / "scenarios" / scenario
    filled = tmp_path / f"filled.{fmt}"
    code, _, err = run("template", pool, "--scenario", scen, "-o", filled)
    assert code == 0, err
    code, from_sheet, err = run("run", pool, filled, "--json")
    assert code == 0, err
    assert from_sheet == run("run", pool, scen, "--json")[1]


def test_template_lists_regions_inputs_and_open_parameters(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    code, _, err = run("template", POLICIES / "guizhou_risk_adjustment.pool", "-o", out)
    assert code == 0, err
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["地区", "参数", "期初余额"]
    regions = book["地区"]
    header = [c.value for c in regions[1]]
    assert header[:3] == ["地区", "上年度征缴收入(元)", "前年度征缴收入(元)"]
    names = [r[0].value for r in regions.iter_rows(min_row=2)]
    assert len(names) == 9 and names[:3] == ["贵阳市", "六盘水市", "遵义市"]  # the region set, in its order
    col = {h: i + 1 for i, h in enumerate(header)}
    assert regions.cell(2, col["基金支出增幅(%)"]).number_format == "0.00%"
    assert regions.cell(2, col["上年度征缴收入(元)"]).number_format == "#,##0.00"
    assert (
        "以上年度统筹基金征缴收入为基数" in regions.cell(1, col["上年度征缴收入(元)"]).comment.text
    )  # the input's 原文
    lists = {dv.formula1: str(dv.sqref) for dv in regions.data_validations.dataValidation}
    assert lists['"是,否"'].startswith(openpyxl.utils.get_column_letter(col["完成征缴目标"]))
    assert any("挤占挪用" in f for f in lists)  # 缺口原因, an enumeration
    params = {r[0].value: r for r in book["参数"].iter_rows(min_row=2)}
    assert params["附加上解比例"][3].value == "待定:须填写"
    assert params["附加上解比例"][0].fill.fgColor.rgb.endswith("FFF2CC")  # open: highlighted
    assert params["基础上解比例"][0].fill.fgColor.rgb == "00000000"
    assert params["附加上解比例"][1].number_format == "0.00%"


def test_template_is_deterministic_and_empty_cells_are_named_when_run(tmp_path: Path) -> None:
    pool = POLICIES / "guizhou_risk_adjustment.pool"
    first = run("template", pool)[1]
    assert first[:2] == b"PK" and run("template", pool)[1] == first
    # Filled for one region only: the others are named at their cells.
    out = tmp_path / "t.xlsx"
    out.write_bytes(first)
    book = openpyxl.load_workbook(out)
    book["地区"]["B2"] = 1000000000
    book.save(out)
    code, _, err = run("run", pool, out)
    assert code == 2 and "t.xlsx:地区!B3: regions.六盘水市.上年度征缴收入: 应为金额" in err


def test_template_for_a_policy_without_funds_or_inputs_reads_back() -> None:
    code, out, err = run("template", POLICIES / "baoshan_tasks.pool", "--format", "csv")
    assert code == 0, err
    assert out.decode("utf-8-sig").splitlines()[0].startswith("地区")


def test_template_has_a_sheet_per_entity_kind(tmp_path: Path) -> None:
    pool = POLICIES / "ningbo_contributions.pool"
    out = tmp_path / "t.xlsx"
    code, _, err = run("template", pool, "-o", out)
    assert code == 0, err
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["地区", "参数", "全局", "期初余额", "用人单位", "参保人员"]
    assert [c.value for c in book["地区"][1]] == ["地区"]  # per-person inputs are not regions' columns
    persons = book["参保人员"]
    header = [c.value for c in persons[1]]
    assert header[:4] == ["id", "地区", "用人单位", "身份"] and "缴费工资(元)" in header
    assert persons.max_row == 1000 and all(c.value is None for c in persons[2])  # empty, ready to fill
    col = {h: openpyxl.utils.get_column_letter(i + 1) for i, h in enumerate(header)}
    assert persons[f"{col['缴费工资(元)']}2"].number_format == "#,##0.00"
    lists = {str(dv.sqref): dv.formula1 for dv in persons.data_validations.dataValidation}
    assert lists[f"{col['身份']}2:{col['身份']}1000"] == '"单位职工,灵活就业人员,失业人员"'
    assert lists["B2:B1000"].startswith('"海曙区,')  # the policy's regions
    assert "用人单位医保缴费基数" in persons["A1"].comment.text  # the kind's 原文
    code, csv_out, err = run("template", pool, "--format", "csv")
    assert code == 0, err
    lines = csv_out.decode("utf-8-sig").splitlines()
    i = lines.index("参保人员")  # a CSV section is found by the row naming its kind
    assert lines[i + 1].startswith("id,地区,用人单位,身份,")
