"""Deals for the interfaces: negotiate a scenario's deal, and the names its options take.

:func:`negotiate` runs the alternating-offers protocol over the uncertain utilities of the
scenario's ``deal`` section (see docs/deal.md); :func:`deal_parties` lists the party ids that
per-party options (a strategy each) are keyed by; :func:`get_strategy` checks a strategy name.
"""

from __future__ import annotations

from pathlib import Path

from realpolitik.deal.api import DealResult, negotiate
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
