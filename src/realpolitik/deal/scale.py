"""One scale: where a package lies on an issue of the scenario.

The deal section's ``scale`` block (or, in older files, the domestic constraint's ``presence``)
places every package on the scale of one scenario issue -- for iraq-2024 ``us_presence``, with
its anchors (0 no forces, 30 a few hundred trainers, 42 about 1,000 noncombat troops, 60 the
April 2024 status quo)::

    P(o) = sum_k pi_k s_k(o_k)

with a weight ``pi_k`` per deal issue (renormalised to sum 1 in every sample) and a map ``s_k``
from the issue's values to the scale (labels, or points with linear interpolation, flat beyond
the outermost). The same mapping serves three purposes, so that the collective forecast and the
negotiated package speak one language: ``realpolitik deal`` reports where the agreed packages
land; the domestic constraint (:mod:`realpolitik.deal.domestic`) measures the coalition's
satisfaction on it; and the service layer puts the negotiated package next to each collective
model's forecast. The map is linear and transparent by design (docs/deal.md).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from realpolitik.deal.domain import OutcomeSpace
from realpolitik.deal.utility import Draw, additive_utility, normalised_weights, value_tables
from realpolitik.errors import RealpolitikError
from realpolitik.scenario.schema import Scenario
from realpolitik.scenario.sections.deal import DealSection


@dataclass(frozen=True)
class ScaleDraws:
    """Drawn inputs of the mapping, leading sample axis S."""

    issue: str                        # the scenario issue
    weights: np.ndarray               # (S, K) pi, zero for deal issues not mapped
    tables: tuple[np.ndarray, ...]    # per deal issue (S, m_k): position on the scale
    lower: float
    upper: float

    def take(self, index: slice) -> ScaleDraws:
        """The samples at ``index``."""
        return replace(self, weights=self.weights[index],
                       tables=tuple(t[index] for t in self.tables))

    def repeat(self, k: int) -> ScaleDraws:
        """Each sample repeated ``k`` times in a row (S * k samples), for opponent types."""
        return replace(self, weights=np.repeat(self.weights, k, axis=0),
                       tables=tuple(np.repeat(t, k, axis=0) for t in self.tables))


def draw_scale(scenario: Scenario, section: DealSection, space: OutcomeSpace,
               draw: Draw) -> ScaleDraws | None:
    """Draw the mapping's inputs (None when the section declares no mapping)."""
    mapping = section.mapping()
    if mapping is None:
        return None
    if mapping.issue not in scenario.issue_ids:
        raise RealpolitikError(f"deal.scale.issue: no scenario issue {mapping.issue!r}; issues "
                               "are " + ", ".join(scenario.issue_ids))
    unknown = [k for k in mapping.issues if k not in space.ids]
    if unknown:
        raise RealpolitikError("deal.scale.issues: unknown deal issues " + ", ".join(unknown))
    lower, upper = scenario.issue(mapping.issue).scale
    weights = normalised_weights(space, {k: v.weight for k, v in mapping.issues.items()}, draw,
                                 "deal.scale.weights", "deal.scale.issues")
    tables = value_tables(space, {k: v.scale for k, v in mapping.issues.items()}, draw,
                          "deal.scale.positions")
    return ScaleDraws(mapping.issue, weights, tuple(tables), float(lower), float(upper))


def package_position(draws: ScaleDraws, index: Any, xp: Any = np) -> Any:
    """``P[s, o]``: where each package lies on the scenario issue's scale, shape (S, N)."""
    return additive_utility(xp.asarray(draws.weights),
                            tuple(xp.asarray(t) for t in draws.tables), index, xp)
