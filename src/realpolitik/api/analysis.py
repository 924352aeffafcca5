"""Analyses of one scenario for the interfaces: sensitivity, power and the best move.

- :func:`sensitivity` - Sobol indices of every issue's forecast to the uncertain inputs, with
  one-at-a-time swings (``realpolitik sensitivity``);
- :func:`power` - Shapley-Shubik and Banzhaf power per issue and actor, next to the forecast
  without each actor (``realpolitik power``);
- :func:`best_move` - the smallest change of another actor that brings the forecast into a
  target band (``realpolitik best-move``).

:data:`MAX_SAMPLES` bounds a Monte Carlo run; :class:`ForecastDistribution` is the result of
``forecast(..., samples=N)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from realpolitik.progress import Progress
from realpolitik.scenario.arrays import PositionKind
from realpolitik.scenario.loader import load_scenario
from realpolitik.scenario.schema import Scenario
from realpolitik.uncertainty.distribution import ForecastDistribution
from realpolitik.uncertainty.leverage import BestMove, best_move, removal_effects
from realpolitik.uncertainty.montecarlo import MAX_SAMPLES
from realpolitik.uncertainty.power import power_indices
from realpolitik.uncertainty.sensitivity import GroupBy, SobolResult, sobol, swings

__all__ = [
    "MAX_SAMPLES",
    "BestMove",
    "ForecastDistribution",
    "Power",
    "Sensitivity",
    "best_move",
    "power",
    "sensitivity",
]


@dataclass(frozen=True)
class Sensitivity:
    """Sobol indices and one-at-a-time swings of one scenario's forecasts."""

    scenario: Scenario
    sobol: SobolResult
    swings: pd.DataFrame


@dataclass(frozen=True)
class Power:
    """Power indices per issue and actor; ``table`` adds the forecast without each actor."""

    scenario: Scenario
    model: str
    indices: pd.DataFrame
    table: pd.DataFrame


def sensitivity(scenario: Scenario | str | Path, model: str = "median", samples: int = 512,
                seed: int = 0, *, positions: PositionKind = "stated",
                by: GroupBy = "input", progress: Progress | None = None) -> Sensitivity:
    """Sobol indices (``samples`` base samples, grouped ``by`` input or actor) and swings.

    ``progress(stage, done, total)`` follows the model runs of the Sobol design.
    """
    sc = load_scenario(scenario)
    res = sobol(sc, model, samples, seed, positions=positions, by=by, progress=progress)
    sw = swings(sc, model, positions=positions, seed=seed)
    return Sensitivity(sc, res, sw)


def power(scenario: Scenario | str | Path, model: str = "median", *, draws: int = 20000,
          seed: int = 0, positions: PositionKind = "stated") -> Power:
    """Power indices (Monte Carlo with ``draws`` beyond 16 actors) and the removal effects."""
    sc = load_scenario(scenario)
    pw = power_indices(sc, positions=positions, draws=draws, seed=seed)
    rm = removal_effects(sc, model, positions=positions, seed=seed)
    merged = pw.merge(rm[["actor", "issue", "forecast", "without", "change"]],
                      on=["actor", "issue"])
    return Power(sc, model, pw, merged)
