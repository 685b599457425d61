"""Input growth as arrays (compiler/stochastic/grow.py) equals the per-draw Decimal grower to
the fen, on the values where a float would go wrong: exact half fen, huge amounts, tiny and
extreme rates, growth past the ceiling. And `pool simulate --draws` reports progress only to
a person watching."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from compiler.cli import main
from compiler.evaluate import check_policy
from compiler.stochastic import simulate
from compiler.stochastic.draws import Beyond, Grower, draw
from compiler.stochastic.grow import ArrayGrower
from compiler.stochastic.spec import load_plan

ROOT = Path(__file__).resolve().parent.parent
NINGBO = str(ROOT / "policies" / "ningbo_city_pooling.pool")
STOCHASTIC = str(ROOT / "policies" / "scenarios" / "ningbo_stochastic.yaml")
# Rates a normal draw rarely gives but a float product gets wrong, or a Decimal rounds, if anything does.
RATES = [0.5, -1.0, 1e-15, 1.2345678901234567e-05, 0.125, 3.0, -0.999999, 0.07, 0.1, 2.5e-11, 0.3, 1.0]


@pytest.mark.parametrize("seed", [1, 2])
def test_array_growth_equals_decimal_growth_to_the_fen(seed: int) -> None:
    checked = check_policy(NINGBO)
    plan = load_plan(STOCHASTIC, checked)
    n = 3000
    factors = draw(plan, n, seed)
    for r in factors.rates.values():
        r[: len(RATES)] = RATES
    grower = Grower(checked, plan, factors)
    arrays = ArrayGrower(checked, plan, factors, grower)
    rng = np.random.default_rng(seed)
    values = arrays.base(n)
    for v in values.values():
        v[...] = rng.integers(0, 10**12, size=v.shape)
        v.flat[:40] = [
            1,
            3,
            5,
            7,
            2**53 - 1,
            2**53 + 1,
            10**16,
            10**17 - 1,
            4 * 10**16,
            999_999_999_999_999,
            *range(11, 41),
        ]
    live = np.ones(n, dtype=bool)
    live[-5:] = False  # stopped draws keep their values
    year = plan.periods[1]
    got, beyond = arrays.grow(values, live, year)
    regions = list(plan.base.regions)
    checked_values = 0
    for d in range(n):
        if not live[d]:
            assert all((got[k][d] == values[k][d]).all() for k in got)
            continue
        inputs = {
            k: (
                {r: Decimal(int(x)) / arrays.den[k] for r, x in zip(regions, v[d])}
                if v.ndim == 2
                else Decimal(int(v[d])) / arrays.den[k]
            )
            for k, v in values.items()
        }
        try:
            want = grower.grow(inputs, d, year)
        except Beyond as e:
            assert d in beyond and (beyond[d].zh, beyond[d].where) == (e.zh, e.where)
            continue
        assert d not in beyond
        for k, v in got.items():
            w = want[k]
            row = [w[r] for r in regions] if isinstance(w, dict) else [w]
            scaled = [int(x * arrays.den[k]) for x in row]  # type: ignore[operator]
            assert scaled == np.atleast_1d(v[d]).tolist(), (k, d)
            checked_values += len(row)
    assert checked_values > 50_000 and beyond  # every kind of value met, and some draws stopped


def test_the_default_draws_engine_is_the_vector_one_and_agrees_with_compiled() -> None:
    vector = simulate(NINGBO, STOCHASTIC, draws=200, seed=11)
    compiled = simulate(NINGBO, STOCHASTIC, draws=200, seed=11, engine="compiled")
    assert vector.summaries == compiled.summaries
    assert (vector.outcome.failed_at == compiled.outcome.failed_at).all()


def test_progress_is_reported_as_the_work_goes() -> None:
    heard: list[tuple[int, int]] = []
    simulate(NINGBO, STOCHASTIC, draws=50, seed=1, progress=lambda done, total: heard.append((done, total)))
    assert heard == [(t, 10) for t in range(1, 11)]  # one a year on the vector engine
    heard.clear()
    simulate(
        NINGBO,
        STOCHASTIC,
        draws=250,
        seed=1,
        engine="compiled",
        progress=lambda done, total: heard.append((done, total)),
    )
    assert heard == [(100, 250), (200, 250), (250, 250)]  # draws on the per-draw engine


def test_progress_bar_only_on_a_terminal_and_never_with_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["simulate", NINGBO, STOCHASTIC, "--draws", "30", "--seed", "1"]
    plain = CliRunner().invoke(main, args)
    assert plain.exit_code == 0 and plain.stderr == ""  # not a terminal: nothing
    from compiler.commands import common

    monkeypatch.setattr(common, "watching", lambda: True)  # as if standard error were a terminal
    shown = CliRunner().invoke(main, args)
    assert shown.exit_code == 0 and "模拟中" in shown.stderr
    assert shown.stdout == plain.stdout
    quiet = CliRunner().invoke(main, [*args, "--quiet"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
