"""Sweeps for the interfaces: read a spec, run it (resumably) and summarise the results.

:func:`load_spec` reads and checks a sweep spec (YAML or JSON); :func:`run_sweep` runs its
chunks on Dask (or in this process) and saves each as Parquet, skipping finished ones;
:func:`summarise` gives the median and 5-95 % band per design point and issue.
"""

from __future__ import annotations

from realpolitik.sweep.check import DEFAULT_MAX_FORECASTS, check_spec
from realpolitik.sweep.results import load_results, summarise
from realpolitik.sweep.run import run_sweep
from realpolitik.sweep.spec import SweepSpec, load_spec

__all__ = ["DEFAULT_MAX_FORECASTS", "SweepSpec", "check_spec", "load_results", "load_spec",
           "run_sweep", "summarise"]
