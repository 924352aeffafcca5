"""Backtests for the interfaces: load a data set of past decisions and score the models on it.

:func:`load_dataset` reads a built-in data set (``deu3``) or a folder with ``issues.csv`` and
``actors.csv``; :func:`run_backtest` forecasts every selected issue with every collective model
and scores them against the recorded outcomes and the naive baselines.
:func:`with_procedures` gives a DEU data set procedure-based capabilities and decision rules
(see :mod:`realpolitik.backtest.procedure`).
"""

from __future__ import annotations

from realpolitik.backtest.dataset import Dataset, builtin_datasets, load_dataset
from realpolitik.backtest.procedure import with_procedures
from realpolitik.backtest.scoring import MISSING_STATUS_QUO, BacktestResult, run_backtest

__all__ = [
    "MISSING_STATUS_QUO",
    "BacktestResult",
    "Dataset",
    "builtin_datasets",
    "load_dataset",
    "run_backtest",
    "with_procedures",
]
