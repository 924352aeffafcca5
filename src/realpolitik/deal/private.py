"""Alternating offers under private information: beliefs over opponent types, Bayesian learning.

Each party knows its own utility and reserved value (drawn per Monte Carlo sample) but not the
other's. It holds a **belief**: ``K`` hypotheses (*types*) about the opponent -- each a full
utility function over the packages and a reserved value -- with probabilities, the prior
uniform. This is Bayesian learning over a finite set of opponent hypotheses (Zeng & Sycara
1998, "Bayesian learning in negotiation", *International Journal of Human-Computer Studies*
48(1): 125-141), with the likelihood of Hindriks & Tykhonov (2008, "Opponent modelling in
automated multi-issue negotiation using Bayesian learning", *AAMAS 2008*, pp. 331-338): a
party assumes the opponent concedes linearly in time from its best package to its reserved
value, so that type ``k``'s predicted utility of the opponent's offer at relative time ``tau``
is ``u_k(tau) = umax_k - (umax_k - r_k) tau``, and updates on each offer received::

    b_k  <-  b_k * exp(-(V_k(offer) - u_k(tau))^2 / (2 sigma^2))   (then renormalised)

with ``V_k`` type ``k``'s utility and ``sigma`` the belief's ``noise``.

Strategies decide on expected utility under the belief:

- **bidding**: among the packages worth at least its target (the time-dependent or tit-for-tat
  target of :mod:`realpolitik.deal.protocol`, on its own known utility), a party offers the one
  most likely to be acceptable to the opponent (``P_b(V_k >= r_k)``), ties going to the highest
  expected opponent utility ``E_b[V_k]``, then to its own utility, then to the lowest index;
- **tit-for-tat** measures the opponent's concession as its expected share ``E_b[...]``;
- **acceptance** (``AC_next``) and walking out need only the party's own utility.

So an offer can miss: the bidder picks the package it believes acceptable, the opponent rejects
it, and at the deadline the talks time out although another package would have been accepted.

With *exact* beliefs (one type, the opponent's true utility) every rule reduces to the
complete-information protocol of :func:`realpolitik.deal.protocol.alternating_offers`: the
acceptance probability is 0 or 1 and monotone in the opponent's utility, so the bid is the
package best for the opponent. The tests check that the two implementations agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from realpolitik.deal.protocol import (
    NegotiationOutcome,
    NegotiationState,
    Strategy,
    check_arguments,
    concession_share,
    get_strategy,
    schedule,
    target_utility,
)
from realpolitik.deal.solutions import TOLERANCE, lexargmax, pick
from realpolitik.models.base import namespace


@dataclass(frozen=True)
class Belief:
    """A party's hypotheses about its opponent, leading sample axis S.

    ``u`` (S, K, N): each type's utility of every package; ``r`` (S, K): each type's reserved
    value (before any round-by-round rise, which is public); ``prior`` (S, K) sums to 1 per
    sample; ``noise`` the likelihood's standard deviation (utility units).
    """

    u: Any
    r: Any
    prior: Any
    noise: float = 0.1

    @property
    def types(self) -> int:
        """Number of hypotheses K."""
        return int(self.u.shape[1])


@dataclass(frozen=True)
class PrivateOutcome:
    """The protocol's outcome and each party's belief after every round (S, T + 1, K)."""

    outcome: NegotiationOutcome
    beliefs: tuple[Any, Any]


def _pick_types(u: Any, index: Any, xp: Any) -> Any:
    """``u[s, k, index[s]]`` for (S, K, N) ``u`` and (S,) ``index``: shape (S, K)."""
    s, k, _ = u.shape
    idx = xp.broadcast_to(index[:, None, None], (s, k, 1))
    return xp.take_along_axis(u, idx, axis=2)[:, :, 0]


def _expect(u: Any, b: Any, xp: Any) -> Any:
    """``sum_k b[s, k] u[s, k, n]``: (S, N) (a batched matrix product)."""
    return xp.matmul(b[:, None, :], u)[:, 0, :]


def likelihood(values: Any, umax: Any, r: Any, tau: float, noise: float, xp: Any) -> Any:
    """Hindriks & Tykhonov's likelihood (S, K) of an offer worth ``values`` to each type.

    The type is assumed to concede linearly from ``umax`` to ``r`` over relative time.
    """
    predicted = umax - (umax - r) * tau
    return xp.exp(-((values - predicted) ** 2) / (2.0 * noise * noise))


def update(b: Any, values: Any, umax: Any, r: Any, tau: float, noise: float, xp: Any) -> Any:
    """Bayes' rule: the posterior (S, K) after an offer.

    Unchanged where every type has negligible likelihood (a surprise no hypothesis explains).
    """
    post = b * likelihood(values, umax, r, tau, noise, xp)
    total = xp.sum(post, axis=1, keepdims=True)
    ok = total > 1e-300
    return xp.where(ok, post / xp.where(ok, total, xp.ones_like(total)), b)


def believed_bid(u_self: Any, target: Any, acceptable: Any, expected: Any, xp: Any) -> Any:
    """Among packages worth ``target`` to the bidder: most likely acceptable, then best expected.

    ``acceptable`` (S, N): the believed probability that the opponent accepts each package;
    ``expected`` (S, N): the opponent's expected utility.
    """
    mask = u_self >= target[:, None] - TOLERANCE
    p = xp.where(mask, acceptable, xp.full_like(acceptable, -1.0))
    best = xp.max(p, axis=1, keepdims=True)
    return lexargmax(mask & (p >= best - TOLERANCE), expected, u_self, xp)


def private_offers(
    ua: Any, ub: Any, ra: Any, rb: Any, beliefs: tuple[Belief, Belief],
    strategies: tuple[Strategy | str, Strategy | str] = ("linear", "linear"),
    deadline: int = 20, opener: int = 0, *,
    rise: tuple[Any, Any] | None = None, shock: Any = None,
) -> PrivateOutcome:
    """Alternating offers where each party knows only its own utility.

    ``beliefs[0]`` is party a's belief about b, ``beliefs[1]`` b's about a. The other arguments
    are those of :func:`realpolitik.deal.protocol.alternating_offers`; a round-by-round
    ``rise`` of a reserved value is public (both know the attacks), so the types' reserved
    values rise with it.
    """
    check_arguments(deadline, opener)
    xp = namespace(ua, ub)
    strat = tuple(get_strategy(s) for s in strategies)
    u = (ua, ub)
    rr = (schedule(ra, None if rise is None else rise[0], deadline, xp),
          schedule(rb, None if rise is None else rise[1], deadline, xp))
    umax = (xp.max(ua, axis=1), xp.max(ub, axis=1))
    # belief of p about q: types' utilities, maxima, reserved values per round (S, K, T + 1)
    tu = (beliefs[0].u, beliefs[1].u)
    tmax = (xp.max(tu[0], axis=2), xp.max(tu[1], axis=2))
    rise_q = (None if rise is None else rise[1], None if rise is None else rise[0])
    tr = tuple(xp.broadcast_to(beliefs[p].r[:, :, None], (*beliefs[p].r.shape, deadline + 1))
               + (0.0 if rise_q[p] is None else rise_q[p][:, None, :]) for p in (0, 1))
    b = [beliefs[0].prior, beliefs[1].prior]
    history: tuple[list[Any], list[Any]] = ([], [])
    minus_one = xp.full_like(xp.argmax(ua, axis=1), -1)
    state = NegotiationState(minus_one, xp)
    last_offer = [minus_one, minus_one]

    def conceded(p: int, t: int) -> Any:
        """Share of its range opponent q has conceded, expected under p's belief (0 before any)."""
        q = 1 - p
        has = last_offer[q] >= 0
        got = _pick_types(tu[p], xp.where(has, last_offer[q], xp.zeros_like(last_offer[q])), xp)
        share = concession_share(tmax[p], tr[p][:, :, t], got, xp)
        return xp.where(has, xp.sum(b[p] * share, axis=1), xp.zeros_like(umax[p]))

    def next_bid(p: int, t: int) -> Any:
        target = target_utility(strat[p], t / deadline, umax[p], rr[p][:, t], conceded(p, t))
        ok = (tu[p] >= tr[p][:, :, t][:, :, None] - TOLERANCE).astype(tu[p].dtype)
        return believed_bid(u[p], target, _expect(ok, b[p], xp), _expect(tu[p], b[p], xp), xp)

    planned = next_bid(opener, 0)
    for t in range(deadline + 1):
        p = (opener + t) % 2
        q = 1 - p
        state.walk_out(t, umax, rr, shock)
        offer = planned
        state.offers.append(xp.where(state.done, minus_one, offer))
        last_offer[p] = xp.where(state.done, last_offer[p], offer)
        # q learns about p from the offer, then decides
        values = _pick_types(tu[q], offer, xp)
        posterior = update(b[q], values, tmax[q], tr[q][:, :, t], t / deadline,
                           beliefs[q].noise, xp)
        b[q] = xp.where(state.done[:, None], b[q], posterior)
        value = pick(u[q], offer)
        accept = value >= rr[q][:, t] - TOLERANCE
        if t < deadline:
            planned = next_bid(q, t + 1)
            accept = accept & (value >= pick(u[q], planned) - TOLERANCE)
        state.settle(t, accept, offer)
        history[0].append(b[0])
        history[1].append(b[1])
    return PrivateOutcome(state.outcome(deadline),
                          (xp.stack(history[0], axis=1), xp.stack(history[1], axis=1)))
