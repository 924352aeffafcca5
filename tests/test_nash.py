"""The asymmetric Nash bargaining solution: closed forms, scipy cross-checks and properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from model_helpers import affine, permute, random_input
from realpolitik.models.base import BargainingInput
from realpolitik.models.nash import nash
from realpolitik.models.registry import get_model

PROPS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def single(pos, sal, cap, sq, lower=0.0, upper=100.0) -> BargainingInput:
    """A batch of one: ``pos``/``sal`` are (n,) for one issue or (n, d)."""
    pos = np.asarray(pos, dtype=float)
    sal = np.asarray(sal, dtype=float)
    if pos.ndim == 1:
        pos, sal = pos[:, None], sal[:, None]
    n, d = pos.shape
    return BargainingInput(
        pos[None],
        sal[None],
        np.asarray(cap, dtype=float)[None],
        np.asarray(sq, dtype=float).reshape(1, d),
        np.full(d, float(lower)),
        np.full(d, float(upper)),
        tuple(f"a{i}" for i in range(n)),
        tuple(f"i{j}" for j in range(d)),
    )


def forecast(inp: BargainingInput) -> np.ndarray:
    return np.asarray(nash(inp).forecast)


def two_actor_nbs(x1: float, x2: float, w1: float, w2: float, q: float) -> float:
    """The 1-D NBS of two actors on the same side of the status quo, by hand.

    With quadratic loss the gain of actor i at x is (q - x_i)^2 - (x - x_i)^2 = y (2 r_i - y),
    where y = |x - q| is how far the outcome moves and r_i = |x_i - q|. Maximising
    w1 log(y(2r1 - y)) + w2 log(y(2r2 - y)) with w1 + w2 = 1 gives the first-order condition
    1/y = w1/(2r1 - y) + w2/(2r2 - y), i.e. y^2 - (r1 + r2 + w1 r2 + w2 r1) y + 2 r1 r2 = 0,
    whose smaller root is the solution (the larger one lies outside the rational set).
    """
    w1, w2 = w1 / (w1 + w2), w2 / (w1 + w2)
    r1, r2 = abs(x1 - q), abs(x2 - q)
    b = r1 + r2 + w1 * r2 + w2 * r1
    y = (b - math.sqrt(b * b - 8 * r1 * r2)) / 2
    side = 1.0 if x1 > q else -1.0
    return q + side * y


# ------------------------------------------------------------------------------------ golden
def test_two_actors_power_one_to_three():
    """Status quo 0, actors at 20 and 60 with power 1:3: the NBS is exactly 30.

    By hand (unit scale): y^2 - 1.1 y + 0.24 = 0, roots 0.3 and 0.8; 0.3 is inside the rational
    set [0, 0.4] of the actor at 20.
    """
    f = forecast(single([20, 60], [1, 1], [1, 3], [0]))
    np.testing.assert_allclose(f, [[30.0]], atol=1e-9)


def test_two_actors_equal_power():
    """Equal power at 20 and 60, status quo 0: y = (3(a+b) - sqrt(9(a+b)^2 - 32ab)) / 4."""
    a, b = 0.2, 0.6
    expected = 100 * (3 * (a + b) - math.sqrt(9 * (a + b) ** 2 - 32 * a * b)) / 4  # 25.3589...
    f = forecast(single([20, 60], [0.7, 0.7], [5, 5], [0]))
    np.testing.assert_allclose(f, [[expected]], atol=1e-9)
    assert abs(expected - 25.358983848622454) < 1e-12


def test_mirror_image_status_quo_at_the_top():
    """Reflecting the scale reflects the answer: status quo 100, actors 80 and 40, power 1:3: 70."""
    f = forecast(single([80, 40], [1, 1], [1, 3], [100]))
    np.testing.assert_allclose(f, [[70.0]], atol=1e-9)


def test_symmetric_two_actors_meet_halfway_on_two_issues():
    """Status quo (0, 0), actors at (50, 0) and (0, 50), equal power: each gains 2at - 2t^2
    along the diagonal, so the NBS is (25, 25)."""
    out = nash(single([[50, 0], [0, 50]], [[1, 1], [1, 1]], [1, 1], [0, 0]))
    np.testing.assert_allclose(np.asarray(out.forecast), [[25.0, 25.0]], atol=1e-9)
    np.testing.assert_allclose(out.extra["gain"], [[0.125, 0.125]], atol=1e-12)


def test_gridlock_when_actors_stand_on_both_sides():
    """One issue, status quo 40 between actors at 20 and 60: every move hurts someone (veto),
    so the status quo stands and the gridlock flag is set."""
    out = nash(single([20, 60], [1, 1], [1, 3], [40]))
    np.testing.assert_allclose(np.asarray(out.forecast), [[40.0]], atol=1e-9)
    assert bool(out.extra["gridlock"][0])
    assert not bool(np.asarray(out.extra["undefined"]).any())


def test_actor_at_the_status_quo_has_no_veto():
    """An actor standing at the status quo cannot gain and gets no weight; the other decides."""
    out = nash(single([0, 50], [1, 1], [10, 1], [0]))
    np.testing.assert_allclose(np.asarray(out.forecast), [[50.0]], atol=1e-9)
    np.testing.assert_allclose(out.extra["power"], [[0.0, 1.0]])


def test_nobody_can_gain_returns_the_status_quo_flagged():
    """Everyone at the status quo: the status quo, flagged undefined, no NaN."""
    out = nash(single([30, 30, 30], [1, 0.5, 0.2], [1, 2, 3], [30]))
    np.testing.assert_allclose(np.asarray(out.forecast), [[30.0]])
    assert bool(np.asarray(out.extra["undefined"]).all())
    assert not bool(out.extra["gridlock"][0])


def test_issue_nobody_cares_about_keeps_its_status_quo():
    """Zero salience on issue 2 for every actor: issue 2 stays at its status quo."""
    f = forecast(single([[20, 90], [60, 10]], [[1, 0], [1, 0]], [1, 3], [0, 45]))
    np.testing.assert_allclose(f, [[30.0, 45.0]], atol=1e-9)


def test_weak_second_actor_converges_to_the_closed_form():
    """Power 60:1, actors 6 points apart: the optimum to 1e-9 of the scale.

    Regression (hypothesis, CI): step lengths were once chosen by comparing sums of logs, whose
    rounding hid the last improvements; the solver stopped 1.1e-7 short of the closed form.
    """
    x1, x2 = 30.591021953532238, 36.625
    f = forecast(single([x1, x2], [1, 1], [0.6, 0.01], [0.0]))[0, 0]
    assert f == pytest.approx(two_actor_nbs(x1, x2, 0.6, 0.01, 0.0), abs=1e-9)


def test_far_status_quo_approaches_the_compromise_model():
    """Achen (2006): with the status quo far away the NBS is close to the weighted mean.

    Scale 0-1000, actors at 20 and 30 with power 1:3, status quo 1000: the weighted mean is 27.5;
    the exact NBS (closed form) is 27.538.
    """
    f = forecast(single([20, 30], [1, 1], [1, 3], [1000], upper=1000))[0, 0]
    assert f == pytest.approx(two_actor_nbs(20, 30, 1, 3, 1000), abs=1e-8)
    assert abs(f - 27.5) < 0.05


@PROPS
@given(
    x1=st.floats(1, 100),
    x2=st.floats(1, 100),
    w1=st.floats(0.01, 10),
    w2=st.floats(0.01, 10),
    flip=st.booleans(),
)
def test_two_actors_match_the_closed_form(x1, x2, w1, w2, flip):
    """Any two actors on one side of the status quo: the closed form above."""
    q = 0.0
    if flip:
        x1, x2, q = 100 - x1, 100 - x2, 100.0
    f = forecast(single([x1, x2], [1, 1], [w1, w2], [q]))[0, 0]
    assert f == pytest.approx(two_actor_nbs(x1, x2, w1, w2, q), abs=1e-7)


def _scipy_nbs(pos, sal, cap, sq) -> np.ndarray | None:
    """Maximise the weighted log Nash product with SLSQP (unit scale); None if no interior start."""
    w = cap * sal.mean(axis=1)
    pot = (sal * (pos - sq) ** 2).sum(axis=1)
    w = w / w.sum()

    def gain(x):
        return pot - (sal * (x - pos) ** 2).sum(axis=1)

    def objective(x):
        g = gain(x)
        return 1e10 if (g <= 0).any() else -(w * np.log(g)).sum()

    cons = [{"type": "ineq", "fun": (lambda x, i=i: gain(x)[i])} for i in range(len(pos))]
    best = None
    for x0 in (sq + 0.5 * (pos.mean(axis=0) - sq), sq + 0.01 * (pos.mean(axis=0) - sq)):
        if (gain(x0) <= 0).any():
            continue
        r = minimize(
            objective,
            x0,
            method="SLSQP",
            constraints=cons,
            options={"ftol": 1e-15, "maxiter": 1000},
        )
        if best is None or r.fun < best.fun:
            best = r
    return None if best is None else best.x


@pytest.mark.slow
def test_agrees_with_scipy_on_random_multi_issue_problems():
    """Independent check: SLSQP on the same problem (where it finds an interior start)."""
    rng = np.random.default_rng(11)
    checked = 0
    for _ in range(40):
        n, d = rng.integers(2, 6), rng.integers(2, 4)
        pos = rng.random((n, d))
        sal = rng.uniform(0.1, 1, (n, d))
        cap = rng.uniform(1, 10, n)
        # a status quo off to one side leaves room to bargain
        sq = rng.random(d) * 0.3
        pos = 0.3 + 0.7 * pos
        ref = _scipy_nbs(pos, sal, cap, sq)
        if ref is None:
            continue
        ours = forecast(single(100 * pos, sal, cap, 100 * sq))[0] / 100
        np.testing.assert_allclose(ours, ref, atol=2e-5)
        checked += 1
    assert checked >= 30


# -------------------------------------------------------------------------------- properties
@PROPS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 7), d=st.integers(1, 3))
def test_relabelling(seed, n, d):
    """Reordering actors changes nothing."""
    inp = random_input(seed, batch=3, n=n, d=d)
    order = np.random.default_rng(seed).permutation(n)
    np.testing.assert_allclose(forecast(permute(inp, order)), forecast(inp), atol=1e-7)


@pytest.mark.parametrize("direction_steps", [1000, 20000])
def test_relabelling_near_gridlock(direction_steps):
    """A batch element whose hull passes 1.4e-5 from the origin: same answer in either order.

    Regression (hypothesis seed 2185, n 7, d 3): Frank-Wolfe started at the first active actor,
    so in one order it had not found the room to bargain after 1,000 steps and declared
    gridlock (the status quo), 1e-3 away from the solution found in the other order.
    """
    inp = random_input(2185, batch=3, n=7, d=3)
    order = np.random.default_rng(2185).permutation(7)
    a = nash(inp, direction_steps=direction_steps)
    b = nash(permute(inp, order), direction_steps=direction_steps)
    np.testing.assert_allclose(np.asarray(a.forecast), np.asarray(b.forecast), atol=1e-7)
    assert not np.asarray(a.extra["gridlock"]).any()
    assert not np.asarray(b.extra["gridlock"]).any()


@PROPS
@given(seed=st.integers(0, 2**32 - 1), a=st.floats(0.01, 1000), b=st.floats(-1e4, 1e4))
def test_affine_rescaling_and_shift(seed, a, b):
    """On the scale a*x + b the forecast is a*f + b."""
    inp = random_input(seed, batch=3, n=4, d=2)
    f = forecast(inp)
    g = forecast(affine(inp, a, b))
    np.testing.assert_allclose((g - b) / a, f, atol=1e-6)


@PROPS
@given(seed=st.integers(0, 2**32 - 1))
def test_reversed_scale(seed):
    """Reading every scale backwards (x -> 100 - x) reflects the forecast."""
    inp = random_input(seed, batch=3, n=4, d=2)
    rev = BargainingInput(
        100 - inp.position,
        inp.salience,
        inp.capability,
        100 - inp.status_quo,
        inp.lower,
        inp.upper,
        inp.actor_ids,
        inp.issue_ids,
    )
    np.testing.assert_allclose(100 - forecast(rev), forecast(inp), atol=1e-6)


def test_batch_element_equals_sample_alone():
    """Element k of a batch equals sample k run alone (including gridlock and slow elements)."""
    inp = random_input(21, batch=200, n=6, d=3)
    full = forecast(inp)
    for k in (0, 5, 77, 199):
        np.testing.assert_allclose(full[k], forecast(inp.take(k))[0], rtol=1e-12, atol=1e-12)


@PROPS
@given(seed=st.integers(0, 2**32 - 1), d=st.integers(1, 3))
def test_solution_is_rational_and_never_nan(seed, d):
    """Every bargaining actor gains at least nothing; the answer is finite and on the scale."""
    inp = random_input(seed, batch=8, n=5, d=d)
    out = nash(inp)
    f = np.asarray(out.forecast)
    assert np.isfinite(f).all()
    assert (f >= inp.lower - 1e-9).all() and (f <= inp.upper + 1e-9).all()
    assert (np.asarray(out.extra["gain"]) >= -1e-12).all()
    assert np.asarray(out.extra["converged"]).all()


@pytest.mark.parametrize(
    "what",
    ["zero salience", "zero capability", "all at status quo", "all at one place", "one actor"],
)
def test_degenerate_inputs(what):
    """Degenerate inputs give finite answers: the status quo, or the common/sole position."""
    inp = random_input(3, batch=4, n=4, d=2)
    pos, sal, cap = inp.position.copy(), inp.salience.copy(), inp.capability.copy()
    sq = inp.status_quo
    expected = sq
    if what == "zero salience":
        sal[:] = 0
    elif what == "zero capability":
        cap[:] = 0
    elif what == "all at status quo":
        pos[:] = sq[:, None, :]
    elif what == "all at one place":
        pos[:] = np.array([30.0, 70.0])
        expected = np.broadcast_to([30.0, 70.0], sq.shape)
    else:
        pos, sal, cap = pos[:, :1], sal[:, :1], cap[:, :1]
        expected = pos[:, 0, :]
    out = nash(BargainingInput(pos, sal, cap, sq, inp.lower, inp.upper))
    f = np.asarray(out.forecast)
    assert np.isfinite(f).all()
    np.testing.assert_allclose(f, expected, atol=1e-7)


def test_registered():
    """``get_model("nash")`` finds the model and its metadata."""
    spec = get_model("nash")
    assert spec.fn is nash
    assert "Nash (1950)" in spec.reference and "Kalai (1977)" in spec.reference
