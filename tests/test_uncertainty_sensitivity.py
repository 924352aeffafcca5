"""Sobol indices against an analytic case, one-at-a-time swings, the `sensitivity` command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from realpolitik.errors import RealpolitikError
from realpolitik.scenario.loader import load_scenario, parse_scenario
from realpolitik.uncertainty.sensitivity import describe, sobol, swings

SMALL = str(Path(__file__).parent / "data" / "uncertainty" / "small.yaml")

# Two uncertain positions, fixed weights: the compromise forecast is linear,
# f = (w_a x_a + w_b x_b + w_c x_c) / W, so Var f = (w_a^2 Var x_a + w_b^2 Var x_b) / W^2 and the
# Sobol indices are S_a = w_a^2 Var x_a / (w_a^2 Var x_a + w_b^2 Var x_b), with no interaction.
LINEAR = """
id: linear
title: Linear test
as_of: 2024-01-01
issues:
  - {id: x, name: X, scale: [0, 100], status_quo: 50}
actors:
  - id: a
    name: A
    kind: state
    capability: 2
    positions: {x: {value: 50, distribution: {kind: uniform, low: 20, high: 80}}}
    salience: {x: 1}
  - id: b
    name: B
    kind: state
    capability: 1
    positions: {x: {value: 50, distribution: {kind: uniform, low: 40, high: 60}}}
    salience: {x: 1}
  - {id: c, name: C, kind: state, capability: 1, positions: {x: 10}, salience: {x: 1}}
"""


def test_sobol_matches_the_analytic_indices():
    """S1 = ST = analytic shares for a linear model (within the bootstrap CI, plus slack)."""
    sc = parse_scenario(LINEAR, "linear.yaml")
    res = sobol(sc, "compromise", 1024, seed=1)
    va, vb = (2**2) * 60**2 / 12, (1**2) * 20**2 / 12
    expected = {"actors.a.positions.x": va / (va + vb), "actors.b.positions.x": vb / (va + vb)}
    frame = res.frame.set_index("input")
    for path, value in expected.items():
        for col in ("S1", "ST"):
            assert abs(frame.loc[path, col] - value) <= frame.loc[path, f"{col}_conf"] + 0.02
    assert res.evaluations == 1024 * (2 + 2)
    assert "actors.a.positions.x" in describe(res, "x")


def test_sobol_is_reproducible_and_groups_by_actor():
    """Same seed, same indices; --by actor gives one row per actor (and status quo)."""
    sc = load_scenario(SMALL)
    a = sobol(sc, "median", 64, seed=3)
    b = sobol(sc, "median", 64, seed=3)
    assert a.frame.equals(b.frame)
    grouped = sobol(sc, "median", 64, seed=3, by="actor")
    names = set(grouped.frame["input"])
    assert names == {"actor a", "actor b", "actor c", "actor d", "issue presence status quo"}
    assert any("correlations are not used" in n for n in a.notes)


def test_sobol_rounds_n_up_and_handles_a_constant_forecast():
    """N becomes a power of two; an issue no input moves gets zeros, not NaN."""
    text = LINEAR.replace("status_quo: 50}", "status_quo: 50}\n  - {id: y, name: Y, scale: [0, 1], status_quo: 0.5}")
    text = text.replace("salience: {x: 1}", "salience: {x: 1, y: 1}")
    text = text.replace("positions: {x: {value: 50, distribution: {kind: uniform, low: 20, high: 80}}}",
                        "positions: {x: {value: 50, distribution: {kind: uniform, low: 20, high: 80}}, y: 0.2}")
    text = text.replace("positions: {x: {value: 50, distribution: {kind: uniform, low: 40, high: 60}}}",
                        "positions: {x: {value: 50, distribution: {kind: uniform, low: 40, high: 60}}, y: 0.4}")
    text = text.replace("positions: {x: 10}", "positions: {x: 10, y: 0.9}")
    sc = parse_scenario(text, "two.yaml")
    res = sobol(sc, "compromise", 100, seed=0)
    assert res.base_samples == 128
    y = res.frame[res.frame["issue"] == "y"]
    assert np.all(y[["S1", "ST"]].to_numpy() == 0)
    assert any("does not vary" in n for n in res.notes)


def test_no_uncertain_inputs_is_a_user_error():
    """Nothing to attribute: a clear error."""
    sc = parse_scenario(LINEAR.replace("{value: 50, distribution: {kind: uniform, low: 20, high: 80}}", "50")
                        .replace("{value: 50, distribution: {kind: uniform, low: 40, high: 60}}", "50"),
                        "flat.yaml")
    with pytest.raises(RealpolitikError, match="no uncertain inputs"):
        sobol(sc, "median", 64)


def test_swings_are_exact_for_the_linear_case():
    """A's position at its 5%/95% quantiles moves the compromise by w_a/W times the range."""
    sc = parse_scenario(LINEAR, "linear.yaml")
    sw = swings(sc, "compromise").set_index("input")
    a = sw.loc["actors.a.positions.x"]
    assert a["low_value"] == pytest.approx(23.0)
    assert a["high_value"] == pytest.approx(77.0)
    assert a["swing"] == pytest.approx(0.5 * 54.0)
    assert sw.index[0] == "actors.a.positions.x"


