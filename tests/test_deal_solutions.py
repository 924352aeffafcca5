"""Golden and property tests of the deal's solution concepts (Pareto, Nash, Kalai-Smorodinsky)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.deal.solutions import (
    distance_to_frontier,
    distance_to_package,
    ideal_point,
    individually_rational,
    kalai_smorodinsky_point,
    max_welfare_point,
    nash_point,
    pareto_mask,
)

DATA = Path(__file__).parent / "data" / "deal"

# Nash (1950), "The bargaining problem", Econometrica 18(2), the table of goods:
# (utility to Bill, utility to Jack).
BILL_GOODS = {"book": (2, 4), "whip": (2, 2), "ball": (2, 1), "bat": (2, 2), "box": (4, 1)}
JACK_GOODS = {"pen": (10, 1), "toy": (4, 1), "knife": (6, 2), "hat": (2, 2)}
GOODS = list(BILL_GOODS) + list(JACK_GOODS)


def nash_example() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gains of Bill and Jack for every barter (1 = the good changes hands), shape (1, 512)."""
    moves = np.array(list(itertools.product([0, 1], repeat=len(GOODS))))
    gb = np.zeros(len(moves))
    gj = np.zeros(len(moves))
    for k, good in enumerate(GOODS):
        if good in BILL_GOODS:
            ub, uj = BILL_GOODS[good]
            gb -= ub * moves[:, k]
            gj += uj * moves[:, k]
        else:
            ub, uj = JACK_GOODS[good]
            gb += ub * moves[:, k]
            gj -= uj * moves[:, k]
    return moves, gb[None, :], gj[None, :]


def brute_pareto(ua: np.ndarray, ub: np.ndarray) -> np.ndarray:
    """Pareto mask of one sample by the definition (O(N^2))."""
    out = np.ones(ua.shape, dtype=bool)
    for i in range(ua.size):
        better = (ua >= ua[i]) & (ub >= ub[i]) & ((ua > ua[i]) | (ub > ub[i]))
        out[i] = not better.any()
    return out


def test_nash_1950_bill_and_jack():
    """Nash's own example: Bill gives book, whip, ball, bat; Jack gives pen, toy, knife."""
    moves, gb, gj = nash_example()
    zero = np.zeros(1)
    idx, defined = nash_point(gb, gj, zero, zero)
    assert defined[0]
    moved = {g for g, m in zip(GOODS, moves[idx[0]], strict=True) if m}
    assert moved == {"book", "whip", "ball", "bat", "pen", "toy", "knife"}
    assert (gb[0, idx[0]], gj[0, idx[0]]) == (12, 5)
    products = np.sort(gb[0] * gj[0])
    assert products[-1] == 60 and products[-2] < 60          # the maximum is unique


def test_nash_1950_scenario_file():
    """The same example written as a scenario's deal section gives Nash's package."""
    from realpolitik.deal.api import negotiate

    result = negotiate(DATA / "nash-1950.yaml", samples=4, seed=0)
    pt = result.point
    o = pt.concepts["nash"]
    package = result.space.package(o)
    assert {g for g, holder in package.items() if holder == "jack"} == {
        "book", "whip", "ball", "bat", "hat"}
    assert (pt.ua[o] - pt.ra) * 34 == pytest.approx(12, abs=1e-6)   # Bill's total utility 34
    assert (pt.ub[o] - pt.rb) * 16 == pytest.approx(5, abs=1e-6)    # Jack's total utility 16


def frontier_problem(points: list[tuple[float, float]], grid: int, waste: bool = True):
    """A two-issue domain: issue 1 walks the piecewise-linear frontier through ``points`` on
    ``grid`` evenly spaced steps; issue 2 ("waste" 0 or 1/2) scales both utilities down, adding
    dominated packages. Returns ua, ub (1, N) and the frontier parameter of each package."""
    pts = np.asarray(points, dtype=float)
    seg = np.linspace(0.0, len(pts) - 1.0, grid)
    k = np.minimum(seg.astype(int), len(pts) - 2)
    t = seg - k
    fa = pts[k, 0] * (1 - t) + pts[k + 1, 0] * t
    fb = pts[k, 1] * (1 - t) + pts[k + 1, 1] * t
    scale = np.array([1.0, 0.5]) if waste else np.array([1.0])
    ua = (fa[:, None] * scale[None, :]).reshape(1, -1)
    ub = (fb[:, None] * scale[None, :]).reshape(1, -1)
    param = np.repeat(seg, scale.size)
    return ua, ub, param


