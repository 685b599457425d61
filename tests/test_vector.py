"""The vectorized backend equals the compiled Decimal evaluator to the fen, draw by draw.

Random batches for every bundled policy: several draws over the same regions,
values at the precision scenarios carry, with half-fen ties (1 fen × 50%) and
extreme amounts (10¹⁵ 元) mixed in. Each draw's ledger, closing balances and
failure must be the Decimal evaluator's on the same scenario.
"""

from __future__ import annotations

import os
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.driver import check_file
from compiler.evaluate import compiled_module
from compiler.interpreter.funds import largest_remainder as oracle
from compiler.interpreter.values import EvalError
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.scope import fund_accounts
from compiler.ir.types import Base, Type
from compiler.runtime import Entities, PolicyError
from compiler.scenario import Scenario
from compiler.vector import Batch, BatchError, Scaled, VectorOverflow, batch_of, run_batch
from compiler.vector.arith import Ctx, Q
from compiler.vector.shares import largest_remainder

ROOT = Path(__file__).resolve().parent.parent
POLICIES = sorted((ROOT / "policies").glob("*.pool"))
EXAMPLES = 25 if os.environ.get("CI") else 60

# Fen: small (ties live here), typical, and extreme (10¹⁵ 元 and up, still int64 fen).
FEN = st.one_of(
    st.integers(0, 1_000),
    st.integers(0, 2_000_000_000_00),
    st.integers(10**17 - 10**6, 10**17),
).map(lambda f: Decimal(f) / 100)
TIES = [Decimal("0.5"), Decimal("0.05"), Decimal("0.005"), Decimal("0.125"), Decimal("0.0005"), Decimal("0.25")]


def _checked(path: Path) -> CheckedPolicy:
    result = check_file(path)
    assert result.policy is not None, [d.message("en") for d in result.errors]
    return result.policy


def _bound(d: ir.ParamDecl, kind: ir.BoundKind) -> Decimal | None:
    for b in d.bounds:
        if b.kind is kind and isinstance(b.expr, ir.Num):
            return b.expr.value
    return None


def _values(
    t: Type, signed: bool, enums: dict[str, list[str]], lo: Decimal | None = None, hi: Decimal | None = None
) -> st.SearchStrategy[Any]:
    if t.base is Base.MONEY:
        return FEN.map(lambda d: -d if signed and d % 3 == 0 else d)
    if t.base is Base.RATIO:
        low = lo if lo is not None else Decimal(-1 if signed else 0)
        high = hi if hi is not None else Decimal(1)
        ties = [x for x in TIES if low <= x <= high]
        bp = st.integers(int(low * 10_000), max(int(low * 10_000), int(high * 10_000))).map(
            lambda b: Decimal(b) / 10_000
        )
        return st.one_of(bp, st.sampled_from(ties)) if ties else bp
    if t.base is Base.COUNT:
        return st.one_of(st.integers(0, 10), st.integers(1, 10_000_000)).map(Decimal)
    if t.base is Base.NUMBER:
        return st.integers(0, 100_000).map(lambda n: Decimal(n) / 100)
    if t.base is Base.BOOL:
        return st.booleans()
    assert t.enum is not None
    return st.sampled_from(enums[t.enum])


@st.composite
def batches(draw: st.DrawFn, checked: CheckedPolicy) -> list[Scenario]:
    """Up to five scenarios over the same regions and the same supplied names."""
    enums = {n: [m.text for m in e.members] for n, e in checked.scope.enums.items()}
    known = [r.text for r in checked.scope.regions(checked.policy)] or ["甲地", "乙地", "丙地"]
    regions = draw(st.lists(st.sampled_from(known), min_size=1, max_size=4, unique=True))
    params: list[tuple[str, st.SearchStrategy[Any]]] = []
    inputs: list[tuple[str, st.SearchStrategy[Any], bool]] = []
    for name, d in checked.scope.values.items():
        t = checked.types[name]
        if isinstance(d, ir.ParamDecl) and (d.value is None or (d.bounds and draw(st.booleans()))):
            params.append((name, _values(t, False, enums, _bound(d, ir.BoundKind.MIN), _bound(d, ir.BoundKind.MAX))))
        elif isinstance(d, ir.InputDecl):
            inputs.append((name, _values(t, d.signed, enums), t.per_region))
    accounts = [a for f in checked.scope.funds.values() if f.carried for a in fund_accounts(f, regions)]
    entities = draw(_entities(checked, regions))
    out = []
    for _ in range(draw(st.integers(1, 5))):
        p = {n: draw(s) for n, s in params}
        i = {n: _each(draw, checked, n, s, regions, entities) if per else draw(s) for n, s, per in inputs}
        state = {a: draw(FEN) for a in accounts}
        scen = Scenario("hypothesis", None, None, tuple(regions), p, i, state, entities=entities)
        out.append(scen)
    return out


