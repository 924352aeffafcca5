"""Expert panels: several experts' estimates of one input, pooled by a documented rule."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from realpolitik.api.scenario import load_scenario, panel_inputs, parse_scenario
from realpolitik.errors import ScenarioError
from realpolitik.scenario.values import UncertainValue
from realpolitik.uncertainty.panel import (
    fitted_triangular,
    panel_moments,
    panel_ppf,
    panel_quantile,
)

#: Expert A: 20, unsure within [10, 30] (uniform), weight 1; expert B: exactly 60, weight 3.
PANEL = {"value": 50, "experts": [
    {"value": 20, "distribution": {"kind": "uniform", "low": 10, "high": 30},
     "source": {"id": "src1", "at": "expert A"}},
    {"value": 60, "source": {"id": "src1", "at": "expert B"}, "weight": 3}]}


def test_linear_pool_by_hand():
    """Hand-worked: weights 1/4 and 3/4; mean 50; within 100/3 / 4; between 300; quantiles.

    Expert means 20 and 60, pooled mean 0.25*20 + 0.75*60 = 50. A's variance is 20^2/12 =
    33.33, B's 0, so the experts' own uncertainty is 0.25*33.33 = 8.33; disagreement is
    0.25*(20-50)^2 + 0.75*(60-50)^2 = 225 + 75 = 300. The pooled CDF is 0.25 (x-10)/20 on
    [10, 30] and jumps to 1 at 60: its 10 % quantile is 10 + 0.4*20 = 18, its median 60.
    """
    v = UncertainValue.model_validate(PANEL)
    mean, within, between = panel_moments(v)
    assert mean == pytest.approx(50, abs=1e-6)
    assert within == pytest.approx(100 / 3 / 4, rel=1e-4)
    assert between == pytest.approx(300, rel=1e-6)
    x = panel_ppf(v, np.array([0.1, 0.2, 0.3, 0.9]))
    np.testing.assert_allclose(x, [18, 26, 60, 60])
    assert panel_quantile(v, 0.1) == pytest.approx(18, abs=0.01)
    assert panel_quantile(v, 0.5) == 60


def test_fitted_triangular_by_hand():
    """Triangular rule: lowest low 10, highest high 60, mode the weighted mean 50."""
    v = UncertainValue.model_validate({**PANEL, "pool": "triangular"})
    d = fitted_triangular(v)
    assert (d.kind, d.low, d.high, d.mode) == ("triangular", 10, 60, 50)
    assert panel_ppf(v, np.array([0.8]))[0] == pytest.approx(50)


def test_pooled_draws_follow_the_mixture():
    """A large seeded sample has the pool's mean and variance (within + between)."""
    v = UncertainValue.model_validate(PANEL)
    x = panel_ppf(v, np.random.default_rng(0).random(200_000))
    assert x.mean() == pytest.approx(50, abs=0.2)
    assert x.var() == pytest.approx(300 + 100 / 12, rel=0.02)


def _with_panel(minimal_path, panel):
    doc = yaml.safe_load(minimal_path.read_text())
    doc["actors"][0]["positions"]["presence"] = panel
    return doc


def test_panel_in_yaml_validates_and_shows(minimal_path, run_cli, tmp_path):
    """A panel in the YAML loads; `show` lists each expert and the disagreement share."""
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(_with_panel(minimal_path, PANEL)))
    sc = load_scenario(str(path))
    [(name, _, share)] = panel_inputs(sc)
    assert name == "actors.a.positions.presence" and share == pytest.approx(300 / (300 + 100 / 12))
    code, out, err = run_cli("show", str(path))
    assert code == 0, err
    assert "Expert panels" in out and "src1 (expert B)" in out and "97%" in out
    assert "50 [10-60, 2 experts]" in out


