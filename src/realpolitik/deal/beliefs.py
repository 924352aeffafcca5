"""The parties' beliefs about each other: opponent types drawn from a declared distribution.

A party's belief about its opponent (``deal.beliefs.<holder>`` in the scenario) is a finite set
of ``types`` hypotheses, each a complete draw of the opponent's uncertain inputs -- weights,
value functions, no-agreement cost and, for a party bound by the domestic constraint, its
domestic weight -- with equal prior probability (Zeng & Sycara 1998; Harsanyi 1967-68 for
types). Type ``k`` of sample ``s`` takes, for every uncertain input ``x`` with point value
``x0``::

    x_k = centre + spread * (d_k - x0)

where ``d_k`` is an independent draw from the input's declared distribution (its own random
stream, so the truth of the sample is not among the draws), ``centre`` is ``x0`` (``point``:
the party knows what the analyst knows, a common prior) or the sample's true value (``truth``:
a noisy signal around the truth), and ``spread`` widens (> 1) or narrows (< 1) the declared
uncertainty. Values are clipped to [0, 1] and weights renormalised. With ``centre: truth`` and
``spread: 0`` every type is the truth (exact beliefs: the complete-information protocol). The
package-to-scale mapping and the collective forecast are public: each type shares the sample's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from realpolitik.deal.domain import OutcomeSpace
from realpolitik.deal.domestic import DomesticDraws
from realpolitik.deal.private import Belief
from realpolitik.deal.problem import party_utility
from realpolitik.deal.utility import Draw, PartyDraws, draw_party
from realpolitik.errors import RealpolitikError
from realpolitik.scenario.sections.deal import Beliefs, DealSection
from realpolitik.scenario.values import UncertainValue

Information = Literal["complete", "private"]


@dataclass(frozen=True)
class BeliefSpec:
    """How one party's belief is built (the scenario's, possibly overridden)."""

    types: int
    centre: Literal["point", "truth"]
    spread: np.ndarray          # (S,) drawn spread
    noise: float


@dataclass(frozen=True)
class TypeDraws:
    """A party's hypotheses about the opponent: the opponent's inputs for S * K rows."""

    party: PartyDraws                 # rows s * K + k
    domestic: DomesticDraws | None    # when the opponent answers to the coalition
    types: int
    noise: float

    def take(self, index: slice) -> TypeDraws:
        """The types of samples ``index`` (a slice with step 1)."""
        k = self.types
        rows = slice(index.start * k, index.stop * k)
        return replace(self, party=self.party.take(rows),
                       domestic=None if self.domestic is None else self.domestic.take(rows))

    def belief(self, space: OutcomeSpace, xp: Any = np) -> Belief:
        """The belief's arrays: types' utilities (S, K, N), reserved values (S, K), prior."""
        u, r = party_utility(space, self.party, self.domestic, xp)
        s = u.shape[0] // self.types
        u = xp.reshape(u, (s, self.types, u.shape[1]))
        r = xp.reshape(r, (s, self.types))
        prior = xp.full_like(r, 1.0 / self.types)
        return Belief(u, r, prior, self.noise)


def type_draw(draw: Draw, spec: BeliefSpec, holder: str) -> Draw:
    """A draw of ``S * K`` type values per input, from ``draw`` (the sample's truth)."""
    k = spec.types

    def typed(path: str, value: UncertainValue) -> np.ndarray:
        truth = draw(path, value)
        if value.distribution is None:
            return np.repeat(truth, k)
        dev = np.stack([draw(f"{path}@belief.{holder}.{j}", value) - value.point
                        for j in range(k)], axis=1)
        centre = truth[:, None] if spec.centre == "truth" else np.full_like(dev, value.point)
        x = centre + spec.spread[:, None] * dev
        bounded = np.clip(x, 0.0, 1.0) if 0.0 <= value.point <= 1.0 else x
        return bounded.reshape(-1)

    return typed


def belief_spec(section: DealSection, holder: str, draw: Draw, n: int, *,
                spread: float | None = None, types: int | None = None,
                centre: str | None = None) -> BeliefSpec:
    """The belief ``holder`` holds over ``n`` samples (default: the declared uncertainty)."""
    raw = section.beliefs.get(holder) or Beliefs()
    drawn = np.broadcast_to(draw(f"deal.beliefs.{holder}.spread", raw.spread), (n,)) \
        if spread is None else np.full(n, float(spread))
    if np.any(drawn < 0):
        raise RealpolitikError(f"a belief's spread must be >= 0, got {float(np.min(drawn)):g}")
    k = raw.types if types is None else int(types)
    if k < 1:
        raise RealpolitikError(f"a belief needs at least one type, got {k}")
    c = centre or raw.centre
    if c not in ("point", "truth"):
        raise RealpolitikError(f"a belief's centre is 'point' or 'truth', got {c!r}")
    return BeliefSpec(k, c, drawn, raw.noise)  # type: ignore[arg-type]


def draw_types(space: OutcomeSpace, section: DealSection, holder: int, spec: BeliefSpec,
               draw: Draw, domestic: DomesticDraws | None) -> TypeDraws:
    """Party ``holder``'s hypotheses about the other party (index ``1 - holder``).

    ``domestic`` is the sample's domestic constraint: when it binds the opponent, its domestic
    weight is drawn per type and the mapping and forecast are shared.
    """
    from realpolitik.deal.utility import party_parts

    other = 1 - holder
    actor = section.parties[other]
    typed = type_draw(draw, spec, section.parties[holder])
    party = draw_party(space, actor, party_parts(section)[other], typed)
    dom = None
    if domestic is not None and domestic.party == other:
        assert section.domestic is not None
        lam = typed("deal.domestic.weight", section.domestic.weight)
        dom = replace(domestic.repeat(spec.types), weight=lam)
    return TypeDraws(party, dom, spec.types, spec.noise)
