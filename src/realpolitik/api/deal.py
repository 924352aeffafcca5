"""Deals for the interfaces: negotiate a scenario's deal, and the names its options take.

:func:`negotiate` runs the alternating-offers protocol over the uncertain utilities of the
scenario's ``deal`` section (see docs/deal.md). Where the section's breakdown block ties the
status quo's cost to attacks, it first simulates the scenario's ``dynamics`` under the named
option (usually the status quo) and passes the monthly attack counts into the deal -- the deal
and the dynamics are sibling packages that do not import each other; this layer joins them.
:func:`deal_parties` lists the party ids that per-party options (a strategy each) are keyed by;
:func:`get_strategy` checks a strategy name; :func:`negotiated_position` gives the negotiated
package's place on the scenario issue the deal maps onto (for ``forecast`` and the report).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from realpolitik.deal.api import DealResult
from realpolitik.deal.api import negotiate as _negotiate
from realpolitik.deal.breakdown import months_needed
from realpolitik.deal.protocol import STRATEGIES, Strategy, get_strategy
from realpolitik.errors import RealpolitikError
from realpolitik.scenario.loader import load_scenario
from realpolitik.scenario.schema import Scenario

__all__ = [
    "STRATEGIES",
    "DealResult",
    "Strategy",
    "deal_parties",
    "get_strategy",
    "negotiate",
    "negotiated_position",
    "status_quo_attacks",
]


def deal_parties(scenario: Scenario | str | Path) -> list[str]:
    """The actor ids of the deal's two parties, in the section's order.

    A scenario without a ``deal`` section is an error, worded as :func:`negotiate` words it.
    """
    sc = load_scenario(scenario)
    section = getattr(sc, "deal", None)
    if section is None:
        raise RealpolitikError(f"scenario {sc.id!r} has no `deal` section; see docs/deal.md for "
                               "how to write one (parties, issues, utilities)")
    return list(section.parties)


def status_quo_attacks(scenario: Scenario, *, samples: int, seed: int,
                       deadline: int | None = None) -> np.ndarray | None:
    """Monthly attacks (samples, months) under the option the deal's breakdown block names.

    None when the section ties no cost to attacks or the scenario has no dynamics section.
    The months cover the talks up to the deadline at the longest round length.
    """
    section = getattr(scenario, "deal", None)
    spec = None if section is None or section.breakdown is None else section.breakdown.attacks
    if spec is None or getattr(scenario, "dynamics", None) is None:
        return None
    from realpolitik.api.dynamics import plan_simulation, simulate_option

    months = months_needed(section, section.deadline if deadline is None else deadline)
    plan = plan_simulation(scenario, [spec.option], horizon_months=months, seed=seed)
    option = plan.options[0][0]
    return np.asarray(simulate_option(plan, option, samples=samples, seed=seed).attacks,
                      dtype=float)


def negotiate(scenario: Scenario | str | Path = "iraq-2024", *, samples: int = 1000,
              seed: int | None = 0, breakdown: bool = True, **options: Any) -> DealResult:
    """Negotiate the scenario's deal (:func:`realpolitik.deal.api.negotiate`), with attacks.

    With ``breakdown`` (the default) and a breakdown block tied to attacks, the scenario's
    dynamics are simulated first (same samples and seed) for the attack counts. The other
    keyword options are :func:`realpolitik.deal.api.negotiate`'s.
    """
    from realpolitik.seeds import resolve_seed

    sc = load_scenario(scenario)
    seed = resolve_seed(seed)
    attacks = None
    if breakdown and isinstance(samples, int) and not isinstance(samples, bool) and samples > 0:
        attacks = status_quo_attacks(sc, samples=samples, seed=seed,
                                     deadline=options.get("deadline"))
    return _negotiate(sc, samples=samples, seed=seed, breakdown=breakdown, attacks=attacks,
                      **options)


def negotiated_position(result: DealResult) -> dict[str, Any] | None:
    """Where the negotiated packages land on the scenario issue the deal maps onto.

    A dict with the issue, the package the protocol reaches at point values (``negotiated``),
    the mean and 90% range of the Monte Carlo agreements and P(agreement); None when the
    section declares no package-to-scale mapping.
    """
    return result.on_scale()
