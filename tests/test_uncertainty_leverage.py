"""Best move: analytic thresholds for the compromise model, Monte Carlo medians, errors, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from realpolitik.errors import RealpolitikError
from realpolitik.scenario.loader import parse_scenario
from realpolitik.uncertainty.leverage import best_move

SMALL = str(Path(__file__).parent / "data" / "uncertainty" / "small.yaml")

# Compromise forecast F = sum(c s x) / sum(c s) = (1*90 + 2*10 + 1*30) / 4 = 35 ('middle').
# B moving toward A by t: F = (90 + 2 (10 + 80 t) + 30) / 4 = 35 + 40 t -> reaches 60 at t = 0.625.
# B lending A the share t of its capability: F = ((1 + 2t) 90 + 2 (1 - t) 10 + 30) / 4 = 35 + 40 t.
# C moving toward A: F = 35 + 15 t <= 50: never reaches 'high'.
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
  - {id: b, name: B, kind: state, capability: 2,
     positions: {x: {value: 10, distribution: {kind: uniform, low: 0, high: 20}}}, salience: {x: 1}}
  - {id: c, name: C, kind: state, capability: 1, positions: {x: 30}, salience: {x: 1}}
"""


@pytest.fixture(scope="module")
def three():
    return parse_scenario(THREE, "three.yaml")


def test_minimal_shift_matches_the_analytic_threshold(three):
    """Position shift and capability lent by B both need t = 0.625; C cannot do it."""
    res = best_move(three, "a", "compromise")
    assert res.target == "high"                    # the band of A's own position
    assert res.baseline == pytest.approx(35.0)
    frame = res.frame.set_index(["lever", "via"])
    for lever in ("position", "lend"):
        row = frame.loc[(lever, "b")]
        assert row["reaches"]
        assert row["strength"] == pytest.approx(0.625, abs=1e-3)
        assert row["forecast_at"] >= 60.0
    assert frame.loc[("position", "b"), "change"] == pytest.approx(50.0, abs=0.1)
    assert frame.loc[("lend", "b"), "change"] == pytest.approx(1.25, abs=0.01)
    assert not frame.loc[("position", "c"), "reaches"]
    assert frame.loc[("position", "c"), "forecast_full"] == pytest.approx(50.0)
    assert res.frame.iloc[0]["reaches"]
    assert "moves its position from 10.0 to 60.0" in frame.loc[("position", "b"), "description"]


def test_a_named_band_that_already_holds_the_forecast(three):
    """Aiming for the band the forecast is in: every lever succeeds at zero change."""
    res = best_move(three, "a", "compromise", target_band="middle")
    assert res.reached["strength"].max() == 0.0
    assert any("already lies" in n for n in res.notes)


def test_median_of_samples_is_the_objective(three):
    """With samples the median forecast over the samples is aimed for (reproducibly)."""
    a = best_move(three, "a", "compromise", samples=64, seed=2)
    b = best_move(three, "a", "compromise", samples=64, seed=2)
    assert a.frame.equals(b.frame)
    assert a.samples == 64
    row = a.frame.set_index(["lever", "via"]).loc[("position", "b")]
    assert row["reaches"] and 0.5 < row["strength"] < 0.75


def test_errors_name_what_is_allowed(three):
    """Unknown actor or band: the error lists the valid ones."""
    with pytest.raises(RealpolitikError, match="actors are: a, b, c"):
        best_move(three, "zz")
    with pytest.raises(RealpolitikError, match="'low', 'middle', 'high'"):
        best_move(three, "a", target_band="nowhere")


def test_best_move_command_explains_in_words(run_cli):
    """`realpolitik best-move` prints a table and a plain-words conclusion; JSON lists levers."""
    code, out, err = run_cli("best-move", SMALL, "--actor", "a", "--issue", "presence",
                             "--target-band", "large", "--model", "compromise")
    assert code == 0, err
    assert "In words:" in out
    code, out, _ = run_cli("best-move", SMALL, "--actor", "a", "--target-band", "large",
                           "--format", "json")
    doc = json.loads(out)
    assert doc["target_band"] == "large" and doc["levers"]
    code, _, err = run_cli("best-move", SMALL)
    assert code == 2 and "--actor" in err
    code, out, err = run_cli("best-move", SMALL, "--actor", "a", "--model", "compromise")
    assert code == 0 and "the main (first) issue" in " ".join(out.split())
    assert "- If Actor C lowers its salience from 1.00 to 0.35, the forecast becomes 50.0, " \
           "inside 'large'." in " ".join(out.split())
