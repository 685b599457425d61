"""`pool simulate --draws N --seed S`: stochastic scenarios, reproducible draws, exact summaries."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import attrs
import numpy as np
import pytest

from compiler.evaluate import check_policy
from compiler.stochastic import simulate
from compiler.stochastic.draws import Grower, draw
from compiler.stochastic.engine import PerDraw
from compiler.stochastic.spec import load_plan
from tests.cli import run, write

ROOT = Path(__file__).resolve().parent.parent
NINGBO = str(ROOT / "policies" / "ningbo_city_pooling.pool")
BASE = ROOT / "policies" / "scenarios" / "ningbo_2022.json"
STOCHASTIC = str(ROOT / "policies" / "scenarios" / "ningbo_stochastic.yaml")

# A reserve whose spending is covered through a waterfall tier it alone pays: when spending
# outgrows income it is overdrawn, and the period cannot be settled. (A 补助 out of the reserve
# would have to say 不足时 what happens — E421 — and then it never overdraws; a tier paying
# from a reserve is not yet under that check, which is what keeps this run-time failure.)
RESERVE = """\
地区集 两区 { 东区、西区 }
政策 储备金 {
  地区 两区
  输入 收入: 金额 每地区
  输入 支出: 金额 每地区
  资金 储备 结转 {
    上解 缴入 = 收入  自 各地区  原文 "收入全部缴入"
  }
  弥补 拨付 = 支出  至 各地区 { 层 储备支付: 由 储备 }  原文 "支出全部拨付"
}
"""
RESERVE_SCENARIO = """\
period: 2024
regions:
  东区: {收入: "100.00", 支出: "100.00"}
  西区: {收入: "100.00", 支出: "100.00"}
state: {储备: "50.00"}
years: 5
growth:
  支出:
    uniform: {low: "-10%", high: "10%"}
    independent: true
"""


@pytest.fixture
def reserve(tmp_path: Path) -> tuple[str, str]:
    return write(tmp_path, "reserve.pool", RESERVE), write(tmp_path, "reserve.yaml", RESERVE_SCENARIO)


def test_same_seed_same_bytes_different_seed_different(tmp_path: Path) -> None:
    outs: dict[int, tuple[str, str, bytes]] = {}
    for seed in ("7", "7", "8"):
        chart = tmp_path / f"c{len(outs)}.svg"
        code, table, _ = run("simulate", NINGBO, STOCHASTIC, "--draws", "40", "--seed", seed, "--chart", str(chart))
        assert code == 0
        _, doc, _ = run("simulate", NINGBO, STOCHASTIC, "--draws", "40", "--seed", seed, "--json", "--lang", "en")
        outs[len(outs)] = (table, doc, chart.read_bytes())
    assert outs[0] == outs[1]
    assert all(a != b for a, b in zip(outs[0], outs[2]))
    table, doc, svg = outs[0]
    assert "归集基金 期末余额(元)" in table and "至今曾为零" in table and "40 次模拟,种子 7" in table
    assert json.loads(doc)["seed"] == 7
    assert svg.startswith(b"<svg") and "归集基金期末余额的分布".encode() in svg and "中位数".encode() in svg


def _grown(v: str, rate: str, years: int) -> list[str]:
    out, d = [], Decimal(v)
    for _ in range(years):
        d = (d * (1 + Decimal(rate))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        out.append(str(d))
    return out


def test_no_spread_gives_the_deterministic_simulation_to_the_fen(tmp_path: Path) -> None:
    """sd 0 (and low = high): every draw is `pool simulate` on the inputs grown by hand."""
    spec = write(
        tmp_path,
        "s.yaml",
        f"""\
base: {BASE.as_posix()}
years: 3
growth:
  基金支出: {{normal: {{mean: "8%", sd: "0%"}}}}
  基金收入: {{uniform: {{low: "5%", high: "5%"}}}}
  月均基金支付额: {{normal: {{mean: "0.03", sd: 0}}}}
