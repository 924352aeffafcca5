"""The bottom line, the labels in words, drivers over the distribution and one progress measure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from realpolitik.api.bottom_line import BottomLine, bottom_lines
from realpolitik.api.report import Control, analyse, forecasts
from realpolitik.presentation.bottom_line import bottom_line_html, bottom_line_text
from realpolitik.scenario.labels import (
    actor_label,
    column_label,
    in_words,
    input_label,
    value_label,
)
from realpolitik.scenario.loader import load_scenario
from realpolitik.uncertainty.given_data import first_order, sampled_inputs
from realpolitik.uncertainty.sampling import sample_inputs

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def iraq():  # type: ignore[no-untyped-def]
    return load_scenario("iraq-2024")


@pytest.fixture(scope="module")
def on_jump():  # type: ignore[no-untyped-def]
    return load_scenario(DATA / "valid" / "threshold.yaml")


def test_labels_in_words(iraq) -> None:  # type: ignore[no-untyped-def]
    """Input paths, actors, columns and coded values read as words."""
    assert input_label(iraq, "actors.pmf.positions.us_presence") == (
        "the PMF's position on U.S. military presence in Iraq")
    assert input_label(iraq, "actors.iran_irgc.capability") == "Iran's capability"
    assert input_label(iraq, "issues.alignment.status_quo").startswith("the status quo of ")
    assert actor_label(iraq, "us_gov") == "the U.S. government"
    assert column_label("u[us_gov]", iraq) == "utility of the U.S. government"
    assert column_label("troops", iraq) == "U.S. troops in Iraq after the transition"
    assert column_label("low_value") == "input at its 5% value"
    assert value_label("advise_assist") == "advise assist"
    assert value_label(3.5) == "3.5"
    text = in_words(iraq, "us_presence: actors.pmf.salience.alignment and kurds_kdp")
    assert "us_presence" not in text and "kurds_kdp" not in text and "actors." not in text


def test_sampled_inputs_are_the_runs_inputs(iraq) -> None:  # type: ignore[no-untyped-def]
    """The regenerated inputs are those the Monte Carlo run used (same seed, same samples)."""
    paths, x = sampled_inputs(iraq, 50, 3)
    batch = sample_inputs(iraq, 50, 3)
    k = paths.index("actors.pmf.positions.us_presence")
    i = iraq.actor_ids.index("pmf")
    assert np.array_equal(x[:, k], batch.position[:, i, 0])


def test_threshold_case_flagged(on_jump) -> None:  # type: ignore[no-untyped-def]
    """Point values on a jump: the point lies outside its 50% band, and the note says between
    which outcomes it jumps and which input tips it (measured over the distribution)."""
    fc = forecasts(on_jump, ["median"], samples=300, seed=0)
    (bl,) = bottom_lines(on_jump, fc)
    assert isinstance(bl, BottomLine) and bl.model == "ensemble"
    assert bl.threshold is not None
    assert set(bl.threshold.between) == {"small", "large"}
    assert bl.threshold.tipped_by == "Hawks' capability"
    assert bl.drivers[0].input == "actors.hawks.capability" and bl.drivers[0].share > 0.5
    assert bl.median is not None and not bl.band_50[0] <= bl.point <= bl.band_50[1]
    assert bl.band_probabilities["small"] > 0.5
    html = bottom_line_html([bl])
    assert 'data-threshold="yes"' in html and "On a threshold" in html
    assert any("On a threshold" in line for line in bottom_line_text([bl]))
    doc = bl.to_json()
    assert doc["issue"] == "deployment" and doc["issue_label"] == "Size of the deployment"
    assert doc["drivers"][0]["input"] == "actors.hawks.capability"
    assert doc["package_value"] is None  # the scenario has no deal
    # the ensemble's calibrated 80 % band (the shipped weights file): the point +- one width
    level, lo, hi = doc["calibrated_band"]
    assert level == 0.8 and lo < bl.point < hi
    assert any(s.startswith("Calibrated 80% band") for s in bl.sentences())


def test_no_threshold_off_the_jump(on_jump) -> None:  # type: ignore[no-untyped-def]
    """Far from the jump (Hawks clearly stronger) there is no threshold note."""
    from realpolitik.scenario.edits import Edit, apply_edits, scenario_from_data
    from realpolitik.scenario.yamlio import parse_document

    data, _ = parse_document((DATA / "valid" / "threshold.yaml").read_text(), "threshold.yaml")
    firm = scenario_from_data(apply_edits(data, [Edit("hawks", "capability", 90.0)]))
    fc = forecasts(firm, ["median"], samples=200, seed=0)
    (bl,) = bottom_lines(firm, fc)
    assert bl.threshold is None
    assert bl.band_probabilities["large"] == 1.0


def test_first_order_needs_enough_samples(on_jump) -> None:  # type: ignore[no-untyped-def]
    assert first_order(on_jump, np.zeros((10, 1)), 0).empty


def test_progress_is_one_fraction_of_the_whole_run(on_jump) -> None:  # type: ignore[no-untyped-def]
    """Stages have names; the fraction never goes back and ends at 1."""
    seen: list[tuple[str, float]] = []
    an = analyse(on_jump, models=["median"], samples=300, seed=0,
                 sections=["forecast", "drivers", "power"],
                 control=Control(on_progress=lambda s, f: seen.append((s, f))))
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions)  # never back, not even by rounding
    assert fractions[-1] == 1.0 and seen[-1][0] == "done"
    assert all(s for s, _ in seen)
    assert isinstance(an.bottom, list) and an.bottom[0].threshold is not None
    assert an.to_json()["bottom_line"]["issues"][0]["threshold"]["tipped_by"]
