"""Inverse distribution functions (quantile functions) of the scenario's input distributions.

Sampling goes through the quantile function: a uniform number ``u`` in (0, 1) becomes the input
value ``F^-1(u)``. The same map serves Monte Carlo draws, the Gaussian copula of correlated
inputs and the quasi-random Sobol designs of SALib, so one definition of each distribution
serves all three. The distributions are those of :class:`realpolitik.scenario.values.Distribution`:

- ``uniform`` on [low, high];
- ``triangular`` on [low, high] with its mode at ``mode`` if given, else at the point value;
- ``truncnormal``: normal with mean at the point value and standard deviation ``sd``, truncated
  to [low, high];
- ``beta(a, b)`` rescaled from [0, 1] to [low, high] (the point value is not used).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from realpolitik.scenario.values import Distribution


def ppf(dist: Distribution, point: float, u: np.ndarray) -> np.ndarray:
    """The quantile function of ``dist`` (with point value ``point``) at ``u`` in (0, 1)."""
    lo, hi = float(dist.low), float(dist.high)
    span = hi - lo
    if dist.kind == "uniform":
        x = lo + u * span
    elif dist.kind == "triangular":
        mode = float(dist.mode) if dist.mode is not None else float(point)
        cut = (mode - lo) / span
        left = lo + np.sqrt(u * span * (mode - lo))
        right = hi - np.sqrt((1.0 - u) * span * (hi - mode))
        x = np.where(u < cut, left, right)
    elif dist.kind == "truncnormal":
        x = _truncnormal_ppf(float(point), float(dist.sd or 1.0), lo, hi, u)
    elif dist.kind == "beta":
        x = lo + span * special.betaincinv(float(dist.a or 1.0), float(dist.b or 1.0), u)
    else:  # pragma: no cover - the schema admits no other kind
        raise ValueError(f"unknown distribution kind {dist.kind!r}")
    return np.clip(x, lo, hi)


def ppf_rows(dists: list[Distribution], points: list[float], u: np.ndarray) -> np.ndarray:
    """Quantile functions applied row by row: row ``k`` of ``u`` (m, n) through ``dists[k]``.

    Rows of one kind are transformed together with per-row parameters (one vectorised call per
    kind rather than one per input), which matters when a chunk has many inputs.
    """
    out = np.empty_like(u)
    kinds: dict[str, list[int]] = {}
    for k, dist in enumerate(dists):
        kinds.setdefault(dist.kind, []).append(k)
    for kind, rows in kinds.items():
        sub = u[rows]

        def col(values: list[float]) -> np.ndarray:
            return np.array(values, dtype=float)[:, None]

        lo = col([float(dists[k].low) for k in rows])
        hi = col([float(dists[k].high) for k in rows])
        span = hi - lo
        if kind == "uniform":
            x = lo + sub * span
        elif kind == "triangular":
            mode = col([float(dists[k].mode) if dists[k].mode is not None else float(points[k])
                        for k in rows])
            left = sub < (mode - lo) / span
            # one square root for both branches: u (hi-lo)(c-lo) left of the mode,
            # (1-u)(hi-lo)(hi-c) right of it; then lo + root or hi - root
            root = np.where(left, sub * (span * (mode - lo)), (1.0 - sub) * (span * (hi - mode)))
            np.sqrt(root, out=root)
            x = np.where(left, lo + root, hi - root)
        elif kind == "beta":
            a = col([float(dists[k].a or 1.0) for k in rows])
            b = col([float(dists[k].b or 1.0) for k in rows])
            x = lo + span * special.betaincinv(a, b, sub)
        else:  # truncnormal: tails differ per row, so one row at a time
            x = np.stack([_truncnormal_ppf(float(points[k]), float(dists[k].sd or 1.0),
                                           float(dists[k].low), float(dists[k].high), sub[r])
                          for r, k in enumerate(rows)])
        out[rows] = np.clip(x, lo, hi)
    return out


def _truncnormal_ppf(mean: float, sd: float, lo: float, hi: float, u: np.ndarray) -> np.ndarray:
    """Quantile of a normal(mean, sd) truncated to [lo, hi], accurate in either tail.

    With a = (lo - mean)/sd and b = (hi - mean)/sd, x = mean + sd * Phi^-1(Phi(a) + u (Phi(b) -
    Phi(a))). When the truncation window lies far in the upper tail, Phi(a) rounds to 1, so we
    then work with the mirrored variable (upper-tail probabilities) instead.
    """
    a, b = (lo - mean) / sd, (hi - mean) / sd
    if a > 0:  # window in the upper tail: mirror so that the probabilities stay small
        pa, pb = special.ndtr(-a), special.ndtr(-b)      # pa > pb
        z = -special.ndtri(pa - u * (pa - pb))
    else:
        pa, pb = special.ndtr(a), special.ndtr(b)
        z = special.ndtri(pa + u * (pb - pa))
    return mean + sd * z


def quantile(dist: Distribution, point: float, q: float) -> float:
    """One quantile ``q`` of the input's distribution."""
    return float(ppf(dist, point, np.array([q]))[0])
