"""The procedural (agenda-setter, win-set) model: hand-derived goldens and properties with rules.

The one-dimensional cases follow the setter analysis of Romer and Rosenthal as used by
Steunenberg (1994) and Tsebelis (2002, ch. 2): a member prefers ``y`` to the reversion point
``q`` when ``y`` lies between ``q`` and ``q``'s reflection in the member's ideal point; the
setter obtains its ideal when it lies in the win-set, otherwise the win-set's end nearest to it.
No published numeric example states every input we need, so each case is computed by hand in
its docstring.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model_helpers import affine, permute, random_input
from realpolitik.models.base import BargainingInput, DecisionRules
from realpolitik.models.procedural import procedural

PROPS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def one_issue(ideals, sq, weight, quota, setter):
    """Actors at ``ideals`` on 0-100, one body with ``weight`` and ``quota``, a setter."""
    n = len(ideals)
    pos = np.array(ideals, float).reshape(1, n, 1)
    rules = DecisionRules(weight=np.array(weight, float).reshape(1, -1, n),
                          quota=np.array(quota, float).reshape(1, -1),
                          body_rule=np.zeros(len(quota), int), issue_rule=np.array([0]),
                          setter=np.array([[setter]]))
    return BargainingInput(pos, np.ones((1, n, 1)), np.ones((1, n)), np.array([[float(sq)]]),
                           np.zeros(1), np.full(1, 100.0), rules=rules)


def test_setter_gets_the_pivots_reflection():
    """Ideals 20, 50, 90, status quo 30, majority of three, setter at 90.

    Prefer y > 30: 20 never; 50 up to 70; 90 up to 150. Two votes reach up to 70, so the
    win-set is (30, 70] and the setter, wanting 90, proposes 70.
    """
    inp = one_issue([20, 50, 90], 30, [[1, 1, 1]], [0.5], 2)
    assert procedural(inp).forecast[0, 0] == pytest.approx(70.0)


def test_setter_inside_the_winset_gets_its_ideal():
    """Same body, setter at 50 (the median): 50 lies in (30, 70], so 50."""
    inp = one_issue([20, 50, 90], 30, [[1, 1, 1]], [0.5], 1)
    assert procedural(inp).forecast[0, 0] == pytest.approx(50.0)


def test_unanimity_with_an_actor_on_the_far_side_keeps_the_status_quo():
    """Unanimity: the actor at 20 prefers nothing above 30, and nothing below 30 helps the setter."""
    inp = one_issue([20, 50, 90], 30, [[1, 1, 1]], [1.0], 2)
    assert procedural(inp).forecast[0, 0] == pytest.approx(30.0)
    assert not procedural(inp).extra["in_winset"][0, 0]


def test_weighted_quota_and_a_veto_player():
    """Ideals 35, 50, 90 with votes 3, 2, 2 and quota 5/7 (QMV-like); the actor at 50 is also a
    veto player (a body of its own). Status quo 30, setter at 90.

    Reflections of 30 in the ideals: 40, 70, 150. Up to 40 all 7 votes prefer ``y``; between
    40 and 70 only 4 (< 5): the council's win-set is (30, 40]. The veto player accepts up to 70.
    The setter gets 40.
    """
    inp = one_issue([35, 50, 90], 30, [[3, 2, 2], [0, 1, 0]], [5 / 7, 1.0], 2)
    assert procedural(inp).forecast[0, 0] == pytest.approx(40.0)


def test_amendments_give_the_floor_median():
    """With amendments the floor's weighted median (50) proposes; it lies in (30, 70]."""
    inp = one_issue([20, 50, 90], 30, [[1, 1, 1]], [0.5], 2)
    assert procedural(inp, amendments=True).forecast[0, 0] == pytest.approx(50.0)


