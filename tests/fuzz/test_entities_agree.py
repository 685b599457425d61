"""The three engines settle entity policies alike, to the fen, on random entity tables.

Random persons (wages with fen, 在职 or not, with an employer or none), employers and
institutions over a few regions, on the bundled entity policies and the entity fixtures:
the interpreter, the compiled evaluator and the vectorized backend must give the same
ledger, closing balances and rule values (tests/fuzz/engines.py), draw by draw.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from engines import differences, run_all
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.driver import check_file
from compiler.runtime import Entities
from compiler.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "entities"
REGIONS = ("甲县", "乙县", "丙县")

money = st.integers(min_value=0, max_value=5_000_000).map(lambda fen: Decimal(fen) / 100)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[tuple[str, str]], list[tuple[str, str | None, str]]]:
    """Employers (id, region) and persons (id, employer or None, region)."""
    employers = [(f"单位{i}", draw(st.sampled_from(REGIONS))) for i in range(draw(st.integers(0, 4)))]
    persons = []
    for i in range(draw(st.integers(0, 12))):
        boss = draw(st.sampled_from([None, *(e for e, _ in employers)]))
        region = dict(employers)[boss] if boss is not None else draw(st.sampled_from(REGIONS))
        persons.append((f"人{i}", boss, region))
    return employers, persons


def _entities(kinds: dict[str, tuple[str, ...]], tabs: dict[str, list[tuple[str, str | None, str]]]) -> Entities:
    ids = {k: [i for i, _, _ in tabs.get(k, [])] for k in kinds}
    regions = {k: {i: r for i, _, r in tabs.get(k, [])} for k in kinds}
    links = {k: {i: {link: p for link in kinds[k]} for i, p, _ in tabs.get(k, [])} for k in kinds}
    return Entities(ids, regions, links, kinds)


def _settle_alike(policy: Path, scens: list[Scenario]) -> None:
    checked = check_file(policy).policy
    assert checked is not None
    outs = run_all(checked, policy.read_text(encoding="utf-8"), scens)
    found = differences(outs)
    assert not found, found[:3]


SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(tables(), st.data())
def test_persons_and_employers(
    t: tuple[list[tuple[str, str]], list[tuple[str, str | None, str]]], data: st.DataObject
) -> None:
    employers, persons = t
    kinds = {"用人单位": (), "参保人员": ("用人单位",)}
    scens = []
    for _ in range(3):
        ents = _entities(kinds, {"用人单位": [(e, None, r) for e, r in employers], "参保人员": persons})
        inputs = {
            "工资": {p: data.draw(money) for p, _, _ in persons},
            "在职": {p: data.draw(st.booleans()) for p, _, _ in persons},
        }
        scens.append(Scenario("s", 2026, None, REGIONS, {}, inputs, {}, entities=ents))  # type: ignore[arg-type]
    _settle_alike(FIXTURES / "persons.pool", scens)


@SLOW
@given(tables(), st.data())
def test_a_per_person_cap_into_county_funds(
    t: tuple[list[tuple[str, str]], list[tuple[str, str | None, str]]], data: st.DataObject
) -> None:
    _, persons = t
    kinds = {"参保人员": ()}
    ents = _entities(kinds, {"参保人员": [(p, None, r) for p, _, r in persons]})
    scens = [
        Scenario(
            "s",
            2026,
            None,
            REGIONS,
            {},
            {"年工资": {p: data.draw(money) * 10 for p, _, _ in persons}},
            {},
            entities=ents,
        )
        for _ in range(3)
    ]
    _settle_alike(FIXTURES / "cap.pool", scens)


@SLOW
@given(st.lists(st.sampled_from(REGIONS), max_size=6), st.data())
def test_a_region_condition_gates_institutions_paid_pro_rata(hospitals: list[str], data: st.DataObject) -> None:
    kinds = {"定点医疗机构": ()}
    ents = _entities(kinds, {"定点医疗机构": [(f"院{i}", None, r) for i, r in enumerate(hospitals)]})
    scens = []
    for _ in range(3):
        inputs = {
            "累计结余": {r: data.draw(money) * 100 for r in REGIONS},
            "月均支出": {r: data.draw(money.filter(lambda m: m > 0)) * 10 for r in REGIONS},
            "年度预算": {f"院{i}": data.draw(money) * 10 for i in range(len(hospitals))},
        }
        state = {"医保基金": data.draw(money) * 10}
        scens.append(Scenario("s", 2026, None, REGIONS, {}, inputs, state, entities=ents))  # type: ignore[arg-type]
    _settle_alike(FIXTURES / "gate.pool", scens)


def test_the_bundled_entity_policies_on_their_scenarios() -> None:
    from compiler.scenario import load

    for stem in ("ningbo_contributions", "guiyang_county_budget"):
        policy = ROOT / "policies" / f"{stem}.pool"
        checked = check_file(policy).policy
        assert checked is not None
        scen, errors = load(ROOT / "policies" / "scenarios" / f"{stem}.json", checked)
        assert scen is not None, errors
        outs = run_all(checked, policy.read_text(encoding="utf-8"), [scen, scen])
        assert not differences(outs), stem
        assert outs["interpreter"][0].ledger, stem
