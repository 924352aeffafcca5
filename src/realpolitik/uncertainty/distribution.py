"""The distribution of a Monte Carlo forecast: medians, 5-95 % bands, outcome-band probabilities.

How stable is a band? The ``p``-quantile of N samples is bracketed by order statistics: the
number of samples below the true quantile is Binomial(N, p), so the sorted samples of ranks
``N p -/+ sqrt(N p (1 - p))`` enclose it with probability about 68 %. Half the distance between
these two samples is the Monte Carlo standard error (MCSE) of the quantile, in scale points.

**Small-N rule.** We warn when the MCSE of the 5 % or the 95 % quantile of an issue exceeds
0.5 % of the issue's scale span (half a point on a 0-100 scale), or when N is too small for the
ranks to exist at all (both ranks must lie among the N samples: N >= 52). A forecast
that does not vary (no uncertain input moves it) has an MCSE of zero and no warning.
Outcome-band probabilities come with a 95 % Wilson score interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from realpolitik.jsonsafe import finite_or_none
from realpolitik.scenario.bands import band_counts

#: Quantiles reported as the band of a forecast.
LOW_Q, HIGH_Q = 0.05, 0.95
#: Largest acceptable MCSE of the 5 %/95 % quantiles, as a fraction of the scale span.
MAX_MCSE_FRACTION = 0.005
_Z95 = 1.959963984540054


def order_statistic_mcse(sorted_values: np.ndarray, p: float) -> float:
    """Half the gap between the order statistics at ranks ``N p -/+ sqrt(N p (1-p))`` (NaN if N too small)."""
    n = sorted_values.shape[0]
    centre = n * p
    half = math.sqrt(n * p * (1.0 - p))
    lo, hi = math.floor(centre - half), math.ceil(centre + half)
    if lo < 0 or hi > n - 1 or n < 2:
        return math.nan
    return float(sorted_values[hi] - sorted_values[lo]) / 2.0


def wilson(k: int, n: int) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion k / n."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    z2 = _Z95**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = _Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    lo = 0.0 if k == 0 else max(0.0, centre - half)
    hi = 1.0 if k == n else min(1.0, centre + half)
    return (min(lo, p), max(hi, p))


@dataclass(frozen=True)
class ForecastDistribution:
    """Forecasts of N joint samples of the inputs: ``values`` (N, d) on each issue's scale."""

    scenario: Any
    model: str
    seed: int
    positions: str
    values: np.ndarray
    backend: str = "numpy"
    chunk_size: int = 0
    _sorted: dict[int, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    @property
    def samples(self) -> int:
        """Number of samples N."""
        return int(self.values.shape[0])

    def sorted_column(self, j: int) -> np.ndarray:
        """The forecasts of issue ``j``, sorted (computed once)."""
        if j not in self._sorted:
            self._sorted[j] = np.sort(self.values[:, j])
        return self._sorted[j]

    def summary(self) -> pd.DataFrame:
        """One row per issue: N, mean, sd, 5 %, median, 95 %, their MCSEs and a stability flag."""
        rows = []
        for j, issue in enumerate(self.scenario.issues):
            col = self.sorted_column(j)
            span = issue.scale[1] - issue.scale[0]
            m_lo = order_statistic_mcse(col, LOW_Q)
            m_hi = order_statistic_mcse(col, HIGH_Q)
            worst = max(m_lo, m_hi) if not (math.isnan(m_lo) or math.isnan(m_hi)) else math.nan
            rows.append({
                "issue": issue.id,
                "name": issue.name,
                "model": self.model,
                "samples": self.samples,
                "mean": float(np.mean(col)),
                "sd": float(np.std(col, ddof=1)) if col.shape[0] > 1 else 0.0,
                "p05": float(np.quantile(col, LOW_Q)),
                "median": float(np.quantile(col, 0.5)),
                "p95": float(np.quantile(col, HIGH_Q)),
                "mcse_p05": m_lo,
                "mcse_p95": m_hi,
                "stable": bool(not math.isnan(worst) and worst <= MAX_MCSE_FRACTION * span),
            })
        return pd.DataFrame(rows)

    def bands(self) -> pd.DataFrame:
        """Tidy table: one row per issue and outcome band, with its probability and 95 % interval."""
        rows = []
        n = self.samples
        for j, issue in enumerate(self.scenario.issues):
            counts = band_counts(issue, self.values[:, j])
            for band, k in counts:
                lo, hi = wilson(k, n)
                rows.append({"issue": issue.id, "band": band.name, "low": band.low,
                             "high": band.high, "probability": k / n if n else math.nan,
                             "ci_low": lo, "ci_high": hi})
            rest = n - sum(k for _, k in counts)
            if issue.bands and rest:
                lo, hi = wilson(rest, n)
                rows.append({"issue": issue.id, "band": None, "low": math.nan, "high": math.nan,
                             "probability": rest / n, "ci_low": lo, "ci_high": hi})
        return pd.DataFrame(rows, columns=["issue", "band", "low", "high", "probability",
                                           "ci_low", "ci_high"])

    def to_frame(self) -> pd.DataFrame:
        """Tidy samples: one row per sample and issue (columns sample, issue, forecast)."""
        n, d = self.values.shape
        return pd.DataFrame({
            "sample": np.repeat(np.arange(n), d),
            "issue": np.tile(np.array(self.scenario.issue_ids, dtype=object), n),
            "forecast": self.values.reshape(-1),
        })

    def warnings(self) -> list[str]:
        """Plain-words warnings: too few samples for a stable 5-95 % band, or no variation."""
        out = []
        if self.samples == 0:
            return ["no samples were drawn"]
        for row in self.summary().to_dict("records"):
            issue = self.scenario.issue(row["issue"])
            span = issue.scale[1] - issue.scale[0]
            worst = max(row["mcse_p05"], row["mcse_p95"])
            if math.isnan(row["mcse_p05"]) or math.isnan(row["mcse_p95"]):
                out.append(f"{row['issue']}: {self.samples} samples are too few to estimate the "
                           "5-95 % band (need at least 52; use --samples 2000 or more)")
            elif worst > MAX_MCSE_FRACTION * span:
                need = suggest_samples(self.samples, worst, MAX_MCSE_FRACTION * span)
                out.append(f"{row['issue']}: the 5-95 % band is unstable with {self.samples} "
                           f"samples (Monte Carlo error of its ends {worst:.2g} > "
                           f"{MAX_MCSE_FRACTION * span:.2g} scale points); use about "
                           f"--samples {need} or more")
        if self.samples > 1 and all(np.ptp(self.values, axis=0) == 0):
            out.append("every sample gives the same forecast: no uncertain input moves it "
                       "(inputs need a `distribution` to vary)")
        return out

    def to_json(self) -> dict[str, Any]:
        """The JSON form (the ``distribution`` key of ``forecast --format json --samples N``)."""
        summary = self.summary().to_dict("records")
        bands = self.bands()
        issues = []
        for row in summary:
            sub = bands[bands["issue"] == row["issue"]]
            issues.append({
                "id": row["issue"],
                "mean": _r(row["mean"]), "sd": _r(row["sd"]),
                "p05": _r(row["p05"]), "median": _r(row["median"]), "p95": _r(row["p95"]),
                "mcse_p05": _r(row["mcse_p05"]), "mcse_p95": _r(row["mcse_p95"]),
                "stable": row["stable"],
                "bands": [{"name": b["band"], "probability": _r(b["probability"]),
                           "ci95": [_r(b["ci_low"]), _r(b["ci_high"])]}
                          for b in sub.to_dict("records")],
            })
        return {"samples": self.samples, "seed": self.seed, "model": self.model,
                "positions": self.positions, "backend": self.backend,
                "quantiles": [LOW_Q, 0.5, HIGH_Q], "issues": issues,
                "warnings": self.warnings()}


def suggest_samples(n: int, mcse: float, target: float) -> int:
    """Samples needed to bring an MCSE down to ``target`` (it shrinks like 1/sqrt(N)), as 1, 2 or 5 x 10^k."""
    need = max(n * (mcse / target) ** 2, n + 1.0) if target > 0 else 10.0 * n
    magnitude = 10 ** math.floor(math.log10(need))
    return int(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= need))


def _r(x: float | None) -> float | None:
    v = finite_or_none(x)
    return None if v is None else round(v, 6)
