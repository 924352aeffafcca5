"""The count scoring rules of realpolitik.scoring (CRPS, log score, PIT, band coverage)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from realpolitik.scoring import (
    central_band_coverage,
    count_quantile,
    crps_count,
    crps_samples,
    log_score,
    pit_histogram,
    randomized_pit,
)


def test_crps_of_a_point_mass_is_the_absolute_error() -> None:
    """A forecast certain of 2 scores |y - 2| (CRPS generalises the absolute error)."""
    pmf = np.array([0.0, 0.0, 1.0, 0.0])
    for y in range(7):
        assert crps_count(pmf, y) == pytest.approx(abs(y - 2))
        assert crps_samples([2.0], y) == pytest.approx(abs(y - 2))


def test_crps_count_hand_computed() -> None:
    """pmf (1/4, 1/2, 1/4) worked by hand from CRPS = sum_k (F(k) - 1{y <= k})^2."""
    pmf = np.array([0.25, 0.5, 0.25])
    # F = (0.25, 0.75, 1); y=0: (0.25-1)^2 + (0.75-1)^2 + 0 = 0.5625 + 0.0625 = 0.625
    assert crps_count(pmf, 0) == pytest.approx(0.625)
    # y=1: 0.25^2 + (0.75-1)^2 = 0.125
    assert crps_count(pmf, 1) == pytest.approx(0.125)


def test_crps_count_equals_sample_crps_of_the_same_distribution() -> None:
    pmf = np.array([0.25, 0.5, 0.25])
    samples = np.array([0.0, 1.0, 1.0, 2.0])
    for y in range(6):
        assert crps_count(pmf, y) == pytest.approx(crps_samples(samples, y))


def test_scores_are_proper_on_average() -> None:
    """Outcomes drawn from Poisson(4): the true pmf beats a shifted and a too-wide one."""
    rng = np.random.default_rng(0)
    y = rng.poisson(4.0, 4000)
    k = np.arange(60)
    true = np.broadcast_to(stats.poisson.pmf(k, 4.0), (y.size, k.size))
    shifted = np.broadcast_to(stats.poisson.pmf(k, 6.0), (y.size, k.size))
    wide = np.broadcast_to(stats.nbinom.pmf(k, 1.0, 1.0 / (1.0 + 4.0)), (y.size, k.size))
    for score in (crps_count, log_score):
        t = score(true, y).mean()
        assert t < score(shifted, y).mean()
        assert t < score(wide, y).mean()


def test_log_score_and_floor() -> None:
    pmf = np.array([[0.5, 0.5, 0.0], [0.5, 0.5, 0.0]])
    out = log_score(pmf, np.array([1, 2]))
    assert out[0] == pytest.approx(np.log(2.0))
    assert np.isfinite(out[1]) and out[1] > 27


def test_pit_is_uniform_for_calibrated_counts() -> None:
    """Czado et al. (2009): calibrated count forecasts give a flat PIT histogram."""
    rng = np.random.default_rng(1)
    lam = rng.uniform(0.3, 6.0, 5000)
    y = rng.poisson(lam)
    pmf = stats.poisson.pmf(np.arange(40)[None, :], lam[:, None])
    hist = pit_histogram(pmf, y, bins=10)
    assert hist.sum() == pytest.approx(1.0)
    assert np.max(np.abs(hist - 0.1)) < 0.015
    u = randomized_pit(pmf, y, rng.random(y.size))
    assert stats.kstest(u, "uniform").pvalue > 0.01
    # a too-narrow forecast (Poisson for over-dispersed outcomes) gives a U shape
    y_over = rng.negative_binomial(1.0, 1.0 / (1.0 + lam))
    u_shape = pit_histogram(pmf, y_over, bins=10)
    assert u_shape[0] > 0.15 and u_shape[-1] > 0.15


def test_band_coverage_and_quantiles() -> None:
    pmf = np.array([0.2, 0.3, 0.3, 0.2])
    assert count_quantile(pmf, 0.05) == 0
    assert count_quantile(pmf, 0.5) == 1
    assert count_quantile(pmf, 0.95) == 3
    pmfs = np.broadcast_to(pmf, (4, 4))
    # 50% band [q.25, q.75] = [1, 2]: outcomes 0, 1, 2, 3 -> 2 of 4 inside
    assert central_band_coverage(pmfs, np.array([0, 1, 2, 3]), 0.5) == pytest.approx(0.5)


def test_bad_input_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="outcomes"):
        crps_count(np.array([0.5, 0.5]), -1)
    with pytest.raises(ValueError, match="match"):
        log_score(np.ones((2, 3)) / 3, np.array([1, 2, 0]))
    with pytest.raises(ValueError, match="finite"):
        crps_samples(np.array([np.nan, 1.0]), 1.0)
