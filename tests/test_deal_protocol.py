"""The alternating-offers protocol and the negotiators' strategies."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.deal.protocol import (
    AGREEMENT,
    BROKEN,
    TIMED_OUT,
    Strategy,
    alternating_offers,
    get_strategy,
    target_utility,
)
from realpolitik.deal.solutions import pareto_mask
from realpolitik.errors import RealpolitikError


def split(grid: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Divide-the-dollar on a grid: package x in [0, 1], u_a = x, u_b = 1 - x."""
    x = np.linspace(0.0, 1.0, grid)
    return x, x[None, :], 1.0 - x[None, :]


def linear_meeting(ra: float, rb: float, deadline: int, opener: int, grid: int):
    """Closed form of two linear concession strategies on the split (no simulation).

    In round t the proposer p has target 1 - (1 - r_p) t/T and, on the grid, offers the
    package nearest above it for itself: u_p = ceil_G(1 - (1 - r_p) t/T), leaving the responder
    1 - u_p. The responder q accepts iff that is at least what its own next offer would give it,
    ceil_G(1 - (1 - r_q)(t+1)/T) (at t = T: at least r_q). Returns (round, x) or None.
    """
    def ceil_grid(u: float) -> float:
        steps = grid - 1
        return math.ceil(u * steps - 1e-9) / steps

    r = (ra, rb)
    for t in range(deadline + 1):
        p = (opener + t) % 2
        q = 1 - p
        u_p = ceil_grid(1 - (1 - r[p]) * t / deadline)
        u_q_offer = 1 - u_p
        need = r[q] if t == deadline else ceil_grid(1 - (1 - r[q]) * (t + 1) / deadline)
        if u_q_offer >= need - 1e-9:
            return t, (u_p if p == 0 else 1 - u_p)
    return None


def test_two_linear_negotiators_meet_in_the_middle():
    """Symmetric split, T = 10: they meet at x = 1/2 in round 5 (the Nash point of the split)."""
    x, ua, ub = split(101)
    out = alternating_offers(ua, ub, np.zeros(1), np.zeros(1), ("linear", "linear"), 10, 0)
    assert out.status[0] == AGREEMENT
    assert out.round[0] == 5
    assert x[out.agreement[0]] == pytest.approx(0.5)


@pytest.mark.parametrize(("ra", "rb", "deadline", "opener"), [
    (0.0, 0.0, 10, 0), (0.2, 0.0, 10, 0), (0.2, 0.0, 10, 1), (0.1, 0.3, 17, 0),
    (0.25, 0.25, 8, 1), (0.4, 0.1, 25, 1),
])
def test_linear_negotiators_meet_at_the_closed_form_point(ra, rb, deadline, opener):
    """Round and package of agreement match the closed form on a 1/1000 grid."""
    x, ua, ub = split(1001)
    out = alternating_offers(ua, ub, np.array([ra]), np.array([rb]), ("linear", "linear"),
                             deadline, opener)
    expected = linear_meeting(ra, rb, deadline, opener, 1001)
    assert expected is not None
    assert out.status[0] == AGREEMENT
    assert out.round[0] == expected[0]
    assert x[out.agreement[0]] == pytest.approx(expected[1], abs=1e-12)


@pytest.mark.parametrize(("ra", "rb"), [(0.0, 0.0), (0.3, 0.0), (0.1, 0.4)])
def test_linear_meeting_point_in_the_continuous_limit(ra, rb):
    """With many rounds the targets cross at tau* = 1 / (2 - ra - rb), so party a gets
    u_a* = 1 - (1 - ra) tau* = (1 - rb) / (2 - ra - rb): each concedes in proportion to its
    range (1 - r), and the gains over the reserved values are in the ratio (1 - ra) : (1 - rb)."""
    x, ua, ub = split(4001)
    deadline = 400
    out = alternating_offers(ua, ub, np.array([ra]), np.array([rb]), ("linear", "linear"),
                             deadline, 0)
    tau = 1.0 / (2.0 - ra - rb)
    assert out.status[0] == AGREEMENT
    assert x[out.agreement[0]] == pytest.approx((1 - rb) / (2 - ra - rb), abs=2.0 / deadline)
    assert out.round[0] / deadline == pytest.approx(tau, abs=2.0 / deadline)


def test_boulware_gets_more_than_conceder():
    """A Boulware negotiator facing a conceder gets more than in linear-vs-linear."""
    x, ua, ub = split(201)
    zero = np.zeros(1)
    even = alternating_offers(ua, ub, zero, zero, ("linear", "linear"), 20, 0)
    hard = alternating_offers(ua, ub, zero, zero, ("boulware", "conceder"), 20, 0)
    soft = alternating_offers(ua, ub, zero, zero, ("conceder", "boulware"), 20, 0)
    assert x[hard.agreement[0]] > x[even.agreement[0]] > x[soft.agreement[0]]


def test_time_dependent_targets_follow_faratin():
    """u(t) = u_max - (u_max - r) (t/T)^(1/e): Boulware stays high, conceder drops early."""
    umax, r = np.array([1.0]), np.array([0.2])
    none = np.zeros(1)
    for name in ("boulware", "linear", "conceder"):
        s = get_strategy(name)
        assert target_utility(s, 0.0, umax, r, none)[0] == pytest.approx(1.0)
        assert target_utility(s, 1.0, umax, r, none)[0] == pytest.approx(0.2)
        assert target_utility(s, 0.5, umax, r, none)[0] == pytest.approx(1 - 0.8 * 0.5 ** (1 / s.e))
    half = [target_utility(get_strategy(n), 0.5, umax, r, none)[0]
            for n in ("boulware", "linear", "conceder")]
    assert half[0] > half[1] > half[2]


