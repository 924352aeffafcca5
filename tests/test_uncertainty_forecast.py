"""Monte Carlo forecasts: forecast(samples=N), chunked and parallel runs, bands, warnings, CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import realpolitik as rp
from realpolitik.errors import RealpolitikError
from realpolitik.runner import chunk_bounds
from realpolitik.uncertainty.distribution import (
    ForecastDistribution,
    order_statistic_mcse,
    suggest_samples,
    wilson,
)
from realpolitik.uncertainty.montecarlo import default_chunk_size, simulate

SMALL = str(Path(__file__).parent / "data" / "uncertainty" / "small.yaml")


@pytest.fixture(scope="module")
def small():
    return rp.load_scenario(SMALL)


@pytest.mark.parametrize("model", ["median", "compromise"])
def test_serial_chunked_and_parallel_runs_agree(small, model):
    """Same seed: identical forecasts whatever the chunk size and number of threads."""
    a = simulate(small, model, 1000, seed=5)
    b = simulate(small, model, 1000, seed=5, chunk_size=37)
    c = simulate(small, model, 1000, seed=5, chunk_size=100, workers=3)
    assert np.array_equal(a.values, b.values)
    assert np.array_equal(a.values, c.values)


def test_forecast_with_samples_keeps_the_point_forecast(small):
    """The point forecast is unchanged; the distribution is added alongside."""
    point = rp.forecast(small, "median")
    sampled = rp.forecast(small, "median", samples=500, seed=2)
    assert sampled.forecast == point.forecast
    frame = sampled.to_frame()
    assert {"p05", "median", "p95"} <= set(frame.columns)
    assert (frame["p05"] <= frame["median"]).all()
    assert (frame["median"] <= frame["p95"]).all()
    with pytest.raises(RealpolitikError, match="samples=N"):
        point.distribution()


def test_summary_matches_numpy_and_bands_sum_to_one(small):
    """Quantiles are numpy's; band probabilities cover every sample once."""
    dist = rp.forecast(small, "compromise", samples=2000, seed=1).distribution()
    summary = dist.summary().set_index("issue")
    for j, iid in enumerate(small.issue_ids):
        col = dist.values[:, j]
        assert summary.loc[iid, "median"] == pytest.approx(np.quantile(col, 0.5))
        assert summary.loc[iid, "p05"] == pytest.approx(np.quantile(col, 0.05))
    bands = dist.bands()
    for _, sub in bands.groupby("issue"):
        assert sub["probability"].sum() == pytest.approx(1.0)
        assert (sub["ci_low"] <= sub["probability"]).all()
        assert (sub["probability"] <= sub["ci_high"]).all()
    tidy = dist.to_frame()
    assert len(tidy) == 2000 * len(small.issues)
    assert list(tidy.columns) == ["sample", "issue", "forecast"]


def test_band_assignment_matches_band_of(small):
    """A sample counts in the first band that holds it, exactly as the point forecast's band."""
    from realpolitik.api import band_of
    from realpolitik.scenario.bands import band_counts

    issue = small.issue("presence")
    values = np.array([0.0, 15.0, 15.0, 49.9, 50.0, 100.0])
    counts = {b.name: k for b, k in band_counts(issue, values)}
    expected: dict[str, int] = {}
    for v in values:
        name = band_of(issue, float(v))
        expected[name] = expected.get(name, 0) + 1
    assert counts == expected


def test_order_statistic_mcse_and_small_n_rule():
    """MCSE: half the gap of the order statistics around the quantile; too few samples: NaN."""
    x = np.arange(1000.0)
    # ranks 50 -/+ sqrt(47.5) -> floor(43.1)=43, ceil(56.9)=57 -> (57 - 43) / 2
    assert order_statistic_mcse(x, 0.05) == pytest.approx(7.0)
    assert math.isnan(order_statistic_mcse(np.arange(51.0), 0.95))
    assert not math.isnan(order_statistic_mcse(np.arange(52.0), 0.95))
    assert suggest_samples(100, 1.5, 0.5) == 1000
    assert suggest_samples(1000, 0.6, 0.5) == 2000


def test_wilson_interval_contains_the_estimate():
    """The Wilson interval brackets k/n and stays in [0, 1]."""
    assert wilson(0, 100)[0] == 0.0
    lo, hi = wilson(30, 100)
    assert lo < 0.3 < hi
    assert wilson(100, 100)[1] == 1.0


def test_small_n_warns_and_large_n_does_not(small):
    """Too few samples for a stable 5-95% band give a warning that suggests a larger N."""
    few = simulate(small, "compromise", 30, seed=0)
    assert any("too few" in w for w in few.warnings())
    some = simulate(small, "compromise", 200, seed=0)
    assert any("unstable" in w and "samples or more" in w for w in some.warnings())
    assert not any("--samples" in w for w in few.warnings() + some.warnings())  # no CLI flags
    many = simulate(small, "compromise", 20000, seed=0)
    assert not many.warnings()


def test_one_small_n_rule():
    """band_check is the rule behind the warnings: too few below 52, then the MCSE criterion."""
    from realpolitik.uncertainty.distribution import SUGGESTED_SAMPLES, band_check, min_samples

    assert min_samples() == 52
    few = band_check(np.linspace(0, 100, 51), 100)
    assert few.too_few and not few.stable and few.suggested == SUGGESTED_SAMPLES
    assert "51 samples are too few" in few.message() and "2,000 samples or more" in few.message()
    flat = band_check(np.full(60, 40.0), 100)
    assert flat.stable and flat.mcse == 0 and flat.message() is None
    wide = band_check(np.random.default_rng(0).uniform(0, 100, 200), 100)
    assert not wide.stable and wide.mcse > wide.limit == 0.5
    assert f"about {wide.suggested:,} samples" in wide.message()


