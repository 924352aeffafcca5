"""The report's and the dashboard's figures are the service layer's, to the last digit.

The report (``realpolitik report``) and the dashboard's jobs show :func:`realpolitik.api.report.analyse`
and its JSON (:func:`realpolitik.api.report_export.analysis_json`); both must show exactly what
``realpolitik.api.forecast(..., samples=N)`` and ``realpolitik.api.dynamics`` give. (The dashboard's
immediate point forecasts, ``/api/forecast``, are checked against ``forecast(...)`` in
``tests/test_dashboard_api.py::test_point_forecast_matches_python_api``.)
"""

from __future__ import annotations

import numpy as np
import pytest

from realpolitik.api import forecast
from realpolitik.api.dynamics import band_warnings, plan_simulation, simulate_options
from realpolitik.api.labels import in_words
from realpolitik.api.report import QUANTILES, analyse
from realpolitik.api.report_export import analysis_json, results_frame
from realpolitik.models.registry import get_model
from realpolitik.scenario.loader import load_scenario

MODELS = ["median", "compromise"]
SAMPLES, SEED = 50, 3


@pytest.fixture(scope="module")
def scenario():
    return load_scenario("iraq-2024")


@pytest.fixture(scope="module")
def analysis(scenario):
    return analyse(scenario, models=MODELS, samples=SAMPLES, seed=SEED,
                   sections=["forecast", "dynamics"], options=["status_quo", "full_withdrawal"])


@pytest.fixture(scope="module")
def service(scenario):
    """The service layer's answer per model: one forecast call with samples."""
    return {m: forecast(scenario, m, samples=SAMPLES, seed=SEED) for m in MODELS}


def test_point_forecasts_are_the_service_layers(analysis, scenario, service) -> None:
    """Point forecasts equal forecast(...)'s, with or without samples."""
    shown = {mf.model: mf for mf in analysis.forecast.models}
    assert list(shown) == MODELS
    for m in MODELS:
        assert shown[m].point == service[m].forecast
        assert shown[m].point == forecast(scenario, m, seed=SEED).forecast


def test_ensemble_is_the_service_layers(analysis, scenario) -> None:
    """The ensemble (run beside the chosen models) is forecast(..., "ensemble")'s too."""
    from realpolitik.api.report import ModelForecast

    ens = analysis.forecast.ensemble
    if not isinstance(ens, ModelForecast):
        pytest.skip("no ensemble model is registered")
    result = forecast(scenario, "ensemble", samples=SAMPLES, seed=SEED)
    assert ens.point == result.forecast
    assert np.array_equal(ens.draws, result.distribution().values)


def test_quantiles_and_bands_are_the_distributions(analysis, scenario, service) -> None:
    """Quantiles and band probabilities equal the ForecastDistribution's (==, not approx)."""
    shown = {mf.model: mf for mf in analysis.forecast.models}
    for m in MODELS:
        dist = service[m].distribution()
        assert np.array_equal(shown[m].draws, dist.values)
        for j, issue in enumerate(scenario.issues):
            q = shown[m].quantiles(issue.id)
            assert q == dist.quantiles(issue.id, QUANTILES)
            x = dist.values[:, j]
            assert [q[f"p{round(p * 100):02d}"] for p in QUANTILES] == [
                float(v) for v in np.quantile(x, QUANTILES)]
            assert shown[m].band_probabilities(scenario, issue.id) == dist.band_probabilities(
                issue.id)


def test_dashboard_json_and_export_show_the_same_numbers(analysis, scenario, service) -> None:
    """The dashboard's job result and the CSV/Parquet export carry the very same numbers."""
    doc = analysis_json(analysis)["forecast"]
    frame = results_frame(analysis)
    for entry in doc["models"]:
        m = entry["model"]
        dist = service[m].distribution()
        assert entry["point"] == service[m].forecast
        for issue in scenario.issues:
            assert entry["quantiles"][issue.id] == dist.quantiles(issue.id, QUANTILES)
            assert entry["bands"][issue.id] == dist.band_probabilities(issue.id)
            rows = frame[(frame.subject == m) & (frame.item == issue.id)]
            values = dict(zip(rows.statistic, rows.value, strict=True))
            assert values["forecast"] == service[m].forecast[issue.id]
            assert values["p50"] == dist.quantiles(issue.id)["p50"]
            for band, p in dist.band_probabilities(issue.id).items():
                assert values[f"P({band})"] == p


def test_warnings_are_the_distributions(analysis, service) -> None:
    """The report's sampling warnings are the distributions' (one small-N rule)."""
    sc = analysis.scenario
    expected = [f"{get_model(m).title}: {in_words(sc, w)}" for m in MODELS
                for w in service[m].distribution().warnings()]
    assert analysis.forecast.warnings[:len(expected)] == expected  # then the ensemble's, if any
    assert expected  # 50 samples are too few for a stable 5-95 % band
    assert not any("--" in w for w in expected)  # a library message names no CLI flag


def test_dynamics_bands_are_the_service_layers(analysis, scenario) -> None:
    """The report's option paths are those of realpolitik.api.dynamics.simulate_options."""
    plan = plan_simulation(scenario, ["status_quo", "full_withdrawal"], seed=SEED)
    runs = simulate_options(plan, samples=SAMPLES, seed=SEED)
    shown = analysis.dynamics
    assert [o.option for o in shown.options] == ["status_quo", "full_withdrawal"]
    for opt, traj in zip(shown.options, runs, strict=True):
        for vid, (lo, med, hi) in opt.bands.items():
            want = traj.band(vid, shown.level)
            for got, exp in zip((lo, med, hi), want, strict=True):
                assert np.array_equal(got, exp)
    assert shown.warnings == [in_words(scenario, w)
                              for w in band_warnings(runs, plan.dynamics, shown.level)]
    assert shown.warnings and "too few for stable" in shown.warnings[0]


def test_analysis_owns_its_json_and_table():
    """``Analysis.to_json()`` and ``to_frame()`` are the export functions' results."""
    an = analyse(load_scenario("iraq-2024"), models=["median"], samples=0,
                 sections=("forecast",))
    assert an.to_json() == analysis_json(an)
    assert an.to_frame().equals(results_frame(an))