""",
    )
    base = json.loads(BASE.read_text(encoding="utf-8"))
    periods = [base]
    grown = {
        (r, k): _grown(v, "0.08" if k == "基金支出" else "0.05", 3)
        for r, inputs in base["regions"].items()
        for k, v in inputs.items()
        if k in ("基金支出", "基金收入")
    }
    monthly = _grown(base["global"]["月均基金支付额"], "0.03", 3)
    for i in range(3):
        regions = {
            r: {**inputs, **{k: grown[(r, k)][i] for k in ("基金支出", "基金收入")}}
            for r, inputs in base["regions"].items()
        }
        periods.append(
            {"period": 2023 + i, "scheme": base["scheme"], "global": {"月均基金支付额": monthly[i]}, "regions": regions}
        )
    plain = write(tmp_path, "plain.json", json.dumps({"periods": periods}, ensure_ascii=False))
    code, out, err = run("simulate", NINGBO, plain, "--json")
    assert code == 0, err
    expected = json.loads(out)
    code, out, err = run(
        "simulate",
        NINGBO,
        spec,
        "--draws",
        "5",
        "--seed",
        "3",
        "--json",
        "--values",
        "归集基金",
        "--values",
        "区县累计结余",
        "--values",
        "区县累计结余@奉化区",
        "--values",
        "正常缺口弥补",
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["periods"] == [2022, 2023, 2024, 2025]
    want = {
        "归集基金": [p["state"]["归集基金"] for p in expected],
        "区县累计结余": [str(sum(Decimal(x) for x in p["state"]["区县累计结余"].values())) for p in expected],
        "区县累计结余@奉化区": [p["state"]["区县累计结余"]["奉化区"] for p in expected],
        "正常缺口弥补": [str(sum(Decimal(x) for x in p["values"]["正常缺口弥补"].values())) for p in expected],
    }
    assert [v["value"] for v in doc["values"]] == list(want)
    for v in doc["values"]:
        for year, value in zip(v["years"], want[v["value"]]):
            stats = {year[k] for k in ("mean", "p5", "p25", "p50", "p75", "p95", "min", "max")}
            assert stats == {value}, (v["value"], year["period"])
            assert year["settled"] == 5
    # The deterministic run draws the 归集基金 down each year; it has not run dry.
    assert doc["values"][0]["years"][-1]["p_ever_zero"] == "0.0000"


def test_percentiles_are_numpys_linear_percentiles_computed_exactly() -> None:
    checked = check_policy(NINGBO)
    r = simulate(NINGBO, STOCHASTIC, draws=101, seed=11, values=["归集基金", "正常缺口弥补"])
    assert r.checked.policy is not None and checked.policy is not None
    for s in r.summaries:
        fen = r.outcome.fen[s.pick.label]
        for t, y in enumerate(s.years):
            xs = fen[:, t]
            assert y.settled == 101
            want = np.percentile(xs.astype(np.float64), [5, 25, 50, 75, 95])
            # 101 draws: every percentile falls on an order statistic, so the float agrees to the fen
            assert [int(p.scaleb(2)) for p in y.percentiles] == [int(w) for w in want]
            assert (int(y.low.scaleb(2)), int(y.high.scaleb(2))) == (xs.min(), xs.max())  # type: ignore[union-attr]
            assert abs(int(y.mean.scaleb(2)) - xs.mean()) <= 1  # type: ignore[union-attr]
            assert y.zero == int((xs == 0).sum()) if s.pick.balance else True


def test_rates_are_reproducible_shared_or_independent_and_inputs_are_whole_fen(reserve: tuple[str, str]) -> None:
    checked = check_policy(NINGBO)
    plan = load_plan(STOCHASTIC, checked)
    a, b = draw(plan, 20, 5), draw(plan, 20, 5)
    assert a.key_of == b.key_of and all((a.rates[k] == b.rates[k]).all() for k in a.rates)
    # 基金支出 is drawn once a year for all regions (one shock for the whole city)
    assert len({a.key_of[("基金支出", r, 2023)] for r in plan.base.regions}) == 1
    grower = Grower(checked, plan, a)
    grown = grower.grow(dict(plan.base.inputs), 3, 2023)
    spend = grown["基金支出"]
    assert isinstance(spend, dict)
    assert all(v == v.quantize(Decimal("0.01")) for v in spend.values())  # type: ignore[union-attr]
    rate = Decimal(repr(float(a.rates[a.key_of[("基金支出", "海曙区", 2023)]][3])))
    assert spend["海曙区"] == (Decimal("950000000.00") * (1 + rate)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    # independent: each region its own draw
    policy, scenario = reserve
    rplan = load_plan(scenario, check_policy(policy))
    f = draw(rplan, 10, 1)
    assert f.key_of[("支出", "东区", 2025)] != f.key_of[("支出", "西区", 2025)]


@pytest.mark.parametrize("engine", ["compiled", "vector"])
def test_unsettled_draws_are_counted_not_fatal(reserve: tuple[str, str], engine: str) -> None:
    policy, scenario = reserve
    # Both engines name the clause (file:line) of a draw they cannot settle (issue 14 item 14).
    code, out, err = run(
        "simulate", policy, scenario, "--draws", "50", "--seed", "1", "--json", "--lang", "en", "--engine", engine
    )
    assert code == 0, err
    doc = json.loads(out)
    years = doc["values"][0]["years"]
    stopped = sum(u["draws"] for u in doc["unsettled"])
    assert stopped > 0 and years[-1]["settled"] == 50 - stopped
    assert all("overdrawn" in u["en"] and "reserve.pool:6" in u["en"] for u in doc["unsettled"])
    # a draw that closed at zero and later stopped counts once
    both = years[-1]["zero_or_unsettled_draws"]
    assert max(years[-1]["ever_zero_draws"], stopped) <= both <= years[-1]["ever_zero_draws"] + stopped
    assert Decimal(years[-1]["p_ever_zero_or_unsettled"]) == Decimal(both) / 50
    # settled counts only ever fall, by the draws that stopped that year
    for before, after in zip(years, years[1:]):
        lost = sum(u["draws"] for u in doc["unsettled"] if u["period"] == after["period"])
        assert before["settled"] - after["settled"] == lost
    code, table, _ = run("simulate", policy, scenario, "--draws", "50", "--seed", "1", "--engine", engine)
    assert f"无法结算:{stopped} 次模拟" in table and "资金“储备”余额不足" in table


def test_the_interpreter_engine_agrees_with_the_compiled_one(reserve: tuple[str, str]) -> None:
    policy, scenario = reserve
    compiled = simulate(policy, scenario, draws=30, seed=4)
    oracle = simulate(policy, scenario, draws=30, seed=4, batch=PerDraw(compiled.checked, "interpreter"))
    assert (compiled.outcome.failed_at == oracle.outcome.failed_at).all()
    assert compiled.summaries == oracle.summaries


BAD = [
    (
        'growth:\n  基金支出: {normal: {mean: "8%", sd: "-3%"}}\n',
        "bad.yaml:4:35: growth.基金支出.normal.sd: 标准差不能为负",
    ),
    ('growth:\n  基金支出: {normal: {mean: "8%"}}\n', "growth.基金支出.normal.sd: 缺少这一字段"),
    ('growth:\n  基金支出: {uniform: {low: "5%", high: "1%"}}\n', "growth.基金支出.uniform.high: 上限不能低于下限"),
    ('growth:\n  基金支出: {uniform: {low: "abc", high: "1%"}}\n', "growth.基金支出.uniform.low: “abc”不是比例"),
    ('growth:\n  基金支出: {normal: {mean: "-120%", sd: "1%"}}\n', "growth.基金支出.normal.mean: 增长率须高于 -100%"),
    ('growth:\n  基金支出: {poisson: {mean: "8%"}}\n', "growth.基金支出.poisson: 未知字段"),
    (
        'growth:\n  基金支出: {normal: {mean: "8%", sd: "1%"}, uniform: {low: 0, high: 0}}\n',
        "growth.基金支出.uniform: normal 与 uniform 只能给一个",
    ),
    ('growth:\n  参保人: {normal: {mean: "8%", sd: "1%"}}\n', "growth.参保人: 不是输入"),
    (
        'growth:\n  基金支出: {regions: {海曙区: {normal: {mean: "8%", sd: "1%"}}}}\n',
        "growth.基金支出: 没有适用于江北区2023年的分布",
    ),
    (
        'growth:\n  基金支出: {normal: {mean: "8%", sd: "1%"}, years: {2040: {normal: {mean: 0, sd: 0}}}}\n',
        "growth.基金支出.years.2040: 应为模拟的年份之一(2023–2024)",
    ),
    (
        'growth:\n  月均基金支付额: {normal: {mean: "8%", sd: "1%"}, independent: true}\n',
        "growth.月均基金支付额.independent: 全局输入只有一个值",
    ),
    ("growth:\n  月均基金支付额: {like: 基金收入}\n", "growth.月均基金支付额.like: 应为 growth 中另一个给出分布的输入"),
    (
        "growth:\n  基金支出: {normal: {mean: 0, sd: 0}, independent: true}\n  月均基金支付额: {like: 基金支出}\n",
        "growth.月均基金支付额.like: 基金支出各地区的增长率不同,全局输入无从跟随",
    ),
    (
        "growth:\n  基金收入: {like: 基金支出, normal: {mean: 0, sd: 0}}\n  基金支出: {normal: {mean: 0, sd: 0}}\n",
        "growth.基金收入.normal: 已用 like 跟随另一输入",
    ),
]


@pytest.mark.parametrize(("growth", "message"), BAD)
def test_bad_distribution_fields_are_named_with_their_position(tmp_path: Path, growth: str, message: str) -> None:
    spec = write(tmp_path, "bad.yaml", f"base: {BASE.as_posix()}\nyears: 2\n{growth}")
    chart = tmp_path / "c.svg"
    code, out, err = run("simulate", NINGBO, spec, "--draws", "5", "--chart", str(chart))
    assert code == 2 and out == "" and not chart.exists()
    assert f"{Path(spec).as_posix()}:" in err and message in err, err


def test_bad_plan_fields_and_options(tmp_path: Path) -> None:
    cases = [
        (f"base: {BASE.as_posix()}\nyears: 0\ngrowth: {{}}\n", ["2:8: years: 应为 1 到 100 之间的整数"]),
        (f"base: {BASE.as_posix()}\nyears: 2\ngrowth: {{}}\n", ["3:9: growth: 至少给出一个输入"]),
        (
            f"base: {BASE.as_posix()}\nperiod: 2022\nyears: 1\ngrowth:\n  基金支出: {{normal: {{mean: 0, sd: 0}}}}\n",
            ["2:1: period: 已用 base 引用基期文件"],
        ),
        ("base: missing.json\nyears: 1\ngrowth: {}\n", ["missing.json:1:1: 无法读取"]),
        (
            'period: 2022\nscheme: 职工医保\nregions: {海曙区: {基金收入: "1.001"}}\nyears: 1\n',
            ["regions.海曙区.基金收入: 金额最多两位小数", "growth: 随机情景须给出 growth"],
        ),
    ]
    for text, messages in cases:
        code, out, err = run("simulate", NINGBO, write(tmp_path, "p.yaml", text), "--draws", "3")
        assert code == 2 and out == "", err
        assert all(m in err for m in messages), err
    for args, message in [
        (["--draws", "0"], "--draws: 应在 1 到 1,000,000 之间"),
        (["--draws", "3", "--values", "火星"], "--values 火星: 不是结转资金或规则"),
        (["--draws", "3", "--values", "归集基金@海曙区"], "归集基金不按地区结转"),
        (["--draws", "3", "--chart", "x.png"], "只能写 SVG"),
        ([], "这是随机情景"),
        (["--chart", "x.svg"], "--chart 须与 --draws 一起使用"),
        (["--seed", "3"], "--seed 须与 --draws 一起使用"),
        (["--draws", "3", "--seed", "-1"], "--seed: 不能为负"),
    ]:
        code, out, err = run("simulate", NINGBO, STOCHASTIC, *args)
        assert code == 2 and out == "" and message in err, (args, err)
    code, _, err = run("simulate", NINGBO, str(BASE), "--draws", "3", "--lang", "en")
    assert code == 2 and "growth: a stochastic scenario gives `growth`" in err


def test_a_base_period_that_cannot_be_settled_stops_the_run(tmp_path: Path, reserve: tuple[str, str]) -> None:
    policy, _ = reserve
    spec = write(tmp_path, "broke.yaml", RESERVE_SCENARIO.replace('支出: "100.00"}\n  西区', '支出: "900.00"}\n  西区'))
    code, out, err = run("simulate", policy, spec, "--draws", "3")
    assert code == 2 and out == "" and "(2024): 基期无法计算" in err and "余额不足" in err


def test_the_bundled_ningbo_example_answers_the_question() -> None:
    code, out, err = run(
        "simulate", NINGBO, STOCHASTIC, "--draws", "30", "--seed", "2022", "--values", "归集基金", "--lang", "en"
    )
    assert code == 0, err
    assert "Stochastic simulation 2022–2032 (30 draws, seed 2022)" in out
    assert "基金支出: normal(8%, 3%) (one draw for all regions)" in out
    assert "Every year of every draw could be settled." in out


def test_the_most_specific_distribution_applies(tmp_path: Path, reserve: tuple[str, str]) -> None:
    """Region-year, then region, then year, then the input's own; the base may be written inline."""
    policy, _ = reserve
    spec = write(
        tmp_path,
        "inline.yaml",
        """\
period: 2024
regions:
  东区: {收入: "100.00", 支出: "100.00"}
  西区: {收入: "200.00", 支出: "100.00"}
state: {储备: "1000.00"}
years: 3
growth:
  支出:
    normal: {mean: "10%", sd: 0}
    years: {2026: {uniform: {low: "-50%", high: "-50%"}}}
    regions:
      东区: {normal: {mean: "1%", sd: 0}, years: {2027: {normal: {mean: "0%", sd: 0}}}}
  收入: {like: 支出}
""",
    )
    checked = check_policy(policy)
    plan = load_plan(spec, checked)
    grower = Grower(checked, plan, draw(plan, 2, 0))
    inputs = dict(plan.base.inputs)
    seen = []
    for year in (2025, 2026, 2027):
        inputs = grower.grow(inputs, 1, year)
        seen.append((inputs["支出"], inputs["收入"]))
    d = Decimal
    assert seen == [
        ({"东区": d("101.00"), "西区": d("110.00")}, {"东区": d("101.00"), "西区": d("220.00")}),
        ({"东区": d("102.01"), "西区": d("55.00")}, {"东区": d("102.01"), "西区": d("110.00")}),
        ({"东区": d("102.01"), "西区": d("60.50")}, {"东区": d("102.01"), "西区": d("121.00")}),
    ]
    code, out, err = run("simulate", policy, spec, "--draws", "2", "--lang", "en")
    assert code == 0, err
    assert "支出: normal(10%, 0%); 2026: uniform(-50%, -50%); 东区: normal(1%, 0%) 2027: normal(0%, 0%)" in out
    assert "收入: the same draws as 支出" in out


