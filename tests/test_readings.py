"""Readings: 理解 on declarations, choices of readings, W505, --reading, diff --readings,
and the completeness of a scenario's regions."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli import main
from compiler.driver import check_source, format_source, with_readings
from compiler.evaluate import env_of, evaluate_file, load_scenario, settle_with
from compiler.readings import ReadingError, open_points, readings_of
from compiler.source import SourceFile
from compiler.vector import batch_of, run_batch

ROOT = Path(__file__).resolve().parent.parent
NINGBO = str(ROOT / "policies" / "ningbo_city_pooling.pool")
SHORT = str(ROOT / "policies" / "scenarios" / "ningbo_city_pooling.readings.json")
CHOICE = "归集基金不足时的分担"
# The hand-computed split of a 70,000,000 gap with 20,000,000 in the 归集基金 (issue 16):
# (市财政, 缺口地财政(鄞州区)) under each reading.
FIGURES = {
    "先封顶后二八": (6_000_000, 44_000_000),
    "只补归集基金的缺额": (3_000_000, 47_000_000),
    "全部按二八": (14_000_000, 56_000_000),
}

SMALL = """政策 试 {
  地区 两市
  地区集 两市 {甲市、乙市}
  输入 收入: 金额 每地区
  资金 调剂金 结转 原文 "调剂金" {
    上解 调剂 = 收入 × 比例  自 各地区  原文 "比例为10%左右"READ
  }
  解读 比例的读法 原文 "比例为10%左右" {
    选项 恰为十 理解 "恰为10%" { 令 比例: 比例 = 10% }
    选项 十一 { 令 比例: 比例 = 11% }
    默认 恰为十
  }
  例 "一" { 已知 收入 = 100元  期望 调剂 = 10元 }
}
"""


def _paid(transfers: list[tuple[str, Fraction]], who: str) -> Fraction:
    return sum((a for s, a in transfers if s == who), Fraction(0))


@pytest.mark.parametrize("option", list(FIGURES))
@pytest.mark.parametrize("engine", ["compiled", "interpreter"])
def test_ningbo_three_readings_to_the_fen(option: str, engine: str) -> None:
    checked, _, res = evaluate_file(NINGBO, SHORT, engine, readings={CHOICE: option})
    assert checked.readings[CHOICE] == option
    flows = [(t.source, t.amount) for t in res.transfers]
    assert (_paid(flows, "市财政"), _paid(flows, "缺口地财政(鄞州区)")) == tuple(map(Fraction, FIGURES[option]))


@pytest.mark.parametrize("option", list(FIGURES))
def test_vector_backend_settles_each_reading_alike(option: str) -> None:
    from compiler.evaluate import check_policy

    checked = with_readings(check_policy(NINGBO), {CHOICE: option})
    scen = load_scenario(checked, SHORT)
    got = run_batch(checked, batch_of(checked, [scen]))
    ledger = [(s, Fraction(fen, 100)) for s, _, fen, _, _ in got.ledger(0)]
    assert (_paid(ledger, "市财政"), _paid(ledger, "缺口地财政(鄞州区)")) == tuple(map(Fraction, FIGURES[option]))
    assert [
        (t.source, t.amount) for t in settle_with(checked, env_of(scen), "interpreter", "x").transfers if t.amount
    ] == ledger


def test_diff_readings_shows_the_three_readings() -> None:
    r = CliRunner().invoke(main, ["diff", "--readings", NINGBO, SHORT, "--format", "json"])
    assert r.exit_code == 1, r.output
    (doc,) = json.loads(r.output)
    assert doc["default"] == "先封顶后二八"
    net = doc["net"]
    for option, (city, district) in FIGURES.items():
        assert Fraction(net["市财政"][option]) == city
        assert Fraction(net["缺口地财政(鄞州区)"][option]) == district
    text = CliRunner().invoke(main, ["diff", "--readings", NINGBO, SHORT]).output
    assert "44,000,000.00" in text and "47,000,000.00" in text and "56,000,000.00" in text


def test_run_takes_reading_and_scenario_readings(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["run", NINGBO, SHORT, "--reading", f"{CHOICE}=全部按二八"])
    assert r.exit_code == 0 and "14,000,000.00" in r.output and f"{CHOICE} = 全部按二八" in r.output
    doc = json.loads(Path(SHORT).read_text(encoding="utf-8"))
    doc["readings"] = {CHOICE: "只补归集基金的缺额"}
    f = tmp_path / "s.json"
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert "3,000,000.00" in CliRunner().invoke(main, ["run", NINGBO, str(f)]).output
    bad = CliRunner().invoke(main, ["run", NINGBO, SHORT, "--reading", f"{CHOICE}=没有这个"])
    assert bad.exit_code == 2 and "没有选项“没有这个”" in bad.output
    assert CliRunner().invoke(main, ["run", NINGBO, SHORT, "--reading", "无等号"]).exit_code == 2


def test_unread_discretion_warns_at_the_word_and_strict_fails(tmp_path: Path) -> None:
    src = SMALL.replace("READ", "")
    got = check_source(src)
    (w,) = [d for d in got.diagnostics if d.code == "W505"]
    line = src.splitlines()[w.span.line - 1]
    assert line[w.span.column - 1 : w.span.end_column - 1] == "左右" and w.message("zh").startswith("原文中的“左右”")
    f = tmp_path / "p.pool"
    f.write_text(src, encoding="utf-8")
    r = CliRunner().invoke(main, ["check", "--strict", str(f)])
    assert r.exit_code == 1 and "W505" in r.output
    read = check_source(SMALL.replace("READ", '  理解 "读作恰为10%"'))
    assert not read.diagnostics
    # a choice answers its own quote; its options are not warned either
    assert [p.word for p in open_points(got.program or read.program)] == ["左右"]  # type: ignore[arg-type]


def test_every_option_checks_as_a_policy_of_its_own() -> None:
    src = (SMALL.replace("READ", '  理解 "x"')).replace("令 比例: 比例 = 11%", "令 比例: 比例 = 没有")
    got = check_source(src)
    (e,) = got.errors
    assert e.code == "E201" and "在解读“比例的读法”取选项“十一”时" in e.labels[-1].note.render("zh")


def test_readings_listed_for_the_explainer() -> None:
    got = check_source(SMALL.replace("READ", '  理解 "读作恰为10%"'))
    assert got.policy is not None and got.policy.written is not None
    listed = readings_of(got.policy.written)
    assert [(r.subject, r.reading) for r in listed] == [("调剂", "读作恰为10%"), ("比例的读法", None)]
    assert [(o.name, o.default) for o in listed[1].options] == [("恰为十", True), ("十一", False)]
    with pytest.raises(ReadingError):
        with_readings(got.policy, {"比例的读法": "十二"})


@pytest.mark.parametrize("keywords", ["zh", "en"])
def test_fmt_keeps_choices_and_readings(keywords: str) -> None:
    src = SourceFile("x.pool", SMALL.replace("READ", '  理解 "读作恰为10%"'))
    out = format_source(src, keywords)
    assert out.text is not None and not out.changes_ir
    if keywords == "en":
        assert "choice 比例的读法" in out.text and "option 十一" in out.text and 'reading "读作恰为10%"' in out.text


def test_partial_scenarios_are_refused_unless_marked(tmp_path: Path) -> None:
    doc = json.loads(Path(SHORT).read_text(encoding="utf-8"))
    doc["regions"] = {k: v for k, v in doc["regions"].items() if k in ("鄞州区", "海曙区")}
    f = tmp_path / "s.json"
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    r = CliRunner().invoke(main, ["run", NINGBO, str(f)])
    assert r.exit_code == 2 and "缺少本政策地区集中的 8 个地区" in r.output and "象山县" in r.output
    doc["partial"] = True
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    r = CliRunner().invoke(main, ["run", NINGBO, str(f)])
    assert r.exit_code == 0 and "部分地区" in r.output and "各地累计结余合计" in r.output
    j = json.loads(CliRunner().invoke(main, ["run", NINGBO, str(f), "--json"]).output)
    assert "象山县" in j["partial"]["missing"]


GUIZHOU = str(ROOT / "policies" / "guizhou_risk_adjustment.pool")


def test_guizhou_settles_after_2027_and_refuses_a_silent_subset(tmp_path: Path) -> None:
    doc = json.loads((ROOT / "policies" / "scenarios" / "guizhou_2026.json").read_text(encoding="utf-8"))
    doc["period"] = 2028
    f = tmp_path / "g.json"
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert CliRunner().invoke(main, ["run", GUIZHOU, str(f)]).exit_code == 0
    del doc["partial"]
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    r = CliRunner().invoke(main, ["run", GUIZHOU, str(f)])
    assert r.exit_code == 2 and "缺少本政策地区集中的 6 个地区" in r.output
    for city in (
        "六盘水市",
        "毕节市",
        "铜仁市",
        "黔西南布依族苗族自治州",
        "黔东南苗族侗族自治州",
        "黔南布依族苗族自治州",
    ):
        assert city in r.output


@pytest.mark.parametrize("path", sorted(str(p) for p in (ROOT / "policies").glob("*.pool")))
def test_bundled_policies_answer_every_discretion(path: str) -> None:
    r = CliRunner().invoke(main, ["check", "--strict", path])
    assert r.exit_code == 0, r.output


def test_the_python_api_honours_a_scenario_reading() -> None:
    from compiler import api

    p = api.load(NINGBO)
    data = json.loads(Path(SHORT).read_text(encoding="utf-8"))
    for option, (city, _) in FIGURES.items():
        got = p.run(data, readings={CHOICE: option})
        assert sum(t.amount for t in got.transfers if t.source == "市财政") == city


def test_a_scheme_that_starts_later_is_refused_before_it_starts(tmp_path: Path) -> None:
    doc = json.loads((ROOT / "policies" / "scenarios" / "guizhou_2026.json").read_text(encoding="utf-8"))
    doc["scheme"] = "职工医保"
    f = tmp_path / "g.json"
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    r = CliRunner().invoke(main, ["run", GUIZHOU, str(f)])
    assert r.exit_code == 2 and "职工医保自2027年3月起实施" in r.output
    doc["period"] = 2027
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert CliRunner().invoke(main, ["run", GUIZHOU, str(f)]).exit_code == 0


def test_guizhou_short_reserve_is_shared_pro_rata_on_every_engine(tmp_path: Path) -> None:
    from compiler.evaluate import check_policy

    doc = json.loads((ROOT / "policies" / "scenarios" / "guizhou_2026.json").read_text(encoding="utf-8"))
    for r, gap in zip(doc["regions"], ("300000000.00", "100000000.00", "200000000.00")):
        doc["regions"][r]["历年累计结余缺口"] = gap
        doc["regions"][r]["缺口原因"] = "正常"
    doc["state"] = {"省级留存": "0.01"}
    f = tmp_path / "g.json"
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    ledgers = []
    for engine in ("compiled", "interpreter"):
        _, _, res = evaluate_file(GUIZHOU, str(f), engine)
        ledgers.append([(t.source, t.dest, t.amount) for t in res.transfers if t.amount and t.rule == "缺口调剂额"])
        assert res.closing["省级留存"] == 0
    checked = check_policy(GUIZHOU)
    got = run_batch(checked, batch_of(checked, [load_scenario(checked, str(f))]))
    ledgers.append([(s, d, Fraction(fen, 100)) for s, d, fen, rule, _ in got.ledger(0) if rule == "缺口调剂额"])
    assert ledgers[0] == ledgers[1] == ledgers[2]
    assert sum(a for _, _, a in ledgers[0]) < Fraction(6 * 10**7)  # short: less than 10% of the gaps


def test_the_explainer_data_of_the_bundled_policies() -> None:
    from compiler.evaluate import check_policy
    from compiler.readings import of_policy

    listed, open_ = of_policy(check_policy(NINGBO))
    (choice,) = [r for r in listed if r.options]
    assert choice.subject == CHOICE and [o.name for o in choice.options if o.default] == ["先封顶后二八"]
    assert all(r.reading for r in listed if not r.options) and not open_
    listed, open_ = of_policy(check_policy(GUIZHOU))
    assert {"增量扣除比例", "老年参保人数", "省级留存不足时的调剂", "绩效分配额"} <= {r.subject for r in listed}
    assert [p.subject for p in open_] == ["参保人数权重", "附加上解比例", "支出增幅警戒线"]
