"""The compiled SMP kernel against the array implementation (the reference) and KTAB.

``smp(engine="compiled")`` (numba, :mod:`realpolitik.models.smp.compiled`) must take every
decision of the array-API implementation: the same turns, and final positions within 1e-9 of
the scale (bit-identical where the C library's exp/log are numpy's, as on x86-64 without
AVX-512), on random scenarios of 3-40 actors with every option, the stochastic transitions with
the same seeded draws, sampled iraq-2024 and KTAB's runs. numba's cache compiles the kernel
once per machine, so these tests share it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from realpolitik.errors import ModelError
from realpolitik.models.base import BargainingInput
from realpolitik.models.smp import game, smp
from realpolitik.runner import run_model
from realpolitik.scenario.arrays import to_input
from realpolitik.scenario.ktab_csv import load_ktab_csv

pytest.importorskip("numba")

KTAB = Path(__file__).parent / "data" / "ktab"


def random_input(seed: int, batch: int, n: int, d: int, grid: int | None = None) -> BargainingInput:
    """A random batch on the scale [-20, 80]; with ``grid``, actors share positions."""
    rng = np.random.default_rng(seed)
    x = rng.random((batch, n, d))
    if grid:
        x = np.round(x * grid) / grid
    sal = rng.uniform(0.0, 1.0, (batch, n, d))
    sal[:, : n // 6] = 0.0  # some actors without salience
    cap = rng.uniform(0.0, 100.0, (batch, n))
    lo, hi = np.full(d, -20.0), np.full(d, 80.0)
    return BargainingInput(-20.0 + 100.0 * x, sal, cap, np.full((batch, d), 30.0), lo, hi)


def assert_same_play(inp: BargainingInput, **kwargs: object) -> None:
    """Both engines: identical turns; positions, forecasts and extras within 1e-9 of the scale."""
    fast = smp(inp, engine="compiled", **kwargs)
    ref = smp(inp, engine="array", **kwargs)
    np.testing.assert_array_equal(fast.rounds, ref.rounds)
    span = inp.upper - inp.lower
    for a, b in ((fast.final_position, ref.final_position), (fast.forecast, ref.forecast)):
        np.testing.assert_allclose(a / span, b / span, rtol=0, atol=1e-9)
    for key in ("position_probability", "expected_outcome", "risk"):
        np.testing.assert_allclose(fast.extra[key], ref.extra[key], rtol=0, atol=1e-9)


CASES = [(3, 1, None), (4, 2, 3), (7, 1, None), (11, 2, None), (11, 2, 4), (16, 3, None),
         (25, 1, 8), (40, 2, None)]


@pytest.mark.parametrize(("n", "d", "grid"), CASES)
def test_compiled_plays_like_the_array_reference(n, d, grid):
    """Random scenarios of 3-40 actors (ties on a grid), KTAB's defaults."""
    batch = 24 if n < 20 else 3
    assert_same_play(random_input(n * 5 + d, batch, n, d, grid))


OPTIONS = [
    {"bargain": "init-rcvr"},
    {"bargain": "pw-compromise", "risk_adjust": "full"},
    {"voting": "binary", "victory": "square"},
    {"voting": "prop-cubic", "victory": "quartic", "risk_range": "max", "third_party": "full",
     "interpolation": "s2pmax"},
    {"voting": "cubic", "victory": "octic", "third_party": "none", "interpolation": "s1p1",
     "risk_range": "min", "risk_adjust": "half"},
    {"voting": "prop-binary", "min_turns": 4, "stop_ratio": 0.1},
]


@pytest.mark.parametrize("options", OPTIONS)
def test_compiled_plays_like_the_array_reference_with_every_option(options):
    """Every compiled option (voting, victory, risk, third parties, interpolation, bargains)."""
    assert_same_play(random_input(len(str(options)), 12, 8, 2, 5), max_turns=30, **options)


@pytest.mark.parametrize("options", [{}, {"bargain": "init-rcvr"}])
def test_stochastic_transitions_draw_the_same_numbers(options):
    """Stochastic transitions: the same seeded draws, so the same turns and positions."""
    inp = random_input(7, 40, 9, 2)
    assert_same_play(inp, transitions="stochastic", seed=3, **options)
    a = smp(inp, engine="compiled", transitions="stochastic", seed=3)
    b = smp(inp, engine="compiled", transitions="stochastic", seed=4)
    assert not np.array_equal(a.final_position, b.final_position)


