"""The explainer prices each choice of readings on a sample case (issue 16, item 5), and
`--reading` reaches `pool explain`, `pool compile` and `pool simulate --draws`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli import main
from compiler.evaluate import check_policy
from compiler.explain.priced import bundled_scenario, price
from compiler.explain.render import render_markdown
from compiler.explain.viewmodel import Audience, build
from compiler.tools.reading_diff import compare_readings

ROOT = Path(__file__).resolve().parent.parent
NINGBO = ROOT / "policies" / "ningbo_city_pooling.pool"
SHORT = ROOT / "policies" / "scenarios" / "ningbo_city_pooling.readings.json"
YEAR = ROOT / "policies" / "scenarios" / "ningbo_2022.json"
STOCHASTIC = ROOT / "policies" / "scenarios" / "ningbo_stochastic.yaml"
CHOICE = "归集基金不足时的分担"


def _explain(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(main, ["explain", str(NINGBO), "--format", "md", *args])
    return r.exit_code, r.output


def _section(text: str) -> str:
    """The choice's entry in 本解读对原文的理解: its line and its options."""
    start = text.index(f"**{CHOICE}**")
    return text[start : text.index("\n- **", start)]


def test_ningbo_explainer_states_what_each_reading_costs_whom() -> None:
    code, text = _explain()
    assert code == 0, text
    part = _section(text)
    lines = [line for line in part.splitlines() if line.startswith("  - ")]
    used, capped, all_20_80 = lines
    # the default, 先封顶后二八: 市财政 6,000,000, 鄞州区's 财政 44,000,000
    assert "（本解读采用）" in used and "市财政承担600万元" in used and "缺口地财政（鄞州区）承担4400万元" in used
    # 只补归集基金的缺额: 3,000,000 / 47,000,000
    assert "市财政承担300万元（少300万元）" in capped and "缺口地财政（鄞州区）承担4700万元（多300万元）" in capped
    # 全部按二八: 14,000,000 / 56,000,000
    assert (
        "市财政承担1400万元（多800万元）" in all_20_80 and "缺口地财政（鄞州区）承担5600万元（多1200万元）" in all_20_80
    )
    # The case is named by the scenario's description; the public form shows no file.
    assert "示例情形（鄞州区当年收支缺口7000万元" in used
    assert ".json" not in text and "policies/" not in text
    # a party whose money no option changes is left out: 归集基金 pays 20,000,000 under the first two
    assert "归集基金承担" not in capped


def test_english_and_review_forms() -> None:
    code, text = _explain("--lang", "en")
    assert code == 0
    part = _section(text)
    assert "市财政 pays ¥6,000,000" in part and "市财政 pays ¥3,000,000 (¥3,000,000 less)" in part
    assert (
        "缺口地财政(鄞州区) pays ¥56,000,000 (¥12,000,000 more)" in part
        and "In the sample case (鄞州区 short by ¥70,000,000" in part
    )
    code, review = _explain("--audience", "review")
    assert code == 0 and "ningbo\\_city\\_pooling.readings.json" in _section(review)


def test_explain_reading_renders_under_that_option() -> None:
    _, plain = _explain()
    code, text = _explain("--reading", f"{CHOICE}=全部按二八")
    assert code == 0 and text != plain
    part = _section(text)
    assert "全部按二八（本解读采用）" in part and "先封顶后二八（政策默认）" in part
    # the amounts are now said against 全部按二八: the default's 6,000,000 is 8,000,000 less
    assert "市财政承担1400万元，" in part and "市财政承担600万元（少800万元）" in part
    # and the worked examples are computed under it: 全部按二八 leaves the 归集基金 out of 余姚市's gap
    assert "| 市财政 | 余姚市 | 正常缺口弥补 | 600万元 |" in text


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--reading", f"{CHOICE}=没有这个"], "没有选项“没有这个”"),
        (["--reading", "无等号"], "应写成 解读名称=选项"),
        (["--reading", "没有这个解读=甲"], "没有名为“没有这个解读”的解读"),
        (["--scenario", str(STOCHASTIC)], "随机情景"),
        (["--scenario", str(ROOT / "no-such-file.json")], "no-such-file.json"),
    ],
)
def test_bad_readings_and_scenarios_are_usage_errors(args: list[str], said: str) -> None:
    r = CliRunner().invoke(main, ["explain", str(NINGBO), *args])
    assert r.exit_code == 2 and said in r.output and "Traceback" not in r.output


