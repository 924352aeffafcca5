"""Calibration of the attack process to the 2023-2024 attacks on U.S. forces in Iraq and Syria.

:func:`calibrate` fits the discrete Hawkes process of :mod:`realpolitik.dynamics.hawkes` to the
weekly series of :mod:`realpolitik.dynamics.data` by maximum likelihood, with the Gaza truce as
a covariate and the U.S. strikes as the deterrence stock. :func:`check` simulates the fitted
process over the same weeks (free-running from the first week, with the observed strikes and
truce, drawing the parameters from their asymptotic normal distribution) and reports the share
of observed weeks inside the simulated 90% band.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from realpolitik.dynamics import countfit, hawkes
from realpolitik.dynamics.data import WEEK, WeeklySeries, load_weekly
from realpolitik.scenario.sections.dynamics import Dynamics
from realpolitik.seeds import generator, spawn


def strike_weights(series: WeeklySeries) -> np.ndarray:
    """Facilities struck by the U.S. per week of the series (the strikes' weight)."""
    w = np.zeros(series.weeks)
    for s in series.strikes:
        k = (s.date - series.week_start[0]).days // WEEK
        if 0 <= k < series.weeks:
            w[k] += s.facilities
    return w


@dataclass(frozen=True)
class Calibration:
    """A fit of the attack process to a weekly series."""

    series: WeeklySeries
    fit: hawkes.HawkesFit
    include_assumed: bool

    @property
    def weights(self) -> np.ndarray:
        """Strike weights per week."""
        return strike_weights(self.series)

    def retaliation(self) -> tuple[float, float]:
        """(probability of a U.S. strike in a week with attacks, mean facilities per strike)."""
        w = self.weights
        c = self.series.counts
        attack_weeks = c > 0
        # a week with attacks counts as answered when the U.S. struck in that same week
        answered = w > 0
        p = float(np.sum(answered & attack_weeks) / max(np.sum(attack_weeks), 1))
        mean_w = float(np.sum(w) / max(np.count_nonzero(w), 1))
        return p, mean_w

    def deterrence_at_end(self) -> float:
        """The deterrence stock after the last week (with the fitted persistence)."""
        tau = self.fit.value("tau")
        d = 0.0
        for x in self.weights:
            d = d * np.exp(-1.0 / tau) + x
        return float(d)

    def excitation_at_end(self) -> float:
        """The excitation state E after the last week (with the fitted kernel decay)."""
        rho = self.fit.value("rho")
        e = 0.0
        for c in self.series.counts:
            e = rho * e + (1.0 - rho) * c
        return float(e)


#: Parameters held fixed in the calibration. At weekly resolution the excitation kernel's decay
#: runs to its boundary (rho -> 0: triggered attacks fall in the following week), so it is fixed
#: there rather than reported with a meaningless standard error.
FIXED: dict[str, float] = {"rho": 0.0}
#: Weak lognormal prior (median, sd of the log) on the persistence of deterrence in weeks. With
#: the assumed-zero weeks to mid-April the likelihood keeps rising as the persistence goes to
#: infinity (a lull that never ends); the prior (95% between about 2 and 90 weeks) keeps it
#: finite. The fitted value is a posterior mode for this one parameter.
TAU_PRIOR: tuple[float, float] = (13.0, 1.0)


def calibrate(*, include_assumed: bool = True, series: WeeklySeries | None = None) -> Calibration:
    """Fit the attack process to the shipped weekly series.

    Fitted: the background rate ``mu`` (attacks per week at the campaign's conditions), the
    branching ratio ``n``, the deterrence effect ``gamma`` per facility struck and the deterrence
    persistence ``tau`` in weeks (see :data:`FIXED` and :data:`TAU_PRIOR`). The Gaza truce is not
    a covariate: two partly covered weeks of interpolated counts cannot identify it.
    With ``include_assumed=False`` only the weeks that rest on reports (to 19 Feb 2024) are used.
    """
    series = load_weekly() if series is None else series
    if not include_assumed:
        series = series.subset(series.observed_weeks())
    fit = hawkes.fit(series.counts, strike_weights=strike_weights(series), fixed=FIXED,
                     log_priors={"tau": TAU_PRIOR})
    return Calibration(series, fit, include_assumed)


@dataclass(frozen=True)
class Check:
    """Simulated against observed weekly counts."""

    week_start: tuple[dt.date, ...]
    observed: np.ndarray
    low: np.ndarray
    median: np.ndarray
    high: np.ndarray
    mean: np.ndarray
    samples: int
    level: float
    basis: tuple[str, ...] = ()
    fitted_weeks: int = 0

    @property
    def inside(self) -> np.ndarray:
        """Whether each observed week lies inside the simulated band."""
        return (self.observed >= self.low) & (self.observed <= self.high)

    @property
    def coverage(self) -> float:
        """Share of observed weeks inside the band."""
        return float(np.mean(self.inside))


def check(cal: Calibration, *, samples: int = 2000, seed: int = 0, level: float = 0.90) -> Check:
    """Free-running simulation of the fitted process over the weeks of the shipped series.

    The simulation covers every week of the shipped series, also those left out of a fit with
    ``include_assumed=False`` (which are then out of sample).

    Sample ``k`` draws its parameters and its Poisson uniforms from its own stream
    ``SeedSequence(seed).spawn(samples)[k]``.
    """
    full = load_weekly()
    series = full if cal.series.weeks < full.weeks else cal.series
    t_len = series.weeks
    weights = strike_weights(series)
    k = len(cal.fit.names)
    normals = np.empty((samples, k))
    uniforms = np.empty((samples, t_len))
    for i, child in enumerate(spawn(seed, samples)):
        rng = generator(child)
        normals[i] = rng.standard_normal(k)
        uniforms[i] = rng.random(t_len)
    p = cal.fit.draw(normals)
    counts, _ = hawkes.simulate(
        p["mu"], np.minimum(p["n"], 0.99), p["rho"], uniforms,
        strike_weights=weights, gamma=p["gamma"], tau=p["tau"],
    )
    alpha = (1.0 - level) / 2.0
    low, med, high = np.quantile(counts, [alpha, 0.5, 1.0 - alpha], axis=0)
    return Check(series.week_start, series.counts, low, med, high, counts.mean(axis=0),
                 samples, level, series.basis, cal.series.weeks)


def plot_check(result: Check, path: Path, *, title: str | None = None) -> Path:
    """Observed weekly counts against the simulated median and band (PNG)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    x = np.array(result.week_start, dtype="datetime64[D]")
    fig, ax = plt.subplots(figsize=(7.5, 3.6), dpi=100)
    ax.fill_between(x, result.low, result.high, step="mid", alpha=0.3, color="tab:blue",
                    label=f"simulated {result.level:.0%} band")
    ax.step(x, result.median, where="mid", color="tab:blue", lw=1.2, label="simulated median")
    reported = np.array([b != "assumed" for b in result.basis] or [True] * len(x))
    ax.plot(x[reported], result.observed[reported], "o", color="black", ms=4,
            label="observed (weekly, interpolated from reports)")
    if not reported.all():
        ax.plot(x[~reported], result.observed[~reported], "o", mfc="white", color="black", ms=4,
                label="no report found: zero assumed")
    if 0 < result.fitted_weeks < len(x):
        ax.axvline(x[result.fitted_weeks] - np.timedelta64(3, "D"), color="gray", ls=":", lw=1)
        ax.text(x[result.fitted_weeks], ax.get_ylim()[1] * 0.55, " out of sample", fontsize=8,
                color="gray")
    ax.set_ylabel("attacks per week")
    ax.set_title(title or f"Attacks on U.S. forces in Iraq and Syria: fit vs data "
                 f"(coverage {result.coverage:.0%})", fontsize=10)
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def data_regimes(dyn: Dynamics | None, series: WeeklySeries) -> tuple[countfit.Regime, ...]:
    """The scenario's regimes that apply under every option and begin inside the series."""
    if dyn is None or dyn.attacks is None:
        return ()
    last = series.week_start[-1] + dt.timedelta(days=WEEK - 1)
    return tuple(countfit.Regime(r.id, r.start) for r in dyn.attacks.regimes
                 if not r.options and r.start <= last)


def fit_variant(variant: str, *, regimes: tuple[countfit.Regime, ...] = (),
                include_assumed: bool = True,
                series: WeeklySeries | None = None) -> countfit.CountFit:
    """Fit a count-model variant (:data:`realpolitik.dynamics.countfit.VARIANTS`) to the series.

    With ``include_assumed=False`` only the weeks backed by reports are used.
    """
    series = load_weekly() if series is None else series
    if not include_assumed:
        series = series.subset(series.observed_weeks())
    data = countfit.Data(series.counts, strike_weights(series), series.week_start, regimes)
    return countfit.fit(data, variant)


def deterrence_after(series: WeeklySeries, tau: float) -> float:
    """The deterrence stock after the last week of ``series`` with persistence ``tau`` weeks."""
    d = 0.0
    for x in strike_weights(series):
        d = d * np.exp(-1.0 / tau) + x
    return float(d)


def check_variant(cf: countfit.CountFit, *, regimes: tuple[countfit.Regime, ...] = (),
                  fitted_weeks: int | None = None, samples: int = 2000, seed: int = 0,
                  level: float = 0.90) -> Check:
    """:func:`check` for a count-model variant: free-running simulation over the shipped weeks.

    Parameters are drawn jointly from the fit's normal approximation (correlations included);
    sample ``k`` draws from ``SeedSequence(seed).spawn(samples)[k]``, as in :func:`check`.
    """
    series = load_weekly()
    k = len(cf.names)
    normals = np.empty((samples, k))
    uniforms = np.empty((samples, series.weeks))
    for i, child in enumerate(spawn(seed, samples)):
        rng = generator(child)
        normals[i] = rng.standard_normal(k)
        uniforms[i] = rng.random(series.weeks)
    draws = cf.draw(normals)
    counts = countfit.simulate(draws, cf.variant.family, series.week_start,
                               strike_weights(series), uniforms,
                               regimes if cf.variant.regimes else ())
    alpha = (1.0 - level) / 2.0
    low, med, high = np.quantile(counts, [alpha, 0.5, 1.0 - alpha], axis=0)
    return Check(series.week_start, series.counts, low, med, high, counts.mean(axis=0),
                 samples, level, series.basis, fitted_weeks or series.weeks)
