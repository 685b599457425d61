"""One generated case through everything that touches its money, and the findings by class.

    findings, tally = check_case(generate(seed))

A case's policy must check clean; each scenario is read through the real loader, settled by the
three engines (compared to the fen) and every ledger is checked by ledgercheck; the multi-period
file goes through `simulate` on both scalar engines, balances carried, and no account may vanish.
"""

from __future__ import annotations

import json
import tempfile
import traceback
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from engines import ENGINES, Outcome, differences, run_all, yuan
from ledgercheck import check_period, opening_of
from moneygen import Case

from compiler.driver import check_file
from compiler.evaluate import EvaluationFailed, simulate_files
from compiler.scenario import Scenario, load


@dataclass(frozen=True)
class Finding:
    cls: str
    seed: int
    detail: str

    def __str__(self) -> str:
        return f"[{self.cls}] seed {self.seed}: {self.detail[:600]}"


def _write(d: Path, name: str, data: Any) -> Path:
    path = d / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def check_case(case: Case, tally: Counter[str]) -> list[Finding]:
    out: list[Finding] = []
    seed = case.seed
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        policy = _write(d, "policy.pool", case.source)
        try:
            result = check_file(policy)
        except Exception:
            return [Finding("traceback", seed, "pool check: " + traceback.format_exc(limit=-4))]
        if result.policy is None:
            return [Finding("generated policy does not check", seed, "; ".join(x.message("en") for x in result.errors))]
        checked = result.policy
        tally["policies"] += 1
        scens: list[Scenario] = []
        for i, data in enumerate(case.scenarios):
            scen, errors = load(_write(d, f"s{i}.json", data), checked)
            if scen is None:
                out.append(Finding("generated scenario refused", seed, "; ".join(e.en for e in errors)))
                return out
            scens.append(scen)
        outs = run_all(checked, case.source, scens)
        tally["scenarios"] += len(scens)
        out += [Finding(f.cls, seed, f"scenario {f.scenario}: {f.detail}") for f in differences(outs)]
        for engine in ENGINES:
            for k, o in enumerate(outs[engine]):
                out += _conserved(case, engine, k, o, case.scenarios[k], list(scens[k].regions), tally)
        tally["scenarios settled by all three"] += sum(
            all(outs[e][k].failed is None and not outs[e][k].crash and not outs[e][k].refused for e in ENGINES)
            for k in range(len(scens))
        )
        # simulate and the CLI check and compile the policy again: a sample of seeds keeps the
        # run's time on the scenarios (the per-region balance is what simulate is here for)
        if "区县结余" in case.funds and case.seed % 2 == 0:
            out += _simulate(case, d, policy, tally)
        if case.seed % 8 == 0 or "amounts of 10²⁶ 元 and more" in case.features:
            out += _cli(case, d / "s0.json", policy, tally)
    return out


def _cli(case: Case, scenario: Path, policy: Path, tally: Counter[str]) -> list[Finding]:
    """What a user sees: `pool run` (text and --json) on both engines ends with a result or a
    message, never a traceback, and both engines print the same JSON."""
    from click.testing import CliRunner

    from compiler.cli import main

    found: list[Finding] = []
    printed: dict[str, Any] = {}
    for engine in ("interpreter", "compiled"):
        for extra in ([], ["--json"]):
            args = ["run", str(policy), str(scenario), "--engine", engine, *extra]
            res = CliRunner().invoke(main, args)
            tally["CLI runs"] += 1
            if res.exception is not None and not isinstance(res.exception, SystemExit):
                tb = "".join(traceback.format_exception(res.exception, limit=-4))
                found.append(Finding("traceback", case.seed, f"pool {' '.join(args[:1] + args[3:])}: {tb}"))
            elif res.exit_code not in (0, 2):
                found.append(
                    Finding(
                        "unexpected exit code", case.seed, f"pool {' '.join(args[:1] + args[3:])}: exit {res.exit_code}"
                    )
                )
            elif extra and res.exit_code == 0:
                printed[engine] = json.loads(res.stdout)
    if len(printed) == 2 and printed["interpreter"] != printed["compiled"]:
        a, b = printed["interpreter"], printed["compiled"]
        where = next((k for k in a if a[k] != b.get(k)), "?")
        found.append(
            Finding(
                "run --json differs between engines",
                case.seed,
                f"field {where!r}: {str(a.get(where))[:200]} vs {str(b.get(where))[:200]}",
            )
        )
    return found


