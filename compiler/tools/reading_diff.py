"""`pool diff --readings`: one scenario settled under every option of every choice of
readings, side by side, so the money each reading puts at stake is seen per party and
region. Each choice is varied alone, the others at their defaults."""

from __future__ import annotations

import json
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path

import attrs

from compiler.driver import with_readings
from compiler.evaluate import Engine, EvaluationFailed, env_of, load_scenario, settle_with
from compiler.ir.checked import CheckedPolicy
from compiler.numbers import to_decimal
from compiler.plan import plan_of
from compiler.readings import ReadingError, choices
from compiler.report import money, table


@attrs.frozen
class ChoiceDiff:
    name: str
    options: tuple[str, ...]  # the default (or the option compared against) first
    # account (party or fund, a region's in 名称(地区)) → net amount it pays under each
    # option, in `options` order: what it pays out less what it receives.
    net: dict[str, tuple[Fraction, ...]]
    # 挂账: a claim account (名称(地区)) → what is left unpaid and asked again next period,
    # under each option: money a reading defers rather than moves.
    owed: dict[str, tuple[Fraction, ...]] = attrs.field(factory=dict)

    @property
    def differs(self) -> bool:
        return any(len(set(v)) > 1 for v in (*self.net.values(), *self.owed.values()))


def compare_readings(
    checked: CheckedPolicy,
    scenario: str | Path,
    encoding: str | None = None,
    engine: Engine = "compiled",
    base: Mapping[str, str] | None = None,
) -> list[ChoiceDiff]:
    """Each choice varied alone, the others at `base` (a choice → option map; the defaults
    where it names none). A choice's first option is the one `base` takes for it."""
    out: list[ChoiceDiff] = []
    base = dict(base or {})
    for c in choices(checked.written or checked.program):
        used = base.get(c.name.text, c.default.text)
        names = [used] + [o.name.text for o in c.options if o.name.text != used]
        nets: list[dict[str, Fraction]] = []
        owed: list[dict[str, Fraction]] = []
        for option in names:
            try:
                variant = with_readings(checked, {**base, c.name.text: option})
            except ReadingError as e:
                raise EvaluationFailed(2, e.zh + "\n", e.en + "\n") from None
            scen = load_scenario(variant, scenario, encoding)
            res = settle_with(variant, env_of(scen), engine, f"{scenario} ({c.name.text}={option})")
            net: dict[str, Fraction] = {}
            for t in res.transfers:
                net[t.source] = net.get(t.source, Fraction(0)) + t.amount
                net[t.dest] = net.get(t.dest, Fraction(0)) - t.amount
            nets.append(net)
            plan = plan_of(variant)
            owed.append({k: Fraction(v) for k, v in res.closing.items() if plan.is_claim_account(k)})
        accounts = list(dict.fromkeys(a for n in nets for a in n))  # first seen, option by option
        claimed = list(dict.fromkeys(a for n in owed for a in n))
        out.append(
            ChoiceDiff(
                c.name.text,
                tuple(names),
                {a: tuple(n.get(a, Fraction(0)) for n in nets) for a in accounts},
                {a: tuple(n.get(a, Fraction(0)) for n in owed) for a in claimed},
            )
        )
    return out


def to_text(diffs: list[ChoiceDiff], lang: str) -> str:
    zh = lang == "zh"
    if not diffs:
        return "本政策没有备选解读(解读)。\n" if zh else "The policy has no choice of readings.\n"
    parts = []
    for d in diffs:
        heads = ["主体/资金" if zh else "party / fund"]
        heads += [o + (("(默认)" if zh else " (default)") if i == 0 else "") for i, o in enumerate(d.options)]
        heads.append("相差" if zh else "at stake")
        rows = [[a, *(money(x) for x in v), money(max(v) - min(v))] for a, v in d.net.items() if len(set(v)) > 1]
        rows += [
            [("挂账未付:" if zh else "unpaid claim: ") + a, *(money(x) for x in v), money(max(v) - min(v))]
            for a, v in d.owed.items()
            if len(set(v)) > 1
        ]
        title = (
            f"解读“{d.name}”:各选项下的净支出(支出减收入,元)"
            if zh
            else f"Choice ‘{d.name}’: net amount paid under each option (paid less received, 元)"
        )
        same = len(d.net) - sum(1 for v in d.net.values() if len(set(v)) > 1)
        body = (
            table(heads, rows, set(range(1, len(heads))))
            if rows
            else ("各选项结果相同。\n" if zh else "Every option settles alike.\n")
        )
        tail = (
            (
                f"另有 {same} 个主体或资金在各选项下相同。\n"
                if zh
                else f"{same} more parties or funds settle alike under every option.\n"
            )
            if same and rows
            else ""
        )
        parts.append(f"{title}\n\n{body}{tail}")
    return "\n".join(parts)


def to_json(diffs: list[ChoiceDiff]) -> str:
    doc = [
        {
            "choice": d.name,
            "default": d.options[0],
            "options": list(d.options),
            "net": {a: {o: str(to_decimal(x, 2)) for o, x in zip(d.options, v)} for a, v in d.net.items()},
            "at_stake": {a: str(to_decimal(max(v) - min(v), 2)) for a, v in d.net.items() if len(set(v)) > 1},
            "owed": {a: {o: str(to_decimal(x, 2)) for o, x in zip(d.options, v)} for a, v in d.owed.items()},
        }
        for d in diffs
    ]
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