def test_stochastic_draws_in_segments(monkeypatch):
    """Draws made a few turns at a time (bounded memory) are the same stream."""
    from realpolitik.models.smp import compiled

    inp = random_input(8, 20, 6, 1)
    whole = smp(inp, engine="compiled", transitions="stochastic", seed=9)
    monkeypatch.setattr(compiled, "_DRAW_BUDGET", 3 * 20 * 6)  # three turns per segment
    parts = smp(inp, engine="compiled", transitions="stochastic", seed=9)
    np.testing.assert_array_equal(whole.final_position, parts.final_position)
    np.testing.assert_array_equal(whole.rounds, parts.rounds)


def test_iraq_2024_samples():
    """300 Monte Carlo samples of iraq-2024, deterministic and stochastic."""
    from realpolitik.scenario.loader import load_scenario
    from realpolitik.uncertainty.sampling import sample_inputs

    inp = sample_inputs(load_scenario("iraq-2024"), 300, seed=11)
    assert_same_play(inp)
    assert_same_play(inp.take(np.arange(100)), transitions="stochastic", seed=5)


@pytest.mark.parametrize("name", ["SOE-Policy", "SOE-Competitive"])
def test_compiled_equals_todays_ktab(name):
    """KTAB's smpc runs (tests/data/ktab/*.ktab-head-final.csv): same turns, positions to 1e-6."""
    inp = to_input(load_ktab_csv(KTAB / f"{name}.csv"))
    turns, final = -1, {}
    for line in (KTAB / f"{name}.ktab-head-final.csv").read_text().splitlines():
        if line.startswith("# turns="):
            turns = int(line.split("=", 1)[1])
        elif line and not line.startswith(("#", "actor,")):
            actor, value = line.split(",")
            final[actor] = float(value)
    out = smp(inp, engine="compiled")
    assert int(out.rounds[0]) == turns
    ours = np.asarray(out.final_position)[0, :, 0]
    np.testing.assert_allclose(ours, [final[a] for a in inp.actor_ids], rtol=0, atol=1e-6)
    assert_same_play(inp)


def test_ktab_two_issue_reference_run():
    """KTAB's 2-D reference run (SOE-Pol-Comp): 27 turns, as the array path plays it."""
    inp = to_input(load_ktab_csv(KTAB / "SOE-Pol-Comp.csv"))
    assert int(smp(inp, engine="compiled").rounds[0]) == 27
    assert_same_play(inp)


def test_engines_and_the_fallback(monkeypatch):
    """'auto' runs compiled where it applies; Markov elections and traces stay on the array path."""
    inp = random_input(1, 5, 6, 1)
    ref = smp(inp, engine="array")
    np.testing.assert_array_equal(smp(inp).final_position, ref.final_position)
    np.testing.assert_array_equal(run_model("smp", inp).final_position, ref.final_position)
    markov = smp(inp, pce="markov-uniform")  # auto: the array path
    np.testing.assert_array_equal(
        markov.final_position, smp(inp, pce="markov-uniform", engine="array").final_position)
    assert smp(inp, trace=True).trace  # auto: the array path keeps the trace
    with pytest.raises(ModelError, match="pce='conditional'"):
        smp(inp, pce="markov-uniform", engine="compiled")
    with pytest.raises(ModelError, match="engine must be"):
        smp(inp, engine="gpu")  # type: ignore[arg-type]
    monkeypatch.setattr(game, "_KERNEL", [None])  # as if numba were missing
    np.testing.assert_array_equal(smp(inp).final_position, ref.final_position)
    with pytest.raises(ModelError, match="numba is not available"):
        smp(inp, engine="compiled")


def test_one_and_two_actors():
    """Degenerate sizes run on the kernel as on the array path."""
    assert_same_play(random_input(2, 4, 1, 1))
    assert_same_play(random_input(3, 4, 2, 2))


def test_auto_leaves_small_calls_on_the_array_path(monkeypatch):
    """'auto' does not load numba for a call too small to repay it (same numbers either way)."""

    def must_not_load() -> None:
        raise AssertionError("the kernel was loaded for a small call")

    inp = random_input(4, 2, 9, 1)  # 2 x 9^3 < AUTO_WORK
    monkeypatch.setattr(game, "_KERNEL", [])
    monkeypatch.setattr(game, "kernel", must_not_load)
    small = smp(inp)
    monkeypatch.undo()
    np.testing.assert_array_equal(small.final_position, smp(inp, engine="compiled").final_position)
    big = random_input(5, 400, 9, 1)  # 400 x 9^3 > AUTO_WORK: compiled
    monkeypatch.setattr(game, "_KERNEL", [])
    loaded: list[int] = []
    real = game.kernel

    def counting() -> object:
        loaded.append(1)
        return real()

    monkeypatch.setattr(game, "kernel", counting)
    smp(big)
    assert loaded