@st.composite
def _entities(draw: st.DrawFn, checked: CheckedPolicy, regions: list[str]) -> Entities:
    """One to three entities of each kind, in the batch's regions, linked at random (or not)."""
    kinds = {k: tuple(x.text for x in d.links) for k, d in checked.scope.entities.items()}
    ids: dict[str, list[str]] = {k: [f"{k}{j}" for j in range(draw(st.integers(1, 3)))] for k in kinds}
    links: dict[str, dict[str, dict[str, str | None]]] = {
        k: {i: {link: draw(st.sampled_from([None, *ids[link]])) for link in kinds[k]} for i in ids[k]} for k in kinds
    }
    where: dict[str, dict[str, str]] = {k: {} for k in kinds}
    for k in sorted(kinds, key=lambda k: len(checked.scope.links(k))):  # a linked entity's region first
        for i in ids[k]:
            parent = next(((link, p) for link, p in links[k][i].items() if p is not None), None)
            where[k][i] = where[parent[0]][parent[1]] if parent else draw(st.sampled_from(regions))
    return Entities(ids, where, links, kinds)


def _each(
    draw: st.DrawFn, checked: CheckedPolicy, name: str, s: st.SearchStrategy[Any], regions: list[str], ents: Entities
) -> dict[str, Any]:
    kind = checked.types[name].entity
    return {m: draw(s) for m in (ents.of(kind) if kind is not None else regions)}


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_vector_equals_the_decimal_evaluator_to_the_fen(path: Path) -> None:
    checked = _checked(path)
    module = compiled_module(checked, path.read_text(encoding="utf-8"))

    @settings(
        max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
    )
    @given(batches(checked))
    def agree(scenarios: list[Scenario]) -> None:
        expected: list[Any] = []
        for s in scenarios:
            try:
                expected.append(
                    module.evaluate(list(s.regions), dict(s.params), dict(s.inputs), dict(s.state), s.entities)
                )
            except PolicyError:
                expected.append(None)
        try:
            got = run_batch(checked, batch_of(checked, scenarios), raise_failures=False)
        except VectorOverflow:
            # Only money beyond int64 fen (9.2 × 10¹⁶ 元) may refuse — a transfer, or what a fund
            # or a tier adds up; never a wrong number.
            limit = Decimal(2**63) / 100
            assert any(
                x is not None
                and (sum(t.amount for t in x.transfers) >= limit or any(v >= limit for v in x.closing.values()))
                for x in expected
            )
            return
        for k, want in enumerate(expected):
            assert bool(got.failed[k]) == (want is None), (k, got.failed, scenarios[k])
            if want is None:
                continue
            assert got.ledger(k) == [(t.source, t.dest, int(t.amount * 100), t.rule, t.line) for t in want.transfers]
            assert {a: int(v[k]) for a, v in got.closing.items()} == {a: int(v * 100) for a, v in want.closing.items()}
            for name, v in want.values.items():
                if name in got.values:
                    fen = got.values[name][k]
                    assert (list(fen) if isinstance(v, dict) else int(fen)) == (
                        [int(x * 100) for x in v.values()] if isinstance(v, dict) else int(v * 100)
                    )

    agree()


OVERFLOW = """
政策 溢出 {
  输入 收入: 金额
  输入 倍数: 数值
  主体 财政
  资金 留存 结转 { 转移 转入额 = 收入 × 倍数  自 财政  至 留存 }
}
"""


def test_overflow_is_an_error_never_a_wrapped_number(tmp_path: Path) -> None:
    path = tmp_path / "overflow.pool"
    path.write_text(OVERFLOW, encoding="utf-8")
    checked = _checked(path)
    huge = np.array([9 * 10**18, 100], dtype=np.int64)  # 9 × 10¹⁶ 元: fits in int64 fen, twice it does not
    batch = Batch((), 2, inputs={"收入": huge, "倍数": Scaled(np.array([2, 2], dtype=np.int64), 1)})
    with pytest.raises(VectorOverflow, match="line 6: an amount in fen does not fit in int64"):
        run_batch(checked, batch)
    small = Batch(
        (),
        2,
        inputs={"收入": np.array([100, 101], dtype=np.int64), "倍数": Scaled(np.array([2, 3], dtype=np.int64), 1)},
    )
    assert run_batch(checked, small).values["转入额"].tolist() == [200, 303]


def test_strict_mode_refuses_python_ints_and_names_the_line() -> None:
    path = ROOT / "policies" / "guiyang_county_budget.pool"
    checked = _checked(path)
    from compiler.evaluate import load_scenario

    scen = load_scenario(checked, ROOT / "policies" / "scenarios" / "guiyang_county_budget.json")
    relaxed = run_batch(checked, batch_of(checked, [scen]))
    assert relaxed.promoted > 0  # the budget bands need more than int64 in between
    with pytest.raises(
        VectorOverflow, match=r"line \d+: .* does not fit in int64; exact Python-int arithmetic was not allowed"
    ):
        run_batch(checked, batch_of(checked, [scen]), strict=True)


