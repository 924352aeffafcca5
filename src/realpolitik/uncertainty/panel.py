"""Expert panels: several experts' estimates of one input, combined into one distribution.

An input may carry ``experts`` instead of a ``distribution`` (:class:`~realpolitik.scenario.values.
ExpertEstimate`): each expert gives a value, optionally their own bounded distribution (none: a
point estimate), a source and a weight ``w_k`` (default 1, normalised to sum to 1). Two rules:

- ``pool: linear`` (default), the **linear opinion pool** (Stone 1961, *Ann. Math. Stat.* 32:
  1339-1342; reviewed by Genest & Zidek 1986, *Statist. Sci.* 1(1): 114-148): the input's
  distribution is the mixture ``p(x) = sum_k w_k p_k(x)``. It keeps every expert's view, so
  when the experts disagree the pooled spread is wide (or multimodal), and that width reaches
  the forecast's bands. By the law of total variance its variance is
  ``sum_k w_k var_k`` (the experts' own uncertainty) ``+ sum_k w_k (mu_k - mu)^2``
  (their disagreement), which :func:`panel_moments` returns.
- ``pool: triangular``: one triangular distribution fitted to the panel, with the experts'
  lowest low, the weighted mean of their values as mode, and their highest high. A coarser,
  unimodal summary, for analysts who want one familiar shape.

Sampling stays batched and seeded: a sample's uniform ``u`` of the input's own stream (see
:mod:`realpolitik.uncertainty.sampling`) picks expert ``k`` where ``u`` falls among the
cumulative weights ``W_{k-1} <= u < W_k``, and ``(u - W_{k-1}) / w_k``, again uniform, draws
from that expert's distribution through its quantile function. Conditional on ``k`` the rescaled
number is uniform, so the draws follow the mixture exactly; the map is monotone within each
expert, not across experts, so a pooled input cannot take part in the scenario's
``correlations`` (sampling refuses it with a clear message).
"""

from __future__ import annotations

import numpy as np

from realpolitik.scenario.values import Distribution, UncertainValue
from realpolitik.uncertainty.marginals import ppf

__all__ = ["combine_uniforms", "expert_index", "fitted_triangular", "panel_moments",
           "panel_ppf", "panel_quantile", "weights"]

_TINY = 2.0**-54
#: Midpoints on (0, 1) used for the moments of each expert's distribution.
_GRID = (np.arange(4096) + 0.5) / 4096


def weights(v: UncertainValue) -> np.ndarray:
    """The experts' weights, normalised to sum to 1."""
    w = np.array([e.weight for e in v.experts], dtype=float)
    return w / w.sum()


def fitted_triangular(v: UncertainValue) -> Distribution:
    """The triangular fitted to a panel: lowest low, weighted mean value as mode, highest high."""
    w = weights(v)
    lows = [e.distribution.low if e.distribution else e.value for e in v.experts]
    highs = [e.distribution.high if e.distribution else e.value for e in v.experts]
    lo, hi = min(lows), max(highs)
    mode = float(np.dot(w, [e.value for e in v.experts]))
    if not lo < hi:  # every expert gave the same point: a degenerate panel, widen by nothing
        hi = lo + max(abs(lo), 1.0) * 1e-12
    return Distribution(kind="triangular", low=lo, high=hi, mode=min(max(mode, lo), hi))


def expert_index(v: UncertainValue, u: np.ndarray) -> np.ndarray:
    """Which expert (0-based) each uniform ``u`` picks under the linear pool."""
    cum = np.cumsum(weights(v))
    return np.minimum(np.searchsorted(cum, u, side="right"), len(cum) - 1)


def _expert_ppf(v: UncertainValue, k: int, u: np.ndarray) -> np.ndarray:
    e = v.experts[k]
    if e.distribution is None:
        return np.full(u.shape, float(e.value))
    return ppf(e.distribution, float(e.value), u)


def panel_ppf(v: UncertainValue, u: np.ndarray) -> np.ndarray:
    """Draws of a panel input from uniforms ``u`` (any shape), by its ``pool`` rule."""
    if v.pool == "triangular":
        return ppf(fitted_triangular(v), v.point, u)
    w = weights(v)
    cum = np.cumsum(w)
    k = expert_index(v, u)
    start = cum[k] - w[k]
    inner = np.clip((u - start) / w[k], _TINY, 1.0 - _TINY)
    out = np.empty(u.shape, dtype=float)
    for j in range(len(w)):
        mask = k == j
        if mask.any():
            out[mask] = _expert_ppf(v, j, inner[mask])
    return out


def combine_uniforms(v: UncertainValue, which: np.ndarray, within: np.ndarray) -> np.ndarray:
    """The one uniform that picks the expert ``which`` selects (a uniform) and draws ``within``.

    Two independent uniforms (one for the choice of expert, one for the expert's own draw) map
    to the single uniform :func:`panel_ppf` reads: ``W_{k-1} + w_k * within``. Sensitivity
    analysis uses it to give disagreement and own uncertainty a Sobol index each.
    """
    w = weights(v)
    k = expert_index(v, which)
    return np.clip(np.cumsum(w)[k] - w[k] + w[k] * within, _TINY, 1.0 - _TINY)


def panel_moments(v: UncertainValue) -> tuple[float, float, float]:
    """(mean, within, between) of a linear pool's variance decomposition.

    ``within`` is the weighted mean of the experts' variances (their own uncertainty),
    ``between`` the weighted variance of their means (their disagreement); the pool's variance
    is their sum (the law of total variance).
    """
    w = weights(v)
    means = np.empty(len(w))
    variances = np.empty(len(w))
    for k in range(len(w)):
        x = _expert_ppf(v, k, _GRID)
        means[k], variances[k] = float(x.mean()), float(x.var())
    mean = float(np.dot(w, means))
    return mean, float(np.dot(w, variances)), float(np.dot(w, (means - mean) ** 2))


def panel_quantile(v: UncertainValue, q: float) -> float:
    """The ``q`` quantile of the pooled distribution (from a fine grid of the mixture's draws)."""
    if v.pool == "triangular":
        return float(ppf(fitted_triangular(v), v.point, np.array([q]))[0])
    return float(np.quantile(panel_ppf(v, _GRID), q))


def input_quantile(v: UncertainValue, q: float) -> float:
    """The ``q`` quantile of an uncertain input: its distribution's, or its panel's."""
    if v.experts:
        return panel_quantile(v, q)
    assert v.distribution is not None
    return float(ppf(v.distribution, v.point, np.array([q]))[0])


def input_rows(values: list[UncertainValue], u: np.ndarray) -> np.ndarray:
    """Draws of uncertain inputs from uniforms ``u`` (m, n): row ``k`` through ``values[k]``.

    Inputs with a distribution go through :func:`~realpolitik.uncertainty.marginals.ppf_rows`
    together (one vectorised call per kind); panels through :func:`panel_ppf`, one row each.
    """
    from realpolitik.uncertainty.marginals import ppf_rows

    out = np.empty_like(u)
    plain = [k for k, v in enumerate(values) if not v.experts]
    if plain:
        out[plain] = ppf_rows([values[k].distribution for k in plain],  # type: ignore[misc]
                              [values[k].point for k in plain], u[plain])
    for k, v in enumerate(values):
        if v.experts:
            out[k] = panel_ppf(v, u[k])
    return out