def _conserved(
    case: Case, engine: str, k: int, o: Outcome, data: dict[str, Any], regions: list[str], tally: Counter[str]
) -> list[Finding]:
    if o.failed is not None or o.crash or o.refused:
        return []
    tally["ledgers checked"] += 1
    problems = check_period(o.ledger, o.closing, opening_of(data), case.accounts(regions), case.caps, data)
    return [Finding(_conservation_class(p), case.seed, f"{engine}, scenario {k}: {p}") for p in problems]


def _conservation_class(problem: str) -> str:
    if problem.startswith("累计上限"):
        return "累计上限 exceeded"
    if "pays itself" in problem:
        return "self-transfer"
    return "conservation"


def _simulate(case: Case, d: Path, policy: Path, tally: Counter[str]) -> list[Finding]:
    """The periods as generated (a region left out) and with every region listed, on each scalar
    engine: the same answer on both, every period's ledger conserved, no balance lost. Leaving out
    a region that holds a balance may be refused (exit 2, naming the region), never silently lost."""
    found: list[Finding] = []
    for label, periods in (("a region left out", case.periods), ("every region listed", case.all_listed())):
        path = _write(d, "periods.json", periods)
        runs: dict[str, Any] = {}
        for engine in ("interpreter", "compiled"):
            try:
                _, runs[engine] = simulate_files(policy, [str(path)], engine)
            except EvaluationFailed as e:
                runs[engine] = e.en.strip()
            except Exception:
                return [Finding("traceback", case.seed, f"simulate ({engine}): " + traceback.format_exc(limit=-4))]
        found += _periods_agree(case, label, periods["periods"], runs, tally)
    return found


def _periods_agree(
    case: Case, label: str, periods: list[dict[str, Any]], runs: dict[str, Any], tally: Counter[str]
) -> list[Finding]:
    found: list[Finding] = []
    a, b = runs["interpreter"], runs["compiled"]
    if isinstance(a, str) or isinstance(b, str):
        if isinstance(a, str) != isinstance(b, str):
            found.append(
                Finding(
                    "one engine fails, another settles",
                    case.seed,
                    f"simulate ({label}): interpreter {a if isinstance(a, str) else 'settles'}; compiled "
                    f"{b if isinstance(b, str) else 'settles'}",
                )
            )
        else:
            tally[f"multi-period files refused ({label})"] += 1
        return found
    tally[f"multi-period simulations ({label})"] += 1
    for engine, run in runs.items():
        opening: dict[str, Fraction] = opening_of(periods[0])
        for t, (scen, res) in enumerate(run):
            tally["ledgers checked"] += 1
            for p in check_period(
                _rows(res), res.closing, opening, case.accounts(list(scen.regions)), case.caps, periods[t]
            ):
                found.append(
                    Finding(
                        _conservation_class(p), case.seed, f"simulate {engine} ({label}), period {scen.period}: {p}"
                    )
                )
            # Nothing lost: a balance held by a region this period does not list is still there after it.
            for acc, bal in opening.items():
                if acc not in res.closing and bal != 0:
                    found.append(
                        Finding(
                            "carried balance lost",
                            case.seed,
                            f"simulate {engine}, period {scen.period}: {acc} held {yuan(bal)} and is gone from the "
                            "carried state",
                        )
                    )
            opening = dict(res.closing)
    if [[_rows(r) for _, r in a]] != [[_rows(r) for _, r in b]] or [r.closing for _, r in a] != [
        r.closing for _, r in b
    ]:
        found.append(
            Finding(
                "simulate: engines differ",
                case.seed,
                f"simulate ({label}): interpreter and compiled give different ledgers or balances",
            )
        )
    return found


def _rows(res: Any) -> list[tuple[str, str, Fraction, str, int]]:
    return [(t.source, t.dest, Fraction(t.amount), t.rule, t.line) for t in res.transfers]


if __name__ == "__main__":  # replay one seed: python tests/fuzz/moneyrun.py SEED
    import sys

    from moneygen import generate

    case = generate(int(sys.argv[1]))
    print(case.source)
    print(json.dumps(case.scenarios, ensure_ascii=False, indent=1))
    print(json.dumps(case.periods, ensure_ascii=False, indent=1))
    counts: Counter[str] = Counter()
    for f in check_case(case, counts):
        print(f)
    print(dict(counts))
