"""What each option of a choice of readings changes in money, on one scenario: the
figures behind the explainer's 本解读对原文的理解 (compare_readings settles the scenario
under every option, on the reference interpreter).

The scenario is the one `pool explain --scenario` names, or else the policy's own
(`bundled_scenario`): beside a policy DIR/STEM.pool, the first file found of

    DIR/scenarios/STEM.readings.json   a case chosen to show what the choices change
    DIR/scenarios/STEM.json            the policy's scenario
    DIR/scenarios/STEM_*.json          the first in name order (`pool new` writes STEM_2026.json)

each also as .yaml or .yml, then the same three in DIR itself. Stochastic scenarios
(growth/years/base) are passed over. Documented in docs/tools.md ("政策解读中的解读金额").
"""

from __future__ import annotations

from pathlib import Path

import attrs

from compiler.evaluate import EvaluationFailed, load_scenario
from compiler.ir.checked import CheckedPolicy
from compiler.readings import choices
from compiler.tools.reading_diff import ChoiceDiff, compare_readings

_SUFFIXES = (".json", ".yaml", ".yml")


@attrs.frozen
class Pricing:
    """The money each option moves on one scenario, or why it was not computed."""

    file: str | None  # the scenario, as the review form names it
    description: dict[str, str]  # the scenario's own words for the case, by language
    diffs: tuple[ChoiceDiff, ...] = ()
    why_not: tuple[str, str] | None = None  # (zh, en): why there are no figures; None when there are
    detail: tuple[str, str] | None = None  # (zh, en): more of why, with paths: the review form only


def bundled_scenario(policy: str | Path) -> Path | None:
    """The policy's own scenario by the convention above, or None."""
    from compiler.stochastic.spec import is_stochastic

    p = Path(policy)
    stem = p.stem
    for folder in (p.parent / "scenarios", p.parent):
        if not folder.is_dir():
            continue
        found = [folder / f"{stem}.readings{s}" for s in _SUFFIXES] + [folder / f"{stem}{s}" for s in _SUFFIXES]
        found += sorted(x for s in _SUFFIXES for x in folder.glob(f"{_glob_escape(stem)}_*{s}"))
        for f in found:
            if f.is_file() and not is_stochastic(str(f)):
                return f
    return None


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def price(checked: CheckedPolicy, policy: str | Path | None, scenario: str | Path | None = None) -> Pricing | None:
    """The readings priced on `scenario`, or on the bundled scenario of the policy file `policy`
    (None: a policy with no file, so no scenario is looked for). None when the policy has no
    choice of readings. A scenario named here that cannot be settled raises EvaluationFailed;
    a bundled one that cannot gives a Pricing saying so."""
    if not choices(checked.written or checked.program):
        return None
    if scenario is not None:
        return _settle(checked, Path(scenario), str(scenario))
    found = bundled_scenario(policy) if policy is not None else None
    if found is None:
        zh = "本政策没有附带示例情形" if policy is not None else "没有给出示例情形"
        en = "the policy comes with no sample scenario" if policy is not None else "no sample scenario was given"
        if policy is None:
            return Pricing(None, {}, why_not=(zh, en))
        looked = _shown(Path(policy).parent / "scenarios" / f"{Path(policy).stem}.readings.json")
        return Pricing(
            None,
            {},
            why_not=(zh, en),
            detail=(
                f"未找到 {looked} 等文件,可用 pool explain --scenario 指定",
                f"found no {looked} or the like; name one with pool explain --scenario",
            ),
        )
    shown = _shown(found)
    try:
        return _settle(checked, found, shown)
    except EvaluationFailed as e:
        return Pricing(
            shown,
            {},
            why_not=("示例情形无法计算", "the sample scenario cannot be settled"),
            detail=(_first(e.zh), _first(e.en)),
        )


def _first(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""


def _settle(checked: CheckedPolicy, path: Path, shown: str) -> Pricing:
    from compiler.stochastic.spec import is_stochastic

    if path.is_file() and is_stochastic(str(path)):
        raise EvaluationFailed(
            2,
            f"{shown}: 这是随机情景(有 growth/years/base),请给出一期的情景\n",
            f"{shown}: a stochastic scenario (growth/years/base): give a one-period scenario\n",
        )
    scen = load_scenario(checked, path)
    diffs = compare_readings(checked, path, engine="interpreter", base=checked.readings)
    return Pricing(shown, dict(scen.description), tuple(diffs))