def test_a_value_that_never_moves_still_gets_a_chart(tmp_path: Path) -> None:
    chart = tmp_path / "flat.svg"
    code, _, err = run(
        "simulate",
        NINGBO,
        STOCHASTIC,
        "--draws",
        "3",
        "--values",
        "居民归集上划额",
        "--chart",
        str(chart),
        "--lang",
        "en",
    )
    assert code == 0, err
    svg = chart.read_text(encoding="utf-8")
    assert "居民归集上划额: distribution of the amount" in svg and "NaN" not in svg


def test_names_are_escaped_in_the_chart() -> None:
    from compiler.stochastic.chart import fan_chart
    from compiler.stochastic.engine import Pick
    from compiler.stochastic.summary import Summary, YearStats

    year = YearStats(2024, 1, Decimal("1.00"), (Decimal("1.00"),) * 5, Decimal("1.00"), Decimal("1.00"), 0, 0, 0)
    svg = fan_chart(
        [Summary(Pick("a<&>", "a<&>", None, True, ("a<&>",)), (year, attrs.evolve(year, period=2025)))], 1, 0, "zh"
    )
    assert "a&lt;&amp;&gt;期末余额的分布" in svg and "a<&>" not in svg


def test_the_vector_engine_gives_the_same_distributions_and_failures(reserve: tuple[str, str]) -> None:
    policy, scenario = reserve
    compiled = simulate(policy, scenario, draws=60, seed=9)
    vector = simulate(policy, scenario, draws=60, seed=9, engine="vector")
    assert (compiled.outcome.failed_at == vector.outcome.failed_at).all() and (compiled.outcome.failed_at < 6).any()
    assert compiled.summaries == vector.summaries
    assert sum(f.draws for f in vector.outcome.failures.values()) == sum(
        f.draws for f in compiled.outcome.failures.values()
    )
    # on the bundled Ningbo question, the printed table is the same byte for byte
    args = ("simulate", NINGBO, STOCHASTIC, "--draws", "40", "--seed", "3")
    assert run(*args) == run(*args, "--engine", "vector")


