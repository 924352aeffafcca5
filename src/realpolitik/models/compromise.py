"""The compromise model: the capability x salience weighted mean of positions.

Reference: Achen, C. H. (2006). "Institutional realism and bargaining models." In Thomson,
Stokman, Achen and König (eds.), *The European Union Decides*, Cambridge University Press,
ch. 4 (the "compromise model" of eq. 4.6, weights = capability x salience); also
van den Bos, G. A. M. (1991), *Dutch EC policy making: a model-guided approach*.

On each issue ``j`` the forecast is ``sum_i c_i s_ij x_ij / sum_i c_i s_ij``. Where every
weight of an issue is zero (no actor cares or none has capability) the model is undefined;
we return the status quo there (nobody moves it) and record it in ``extra["undefined"]``.
"""

from __future__ import annotations

from typing import Any

from realpolitik.models.base import BargainingInput, BargainingOutcome, ModelSpec


def weights(inp: BargainingInput) -> Any:
    """Capability x salience, shape (B, n, d)."""
    return inp.capability[:, :, None] * inp.salience


def compromise(inp: BargainingInput, *, seed: int | None = None) -> BargainingOutcome:
    """Capability x salience weighted mean of positions per issue (status quo where all weights are 0)."""
    xp = inp.xp
    w = weights(inp)
    total = xp.sum(w, axis=1)
    undefined = total <= 0
    safe_total = xp.where(undefined, xp.ones_like(total), total)
    mean = xp.sum(w * inp.position, axis=1) / safe_total
    forecast = xp.where(undefined, inp.status_quo, mean)
    return BargainingOutcome(forecast=forecast, extra={"undefined": undefined})


SPEC = ModelSpec(
    name="compromise",
    title="Compromise model (weighted mean)",
    fn=compromise,
    reference="Achen (2006), The European Union Decides, ch. 4, eq. 4.6; van den Bos (1991)",
    cost="O(n d)",
    description="Capability x salience weighted mean of the actors' positions.",
)