def test_a_scenario_on_which_no_option_changes_money_says_so_once() -> None:
    code, text = _explain("--scenario", str(YEAR))
    assert code == 0
    part = _section(text)
    assert part.count("在示例情形中，各选项的金额相同。") == 1 and "按此理解" not in part and "承担" not in part


def test_without_a_bundled_scenario_the_amounts_are_said_not_computed(tmp_path: Path) -> None:
    policy = tmp_path / "宁波.pool"
    shutil.copy(NINGBO, policy)
    r = CliRunner().invoke(main, ["explain", str(policy), "--format", "md"])
    assert r.exit_code == 0
    assert "各选项的金额未计算：本政策没有附带示例情形。" in r.output
    # one that cannot be settled: said, not a crash
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "宁波.json").write_text('{"period": 2022, "regions": {"海曙区": {}}}', encoding="utf-8")
    r = CliRunner().invoke(main, ["explain", str(policy), "--format", "md", "--lang", "en"])
    assert r.exit_code == 0 and "not computed: the sample scenario cannot be settled." in r.output
    r = CliRunner().invoke(main, ["explain", str(policy), "--format", "md", "--audience", "review"])
    assert r.exit_code == 0 and "示例情形无法计算（" in r.output


def test_the_bundled_scenario_convention(tmp_path: Path) -> None:
    policy = tmp_path / "p.pool"
    policy.write_text("", encoding="utf-8")
    assert bundled_scenario(policy) is None
    (tmp_path / "p_2026.json").write_text("{}", encoding="utf-8")  # what `pool new` writes
    assert bundled_scenario(policy) == tmp_path / "p_2026.json"
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "p_2025.yaml").write_text("{}", encoding="utf-8")
    assert bundled_scenario(policy) == tmp_path / "scenarios" / "p_2025.yaml"
    (tmp_path / "scenarios" / "p.json").write_text("{}", encoding="utf-8")
    assert bundled_scenario(policy) == tmp_path / "scenarios" / "p.json"
    (tmp_path / "scenarios" / "p.readings.json").write_text("{}", encoding="utf-8")
    assert bundled_scenario(policy) == tmp_path / "scenarios" / "p.readings.json"
    (tmp_path / "scenarios" / "p.readings.json").write_text('{"years": 3}', encoding="utf-8")  # stochastic: passed over
    assert bundled_scenario(policy) == tmp_path / "scenarios" / "p.json"
    assert bundled_scenario(NINGBO) == SHORT


def test_every_bundled_choice_has_a_scenario_where_its_options_differ() -> None:
    for path in sorted((ROOT / "policies").glob("*.pool")):
        checked = check_policy(path)
        pricing = price(checked, path)
        if pricing is None:
            continue  # no choice of readings
        assert pricing.why_not is None, path
        assert pricing.diffs and all(d.differs for d in pricing.diffs), path


def test_the_compiled_evaluator_and_the_interpreter_price_alike() -> None:
    checked = check_policy(NINGBO)
    assert compare_readings(checked, SHORT, engine="compiled") == compare_readings(checked, SHORT, engine="interpreter")


def test_the_explainer_bytes_are_the_same_twice() -> None:
    checked = check_policy(NINGBO)
    one = render_markdown(build(checked, "zh", audience=Audience.REVIEW, pricing=price(checked, NINGBO)))
    two = render_markdown(
        build(check_policy(NINGBO), "zh", audience=Audience.REVIEW, pricing=price(check_policy(NINGBO), NINGBO))
    )
    assert one == two