def test_engine_vector_needs_draws() -> None:
    code, out, err = run(
        "simulate",
        NINGBO,
        str(ROOT / "policies" / "scenarios" / "ningbo_2022.json"),
        "--engine",
        "vector",
        "--lang",
        "en",
    )
    assert (code, out, err) == (2, "", "--engine vector needs --draws\n")


def test_runaway_growth_stops_the_draw_in_both_engines_and_no_share_passes_100_percent(tmp_path: Path) -> None:
    """Growth of 900–1000% a year carries inputs past 10¹⁵ 元 within a few years: each draw stops
    there with a message, the engines agree, and a draw that ran dry and then stopped counts once."""
    scenario = tmp_path / "runaway.yaml"
    scenario.write_text(
        f"base: {(ROOT / 'policies' / 'scenarios' / 'ningbo_2022.json').as_posix()}\nyears: 10\ngrowth:\n"
        "  基金支出: {uniform: {low: '900%', high: '1000%'}}\n  月均基金支付额: {like: 基金支出}\n"
        "  基金收入: {uniform: {low: '900%', high: '1000%'}}\n",
        encoding="utf-8",
    )
    policy = str(ROOT / "policies" / "ningbo_city_pooling.pool")
    outs = {}
    for engine in ("compiled", "vector"):
        code, out, err = run(
            "simulate", policy, str(scenario), "--draws", "40", "--seed", "3", "--json", "--engine", engine
        )
        assert code == 0, err
        outs[engine] = json.loads(out)
    assert outs["compiled"]["values"] == outs["vector"]["values"]
    doc = outs["vector"]
    assert sum(u["draws"] for u in doc["unsettled"]) == 40
    assert all("past 10^15" in u["en"] and "增长到" in u["zh"] for u in doc["unsettled"])
    for v in doc["values"]:
        for y in v["years"]:
            for key, p in y.items():
                if key.startswith("p_") and p is not None:
                    assert Decimal(p) <= 1, (v["name"], y["period"], key, p)
    code, table, err = run("simulate", policy, str(scenario), "--draws", "40", "--seed", "3")
    assert code == 0 and "Traceback" not in err
    assert "超过 10^15,此后不再模拟" in table