DIVIDE = """
政策 除零 {
  输入 收入: 金额
  输入 倍数: 数值
  主体 财政
  资金 留存 结转 {
    转移 转入额 = 如果 倍数 > 0 则 收入 ÷ 倍数 否则 0元  自 财政  至 留存  原文 "x"
    转移 直接额 = 收入 ÷ 倍数  自 财政  至 留存  原文 "x"
  }
}
"""


def test_a_draw_that_cannot_be_settled_fails_alone_and_a_branch_not_taken_never_fails(tmp_path: Path) -> None:
    path = tmp_path / "divide.pool"
    path.write_text(DIVIDE, encoding="utf-8")
    checked = _checked(path)
    batch = Batch(
        (),
        3,
        inputs={
            "收入": np.array([1001, 500, 999], dtype=np.int64),
            "倍数": Scaled(np.array([2, 0, 4], dtype=np.int64), 1),
        },
    )
    with pytest.raises(BatchError, match=r"draw 1 .*division by zero") as e:
        run_batch(checked, batch)
    assert e.value.first == 1 and e.value.failed.tolist() == [False, True, False]
    got = run_batch(checked, batch, raise_failures=False)
    assert got.failed.tolist() == [False, True, False]
    # 10.01 ÷ 2 = 5.005 → 5.01 and 9.99 ÷ 4 = 2.4975 → 2.50: half-up in integers; draw 1's 如果 took 0元.
    assert got.values["转入额"][[0, 2]].tolist() == [501, 250] and got.values["转入额"][1] == 0
    assert got.closing["留存"][[0, 2]].tolist() == [1002, 500]


@settings(max_examples=200 if os.environ.get("CI") else 1000, deadline=None)
@given(
    weights=st.lists(st.integers(0, 10_000), min_size=1, max_size=4).filter(lambda ws: sum(ws) > 0),
    totals=st.lists(st.integers(0, 10**17) | st.integers(0, 20), min_size=1, max_size=30),
)
def test_a_fixed_split_gives_the_interpreters_fen_for_any_total(weights: list[int], totals: list[int]) -> None:
    """A split's or tier's constant shares (50%/50%, 20%/80%, …) take a shortcut of their own:
    it must hand out the odd fen exactly as the interpreter's largest remainder does, up to
    10¹⁵ 元 (a negative amount fails its draw before it is shared)."""
    t = np.array(totals, dtype=np.int64).reshape(-1, 1)
    parts, bad = largest_remainder(Ctx(), t, Q(np.array(weights, dtype=np.int64), 1, max(weights), 1))
    assert not bad.any()
    ws = [Fraction(w) for w in weights]
    expected = [
        [int(p * 100) for p in oracle(Fraction(f, 100), ws, EvalError("zero-weights", rule="甲"))] for f in totals
    ]
    assert parts.tolist() == expected


def test_constants_past_int64_add_exactly() -> None:
    """Two constants over different denominators whose sum needs Python ints: NumPy hands back a
    plain int from 0-d object arithmetic, which once crashed the sum (found by runaway growth)."""
    from compiler.vector import arith as A

    a, b = Fraction(2**61 + 2, 3), Fraction(2**61 + 3, 7)
    got = A.add(Ctx(), A.const(a), A.const(b))
    assert Fraction(int(got.num), int(got.den)) == a + b
    got = A.add(Ctx(), A.const(a), A.const(b), -1)
    assert Fraction(int(got.num), int(got.den)) == a - b


def test_a_policy_with_no_entities_of_a_kind_settles_whatever_its_entity_values_would_be() -> None:
    # Guiyang's rules run per 医共体; with none listed they run nowhere, so neither the 挂账 of
    # an empty set (np.stack of nothing) nor band edges out of order (read by no one) fail a draw.
    checked = _checked(ROOT / "policies" / "guiyang_county_budget.pool")
    zero = Decimal(0)
    params = {n: zero for n, d in checked.scope.values.items() if isinstance(d, ir.ParamDecl) and d.value is None}
    inputs = {
        n: {"乌当区": False if n == "有中医医院" else zero}
        for n, d in checked.scope.values.items()
        if isinstance(d, ir.InputDecl) and checked.types[n].per_region
    }
    scen = Scenario("t", None, None, ("乌当区",), params, inputs, {"市级统筹医保基金": zero})  # type: ignore[arg-type]
    res = run_batch(checked, batch_of(checked, [scen]), raise_failures=False)
    assert not res.failed[0], res.reasons
