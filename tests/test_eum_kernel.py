"""Tests of the fast evaluation of the expected utility model (``eum``).

The model sorts each game's actors by position, counts voters with prefix sums and, with
``Q = 1``, evaluates one direction of each pair (see the module docstring of
``realpolitik.models.eum``). These tests check those steps against the plain formulas.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realpolitik.models import eum as eum_module
from realpolitik.models.base import BargainingInput
from realpolitik.models.eum import eum, frame, probability, rounds, utility, votes, win_probability

PROPS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def probability_from_votes(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """P_ij straight from the (B, n, n, n) votes: positive votes over all votes, 1/2 if none."""
    v = votes(x, w, np)
    total = np.sum(np.abs(v), axis=1)
    positive = np.sum(np.maximum(v, 0.0), axis=1)
    return np.where(total > 0, positive / np.where(total > 0, total, 1.0), 0.5)


def assert_probability_matches_votes(x: np.ndarray, w: np.ndarray) -> None:
    """``win_probability`` equals P_ij of the votes within the rounding the quotient allows.

    Both sides divide vote sums whose terms are of the size of ``sum(w)``; when two actors sit
    almost at one place their votes nearly cancel, and the quotient of the small sums carries
    a rounding error of about ``eps * sum(w) / total``. The tolerance follows that bound
    (times 64), with a floor of 1e-12, so a wrong count or a wrong prefix sum still fails.
    """
    v = votes(x, w, np)
    total = np.sum(np.abs(v), axis=1)
    scale = np.sum(np.abs(w), axis=1)[:, None, None]
    bound = np.maximum(1e-12, 64 * np.finfo(float).eps * scale / np.where(total > 0, total, 1.0))
    diff = np.abs(win_probability(x, w, np) - probability_from_votes(x, w))
    worst = np.unravel_index(np.argmax(diff / bound), diff.shape)
    assert np.all(diff <= bound), (worst, diff[worst], bound[worst])


def batch(seed: int, size: int, n: int, grid: int | None = None) -> tuple[np.ndarray, ...]:
    """Unit positions (optionally on a grid, so that actors share positions), saliences, weights."""
    rng = np.random.default_rng(seed)
    x = rng.random((size, n))
    if grid:
        x = np.round(x * grid) / grid
    s = rng.uniform(0.0, 1.0, (size, n))
    s[:, : n // 4] = 0.0  # some actors without salience
    c = rng.uniform(1.0, 100.0, (size, n))
    return x, s, c


@pytest.mark.parametrize(("n", "grid"), [(2, None), (7, None), (7, 4), (40, None), (40, 10)])
def test_win_probability_equals_the_votes(n, grid):
    """Prefix sums and the voter count give P_ij of the votes, for direct count and search."""
    x, s, c = batch(n, 6, n, grid)
    assert_probability_matches_votes(x, c * s)


@PROPS
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 12),
    grid=st.sampled_from([None, 2, 5]),
)
def test_win_probability_property(seed, n, grid):
    """The same on random small games, with shared positions and zero weights.

    Regression: seed 1140, n 5 (two actors 4e-6 apart) once failed a fixed 1e-12 tolerance.
    """
    x, s, c = batch(seed, 4, n, grid)
    assert_probability_matches_votes(x, c * s)


@pytest.mark.parametrize("n", [5, 20])
def test_binary_search_gives_the_direct_count(n):
    """The binary search (used above 32 actors) finds exactly the counts of the direct count."""
    x, s, c = batch(3, 50, n, grid=8)
    state = frame._sorted_input(x, s, c * s, np)
    pairs = frame._Pairs.build(n, np, None)
    assert pairs.between  # small n: direct count
    direct = probability._probability_sorted(state[0], state[2], pairs, np)[0]
    searched = probability._probability_sorted(state[0], state[2], replace(pairs, between=()), np)
    np.testing.assert_array_equal(searched[0], direct)


@pytest.mark.parametrize("offer_rule", ["nearest", "credible"])
@pytest.mark.parametrize("grid", [None, 6])
def test_fast_round_moves_like_the_full_round(offer_rule, grid):
    """One direction per pair (Q = 1) gives the moves of evaluating both, ties included."""
    x, s, c = batch(11, 300, 9, grid)
    state = frame._sorted_input(x, s, c * s, np)
    pairs = frame._Pairs.build(9, np, None)
    rules = utility._Rules(q=1.0, t=1.0, offer_rule=offer_rule, max_rounds=1, tol=1e-3)
    for _ in range(6):  # a few rounds, so that actors meet and offers tie
        y, sal, w, idx = state
        fast = rounds._round_fast(y, sal, w, pairs, rules, np)
        full = rounds._round_sorted(y, sal, w, pairs, rules, np)[0]
        np.testing.assert_allclose(fast, full, rtol=0, atol=1e-12)
        state = frame._sort_state((full, sal, w, idx), np)


def test_many_actors_relabelled():
    """With 40 actors (binary search path) relabelling permutes the final positions."""
    x, s, c = batch(5, 3, 40)
    pos, sal = 100 * x[:, :, None], s[:, :, None]
    inp = BargainingInput(pos, sal, c, np.full((3, 1), 50.0), np.zeros(1), np.full(1, 100.0))
    order = np.random.default_rng(5).permutation(40)
    perm = BargainingInput(
        pos[:, order], sal[:, order], c[:, order], inp.status_quo, inp.lower, inp.upper
    )
    a, b = eum(inp), eum(perm)
    assert np.isfinite(a.final_position).all()
    np.testing.assert_allclose(b.final_position, a.final_position[:, order], atol=1e-6)
    np.testing.assert_array_equal(b.rounds, a.rounds)


def test_block_only_bounds_the_working_set():
    """Any block size, including one game at a time, gives the same numbers."""
    x, s, c = batch(9, 40, 6, grid=5)
    inp = BargainingInput(
        100 * x[:, :, None], s[:, :, None], c, np.full((40, 1), 50.0), np.zeros(1), np.full(1, 100.0)
    )
    ref = eum(inp)
    for block in (1, 3, 1000):
        out = eum(inp, block=block)
        np.testing.assert_array_equal(out.final_position, ref.final_position)
        np.testing.assert_array_equal(out.rounds, ref.rounds)
    assert eum_module.default_block(11) > 1000 and eum_module.default_block(1000) == 1
