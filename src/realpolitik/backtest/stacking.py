"""Learning from outcomes: stacked member weights, grouped cross-validation, conformal bands.

Everything here works on plain arrays, all on the 0-100 scale (each issue's forecasts and
outcome mapped by ``100 (x - lower) / (upper - lower)``): ``F`` (n, m) holds m members'
forecasts of n issues, ``y`` (n,) the outcomes, ``groups`` (n,) the proposal each issue belongs
to. :mod:`realpolitik.backtest.crossval` builds them from data sets.

* :func:`grouped_folds` splits the groups (never the issues of one group) into k folds.
* :func:`fit_weights` finds non-negative weights summing to one that minimise the sum of
  absolute errors of ``F @ w`` (stacking, Wolpert 1992; Breiman 1996), as a linear programme:
  minimise ``sum t`` subject to ``-t <= F w - y <= t``, ``w >= 0``, ``sum w = 1``.
* :func:`cross_val_predict` gives out-of-fold (OOF) forecasts: each fold is forecast with
  weights fitted on the other folds only.
* :func:`conformal_quantile` is the split-conformal quantile of absolute residuals (Vovk,
  Gammerman and Shafer 2005; Lei, G'Sell, Rinaldo, Tibshirani and Wasserman 2018, *JASA*
  113(523): 1094-1111): the ``ceil((n + 1) level)``-th smallest of n scores, so that a new
  exchangeable case falls within ``forecast +- q`` with probability at least ``level``.
* :func:`nested_coverage` measures that promise on held-out folds: for each outer fold the
  quantile comes from out-of-fold residuals of the *other* folds (an inner cross-validation),
  the outer fold's outcomes are never seen, and the share of them inside the band is counted.
* :func:`paired_bootstrap` resamples groups (proposals) with replacement, the same draw for
  both methods, for an interval of the difference of two mean absolute errors.

References
----------
* Wolpert, D. H. (1992). "Stacked generalization." *Neural Networks* 5(2): 241-259.
* Breiman, L. (1996). "Stacked regressions." *Machine Learning* 24(1): 49-64.
* Vovk, V., Gammerman, A. and Shafer, G. (2005). *Algorithmic Learning in a Random World*.
  Springer.
* Lei, J., G'Sell, M., Rinaldo, A., Tibshirani, R. J. and Wasserman, L. (2018).
  "Distribution-free predictive inference for regression." *JASA* 113(523): 1094-1111.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from realpolitik.errors import RealpolitikError
from realpolitik.seeds import generator

#: The nominal levels of the calibrated bands.
LEVELS = (0.8, 0.9)


def grouped_folds(groups: Sequence[str], k: int, *, seed: int = 0) -> list[np.ndarray]:
    """Indices of the issues in each of ``k`` folds; every group lies wholly in one fold.

    Groups are shuffled (seeded) and dealt, largest first, to the fold with fewest issues so
    far, so folds have similar sizes. ``k`` larger than the number of groups is reduced to it.
    """
    labels = np.asarray([str(g) for g in groups])
    unique = sorted(set(labels.tolist()))
    if k < 2:
        raise RealpolitikError(f"cross-validation needs at least 2 folds, got {k}",
                               options=("folds",))
    if len(unique) < 2:
        raise RealpolitikError("cross-validation needs issues of at least 2 proposals",
                               options=("folds",))
    k = min(k, len(unique))
    rng = generator(seed)
    order = [unique[i] for i in rng.permutation(len(unique))]
    sizes = {g: int(np.sum(labels == g)) for g in unique}
    order.sort(key=lambda g: -sizes[g])  # stable: ties keep the shuffled order
    load = [0] * k
    members: list[list[str]] = [[] for _ in range(k)]
    for g in order:
        j = int(np.argmin(load))
        members[j].append(g)
        load[j] += sizes[g]
    return [np.flatnonzero(np.isin(labels, m)) for m in members]


def fit_weights(F: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Non-negative weights summing to one minimising ``sum |F w - y|`` (a linear programme)."""
    from scipy import sparse  # lazily: forecasts read LEVELS without loading scipy
    from scipy.optimize import linprog

    F = np.asarray(F, dtype=float)
    y = np.asarray(y, dtype=float)
    n, m = F.shape
    if n == 0:
        raise RealpolitikError("cannot fit weights on no issues")
    if m == 1:
        return np.ones(1)
    # variables: w (m), t (n); minimise sum t
    c = np.concatenate([np.zeros(m), np.ones(n)])
    eye = sparse.identity(n, format="csr")
    a_ub = sparse.vstack([sparse.hstack([sparse.csr_matrix(F), -eye]),
                          sparse.hstack([sparse.csr_matrix(-F), -eye])], format="csr")
    b_ub = np.concatenate([y, -y])
    a_eq = np.concatenate([np.ones(m), np.zeros(n)])[None, :]
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[1.0],
                  bounds=[(0, None)] * (m + n), method="highs")
    if not res.success:  # pragma: no cover - the programme is always feasible and bounded
        raise RealpolitikError(f"fitting the ensemble weights failed: {res.message}")
    w = np.clip(res.x[:m], 0.0, None)
    return w / w.sum()


