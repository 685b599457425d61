"""The compiled evaluator: deterministic, typed, injection-proof, and equal to the oracle."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.codegen.python import generate
from compiler.driver import check_file
from compiler.evaluate import compiled_module, env_of
from compiler.interpreter import EvalError, settle
from compiler.ir.checked import CheckedPolicy
from compiler.runtime import PolicyError
from compiler.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
GUIZHOU = ROOT / "policies" / "guizhou_risk_adjustment.pool"


def _checked(path: Path) -> CheckedPolicy:
    result = check_file(path)
    assert result.policy is not None, [d.message("en") for d in result.errors]
    return result.policy


def test_two_compilations_give_identical_bytes_whatever_the_hash_seed(tmp_path: Path) -> None:
    outputs = []
    for seed in ("0", "1", "12345"):
        out = tmp_path / f"m{seed}.py"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "compiler.cli", "compile", str(GUIZHOU), "-o", str(out)], check=True, env=env, cwd=ROOT)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
    assert b"policies/guizhou_risk_adjustment.pool" in outputs[0]  # relative path, no timestamp


def test_generated_module_passes_mypy_strict(tmp_path: Path) -> None:
    out = tmp_path / "guizhou.py"
    out.write_text(generate(_checked(GUIZHOU), "guizhou.pool", GUIZHOU.read_text(encoding="utf-8")), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(out)],
        capture_output=True, text=True, env={**os.environ, "MYPYPATH": str(ROOT)}, cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout


HOSTILE = '''
政策 测试 {
  参数 比例甲: 比例 = 10%  原文 "结束\\"\\"\\"\\n import os; os.system('echo injected') # 注释"
  输入 收入: 金额
  令 ＡＢＣ = 收入 × 比例甲  原文 "*/ --> </script> {{ }}"
  令 class = ＡＢＣ
  资金 留存 结转 { 转移 转入额 = class 自 财政 至 留存  原文 "\\\\ 反斜杠" }
  主体 财政  原文 "x"
}
'''


def test_hostile_names_and_quotes_cannot_inject_code(tmp_path: Path) -> None:
    path = tmp_path / 'evil"""name.pool'
    path.write_text(HOSTILE, encoding="utf-8")
    checked = _checked(path)
    code = generate(checked, path.name, HOSTILE)
    assert "import os" not in code.split("# ", 1)[0]
    for line in code.splitlines():
        if "os.system" in line:
            assert line.lstrip().startswith("#"), line
    module = compiled_module(checked, HOSTILE)
    out = module.evaluate([], {}, {"收入": Decimal("100.00")}, {})
    assert out.closing == {"留存": Decimal("10.00")}


YI = 100_000_000
REGIONS = ["贵阳市", "遵义市", "安顺市", "毕节市"]
money = st.integers(min_value=0, max_value=20 * YI * 100).map(lambda f: Decimal(f) / 100)
heads = st.integers(min_value=1, max_value=10_000_000).map(Decimal)
ratio = st.integers(min_value=0, max_value=10_000).map(lambda b: Decimal(b) / 10_000)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    regions = draw(st.lists(st.sampled_from(REGIONS), min_size=1, max_size=4, unique=True))

    def per(strategy: st.SearchStrategy[object]) -> dict[str, object]:
        return {r: draw(strategy) for r in regions}

    inputs = {
        "上年度征缴收入": per(money), "前年度征缴收入": per(money), "参保人数": per(heads), "老年参保人数": per(heads),
        "完成征缴目标": per(st.booleans()), "基金支出增幅": per(ratio), "绩效得分": per(heads),
        "历年累计结余缺口": per(money), "缺口原因": per(st.sampled_from(["正常", "自行调整政策", "挤占挪用", "管理不力"])),
        "擅自调整筹资政策": per(st.booleans()), "原标准征缴收入": per(money),
    }  # fmt: skip
    params = {"参保人数权重": draw(ratio), "附加上解比例": draw(ratio), "支出增幅警戒线": draw(ratio)}
    state = {"省级留存": draw(money)}
    return Scenario("hypothesis", 2026, None, tuple(regions), params, inputs, state)  # type: ignore[arg-type]


CHECKED = _checked(GUIZHOU)
MODULE = compiled_module(CHECKED, GUIZHOU.read_text(encoding="utf-8"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_compiled_evaluator_equals_the_interpreter_and_conserves_money(scen: Scenario) -> None:
    try:
        oracle = settle(CHECKED, env_of(scen))
    except EvalError as e:
        try:
            MODULE.evaluate(list(scen.regions), dict(scen.params), dict(scen.inputs), dict(scen.state))
        except PolicyError as p:
            assert p.en == e.en
            return
        raise AssertionError(f"the compiled evaluator settled what the interpreter refused: {e.en}")
    out = MODULE.evaluate(list(scen.regions), dict(scen.params), dict(scen.inputs), dict(scen.state))
    assert [(t.source, t.dest, Fraction(t.amount), t.rule, t.line) for t in out.transfers] == [
        (t.source, t.dest, t.amount, t.rule, t.line) for t in oracle.transfers
    ]
    assert {k: Fraction(v) for k, v in out.closing.items()} == oracle.closing
    for t in out.transfers:
        assert t.amount > 0 and t.amount == t.amount.quantize(Decimal("0.01"))
    # Conservation: every non-carried fund passes on exactly what it takes in.
    for fund, carried in MODULE.FUNDS.items():
        inflow = sum((t.amount for t in out.transfers if t.dest == fund), Decimal(0))
        outflow = sum((t.amount for t in out.transfers if t.source == fund), Decimal(0))
        opening = scen.state.get(fund, Decimal(0)) if carried else Decimal(0)
        assert opening + inflow - outflow == (out.closing[fund] if carried else 0)