def test_kalai_smorodinsky_monotonicity_example():
    """Kalai & Smorodinsky's (1975) example: S = conv{(0,0),(0,1),(3/4,3/4),(1,0)} and
    T = conv{(0,0),(0,1),(1,0.7),(1,0)}; disagreement (0,0).

    Closed forms: on S both Nash and KS give (3/4, 3/4). On T the ideal point is (1, 1); KS lies
    on u_a = u_b where the edge u_b = 1 - 0.3 u_a meets it: u = 1/1.3 = 10/13; Nash maximises
    u(1 - 0.3u) on that edge (increasing up to u = 5/3 > 1), so it takes the corner (1, 0.7):
    player 2 gets less in T than in S although T offers it more, which KS avoids.
    """
    zero = np.zeros(1)
    ua, ub, _ = frontier_problem([(0, 1), (0.75, 0.75), (1, 0)], grid=9)
    for fn in (nash_point, kalai_smorodinsky_point):
        idx, ok = fn(ua, ub, zero, zero)
        assert ok[0]
        assert (ua[0, idx[0]], ub[0, idx[0]]) == pytest.approx((0.75, 0.75))
    ua, ub, _ = frontier_problem([(0, 1), (1, 0.7), (1, 0)], grid=27)   # steps of 1/13
    ks, _ = kalai_smorodinsky_point(ua, ub, zero, zero)
    assert (ua[0, ks[0]], ub[0, ks[0]]) == pytest.approx((10 / 13, 10 / 13))
    nash, _ = nash_point(ua, ub, zero, zero)
    assert (ua[0, nash[0]], ub[0, nash[0]]) == pytest.approx((1.0, 0.7))
    ia, ib = ideal_point(ua, ub, zero, zero)
    assert (ia[0], ib[0]) == pytest.approx((1.0, 1.0))


def test_max_welfare_and_reserved_values():
    """Welfare maximises the sum among packages both prefer to no agreement."""
    ua = np.array([[0.99, 0.6, 0.5, 0.2]])
    ub = np.array([[0.05, 0.3, 0.5, 0.7]])             # sums 1.04, 0.9, 1.0, 0.9
    idx, ok = max_welfare_point(ua, ub, np.array([0.1]), np.array([0.1]))
    assert ok[0] and idx[0] == 2                       # 1.04 is higher but not IR for b
    idx, _ = max_welfare_point(ua, ub, np.array([0.0]), np.array([0.0]))
    assert idx[0] == 0


def test_pareto_frontier_of_nash_example_matches_definition():
    """The sort-and-scan frontier equals the O(N^2) definition on Nash's 512 barters."""
    _, gb, gj = nash_example()
    assert np.array_equal(pareto_mask(gb, gj)[0], brute_pareto(gb[0], gj[0]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=25))
def test_pareto_mask_matches_definition(points):
    """Random small sets with many ties (exact duplicates share their status)."""
    ua = np.array([[p[0] / 4 for p in points]])
    ub = np.array([[p[1] / 4 for p in points]])
    assert np.array_equal(pareto_mask(ua, ub)[0], brute_pareto(ua[0], ub[0]))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), min_size=2, max_size=30),
    st.floats(0.2, 5.0), st.floats(-1.0, 1.0), st.floats(0.2, 5.0), st.floats(-1.0, 1.0),
)
def test_nash_and_ks_invariant_to_affine_rescaling(points, sa, ta, sb, tb):
    """Positive affine maps of either party's utility (and reserved value) leave Nash and KS."""
    ua = np.array([[p[0] / 20 for p in points]])
    ub = np.array([[p[1] / 20 for p in points]])
    ra = np.array([0.1])
    rb = np.array([0.1])
    for fn in (nash_point, kalai_smorodinsky_point):
        i1, ok1 = fn(ua, ub, ra, rb)
        i2, ok2 = fn(sa * ua + ta, sb * ub + tb, sa * ra + ta, sb * rb + tb)
        assert ok1[0] == ok2[0]
        if ok1[0]:
            # ties may pick another package with the same utilities
            assert (ua[0, i1[0]], ub[0, i1[0]]) == pytest.approx((ua[0, i2[0]], ub[0, i2[0]]))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), min_size=2, max_size=30))
