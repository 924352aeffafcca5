"""Tests of Bueno de Mesquita's expected utility model (``eum``).

The golden example below is worked by hand from the formulas of Scholz, Calbert and Smith
(2011) as stated in ``docs/models/eum.md``; exact fractions where the risk exponent is 1.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction as Fr

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realpolitik.errors import ModelError
from realpolitik.models import eum as eum_module
from realpolitik.models.base import BargainingInput
from realpolitik.models.eum import (
    CAPITULATE,
    CAPITULATION,
    COMPROMISE,
    CONCEDE,
    CONFLICT,
    SPEC,
    STALEMATE,
    bargaining_round,
    classify,
    eum,
    expected_utility,
    risk_exponent,
    votes,
    win_probability,
)
from realpolitik.models.median import weighted_median
from realpolitik.models.registry import get_model
from realpolitik.presentation.traces import trace_dicts

PROPS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def one_issue(pos, sal, cap, sq=50.0, lo=0.0, hi=100.0, names=None) -> BargainingInput:
    pos = np.asarray(pos, float)[None, :, None]
    sal = np.asarray(sal, float)[None, :, None]
    cap = np.asarray(cap, float)[None, :]
    ids = tuple(names) if names else ()
    return BargainingInput(
        pos, sal, cap, np.array([[sq]]), np.array([lo]), np.array([hi]), ids, ("i",) if ids else ()
    )


def random_batch(seed: int, batch: int, n: int, d: int) -> BargainingInput:
    """Perturbed copies of one random scenario on [0, 100] (positions clipped to the scale)."""
    rng = np.random.default_rng(seed)
    pos = rng.uniform(0, 100, (n, d))
    sal = rng.uniform(0.05, 1.0, (n, d))
    cap = rng.uniform(1.0, 100.0, n)
    pos = np.clip(pos + rng.normal(0, 8, (batch, n, d)), 0, 100)
    sal = np.clip(sal + rng.normal(0, 0.1, (batch, n, d)), 0, 1)
    cap = np.clip(cap + rng.normal(0, 5, (batch, n)), 0, None)
    sq = rng.uniform(0, 100, (batch, d))
    return BargainingInput(
        pos, sal, cap, sq, np.zeros(d), np.full(d, 100.0),
        tuple(f"a{i}" for i in range(n)), tuple(f"i{j}" for j in range(d)),
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Golden example, worked by hand.
#
#   actor  position  unit x  capability c  salience s  weight w = c*s
#   a         20      0.2         4           0.25          1
#   b         40      0.4         2           1.00          2
#   c         80      0.8         3           0.50          1.5
#
# Distances on the unit scale: d_ab = 0.2, d_bc = 0.4, d_ac = 0.6.
# ---------------------------------------------------------------------------------------------
X = np.array([[0.2, 0.4, 0.8]])
C = np.array([[4.0, 2.0, 3.0]])
S = np.array([[0.25, 1.0, 0.5]])
W = C * S
A, B, CC = 0, 1, 2
EXAMPLE = one_issue([20, 40, 80], [0.25, 1.0, 0.5], [4, 2, 3], names=("a", "b", "c"))

# Votes v_k(i, j) = w_k (|x_k - x_j| - |x_k - x_i|), k's support for i over j:
#   a vs b: k=a: 1*(0.2 - 0)     = +0.2   k=b: 2*(0 - 0.2)     = -0.4   k=c: 1.5*(0.4 - 0.6) = -0.3
#   a vs c: k=a: 1*(0.6 - 0)     = +0.6   k=b: 2*(0.4 - 0.2)   = +0.4   k=c: 1.5*(0 - 0.6)   = -0.9
#   b vs c: k=a: 1*(0.6 - 0.2)   = +0.4   k=b: 2*(0.4 - 0)     = +0.8   k=c: 1.5*(0 - 0.4)   = -0.6
VOTES = {
    (A, B): (0.2, -0.4, -0.3),
    (A, CC): (0.6, 0.4, -0.9),
    (B, CC): (0.4, 0.8, -0.6),
}
# P_ij = positive votes / all votes in absolute value:
#   P_ab = 0.2 / 0.9 = 2/9      P_ac = 1.0 / 1.9 = 10/19      P_bc = 1.2 / 1.8 = 2/3
# and P_ji = 1 - P_ij.
P = {(A, B): Fr(2, 9), (A, CC): Fr(10, 19), (B, CC): Fr(2, 3)}
P.update({(j, i): 1 - p for (i, j), p in list(P.items())})
# With every r = 1 and Q = 1, U_s = 2d, U_f = -2d, U_sq = 0, so E_ij = 2 d (1 - 2 s_j (1 - P_ij)):
#   E_ab = 0.4 (1 - 2*1*(7/9))      = -2/9      E_ba = 0.4 (1 - 2*0.25*(2/9))  = 16/45
#   E_ac = 1.2 (1 - 2*0.5*(9/19))   = 12/19     E_ca = 1.2 (1 - 2*0.25*(10/19)) = 84/95
#   E_bc = 0.8 (1 - 2*0.5*(1/3))    = 8/15      E_cb = 0.8 (1 - 2*1*(2/3))     = -4/15
E1 = {
    (A, B): Fr(-2, 9), (B, A): Fr(16, 45), (A, CC): Fr(12, 19),
    (CC, A): Fr(84, 95), (B, CC): Fr(8, 15), (CC, B): Fr(-4, 15),
}  # fmt: skip
# Security of k's position, S_k = sum_j E_jk:
#   S_a = 16/45 + 84/95 = 212/171,  S_b = -2/9 - 4/15 = -22/45,  S_c = 12/19 + 8/15 = 332/285.
SEC = (Fr(212, 171), Fr(-22, 45), Fr(332, 285))
# R_i = (2 S_i - max S - min S) / (max S - min S): R_a = 1, R_b = -1,
#   R_c = (1992/855 - 1060/855 + 418/855) / (1478/855) = 675/739,
# r_i = (1 - R_i/3) / (1 + R_i/3): r_a = 1/2, r_b = 2, r_c = (514/739)/(964/739) = 257/482.
R_EXP = (Fr(1, 2), Fr(2), Fr(257, 482))


def eu_by_hand(i: int, j: int, r: float) -> float:
    """E_ij with exponent r, Q = 1: U_s - s_j (1 - P_ij)(U_s - U_f) - U_sq (see the docs)."""
    d = abs(float(X[0, i] - X[0, j]))
    us = 2 - 4 * (0.5 - 0.5 * d) ** r
    uf = 2 - 4 * (0.5 + 0.5 * d) ** r
    usq = 2 - 4 * 0.5**r
    return us - float(S[0, j]) * (1 - float(P[i, j])) * (us - uf) - usq


# With the risk exponents, for example (a is risk acceptant, r_a = 1/2):
#   E_ab = (2 - 4 sqrt(0.4)) - (7/9)(4 sqrt(0.6) - 4 sqrt(0.4)) - (2 - 4 sqrt(0.5)) = -0.143612
#   b (r_b = 2) against a: U_s = 2 - 4*0.4^2 = 1.36, U_f = 2 - 4*0.6^2 = 0.56, U_sq = 1,
#   E_ba = 1.36 - 0.25*(2/9)*0.8 - 1 = 71/225 = 0.315556; and a's estimate of it (r_a = 1/2)
#   is 0.267018. The table (row = challenger, own view | as the target sees it):
#     E_ab  -0.143612 | -0.262222     E_ac  0.615897 | 0.628835
#     E_ba   0.315556 |  0.267018     E_bc  0.373333 | 0.458669
#     E_ca   0.824152 |  0.804197     E_cb -0.142428 | -0.426667
OWN = {(A, B): -0.143612, (A, CC): 0.615897, (B, A): 0.315556, (B, CC): 0.373333,
       (CC, A): 0.824152, (CC, B): -0.142428}  # fmt: skip
SEEN = {(A, B): -0.262222, (A, CC): 0.628835, (B, A): 0.267018, (B, CC): 0.458669,
        (CC, A): 0.804197, (CC, B): -0.426667}  # fmt: skip


def test_votes_and_win_probability():
    """Votes and P_ij of the worked example (P_ab = 2/9, P_ac = 10/19, P_bc = 2/3)."""
    v = votes(X, W, np)
    for (i, j), expected in VOTES.items():
        np.testing.assert_allclose(v[0, :, i, j], expected, atol=1e-12)
        np.testing.assert_allclose(v[0, :, j, i], [-e for e in expected], atol=1e-12)
    p = win_probability(X, W, np)
    for (i, j), expected in P.items():
        assert p[0, i, j] == pytest.approx(float(expected), abs=1e-12)
    # the positive-vote formula, straight from the votes
    pos = np.sum(np.maximum(v, 0), axis=1) / np.maximum(np.sum(np.abs(v), axis=1), 1e-300)
    off = ~np.eye(3, dtype=bool)
    np.testing.assert_allclose(p[0][off], pos[0][off], atol=1e-12)


def test_median_security_and_risk_exponents():
    """Weighted median 40 (b); security S and exponents r_a = 1/2, r_b = 2, r_c = 257/482."""
    # weights 1, 2, 1.5 (total 4.5): cumulative 1, 3 reaches 2.25 at b; from above 1.5, 3.5 at b.
    med, undefined = weighted_median(X[:, :, None], W[:, :, None], np)
    assert med[0, 0] == pytest.approx(0.4) and not undefined[0, 0]
    p = win_probability(X, W, np)
    e1 = expected_utility(X, S, p, None, np.array([0.4]), q=1.0, t=1.0, xp=np)
    for (i, j), expected in E1.items():
        assert e1[0, i, j] == pytest.approx(float(expected), abs=1e-12)
    np.testing.assert_allclose(e1[0].sum(axis=0), [float(x) for x in SEC], atol=1e-12)
    r = risk_exponent(e1, np)
    np.testing.assert_allclose(r[0], [float(x) for x in R_EXP], atol=1e-12)


def test_expected_utilities_from_both_perspectives():
    """E_ij with the challenger's exponent and with the target's match the hand table."""
    res = bargaining_round(X, C, S, xp=np)
    r = [float(x) for x in R_EXP]
    for (i, j), expected in OWN.items():
        assert res.eu_own[0, i, j] == pytest.approx(eu_by_hand(i, j, r[i]), abs=1e-12)
        assert res.eu_own[0, i, j] == pytest.approx(expected, abs=1e-6)
    for (i, j), expected in SEEN.items():
        assert res.eu_seen_by_target[0, i, j] == pytest.approx(eu_by_hand(i, j, r[j]), abs=1e-12)
        assert res.eu_seen_by_target[0, i, j] == pytest.approx(expected, abs=1e-6)
    assert res.eu_own[0, B, A] == pytest.approx(71 / 225, abs=1e-12)


def test_classifications_offers_and_moves():
    """Who challenges whom, how each side sees it, which offer each actor takes, where it goes."""
    res = bargaining_round(X, C, S, xp=np)
    code = res.classification(np)[0]
    # a's view: E_ab < 0 < a's estimate of E_ba = 0.267 and 0.144 < 0.267: a compromises with b;
    #           E_ac = 0.616 > 0 and a's estimate of E_ca = 0.804 > 0: conflict with c.
    # b's view: E_ba = 0.316 > 0, b's estimate of E_ab = -0.262 and 0.262 < 0.316: a compromises;
    #           E_bc = 0.373 > 0, b's estimate of E_cb = -0.427 and 0.427 >= 0.373: c capitulates.
    # c's view: E_ca = 0.824, c's estimate of E_ac = 0.629: conflict with a;
    #           E_cb < 0 < c's estimate of E_bc = 0.459, 0.142 < 0.459: c compromises with b.
    # So b and c see their pair differently (capitulation vs compromise).
    expected = np.array(
        [
            [STALEMATE, CONCEDE, CONFLICT],
            [COMPROMISE, STALEMATE, CAPITULATION],
            [CONFLICT, CONCEDE, STALEMATE],
        ]
    )
    np.testing.assert_array_equal(code, expected)
    # Offers, judged by the receiver: a heeds b (0.267 > 0 >= -0.144, compromise) and c (conflict
    # it loses: 0.804 > 0.616); c heeds b (0.459 > 0 >= -0.142); b heeds nobody.
    offers = np.array([[False, False, False], [True, False, True], [True, False, False]])
    np.testing.assert_array_equal(res.offer[0], offers)
    # a: b's compromise asks 0.144/0.267 = 0.5378 of the way to 0.4: 0.2 + 0.2*0.5378 = 0.30757;
    #    c's (conflict) asks a to go all the way to 0.8. a takes the smaller move: b's.
    # c: b's compromise asks 0.142/0.459 = 0.3105 of the way: 0.8 - 0.4*0.3105 = 0.67579.
    share_a = 0.143612 / 0.267018
    share_c = 0.142428 / 0.458669
    assert res.target[0, B, A] == pytest.approx(0.2 + 0.2 * share_a, abs=1e-5)
    assert res.target[0, CC, A] == pytest.approx(0.8)
    accepted = np.array([[False, False, False], [True, False, True], [False, False, False]])
    np.testing.assert_array_equal(res.accepted[0], accepted)
    np.testing.assert_allclose(
        res.position[0], [0.2 + 0.2 * share_a, 0.4, 0.8 - 0.4 * share_c], atol=1e-5
    )
    # The most-credible rule: a takes c's offer instead (E_ca seen by a, 0.804 > 0.267).
    cred = bargaining_round(X, C, S, offer_rule="credible", xp=np)
    assert cred.position[0, A] == pytest.approx(0.8)


def test_trace_of_the_worked_example():
    """Round 1 of the trace: positions on the scale and the events, in the documented format."""
    out = eum(EXAMPLE, trace=True)
    trace = trace_dicts(out.trace, EXAMPLE)
    first = trace[0]
    assert first == {
        "round": 0,
        "issue": "i",
        "positions": {"a": 20.0, "b": 40.0, "c": 80.0},
        "median": 40.0,
        "events": [],
    }
    one = trace[1]
    assert one["round"] == 1 and one["issue"] == "i"
    assert one["positions"]["a"] == pytest.approx(30.757, abs=1e-3)
    assert one["positions"]["c"] == pytest.approx(67.579, abs=1e-3)
    assert one["events"] == [
        "a challenges c (conflict)",
        "b challenges a (compromise)",
        "b challenges c (capitulation)",
        "c challenges a (conflict)",
        "a accepts offer from b: 20.0 -> 30.8",
        "c accepts offer from b: 80.0 -> 67.6",
    ]
    assert [t["round"] for t in trace] == list(range(int(out.rounds[0]) + 1))
    last = trace[-1]["positions"]
    np.testing.assert_allclose(list(last.values()), out.final_position[0, :, 0])


def test_worked_example_end_to_end():
    """The whole run: settles, ends near b's position, forecast is the median of final positions."""
    out = eum(EXAMPLE, tol=1e-6, max_rounds=2000)
    assert bool(out.extra["converged"][0])
    final = out.final_position[0, :, 0]
    assert np.all(np.abs(final - 40.0) < 0.5)
    med, _ = weighted_median(
        out.final_position, EXAMPLE.capability[:, :, None] * EXAMPLE.salience, np
    )
    assert out.forecast[0, 0] == pytest.approx(med[0, 0])


