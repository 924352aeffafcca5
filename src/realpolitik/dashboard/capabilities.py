"""What this installation of the dashboard can do.

The Monte Carlo, sensitivity, power, dynamics and deal subsystems ship in realpolitik's own wheel,
so they are always there; only third-party packages of optional extras can be missing.
"""

from __future__ import annotations

import importlib.util

#: Subsystems reported by ``GET /api/health`` (all part of realpolitik itself).
SUBSYSTEMS = ("monte_carlo", "sensitivity", "power", "dynamics", "deal")


def parquet_available() -> bool:
    """Whether pyarrow (needed to write Parquet) is installed."""
    return importlib.util.find_spec("pyarrow") is not None
