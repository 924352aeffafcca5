"""Drivers measured over the distribution: first-order indices from a Monte Carlo run's own samples.

A forecast run with ``samples=N`` already holds N joint samples of the inputs (regenerated here
exactly: :func:`~realpolitik.uncertainty.sampling.sample_inputs` with the run's seed gives sample
``k`` whatever the chunking) and the N forecasts. From these *given data*, without one more
model run, we estimate for every uncertain input:

- its **first-order variance share** S1 = Var(E[Y | X_i]) / Var(Y), with the random-balance-design
  FAST estimator applied to given data (Tarantola, Gatelli & Mara 2006, *Reliab. Eng. Syst.
  Saf.* 91: 717-727; Plischke 2010, *Reliab. Eng. Syst. Saf.* 95: 354-360, who shows that sorting
  the sample by each input turns any sample into a random balance design), as implemented by
  SALib (``SALib.analyze.rbd_fast``; Herman & Usher 2017);
- the **swing of the median**: the median forecast over the samples where the input lies in its
  lowest fifth, and where it lies in its highest fifth.

Unlike one-at-a-time swings around the point values these average over the other inputs, so a
forecast that sits on a knife-edge at the point values does not decide what drives it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from realpolitik.scenario.arrays import PositionKind
from realpolitik.scenario.schema import Scenario
from realpolitik.uncertainty.inputs import uncertain_slots
from realpolitik.uncertainty.sampling import sample_inputs

#: Share of the samples at each end whose median forecast gives the swing of the median.
TAIL = 0.2
#: Smallest sample for which the indices are estimated.
MIN_SAMPLES = 100


def sampled_inputs(scenario: Scenario, n: int, seed: int,
                   positions: PositionKind = "stated") -> tuple[list[str], np.ndarray]:
    """Paths of the uncertain inputs and their sampled values (n, m) of a run with ``seed``."""
    slots = uncertain_slots(scenario, positions)
    batch = sample_inputs(scenario, n, seed, positions)
    cols = [np.asarray(getattr(batch, s.field))[(slice(None), *s.index)] for s in slots]
    x = np.column_stack(cols) if cols else np.zeros((n, 0))
    return [s.path for s in slots], x.astype(float)


def first_order(scenario: Scenario, values: np.ndarray, seed: int,
                positions: PositionKind = "stated") -> pd.DataFrame:
    """One row per issue and uncertain input: S1, and the median forecast at each end of the input.

    ``values`` (N, d) are the forecasts of a run ``forecast(..., samples=N, seed=seed)``; the
    rows of each issue come largest S1 first. Empty with fewer than :data:`MIN_SAMPLES` samples
    or no uncertain input.
    """
    from SALib.analyze import rbd_fast

    y_all = np.asarray(values, dtype=float)
    n = y_all.shape[0]
    columns = ["issue", "input", "S1", "median_low", "median_high", "value_low", "value_high"]
    if n < MIN_SAMPLES:
        return pd.DataFrame(columns=columns)
    paths, x = sampled_inputs(scenario, n, seed, positions)
    if not paths:
        return pd.DataFrame(columns=columns)
    k = max(1, int(TAIL * n))
    order = np.argsort(x, axis=0, kind="stable")
    rows = []
    problem = {"num_vars": len(paths), "names": paths, "bounds": [[0.0, 1.0]] * len(paths)}
    for j, issue in enumerate(scenario.issues):
        y = y_all[:, j]
        ok = np.isfinite(y)
        if ok.sum() < MIN_SAMPLES or float(np.var(y[ok])) <= 1e-18:
            s1 = np.zeros(len(paths))
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = rbd_fast.analyze(problem, x[ok], y[ok], M=10, num_resamples=2,
                                       print_to_console=False, seed=seed)
            s1 = np.clip(np.nan_to_num(np.asarray(res["S1"], dtype=float)), 0.0, 1.0)
        for i, path in enumerate(paths):
            low, high = order[:k, i], order[-k:, i]
            rows.append({"issue": issue.id, "input": path, "S1": float(s1[i]),
                         "median_low": float(np.nanmedian(y[low])),
                         "median_high": float(np.nanmedian(y[high])),
                         "value_low": float(np.median(x[low, i])),
                         "value_high": float(np.median(x[high, i]))})
    frame = pd.DataFrame(rows, columns=columns)
    frame["median_swing"] = (frame["median_high"] - frame["median_low"]).abs()
    return frame.sort_values(["issue", "S1", "median_swing"],
                             ascending=[True, False, False]).reset_index(drop=True)