def test_classify_all_codes():
    """classify() on given expected utilities, including a stalemate (neither challenges)."""
    own = np.array([[[0.0, 0.5, 0.4, -0.1, -0.3, -0.2]]])
    other = np.array([[[0.0, 0.3, -0.1, -0.2, 0.2, 0.6]]])
    code = classify(own, other, 1e-9, np)
    assert code[0, 0].tolist() == [STALEMATE, CONFLICT, COMPROMISE, STALEMATE, CAPITULATE, CONCEDE]
    code2 = classify(np.array([[[0.3]]]), np.array([[[-0.3]]]), 1e-9, np)
    assert int(code2[0, 0, 0]) == CAPITULATION


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------
@PROPS
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 7),
    d=st.integers(1, 2),
    q=st.sampled_from([1.0, 0.5]),
)
def test_relabelling_actors_permutes_positions(seed, n, d, q):
    """Permuting the actors permutes the final positions; forecast and rounds are unchanged."""
    inp = random_batch(seed, 3, n, d)
    order = np.random.default_rng(seed).permutation(n)
    perm = BargainingInput(
        inp.position[:, order], inp.salience[:, order], inp.capability[:, order],
        inp.status_quo, inp.lower, inp.upper,
    )  # fmt: skip
    a, b = eum(inp, q=q), eum(perm, q=q)
    np.testing.assert_allclose(b.final_position, a.final_position[:, order], atol=1e-6)
    np.testing.assert_allclose(b.forecast, a.forecast, atol=1e-6)
    np.testing.assert_array_equal(b.rounds, a.rounds)


