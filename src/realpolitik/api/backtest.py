"""Backtests for the interfaces: load a data set of past decisions and score the models on it.

:func:`load_dataset` reads a built-in data set (``deu3``, ``bdm1994``) or a folder with
``issues.csv`` and ``actors.csv``; :func:`run_backtest` forecasts every selected issue with every
collective model and scores them against the recorded outcomes and the naive baselines;
:func:`run_crossval` pools several data sets, fits stacked ensemble weights by cross-validation
grouped by proposal and measures calibrated bands on held-out folds; :func:`weights_document`
turns its result into the weights file the ensemble reads.
:func:`with_procedures` gives a DEU data set procedure-based capabilities and decision rules
(see :mod:`realpolitik.backtest.procedure`).
"""

from __future__ import annotations

from realpolitik.backtest.crossval import CrossValResult, run_crossval
from realpolitik.backtest.dataset import Dataset, builtin_datasets, load_dataset
from realpolitik.backtest.procedure import with_procedures
from realpolitik.backtest.scoring import MISSING_STATUS_QUO, BacktestResult, run_backtest
from realpolitik.backtest.stacking import LEVELS
from realpolitik.backtest.weights import REGENERATE, default_path, weights_document

__all__ = [
    "LEVELS",
    "MISSING_STATUS_QUO",
    "REGENERATE",
    "BacktestResult",
    "CrossValResult",
    "Dataset",
    "builtin_datasets",
    "default_path",
    "load_dataset",
    "run_backtest",
    "run_crossval",
    "weights_document",
    "with_procedures",
]
