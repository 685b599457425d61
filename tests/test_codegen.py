"""The compiled evaluator: deterministic, typed, injection-proof, and equal to the oracle."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.codegen.python import generate
from compiler.driver import check_file
from compiler.evaluate import compiled_module, env_of
from compiler.interpreter import EvalError, settle
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.scope import fund_accounts
from compiler.ir.types import Base, Type
from compiler.runtime import PolicyError
from compiler.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
GUIZHOU = ROOT / "policies" / "guizhou_risk_adjustment.pool"
POLICIES = sorted((ROOT / "policies").glob("*.pool"))


def _checked(path: Path) -> CheckedPolicy:
    result = check_file(path)
    assert result.policy is not None, [d.message("en") for d in result.errors]
    return result.policy


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_two_compilations_give_identical_bytes_whatever_the_hash_seed(path: Path, tmp_path: Path) -> None:
    outputs = []
    for seed in ("0", "1", "12345"):
        out = tmp_path / f"m{seed}.py"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "compiler.cli", "compile", str(path), "-o", str(out)], check=True, env=env, cwd=ROOT
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
    assert f"policies/{path.name}".encode() in outputs[0]  # relative path, no timestamp


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_generated_module_passes_mypy_strict(path: Path, tmp_path: Path) -> None:
    out = tmp_path / "generated.py"
    out.write_text(generate(_checked(path), path.name, path.read_text(encoding="utf-8")), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "MYPYPATH": str(ROOT)},
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout


HOSTILE = """
政策 测试 {
  参数 比例甲: 比例 = 10%  原文 "结束\\"\\"\\"\\n import os; os.system('echo injected') # 注释"
  输入 收入: 金额
  令 ＡＢＣ = 收入 × 比例甲  原文 "*/ --> </script> {{ }}"
  令 class = ＡＢＣ
  资金 留存 结转 { 转移 转入额 = class 自 财政 至 留存  原文 "\\\\ 反斜杠" }
  主体 财政  原文 "x"
}
"""


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


FEN = st.integers(min_value=0, max_value=2_000_000_000_00).map(lambda f: Decimal(f) / 100)


def _bound(d: ir.ParamDecl, kind: ir.BoundKind) -> Decimal | None:
    for b in d.bounds:
        if b.kind is kind and isinstance(b.expr, ir.Num):
            return b.expr.value
    return None


def _strategy(
    t: Type, signed: bool, enums: dict[str, list[str]], low: Decimal | None = None, high: Decimal | None = None
) -> st.SearchStrategy[Any]:
    """Values of a type, drawn at the precision scenarios carry (fen, basis points)."""
    if t.base is Base.MONEY:
        return FEN.map(lambda d: -d if signed and d % 3 == 0 else d)
    if t.base is Base.RATIO:
        lo = int((low if low is not None else Decimal(-1 if signed else 0)) * 10_000)
        hi = int((high if high is not None else Decimal(1)) * 10_000)
        return st.integers(min_value=lo, max_value=max(lo, hi)).map(lambda b: Decimal(b) / 10_000)
    if t.base is Base.COUNT:
        return st.integers(min_value=1, max_value=10_000_000).map(Decimal)
    if t.base is Base.NUMBER:
        return st.integers(min_value=0, max_value=100_000).map(lambda n: Decimal(n) / 100)
    if t.base is Base.BOOL:
        return st.booleans()
    assert t.enum is not None
    return st.sampled_from(enums[t.enum])


@st.composite
def scenarios(draw: st.DrawFn, checked: CheckedPolicy) -> Scenario:
    enums = {n: [m.text for m in e.members] for n, e in checked.scope.enums.items()}
    known = [r.text for r in checked.scope.regions(checked.policy)] or ["甲地", "乙地", "丙地"]
    regions = draw(st.lists(st.sampled_from(known), min_size=1, max_size=4, unique=True))
    params: dict[str, object] = {}
    inputs: dict[str, object] = {}
    for name, d in checked.scope.values.items():
        t = checked.types[name]
        if isinstance(d, ir.ParamDecl) and (d.value is None or (d.bounds and draw(st.booleans()))):
            params[name] = draw(_strategy(t, False, enums, _bound(d, ir.BoundKind.MIN), _bound(d, ir.BoundKind.MAX)))
        elif isinstance(d, ir.InputDecl):
            strategy = _strategy(t, d.signed, enums)
            inputs[name] = {r: draw(strategy) for r in regions} if t.per_region else draw(strategy)
    # One opening balance per ledger account: a per-region fund has one per region.
    state = {a: draw(FEN) for f in checked.scope.funds.values() if f.carried for a in fund_accounts(f, regions)}
    return Scenario("hypothesis", None, None, tuple(regions), params, inputs, state)  # type: ignore[arg-type]


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_compiled_evaluator_equals_the_interpreter_and_conserves_money(path: Path) -> None:
    checked = _checked(path)
    module = compiled_module(checked, path.read_text(encoding="utf-8"))

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(scenarios(checked))
    def agree(scen: Scenario) -> None:
        args = (list(scen.regions), dict(scen.params), dict(scen.inputs), dict(scen.state))
        try:
            oracle = settle(checked, env_of(scen))
        except EvalError as e:
            with pytest.raises(PolicyError) as p:
                module.evaluate(*args)
            assert p.value.en == e.en
            return
        out = module.evaluate(*args)
        assert [(t.source, t.dest, Fraction(t.amount), t.rule, t.line) for t in out.transfers] == [
            (t.source, t.dest, t.amount, t.rule, t.line) for t in oracle.transfers
        ]
        assert {k: Fraction(v) for k, v in out.closing.items()} == oracle.closing
        for t in out.transfers:
            assert t.amount > 0 and t.amount == t.amount.quantize(Decimal("0.01"))
        # Conservation: opening + in − out = closing, to the fen; uncarried funds close at zero.
        for fund, carried in (
            (a, f.carried) for f in checked.scope.funds.values() for a in fund_accounts(f, list(scen.regions))
        ):
            inflow = sum((t.amount for t in out.transfers if t.dest == fund), Decimal(0))
            outflow = sum((t.amount for t in out.transfers if t.source == fund), Decimal(0))
            opening = scen.state.get(fund, Decimal(0)) if carried else Decimal(0)
            assert opening + inflow - outflow == (out.closing[fund] if carried else 0)

    agree()


def test_typed_entry_point_equals_the_dictionary_one() -> None:
    checked = _checked(GUIZHOU)
    module = compiled_module(checked, GUIZHOU.read_text(encoding="utf-8"))
    regions = ["贵阳市", "遵义市"]
    per = lambda a, b: {"贵阳市": a, "遵义市": b}  # noqa: E731
    inputs = module.Inputs(
        上年度征缴收入=per(Decimal("1000000000.00"), Decimal("800000000.00")),
        前年度征缴收入=per(Decimal("900000000.00"), Decimal("800000000.00")),
        参保人数=per(Decimal(4_000_000), Decimal(6_000_000)),
        老年参保人数=per(Decimal(600_000), Decimal(1_100_000)),
        完成征缴目标=per(True, False),
        基金支出增幅=per(Decimal("0.05"), Decimal("0.08")),
        绩效得分=per(Decimal(90), Decimal(80)),
        历年累计结余缺口=per(Decimal(0), Decimal("50000000.00")),
        缺口原因=per("正常", "管理不力"),
    )
    params = module.Params(参保人数权重=Decimal("0.7"), 附加上解比例=Decimal("0.03"), 支出增幅警戒线=Decimal("0.15"))
    typed = module.run(regions, params, inputs, module.State(省级留存=Decimal("80000000.00")))
    plain = module.evaluate(regions, params.supplied(), inputs.supplied(), {"省级留存": Decimal("80000000.00")})
    assert typed == plain
    assert typed.values["缺口调剂额"] == {"贵阳市": Decimal("0.00"), "遵义市": Decimal("0.00")}  # 管理不力: no subsidy


def test_wrapping_long_lines_never_breaks_inside_a_string() -> None:
    import ast

    from compiler.codegen.writer import WIDTH, wrap

    line = "x = f(" + ", ".join(f"'a, (b{i}' + g(\"c)\", {i})" for i in range(12)) + ")"
    out = wrap(line)
    assert len(out) > 3 and all(len(part) <= WIDTH for part in out)
    assert ast.dump(ast.parse("\n".join(out))) == ast.dump(ast.parse(line))