@PROPS
@given(
    seed=st.integers(0, 2**32 - 1),
    scale=st.floats(0.01, 1000),
    shift=st.floats(-1e4, 1e4),
    q=st.sampled_from([1.0, 0.5]),
)
def test_affine_change_of_scale(seed, scale, shift, q):
    """On the scale a*x + b (bounds moved too) final positions and forecast map the same way."""
    inp = random_batch(seed, 3, 5, 2)
    moved = BargainingInput(
        scale * inp.position + shift, inp.salience, inp.capability, scale * inp.status_quo + shift,
        scale * inp.lower + shift, scale * inp.upper + shift,
    )  # fmt: skip
    a, b = eum(inp, q=q), eum(moved, q=q)
    # round-off of a*x + b (up to |b|/a = 1e6 times the scale) may shift a compromise slightly
    np.testing.assert_allclose((b.final_position - shift) / scale, a.final_position, atol=1e-4)
    np.testing.assert_allclose((b.forecast - shift) / scale, a.forecast, atol=1e-4)
    np.testing.assert_array_equal(b.rounds, a.rounds)


@pytest.mark.slow
def test_batch_elements_equal_samples_alone():
    """Element k of a batch of 300 perturbations equals sample k alone, in any block size."""
    inp = random_batch(11, 300, 6, 2)
    full = eum(inp)
    for k in (0, 1, 57, 150, 299):
        alone = eum(inp.take(k))
        np.testing.assert_array_equal(full.final_position[k], alone.final_position[0])
        np.testing.assert_array_equal(full.rounds[k], alone.rounds[0])
    for block in (7, 64):
        other = eum(inp, block=block)
        np.testing.assert_array_equal(other.final_position, full.final_position)
        np.testing.assert_array_equal(other.rounds, full.rounds)
    rev = inp.take(slice(None, None, -1))
    np.testing.assert_array_equal(eum(rev).final_position, full.final_position[::-1])
    # the batch really varies and the rounds really differ between elements
    assert np.unique(full.rounds).size > 3