@pytest.mark.slow
def test_sensitivity_command_table_json_and_plot(run_cli, tmp_path):
    """`realpolitik sensitivity` explains its table; JSON lists indices; the tornado plots."""
    code, out, err = run_cli("sensitivity", SMALL, "--samples", "64", "--top", "3",
                             "--plot", str(tmp_path / "t.html"))
    assert code == 0, err
    assert "total effect [95%]" in out and "How to read this." in out
    assert "actors." not in out  # inputs by name, never by path
    assert "the forecast's uncertainty comes mostly from" in " ".join(out.split())
    assert "<title>" in (tmp_path / "t.html").read_text()
    code, out, _ = run_cli("sensitivity", SMALL, "--samples", "64", "--format", "json")
    doc = json.loads(out)
    assert doc["base_samples"] == 64 and doc["sobol"] and doc["swings"]
    assert all(r["label"] and not r["label"].startswith("actors.") for r in doc["sobol"])
    code, _, err = run_cli("sensitivity", SMALL, "--model", "nope")
    assert code == 2 and "unknown model" in err


def test_sensitivity_words_on_iraq():
    """Names instead of paths; negative estimates read ~0 with their interval; two sentences."""
    import pandas as pd

    from realpolitik import load_scenario
    from realpolitik.presentation.sensitivity_words import drivers_words, input_label, share

    sc = load_scenario("iraq-2024")
    assert input_label("actors.pmf.positions.us_presence", sc, "alignment") == \
        "position of Popular Mobilization Forces (PMF) on U.S. military presence in Iraq"
    assert input_label("actors.pmf.positions.us_presence", sc, "us_presence") == \
        "position of Popular Mobilization Forces (PMF)"
    assert input_label("actors.us_gov.capability", sc) == \
        "capability of U.S. government (Biden administration)"
    assert input_label("issues.us_presence.status_quo", sc, "us_presence") == "status quo"
    assert input_label("actor pmf", sc) == "all inputs of Popular Mobilization Forces (PMF)"
    assert share(-0.02, 0.03) == "~0 (-5 to 1%)"
    assert share(0.45, 0.08) == "45% (37-53%)"
    frame = pd.DataFrame([
        {"issue": "us_presence", "input": "actors.pmf.positions.us_presence", "ST": 0.6,
         "S1": 0.5},
        {"issue": "us_presence", "input": "actors.us_gov.capability", "ST": 0.3, "S1": 0.2},
    ])
    text = drivers_words(frame, sc, "us_presence")
    assert text == ("On U.S. military presence in Iraq, the forecast's uncertainty comes mostly "
                    "from the position of Popular Mobilization Forces (PMF) (60%) and the "
                    "capability of U.S. government (Biden administration) (30%). Alone, the "
                    "position of Popular Mobilization Forces (PMF) accounts for about 50% of it; "
                    "about 30% comes from inputs acting together (moving the forecast only in "
                    "combination).")
