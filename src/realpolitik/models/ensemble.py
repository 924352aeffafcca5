"""The ensemble: the (weighted) mean of the forecasts of every other registered collective model.

References
----------
* Bates, J. M. and Granger, C. W. J. (1969). "The combination of forecasts." *Operational
  Research Quarterly* 20(4): 451-468.
* Clemen, R. T. (1989). "Combining forecasts: a review and annotated bibliography."
  *International Journal of Forecasting* 5(4): 559-583.
* Wolpert, D. H. (1992). "Stacked generalization." *Neural Networks* 5(2): 241-259.
* Breiman, L. (1996). "Stacked regressions." *Machine Learning* 24(1): 49-64.
* Armstrong, J. S. (2001). "Combining forecasts." In Armstrong (ed.), *Principles of
  Forecasting*, Kluwer, 417-439 (equal weights unless there is strong evidence for others).

The members are the registered models with ``collective=True`` other than the ensemble itself,
in listing order (:func:`member_specs`), each run with its default parameters on the same input.
The forecast is their equal-weight **mean** on each issue: the literature above finds the plain
average hard to beat and it uses every member, where a median of a handful of members would be
decided by the one in the middle. ``combine="median"`` gives the median instead.

``weights`` (a mapping from every member's name to a weight >= 0, summing to one) gives a
weighted mean instead: the stacked weights fitted on past decisions
(:mod:`realpolitik.backtest.weights`; Wolpert 1992, Breiman 1996). The kernel reads no file: the
service layer passes the fitted weights by default (``forecast(..., weights="equal")`` keeps the
equal-weight mean). Weights whose members are not exactly the ensemble's are refused.

``extra`` holds each member's forecast (key: the model's name, shape (B, d)) and the spread of
the members on each issue: ``spread_min``, ``spread_max`` and ``spread_std`` (population
standard deviation), all (B, d).
:func:`realpolitik.presentation.traces.ensemble_table` turns an outcome into a table.

Stochastic members each get their own seed, derived from ``seed`` and the member's name with
:class:`numpy.random.SeedSequence` (:func:`realpolitik.seeds.member_seed`), so adding a model to the registry
does not change the others' streams. A member that cannot handle the input raises, as it would
alone: the ensemble never drops a member silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from realpolitik.errors import ModelError
from realpolitik.models.base import BargainingInput, BargainingOutcome, ModelSpec
from realpolitik.seeds import member_seed

NAME = "ensemble"
SPREAD_KEYS = ("spread_min", "spread_max", "spread_std")


def member_specs() -> list[ModelSpec]:
    """The registered collective models the ensemble combines, in listing order."""
    from realpolitik.models.registry import list_models

    return [s for s in list_models() if s.collective and s.name != NAME]


def check_weights(weights: Mapping[str, float], members: list[str]) -> list[float]:
    """The weights in member order; a ModelError unless they fit ``members`` exactly."""
    if sorted(weights) != sorted(members):
        raise ModelError(
            f"ensemble: the weights are for {', '.join(sorted(weights))}, but the members are "
            f"{', '.join(members)}; refit them (docs/validation.md) or use equal weights")
    values = [float(weights[m]) for m in members]
    if any(not (v >= 0) for v in values) or abs(sum(values) - 1.0) > 1e-6:
        raise ModelError(f"ensemble: weights must be >= 0 and sum to 1, got {values}")
    return values


def ensemble(
    inp: BargainingInput, *, seed: int | None = None, combine: str = "mean",
    weights: Mapping[str, float] | None = None,
) -> BargainingOutcome:
    """Mean (equal or ``weights``) or median of the member models' forecasts, with their spread."""
    if combine not in ("mean", "median"):
        raise ModelError(f"ensemble: combine must be 'mean' or 'median', got {combine!r}")
    if weights is not None and combine != "mean":
        raise ModelError("ensemble: weights apply to combine='mean' only")
    xp = inp.xp
    specs = member_specs()
    if not specs:
        raise ModelError("ensemble: no other collective model is registered")
    w = None if weights is None else check_weights(weights, [s.name for s in specs])
    forecasts = {s.name: s.fn(inp, seed=member_seed(seed, s.name)).forecast for s in specs}
    stack = xp.stack(list(forecasts.values()), axis=0)  # (m, B, d)
    if w is not None:
        forecast = sum(wi * f for wi, f in zip(w, forecasts.values(), strict=True))
    else:
        forecast = xp.mean(stack, axis=0) if combine == "mean" else _median(xp, stack)
    extra: dict[str, Any] = dict(forecasts)
    extra["spread_min"] = xp.min(stack, axis=0)
    extra["spread_max"] = xp.max(stack, axis=0)
    extra["spread_std"] = xp.std(stack, axis=0)
    return BargainingOutcome(forecast=forecast, extra=extra)


def _median(xp: Any, stack: Any) -> Any:
    """Median over the first axis (the mean of the two middle values for an even count)."""
    m = stack.shape[0]
    ordered = xp.sort(stack, axis=0)
    lo, hi = (m - 1) // 2, m // 2
    return (ordered[lo, ...] + ordered[hi, ...]) / 2


def member_names(outcome: BargainingOutcome) -> list[str]:
    """The member models recorded in an ensemble outcome, in order."""
    return [k for k in outcome.extra if k not in SPREAD_KEYS]


SPEC = ModelSpec(
    name=NAME,
    title="Ensemble (weighted mean of all collective models)",
    fn=ensemble,
    reference=(
        "Bates and Granger (1969), Operational Research Quarterly 20(4):451-468; Clemen (1989), "
        "Int. J. Forecasting 5(4):559-583; Armstrong (2001), Principles of Forecasting"
    ),
    iterative=True,
    cost="the sum of its members",
    description="Mean of every other registered collective model, weighted by their record on "
    "past decisions (or equally), with their spread.",
)
