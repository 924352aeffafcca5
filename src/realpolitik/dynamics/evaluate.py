"""Rolling-origin evaluation of the attack-count models against naive baselines.

For every cut point ``t`` from ``first_origin`` weeks on, each model variant of
:mod:`realpolitik.dynamics.countfit` is refitted to weeks ``0..t-1`` only, and forecasts weeks
``t..t+horizon-1`` by simulation (parameters drawn from the fit's normal approximation with
their correlations, future U.S. strikes drawn at the training period's rates); regimes enter
only once announced (their start before week ``t``). Three naive baselines forecast the same
weeks: *persistence* (Poisson with last week's count as mean, floored at
:data:`PERSISTENCE_FLOOR`), *poisson-mean* (Poisson with the training mean) and *negbin-mean*
(negative binomial with the training mean and variance, by moments; Poisson when the variance
is not above the mean). Every forecast is a probability mass function, scored with the proper
scoring rules of :mod:`realpolitik.scoring` (Gneiting and Raftery 2007, "Strictly proper scoring
rules, prediction, and estimation", JASA 102(477)): the ranked probability score (CRPS for
counts), the log score, the mean PIT histogram of Czado, Gneiting and Held (2009, Biometrics
65(4)) and the coverage of central 50/80/90 % bands. The variant with the lowest mean CRPS is
the *chosen* model.

Randomness: origin ``i`` (0, 1, ...) of variant ``j`` draws from
``generator(seed, i, j)``, so a result does not depend on which other variants run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from realpolitik.dynamics import countfit
from realpolitik.dynamics.countfit import SUPPORT, VARIANTS, Data, Regime
from realpolitik.errors import RealpolitikError
from realpolitik.scoring import central_band_coverage, crps_count, log_score, pit_histogram
from realpolitik.seeds import generator

#: The naive baselines, in table order.
BASELINES = ("persistence", "poisson-mean", "negbin-mean")
#: Nominal levels of the bands whose coverage is reported.
LEVELS = (0.5, 0.8, 0.9)
#: The persistence forecast's smallest mean (a zero week would otherwise rule out any attack).
PERSISTENCE_FLOOR = 0.1
#: Fewest training weeks of a cut point.
MIN_ORIGIN = 4


@dataclass(frozen=True)
class Scores:
    """One model's forecasts: a row per (origin, horizon) with its pmf, outcome and scores."""

    name: str
    kind: str  # "model", "baseline" or "truth" (the generating process of a synthetic series)
    origin: np.ndarray
    horizon: np.ndarray
    outcome: np.ndarray
    pmf: np.ndarray
    crps: np.ndarray = field(init=False)
    log: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "crps", crps_count(self.pmf, self.outcome))
        object.__setattr__(self, "log", log_score(self.pmf, self.outcome))

    def mean_crps(self, horizon: int | None = None) -> float:
        """Mean CRPS over all forecasts (or those ``horizon`` weeks ahead)."""
        sel = slice(None) if horizon is None else self.horizon == horizon
        return float(np.mean(self.crps[sel]))

    def mean_log(self) -> float:
        """Mean log score."""
        return float(np.mean(self.log))

    def coverage(self, level: float) -> float:
        """Share of outcomes inside the central ``level`` band."""
        return central_band_coverage(self.pmf, self.outcome, level)

    def pit(self, bins: int = 10) -> np.ndarray:
        """Mean PIT histogram (shares per bin)."""
        return pit_histogram(self.pmf, self.outcome, bins)

    def quantiles(self, qs: Sequence[float]) -> np.ndarray:
        """Forecast quantiles (len(qs), rows)."""
        cdf = np.cumsum(self.pmf, axis=-1)
        return np.array([np.sum(cdf < q - 1e-12, axis=-1) for q in qs], dtype=float)


