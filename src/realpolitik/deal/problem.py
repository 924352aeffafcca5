"""The bargaining problem of a deal section: both parties' utilities and reserved values.

:func:`draw_problem` draws every uncertain input of the deal (weights, value functions, costs,
the domestic constraint) for ``S`` samples, or takes the point values; :func:`utilities` turns a
(chunk of the) draws into the arrays the solution concepts and the protocol take: ``ua``, ``ub``
(S, N) and ``ra``, ``rb`` (S,).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from realpolitik.deal.domain import OutcomeSpace
from realpolitik.deal.domestic import DomesticDraws, draw_domestic, effective_utility
from realpolitik.deal.scale import ScaleDraws, draw_scale
from realpolitik.deal.utility import Draw, PartyDraws, additive_utility, draw_party, party_parts
from realpolitik.scenario.schema import Scenario
from realpolitik.scenario.sections.deal import DealSection


@dataclass(frozen=True)
class ProblemDraws:
    """Drawn inputs of both parties (and of the domestic constraint), leading sample axis S."""

    parties: tuple[PartyDraws, PartyDraws]
    domestic: DomesticDraws | None = None
    scale: ScaleDraws | None = None

    @property
    def samples(self) -> int:
        """Number of samples S."""
        return int(self.parties[0].weights.shape[0])

    def take(self, index: slice) -> ProblemDraws:
        """The samples at ``index``."""
        return replace(self, parties=(self.parties[0].take(index), self.parties[1].take(index)),
                       domestic=None if self.domestic is None else self.domestic.take(index),
                       scale=None if self.scale is None else self.scale.take(index))


def draw_problem(scenario: Scenario, section: DealSection, space: OutcomeSpace, draw: Draw,
                 forecast: np.ndarray | None = None, model: str = "") -> ProblemDraws:
    """Draw both parties' inputs.

    ``forecast`` (S,) is the collective forecast of the domestic issue, needed when the section
    has a domestic constraint.
    """
    specs = party_parts(section)
    parties = (draw_party(space, section.parties[0], specs[0], draw),
               draw_party(space, section.parties[1], specs[1], draw))
    scale = draw_scale(scenario, section, space, draw)
    domestic = None
    if section.domestic is not None:
        if forecast is None:
            raise ValueError("a deal with a domestic constraint needs the collective forecast")
        domestic = draw_domestic(scenario, section, scale, draw, forecast, model)
    return ProblemDraws(parties, domestic, scale)


def party_utility(space: OutcomeSpace, pd: PartyDraws, domestic: DomesticDraws | None,
                  xp: Any = np) -> tuple[Any, Any]:
    """One party's utility of every package (S, N) and its reserved value (S,).

    ``domestic`` is the constraint when it binds this party (its effective utility), else None.
    """
    index = xp.asarray(space.index)
    tables = tuple(xp.asarray(t) for t in pd.tables)
    u = additive_utility(xp.asarray(pd.weights), tables, index, xp)
    if domestic is not None:
        u = effective_utility(u, domestic, index, xp)
    return u, u[:, pd.no_agreement] - xp.asarray(pd.cost)


def utilities(space: OutcomeSpace, draws: ProblemDraws, xp: Any = np) -> tuple[Any, Any, Any, Any]:
    """``(ua, ub, ra, rb)``: utilities of every package (S, N) and reserved values (S,)."""
    out = [party_utility(space, pd, draws.domestic if draws.domestic is not None
                         and draws.domestic.party == p else None, xp)
           for p, pd in enumerate(draws.parties)]
    return out[0][0], out[1][0], out[0][1], out[1][1]