# ---------------------------------------------------------------------------------------------
# Degenerate inputs
# ---------------------------------------------------------------------------------------------
def finite(out) -> None:
    for arr in (out.forecast, out.final_position, out.extra["mean"]):
        assert np.isfinite(arr).all()


def test_all_at_one_position_nobody_moves():
    """Everyone at one position: nothing to challenge, settles in round 1, forecast that position."""
    inp = one_issue([30, 30, 30, 30], [0.5, 0.2, 1, 0], [1, 2, 3, 4])
    out = eum(inp, trace=True)
    finite(out)
    assert out.forecast[0, 0] == 30.0 and int(out.rounds[0]) == 1
    np.testing.assert_array_equal(out.final_position[0, :, 0], 30.0)
    assert out.trace[1].events == ()
    assert trace_dicts(out.trace, inp)[1]["events"] == []


@pytest.mark.parametrize("what", ["salience", "capability"])
def test_zero_weights(what):
    """Zero salience (capability) everywhere: no NaN, forecast = status quo, flagged undefined."""
    sal = [0.0] * 4 if what == "salience" else [0.5, 0.2, 1.0, 0.7]
    cap = [0.0] * 4 if what == "capability" else [1, 2, 3, 4]
    out = eum(one_issue([10, 35, 60, 90], sal, cap, sq=42.0))
    finite(out)
    assert out.forecast[0, 0] == 42.0 and bool(out.extra["undefined"][0, 0])


