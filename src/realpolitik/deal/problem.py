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
from realpolitik.deal.utility import Draw, PartyDraws, additive_utility, draw_party, party_parts
from realpolitik.scenario.schema import Scenario
from realpolitik.scenario.sections.deal import DealSection


@dataclass(frozen=True)
class ProblemDraws:
    """Drawn inputs of both parties (and of the domestic constraint), leading sample axis S."""

    parties: tuple[PartyDraws, PartyDraws]
    domestic: DomesticDraws | None = None

    @property
    def samples(self) -> int:
        """Number of samples S."""
        return int(self.parties[0].weights.shape[0])

    def take(self, index: slice) -> ProblemDraws:
        """The samples at ``index``."""
        return replace(self, parties=(self.parties[0].take(index), self.parties[1].take(index)),
                       domestic=None if self.domestic is None else self.domestic.take(index))


def draw_problem(scenario: Scenario, section: DealSection, space: OutcomeSpace, draw: Draw,
                 forecast: np.ndarray | None = None, model: str = "") -> ProblemDraws:
    """Draw both parties' inputs.

    ``forecast`` (S,) is the collective forecast of the domestic issue, needed when the section
    has a domestic constraint.
    """
    specs = party_parts(section)
    parties = (draw_party(space, section.parties[0], specs[0], draw),
               draw_party(space, section.parties[1], specs[1], draw))
    domestic = None
    if section.domestic is not None:
        if forecast is None:
            raise ValueError("a deal with a domestic constraint needs the collective forecast")
        domestic = draw_domestic(scenario, section, space, draw, forecast, model)
    return ProblemDraws(parties, domestic)


def utilities(space: OutcomeSpace, draws: ProblemDraws, xp: Any = np) -> tuple[Any, Any, Any, Any]:
    """``(ua, ub, ra, rb)``: utilities of every package (S, N) and reserved values (S,)."""
    index = xp.asarray(space.index)
    u = []
    for p, pd in enumerate(draws.parties):
        tables = tuple(xp.asarray(t) for t in pd.tables)
        own = additive_utility(xp.asarray(pd.weights), tables, index, xp)
        if draws.domestic is not None and draws.domestic.party == p:
            own = effective_utility(own, draws.domestic, index, xp)
        u.append(own)
    r = [u[p][:, pd.no_agreement] - xp.asarray(pd.cost) for p, pd in enumerate(draws.parties)]
    return u[0], u[1], r[0], r[1]
