"""The compiled expected utility kernel against the array implementation (the reference).

``eum(engine="compiled")`` (numba, :mod:`realpolitik.models.eum.compiled`) must take every
decision the array-API implementation takes: the same rounds, and final positions within
1e-9 of the scale, on random games of 3 to 60 actors (shared positions and zero weights
included, both offer rules) and on Monte Carlo samples of iraq-2024. The kernel is compiled
once per machine (numba's cache), so these tests share it.
"""

from __future__ import annotations

import numpy as np
import pytest

from realpolitik.errors import ModelError
from realpolitik.models.base import BargainingInput
from realpolitik.models.eum import eum, game
from realpolitik.runner import run_model

pytest.importorskip("numba")


def random_input(seed: int, batch: int, n: int, d: int, grid: int | None) -> BargainingInput:
    """A random batch on the scale [-20, 80]; with ``grid``, actors share positions."""
    rng = np.random.default_rng(seed)
    x = rng.random((batch, n, d))
    if grid:
        x = np.round(x * grid) / grid
    sal = rng.uniform(0.0, 1.0, (batch, n, d))
    sal[:, : n // 5] = 0.0  # some actors without salience
    cap = rng.uniform(0.0, 100.0, (batch, n))
    lo, hi = np.full(d, -20.0), np.full(d, 80.0)
    return BargainingInput(-20.0 + 100.0 * x, sal, cap, np.full((batch, d), 30.0), lo, hi)


def assert_same_play(inp: BargainingInput, **kwargs: object) -> None:
    """Both engines: identical rounds, final positions and forecasts within 1e-9 of the scale."""
    fast = eum(inp, engine="compiled", **kwargs)
    ref = eum(inp, engine="array", **kwargs)
    np.testing.assert_array_equal(fast.extra["rounds_by_issue"], ref.extra["rounds_by_issue"])
    np.testing.assert_array_equal(fast.extra["converged"], ref.extra["converged"])
    span = inp.upper - inp.lower
    np.testing.assert_allclose(fast.final_position / span, ref.final_position / span, rtol=0, atol=1e-9)
    np.testing.assert_allclose(fast.forecast / span, ref.forecast / span, rtol=0, atol=1e-9)


CASES = [(3, None), (4, 3), (7, None), (11, 5), (16, None), (25, 8), (33, None), (60, None), (60, 12)]


@pytest.mark.parametrize(("n", "grid"), CASES)
@pytest.mark.parametrize("offer_rule", ["nearest", "credible"])
def test_compiled_plays_like_the_array_reference(n, grid, offer_rule):
    """Random games of 3-60 actors (ties on a grid): same rounds and positions."""
    batch = 60 if n < 30 else 8
    assert_same_play(random_input(n * 7 + (grid or 0), batch, n, 2, grid), offer_rule=offer_rule)


@pytest.mark.parametrize("tol", [1e-2, 1e-4])
def test_compiled_plays_like_the_array_reference_at_other_tolerances(tol):
    """Settling tolerance and the bound on rounds are honoured alike."""
    assert_same_play(random_input(3, 100, 9, 1, None), tol=tol, max_rounds=7)


@pytest.mark.slow
def test_iraq_2024_ten_thousand_samples():
    """10^4 Monte Carlo samples of iraq-2024 (2 x 10^4 games): same rounds and positions."""
    from realpolitik.scenario.loader import load_scenario
    from realpolitik.uncertainty.sampling import sample_inputs

    assert_same_play(sample_inputs(load_scenario("iraq-2024"), 10_000, seed=11))


def test_engines_and_the_fallback(monkeypatch):
    """'auto' runs compiled on numpy with q = 1 and falls back to the array path otherwise."""
    inp = random_input(1, 5, 6, 1, None)
    q_half = eum(inp, q=0.5)  # auto: the array path (the kernel plays q = 1 only)
    np.testing.assert_array_equal(q_half.final_position, eum(inp, q=0.5, engine="array").final_position)
    with pytest.raises(ModelError, match="q = 1"):
        eum(inp, q=0.5, engine="compiled")
    with pytest.raises(ModelError, match="engine must be"):
        eum(inp, engine="gpu")  # type: ignore[arg-type]
    monkeypatch.setattr(game, "_KERNEL", [None])  # as if numba were missing
    ref = eum(inp, engine="array")
    np.testing.assert_array_equal(eum(inp).final_position, ref.final_position)
    np.testing.assert_array_equal(run_model("eum", inp).final_position, ref.final_position)
    with pytest.raises(ModelError, match="numba is not available"):
        eum(inp, engine="compiled")


def test_missing_numba_is_noted_once(monkeypatch):
    """An import failure of the kernel gives one RuntimeWarning and the array path."""
    import builtins

    real = builtins.__import__

    def no_numba(name, *args, **kwargs):
        if name == "numba" or (name.endswith("eum") and args and "compiled" in (args[2] or ())):
            raise ImportError("No module named 'numba'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(game, "_KERNEL", [])
    monkeypatch.setattr(builtins, "__import__", no_numba)
    with pytest.warns(RuntimeWarning, match="compiled kernel unavailable"):
        assert game.kernel() is None
    assert game.kernel() is None  # tried once: no second warning
