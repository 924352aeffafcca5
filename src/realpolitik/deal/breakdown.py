"""Breakdown and delay: outside shocks, the status quo's rising cost, and calendar time.

The talks take place in calendar time: round ``t`` starts ``t * round_months`` months after the
scenario's ``as_of`` (``deal.round_months``, an uncertain input). Two things can end them
before an agreement, besides the deadline (timed out):

- an **outside shock** (``deal.breakdown.risk``): in every round after the first, with
  probability ``risk`` an event outside the talks ends them (broken) -- an independent draw per
  sample and round from its own random stream;
- the **status quo's cost** (``deal.breakdown.attacks``): while there is no agreement the
  status quo holds, and the scenario's ``dynamics`` section says how many attacks it brings
  each month (its attack process under the named option, usually ``status_quo``). Each attack
  raises the named party's reserved value by ``cost_per_attack``: the domestic cost of keeping
  foreign troops that draw attacks and strikes (as the January 2020 parliamentary vote followed
  a strike). A party whose reserved value passes its best package walks out (broken); before
  that, the rise moves its targets and shrinks the zone of agreement.

The attack counts come in as an array (samples, months) from the service layer
(:func:`realpolitik.api.deal.negotiate` runs the dynamics): this package does not import
:mod:`realpolitik.dynamics`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from realpolitik.deal.utility import Draw
from realpolitik.errors import RealpolitikError
from realpolitik.scenario.sections.deal import DealSection

#: Mean length of a month in days (for dates of fractional months).
MONTH_DAYS = 365.25 / 12


@dataclass(frozen=True)
class Pressure:
    """Per sample: outside shocks (S, T + 1) bool and each party's reserved-value rise."""

    shock: np.ndarray | None
    rise: tuple[np.ndarray, np.ndarray] | None
    round_months: np.ndarray          # (S,)
    attacks: np.ndarray | None = None  # (S, T + 1) cumulative attacks at each round's start

    def take(self, index: slice) -> Pressure:
        """The samples at ``index``."""
        return Pressure(None if self.shock is None else self.shock[index],
                        None if self.rise is None else (self.rise[0][index],
                                                        self.rise[1][index]),
                        self.round_months[index],
                        None if self.attacks is None else self.attacks[index])


def cumulative_attacks(monthly: np.ndarray, round_months: np.ndarray, rounds: int) -> np.ndarray:
    """Attacks from the start up to the start of each round, (S, rounds).

    ``monthly`` (S, M): attacks per month. Between month ends the count is interpolated
    linearly; past the simulated months the mean rate of the last (up to six) months goes on.
    """
    s, m = monthly.shape
    if m == 0:
        raise RealpolitikError("the attacks need at least one simulated month")
    total = np.concatenate([np.zeros((s, 1)), np.cumsum(monthly, axis=1)], axis=1)
    tail = monthly[:, -min(6, m):].mean(axis=1)
    out = np.empty((s, rounds))
    for t in range(rounds):
        x = t * round_months                        # (S,) months since the start
        lo = np.minimum(np.floor(x).astype(int), m)
        frac = x - lo
        nxt = np.minimum(lo + 1, m)
        rows = np.arange(s)
        inside = total[rows, lo] + frac * (total[rows, nxt] - total[rows, lo])
        beyond = total[:, m] + (x - m) * tail
        out[:, t] = np.where(x <= m, inside, beyond)
    return out


def draw_pressure(section: DealSection, draw: Draw, n: int, deadline: int, *,
                  uniforms: np.ndarray | None, attacks: np.ndarray | None,
                  enabled: bool = True) -> Pressure:
    """Draw the round length, the shocks and the reserved-value rise for ``n`` samples.

    ``uniforms`` (n, T + 1) drives the shocks (None: no shocks); ``attacks`` (n, M) is the
    monthly attack count under the status quo (None: no attack-driven rise).
    """
    months = draw("deal.round_months", section.round_months)
    months = np.broadcast_to(months, (n,)).astype(float)
    if np.any(months <= 0):
        raise RealpolitikError("deal.round_months must be positive")
    spec = section.breakdown
    if spec is None or not enabled:
        return Pressure(None, None, months)
    shock = None
    risk = np.broadcast_to(draw("deal.breakdown.risk", spec.risk), (n,))
    if uniforms is not None and np.any(risk > 0):
        shock = uniforms < risk[:, None]
        shock[:, 0] = False                          # the first offer is made
    rise = None
    cum = None
    if spec.attacks is not None and attacks is not None:
        if spec.attacks.party not in section.parties:
            raise RealpolitikError(f"deal.breakdown.attacks.party: {spec.attacks.party!r} is "
                                   "not a party of the deal")
        cost = np.broadcast_to(draw("deal.breakdown.attacks.cost_per_attack",
                                    spec.attacks.cost_per_attack), (n,))
        cum = cumulative_attacks(np.asarray(attacks, dtype=float)[:n], months, deadline + 1)
        zero = np.zeros_like(cum)
        up = cost[:, None] * cum
        rise = (up, zero) if section.parties.index(spec.attacks.party) == 0 else (zero, up)
    return Pressure(shock, rise, months, cum)


def round_date(start: dt.date, round_: float, round_months: float) -> dt.date:
    """The calendar date on which round ``round_`` starts."""
    return start + dt.timedelta(days=round(float(round_) * float(round_months) * MONTH_DAYS))


def months_needed(section: DealSection, deadline: int) -> int:
    """Months of attacks the talks can span at the round length's point (and upper) value."""
    rm = section.round_months
    hi = rm.point
    dist = rm.distribution
    if dist is not None and getattr(dist, "high", None) is not None:
        hi = max(hi, float(dist.high))  # type: ignore[arg-type]
    return int(np.ceil((deadline + 1) * hi)) + 1