@pytest.mark.parametrize("n", [1, 2])
def test_one_and_two_actors(n):
    """One or two actors: finite results inside the scale."""
    out = eum(one_issue([20, 70][:n], [0.6, 0.9][:n], [3, 1][:n]))
    finite(out)
    assert np.all((out.final_position >= 0) & (out.final_position <= 100))


def test_round_off_does_not_separate_actors_at_one_position():
    """Two actors 1e-13 apart count as one position, as if exactly together (here with Q < 1).

    With Q < 1 the expected utility of challenging does not vanish as x_j -> x_i, so without
    the tolerance a shift of the scale (which rounds positions) could change the play.
    """
    pos = np.array([16.0, 16.0, 60.0, 55.0])
    near = pos.copy()
    near[1] += 1e-13
    args = ([0.8, 0.9, 0.5, 0.6], [3, 2, 4, 4])
    a = eum(one_issue(pos, *args), q=0.5)
    b = eum(one_issue(near, *args), q=0.5)  # without the tolerance: 39 points apart at the end
    np.testing.assert_allclose(b.final_position, a.final_position, atol=1e-9)


def test_positions_outside_the_scale_stay_finite():
    """Positions beyond the scale (a user's perturbation) give finite numbers, never NaN."""
    out = eum(one_issue([-50, 20, 160], [0.5, 0.9, 0.4], [1, 2, 1]))
    finite(out)


