"""The one rule that puts a forecast in an issue's outcome band.

An issue declares named bands ``[low, high]`` on its scale. A value lies in the first band listed
that contains it (bands may share an edge: the earlier one wins), or in none. Point forecasts
(:func:`band_of`) and Monte Carlo samples (:func:`band_counts`) follow the same rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from realpolitik.scenario.schema import Issue, OutcomeBand


def band_of(issue: Issue, value: float) -> str | None:
    """Name of the band of ``issue`` that holds ``value`` (None where no band does)."""
    for band in issue.bands:
        if band.low <= value <= band.high:
            return band.name
    return None


def band_counts(issue: Issue, values: np.ndarray) -> list[tuple[OutcomeBand, int]]:
    """How many of ``values`` (1-D) fall in each band of ``issue``, in the order listed."""
    values = np.asarray(values, dtype=float)
    free = np.ones(values.shape[0], dtype=bool)
    out = []
    for band in issue.bands:
        inside = free & (values >= band.low) & (values <= band.high)
        out.append((band, int(np.count_nonzero(inside))))
        free &= ~inside
    return out


def band_shares(issue: Issue, values: np.ndarray) -> dict[str, float]:
    """Share of ``values`` in each band of ``issue`` (by band name)."""
    values = np.asarray(values, dtype=float)
    n = values.shape[0]
    return {band.name: (k / n if n else float("nan")) for band, k in band_counts(issue, values)}