def test_reversion_point_other_than_the_status_quo():
    """Reversion 0 (the status quo says 30): prefer y > 0 up to 40, 100, 180: majority to 100."""
    inp = one_issue([20, 50, 90], 30, [[1, 1, 1]], [0.5], 2)
    rules = inp.rules
    assert rules is not None
    rev = BargainingInput(inp.position, inp.salience, inp.capability, inp.status_quo, inp.lower,
                          inp.upper, rules=DecisionRules(rules.weight, rules.quota, rules.body_rule,
                                                         rules.issue_rule, rules.setter,
                                                         np.array([[0.0]])))
    assert procedural(rev).forecast[0, 0] == pytest.approx(90.0)


def test_two_issues_setter_gets_the_nearest_point_of_a_veto_players_disk():
    """Two issues decided together, equal saliences; reversion (0, 0), setter at (100, 0),
    a veto player at (0, 100). The veto player accepts the disk of radius 100 around its
    ideal; the setter's nearest point of it is (100/sqrt 2, 100 - 100/sqrt 2)."""
    pos = np.array([[[100.0, 0.0], [0.0, 100.0], [50.0, 50.0]]])
    rules = DecisionRules(weight=np.array([[[0, 1.0, 0]]]), quota=np.array([[1.0]]),
                          body_rule=np.array([0]), issue_rule=np.array([0, 0]),
                          setter=np.array([[0, 0]]))
    inp = BargainingInput(pos, np.ones((1, 3, 2)), np.ones((1, 3)), np.zeros((1, 2)),
                          np.zeros(2), np.full(2, 100.0), rules=rules)
    f = procedural(inp).forecast[0]
    np.testing.assert_allclose(f, [100 / np.sqrt(2), 100 - 100 / np.sqrt(2)], atol=1e-9)


def test_no_rules_default_is_a_capability_majority_with_the_strongest_proposing():
    """Without rules: capability votes, half needed, the strongest (c x s) proposes."""
    pos = np.array([[[20.0], [50.0], [90.0]]])
    inp = BargainingInput(pos, np.ones((1, 3, 1)), np.array([[1.0, 1.0, 3.0]]),
                          np.array([[30.0]]), np.zeros(1), np.full(1, 100.0))
    # votes 1, 1, 3 of 5: the actor at 90 alone holds 3 >= 2.5: the setter's own ideal passes
    assert procedural(inp).forecast[0, 0] == pytest.approx(90.0)


def random_rules(seed: int, inp: BargainingInput) -> DecisionRules:
    rng = np.random.default_rng(seed)
    b, n, d = inp.position.shape
    k = 2
    weight = rng.uniform(0, 5, (b, k, n)) * (rng.random((b, k, n)) < 0.8)
    quota = rng.choice([0.0, 0.5, 0.71, 1.0], size=(b, k))
    return DecisionRules(weight=weight, quota=quota, body_rule=np.zeros(k, int),
                         issue_rule=np.zeros(d, int), setter=rng.integers(0, n, (b, d)) * 0
                         + rng.integers(0, n, (b, 1)))


def with_rules(inp: BargainingInput, rules: DecisionRules) -> BargainingInput:
    return BargainingInput(inp.position, inp.salience, inp.capability, inp.status_quo, inp.lower,
                           inp.upper, inp.actor_ids, inp.issue_ids, rules)


def accepted(inp: BargainingInput, f: np.ndarray) -> np.ndarray:
    """Whether every body's quota of votes weakly prefers ``f`` to the status quo (B,)."""
    rules = inp.rules
    assert rules is not None
    x, sq = inp.normalised()
    y = (f - inp.lower) / (inp.upper - inp.lower)
    d_y = np.sum(inp.salience * (y[:, None, :] - x) ** 2, axis=2)
    d_q = np.sum(inp.salience * (sq[:, None, :] - x) ** 2, axis=2)
    ok = np.ones(inp.batch, bool)
    for k in range(rules.weight.shape[1]):
        w, q = rules.weight[:, k], rules.quota[:, k]
        votes = np.sum(w * (d_y <= d_q + 1e-9), axis=1)
        ok &= (q <= 0) | (votes >= q * w.sum(axis=1) * (1 - 1e-9))
    return ok