def test_extreme_and_zero_values_in_a_batch():
    """Zero salience for some, zero capability for others, equal positions: all finite."""
    inp = random_batch(3, 40, 5, 2)
    pos, sal, cap = inp.position.copy(), inp.salience.copy(), inp.capability.copy()
    sal[:10] = 0.0
    cap[10:20] = 0.0
    pos[20:30] = 50.0
    sal[30:, :2] = 1.0
    pos[30:, 3] = 0.0
    pos[30:, 4] = 100.0
    out = eum(BargainingInput(pos, sal, cap, inp.status_quo, inp.lower, inp.upper))
    finite(out)


# ---------------------------------------------------------------------------------------------
# Interface
# ---------------------------------------------------------------------------------------------
def test_registry_and_spec():
    """Registered as eum (alias bdm), iterative, with a trace and the references."""
    assert get_model("bdm") is get_model("eum")
    assert get_model("eum").fn is eum
    assert SPEC.iterative and SPEC.supports_trace and not SPEC.stochastic
    assert "Scholz" in SPEC.reference and "1994" in SPEC.reference


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_rounds": 0},
        {"tol": 0.0},
        {"q": 1.5},
        {"t": -0.1},
        {"offer_rule": "best"},
        {"block": 0},
    ],
)
def test_bad_parameters(kwargs):
    """Bad parameters raise ModelError with the name of the parameter."""
    with pytest.raises(ModelError, match=next(iter(kwargs))):
        eum(EXAMPLE, **kwargs)


def test_rounds_and_convergence_flags():
    """max_rounds bounds the rounds; elements that did not settle are flagged."""
    inp = random_batch(5, 20, 6, 2)
    out = eum(inp, max_rounds=3, tol=1e-9)
    assert out.rounds.shape == (20,) and out.rounds.max() <= 3
    assert out.extra["rounds_by_issue"].shape == (20, 2)
    assert not out.extra["converged"].all()
    slow = eum(inp, max_rounds=400)
    assert np.all(slow.rounds == slow.extra["rounds_by_issue"].max(axis=1))


def test_trace_format_on_several_issues():
    """One record per round per issue for element 0; events match the documented patterns."""
    inp = random_batch(8, 4, 5, 2)
    out = eum(inp, trace=True)
    trace = trace_dicts(out.trace, inp)
    rounds = out.extra["rounds_by_issue"][0]
    issues = [t["issue"] for t in trace]
    assert issues == ["i0"] * (int(rounds[0]) + 1) + ["i1"] * (int(rounds[1]) + 1)
    pattern = re.compile(
        r"^(a\d) challenges (a\d) \((conflict|compromise|capitulation)\)$"
        r"|^(a\d) accepts offer from (a\d)( and a\d)*: -?\d+\.\d -> -?\d+\.\d$"
    )
    for record in trace:
        assert set(record) == {"round", "issue", "positions", "median", "events"}
        assert list(record["positions"]) == list(inp.actor_ids)
        for event in record["events"]:
            assert pattern.match(event), event
    assert eum(inp).trace is None


def test_torch_backend_matches_numpy():
    """The same code on torch (CPU) gives the numpy numbers."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("array_api_compat")
    inp = random_batch(4, 30, 5, 2)
    t = BargainingInput(
        *(torch.asarray(a) for a in (inp.position, inp.salience, inp.capability,
                                      inp.status_quo, inp.lower, inp.upper)),
    )  # fmt: skip
    a, b = eum(inp), eum(t)
    np.testing.assert_allclose(b.final_position.numpy(), a.final_position, atol=1e-7)
    np.testing.assert_array_equal(b.rounds.numpy(), a.rounds)


def test_module_names_the_references():
    """The module docstring cites the three sources."""
    doc = eum_module.__doc__ or ""
    for ref in ("Scholz", "1994", "Predicting Politics"):
        assert ref in doc
    assert math.isclose(float(R_EXP[2]), 257 / 482)
