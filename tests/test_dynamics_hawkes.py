"""The discrete-time Hawkes process: sampler, likelihood and maximum-likelihood fit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from realpolitik.dynamics import hawkes


@given(st.floats(0.0, 60.0), st.floats(1e-9, 0.999))
@settings(max_examples=200, deadline=None)
def test_poisson_icdf_matches_scipy(lam: float, u: float) -> None:
    """The vectorised inverse CDF equals scipy's Poisson quantile."""
    got = hawkes.poisson_icdf(np.array([u]), np.array([lam]))[0]
    want = stats.poisson.ppf(u, lam) if lam > 0 else 0.0
    assert got == pytest.approx(want)


def _uniforms(seed: int, shape: tuple[int, int]) -> np.ndarray:
    return np.random.default_rng(seed).random(shape)


def test_sampler_stationary_mean_rate() -> None:
    """Without covariates the long-run rate is mu / (1 - n)."""
    mu, n, rho = 2.0, 0.6, 0.5
    counts, _ = hawkes.simulate(mu, n, rho, _uniforms(1, (400, 400)))
    mean = counts[:, 50:].mean()
    # time-average of a cluster process: sd about 0.015 here; 0.1 is more than 6 sd
    assert mean == pytest.approx(mu / (1 - n), abs=0.1)


def test_sampler_branching_ratio_cluster_size() -> None:
    """Immigrants of one bin and no later ones: each leaves 1/(1-n) attacks in all (n per generation)."""
    mu, n, rho = 1.0, 0.5, 0.4
    t_len, b = 80, 20000
    covariate = np.full(t_len, -1000.0)
    covariate[0] = 0.0  # background only in the first bin
    counts, _ = hawkes.simulate(mu, n, rho, _uniforms(2, (b, t_len)), covariate=covariate, beta=1.0)
    immigrants = counts[:, 0].mean()
    offspring = counts[:, 1:].sum(axis=1).mean()
    assert immigrants == pytest.approx(mu, abs=0.05)
    # descendants per immigrant: n + n^2 + ... = n / (1 - n) = 1
    assert offspring / immigrants == pytest.approx(n / (1 - n), abs=0.06)


def test_intensities_match_the_recursion() -> None:
    """The filtered intensity equals the bin-by-bin definition."""
    rng = np.random.default_rng(3)
    counts = rng.poisson(3.0, 50).astype(float)
    weights = (rng.random(50) < 0.2) * 2.0
    x = rng.random(50)
    mu, n, rho, beta, gamma, tau = 1.5, 0.4, 0.3, -0.7, 0.2, 4.0
    e = d = 0.0
    want = []
    for t in range(50):
        want.append(mu * np.exp(beta * x[t] - gamma * d) + n * e)
        e = rho * e + (1 - rho) * counts[t]
        d = d * np.exp(-1 / tau) + weights[t]
    got = hawkes.intensities(counts, mu, n, rho, covariate=x, beta=beta,
                             strike_weights=weights, gamma=gamma, tau=tau)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_fit_recovers_known_parameters() -> None:
    """ML on a long simulated series lands within 3 standard errors of the truth."""
    truth = {"mu": 2.0, "n": 0.5, "rho": 0.3}
    counts, _ = hawkes.simulate(truth["mu"], truth["n"], truth["rho"], _uniforms(4, (1, 3000)))
    fit = hawkes.fit(counts[0])
    assert fit.converged
    for name, value in truth.items():
        assert abs(fit.estimate[name] - value) < 3 * fit.se[name], (name, fit.estimate, fit.se)
    # and the standard errors are informative (not huge)
    assert fit.se["n"] < 0.1
    assert fit.se["mu"] < 0.5


def test_fit_recovers_deterrence_parameters() -> None:
    """With regular strikes the deterrence effect and persistence are recovered within 3 SE."""
    truth = {"mu": 6.0, "n": 0.3, "rho": 0.0, "gamma": 0.4, "tau": 5.0}
    t_len = 2000
    weights = np.zeros(t_len)
    weights[::15] = 3.0
    counts, _ = hawkes.simulate(truth["mu"], truth["n"], truth["rho"], _uniforms(5, (1, t_len)),
                                strike_weights=weights, gamma=truth["gamma"], tau=truth["tau"])
    fit = hawkes.fit(counts[0], strike_weights=weights, fixed={"rho": 0.0})
    assert fit.converged
    for name in ("mu", "n", "gamma", "tau"):
        assert abs(fit.estimate[name] - truth[name]) < 3 * fit.se[name], (name, fit.estimate, fit.se)


def test_fit_interval_respects_bounds() -> None:
    """Intervals are computed on the log/logit scale: the branching ratio stays below 1."""
    counts, _ = hawkes.simulate(1.0, 0.8, 0.2, _uniforms(6, (1, 300)))
    fit = hawkes.fit(counts[0])
    lo, hi = fit.interval("n")
    assert 0.0 < lo < fit.estimate["n"] < hi < 1.0


def test_draws_follow_the_fit() -> None:
    """Parameter draws centre on the estimates; fixed parameters are constant."""
    counts, _ = hawkes.simulate(2.0, 0.4, 0.0, _uniforms(7, (1, 1500)))
    fit = hawkes.fit(counts[0], fixed={"rho": 0.0})
    draws = fit.draw(np.random.default_rng(0).standard_normal((4000, len(fit.names))))
    assert np.median(draws["mu"]) == pytest.approx(fit.estimate["mu"], rel=0.05)
    assert np.all(draws["rho"] == 0.0)
