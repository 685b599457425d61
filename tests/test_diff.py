"""`pool diff`: what changed between two versions, in policy terms, and what it does to the money.

Exit codes as diff(1): 0 no changes, 1 changes, 2 cannot compare.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from compiler.cli import main

ROOT = Path(__file__).resolve().parent.parent
GUIZHOU = ROOT / "policies" / "guizhou_risk_adjustment.pool"
SCENARIO = str(ROOT / "policies" / "scenarios" / "guizhou_2026.json")
BASE_RATIO = "参数 基础上解比例: 比例 = 10%"


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def variant(tmp_path: Path, old: str, new: str, name: str = "new.pool", source: Path = GUIZHOU) -> Path:
    """A copy of a policy with one piece of text replaced (which must be there)."""
    text = source.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_raising_the_base_ratio_names_it_and_shows_each_regions_new_base_remittance(tmp_path: Path) -> None:
    new = variant(tmp_path, BASE_RATIO, "参数 基础上解比例: 比例 = 12%")
    code, out, err = run("diff", GUIZHOU, new, "--scenario", SCENARIO)
    assert (code, err) == (1, "")
    assert "共 1 处变更:参数 1。" in out
    assert "- **基础上解比例**:10% → 12%" in out
    assert "  - 原文:“各市(州)以上年度统筹基金征缴收入为基数,每年按不低于10%的比例上解至省级" in out
    # 上年度征缴收入 × 12% − 同比增量 × 50%, from the scenario's incomes:
    # 贵阳市 10亿 × 12% − 1亿 × 50%; 遵义市 8亿 × 12% − 0; 安顺市 3亿 × 12% − 1000万 × 50%.
    assert "| 基础调剂金 | 基础上解额 | 贵阳市 | 5000万元 | 7000万元 | +2000万元 |" in out
    assert "| 基础调剂金 | 基础上解额 | 遵义市 | 8000万元 | 9600万元 | +1600万元 |" in out
    assert "| 基础调剂金 | 基础上解额 | 安顺市 | 2500万元 | 3100万元 | +600万元 |" in out
    # The whole 基础调剂金 is allocated, so it grows by the 4200万 more collected.
    assert "| 基础调剂金 | 流入 | 1.55亿元 | 1.97亿元 | +4200万元 |" in out
    # Nothing else moves: the additional fund and the retained balance settle the same.
    assert "| 附加上解额 |" not in out
    assert "| 省级留存 | 期末余额 | 9150万元 | 9150万元 | 0元 |" in out


def test_the_json_format_carries_the_same_facts(tmp_path: Path) -> None:
    new = variant(tmp_path, BASE_RATIO, "参数 基础上解比例: 比例 = 12%")
    code, out, _ = run("diff", GUIZHOU, new, "--scenario", SCENARIO, "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["identical"] is False
    [change] = doc["changes"]
    assert (change["section"], change["name"], change["status"]) == ("param", "基础上解比例", "changed")
    assert change["details"] == [{"path": ["value"], "field": "值", "old": "10%", "new": "12%"}]
    assert change["quote"].startswith("各市(州)以上年度统筹基金征缴收入为基数")
    rows = {r["region"]: r for r in doc["impact"]["rules"] if r["rule"] == "基础上解额"}
    assert rows["贵阳市"] == {
        "fund": "基础调剂金",
        "rule": "基础上解额",
        "region": "贵阳市",
        "old": "50000000.00",
        "new": "70000000.00",
        "change": "20000000.00",
    }
    assert (rows["遵义市"]["new"], rows["安顺市"]["new"]) == ("96000000.00", "31000000.00")
    assert doc["impact"]["period"] == 2026


def test_english_output(tmp_path: Path) -> None:
    new = variant(tmp_path, "参数 参保人数权重: 比例 待定", "参数 参保人数权重: 比例 = 60%")
    code, out, _ = run("diff", GUIZHOU, new, "--lang", "en")
    assert code == 1
    assert out.startswith("# Policy changes\n")
    assert "1 change(s): Parameters 1." in out
    assert "- **参保人数权重** (open parameter now set): open → 60%" in out


def test_identical_versions_and_layout_only_changes_are_no_change(tmp_path: Path) -> None:
    code, out, _ = run("diff", GUIZHOU, GUIZHOU)
    assert code == 0
    assert "无变化:两个版本是同一政策" in out
    # Comments, blank lines and spacing are not policy: the IR is the same.
    relaid = variant(
        tmp_path, "  参数 增量扣除比例: 比例 = 50%", "\n  # 新增的注释\n  参数   增量扣除比例 :  比例 =   50%"
    )
    code, out, _ = run("diff", GUIZHOU, relaid, "--format", "json")
    assert code == 0
    assert json.loads(out)["identical"] is True


SMALL = """\
主体 市财政
主体 缺口地财政 每地区
资金 归集基金 结转 {}
参数 调剂比例: 比例 待定  不高于 100%
输入 当期缺口: 金额 每地区
输入 累计结余: 金额 每地区
输入 收入: 金额 每地区
资金 调剂金 结转 {
  上解 上解额 = 收入 × 10%  自 各地区  原文 "按10%上解"
  补助 旧补助 = 当期缺口 × 5%  至 各地区  不足时 按比例  原文 "旧办法"
}
弥补 缺口弥补 = 当期缺口  至 各地区 {
  层 动用累计结余: 由 各地区  上限 累计结余
  层 共同分担: 由 归集基金 50%, 缺口地财政 50%  上限 余额(归集基金) × 2
  层 财政兜底: 由 市财政 20%, 缺口地财政 80%
}
  原文 "当期出现缺口时,按以下顺序弥补"