@PROPS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 6), d=st.integers(1, 3))
def test_outcome_lies_in_the_winset_and_the_setter_gains(seed, n, d):
    """The outcome is the status quo or a point every body accepts; the setter never loses."""
    inp = random_input(seed, batch=3, n=n, d=d)
    inp = with_rules(inp, random_rules(seed, inp))
    out = procedural(inp)
    f = np.asarray(out.forecast)
    moved = np.asarray(out.extra["in_winset"])[:, 0]
    np.testing.assert_allclose(f[~moved], inp.status_quo[~moved])
    assert accepted(inp, f)[moved].all()
    x, sq = inp.normalised()
    y = (f - inp.lower) / (inp.upper - inp.lower)
    setter = inp.rules.setter[:, 0]
    rows = np.arange(inp.batch)
    s = inp.salience[rows, setter]
    loss_y = np.sum(s * (y - x[rows, setter]) ** 2, axis=1)
    loss_q = np.sum(s * (sq - x[rows, setter]) ** 2, axis=1)
    assert (loss_y <= loss_q + 1e-12).all()


@PROPS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 6), d=st.integers(1, 2),
       a=st.floats(0.01, 100), b=st.floats(-1000, 1000))
def test_rules_relabelling_and_rescaling(seed, n, d, a, b):
    """Relabelling actors (their votes and the setter with them) and an affine scale change."""
    inp = random_input(seed, batch=2, n=n, d=d)
    inp = with_rules(inp, random_rules(seed, inp))
    f = np.asarray(procedural(inp).forecast)
    order = np.random.default_rng(seed).permutation(n)
    moved = permute(inp, order)
    moved = with_rules(moved, inp.rules.permuted(order))
    np.testing.assert_allclose(np.asarray(procedural(moved).forecast), f, atol=1e-7)
    scaled = with_rules(affine(inp, a, b), inp.rules)
    g = np.asarray(procedural(scaled).forecast)
    np.testing.assert_allclose((g - b) / a, f, atol=1e-7, rtol=1e-6)


def test_batch_elements_with_rules_are_independent():
    inp = random_input(3, batch=16, n=5, d=2)
    inp = with_rules(inp, random_rules(3, inp))
    full = np.asarray(procedural(inp).forecast)
    for k in (0, 7, 15):
        np.testing.assert_allclose(np.asarray(procedural(inp.take(k)).forecast)[0], full[k])


def test_ignoring_models_give_the_same_numbers_with_rules():
    """Rules on the input change nothing for a model that does not read them."""
    from realpolitik.models.registry import get_model

    inp = random_input(4, batch=3, n=5, d=2)
    ruled = with_rules(inp, random_rules(4, inp))
    for name in ("compromise", "median", "exchange"):
        spec = get_model(name)
        np.testing.assert_array_equal(spec.fn(inp, seed=1).forecast, spec.fn(ruled, seed=1).forecast)


def test_bad_setter_option():
    from realpolitik.errors import ModelError

    with pytest.raises(ModelError, match="setter"):
        procedural(random_input(1), setter="nobody")


def test_rules_on_the_torch_backend():
    """Rules (numpy) reach a torch input on its device; the numbers match numpy."""
    pytest.importorskip("torch")
    pytest.importorskip("array_api_compat")
    from realpolitik.runner import run_model

    inp = random_input(9, batch=8, n=5, d=2)
    inp = with_rules(inp, random_rules(9, inp))
    for params in ({}, {"amendments": True}):
        a = np.asarray(run_model("procedural", inp, params=params).forecast)
        b = np.asarray(run_model("procedural", inp, backend="torch", device="cpu",
                                 params=params).forecast)
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)