@dataclass(frozen=True)
class Evaluation:
    """Scores of every model and baseline over the same forecasts."""

    week_start: tuple[dt.date, ...]
    counts: np.ndarray
    first_origin: int
    horizon: int
    samples: int
    seed: int
    results: dict[str, Scores]
    fits: dict[str, list[countfit.CountFit]]

    @property
    def models(self) -> list[str]:
        """The model variants evaluated."""
        return [k for k, v in self.results.items() if v.kind == "model"]

    @property
    def chosen(self) -> str:
        """The variant with the lowest mean CRPS."""
        return min(self.models, key=lambda k: self.results[k].mean_crps())

    def best_baseline(self) -> str:
        """The baseline with the lowest mean CRPS."""
        return min(BASELINES, key=lambda k: self.results[k].mean_crps())


def _retaliation(counts: np.ndarray, strikes: np.ndarray) -> tuple[float, float]:
    attack_weeks = counts > 0
    p = float(np.sum(attack_weeks & (strikes > 0)) / max(np.sum(attack_weeks), 1))
    w = float(np.sum(strikes) / max(np.count_nonzero(strikes), 1))
    return p, w


def baseline_pmf(name: str, train: np.ndarray, horizon: int) -> np.ndarray:
    """The pmf (horizon, SUPPORT) of a naive baseline fitted to the training counts."""
    y = np.arange(SUPPORT)
    if name == "persistence":
        pmf = stats.poisson.pmf(y, max(float(train[-1]), PERSISTENCE_FLOOR))
    elif name == "poisson-mean":
        pmf = stats.poisson.pmf(y, max(float(np.mean(train)), PERSISTENCE_FLOOR))
    elif name == "negbin-mean":
        m = max(float(np.mean(train)), PERSISTENCE_FLOOR)
        v = float(np.var(train, ddof=1)) if train.size > 1 else m
        if v > m:
            size = m * m / (v - m)
            pmf = stats.nbinom.pmf(y, size, size / (size + m))
        else:
            pmf = stats.poisson.pmf(y, m)
    else:
        raise RealpolitikError(f"unknown baseline {name!r}; baselines are: {', '.join(BASELINES)}")
    return np.broadcast_to(pmf, (horizon, SUPPORT)).copy()


def evaluate(counts: np.ndarray, strikes: np.ndarray, week_start: Sequence[dt.date], *,
             regimes: Sequence[Regime] = (), variants: Sequence[str] = tuple(VARIANTS),
             first_origin: int = 8, horizon: int = 4, samples: int = 200, seed: int = 0,
             truth: countfit.CountFit | None = None,
             progress: Callable[[str, int, int], None] | None = None) -> Evaluation:
    """Rolling-origin forecasts of every variant and baseline, scored (see the module doc).

    ``truth`` (:meth:`CountFit.known`) adds the generating process itself as the model
    ``truth``, for synthetic series.
    """
    counts = np.asarray(counts, dtype=float)
    strikes = np.asarray(strikes, dtype=float)
    weeks = tuple(week_start)
    n_weeks = counts.size
    if strikes.shape != counts.shape or len(weeks) != n_weeks:
        raise RealpolitikError("counts, strikes and week starts must have one entry per week")
    if not MIN_ORIGIN <= first_origin < n_weeks:
        raise RealpolitikError(f"the first cut point must lie in [{MIN_ORIGIN}, {n_weeks - 1}] "
                               f"weeks (got {first_origin})")
    if horizon < 1:
        raise RealpolitikError(f"the horizon must be at least one week (got {horizon})")
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        raise RealpolitikError(f"unknown model variant {unknown[0]!r}; variants are: "
                               f"{', '.join(VARIANTS)}")
    rows: dict[str, list[tuple[int, int, float, np.ndarray]]] = {
        k: [] for k in (*variants, *(("truth",) if truth else ()), *BASELINES)}
    fits: dict[str, list[countfit.CountFit]] = {v: [] for v in variants}
    origins = range(first_origin, n_weeks)
    for i, t in enumerate(origins):
        h_len = min(horizon, n_weeks - t)
        outcome = counts[t: t + h_len]
        known = tuple(r for r in regimes if r.start < weeks[t])
        data = Data(counts[:t], strikes[:t], weeks[:t], known)
        ret = _retaliation(counts[:t], strikes[:t])
        for j, name in enumerate(variants):
            cf = countfit.fit(data, name)
            fits[name].append(cf)
            fc = countfit.forecast(cf, data, weeks[t: t + h_len], retaliation=ret,
                                   rng=generator(seed, i, j), samples=samples)
            rows[name].extend(_rows(t, outcome, fc.pmf()))
        if truth is not None:
            fc = countfit.forecast(truth, Data(counts[:t], strikes[:t], weeks[:t], tuple(regimes)),
                                   weeks[t: t + h_len], retaliation=ret,
                                   rng=generator(seed, i, len(variants)), samples=samples)
            rows["truth"].extend(_rows(t, outcome, fc.pmf()))
        for name in BASELINES:
            rows[name].extend(_rows(t, outcome, baseline_pmf(name, counts[:t], h_len)))
        if progress is not None:
            progress("origins", i + 1, len(origins))
    results = {}
    for name, r in rows.items():
        kind = "baseline" if name in BASELINES else "truth" if name == "truth" else "model"
        results[name] = Scores(name, kind,
                               np.array([x[0] for x in r]), np.array([x[1] for x in r]),
                               np.array([x[2] for x in r]), np.array([x[3] for x in r]))
    return Evaluation(weeks, counts, first_origin, horizon, samples, seed, results, fits)


