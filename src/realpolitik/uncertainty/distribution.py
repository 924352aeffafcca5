"""The distribution of a Monte Carlo forecast: medians, 5-95 % bands, outcome-band probabilities.

How stable is a band? The ``p``-quantile of N samples is bracketed by order statistics: the
number of samples below the true quantile is Binomial(N, p), so the sorted samples of ranks
``N p -/+ sqrt(N p (1 - p))`` enclose it with probability about 68 %. Half the distance between
these two samples is the Monte Carlo standard error (MCSE) of the quantile, in scale points.

**Small-N rule** (:func:`band_check`, the one rule of the package: forecasts, the report, the
dashboard and the dynamics bands use it). A band is unstable when the MCSE of its low or its high
quantile (5 % and 95 % for a forecast) exceeds 0.5 % of the scale span (half a point on a 0-100
scale), or when N is too small for the ranks to exist at all (both ranks must lie among the N
samples: N >= 52 for the 5-95 % band). A quantity that does not vary (no uncertain input moves
it) has an MCSE of zero and is stable. Outcome-band probabilities come with a 95 % Wilson score
interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from realpolitik.jsonsafe import finite_or_none
from realpolitik.scenario.bands import band_counts, band_shares
from realpolitik.scenario.schema import Scenario

if TYPE_CHECKING:
    import pandas as pd


#: Quantiles reported as the band of a forecast.
LOW_Q, HIGH_Q = 0.05, 0.95
#: Largest acceptable MCSE of the 5 %/95 % quantiles, as a fraction of the scale span.
MAX_MCSE_FRACTION = 0.005
#: Samples suggested when too few were drawn to estimate a band's error at all.
SUGGESTED_SAMPLES = 2000
#: Quantiles of :meth:`ForecastDistribution.quantiles`.
REPORT_QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
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


@dataclass(frozen=True)
class BandCheck:
    """The small-N rule's answer for one band: is it stable, and what to do if it is not."""

    samples: int
    #: The larger MCSE of the band's two ends, in scale points (NaN: too few samples).
    mcse: float
    #: The largest acceptable MCSE (:data:`MAX_MCSE_FRACTION` of the scale span).
    limit: float
    low_q: float = LOW_Q
    high_q: float = HIGH_Q

    @property
    def too_few(self) -> bool:
        """True when N is too small for the order statistics around the band's ends to exist."""
        return math.isnan(self.mcse)

    @property
    def stable(self) -> bool:
        """True when the Monte Carlo error of both ends is within :attr:`limit`."""
        return not self.too_few and self.mcse <= self.limit

    @property
    def suggested(self) -> int:
        """Samples that would make the band stable (0 when it is)."""
        if self.stable:
            return 0
        if self.too_few:
            return SUGGESTED_SAMPLES
        return suggest_samples(self.samples, self.mcse, self.limit)

    @property
    def band(self) -> str:
        """The band in words, such as ``5-95 %``."""
        return f"{self.low_q * 100:g}-{self.high_q * 100:g} %"

    def message(self) -> str | None:
        """Why the band is not stable and how many samples to use (None when it is stable).

        The words name no option of any interface: a Python caller passes ``samples=N``, the CLI
        ``--samples N``.
        """
        if self.stable:
            return None
        if self.too_few:
            return (f"{self.samples} samples are too few for stable estimates of the "
                    f"{self.band} band (at least {min_samples(self.low_q, self.high_q)} are "
                    f"needed); use about {self.suggested:,} samples or more")
        return (f"the {self.band} band is unstable with {self.samples} samples (Monte Carlo "
                f"error of its ends {self.mcse:.2g} > {self.limit:.2g} scale points); use about "
                f"{self.suggested:,} samples or more")


def band_check(values: np.ndarray, span: float, low_q: float = LOW_Q,
               high_q: float = HIGH_Q) -> BandCheck:
    """Whether the ``low_q``-``high_q`` band of ``values`` (1-D) is stable: the one small-N rule.

    Stable when the MCSE (:func:`order_statistic_mcse`) of both ends is at most
    :data:`MAX_MCSE_FRACTION` of the scale ``span`` (values that do not vary have an MCSE of 0);
    unstable when N is too small for the MCSE to exist (:func:`min_samples`).
    """
    x = np.sort(np.asarray(values, dtype=float).ravel())
    m_lo = order_statistic_mcse(x, low_q)
    m_hi = order_statistic_mcse(x, high_q)
    worst = math.nan if math.isnan(m_lo) or math.isnan(m_hi) else max(m_lo, m_hi)
    return BandCheck(int(x.size), worst, MAX_MCSE_FRACTION * float(span), low_q, high_q)


