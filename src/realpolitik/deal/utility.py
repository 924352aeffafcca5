"""Utility functions and reserved values of the two parties, batched over Monte Carlo samples.

Each party ``p`` has a linear additive utility function over packages ``o`` (Raiffa 1982,
*The Art and Science of Negotiation*, ch. 10-12; Keeney & Raiffa 1976 for additive value
functions)::

    U_p(o) = sum_k w_pk * v_pk(o_k),      w_pk >= 0, sum_k w_pk = 1,  v_pk in [0, 1]

Weights and value-function entries are uncertain inputs: each Monte Carlo sample draws them
from their distributions, then renormalises the weights to sum to 1 (the scenario gives point
weights that already do). The **reserved value** -- what the party gets with no agreement -- is
the utility of the package that follows a breakdown, less a further cost::

    r_p = U_p(no_agreement.outcome) - cost_p

Where the scenario has a domestic constraint, ``U_p`` of that party is first replaced by its
effective utility (see :mod:`realpolitik.deal.domestic`), and ``r_p`` is computed from the
effective utility as well. Draws are numpy arrays with a leading sample axis ``S``; the package
utilities ``(S, N)`` are built per chunk of samples by :func:`package_utilities`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from realpolitik.deal.domain import OutcomeSpace
from realpolitik.errors import RealpolitikError
from realpolitik.scenario.sections.deal import DealSection, PartyUtility
from realpolitik.scenario.values import UncertainValue

#: ``draw(path, value)`` returns the ``S`` draws of one uncertain input (its point value where
#: it has no distribution); ``path`` names the input's random stream.
Draw = Callable[[str, UncertainValue], np.ndarray]


def point_draw(n: int = 1) -> Draw:
    """A draw that returns every input's point value ``n`` times."""

    def draw(path: str, value: UncertainValue) -> np.ndarray:
        return np.full(n, value.point)

    return draw


def sample_draw(seed: int, start: int, n: int) -> Draw:
    """A draw of samples ``start .. start + n - 1`` from each input's own random stream.

    Uses the streams of :mod:`realpolitik.uncertainty.sampling` (one per input path, reached
    by a jump), so sample ``k`` does not depend on the chunking or on the other inputs.
    """
    from realpolitik.uncertainty.marginals import ppf
    from realpolitik.uncertainty.sampling import uniforms

    def draw(path: str, value: UncertainValue) -> np.ndarray:
        if value.distribution is None:
            return np.full(n, value.point)
        return ppf(value.distribution, value.point, uniforms(seed, path, start, n))

    return draw


def value_tables(space: OutcomeSpace, maps: dict[str, dict[str, UncertainValue]], draw: Draw,
                 path: str) -> list[np.ndarray]:
    """Per issue, the drawn value of each of its values ``(S, m_k)`` (zeros where not mapped)."""
    tables = []
    for dom in space.issues:
        vmap = maps.get(dom.id)
        if vmap is None:
            tables.append(None)
            continue
        keys = list(vmap)
        entries = np.stack([draw(f"{path}.{dom.id}.{key}", vmap[key]) for key in keys], axis=1)
        tables.append(entries @ dom.basis(keys).T)
    n = next((t.shape[0] for t in tables if t is not None), 1)
    return [np.zeros((n, d.size)) if t is None else t
            for t, d in zip(tables, space.issues, strict=True)]


def normalised_weights(space: OutcomeSpace, weights: dict[str, UncertainValue], draw: Draw,
                       path: str, what: str) -> np.ndarray:
    """Drawn weights ``(S, K)`` renormalised to sum to 1 in every sample."""
    cols = [draw(f"{path}.{d.id}", weights[d.id]) if d.id in weights else None
            for d in space.issues]
    n = next((c.shape[0] for c in cols if c is not None), 1)
    w = np.stack([np.zeros(n) if c is None else c for c in cols], axis=1)
    total = w.sum(axis=1, keepdims=True)
    if np.any(total <= 0):
        raise RealpolitikError(f"{what}: the weights are all zero (in at least one sample); "
                               "give some issue a positive weight")
    return w / total


@dataclass(frozen=True)
class PartyDraws:
    """One party's drawn utility inputs: weights (S, K), value tables [(S, m_k)], cost (S,)."""

    actor: str
    weights: np.ndarray
    tables: tuple[np.ndarray, ...]
    no_agreement: int
    cost: np.ndarray

    def take(self, index: slice) -> PartyDraws:
        """The samples at ``index``."""
        return replace(self, weights=self.weights[index],
                       tables=tuple(t[index] for t in self.tables), cost=self.cost[index])


def draw_party(space: OutcomeSpace, actor: str, spec: PartyUtility, draw: Draw) -> PartyDraws:
    """Draw the utility inputs of one party."""
    path = f"deal.utilities.{actor}"
    weights = normalised_weights(space, spec.weights, draw, f"{path}.weights",
                                 f"deal.utilities.{actor}.weights")
    tables = value_tables(space, spec.values, draw, f"{path}.values")
    cost = draw(f"{path}.no_agreement.cost", spec.no_agreement.cost)
    return PartyDraws(actor, weights, tuple(tables), space.encode(spec.no_agreement.outcome), cost)


def additive_utility(weights: Any, tables: tuple[Any, ...], index: Any, xp: Any) -> Any:
    """``U[s, o] = sum_k weights[s, k] * tables[k][s, index[o, k]]``, shape (S, N)."""
    total = None
    for k, table in enumerate(tables):
        term = weights[:, k : k + 1] * xp.take(table, index[:, k], axis=1)
        total = term if total is None else total + term
    return total


def party_parts(section: DealSection) -> list[PartyUtility]:
    """The two parties' utility specifications, in the order of ``parties``."""
    out = []
    for actor in section.parties:
        if actor not in section.utilities:
            raise RealpolitikError(f"deal: no utility function for party {actor!r}")
        out.append(section.utilities[actor])
    return out
