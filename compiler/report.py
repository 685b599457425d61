"""Results as people and programs read them: aligned tables and the JSON contract."""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from compiler.diagnostics import display_width
from compiler.interpreter import PeriodResult
from compiler.interpreter.values import Scalar
from compiler.ir.checked import CheckedPolicy
from compiler.ir.types import Base, Type
from compiler.ledger import HELD, Row, compact, falling_due
from compiler.numbers import derived_text, to_decimal
from compiler.plan import plan_of
from compiler.readings import choices, uses_regions_together


def _json_scalar(v: Scalar, t: Type | None) -> str | bool:
    if isinstance(v, (bool, str)):
        return v
    if t is not None and t.base is Base.MONEY:
        return str(to_decimal(v, 2))
    return derived_text(v)  # as the API, pool serve and pool test give it


def to_json(
    checked: CheckedPolicy,
    period: int | None,
    res: PeriodResult,
    missing: tuple[str, ...] = (),
    detail: Iterable[str] = (),
    rows: list[Row] | None = None,
) -> str:
    """The JSON contract. Transfers of entities come totalled per rule and region (with
    "region" and "count") and values per entity are left out, unless `detail` names the kind.
    `rows`: the ledger already totalled (the vector engine totals millions of entities itself)."""
    keep = set(detail)
    values: dict[str, object] = {}
    for name in checked.scope.values:  # declaration order, whichever engine computed them
        if name not in res.values:
            continue
        kind = checked.types[name].entity if name in checked.types else None
        if kind is not None and kind not in keep:
            continue
        v = res.values[name]
        t = checked.types.get(name)
        values[name] = {r: _json_scalar(x, t) for r, x in v.items()} if isinstance(v, dict) else _json_scalar(v, t)
    doc = {
        "period": period,
        "values": values,
        "transfers": [
            _json_row(r)
            for r in (
                rows
                if rows is not None
                else compact(falling_due(res.transfers, plan_of(checked), period), res.entities, keep)
            )
        ],
        "state": _state(checked, res.closing),
    }
    left = unassigned(checked, res)
    if left:
        doc["unassigned"] = [{"rule": rule, "region": r, "amount": str(to_decimal(x, 2))} for rule, r, x in left]
    if checked.readings:
        doc["readings"] = dict(checked.readings)
    if missing:
        doc["partial"] = {"missing": list(missing), "totals": list(uses_regions_together(checked))}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def unassigned(checked: CheckedPolicy, res: PeriodResult) -> list[tuple[str, str | None, Fraction]]:
    """(rule, region, amount) of the need each waterfall written with 未规定 left uncovered:
    its amount less what its tiers paid, in each region when it is per region."""
    out: list[tuple[str, str | None, Fraction]] = []
    for p in plan_of(checked).rules:
        need = res.values.get(p.name)
        if p.rule.unassigned is None or p.payee is None or need is None:
            continue
        paid: dict[str, Fraction] = {}
        for t in res.transfers:
            if t.rule == p.name:
                paid[t.dest] = paid.get(t.dest, Fraction(0)) + Fraction(t.amount)
        each: list[tuple[str | None, Scalar]] = [*need.items()] if isinstance(need, dict) else [(None, need)]
        for r, x in each:
            assert isinstance(x, Fraction)
            out.append((p.name, r, x - paid.get(p.payee.at(r), Fraction(0))))
    return out


def _json_row(r: Row) -> dict[str, object]:
    row: dict[str, object] = {"from": r.source, "to": r.dest, "amount": str(to_decimal(r.amount, 2))}
    if r.kind is not None:
        row.update(region=r.region, count=r.count)
    if r.part is not None:
        row.update(due=r.due.isoformat() if r.due else None, instalment="holdback" if r.part == HELD else r.part)
    row.update(rule=r.rule, line=r.line)
    return row


def notes(checked: CheckedPolicy, missing: tuple[str, ...], lang: str, detail: Iterable[str] | None = None) -> str:
    """What a reader must know of the figures above: the readings they were settled under,
    for a partial scenario which totals cover only the regions listed, and how entities
    were totalled."""
    zh = lang == "zh"
    out = ""
    # Under a ledger (pool run): how its entity rows were totalled. None: no ledger above.
    totalled = [] if detail is None else [k for k in checked.scope.entities if k not in set(detail)]
    if totalled:
        kinds = "、".join(totalled) if zh else ", ".join(totalled)
        out += (
            f"实体:{kinds}的资金往来按规则和地区合计,括号内为合计的个数;逐个列出用 --detail {totalled[0]}\n"
            if zh
            else f"Entities: transfers of {kinds} are totalled per rule and region, with how many in brackets; "
            f"list them one by one with --detail {totalled[0]}\n"
        )
    written = checked.written or checked.program
    default = {c.name.text: c.default.text for c in choices(written)}
    if checked.readings != default:  # the defaults are the policy as written: said only when departed from
        shown = [
            f"{k} = {v}" + (("(默认)" if zh else " (default)") if default.get(k) == v else "")
            for k, v in checked.readings.items()
        ]
        out += ("解读:" if zh else "Readings: ") + ("; ".join(shown)) + "\n"
    if missing:
        totals = "、".join(uses_regions_together(checked)) if zh else ", ".join(uses_regions_together(checked))
        out += (
            f"部分地区:情景未列出 {'、'.join(missing)};以下各项按全部地区合计或分摊,只涵盖列出的地区:{totals}\n"
            if zh
            else f"Partial: the scenario leaves out {', '.join(missing)}; these sum or share over the region set and "
            f"cover only the regions listed: {totals}\n"
        )
    return ("\n" + out) if out else ""


