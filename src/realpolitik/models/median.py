"""The weighted median: Black's median voter with capability x salience votes.

Reference: Black, D. (1948). "On the rationale of group decision-making." *Journal of
Political Economy* 56(1): 23-34; with weighted votes as in Bueno de Mesquita (1994),
"Political forecasting: an expected utility method", in Bueno de Mesquita and Stokman (eds.),
*European Community Decision Making*, Yale University Press, ch. 4 (the weighted median as the
predicted outcome before bargaining).

On each issue, actors are sorted by position and weighted by ``c_i * s_ij``. The *lower*
weighted median is the smallest position whose cumulative weight reaches half of the total;
the *upper* is the largest position with at least half of the weight at or above it. With an
odd split they coincide; where the weight splits exactly in half between two positions, we
return their midpoint, which keeps the answer symmetric when the scale is reversed (the
literature leaves this tie open). Where every weight of an issue is zero the status quo is
returned and flagged in ``extra["undefined"]``.
"""

from __future__ import annotations

from typing import Any

from realpolitik.models.base import BargainingInput, BargainingOutcome, ModelSpec
from realpolitik.models.compromise import weights


def weighted_median(position: Any, weight: Any, xp: Any) -> tuple[Any, Any]:
    """Midpoint of the lower and upper weighted medians along axis 1; returns (median, undefined).

    ``position`` and ``weight`` have shape (B, n, d). Ties (equal positions) are harmless.
    """
    order = xp.argsort(position, axis=1)
    pos = xp.take_along_axis(position, order, axis=1)
    w = xp.take_along_axis(weight, order, axis=1)
    total = xp.sum(w, axis=1, keepdims=True)
    undefined = total[:, 0, :] <= 0
    half = total / 2
    below = xp.cumulative_sum(w, axis=1)            # weight at or below each sorted actor
    above = total - below + w                        # weight at or above each sorted actor
    n = position.shape[1]
    idx = xp.reshape(xp.arange(n), (1, n, 1))
    big = n + 1
    lower_i = xp.min(xp.where(below >= half, idx, big), axis=1, keepdims=True)
    upper_i = xp.max(xp.where(above >= half, idx, -1), axis=1, keepdims=True)
    lower_i = xp.clip(lower_i, 0, n - 1)
    upper_i = xp.clip(upper_i, 0, n - 1)
    lo = xp.take_along_axis(pos, lower_i, axis=1)[:, 0, :]
    hi = xp.take_along_axis(pos, upper_i, axis=1)[:, 0, :]
    return (lo + hi) / 2, undefined


def median(inp: BargainingInput, *, seed: int | None = None) -> BargainingOutcome:
    """Capability x salience weighted median position per issue."""
    xp = inp.xp
    med, undefined = weighted_median(inp.position, weights(inp), xp)
    forecast = xp.where(undefined, inp.status_quo, med)
    return BargainingOutcome(forecast=forecast, extra={"undefined": undefined})


SPEC = ModelSpec(
    name="median",
    title="Weighted median (Black's median voter)",
    fn=median,
    reference="Black (1948), J. Political Economy 56(1):23-34; Bueno de Mesquita (1994), ch. 4",
    cost="O(n log n d)",
    description="The position a capability x salience weighted majority cannot beat.",
)
