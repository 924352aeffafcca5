"""The alternating-offers mechanism and the negotiators' strategies, batched over samples.

**Mechanism** (Rubinstein 1982, "Perfect equilibrium in a bargaining model", *Econometrica*
50(1): 97-109, with a deadline instead of discounting, as in the automated-negotiation
literature): in round ``t = 0, 1, ..., T`` one party proposes a package and the other accepts or
answers with a counter-offer in round ``t + 1``; the opener proposes in even rounds. The run ends
with

- **agreement**: the responder accepts; the package and the round are recorded;
- **broken**: a party ends the talks because no package reaches its reserved value (its
  acceptable set is empty), which it sees before the first offer (round 0);
- **timed out**: round ``T`` passes without acceptance.

**Strategies** (Faratin, Sierra & Jennings 1998, "Negotiation decision functions for autonomous
agents", *Robotics and Autonomous Systems* 24(3-4): 159-182; Baarslag et al. 2014, "Decoupling
negotiating agents to explore the space of negotiation strategies", in *Novel Insights in
Agent-based Complex Automated Negotiation*, Springer, pp. 61-83):

- *time-dependent* with concession exponent ``e``: target utility at relative time ``tau = t/T``
  is ``u(tau) = u_max - (u_max - r) * tau ** (1 / e)``; ``boulware`` (e = 0.2) holds firm until
  late, ``linear`` (e = 1) concedes evenly, ``conceder`` (e = 2) concedes early;
- *tit-for-tat* (Faratin et al.'s relative tit-for-tat, in utility terms): concede the same
  share of one's own range ``u_max - r`` as the opponent has conceded of its range so far; it
  never concedes first, so two tit-for-tat negotiators deadlock and time out.

**Bidding**: a negotiator offers, among the packages that give it at least its target utility,
the one best for the opponent (ties: best for itself, then lowest index). This assumes each
party knows the other's utility function in a given Monte Carlo sample (complete information,
as in Rubinstein's model); uncertainty about preferences enters through the samples.

**Acceptance** (``AC_next``, Baarslag, Hindriks & Jonker 2014, "Effective acceptance conditions
in automated negotiation", *Decision Support Systems* 60: 68-77): accept an offer worth at least
as much as one's own next counter-offer; in the last round, accept anything at least worth the
reserved value.

All arrays have a leading sample axis ``S``; the loop runs over rounds only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from realpolitik.deal.solutions import TOLERANCE, lexargmax, pick
from realpolitik.errors import RealpolitikError
from realpolitik.models.base import namespace

AGREEMENT, BROKEN, TIMED_OUT = 0, 1, 2
#: Names of the outcome codes, by code.
STATUS_NAMES = ("agreement", "broken", "timed out")


@dataclass(frozen=True)
class Strategy:
    """A negotiator strategy: time-dependent with exponent ``e``, or tit-for-tat."""

    name: str
    kind: Literal["time", "tit-for-tat"]
    e: float = 1.0

    def __post_init__(self) -> None:
        if self.kind == "time" and not self.e > 0:
            raise RealpolitikError(f"strategy {self.name!r}: the concession exponent e must be "
                                   f"> 0, got {self.e!r}")


#: The named strategies (``--strategy-us`` and ``--strategy-iraq`` on the command line).
STRATEGIES: dict[str, Strategy] = {
    "boulware": Strategy("boulware", "time", 0.2),
    "linear": Strategy("linear", "time", 1.0),
    "conceder": Strategy("conceder", "time", 2.0),
    "tit-for-tat": Strategy("tit-for-tat", "tit-for-tat"),
}


def get_strategy(name: str | Strategy) -> Strategy:
    """A strategy by name.

    ``boulware``, ``linear``, ``conceder``, ``tit-for-tat``, or ``time:E`` for a
    time-dependent strategy with exponent ``E``.
    """
    if isinstance(name, Strategy):
        return name
    key = name.strip().lower().replace("_", "-")
    if key in ("tft", "titfortat"):
        key = "tit-for-tat"
    if key in STRATEGIES:
        return STRATEGIES[key]
    if key.startswith("time:"):
        try:
            e = float(key.split(":", 1)[1])
        except ValueError:
            e = float("nan")
        if e > 0:
            return Strategy(key, "time", e)
    raise RealpolitikError(f"unknown strategy {name!r}; strategies are: "
                           + ", ".join(STRATEGIES) + ", or time:E with an exponent E > 0")


@dataclass(frozen=True)
class NegotiationOutcome:
    """Result of the mechanism per sample.

    ``status`` (S,) is AGREEMENT, BROKEN or TIMED_OUT; ``agreement`` (S,) the agreed package
    index (-1 without agreement); ``round`` (S,) the round it ended in (the deadline when timed
    out); ``offers`` (S, T + 1) every round's offer (-1 after the end or before the first).
    """

    status: Any
    agreement: Any
    round: Any
    offers: Any

    @property
    def agreed(self) -> Any:
        """(S,) mask of samples that ended in agreement."""
        return self.status == AGREEMENT


def target_utility(strategy: Strategy, tau: float, umax: Any, r: Any, conceded: Any) -> Any:
    """A strategy's target utility (S,) at relative time ``tau``.

    ``conceded`` (S,) is the share of its range the opponent has conceded so far (used by
    tit-for-tat).
    """
    if strategy.kind == "time":
        return umax - (umax - r) * (min(max(tau, 0.0), 1.0) ** (1.0 / strategy.e))
    return umax - (umax - r) * conceded


def bid(u_self: Any, u_opp: Any, target: Any, xp: Any) -> Any:
    """Among packages worth at least ``target`` to the bidder, the one best for the opponent.

    The bid is Pareto-optimal. A target above every package (only when the reserved value
    exceeds the best package, a sample the protocol ends as broken) gives index 0.
    """
    return lexargmax(u_self >= target[:, None] - TOLERANCE, u_opp, u_self, xp)


def schedule(r: Any, rise: Any, deadline: int, xp: Any) -> Any:
    """Reserved values per round (S, T + 1): ``r`` (S,) plus ``rise`` (S, T + 1) or none."""
    base = xp.broadcast_to(r[:, None], (r.shape[0], deadline + 1))
    return base if rise is None else base + rise


def check_arguments(deadline: int, opener: int) -> None:
    """The deadline (at least one round) and the opener (0 or 1)."""
    if deadline < 1:
        raise RealpolitikError(f"the deadline must be at least 1 round, got {deadline}")
    if opener not in (0, 1):
        raise RealpolitikError(f"opener must be 0 or 1, got {opener!r}")


def alternating_offers(
    ua: Any, ub: Any, ra: Any, rb: Any,
    strategies: tuple[Strategy | str, Strategy | str] = ("linear", "linear"),
    deadline: int = 20, opener: int = 0, *,
    rise: tuple[Any, Any] | None = None, shock: Any = None,
) -> NegotiationOutcome:
    """Run the alternating-offers protocol on every sample at once (complete information).

    ``ua``, ``ub`` (S, N): the parties' utilities of each package; ``ra``, ``rb`` (S,): their
    reserved values; ``strategies`` for party a and b; ``deadline`` T >= 1 (rounds 0..T);
    ``opener`` 0 (party a) or 1 (party b) makes the first offer. ``rise`` (per party an
    (S, T + 1) array or None) raises a party's reserved value round by round (the cost of the
    status quo while talks go on); a party whose reserved value passes its best package walks
    out (broken). ``shock`` (S, T + 1) bool ends the talks (broken) before that round's offer.
    Both parties see each other's utilities: this is the oracle of
    :func:`realpolitik.deal.private.private_offers`.
    """
    check_arguments(deadline, opener)
    xp = namespace(ua, ub)
    strat = tuple(get_strategy(s) for s in strategies)
    u = (ua, ub)
    rr = (schedule(ra, None if rise is None else rise[0], deadline, xp),
          schedule(rb, None if rise is None else rise[1], deadline, xp))
    umax = (xp.max(ua, axis=1), xp.max(ub, axis=1))
    # (S,) of the index dtype on the inputs' device, every entry -1
    minus_one = xp.full_like(xp.argmax(ua, axis=1), -1)
    state = NegotiationState(minus_one, xp)
    last_offer = [minus_one, minus_one]       # latest offer by each party

    def conceded(p: int, t: int) -> Any:
        """Share of its range party p has conceded with its latest offer (0 before any)."""
        has = last_offer[p] >= 0
        got = pick(u[p], xp.where(has, last_offer[p], xp.zeros_like(last_offer[p])))
        return xp.where(has, concession_share(umax[p], rr[p][:, t], got, xp),
                        xp.zeros_like(umax[p]))

    def next_bid(p: int, t: int) -> Any:
        q = 1 - p
        target = target_utility(strat[p], t / deadline, umax[p], rr[p][:, t], conceded(q, t))
        return bid(u[p], u[q], target, xp)

    planned = next_bid(opener, 0)
    for t in range(deadline + 1):
        p = (opener + t) % 2
        q = 1 - p
        state.walk_out(t, umax, rr, shock)
        offer = planned
        state.offers.append(xp.where(state.done, minus_one, offer))
        last_offer[p] = xp.where(state.done, last_offer[p], offer)
        value = pick(u[q], offer)
        accept = value >= rr[q][:, t] - TOLERANCE
        if t < deadline:
            planned = next_bid(q, t + 1)
            accept = accept & (value >= pick(u[q], planned) - TOLERANCE)
        state.settle(t, accept, offer)
    return state.outcome(deadline)


def concession_share(umax: Any, r: Any, got: Any, xp: Any) -> Any:
    """``(umax - got) / (umax - r)`` clipped to [0, 1]; 1 where the range is flat."""
    span = umax - r
    flat = span <= TOLERANCE
    share = (umax - got) / xp.where(flat, xp.ones_like(span), span)
    return xp.where(flat, xp.ones_like(share), xp.clip(share, 0.0, 1.0))


class NegotiationState:
    """The running status of every sample: done, status, agreement, round, offers."""

    def __init__(self, minus_one: Any, xp: Any):
        self.xp = xp
        self.minus_one = minus_one
        self.status = minus_one
        self.agreement = minus_one
        self.rounds = minus_one
        self.done = minus_one >= 0             # all False
        self.offers: list[Any] = []

    def walk_out(self, t: int, umax: tuple[Any, Any], rr: tuple[Any, Any], shock: Any) -> None:
        """End (broken) the samples where a party walks out or a shock hits before round ``t``.

        A party walks out when its reserved value passes its best package.
        """
        xp = self.xp
        out = (umax[0] - rr[0][:, t] < -TOLERANCE) | (umax[1] - rr[1][:, t] < -TOLERANCE)
        if shock is not None:
            out = out | shock[:, t]
        new = out & ~self.done
        self.status = xp.where(new, xp.full_like(self.status, BROKEN), self.status)
        self.rounds = xp.where(new, xp.full_like(self.rounds, t), self.rounds)
        self.done = self.done | new

    def settle(self, t: int, accept: Any, offer: Any) -> None:
        """Record the agreements of round ``t``."""
        xp = self.xp
        new = accept & ~self.done
        self.status = xp.where(new, xp.full_like(self.status, AGREEMENT), self.status)
        self.agreement = xp.where(new, offer, self.agreement)
        self.rounds = xp.where(new, xp.full_like(self.rounds, t), self.rounds)
        self.done = self.done | new

    def outcome(self, deadline: int) -> NegotiationOutcome:
        """The outcome once round ``deadline`` has passed (the rest timed out)."""
        xp = self.xp
        status = xp.where(self.done, self.status, xp.full_like(self.status, TIMED_OUT))
        rounds = xp.where(self.done, self.rounds, xp.full_like(self.rounds, deadline))
        return NegotiationOutcome(status, self.agreement, rounds, xp.stack(self.offers, axis=1))
