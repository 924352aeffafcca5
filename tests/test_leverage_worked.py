"""Leverage: removal effects and every lever of the best move, against hand-computed thresholds.

The compromise model's forecast is the capability x salience weighted mean of the positions, so
each lever's threshold can be solved by hand (see the comments of each scenario).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from realpolitik.errors import RealpolitikError
from realpolitik.scenario.loader import load_scenario, parse_scenario
from realpolitik.uncertainty.leverage import best_move, removal_effects

DATA = Path(__file__).parent / "data"

# Three actors at salience 1: F = (1*90 + 2*10 + 1*30) / 4 = 35.
# Without a: (2*10 + 30) / 3 = 16.67; without b: (90 + 30) / 2 = 60; without c: (90 + 20) / 3.
THREE = """
id: three
title: Three actors
as_of: 2024-01-01
issues:
  - id: x
    name: X
    scale: [0, 100]
    status_quo: 50
    bands:
      - {name: low, low: 0, high: 30}
      - {name: middle, low: 30, high: 60}
      - {name: high, low: 60, high: 100}
actors:
  - {id: a, name: A, kind: state, capability: 1, positions: {x: 90}, salience: {x: 1}}
  - {id: b, name: B, kind: state, capability: 2, positions: {x: 10}, salience: {x: 1}}
  - {id: c, name: C, kind: state, capability: 1, positions: {x: 30}, salience: {x: 1}}
"""

# The same actors at salience 0.5, and a target band 'high' = [45, 100] (A's own band).
# F(0) = 35. Thresholds of F = 45 for each lever (t in [0, 1]):
#   position b: (70 + 80 t) / 2          -> t = 0.25
#   lend b:     (70 + 80 t) / 2          -> t = 0.25
#   salience b (b is farther from A than the forecast: its salience falls to 0):
#               (70 - 10 t) / (2 - t)    -> t = 4/7
#   position c: (70 + 30 t) / 2          -> t = 2/3
#   lend c:     (70 + 30 t) / 2          -> t = 2/3
#   own salience of a: (70 + 45 t) / (2 + t/2) -> t = 8/9
#   salience c: (70 - 15 t) / (2 - t/2) never reaches 45 (36.67 at t = 1)
HALF = """
id: half
title: Three actors at half salience
as_of: 2024-01-01
issues:
  - id: x
    name: X
    scale: [0, 100]
    status_quo: 50
    bands:
      - {name: low, low: 0, high: 30}
      - {name: middle, low: 30, high: 45}
      - {name: high, low: 45, high: 100}
actors:
  - {id: a, name: A, kind: state, capability: 1, positions: {x: 90}, salience: {x: 0.5}}
  - {id: b, name: B, kind: state, capability: 2, positions: {x: 10}, salience: {x: 0.5}}
  - {id: c, name: C, kind: state, capability: 1, positions: {x: 30}, salience: {x: 0.5}}
"""


@pytest.fixture(scope="module")
def three():
    return parse_scenario(THREE, "three.yaml")


@pytest.fixture(scope="module")
def half():
    return parse_scenario(HALF, "half.yaml")


def test_removal_effects_match_the_weighted_mean(three):
    """Each actor's removal changes the compromise forecast by the hand-computed amount."""
    frame = removal_effects(three, "compromise").set_index("actor")
    assert list(frame.index) == ["a", "b", "c"]
    assert set(frame["issue"]) == {"x"}
    assert list(frame["forecast"]) == pytest.approx([35.0, 35.0, 35.0])
    assert frame.loc["a", "without"] == pytest.approx(50 / 3)
    assert frame.loc["b", "without"] == pytest.approx(60.0)
    assert frame.loc["c", "without"] == pytest.approx(110 / 3)
    np.testing.assert_allclose(frame["change"], frame["without"] - frame["forecast"])
    assert frame.loc["a", "name"] == "A"


def test_removal_effects_cover_every_actor_and_issue():
    """One row per actor and issue; the default model is the median voter."""
    sc = load_scenario(DATA / "uncertainty" / "small.yaml")
    frame = removal_effects(sc)
    assert len(frame) == len(sc.actors) * len(sc.issues)
    assert list(frame.columns) == ["actor", "name", "issue", "forecast", "without", "change"]
    assert np.isfinite(frame[["forecast", "without", "change"]].to_numpy()).all()
    # the same seed gives the same table
    assert frame.equals(removal_effects(sc))


def test_every_lever_reaches_at_its_analytic_threshold(half):
    """Position, lend, salience and own-salience levers each reach the band at their threshold."""
    res = best_move(half, "a", "compromise")
    assert res.target == "high" and res.target_range == (45.0, 100.0)
    assert res.actor_position == 90.0
    assert res.baseline == pytest.approx(35.0)
    assert res.notes == []
    rows = res.frame.set_index(["lever", "via"])
    expected = {("position", "b"): 0.25, ("lend", "b"): 0.25, ("salience", "b"): 4 / 7,
                ("position", "c"): 2 / 3, ("lend", "c"): 2 / 3, ("own salience", "a"): 8 / 9}
    for key, t in expected.items():
        row = rows.loc[key]
        assert row["reaches"], key
        assert row["strength"] == pytest.approx(t, abs=1e-3), key
        assert row["forecast_at"] >= 45.0 - 1e-9, key
    # the smallest change comes first, the lever that cannot reach last
    assert list(res.frame["strength"][:6]) == sorted(res.frame["strength"][:6])
    last = res.frame.iloc[-1]
    assert (last["lever"], last["via"], bool(last["reaches"])) == ("salience", "c", False)
    assert np.isnan(last["strength"]) and np.isnan(last["change"])
    assert last["forecast_full"] == pytest.approx(110 / 3)
    assert last["gain_full"] == pytest.approx(55 - (90 - 110 / 3))
    assert len(res.reached) == 6


