"""Per-year distributions of the recorded values: exact statistics, a table, JSON.

Percentiles interpolate linearly between order statistics (numpy's default
method) in exact rational arithmetic over whole fen, then round half-up to the
fen; nothing here passes through a float.

"Running dry": a carried fund never goes below zero in pool (an overdraft stops
the period instead), so P(balance < 0) would always read 0. For a balance the
summary gives the share of draws whose closing balance is exactly zero that
year, and the share that have closed at zero in that year or any year before
(the answer to "how likely is it to run dry within N years"); draws that could
not be settled are counted and reported on their own, never silently dropped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

import attrs
import numpy as np
import numpy.typing as npt

from compiler.ir.subperiods import written
from compiler.numbers import to_decimal
from compiler.report import money, table
from compiler.stochastic.engine import Failure, Outcome, Pick
from compiler.stochastic.spec import Growth, Plan

PERCENTILES = (5, 25, 50, 75, 95)


@attrs.frozen
class YearStats:
    period: int
    settled: int  # draws settled this year
    mean: Decimal | None
    percentiles: tuple[Decimal, ...]  # at PERCENTILES; empty when no draw settled
    low: Decimal | None
    high: Decimal | None
    zero: int  # draws closing at zero (balance) or below zero (a rule's amount) this year
    ever_zero: int  # balances: draws that have closed at zero this year or before
    zero_or_stopped: int  # balances: draws that have closed at zero or stopped, this year or before (each once)


@attrs.frozen
class Summary:
    pick: Pick
    years: tuple[YearStats, ...]


def summarise(outcome: Outcome, picks: list[Pick]) -> list[Summary]:
    n = len(outcome.periods)
    settled = np.arange(n)[None, :] < outcome.failed_at[:, None]  # (draws, periods)
    out = []
    for p in picks:
        fen = outcome.fen[p.label]
        hit = (fen == 0 if p.balance else fen < 0) & settled
        ever = np.logical_or.accumulate(hit, axis=1)
        years = []
        for t, period in enumerate(outcome.periods):
            xs = np.sort(fen[settled[:, t], t])
            k = len(xs)
            years.append(
                YearStats(
                    period,
                    k,
                    _fen(Fraction(int(xs.sum(dtype=object)), k)) if k else None,
                    tuple(_percentile(xs, q) for q in PERCENTILES) if k else (),
                    _fen(Fraction(int(xs[0]))) if k else None,
                    _fen(Fraction(int(xs[-1]))) if k else None,
                    int(hit[:, t].sum()),
                    int(ever[:, t].sum()),
                    int((ever[:, t] | ~settled[:, t]).sum()),
                )
            )
        out.append(Summary(p, tuple(years)))
    return out


def _percentile(xs: npt.NDArray[np.int64], q: int) -> Decimal:
    h = Fraction(q * (len(xs) - 1), 100)
    lo = int(h)
    hi = min(lo + 1, len(xs) - 1)
    return _fen(int(xs[lo]) + (h - lo) * (int(xs[hi]) - int(xs[lo])))


def _fen(x: Fraction | int) -> Decimal:
    return to_decimal(Fraction(x) / 100, 2)


def _share(k: int, n: int) -> str:
    return f"{to_decimal(Fraction(100 * k, n), 1)}%" if n else "–"


def _distributions(plan: Plan, lang: str) -> list[str]:
    zh = lang == "zh"
    lines = []
    for g in plan.growth:
        # a monthly input's months grow together: one line for the input as written
        name, like = written(g.input), written(g.like) if g.like is not None else None
        if name != g.input and not g.input.endswith("(1月)") and not g.input.endswith("(第1季度)"):
            continue  # a monthly input's other months follow its first: one line for the input as written
        if like is not None and like != name:
            lines.append(f"  {name}: 与{like}同一抽取" if zh else f"  {name}: the same draws as {like}")
            continue
        parts = [g.dist.text] if g.dist else []
        parts += [f"{y}: {d.text}" for y, d in g.years.items()]
        parts += [
            f"{r}: {rg.dist.text if rg.dist else ''}{''.join(f' {y}: {d.text}' for y, d in rg.years.items())}".rstrip()
            for r, rg in g.regions.items()
        ]
        shared = (
            (
                ("各地区各自抽取" if zh else "drawn for each region")
                if g.independent
                else ("各地区同一抽取" if zh else "one draw for all regions")
            )
            if g.per_region
            else ""
        )
        if name != g.input:  # a monthly input: one draw for its months
            shared = (
                (("各月、" + shared) if shared else "各月同一抽取")
                if zh
                else f"one draw for all months{', ' + shared if shared else ''}"
            )
        lines.append(
            f"  {name}: {'; '.join(parts)}" + (f"({shared})" if zh and shared else f" ({shared})" if shared else "")
        )
    return lines


def text(plan: Plan, outcome: Outcome, summaries: list[Summary], seed: int, lang: str) -> str:
    zh = lang == "zh"
    first, last = outcome.periods[0], outcome.periods[-1]
    drawn = f"{outcome.draws:,} 次模拟,种子 {seed}" if zh else f"{outcome.draws:,} draws, seed {seed}"
    head = (
        f"随机模拟 {first}–{last}年({drawn});{first}年为基期,按情景原样计算\n增长率(每年):"
        if zh
        else f"Stochastic simulation {first}–{last} ({drawn}); {first} is the base period, as given\nGrowth a year:"
    )
    out = [head, *_distributions(plan, lang), ""]
    for s in summaries:
        what = ("期末余额" if zh else "closing balance") if s.pick.balance else ("金额" if zh else "amount")
        out.append(f"{s.pick.shown} {what}(元)" if zh else f"{s.pick.shown}, {what} (元)")
        out.append("")
        stats = (
            ["均值", "P5", "P25", "中位数", "P75", "P95", "最小", "最大"]
            if zh
            else ["mean", "p5", "p25", "median", "p75", "p95", "min", "max"]
        )
        if s.pick.balance:
            risk = (
                ["当年为零", "至今曾为零", "曾为零或无法结算"] if zh else ["zero", "zero so far", "zero or unsettled"]
            )
        else:
            risk = ["当年为负"] if zh else ["below 0"]
        heads = ["年份" if zh else "year", *stats, *risk, "无法结算" if zh else "unsettled"]
        rows = []
        for y in s.years:
            shown = (y.mean, *y.percentiles, y.low, y.high)
            cells = [money(v) for v in shown] if y.settled else ["–"] * 8  # type: ignore[arg-type]
            stopped = outcome.draws - y.settled
            risk_cells = [_share(y.zero, y.settled)]
            if s.pick.balance:
                risk_cells += [_share(y.ever_zero, outcome.draws), _share(y.zero_or_stopped, outcome.draws)]
            rows.append([str(y.period), *cells, *risk_cells, str(stopped)])
        out.append(table(heads, rows, set(range(1, len(heads)))))
    out.append(_failures_text(outcome, lang))
    return "\n".join(out)


def _failures_text(outcome: Outcome, lang: str) -> str:
    zh = lang == "zh"
    if not outcome.failures:
        return ("每次模拟的每一年都能结算。" if zh else "Every year of every draw could be settled.") + "\n"
    total = sum(f.draws for f in outcome.failures.values())
    lines = [
        f"无法结算:{total} 次模拟在下列年份停止,之后各年不计入统计(同一处只列第一次的消息):"
        if zh
        else f"Unsettled: {total} draws stopped in these years and are left out of later years (the first message at "
        "each place):"
    ]
    for (period, _), f in _failures(outcome):
        lines.append(f"  {period}{'年' if zh else ''}  {f.draws} {'次' if zh else 'draws'}  {f.zh if zh else f.en}")
    return "\n".join(lines) + "\n"


def _failures(outcome: Outcome) -> list[tuple[tuple[int, str], Failure]]:
    return sorted(outcome.failures.items(), key=lambda kv: (kv[0][0], -kv[1].draws, kv[0][1]))


def to_json(
    plan: Plan,
    outcome: Outcome,
    summaries: list[Summary],
    seed: int,
    engine: str,
    readings: Mapping[str, str] | None = None,
) -> str:
    """The distributions as JSON; `readings`, the options every draw was settled under (as `pool run --json`)."""

    def year(s: Summary, y: YearStats) -> dict[str, object]:
        doc: dict[str, object] = {"period": y.period, "settled": y.settled}
        if y.settled:
            doc["mean"] = str(y.mean)
            doc.update({f"p{q}": str(v) for q, v in zip(PERCENTILES, y.percentiles)})
            doc["min"], doc["max"] = str(y.low), str(y.high)
        if s.pick.balance:
            doc["zero_draws"], doc["ever_zero_draws"], doc["zero_or_unsettled_draws"] = (
                y.zero,
                y.ever_zero,
                y.zero_or_stopped,
            )
            doc["p_zero"] = _ratio(y.zero, y.settled)
            doc["p_ever_zero"] = _ratio(y.ever_zero, outcome.draws)
            doc["p_ever_zero_or_unsettled"] = _ratio(y.zero_or_stopped, outcome.draws)
        else:
            doc["negative_draws"], doc["p_negative"] = y.zero, _ratio(y.zero, y.settled)
        return doc

    doc = {
        "scenario": plan.file,
        "draws": outcome.draws,
        "seed": seed,
        "engine": engine,
        "periods": list(outcome.periods),
        "growth": {g.input: _growth_json(g) for g in plan.growth},
        "values": [
            {
                "value": s.pick.label,
                "kind": "balance" if s.pick.balance else "rule",
                "years": [year(s, y) for y in s.years],
            }
            for s in summaries
        ],
        "unsettled": [
            {"period": period, "draws": f.draws, "zh": f.zh, "en": f.en} for (period, _), f in _failures(outcome)
        ],
    }
    if readings:
        doc["readings"] = dict(readings)
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _ratio(k: int, n: int) -> str | None:
    return str(to_decimal(Fraction(k, n), 4)) if n else None


def _growth_json(g: Growth) -> dict[str, object]:
    return {
        "like": g.like,
        "default": g.dist.text if g.dist else None,
        "independent": g.independent,
        "years": {str(y): d.text for y, d in g.years.items()},
        "regions": {
            r: {"default": rg.dist.text if rg.dist else None, "years": {str(y): d.text for y, d in rg.years.items()}}
            for r, rg in g.regions.items()
        },
    }
