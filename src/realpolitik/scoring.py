"""Scores of forecasts against outcomes, shared by the backtest and the dynamics evaluation.

A ground-floor module (numpy only): the outcome-learning code (``realpolitik.backtest``) and the
dynamics evaluation (``realpolitik.dynamics``) are siblings that may not import each other, so
every scoring rule both need lives here, once.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def absolute_errors(forecast: ArrayLike, outcome: ArrayLike) -> NDArray[np.float64]:
    """``|forecast - outcome|`` elementwise, as floats; NaN in either gives a ValueError."""
    f = np.asarray(forecast, dtype=float)
    y = np.asarray(outcome, dtype=float)
    if not (np.all(np.isfinite(f)) and np.all(np.isfinite(y))):
        raise ValueError("absolute_errors: forecasts and outcomes must be finite numbers")
    return np.abs(f - y)


def interval_coverage(outcome: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> float:
    """The share of outcomes inside their closed interval ``[lower, upper]``.

    Raises ValueError for an empty input, non-finite values, or an interval with lower > upper.
    """
    y = np.asarray(outcome, dtype=float)
    lo = np.broadcast_to(np.asarray(lower, dtype=float), y.shape)
    hi = np.broadcast_to(np.asarray(upper, dtype=float), y.shape)
    if y.size == 0:
        raise ValueError("interval_coverage: no outcomes")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
        raise ValueError("interval_coverage: outcomes and bounds must be finite numbers")
    if np.any(lo > hi):
        raise ValueError("interval_coverage: a lower bound exceeds its upper bound")
    return float(np.mean((y >= lo) & (y <= hi)))


# --- proper scoring rules for count forecasts (the dynamics evaluation) ----------------------
# A predictive distribution of a count is given as its probability mass function over the
# support 0, 1, ..., K on the last axis (``pmf[..., k] = P(Y = k)``); outcomes are counts of the
# leading shape. Mass the caller leaves beyond K is treated as lying just above K. All scores
# are negatively oriented (smaller is better). Gneiting and Raftery (2007), "Strictly proper
# scoring rules, prediction, and estimation", JASA 102(477), define the rules; Czado, Gneiting
# and Held (2009), "Predictive model assessment for count data", Biometrics 65(4), adapt the
# probability integral transform (PIT) to counts.

#: Probabilities below this are floored in the log score, so that one outcome a forecast calls
#: impossible gives a large finite score (about 27.6) instead of an infinite mean.
LOG_FLOOR = 1e-12


def _pmf_outcomes(pmf: ArrayLike, outcome: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    p = np.asarray(pmf, dtype=float)
    y = np.asarray(outcome, dtype=float)
    if p.ndim < 1 or p.shape[-1] < 1:
        raise ValueError("a count forecast needs a pmf over 0..K on its last axis")
    if p.shape[:-1] != y.shape:
        raise ValueError(f"pmf of shape {p.shape} does not match outcomes of shape {y.shape}")
    if not (np.all(np.isfinite(p)) and np.all(np.isfinite(y))):
        raise ValueError("pmfs and outcomes must be finite numbers")
    if np.any(p < 0) or np.any(y < 0) or np.any(y != np.round(y)):
        raise ValueError("pmfs must be >= 0 and outcomes non-negative integers")
    return p, y.astype(np.int64)


def count_cdf(pmf: ArrayLike, k: ArrayLike) -> NDArray[np.float64]:
    """``P(Y <= k)`` of each count forecast (0 for k < 0, the total mass for k >= K)."""
    p = np.asarray(pmf, dtype=float)
    cdf = np.cumsum(p, axis=-1)
    kk = np.asarray(k, dtype=np.int64)
    idx = np.clip(kk, 0, p.shape[-1] - 1)
    out = np.take_along_axis(cdf, idx[..., None], axis=-1)[..., 0]
    return np.where(kk < 0, 0.0, out)


def crps_count(pmf: ArrayLike, outcome: ArrayLike) -> NDArray[np.float64]:
    r"""The ranked probability score of count forecasts: CRPS for integer outcomes.

    :math:`\mathrm{CRPS}(F, y) = \sum_{k \ge 0} (F(k) - \mathbf 1\{y \le k\})^2`
    (Gneiting and Raftery 2007, section 4.2; Czado et al. 2009, section 3). Over the support
    0..K plus, for an outcome above K, the terms K+1..y-1 (where F is its total mass).
    """
    p, y = _pmf_outcomes(pmf, outcome)
    cdf = np.cumsum(p, axis=-1)
    k = np.arange(p.shape[-1])
    step = (y[..., None] <= k).astype(float)
    score = np.sum((cdf - step) ** 2, axis=-1)
    beyond = np.maximum(y - p.shape[-1], 0)
    return score + beyond * cdf[..., -1] ** 2


def crps_samples(samples: ArrayLike, outcome: ArrayLike) -> NDArray[np.float64]:
    r"""CRPS of forecasts given as samples on the last axis: ``E|X - y| - E|X - X'| / 2``.

    The kernel form of Gneiting and Raftery (2007, eq. 21) with the empirical distribution of
    the samples, computed from sorted samples in O(m log m) per forecast.
    """
    x = np.sort(np.asarray(samples, dtype=float), axis=-1)
    y = np.asarray(outcome, dtype=float)
    if x.shape[:-1] != y.shape or x.shape[-1] < 1:
        raise ValueError(f"samples of shape {x.shape} do not match outcomes of shape {y.shape}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("samples and outcomes must be finite numbers")
    m = x.shape[-1]
    first = np.mean(np.abs(x - y[..., None]), axis=-1)
    weights = (2.0 * np.arange(1, m + 1) - m - 1.0) / m**2
    spread = np.sum(weights * x, axis=-1)  # = E|X - X'| / 2
    return first - spread


def log_score(pmf: ArrayLike, outcome: ArrayLike) -> NDArray[np.float64]:
    """The logarithmic score ``-log P(Y = y)`` (probabilities floored at :data:`LOG_FLOOR`)."""
    p, y = _pmf_outcomes(pmf, outcome)
    inside = y < p.shape[-1]
    idx = np.clip(y, 0, p.shape[-1] - 1)
    prob = np.where(inside, np.take_along_axis(p, idx[..., None], axis=-1)[..., 0], 0.0)
    return -np.log(np.maximum(prob, LOG_FLOOR))


def randomized_pit(pmf: ArrayLike, outcome: ArrayLike, uniforms: ArrayLike) -> NDArray[np.float64]:
    """The randomised PIT of count forecasts: ``F(y - 1) + v (F(y) - F(y - 1))``, v ~ U(0, 1).

    Uniform on [0, 1] when the forecasts are calibrated (Czado et al. 2009, section 2.1); the
    caller supplies the uniforms ``v`` (one per outcome), so the result is reproducible.
    """
    p, y = _pmf_outcomes(pmf, outcome)
    v = np.broadcast_to(np.asarray(uniforms, dtype=float), y.shape)
    lo = count_cdf(p, y - 1)
    hi = count_cdf(p, y)
    return lo + v * (hi - lo)


def pit_histogram(pmf: ArrayLike, outcome: ArrayLike, bins: int = 10) -> NDArray[np.float64]:
    """The non-randomised mean PIT histogram of count forecasts: the share in each of ``bins``.

    Each outcome spreads its PIT uniformly over ``[F(y - 1), F(y)]`` (Czado et al. 2009, eq. 2
    and section 2.1), so the histogram is the expected histogram of the randomised PIT, without
    its noise. Flat (every bar ``1 / bins``) for calibrated forecasts; a U shape means too
    narrow, a hump too wide.
    """
    p, y = _pmf_outcomes(pmf, outcome)
    if bins < 1:
        raise ValueError("pit_histogram: at least one bin")
    lo = count_cdf(p, y - 1).ravel()
    hi = np.minimum(count_cdf(p, y), 1.0).ravel()
    if lo.size == 0:
        raise ValueError("pit_histogram: no outcomes")
    edges = np.linspace(0.0, 1.0, bins + 1)
    width = np.maximum(hi - lo, 1e-15)
    # F_i(u): the conditional PIT distribution, linear from lo to hi
    cdf_at = np.clip((edges[None, :] - lo[:, None]) / width[:, None], 0.0, 1.0)
    return np.mean(np.diff(cdf_at, axis=1), axis=0)


def count_quantile(pmf: ArrayLike, q: float) -> NDArray[np.float64]:
    """The ``q`` quantile of count forecasts: the smallest k with ``F(k) >= q`` (K if none)."""
    p = np.asarray(pmf, dtype=float)
    if not 0.0 <= q <= 1.0:
        raise ValueError("count_quantile: q must lie in [0, 1]")
    cdf = np.cumsum(p, axis=-1)
    below = cdf < q - 1e-12
    return np.sum(below, axis=-1).clip(max=p.shape[-1] - 1).astype(float)


def central_band_coverage(pmf: ArrayLike, outcome: ArrayLike, level: float) -> float:
    """The share of outcomes inside the central ``level`` band ``[q_(1-l)/2, q_(1+l)/2]``.

    For counts the band is a set of whole numbers holding at least ``level`` of the mass, so
    well-calibrated forecasts of small counts cover *more* than ``level`` (the zero class alone
    may hold more than the band needs).
    """
    p, y = _pmf_outcomes(pmf, outcome)
    if not 0.0 < level < 1.0:
        raise ValueError("central_band_coverage: level must lie in (0, 1)")
    lo = count_quantile(p, (1.0 - level) / 2.0)
    hi = count_quantile(p, (1.0 + level) / 2.0)
    return interval_coverage(y, lo, hi)
