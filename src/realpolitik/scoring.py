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
