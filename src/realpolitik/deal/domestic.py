"""The domestic constraint: a party's acceptable set depends on its coalition.

A government that must carry its coalition can only accept deals its coalition would ratify
(Putnam 1988, "Diplomacy and domestic politics: the logic of two-level games", *International
Organization* 42(3): 427-460: the *win-set*). We take the coalition's view from the scenario's
collective bargaining forecast: a registered collective model (the weighted median, the
compromise model, ...) forecasts where the scenario's actors settle the issue ``issue`` (for
``iraq-2024``: ``us_presence``; the Coordination Framework, the PMF, the militias and Iran pull
toward 0, the Kurds, the army and NATO toward a continued presence). The mapping:

1. Each package ``o`` gets a position on the collective issue's scale,
   ``P(o) = sum_k pi_k s_k(o_k)``, from the section's package-to-scale mapping (``scale``, see
   :mod:`realpolitik.deal.scale`; the same mapping ``realpolitik deal`` reports packages on).
2. With the collective forecast ``f`` (per Monte Carlo sample: the model run on that sample's
   actor inputs), the coalition's satisfaction with a package falls linearly with its distance::

       D(o) = 1 - |P(o) - f| / (upper - lower)         (1 at P(o) = f)

3. The party's effective utility mixes its own interests and its coalition's, with the
   domestic weight ``lambda`` (uncertain input)::

       U_eff(o) = (1 - lambda) * U_own(o) + lambda * D(o)

   and its reserved value is computed from ``U_eff`` too (see :mod:`realpolitik.deal.utility`).

So when the pro-withdrawal camp gains capability, ``f`` falls: packages with many troops and a
late end lose effective utility, and the no-agreement package (expulsion, ``P = 0``) gains, which
raises the reserved value. Both shrink the party's acceptable set toward fewer troops and an
earlier end, and the deal moves with it. The mapping is linear and transparent by design; it is
one choice among many, stated in ``docs/deal.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from realpolitik.deal.scale import ScaleDraws, package_position
from realpolitik.deal.utility import Draw
from realpolitik.errors import RealpolitikError
from realpolitik.models.base import BargainingInput
from realpolitik.progress import Progress
from realpolitik.runner import run_chunks, run_model
from realpolitik.scenario.schema import Scenario
from realpolitik.scenario.sections.deal import DealSection


@dataclass(frozen=True)
class DomesticDraws:
    """Drawn inputs of the domestic constraint, with a leading sample axis S."""

    party: int                        # 0 or 1: which party answers to the coalition
    issue: str                        # the scenario issue whose forecast binds it
    model: str                        # the collective model that forecast it
    weight: np.ndarray                # (S,) lambda
    scale: ScaleDraws                 # the package-to-scale mapping
    forecast: np.ndarray              # (S,) collective forecast f on the issue's scale

    def take(self, index: slice) -> DomesticDraws:
        """The samples at ``index``."""
        return replace(self, weight=self.weight[index], scale=self.scale.take(index),
                       forecast=self.forecast[index])

    def repeat(self, k: int) -> DomesticDraws:
        """Each sample repeated ``k`` times in a row, for opponent types."""
        return replace(self, weight=np.repeat(self.weight, k), scale=self.scale.repeat(k),
                       forecast=np.repeat(self.forecast, k))


def collective_forecast(scenario: Scenario, issue: str, model: str, *, positions: str = "stated",
                        samples: int | None = None, seed: int = 0, start: int = 0,
                        progress: Progress | None = None,
                        params: dict[str, Any] | None = None) -> np.ndarray:
    """The collective model's forecast of ``issue``, one value per sample.

    At point values when ``samples`` is None (shape (1,)), else for Monte Carlo samples
    ``start .. start + samples - 1`` of the actors' inputs (``progress`` per chunk). ``params``
    go to the model (the ensemble's ``weights``, so that the constraint follows the same
    ensemble as ``forecast``).
    """
    from realpolitik.models.registry import get_model
    from realpolitik.scenario.arrays import to_input

    spec = get_model(model)
    if issue not in scenario.issue_ids:
        raise RealpolitikError(f"deal.domestic.issue: no scenario issue {issue!r}; issues are "
                               + ", ".join(scenario.issue_ids))
    j = scenario.issue_ids.index(issue)
    if samples is None:
        outcome = run_model(spec, to_input(scenario, positions=positions), seed=seed,
                            params=params)
        return np.asarray(outcome.forecast, dtype=np.float64)[:, j]
    from realpolitik.uncertainty.sampling import sample_inputs

    def make_input(a: int, b: int) -> BargainingInput:
        return sample_inputs(scenario, b - a, seed, positions, start=a)  # type: ignore[arg-type]

    from realpolitik.models.ensemble import NAME as ENSEMBLE
    from realpolitik.models.ensemble import member_specs
    from realpolitik.runner.cost import estimate
    from realpolitik.uncertainty.montecarlo import timed_chunk_size

    n, d = len(scenario.actors), len(scenario.issues)
    per_sample = sum(estimate(spec, member_specs() if spec.name == ENSEMBLE else [], n,
                              d).values())
    return run_chunks(spec, make_input, samples, seed=seed, start=start, progress=progress,
                      stage="collective forecast", params=params,
                      chunk_size=timed_chunk_size(n, d, per_sample))[:, j]


def draw_domestic(scenario: Scenario, section: DealSection, scale: ScaleDraws | None,
                  draw: Draw, forecast: np.ndarray, model: str) -> DomesticDraws:
    """Draw the domestic constraint's inputs; ``forecast`` holds the collective forecast (S,).

    The coalition's satisfaction is measured on the section's package-to-scale mapping
    ``scale`` (:mod:`realpolitik.deal.scale`), which must be on the constraint's issue.
    """
    dom = section.domestic
    assert dom is not None
    if dom.party not in section.parties:
        raise RealpolitikError(f"deal.domestic.party: {dom.party!r} is not a party of the deal")
    if scale is None or scale.issue != dom.issue:
        raise RealpolitikError(f"deal.domestic: the constraint needs the package-to-scale "
                               f"mapping on {dom.issue!r} (`deal.scale`)")
    lam = draw("deal.domestic.weight", dom.weight)
    n = lam.shape[0]
    f = np.broadcast_to(np.asarray(forecast, dtype=np.float64), (n,)).copy()
    return DomesticDraws(section.parties.index(dom.party), dom.issue, model, lam, scale, f)


def effective_utility(own: Any, draws: DomesticDraws, index: Any, xp: Any) -> Any:
    """``(1 - lambda) U_own + lambda D`` with the coalition's satisfaction ``D`` (S, N)."""
    position = package_position(draws.scale, index, xp)
    span = draws.scale.upper - draws.scale.lower
    satisfaction = 1.0 - xp.abs(position - xp.asarray(draws.forecast)[:, None]) / span
    lam = xp.asarray(draws.weight)[:, None]
    return (1.0 - lam) * own + lam * satisfaction