def min_samples(low_q: float = LOW_Q, high_q: float = HIGH_Q) -> int:
    """The smallest N for which the MCSE of both ends of the band exists (52 for 5-95 %)."""
    n = 2
    while math.isnan(order_statistic_mcse(np.zeros(n), low_q)) or math.isnan(
            order_statistic_mcse(np.zeros(n), high_q)):
        n += 1
    return n


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
    """Forecasts of N joint samples of the inputs: ``values`` (N, d) on each issue's scale.

    An ensemble's distribution also holds each member's forecasts of the same samples in
    ``members`` (name -> (N, d)); :meth:`member` gives one member's distribution.
    """

    scenario: Scenario
    model: str
    seed: int
    positions: str
    values: np.ndarray
    backend: str = "numpy"
    chunk_size: int = 0
    _sorted: dict[int, np.ndarray] = field(default_factory=dict, repr=False, compare=False)
    members: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    def member(self, name: str) -> ForecastDistribution:
        """The distribution of one ensemble member's forecasts of the same samples."""
        if name not in self.members:
            from realpolitik.errors import RealpolitikError

            known = ", ".join(self.members) or "none (not an ensemble run)"
            raise RealpolitikError(f"no member {name!r} in this distribution; members: {known}")
        return ForecastDistribution(self.scenario, name, self.seed, self.positions,
                                    self.members[name], self.backend, self.chunk_size)

    @property
    def samples(self) -> int:
        """Number of samples N."""
        return int(self.values.shape[0])

    def sorted_column(self, j: int) -> np.ndarray:
        """The forecasts of issue ``j``, sorted (computed once)."""
        if j not in self._sorted:
            self._sorted[j] = np.sort(self.values[:, j])
        return self._sorted[j]

    def quantiles(self, issue: str,
                  levels: tuple[float, ...] = REPORT_QUANTILES) -> dict[str, float]:
        """The quantiles ``levels`` (keys ``p05``, ``p25``, ...) and the mean of ``issue``'s forecasts.

        Non-finite forecasts are left out; empty when none is finite.
        """
        x = self.values[:, self.scenario.issue_ids.index(issue)]
        x = x[np.isfinite(x)]
        if x.size == 0:
            return {}
        qs = np.quantile(x, levels)
        out = {f"p{round(q * 100):02d}": float(v) for q, v in zip(levels, qs, strict=True)}
        out["mean"] = float(np.mean(x))
        return out

    def band_probabilities(self, issue: str) -> dict[str, float]:
        """Share of the samples in each outcome band of ``issue`` (:mod:`realpolitik.scenario.bands`)."""
        j = self.scenario.issue_ids.index(issue)
        return band_shares(self.scenario.issue(issue), self.values[:, j])

    def band_check(self, issue: str) -> BandCheck:
        """The small-N rule (:func:`band_check`) for the 5-95 % band of ``issue``."""
        iss = self.scenario.issue(issue)
        j = self.scenario.issue_ids.index(issue)
        return band_check(self.sorted_column(j), iss.scale[1] - iss.scale[0])

    def summary(self) -> pd.DataFrame:
        """One row per issue: N, mean, sd, 5 %, median, 95 %, their MCSEs and a stability flag."""
        import pandas as pd

        rows = []
        for j, issue in enumerate(self.scenario.issues):
            col = self.sorted_column(j)
            m_lo = order_statistic_mcse(col, LOW_Q)
            m_hi = order_statistic_mcse(col, HIGH_Q)
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
                "stable": self.band_check(issue.id).stable,
            })
        return pd.DataFrame(rows)

    def bands(self) -> pd.DataFrame:
        """Tidy table: one row per issue and outcome band, with its probability and 95 % interval."""
        import pandas as pd

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
        import pandas as pd

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
        for issue in self.scenario.issue_ids:
            note = self.band_check(issue).message()
            if note is not None:
                out.append(f"{issue}: {note}")
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
        doc: dict[str, Any] = {
            "samples": self.samples, "seed": self.seed, "model": self.model,
            "positions": self.positions, "backend": self.backend,
            "quantiles": [LOW_Q, 0.5, HIGH_Q], "issues": issues, "warnings": self.warnings()}
        if self.members:  # each member's 5 %, median and 95 % on the same samples
            doc["members"] = {
                name: [{"id": row["issue"], "p05": _r(row["p05"]), "median": _r(row["median"]),
                        "p95": _r(row["p95"])}
                       for row in self.member(name).summary().to_dict("records")]
                for name in self.members}
        return doc


def suggest_samples(n: int, mcse: float, target: float) -> int:
    """Samples needed to bring an MCSE down to ``target`` (it shrinks like 1/sqrt(N)), as 1, 2 or 5 x 10^k."""
    need = max(n * (mcse / target) ** 2, n + 1.0) if target > 0 else 10.0 * n
    magnitude = 10 ** math.floor(math.log10(need))
    return int(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= need))


def _r(x: float | None) -> float | None:
    v = finite_or_none(x)
    return None if v is None else round(v, 6)
