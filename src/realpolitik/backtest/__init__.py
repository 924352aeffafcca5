"""Backtests: score the collective models on past decisions with known outcomes.

:mod:`~realpolitik.backtest.dataset` defines the data set format (``issues.csv`` and
``actors.csv``) and loads built-in or user data sets, :mod:`~realpolitik.backtest.scoring`
computes errors and comparisons with naive baselines, :mod:`~realpolitik.backtest.deu` converts
files in the layout of the DEU data, and :mod:`~realpolitik.backtest.cli` adds the
``realpolitik backtest`` command. See docs/validation.md.
"""

from realpolitik.backtest.dataset import Dataset, Issue, builtin_datasets, load_dataset
from realpolitik.backtest.scoring import BacktestResult, Summary, run_backtest

__all__ = [
    "BacktestResult",
    "Dataset",
    "Issue",
    "Summary",
    "builtin_datasets",
    "load_dataset",
    "run_backtest",
]
