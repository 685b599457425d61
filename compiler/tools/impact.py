"""What a policy change does to the money: both versions settled on one scenario.

The scenario is read against each version separately (a new version may need an
input, or fix a parameter, the old one left open), so a scenario that fits only
one of them is reported as such, naming the version, instead of half a table.
Amounts are exact rationals from the evaluator, rounded to the fen where the
evaluator rounds them; nothing here touches a float.
"""

from __future__ import annotations

from fractions import Fraction

import attrs

from compiler.evaluate import EvaluationFailed, env_of, load_scenario, settle_with
from compiler.interpreter import PeriodResult
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.scope import account
from compiler.scenario import Scenario, Source


@attrs.frozen
class Row:
    fund: str | None  # the fund the rule is written in; None for a rule outside funds
    item: str  # a rule's name; for funds "inflow", "outflow" or "closing"; for regions the region
    region: str | None
    old: Fraction | None  # None: not in that version
    new: Fraction | None

    @property
    def change(self) -> Fraction | None:
        if self.old is None or self.new is None:
            return None
        return self.new - self.old


@attrs.frozen
class Impact:
    scenario: str
    period: int | None
    rules: tuple[Row, ...]  # every rule whose amount changed somewhere, one row per region
    unchanged: int  # rules settled the same under both versions
    funds: tuple[Row, ...]
    parties: tuple[Row, ...]  # what each party pays and receives, where either version moves money
    regions: tuple[Row, ...]  # each region's net receipts: what it is paid less what it pays


def _settle(
    checked: CheckedPolicy, scenario: Source, which: tuple[str, str], encoding: str | None, engine: str
) -> tuple[Scenario, PeriodResult]:
    try:
        scen = load_scenario(checked, scenario, encoding)
        return scen, settle_with(checked, env_of(scen), engine, str(scenario))
    except EvaluationFailed as e:
        zh = f"情景不适用于{which[0]}:\n{e.zh}"
        en = f"the scenario does not fit the {which[1]}:\n{e.en}"
        raise EvaluationFailed(2, zh, en) from None


def _per_region(v: object, regions: list[str]) -> dict[str | None, Fraction]:
    if isinstance(v, dict):
        return {r: v[r] for r in regions if isinstance(v.get(r), Fraction)}
    return {None: v} if isinstance(v, Fraction) else {}


def _rules(old: CheckedPolicy, new: CheckedPolicy) -> list[tuple[str, str | None]]:
    """Rule names with their fund: the new version's order, then rules only the old one had."""
    out: dict[str, str | None] = {}
    for checked in (new, old):
        for r in checked.scope.rules:
            out.setdefault(r.name.text, r.fund.text if r.fund is not None else None)
    return list(out.items())


def _accounts(party: ir.FundDecl | ir.PartyDecl, regions: list[str]) -> set[str]:
    # A per-region party or fund keeps one ledger account per region.
    name = party.name.text
    return {name, *(account(name, r) for r in regions)} if party.per_region else {name}


Flows = dict[str, tuple[Fraction, Fraction, Fraction | None]]  # in, out, closing balance (carried funds)


def _flows(checked: CheckedPolicy, res: PeriodResult, regions: list[str], funds: bool) -> Flows:
    out: Flows = {}
    for name, party in checked.scope.parties.items():
        if isinstance(party, ir.FundDecl) != funds:
            continue
        acc = _accounts(party, regions)
        inflow = sum((t.amount for t in res.transfers if t.dest in acc), Fraction(0))
        outflow = sum((t.amount for t in res.transfers if t.source in acc), Fraction(0))
        closing = [v for k, v in res.closing.items() if k in acc]
        carried = isinstance(party, ir.FundDecl) and party.carried and closing
        out[name] = (inflow, outflow, sum(closing, Fraction(0)) if carried else None)
    return out


def _flow_rows(old: Flows, new: Flows, quiet: bool) -> list[Row]:
    """Rows per measure; with `quiet`, a measure that is zero in both versions is left out."""
    rows: list[Row] = []
    for name in list(new) + [f for f in old if f not in new]:
        fo, fn = old.get(name), new.get(name)
        for i, measure in enumerate(("inflow", "outflow", "closing")):
            vo, vn = (fo[i] if fo else None), (fn[i] if fn else None)
            if (vo is None and vn is None) or (quiet and not vo and not vn):
                continue
            rows.append(Row(name, measure, None, vo, vn))
    return rows


def _net(res: PeriodResult, region: str) -> Fraction:
    paid = sum((t.amount for t in res.transfers if t.dest == region), Fraction(0))
    return paid - sum((t.amount for t in res.transfers if t.source == region), Fraction(0))


def impact(
    old: CheckedPolicy, new: CheckedPolicy, scenario: Source, encoding: str | None = None, *, engine: str = "compiled"
) -> Impact:
    scen_old, res_old = _settle(old, scenario, ("旧版本", "old version"), encoding, engine)
    scen_new, res_new = _settle(new, scenario, ("新版本", "new version"), encoding, engine)
    regions = list(scen_new.regions) + [r for r in scen_old.regions if r not in scen_new.regions]
    rows: list[Row] = []
    unchanged = 0
    for name, fund in _rules(old, new):
        a = _per_region(res_old.values[name], regions) if name in res_old.values else None
        b = _per_region(res_new.values[name], regions) if name in res_new.values else None
        if a is not None and a == b:
            unchanged += 1
            continue
        keys = list((b or {}).keys()) + [k for k in (a or {}) if k not in (b or {})]
        for k in keys or [None]:
            rows.append(Row(fund, name, k, None if a is None else a.get(k), None if b is None else b.get(k)))
    fund_rows = _flow_rows(_flows(old, res_old, regions, True), _flows(new, res_new, regions, True), quiet=False)
    party_rows = _flow_rows(_flows(old, res_old, regions, False), _flows(new, res_new, regions, False), quiet=True)
    region_rows = [
        Row(
            None,
            r,
            r,
            _net(res_old, r) if r in scen_old.regions else None,
            _net(res_new, r) if r in scen_new.regions else None,
        )
        for r in regions
    ]
    return Impact(
        str(scenario), scen_new.period, tuple(rows), unchanged, tuple(fund_rows), tuple(party_rows), tuple(region_rows)
    )