def test_distribution_quantiles_and_bands(small):
    """ForecastDistribution.quantiles and .band_probabilities are numpy's and the band rule's."""
    from realpolitik.scenario.bands import band_shares

    dist = simulate(small, "compromise", 300, seed=2)
    for j, issue in enumerate(small.issues):
        x = dist.values[:, j]
        q = dist.quantiles(issue.id)
        assert [q[k] for k in ("p05", "p25", "p50", "p75", "p95")] == list(
            np.quantile(x, [0.05, 0.25, 0.5, 0.75, 0.95]))
        assert q["mean"] == float(np.mean(x))
        assert dist.band_probabilities(issue.id) == band_shares(issue, x)
        assert dist.band_check(issue.id).stable == bool(
            dist.summary().set_index("issue").loc[issue.id, "stable"])


def test_constant_forecast_says_nothing_varies():
    """A scenario without uncertain inputs: zero spread, stable band, a plain note."""
    sc = rp.load_scenario(str(Path(__file__).parent / "data" / "valid" / "minimal.yaml"))
    sc = sc.model_copy(update={"actors": [a.model_copy(update={"capability": a.capability.model_copy(update={"distribution": None})}) for a in sc.actors]})
    dist = simulate(sc, "median", 200, seed=0)
    assert np.ptp(dist.values, axis=0).max() == 0
    assert dist.summary()["stable"].all()
    assert any("no uncertain input" in w for w in dist.warnings())


def test_progress_callback_counts_every_sample(small):
    """A progress callable sees the running total of N, ending at N."""
    seen: list[tuple[int, int]] = []
    simulate(small, "median", 250, seed=0, chunk_size=100,
             progress=lambda stage, done, total: seen.append((done, total)))
    assert seen == [(100, 250), (200, 250), (250, 250)]


def test_bad_sample_counts_are_user_errors(small):
    """N < 1, a bad chunk size or bad workers are refused plainly."""
    with pytest.raises(RealpolitikError, match="samples"):
        simulate(small, "median", 0)
    with pytest.raises(RealpolitikError, match="chunk"):
        chunk_bounds(10, 0)
    with pytest.raises(RealpolitikError, match="workers"):
        simulate(small, "median", 10, workers=0)


def test_default_chunk_size_bounds_memory():
    """Chunks shrink with n^2 d so that a chunk's state stays within the budget."""
    assert default_chunk_size(11, 2) == 2**14  # 2^23 / (11^2 * 2 + 4 * 11 * 2 + 2) = 25266
    big = default_chunk_size(1000, 1)
    assert big * 1000 * 1000 <= 2**23 * 2
    assert default_chunk_size(10**5, 3) == 1


def test_json_has_a_distribution_key_that_fits_the_schema(run_cli):
    """`forecast --samples N --format json` adds `distribution`; the document still validates."""
    jsonschema = pytest.importorskip("jsonschema")
    from realpolitik.api.schema import forecast_schema

    code, out, err = run_cli("forecast", SMALL, "--samples", "300", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    jsonschema.validate(doc, forecast_schema())
    dist = doc["distribution"]
    assert dist["samples"] == 300
    issue = dist["issues"][0]
    assert {"p05", "median", "p95", "bands", "stable"} <= set(issue)
    assert sum(b["probability"] for b in issue["bands"]) == pytest.approx(1.0)
    assert "warning" in err  # 300 samples are too few for a stable band here


def test_cli_table_explains_the_bands(run_cli):
    """The table output prints the 5%, median, 95% and band probabilities, in words."""
    code, out, _ = run_cli("forecast", SMALL, "--samples", "400", "--seed", "3")
    assert code == 0
    assert "Monte Carlo forecast" in out
    assert "advisers:" in out
    assert "in 90% of the samples" in out


def test_cli_rejects_bad_sample_count(run_cli):
    """--samples 0 is a user error (exit 2, no traceback)."""
    code, _, err = run_cli("forecast", SMALL, "--samples", "0")
    assert code == 2
    assert "Traceback" not in err


@pytest.mark.parametrize("suffix", [".png", ".html"])
def test_distribution_plot(tmp_path, small, suffix):
    """PNG plots are images; HTML plots are self-contained pages with hover titles."""
    from realpolitik.presentation.uncertainty_plots import distribution_plot

    dist = simulate(small, "median", 500, seed=0)
    path = distribution_plot(dist, tmp_path / f"d{suffix}")
    data = path.read_bytes()
    if suffix == ".png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        text = data.decode()
        assert "<svg" in text and "<title>" in text
        assert "probability" in text
        assert not any(ref in text for ref in ('src="http', 'href="http', "@import"))
        assert "<script" not in text


def test_plot_to_unknown_suffix_is_a_user_error(tmp_path, small):
    """Only .png, .svg and .html are plotted."""
    from realpolitik.presentation.uncertainty_plots import distribution_plot

    dist = ForecastDistribution(small, "median", 0, "stated", np.zeros((60, 2)))
    with pytest.raises(RealpolitikError, match=r"\.png"):
        distribution_plot(dist, tmp_path / "d.jpg")