def test_without_pricing_the_section_says_no_scenario_was_given() -> None:
    text = render_markdown(build(check_policy(NINGBO), "zh"))
    assert "各选项的金额未计算：没有给出示例情形。" in _section(text)


def test_compile_takes_a_reading() -> None:
    plain = CliRunner().invoke(main, ["compile", str(NINGBO)])
    other = CliRunner().invoke(main, ["compile", str(NINGBO), "--reading", f"{CHOICE}=只补归集基金的缺额"])
    assert plain.exit_code == other.exit_code == 0 and plain.output != other.output
    assert "累计结余弥补后缺口" in other.output and "累计结余弥补后缺口" not in plain.output
    bad = CliRunner().invoke(main, ["compile", str(NINGBO), "--reading", f"{CHOICE}=没有这个", "--lang", "en"])
    assert bad.exit_code == 2 and "has no option ‘没有这个’" in bad.output


def test_simulate_draws_takes_a_reading() -> None:
    args = ["simulate", str(NINGBO), str(STOCHASTIC), "--draws", "30", "--seed", "5", "-q"]
    plain = CliRunner().invoke(main, args)
    other = CliRunner().invoke(main, [*args, "--reading", f"{CHOICE}=全部按二八"])
    assert plain.exit_code == other.exit_code == 0, other.output
    assert plain.output != other.output and f"解读:{CHOICE} = 全部按二八" in other.output
    # every engine settles the option alike
    means = set()
    for engine in ("vector", "compiled", "interpreter"):
        r = CliRunner().invoke(main, [*args, "--json", "--engine", engine, "--reading", f"{CHOICE}=全部按二八"])
        assert r.exit_code == 0, r.output
        doc = json.loads(r.output)
        assert doc["readings"] == {CHOICE: "全部按二八"}
        means.add(json.dumps(doc["values"]))
    assert len(means) == 1
    bad = CliRunner().invoke(main, [*args, "--reading", f"{CHOICE}=没有这个"])
    assert bad.exit_code == 2 and "没有选项“没有这个”" in bad.output


def test_a_base_period_reading_is_honoured_by_the_draws(tmp_path: Path) -> None:
    base = json.loads(YEAR.read_text(encoding="utf-8"))
    base["readings"] = {CHOICE: "全部按二八"}
    (tmp_path / "base.json").write_text(json.dumps(base, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "s.yaml").write_text(
        STOCHASTIC.read_text(encoding="utf-8").replace("ningbo_2022.json", "base.json"), encoding="utf-8"
    )
    args = ["simulate", str(NINGBO), str(tmp_path / "s.yaml"), "--draws", "30", "--seed", "5", "-q"]
    by_file = CliRunner().invoke(main, args)
    by_flag = CliRunner().invoke(
        main,
        [
            "simulate",
            str(NINGBO),
            str(STOCHASTIC),
            "--draws",
            "30",
            "--seed",
            "5",
            "-q",
            "--reading",
            f"{CHOICE}=全部按二八",
        ],
    )
    assert by_file.exit_code == by_flag.exit_code == 0 and f"解读:{CHOICE} = 全部按二八" in by_file.output
    # --reading wins over the file's
    back = CliRunner().invoke(main, [*args, "--reading", f"{CHOICE}=先封顶后二八"])
    assert "解读:" not in back.output


def test_a_scenario_describes_itself_in_words(tmp_path: Path) -> None:
    doc = json.loads(SHORT.read_text(encoding="utf-8"))
    assert set(doc["description"]) == {"zh", "en"}
    doc["description"] = "一句话"
    f = tmp_path / "s.json"
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert CliRunner().invoke(main, ["run", str(NINGBO), str(f)]).exit_code == 0
    code, text = _explain("--scenario", str(f))
    assert code == 0 and "在示例情形（一句话）中" in text
    doc["description"] = {"fr": "x"}
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    r = CliRunner().invoke(main, ["run", str(NINGBO), str(f)])
    assert r.exit_code == 2 and "description.fr" in r.output
    schema = json.loads(CliRunner().invoke(main, ["schema", str(NINGBO)]).output)
    assert "description" in schema["properties"]