def _rows(t: int, outcome: np.ndarray, pmf: np.ndarray) -> list[tuple[int, int, float, np.ndarray]]:
    return [(t, h + 1, float(outcome[h]), pmf[h]) for h in range(len(outcome))]


#: The evaluation of the built-in series shipped with the package (``realpolitik
#: evaluate-dynamics --out-dir`` writes the same summary); the report and the dashboard quote it.
SUMMARY_FILE = "dynamics_evaluation.json"


def summary(ev: Evaluation) -> dict[str, object]:
    """The headline numbers of an evaluation (JSON-ready): per model its scores and coverage."""
    return {
        "weeks": int(ev.counts.size), "first_week": ev.week_start[0].isoformat(),
        "first_origin": ev.first_origin, "horizon": ev.horizon, "samples": ev.samples,
        "seed": ev.seed, "forecasts": int(ev.results[ev.chosen].crps.size),
        "chosen": ev.chosen, "best_baseline": ev.best_baseline(),
        "models": {name: {"kind": r.kind, "crps": round(r.mean_crps(), 4),
                          "crps_1week": round(r.mean_crps(1), 4),
                          "log_score": round(r.mean_log(), 4),
                          "coverage": {f"{lv:.2f}": round(r.coverage(lv), 4) for lv in LEVELS}}
                   for name, r in ev.results.items()},
    }


def load_summary() -> dict[str, object]:
    """The shipped summary of the evaluation on the built-in series."""
    import json
    from importlib import resources

    text = (resources.files("realpolitik") / "data" / SUMMARY_FILE).read_text(encoding="utf-8")
    return json.loads(text)


def summary_sentence(s: dict[str, object]) -> str:
    """How the chosen attack model scored out of sample, in one sentence."""
    models: dict = s["models"]  # type: ignore[assignment]
    ch, bl = models[s["chosen"]], models[s["best_baseline"]]
    cov = ch["coverage"]
    return (f"Out of sample (refitted at every week from week {s['first_origin']} of the "
            f"{s['weeks']} weeks of attacks from {s['first_week']}, {s['forecasts']} forecasts "
            f"1-{s['horizon']} weeks ahead), the attack model ({s['chosen']}) scored a mean CRPS "
            f"of {ch['crps']:.2f} attacks a week against {bl['crps']:.2f} for the best naive "
            f"forecast ({s['best_baseline']}); its 50%, 80% and 90% bands held "
            f"{cov['0.50']:.0%}, {cov['0.80']:.0%} and {cov['0.90']:.0%} of the outcomes "
            "(docs/dynamics.md, Forecast evaluation).")