@pytest.mark.parametrize(("panel", "message"), [
    ({**PANEL, "distribution": {"kind": "uniform", "low": 0, "high": 100}},
     "give either a distribution or experts, not both"),
    ({**PANEL, "value": 70}, "the point value 70 lies outside the experts' range [10, 60]"),
    ({"value": 50, "experts": [{"value": 50, "source": {"id": "nobody"}}]},
     "actors[a].positions.presence.experts[0].source.id: unknown source id"),
    ({"value": 50, "experts": [{"value": 50}]}, "experts[0].source: required field is missing"),
    ({"value": 50, "experts": [{"value": 150, "source": {"id": "src1"}}]},
     "an expert's estimate of a position on 'presence' must lie in [0, 100]"),
    ({"value": 50, "experts": [{"value": 50, "source": {"id": "src1"}, "weight": 0}]},
     "an expert's weight must be > 0"),
])
def test_bad_panels(minimal_path, panel, message):
    """A panel's problems name the field: both forms, range, sources, weights."""
    with pytest.raises(ScenarioError) as info:
        parse_scenario(yaml.safe_dump(_with_panel(minimal_path, panel)), "p.yaml")
    assert message in str(info.value)


def test_disagreement_widens_the_forecast_bands(minimal_path, run_cli, tmp_path):
    """Experts who disagree give a wider forecast band than experts who agree (same seed)."""
    import json

    agree = {"value": 50, "experts": [
        {"value": 50, "source": {"id": "src1"}}, {"value": 50, "source": {"id": "src1"}}]}
    widths = []
    for k, panel in enumerate((agree, {**PANEL, "value": 50})):
        doc = _with_panel(minimal_path, panel)
        doc["actors"][0]["capability"] = 90
        path = tmp_path / f"p{k}.yaml"
        path.write_text(yaml.safe_dump(doc))
        code, out, err = run_cli("forecast", str(path), "-m", "compromise", "--samples", "400",
                                 "-f", "json")
        assert code == 0, err
        issue = json.loads(out)["distribution"]["issues"][0]
        widths.append(issue["p95"] - issue["p05"])
    assert widths[1] > widths[0] + 5


def test_sensitivity_splits_disagreement_from_own_uncertainty(minimal_path):
    """Sobol indices give a panel two rows: the experts' disagreement and their own uncertainty."""
    from realpolitik.api.analysis import sensitivity

    doc = _with_panel(minimal_path, PANEL)
    sc = parse_scenario(yaml.safe_dump(doc))
    res = sensitivity(sc, model="compromise", samples=128, seed=1)
    frame = res.sobol.frame
    rows = frame[(frame["issue"] == "presence")].set_index("input")
    dis = rows.loc["actors.a.positions.presence [expert disagreement]", "ST"]
    own = rows.loc["actors.a.positions.presence [experts' own uncertainty]", "ST"]
    assert dis > own > 0


def test_panels_only_on_core_inputs():
    """A panel inside an optional section (not read there) is an error naming its field."""
    from realpolitik.api.scenario import builtin_path, dump_yaml, read_text

    doc = yaml.safe_load(read_text(builtin_path("iraq-2024")))
    weights = doc["deal"]["utilities"]["us_gov"]["weights"]
    weights["troops"] = {"value": 0.25, "experts": [{"value": 0.25, "source": {"id": "fa2024"}}]}
    with pytest.raises(ScenarioError) as info:
        parse_scenario(dump_yaml(doc), "x.yaml")
    assert "expert panels are read for the core inputs" in str(info.value)


def test_a_panel_cannot_be_correlated(minimal_path):
    """A correlation naming a pooled input is refused with a message, not silently misapplied."""
    from realpolitik.errors import RealpolitikError
    from realpolitik.scenario.sections.correlations import Correlation
    from realpolitik.uncertainty.sampling import sample_inputs

    doc = _with_panel(minimal_path, PANEL)
    doc["correlations"] = [{"between": ["actors.a.positions.presence", "actors.a.capability"],
                            "rank_correlation": 0.5}]
    with pytest.raises(RealpolitikError, match="is estimated by an expert panel"):
        parse_scenario(yaml.safe_dump(doc))
    sc = parse_scenario(yaml.safe_dump(_with_panel(minimal_path, PANEL)))
    # built in Python, past the file's checks: sampling refuses it too
    sc = sc.model_copy(update={"correlations": [Correlation(**doc["correlations"][0])]})
    with pytest.raises(RealpolitikError, match="estimated by an expert panel"):
        sample_inputs(sc, 10, seed=0)
