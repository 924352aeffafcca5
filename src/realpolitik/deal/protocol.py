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


def alternating_offers(
    ua: Any, ub: Any, ra: Any, rb: Any,
    strategies: tuple[Strategy | str, Strategy | str] = ("linear", "linear"),
    deadline: int = 20, opener: int = 0,
) -> NegotiationOutcome:
    """Run the alternating-offers protocol on every sample at once.

    ``ua``, ``ub`` (S, N): the parties' utilities of each package; ``ra``, ``rb`` (S,): their
    reserved values; ``strategies`` for party a and b; ``deadline`` T >= 1 (rounds 0..T);
    ``opener`` 0 (party a) or 1 (party b) makes the first offer.
    """
    if deadline < 1:
        raise RealpolitikError(f"the deadline must be at least 1 round, got {deadline}")
    if opener not in (0, 1):
        raise RealpolitikError(f"opener must be 0 or 1, got {opener!r}")
    xp = namespace(ua, ub)
    strat = tuple(get_strategy(s) for s in strategies)
    u = (ua, ub)
    r = (ra, rb)
    umax = (xp.max(ua, axis=1), xp.max(ub, axis=1))
    span = tuple(umax[p] - r[p] for p in (0, 1))
    # (S,) of the index dtype on the inputs' device, every entry -1
    minus_one = xp.full_like(xp.argmax(ua, axis=1), -1)

    broken = (span[0] < -TOLERANCE) | (span[1] < -TOLERANCE)
    status = xp.where(broken, xp.full_like(minus_one, BROKEN), minus_one)
    agreement = minus_one
    rounds = xp.where(broken, xp.zeros_like(minus_one), minus_one)
    done = broken
    last_offer = [minus_one, minus_one]       # latest offer by each party
    offers = []

    def conceded(p: int) -> Any:
        """Share of its range party p has conceded with its latest offer (0 before any)."""
        has = last_offer[p] >= 0
        got = pick(u[p], xp.where(has, last_offer[p], xp.zeros_like(last_offer[p])))
        flat = span[p] <= TOLERANCE
        share = (umax[p] - got) / xp.where(flat, xp.ones_like(span[p]), span[p])
        share = xp.where(flat, xp.ones_like(share), xp.clip(share, 0.0, 1.0))
        return xp.where(has, share, xp.zeros_like(share))

    def next_bid(p: int, tau: float) -> Any:
        q = 1 - p
        target = target_utility(strat[p], tau, umax[p], r[p], conceded(q))
        return bid(u[p], u[q], target, xp)

    planned = next_bid(opener, 0.0)
    for t in range(deadline + 1):
        p = (opener + t) % 2
        q = 1 - p
        offer = planned
        offers.append(xp.where(done, minus_one, offer))
        last_offer[p] = xp.where(done, last_offer[p], offer)
        value = pick(u[q], offer)
        if t == deadline:
            accept = value >= r[q] - TOLERANCE
        else:
            planned = next_bid(q, (t + 1) / deadline)
            accept = (value >= pick(u[q], planned) - TOLERANCE) & (value >= r[q] - TOLERANCE)
        new = accept & ~done
        status = xp.where(new, xp.full_like(status, AGREEMENT), status)
        agreement = xp.where(new, offer, agreement)
        rounds = xp.where(new, xp.full_like(rounds, t), rounds)
        done = done | new
    status = xp.where(done, status, xp.full_like(status, TIMED_OUT))
    rounds = xp.where(done, rounds, xp.full_like(rounds, deadline))
    return NegotiationOutcome(status, agreement, rounds, xp.stack(offers, axis=1))