def test_relabelling_parties_swaps_the_solutions(points):
    """Swapping the two parties swaps their utilities at every concept's package."""
    ua = np.array([[p[0] / 20 for p in points]])
    ub = np.array([[p[1] / 20 for p in points]])
    r = np.array([0.05])
    for fn in (nash_point, kalai_smorodinsky_point, max_welfare_point):
        i1, _ = fn(ua, ub, r, r)
        i2, _ = fn(ub, ua, r, r)
        assert (ua[0, i1[0]], ub[0, i1[0]]) == pytest.approx((ua[0, i2[0]], ub[0, i2[0]]))


def test_batched_equals_one_sample_at_a_time():
    """Each concept treats every sample of a batch alone (no Python loop, no mixing)."""
    rng = np.random.default_rng(5)
    ua, ub = rng.random((7, 40)), rng.random((7, 40))
    ra, rb = rng.random(7) * 0.5, rng.random(7) * 0.5
    for fn in (nash_point, kalai_smorodinsky_point, max_welfare_point):
        idx, ok = fn(ua, ub, ra, rb)
        for s in range(7):
            i1, ok1 = fn(ua[s : s + 1], ub[s : s + 1], ra[s : s + 1], rb[s : s + 1])
            assert idx[s] == i1[0] and ok[s] == ok1[0]
    mask = pareto_mask(ua, ub)
    for s in range(7):
        assert np.array_equal(mask[s], brute_pareto(ua[s], ub[s]))


def test_undefined_without_an_individually_rational_package():
    """No package beats both reserved values: concepts are flagged undefined, never NaN."""
    ua = np.array([[0.2, 0.4]])
    ub = np.array([[0.4, 0.2]])
    r = np.array([0.5])
    assert not individually_rational(ua, ub, r, r).any()
    for fn in (nash_point, kalai_smorodinsky_point, max_welfare_point):
        idx, ok = fn(ua, ub, r, r)
        assert not ok[0] and idx[0] == 0


def test_degenerate_all_packages_equal():
    """All packages alike: every concept is defined and finite; every package is Pareto."""
    ua = np.full((2, 5), 0.5)
    ub = np.full((2, 5), 0.5)
    r = np.array([0.5, 0.2])
    assert pareto_mask(ua, ub).all()
    for fn in (nash_point, kalai_smorodinsky_point, max_welfare_point):
        idx, ok = fn(ua, ub, r, r)
        assert ok.all() and np.all(idx == 0)


def test_distances_in_the_utility_plane():
    """Distance to a package is Euclidean; distance to the frontier is to its nearest point."""
    ua = np.array([[1.0, 0.0, 0.3]])
    ub = np.array([[0.0, 1.0, 0.3]])
    d = distance_to_package(ua, ub, np.array([2]), np.array([0]))
    assert d[0] == pytest.approx(np.hypot(0.7, 0.3))
    front = pareto_mask(ua, ub)
    assert front[0].tolist() == [True, True, True]
    assert distance_to_frontier(ua, ub, np.array([2]), front)[0] == 0.0
    ua2 = np.array([[1.0, 0.0, 0.3, 0.6]])
    ub2 = np.array([[0.0, 1.0, 0.3, 0.6]])
    front2 = pareto_mask(ua2, ub2)
    assert front2[0].tolist() == [True, True, False, True]
    assert distance_to_frontier(ua2, ub2, np.array([2]), front2)[0] == pytest.approx(
        np.hypot(0.3, 0.3))


def test_lexargmax_ties_and_empty_rows():
    """Ties within the tolerance go to the secondary key, then to the lowest index; an empty
    mask gives index 0."""
    from realpolitik.deal.solutions import TOLERANCE, lexargmax

    primary = np.array([[0.5, 0.5 + TOLERANCE / 10, 0.5, 0.1], [0.9, 0.8, 0.7, 0.6]])
    secondary = np.array([[0.0, 0.2, 0.2 + TOLERANCE / 10, 9.0], [5.0, 6.0, 7.0, 8.0]])
    mask = np.array([[True, True, True, True], [False, False, False, False]])
    assert lexargmax(mask, primary, secondary, np).tolist() == [1, 0]