def test_lever_descriptions_and_sizes(half):
    """Each lever says what changes, by how much, in which unit."""
    rows = best_move(half, "a", "compromise").frame.set_index(["lever", "via"])
    sal = rows.loc[("salience", "b")]
    assert sal["unit"] == "salience"
    assert sal["description"].startswith("B lowers its salience from 0.50 to 0.21")
    assert sal["change"] == pytest.approx(0.5 * 4 / 7, abs=1e-3)
    lend = rows.loc[("lend", "b")]
    assert lend["unit"] == "capability"
    assert lend["description"] == "B lends a 0.5 of its 2.0 capability (25%)"
    assert lend["change"] == pytest.approx(0.5, abs=2e-3)
    own = rows.loc[("own salience", "a")]
    assert own["unit"] == "salience"
    assert own["description"].startswith("a raises its own salience from 0.50 to 0.94")
    assert own["change"] == pytest.approx(0.5 * 8 / 9, abs=1e-3)
    pos = rows.loc[("position", "c")]
    assert pos["unit"] == "scale points"
    assert pos["description"] == ("C moves its position from 30.0 to 70.0 "
                                  "(67% of the way to a's 90.0)")
    # a lever that never reaches is described at full strength
    assert rows.loc[("salience", "c"), "description"] == "C lowers its salience from 0.50 to 0.00"


def test_band_names_are_case_insensitive_and_may_name_the_issue(three):
    """'HIGH' finds the band 'high'; naming the issue gives the same answer."""
    a = best_move(three, "a", "compromise", target_band="HIGH")
    b = best_move(three, "a", "compromise", issue="x")
    assert a.target == b.target == "high"
    assert a.frame.equals(b.frame)


def test_samples_add_a_note(three):
    """With Monte Carlo samples the notes say the objective is their median."""
    res = best_move(three, "a", "compromise", samples=16, seed=3, steps=5, refine=2)
    assert "forecasts are medians over 16 Monte Carlo samples (seed 3)" in res.notes
    assert res.samples == 16
    assert len(res.frame) == 2 * 3 + 1


def test_several_issues_use_the_main_issue_and_say_so():
    """With two issues and neither an issue nor a band, the main (first) issue is used, and a
    note says which and names the others."""
    sc = load_scenario(DATA / "uncertainty" / "small.yaml")
    res = best_move(sc, "a", "compromise")
    assert res.issue == "presence"
    assert res.notes[0].startswith("no issue named: the main (first) issue")
    assert res.notes[0].endswith("the others are alignment")
    # a band name alone picks its issue
    res = best_move(sc, "a", "compromise", target_band="west")
    assert res.issue == "alignment" and res.target == "west"
    assert res.target_range == (4.0, 10.0)


def test_an_issue_without_bands_is_refused():
    """An issue without outcome bands cannot be aimed at; the error says how to fix it."""
    sc = load_scenario(DATA / "valid" / "minimal.yaml")
    with pytest.raises(RealpolitikError, match="issue 'alignment' has no outcome bands to aim "
                                               "for; add `bands`"):
        best_move(sc, "a", issue="alignment")
    with pytest.raises(RealpolitikError, match="no outcome band named 'low'; bands are none"):
        best_move(sc, "a", issue="alignment", target_band="low")


def test_a_band_name_on_two_issues_needs_the_issue():
    """The same band name on two issues is ambiguous without the issue."""
    text = THREE.replace("""actors:""", """  - id: y
    name: Y
    scale: [0, 10]
    status_quo: 5
    bands:
      - {name: low, low: 0, high: 5}
      - {name: top, low: 5, high: 10}
actors:""").replace("salience: {x: 1}", "salience: {x: 1, y: 0.5}").replace(
        "positions: {x: 90}", "positions: {x: 90, y: 2}").replace(
        "positions: {x: 10}", "positions: {x: 10, y: 8}").replace(
        "positions: {x: 30}", "positions: {x: 30, y: 6}")
    sc = parse_scenario(text, "two.yaml")
    with pytest.raises(RealpolitikError, match="band 'low' exists on several issues; name the "
                                               "issue"):
        best_move(sc, "a", target_band="low")
    res = best_move(sc, "a", "compromise", issue="y", target_band="low")
    assert res.issue == "y" and res.target_range == (0.0, 5.0)


def test_a_position_outside_every_band_needs_a_target():
    """If the actor's own position lies in no band, a band has to be named."""
    sc = parse_scenario(THREE.replace("      - {name: high, low: 60, high: 100}\n", ""),
                        "gap.yaml")
    with pytest.raises(RealpolitikError, match=r"a's position \(90\) lies in no band of x; name "
                                               "a target band"):
        best_move(sc, "a", "compromise")
    res = best_move(sc, "b", "compromise")  # b's position 10 lies in 'low'
    assert res.target == "low" and res.baseline == pytest.approx(35.0)