"""


def test_rules_added_removed_and_changed_and_an_open_parameter_resolved(tmp_path: Path) -> None:
    old = tmp_path / "old.pool"
    old.write_text(SMALL, encoding="utf-8")
    new_text = (
        SMALL.replace("参数 调剂比例: 比例 待定", "参数 调剂比例: 比例 = 10%")
        .replace(
            '补助 旧补助 = 当期缺口 × 5%  至 各地区  不足时 按比例  原文 "旧办法"',
            '补助 新补助 = 当期缺口 × 调剂比例  至 各地区  不足时 按比例  原文 "新办法"',
        )
        .replace("上限 余额(归集基金) × 2", "上限 余额(归集基金)")
        .replace("由 市财政 20%, 缺口地财政 80%", "由 市财政 30%, 缺口地财政 70%")
    )
    new = tmp_path / "new.pool"
    new.write_text(new_text, encoding="utf-8")
    code, out, err = run("diff", old, new)
    assert (code, err) == (1, "")
    assert "- **调剂比例**(待定参数已确定):待定 → 10%" in out
    assert "- 新增 **新补助**:调剂金 · 补助 = 当期缺口 × 调剂比例\n  - 原文:“新办法”" in out
    assert "- 删除 **旧补助**:调剂金 · 补助 = 当期缺口 × 5%" in out
    # A waterfall tier is found by its name, and the change named down to the clause.
    assert "- **缺口弥补**\n" in out
    assert "  - 层 › “共同分担” › 上限:余额(归集基金) × 2 → 余额(归集基金)" in out
    assert "  - 层 › “财政兜底” › 承担方 › “市财政” › 比例:20% → 30%" in out
    assert "  - 层 › “财政兜底” › 承担方 › “缺口地财政” › 比例:80% → 70%" in out
    # Reversed, the same facts the other way round.
    code, out, _ = run("diff", new, old, "--lang", "en")
    assert "- **调剂比例** (now open): 10% → open" in out
    assert "- added **旧补助**: 调剂金 · pay = 当期缺口 * 5%" in out
    assert "- removed **新补助**" in out


def test_reordered_waterfall_tiers_are_a_change(tmp_path: Path) -> None:
    old = tmp_path / "old.pool"
    old.write_text(SMALL, encoding="utf-8")
    swapped = SMALL.replace(
        "  层 动用累计结余: 由 各地区  上限 累计结余\n  层 共同分担: 由 归集基金 50%, 缺口地财政 50%  上限 余额(归集基金) × 2\n",
        "  层 共同分担: 由 归集基金 50%, 缺口地财政 50%  上限 余额(归集基金) × 2\n  层 动用累计结余: 由 各地区  上限 累计结余\n",
    )
    assert swapped != SMALL
    new = tmp_path / "new.pool"
    new.write_text(swapped, encoding="utf-8")
    code, out, _ = run("diff", old, new)
    assert code == 1
    assert "- **缺口弥补**:层 › 顺序:动用累计结余、共同分担、财政兜底 → 共同分担、动用累计结余、财政兜底\n" in out


def test_missing_file_cannot_be_compared(tmp_path: Path) -> None:
    code, out, err = run("diff", tmp_path / "nowhere.pool", GUIZHOU)
    assert (code, out) == (2, "")
    assert "无法比较:旧版本" in err and "无法读取文件" in err


def test_a_new_version_that_fails_its_checks_shows_the_diagnostics(tmp_path: Path) -> None:
    broken = variant(tmp_path, "上年度征缴收入 × 附加上解比例", "上年度征缴收入 × 附加上解比率")
    code, out, err = run("diff", GUIZHOU, broken, "--lang", "en")
    assert (code, out) == (2, "")
    assert "cannot compare: the new version" in err
    assert "error[E201]: undefined" in err and "附加上解比率" in err


def test_an_unreadable_scenario_is_exit_2(tmp_path: Path) -> None:
    new = variant(tmp_path, BASE_RATIO, "参数 基础上解比例: 比例 = 12%")
    code, out, err = run("diff", GUIZHOU, new, "--scenario", tmp_path / "missing.json")
    assert (code, out) == (2, "")
    assert "情景不适用于旧版本" in err and "missing.json" in err
    bad = tmp_path / "bad.json"
    bad.write_text(Path(SCENARIO).read_text(encoding="utf-8").replace('"1000000000.00"', '"abc"', 1), encoding="utf-8")
    code, out, err = run("diff", GUIZHOU, new, "--scenario", bad)
    assert (code, out) == (2, "")
    assert "regions.贵阳市.上年度征缴收入: “abc”不是数字" in err


def test_a_scenario_only_the_old_version_fits_names_the_new_one(tmp_path: Path) -> None:
    needs = variant(
        tmp_path,
        "  令 同比增量 = 取大(上年度征缴收入 - 前年度征缴收入, 0)",
        "  输入 特殊扣除: 金额 每地区\n  令 同比增量 = 取大(上年度征缴收入 - 前年度征缴收入 - 特殊扣除, 0)",
    )
    code, out, err = run("diff", GUIZHOU, needs, "--scenario", SCENARIO, "--lang", "en")
    assert (code, out) == (2, "")
    assert "the scenario does not fit the new version" in err
    assert "特殊扣除" in err
    # Without a scenario the change itself is still described.
    code, out, _ = run("diff", GUIZHOU, needs)
    assert code == 1
    assert "- 新增 **特殊扣除**:金额 每地区" in out
    assert (
        "- **同比增量**:公式:取大(上年度征缴收入 - 前年度征缴收入, 0) → 取大(上年度征缴收入 - 前年度征缴收入 - 特殊扣除, 0)"
        in out
    )


def test_a_waterfall_change_shows_who_pays_more(tmp_path: Path) -> None:
    jilin = ROOT / "policies" / "jilin_city_pooling.pool"
    new = variant(tmp_path, "合计上限 可用累计结余", "合计上限 可用累计结余 × 50%", source=jilin)
    code, out, _ = run("diff", jilin, new, "--scenario", ROOT / "policies" / "scenarios" / "jilin_city_pooling.json")
    assert code == 1
    assert "- **缺口弥补**:层 › “结余基金补足” › 合计上限:可用累计结余 → 可用累计结余 × 50%" in out
    # Each region is still covered in full, so no rule amount changes; who pays does.
    # 可用累计结余 = 6000万 opening + 1500万 + 800万 surplus = 8300万, against 9000万 of normal gaps:
    # before, the fund pays 8300万 and the last 700万 is split 50/50; after, it pays 4150万 and 4850万 is split.
    assert "各规则金额均不变。" in out
    assert "| 市级统筹基金 | 流出 | 8300万元 | 4150万元 | -4150万元 |" in out
    assert "| 市州财政 | 流出 | 350万元 | 2425万元 | +2075万元 |" in out
    assert "| 县区财政 | 流出 | 350万元 | 2425万元 | +2075万元 |" in out
    assert "| 丙县 | 5200万元 | 5200万元 | 0元 |" in out


def test_a_band_table_change_names_the_band(tmp_path: Path) -> None:
    guiyang = ROOT / "policies" / "guiyang_county_budget.pool"
    new = variant(tmp_path, "    结余率分界二 以上 => 结余留用比例三", "    结余率分界二 以上 => 0%", source=guiyang)
    code, out, _ = run("diff", guiyang, new)
    assert code == 1
    assert "- **结余留用率**:公式 › 分段 › “结余率分界二 以上” › 值:结余留用比例三 → 0%\n" in out
    code, out, _ = run("diff", guiyang, new, "--lang", "en")
    assert "- **结余留用率**: formula › bands › ‘from 结余率分界二’ › value: 结余留用比例三 → 0%\n" in out