def _accounts(name: str, per_region: bool, closing: dict[str, Fraction]) -> dict[str, Fraction]:
    """A carried fund's closing balances: its one account, or one a region (`名称(地区)`)."""
    if not per_region:
        return {name: closing[name]}
    prefix = name + "("
    return {k[len(prefix) : -1]: v for k, v in closing.items() if k.startswith(prefix) and k.endswith(")")}


def _state(checked: CheckedPolicy, closing: dict[str, Fraction]) -> dict[str, object]:
    """Closing balances shaped like a scenario's state, so they can open the next period."""
    out: dict[str, object] = {}
    for name, per_region in plan_of(checked).balances.items():  # carried funds, then claims
        accounts = {k: str(to_decimal(v, 2)) for k, v in _accounts(name, per_region, closing).items()}
        out[name] = accounts if per_region else accounts[name]
    return out


def money(v: Fraction | Decimal) -> str:
    d = to_decimal(v, 2) if isinstance(v, Fraction) else v
    return f"{d:,.2f}"


def table(headers: list[str], rows: list[list[str]], right: set[int]) -> str:
    """Columns aligned by display width, so Chinese text lines up in a terminal."""
    widths = [max(display_width(str(x)) for x in col) for col in zip(headers, *rows)]

    def line(cells: list[str]) -> str:
        out = []
        for i, (c, w) in enumerate(zip(cells, widths)):
            pad = " " * (w - display_width(c))
            out.append(pad + c if i in right else c + pad)
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)]) + "\n"


def to_text(
    res: PeriodResult,
    period: int | None,
    lang: str,
    checked: CheckedPolicy | None = None,
    detail: Iterable[str] = (),
    ledger: list[Row] | None = None,
) -> str:
    zh = lang == "zh"
    heads = ["规则", "自", "至", "金额(元)", "行"] if zh else ["rule", "from", "to", "amount (元)", "line"]
    plan = plan_of(checked) if checked is not None else None
    ledger = ledger if ledger is not None else compact(falling_due(res.transfers, plan, period), res.entities, detail)
    rows = [[r.rule, *r.side(lang), money(r.amount), str(r.line)] for r in ledger]
    if any(r.part is not None for r in ledger):  # instalments: when each part falls due
        heads += ["应付日期", "期次"] if zh else ["due", "instalment"]
        rows = [[*row, r.due.isoformat() if r.due else "", _part(r.part, zh)] for row, r in zip(rows, ledger)]
    title = (
        (f"{period}年 资金往来" if zh else f"Transfers, {period}") if period else ("资金往来" if zh else "Transfers")
    )
    out = f"{title}\n\n" + table(heads, rows, {3, 4})
    claims = {k for k in res.closing if plan is not None and plan.is_claim_account(k)}
    balances = [[k, money(v)] for k, v in res.closing.items() if k not in claims]
    if balances:
        heads = ["资金", "期末余额(元)"] if zh else ["fund", "closing balance (元)"]
        out += "\n" + table(heads, balances, {1})
    unpaid = [[k, money(v)] for k, v in res.closing.items() if k in claims and v]
    if unpaid:
        heads = (
            ["挂账的规则", "未付金额(元),下期续付"]
            if zh
            else ["rule with claims", "unpaid (元), asked again next period"]
        )
        out += "\n" + table(heads, unpaid, {1})
    elif claims:
        out += "\n" + ("挂账:没有未付的金额\n" if zh else "Claims: nothing left unpaid\n")
    left = unassigned(checked, res) if checked is not None else []
    if left:
        heads = (
            ["规则", "地区", "各层未弥补、原文未规定由谁承担(元)"]
            if zh
            else ["rule", "region", "left uncovered by the tiers, unassigned by the text (元)"]
        )
        out += "\n" + table(heads, [[rule, r or "", money(x)] for rule, r, x in left], {2})
    return out


def _part(part: str | None, zh: bool) -> str:
    if part is None:
        return ""
    return ("预留,年终清算" if zh else "held to year end") if part == HELD else part


def simulation_text(checked: CheckedPolicy, runs: list[tuple[int | None, PeriodResult]], lang: str) -> str:
    """One row a period: each rule's total and each carried fund's closing balance."""
    rules = [r.name.text for r in checked.scope.rules]
    # A per-region fund shows its total over the regions; --json has each region's balance.
    funds = {n: f.per_region for n, f in checked.scope.funds.items() if f.carried}
    suffix = "期末" if lang == "zh" else " closing"
    heads = ["期间" if lang == "zh" else "period", *rules, *(f + suffix for f in funds)]
    rows = []
    for period, res in runs:
        totals = {name: sum((t.amount for t in res.transfers if t.rule == name), Fraction(0)) for name in rules}
        balances = [sum(_accounts(f, per_region, res.closing).values(), Fraction(0)) for f, per_region in funds.items()]
        rows.append([str(period or ""), *(money(totals[n]) for n in rules), *map(money, balances)])
    return table(heads, rows, set(range(1, len(heads))))


def simulation_json(
    checked: CheckedPolicy, runs: list[tuple[int | None, PeriodResult]], missing: tuple[str, ...] = ()
) -> str:
    docs = [json.loads(to_json(checked, period, res, missing)) for period, res in runs]
    return json.dumps(docs, ensure_ascii=False, indent=2) + "\n"
