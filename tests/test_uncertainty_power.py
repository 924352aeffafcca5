"""Power indices on hand-worked games, Monte Carlo against exact, removal, the `power` command."""

from __future__ import annotations

import json
from itertools import permutations
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.scenario.loader import load_scenario
from realpolitik.uncertainty.leverage import removal_effects
from realpolitik.uncertainty.power import exact_indices, power_indices, sampled_indices

SMALL = str(Path(__file__).parent / "data" / "uncertainty" / "small.yaml")


def brute_force_shapley(w: np.ndarray) -> np.ndarray:
    """Shapley-Shubik by listing every order (independent of the coalition enumeration)."""
    n, quota = len(w), w.sum() / 2
    counts = np.zeros(n)
    orders = list(permutations(range(n)))
    for order in orders:
        total = 0.0
        for i in order:
            total += w[i]
            if total > quota + 1e-12 * w.sum():
                counts[i] += 1
                break
    return counts / len(orders)


@pytest.mark.parametrize(
    ("weights", "shapley", "banzhaf_raw"),
    [
        # three equal-ish blocs: any two win -> symmetric power despite 40/30/30 weights
        ([40, 30, 30], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0.5]),
        # 50/49/1 with strict majority: 50 wins with either partner, 49+1 = 50 is not > 50
        ([50, 49, 1], [2 / 3, 1 / 6, 1 / 6], [0.75, 0.25, 0.25]),
        # a dictator (more than half alone) holds all power; the others are dummies
        ([60, 30, 10], [1.0, 0.0, 0.0], [1.0, 0.0, 0.0]),
        # Banzhaf's (1965) favourite: weights 3, 2, 2 out of 7 -> every pair wins
        ([3, 2, 2], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0.5]),
    ],
)
def test_hand_worked_games(weights, shapley, banzhaf_raw):
    """Exact indices equal the hand-worked values."""
    ss, bz = exact_indices(np.array(weights, dtype=float))
    assert np.allclose(ss, shapley)
    assert np.allclose(bz, banzhaf_raw)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0.0, 100.0), min_size=2, max_size=6))
def test_exact_shapley_equals_listing_every_order(weights):
    """The subset formula equals the definition over all n! orders; the indices sum to 1."""
    w = np.array(weights)
    ss, bz = exact_indices(w)
    if w.sum() <= 0:
        assert np.all(ss == 0) and np.all(bz == 0)
        return
    assert np.allclose(ss, brute_force_shapley(w), atol=1e-12)
    assert np.all(bz >= 0) and np.all(bz <= 1)
    if w.max() > 0:
        assert ss.sum() == pytest.approx(1.0) or ss.sum() == pytest.approx(0.0)


def test_monte_carlo_agrees_with_exact_within_its_error():
    """Sampled indices lie within 4.5 standard errors of the exact ones."""
    w = np.random.default_rng(0).uniform(1, 10, 12)
    ss, bz = exact_indices(w)
    mss, mbz, se_ss, se_bz = sampled_indices(w, 40000, seed=2)
    assert np.all(np.abs(mss - ss) <= 4.5 * se_ss + 1e-9)
    assert np.all(np.abs(mbz - bz) <= 4.5 * se_bz + 1e-9)


def test_relabelling_actors_permutes_their_power():
    """Invariance: reorder the actors, and their indices reorder with them."""
    w = np.array([5.0, 1.0, 3.0, 7.0, 2.0])
    order = np.array([3, 0, 4, 1, 2])
    ss, bz = exact_indices(w)
    ss2, bz2 = exact_indices(w[order])
    assert np.allclose(ss[order], ss2) and np.allclose(bz[order], bz2)


def test_power_indices_of_a_scenario():
    """Per issue: weights are capability x salience; Shapley-Shubik and Banzhaf sum to 1."""
    sc = load_scenario(SMALL)
    frame = power_indices(sc)
    assert set(frame["issue"]) == {"presence", "alignment"}
    a = frame[(frame["issue"] == "presence") & (frame["actor"] == "a")].iloc[0]
    assert a["weight"] == pytest.approx(50 * 0.8)
    for _, sub in frame.groupby("issue"):
        assert sub["shapley_shubik"].sum() == pytest.approx(1.0)
        assert sub["banzhaf"].sum() == pytest.approx(1.0)
        assert (sub["method"] == "exact").all()
    sampled = power_indices(sc, exact_max=2, draws=20000, seed=1)
    assert sampled["method"].str.startswith("monte carlo").all()
    assert np.allclose(sampled["shapley_shubik"], frame["shapley_shubik"], atol=0.03)


def test_removal_changes_the_forecast_only_for_actors_that_matter():
    """Removing an actor reruns the model without its row; the change is reported per issue."""
    sc = load_scenario(SMALL)
    frame = removal_effects(sc, "median")
    assert len(frame) == len(sc.actors) * len(sc.issues)
    row = frame[(frame["actor"] == "a") & (frame["issue"] == "presence")].iloc[0]
    # weights c 20 @5, b 27 @20, d 7.5 @40, a 40 @80 (total 94.5): the weighted median is d's 40;
    # without a (total 54.5) the cumulative weight passes half at b: 20
    assert row["forecast"] == pytest.approx(40.0)
    assert row["without"] == pytest.approx(20.0)
    assert row["change"] == pytest.approx(row["without"] - row["forecast"])


def test_power_command_explains_and_plots(run_cli, tmp_path):
    """`realpolitik power` prints both indices and a sentence; JSON and PNG work."""
    code, out, err = run_cli("power", SMALL, "--plot", str(tmp_path / "p.png"))
    assert code == 0, err
    assert "Shapley-Shubik" in out and "most pivotal actor" in out
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"
    code, out, _ = run_cli("power", SMALL, "--format", "json")
    doc = json.loads(out)
    assert {"shapley_shubik", "banzhaf", "without"} <= set(doc["power"][0])
