"""The exchange model (Stokman and Van Oosten 1994): hand-derived goldens and properties.

Each golden is computed by hand in its docstring from the rules in
:mod:`realpolitik.models.exchange` (positions as shares of the 0-100 scale).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model_helpers import random_input
from realpolitik.models.base import BargainingInput
from realpolitik.models.compromise import compromise
from realpolitik.models.exchange import exchange

PROPS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def make(pos, sal, cap=None, sq=(50.0, 50.0)):
    pos = np.array(pos, float)[None]
    n, d = pos.shape[1], pos.shape[2]
    cap = np.ones((1, n)) if cap is None else np.array(cap, float)[None]
    return BargainingInput(pos, np.array(sal, float)[None], cap, np.array([sq], float),
                           np.zeros(d), np.full(d, 100.0))


def test_symmetric_exchange():
    """A at (100, 100) with saliences (0.8, 0.2); B at (0, 0) with (0.2, 0.8); capabilities 1.

    Outcomes: O_k = 0.8, O_l = 0.2. A cares relatively more about k (0.8 * 0.8 > 0.2 * 0.2).
    B can move O_k toward A by at most 0.2 * 0.8 = 0.16 (shifting its vote to O_k); A can move
    O_l by 0.2 * 0.8 = 0.16. Rate (0.8 + 0.2) / (0.2 + 0.8) = 1: u = v = 0.16, each gains
    0.8 * 0.16 - 0.2 * 0.16 = 0.096. Outcomes 96 and 4; B votes 80 on k, A votes 20 on l.
    """
    out = exchange(make([[100, 100], [0, 0]], [[0.8, 0.2], [0.2, 0.8]]))
    np.testing.assert_allclose(out.forecast[0], [96.0, 4.0])
    np.testing.assert_allclose(out.final_position[0], [[100, 20], [80, 0]])
    assert int(out.extra["exchanges"][0]) == 1


def test_exchange_rate_gives_equal_gains():
    """A at (100, 100), saliences (0.9, 0.3); B at (0, 0), saliences (0.1, 0.6).

    W_k = 1.0, O_k = 0.9; W_l = 0.9, O_l = 1/3. B's room on k: 0.1 * 0.9 / 1 = 0.09; A's room
    on l: 0.3 * (2/3) / 0.9 = 2/9. Rate (0.9 + 0.1) / (0.3 + 0.6) = 10/9, so u = min(0.09,
    (2/9) / (10/9) = 0.2) = 0.09 and v = 0.1. Gains: A 0.9 * 0.09 - 0.3 * 0.1 = 0.051,
    B 0.6 * 0.1 - 0.1 * 0.09 = 0.051. Outcomes 99 and 100/3 - 10.
    """
    out = exchange(make([[100, 100], [0, 0]], [[0.9, 0.3], [0.1, 0.6]]))
    np.testing.assert_allclose(out.forecast[0], [99.0, 100 / 3 - 10.0])


def test_same_relative_interest_means_no_exchange():
    """Equal salience ratios: nobody gains, the forecast is the compromise model's."""
    inp = make([[100, 100], [0, 0], [40, 70]], [[0.5, 0.5], [0.3, 0.3], [0.2, 0.2]])
    out = exchange(inp)
    np.testing.assert_allclose(out.forecast, compromise(inp).forecast)
    assert int(out.extra["exchanges"][0]) == 0


def test_a_position_is_used_once_and_the_larger_gain_goes_first():
    """A (100, 100) keen on k could trade with B (0, 0) or C (0, 0); both want l more.

    Saliences A (0.8, 0.2), B (0.2, 0.8), C (0.1, 0.4). Both trades use A's vote on l, so only
    the larger one happens (B's: B's vote weighs more), and only one exchange is made.
    """
    inp = make([[100, 100], [0, 0], [0, 0]], [[0.8, 0.2], [0.2, 0.8], [0.1, 0.4]])
    out = exchange(inp)
    assert int(out.extra["exchanges"][0]) == 1
    final = out.final_position[0]
    assert final[2, 0] == 0.0 and final[1, 0] > 0.0  # B moved on k, C did not


def test_one_issue_is_the_compromise_model():
    inp = random_input(3, batch=4, n=5, d=1)
    np.testing.assert_allclose(exchange(inp).forecast, compromise(inp).forecast)


@PROPS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 6), d=st.integers(2, 3))
def test_every_trader_gains_and_outcomes_stay_in_the_positions_hull(seed, n, d):
    """Exchanges move each outcome by at most the room the shifting actors had (toward the
    position of someone); the forecast stays between the lowest and highest position."""
    inp = random_input(seed, batch=3, n=n, d=d)
    f = np.asarray(exchange(inp).forecast)
    lo, hi = inp.position.min(axis=1), inp.position.max(axis=1)
    assert (f >= lo - 1e-9).all() and (f <= hi + 1e-9).all()
    final = np.asarray(exchange(inp).final_position)
    c = compromise(BargainingInput(final, inp.salience, inp.capability, inp.status_quo,
                                   inp.lower, inp.upper)).forecast
    np.testing.assert_allclose(f, c, atol=1e-9)


@pytest.mark.parametrize("seed", [1, 2])
def test_shifted_votes_move_toward_the_outcome_only(seed):
    """A shifted voting position moves toward the opening outcome and never past it."""
    inp = random_input(seed, batch=8, n=6, d=3)
    out = exchange(inp)
    o = compromise(inp).forecast
    x, y = inp.position, np.asarray(out.final_position)
    before = np.abs(x - o[:, None, :])
    after = np.abs(y - o[:, None, :])
    assert (after <= before + 1e-9).all()
    same_side = np.sign(y - o[:, None, :]) * np.sign(x - o[:, None, :]) >= 0
    assert (same_side | (after < 1e-9)).all()