def cross_val_predict(
    F: np.ndarray, y: np.ndarray, folds: Sequence[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold stacked forecasts (n,) and the weights fitted for each fold (k, m)."""
    n, m = F.shape
    oof = np.full(n, np.nan)
    weights = np.empty((len(folds), m))
    for j, test in enumerate(folds):
        train = np.setdiff1d(np.arange(n), test)
        w = fit_weights(F[train], y[train])
        weights[j] = w
        oof[test] = F[test] @ w
    return oof, weights


def conformal_quantile(scores: np.ndarray, level: float) -> float:
    """The split-conformal quantile of ``scores``: the ceil((n+1) level)-th smallest.

    ``inf`` when there are too few scores for the level (n < level / (1 - level)).
    """
    s = np.sort(np.asarray(scores, dtype=float))
    n = len(s)
    rank = math.ceil((n + 1) * level)
    if n == 0 or rank > n:
        return math.inf
    return float(s[rank - 1])


@dataclass(frozen=True)
class Coverage:
    """Measured coverage of a nominal level on held-out folds."""

    level: float
    covered: int
    n: int
    mean_width: float  # mean half-width of the band, 0-100 scale

    @property
    def share(self) -> float:
        """Share of held-out outcomes inside their band."""
        return self.covered / self.n if self.n else math.nan


def nested_coverage(
    F: np.ndarray, y: np.ndarray, groups: Sequence[str], folds: Sequence[np.ndarray], *,
    levels: Sequence[float] = LEVELS, inner_k: int = 5, seed: int = 0, stacked: bool = True,
) -> tuple[dict[float, np.ndarray], dict[float, np.ndarray]]:
    """Per issue, whether its outcome fell in its band, and the band's half-width, per level.

    For each outer fold, the band's half-width is the conformal quantile of the absolute
    residuals of an inner grouped cross-validation on the other folds (``stacked``: weights
    refitted inside; otherwise ``F`` has one column, a fixed method, whose errors are used
    directly); it is applied around the outer fold's out-of-fold forecast.
    """
    labels = np.asarray([str(g) for g in groups])
    n = len(y)
    inside = {lv: np.zeros(n, dtype=bool) for lv in levels}
    half = {lv: np.full(n, np.nan) for lv in levels}
    for j, test in enumerate(folds):
        train = np.setdiff1d(np.arange(n), test)
        if stacked:
            w = fit_weights(F[train], y[train])
            pred = F[test] @ w
            inner = grouped_folds(labels[train], inner_k, seed=seed + 1 + j)
            inner_oof, _ = cross_val_predict(F[train], y[train], inner)
            resid = np.abs(inner_oof - y[train])
        else:
            pred = F[test, 0]
            resid = np.abs(F[train, 0] - y[train])
        for lv in levels:
            q = conformal_quantile(resid, lv)
            half[lv][test] = q
            inside[lv][test] = np.abs(pred - y[test]) <= q + 1e-9
    return inside, half


def paired_bootstrap(
    errors_a: np.ndarray, errors_b: np.ndarray, groups: Sequence[str], *, seed: int,
    n_boot: int = 2000,
) -> tuple[float, float, float]:
    """Mean of ``errors_a - errors_b`` and a 95 % percentile interval, resampling groups.

    Proposals (groups) are drawn with replacement, the same draw for both methods (paired);
    issues of one proposal, whose errors are correlated, stay together.
    """
    diff = np.asarray(errors_a, dtype=float) - np.asarray(errors_b, dtype=float)
    labels = np.asarray([str(g) for g in groups])
    unique, inverse = np.unique(labels, return_inverse=True)
    sums = np.bincount(inverse, weights=diff, minlength=len(unique))
    counts = np.bincount(inverse, minlength=len(unique)).astype(float)
    point = float(diff.mean())
    if n_boot <= 0 or len(unique) < 2:
        return point, math.nan, math.nan
    rng = generator(seed)
    draw = rng.integers(0, len(unique), size=(n_boot, len(unique)))
    means = sums[draw].sum(axis=1) / counts[draw].sum(axis=1)
    lo, hi = np.quantile(means, [0.025, 0.975])
    return point, float(lo), float(hi)