def test_tit_for_tat_deadlocks_against_itself():
    """Tit-for-tat never concedes first: two of them time out at the deadline (where the last
    offer, each side's best, leaves the responder below its reserved value)."""
    _, ua, ub = split(101)
    r = np.array([0.1])
    out = alternating_offers(ua, ub, r, r, ("tit-for-tat", "tit-for-tat"), 12, 0)
    assert out.status[0] == TIMED_OUT and out.round[0] == 12
    assert np.all(out.agreement == -1)


def test_tit_for_tat_reciprocates_concessions():
    """Against a linear negotiator, tit-for-tat concedes as much and they agree near 1/2."""
    x, ua, ub = split(201)
    out = alternating_offers(ua, ub, np.zeros(1), np.zeros(1), ("linear", "tit-for-tat"), 20, 0)
    assert out.status[0] == AGREEMENT
    assert 0.35 <= x[out.agreement[0]] <= 0.65


def test_broken_when_no_package_reaches_a_reserved_value():
    """A party whose reserved value beats every package ends the talks in round 0."""
    _, ua, ub = split(11)
    out = alternating_offers(ua, ub, np.array([1.5]), np.array([0.0]), ("linear", "linear"), 5)
    assert out.status[0] == BROKEN and out.round[0] == 0 and out.agreement[0] == -1


def test_timed_out_without_a_zone_of_agreement():
    """Reserved values that sum above the pie: no package is acceptable to both, no deal."""
    _, ua, ub = split(101)
    out = alternating_offers(ua, ub, np.array([0.6]), np.array([0.6]), ("linear", "conceder"), 9)
    assert out.status[0] == TIMED_OUT and out.round[0] == 9


def test_deadline_one_round_trip():
    """With T = 1, b rejects a's opening offer (it would rather offer its reserved value 0.3
    next) and offers x = 0.7 in round 1, which a accepts: the last offer beats a's reserve."""
    x, ua, ub = split(11)
    out = alternating_offers(ua, ub, np.zeros(1), np.array([0.3]), ("linear", "linear"), 1, 0)
    assert out.status[0] == AGREEMENT and out.round[0] == 1
    assert x[out.agreement[0]] == pytest.approx(0.7)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.sampled_from(["boulware", "linear", "conceder", "tit-for-tat"]),
    st.sampled_from(["boulware", "linear", "conceder", "tit-for-tat"]),
    st.integers(1, 15),
)
def test_agreements_are_rational_efficient_and_batched(seed, sa, sb, deadline):
    """Every agreement beats both reserved values and is Pareto-optimal; samples are independent."""
    rng = np.random.default_rng(seed)
    ua, ub = rng.random((6, 30)), rng.random((6, 30))
    ra, rb = rng.random(6) * 0.6, rng.random(6) * 0.6
    out = alternating_offers(ua, ub, ra, rb, (sa, sb), deadline, int(seed % 2))
    agreed = out.status == AGREEMENT
    rows = np.arange(6)
    got = np.where(agreed, out.agreement, 0)
    assert np.all(ua[rows, got][agreed] >= ra[agreed] - 1e-9)
    assert np.all(ub[rows, got][agreed] >= rb[agreed] - 1e-9)
    assert np.all(pareto_mask(ua, ub)[rows, got][agreed])
    assert np.all((out.round >= 0) & (out.round <= deadline))
    for s in range(6):
        one = alternating_offers(ua[s : s + 1], ub[s : s + 1], ra[s : s + 1], rb[s : s + 1],
                                 (sa, sb), deadline, int(seed % 2))
        assert one.status[0] == out.status[s] and one.agreement[0] == out.agreement[s]
        assert one.round[0] == out.round[s]


def test_strategy_names_and_errors():
    """Named strategies, time:E, and a clear error for an unknown name."""
    assert get_strategy("Boulware").e == pytest.approx(0.2)
    assert get_strategy("tft").kind == "tit-for-tat"
    assert get_strategy("time:0.5") == Strategy("time:0.5", "time", 0.5)
    with pytest.raises(RealpolitikError, match="unknown strategy 'hardball'; strategies are"):
        get_strategy("hardball")
    with pytest.raises(RealpolitikError, match="unknown strategy"):
        get_strategy("time:-1")
    _, ua, ub = split(5)
    with pytest.raises(RealpolitikError, match="deadline"):
        alternating_offers(ua, ub, np.zeros(1), np.zeros(1), deadline=0)
    with pytest.raises(RealpolitikError, match="opener"):
        alternating_offers(ua, ub, np.zeros(1), np.zeros(1), opener=2)


def test_same_results_on_torch():
    """The protocol and the concepts are array-API code: torch tensors give the same answers."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("array_api_compat")
    from realpolitik.deal.solutions import kalai_smorodinsky_point, nash_point

    rng = np.random.default_rng(11)
    ua, ub = rng.random((4, 35)), rng.random((4, 35))
    ra, rb = rng.random(4) * 0.5, rng.random(4) * 0.5
    t = [torch.asarray(a) for a in (ua, ub, ra, rb)]
    for fn in (nash_point, kalai_smorodinsky_point):
        assert np.array_equal(fn(*t)[0].numpy(), fn(ua, ub, ra, rb)[0])
    assert np.array_equal(pareto_mask(t[0], t[1]).numpy(), pareto_mask(ua, ub))
    a = alternating_offers(*t, ("boulware", "tit-for-tat"), 9, 1)
    b = alternating_offers(ua, ub, ra, rb, ("boulware", "tit-for-tat"), 9, 1)
    assert np.array_equal(a.agreement.numpy(), b.agreement)
    assert np.array_equal(a.status.numpy(), b.status)
