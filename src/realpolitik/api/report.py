"""Run every available subsystem on a scenario and keep plain results for a report or a page.

The analyst's view shows one scenario through all of realpolitik: the point forecast of every
registered model with Monte Carlo bands, the ensemble, the inputs that drive the forecast and the
actors that are pivotal, policy options over time and the deal. Each of those comes from its own
subsystem (:mod:`realpolitik.uncertainty`, :mod:`realpolitik.dynamics`, :mod:`realpolitik.deal`);
where one is not installed, or the scenario has no section for it, the result is an
:class:`Absent` that says why, so that the report can say so rather than leave a gap.

Long runs take a :class:`Control`: a cancel flag checked between chunks of work and a progress
callback ``(stage, fraction)``, built on the progress protocol and cancel token of
:mod:`realpolitik.progress`. A cancelled run raises :class:`Cancelled`.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from realpolitik.api.deal import DealResult, deal_report_parts
from realpolitik.api.deal import negotiate as negotiate_deal
from realpolitik.api.dynamics import (
    band_warnings,
    iter_options,
    out_of_sample_note,
    plan_simulation,
)
from realpolitik.api.forecast import forecast
from realpolitik.dynamics.engine import ALL, FORECAST, STATUS_QUO
from realpolitik.dynamics.model import event_probability
from realpolitik.errors import Cancelled, RealpolitikError
from realpolitik.jsonsafe import plain
from realpolitik.models.registry import DEFAULT_MODEL, get_model, list_models
from realpolitik.progress import CancelToken, Progress
from realpolitik.scenario.arrays import PositionKind
from realpolitik.scenario.bands import band_shares
from realpolitik.scenario.schema import Scenario
from realpolitik.uncertainty import sensitivity
from realpolitik.uncertainty.distribution import REPORT_QUANTILES, ForecastDistribution
from realpolitik.uncertainty.inputs import uncertain_slots
from realpolitik.uncertainty.leverage import removal_effects
from realpolitik.uncertainty.power import power_indices

#: Samples per model call of a Monte Carlo run (the unit of progress and of cancellation).
CHUNK = 256
#: Quantiles reported for every forecast distribution.
QUANTILES: tuple[float, ...] = REPORT_QUANTILES
#: The name under which the models package registers its ensemble.
ENSEMBLE = "ensemble"
#: Sections :func:`analyse` can compute.
SECTIONS: tuple[str, ...] = ("forecast", "drivers", "power", "dynamics", "deal")


@dataclass(frozen=True)
class Absent:
    """A section that could not be computed: its subsystem is missing or the scenario lacks it."""

    reason: str


@dataclass
class Control:
    """Cancellation and progress of a long run (a job of the dashboard, a report).

    Built on :mod:`realpolitik.progress`: ``cancel`` is a ``threading.Event`` or a
    :class:`~realpolitik.progress.CancelToken`, and :meth:`staged` hands the runs below a
    :class:`~realpolitik.progress.Progress` callable ``(stage, done, total)`` that arrives here
    as ``on_progress(stage, fraction)``.
    """

    cancel: threading.Event | CancelToken | None = None
    on_progress: Callable[[str, float], None] | None = None

    @property
    def token(self) -> CancelToken | None:
        """The cancel flag as a :class:`~realpolitik.progress.CancelToken` (None without one)."""
        if self.cancel is None or isinstance(self.cancel, CancelToken):
            return self.cancel
        return CancelToken(self.cancel)

    def check(self) -> None:
        """Raise :class:`Cancelled` if cancellation was asked for."""
        token = self.token
        if token is not None:
            token.check()

    def progress(self, stage: str, fraction: float) -> None:
        """Report that ``stage`` is ``fraction`` (0-1) done; then check for cancellation."""
        if self.on_progress is not None:
            self.on_progress(stage, min(max(float(fraction), 0.0), 1.0))
        self.check()

    def __call__(self, stage: str, done: int, total: int) -> None:
        """The :class:`~realpolitik.progress.Progress` protocol: ``done`` of ``total`` of ``stage``."""
        self.progress(stage, done / max(total, 1))

    def staged(self, stage: str, first: float = 0.0, share: float = 1.0) -> Progress:
        """A progress callable that reports under ``stage`` as ``first + share * done / total``."""

        def report(_stage: str, done: int, total: int) -> None:
            self.progress(stage, first + share * done / max(total, 1))

        return report


# ------------------------------------------------------------------------------------------
# forecasts
@dataclass(frozen=True)
class ModelForecast:
    """One model's forecast of every issue: the point forecast and, with samples, its distribution.

    Both come from one ``realpolitik.api.forecast(...)`` call; quantiles and band probabilities
    are the :class:`~realpolitik.uncertainty.distribution.ForecastDistribution`'s own.
    """

    model: str
    title: str
    reference: str
    issue_ids: tuple[str, ...]
    point: dict[str, float]
    distribution: ForecastDistribution | None = None
    seed: int | None = 0
    #: The model's record on past decisions: error, ensemble weight, calibrated bands
    #: (:func:`realpolitik.api.calibration.past_record`).
    past: dict[str, Any] = field(default_factory=dict)

    @property
    def draws(self) -> np.ndarray | None:
        """Forecasts (N, d) of the Monte Carlo samples (None for a point forecast only)."""
        return None if self.distribution is None else self.distribution.values

    @property
    def samples(self) -> int:
        """Number of Monte Carlo samples (0 for a point forecast only)."""
        return 0 if self.distribution is None else self.distribution.samples

    def quantiles(self, issue: str) -> dict[str, float]:
        """The quantiles :data:`QUANTILES` and the mean of the forecast of ``issue``."""
        if self.distribution is None or self.samples == 0:
            return {}
        return self.distribution.quantiles(issue, QUANTILES)

    def band_probabilities(self, scenario: Scenario, issue: str) -> dict[str, float]:
        """Share of samples (or 1/0 for a point forecast) in each outcome band of ``issue``."""
        if self.distribution is not None:
            return self.distribution.band_probabilities(issue)
        return band_shares(scenario.issue(issue), np.array([self.point[issue]]))

    def rows(self, scenario: Scenario) -> list[dict[str, Any]]:
        """Tidy rows: one per issue with the point forecast, quantiles and band probabilities."""
        rows = []
        for iss in scenario.issues:
            row: dict[str, Any] = {
                "model": self.model,
                "issue": iss.id,
                "status_quo": iss.status_quo.point,
                "forecast": self.point[iss.id],
                "samples": self.samples,
            }
            quantiles = self.quantiles(iss.id)
            for k in (*(f"p{round(q * 100):02d}" for q in QUANTILES), "mean"):
                row[k] = quantiles.get(k)
            for band, p in self.band_probabilities(scenario, iss.id).items():
                row[f"P({band})"] = p
            rows.append(row)
        return rows


@dataclass(frozen=True)
class ForecastSection:
    """Forecasts of every chosen model (the ensemble apart) and notes about the run."""

    models: list[ModelForecast]
    ensemble: ModelForecast | Absent
    samples: int
    seed: int
    monte_carlo: Absent | None = None  # why there are no bands, where there are none
    warnings: list[str] = field(default_factory=list)

    def all(self) -> list[ModelForecast]:
        """Every forecast, the ensemble last."""
        extra = [self.ensemble] if isinstance(self.ensemble, ModelForecast) else []
        return [*self.models, *extra]


def model_names() -> list[str]:
    """Names of the registered models, in registry order."""
    return [s.name for s in list_models()]


def model_forecast(scenario: Scenario, model: str, *, samples: int = 0, seed: int = 0,
                   positions: PositionKind = "stated", control: Control | None = None,
                   stage: str = "") -> ModelForecast:
    """One model's point forecast and, with ``samples``, its distribution: one forecast call.

    ``realpolitik.api.forecast(..., samples=N)`` runs the point forecast and the Monte Carlo
    samples (in chunks of :data:`CHUNK`, so a run reports progress and can be cancelled between
    chunks; sample ``k`` is the same whatever the chunking).
    """
    control = control or Control()
    spec = get_model(model)
    if samples > 0:
        result = forecast(scenario, spec.name, seed=seed, positions=positions, samples=samples,
                          chunk_size=CHUNK,
                          progress=control.staged(stage or f"Monte Carlo: {spec.name}"),
                          cancel=control.token)
    else:
        result = forecast(scenario, spec.name, seed=seed, positions=positions)
    from realpolitik.api.calibration import past_record

    return ModelForecast(spec.name, spec.title, spec.reference, tuple(scenario.issue_ids),
                         result.forecast, result.sampled, seed, past_record(result))


def point_forecast(scenario: Scenario, model: str, seed: int = 0,
                   positions: PositionKind = "stated") -> ModelForecast:
    """The point forecast of one model (batch of one at the point values)."""
    return model_forecast(scenario, model, seed=seed, positions=positions)


def forecasts(
    scenario: Scenario, models: Sequence[str] | None = None, *, samples: int = 200, seed: int = 0,
    positions: PositionKind = "stated", control: Control | None = None,
) -> ForecastSection:
    """Point forecasts of ``models`` (default: all registered) and, with ``samples``, their bands.

    One forecast call per model gives both; the warnings are the distributions' own (the
    small-N rule of :func:`realpolitik.uncertainty.distribution.band_check`).
    """
    control = control or Control()
    names = list(dict.fromkeys(get_model(m).name for m in (models or model_names())))
    ensemble_name = ENSEMBLE if ENSEMBLE in model_names() else None
    mc_absent = (Absent("no Monte Carlo samples were asked for (samples=0)") if samples <= 0
                 else None)
    warnings: list[str] = []
    results: list[ModelForecast] = []
    ensemble: ModelForecast | Absent = Absent(
        "no ensemble model is registered (realpolitik.models has none named 'ensemble')")
    todo = names + ([ensemble_name] if ensemble_name and ensemble_name not in names else [])
    for k, name in enumerate(todo):
        control.progress(f"forecast: {name}", k / max(len(todo), 1))
        mf = model_forecast(scenario, name, samples=max(samples, 0), seed=seed,
                            positions=positions, control=control, stage=f"Monte Carlo: {name}")
        if mf.distribution is not None:
            warnings.extend(f"{name}: {w}" for w in mf.distribution.warnings()
                            if f"{name}: {w}" not in warnings)
        if name == ensemble_name:
            ensemble = mf
        else:
            results.append(mf)
    control.progress("forecasts", 1.0)
    return ForecastSection(results, ensemble, samples if mc_absent is None else 0, seed,
                           mc_absent, warnings)


# ------------------------------------------------------------------------------------------
# drivers (sensitivity) and pivotal actors (power indices)
@dataclass(frozen=True)
class Table:
    """A table computed by a subsystem: column names and rows, with a caption."""

    caption: str
    columns: list[str]
    rows: list[list[Any]]

    def records(self) -> list[dict[str, Any]]:
        """The rows as dictionaries."""
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]


def table_from_frame(frame: Any, caption: str, limit: int | None = None) -> Table:
    """A :class:`Table` from a pandas DataFrame (first ``limit`` rows)."""
    df = frame.reset_index() if getattr(frame.index, "name", None) else frame
    if limit is not None:
        df = df.head(limit)
    rows = [[plain(v) for v in r] for r in df.itertuples(index=False, name=None)]
    return Table(caption, [str(c) for c in df.columns], rows)



@dataclass(frozen=True)
class Drivers:
    """Which uncertain inputs move the forecast: one-at-a-time swings and Sobol indices by actor."""

    model: str
    swings: Any  # DataFrame of realpolitik.uncertainty.sensitivity.swings
    sobol: Any | None  # DataFrame of Sobol indices grouped by actor (None if not computed)
    sobol_samples: int = 0
    notes: list[str] = field(default_factory=list)

    def top(self, issue: str, k: int = 10) -> Table:
        """The ``k`` inputs whose swing moves ``issue`` most."""
        sub = self.swings[self.swings["issue"] == issue].head(k)
        cols = ["input", "low_value", "high_value", "forecast_low", "forecast_high", "swing"]
        return table_from_frame(sub[cols], f"Largest swings of the {self.model} forecast of "
                                f"{issue} (each input alone at its 5% and 95% quantile)")

    def tables(self) -> list[Table]:
        """Every table: swings per issue, then the Sobol indices by actor."""
        out = [self.top(i) for i in dict.fromkeys(self.swings["issue"])] if len(self.swings) else []
        if self.sobol is not None and len(self.sobol):
            cols = ["issue", "input", "S1", "S1_conf", "ST", "ST_conf"]
            frame = self.sobol.sort_values(["issue", "ST"], ascending=[True, False])[cols]
            out.append(table_from_frame(
                frame.rename(columns={"input": "actor"}),
                f"Sobol indices by actor ({self.sobol_samples} base samples): share of the "
                "forecast's variance due to each actor's uncertain inputs (S1 alone, ST with "
                "interactions; ± 95% intervals)"))
        return out


def drivers(scenario: Scenario, model: str, *, sobol: int = 0, seed: int = 0,
            positions: PositionKind = "stated", control: Control | None = None) -> Drivers | Absent:
    """Swings of every uncertain input and, with ``sobol`` base samples, Sobol indices by actor.

    Swings cost 2m + 1 model runs for m uncertain inputs; Sobol indices cost N (g + 2) runs for
    N base samples (a power of two) and g actors, so they are computed only when asked for.
    """
    if not uncertain_slots(scenario, positions):
        return Absent("no input of the scenario has a distribution, so none can move the "
                      "forecast")
    control = control or Control()
    control.progress("drivers: swings", 0.0)
    swings = sensitivity.swings(scenario, model, positions=positions, seed=seed)
    indices = None
    notes: list[str] = []
    base = 0
    if sobol > 0:
        base = 1 << (max(2, sobol) - 1).bit_length()
        res = sensitivity.sobol(scenario, model, base, seed, positions=positions, by="actor",
                                resamples=100, progress=control.staged("drivers: Sobol indices"))
        indices, notes, base = res.frame, list(res.notes), res.base_samples
    return Drivers(model, swings, indices, base, notes)


@dataclass(frozen=True)
class Pivotal:
    """Actors' power: weight share, Shapley-Shubik and Banzhaf indices, and leverage by removal."""

    model: str
    power: Any  # DataFrame of realpolitik.uncertainty.power.power_indices
    removal: Any | None  # DataFrame of realpolitik.uncertainty.leverage.removal_effects

    def frame(self, issue: str) -> Any:
        """One row per actor on ``issue``, most powerful first."""
        p = self.power[self.power["issue"] == issue][
            ["actor", "weight_share", "shapley_shubik", "banzhaf"]]
        if self.removal is not None:
            r = self.removal[self.removal["issue"] == issue][["actor", "change"]]
            p = p.merge(r.rename(columns={"change": f"change without ({self.model})"}), on="actor")
        return p.sort_values("shapley_shubik", ascending=False)

    def tables(self, scenario: Scenario) -> list[Table]:
        """One table per issue."""
        return [table_from_frame(self.frame(i.id), f"{i.name}: power of each actor (weight "
                                 "= capability × salience; strict majority wins)")
                for i in scenario.issues]


def power(scenario: Scenario, model: str, *, samples: int, seed: int,
          positions: PositionKind = "stated", control: Control | None = None) -> Pivotal | Absent:
    """Power indices of every actor on every issue, and the change of the forecast without it."""
    control = control or Control()
    control.progress("pivotal actors", 0.0)
    frame = power_indices(scenario, positions=positions, seed=seed)
    removal = None
    control.progress("pivotal actors: removal", 0.5)
    removal = removal_effects(scenario, model, positions=positions, seed=seed)
    return Pivotal(model, frame, removal)


# ------------------------------------------------------------------------------------------
# dynamics: policy options over time
@dataclass(frozen=True)
class OptionPaths:
    """Bands over time of every state variable under one policy option."""

    option: str
    name: str
    bands: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # var -> (low, median, high)
    events: dict[str, float]  # event id -> probability


@dataclass(frozen=True)
class DynamicsResult:
    """Policy options compared over time."""

    start: dt.date
    months: int
    samples: int
    variables: list[tuple[str, str, str]]  # (id, name, unit)
    options: list[OptionPaths]
    events: list[tuple[str, str]]  # (id, description)
    level: float = 0.90
    #: The small-N rule for the bands (:func:`realpolitik.api.dynamics.band_warnings`).
    warnings: list[str] = field(default_factory=list)
    #: How the attack model scored out of sample (:func:`realpolitik.api.dynamics.out_of_sample_note`).
    scored: str = ""

    def dates(self) -> list[dt.date]:
        """The calendar date of the end of every month 0..M."""
        return [self.start + dt.timedelta(days=round(m * 365.2425 / 12)) for m in
                range(self.months + 1)]


def dynamics(scenario: Scenario, *, samples: int, seed: int, options: Sequence[str] | None = None,
             model: str = "", control: Control | None = None) -> DynamicsResult | Absent:
    """Policy options of the scenario's ``dynamics`` section (and the status quo) over time.

    ``options`` picks option ids (``status_quo`` for no intervention, ``forecast`` for the
    option in which the bargaining forecast of ``model`` drives the presence); default: every
    declared option, the status quo, and ``forecast`` where the section links an issue to a
    variable. The options run through :func:`realpolitik.api.dynamics.iter_options`, the loop
    of ``realpolitik simulate``.
    """
    control = control or Control()
    dyn = getattr(scenario, "dynamics", None)
    if dyn is None:
        return Absent(f"scenario {scenario.id!r} has no `dynamics` section")
    if options is None:
        names = [ALL] + ([FORECAST] if dyn.forecast is not None else [])
    else:
        names = list(options)
        if not names:
            return Absent("no policy option was chosen")
    plan = plan_simulation(scenario, names, model=model, seed=seed)
    stages = [plan.option_name(opt) for opt, _ in plan.options]

    def tick(option: str, done: int, total: int) -> None:
        k = stages.index(option)
        control.progress(f"dynamics: {'status quo' if option == STATUS_QUO else option}",
                         (k + done / max(total, 1)) / len(stages))

    level = 0.90
    variables = [(v.id, v.name, v.unit) for v in dyn.variables]
    if dyn.attacks is not None:
        variables.append(("attacks", "Attacks on U.S. forces", "attacks per month"))
    events = [(e.id, e.name or f"{e.variable} {e.direction} {e.threshold:g} by {e.by}")
              for e in dyn.events]
    trajectories = list(iter_options(plan, samples=samples, seed=seed, progress=tick))
    out = []
    for (opt, _), traj in zip(plan.options, trajectories, strict=True):
        bands = {}
        for vid, _, _ in variables:
            lo, med, hi = traj.band(vid, level)
            bands[vid] = (np.asarray(lo), np.asarray(med), np.asarray(hi))
        probs = {e.id: float(event_probability(traj, e)) for e in dyn.events}
        out.append(OptionPaths(plan.option_name(opt),
                               opt.name if opt else "Status quo (no intervention)", bands, probs))
    return DynamicsResult(plan.start, int(plan.months), samples, variables, out, events, level,
                          band_warnings(trajectories, dyn, level),
                          out_of_sample_note() if dyn.attacks is not None else "")


# ------------------------------------------------------------------------------------------
# the deal
@dataclass(frozen=True)
class DealSummary:
    """The deal's tables and warnings; ``negotiation`` is the DealResult itself, for figures."""

    parties: list[str]
    p_agreement: float
    tables: list[Table]
    negotiation: DealResult | None = None
    notes: list[str] = field(default_factory=list)
    #: Where the packages land on the mapped scenario issue (:meth:`DealResult.on_scale`).
    on_scale: dict[str, Any] | None = None
    #: One sentence: what the coalition pushes for vs what the two governments sign.
    sentence: str | None = None

    @property
    def table(self) -> Table:
        """The first table (the outcomes)."""
        return self.tables[0]


def deal(scenario: Scenario, *, samples: int, seed: int, model: str | None = None,
         positions: PositionKind = "stated", control: Control | None = None,
         models: Sequence[str] | None = None) -> DealSummary | Absent:
    """The negotiated deal of the scenario's ``deal`` section (Monte Carlo of the deal subsystem).

    With a package-to-scale mapping, also where the packages land on the mapped issue and, per
    collective model (``models``, default all registered), its forecast next to the package
    negotiated with that model driving the domestic constraint (:mod:`realpolitik.api.deal`).
    """
    if getattr(scenario, "deal", None) is None:
        return Absent(f"scenario {scenario.id!r} has no `deal` section")
    control = control or Control()
    result = negotiate_deal(scenario, samples=max(samples, 1), seed=seed, model=model,
                            positions=positions, progress=control.staged("deal"),
                            cancel=control.token)
    frames, notes, on_scale, sentence = deal_report_parts(scenario, result,
                                                          models or model_names(), positions)
    tables = [table_from_frame(frame, caption) for frame, caption in frames]
    names = [f"{a} ({n})" for a, n in zip(result.parties, result.party_names, strict=True)]
    return DealSummary(names, float(result.p_agreement), tables, result, notes, on_scale,
                       sentence)


# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Analysis:
    """Everything the report shows about one scenario."""

    scenario: Scenario
    forecast: ForecastSection | Absent
    drivers: Drivers | Absent
    power: Pivotal | Absent
    dynamics: DynamicsResult | Absent
    deal: DealSummary | Absent
    samples: int
    seed: int
    positions: PositionKind

    def to_json(self) -> dict[str, Any]:
        """Every section as JSON (the dashboard's job result; non-finite numbers are null)."""
        from realpolitik.api.report_export import analysis_json

        return analysis_json(self)

    def to_frame(self) -> Any:
        """Every number as a tidy pandas table (section, subject, item, month, statistic, value)."""
        from realpolitik.api.report_export import results_frame

        return results_frame(self)


def analyse(
    scenario: Scenario, *, models: Sequence[str] | None = None, samples: int = 200, seed: int = 0,
    positions: PositionKind = "stated", sections: Sequence[str] = SECTIONS,
    options: Sequence[str] | None = None, sobol: int = 0, control: Control | None = None,
) -> Analysis:
    """Run every requested section; a subsystem's user error becomes an :class:`Absent` with it.

    ``samples`` Monte Carlo samples feed the forecasts' bands, the policy options and the deal;
    ``sobol`` base samples (0: none) add Sobol indices to the drivers; ``options`` picks policy
    options (default all).
    """
    control = control or Control()
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        raise RealpolitikError(f"unknown section(s) {', '.join(unknown)}; sections are "
                               + ", ".join(SECTIONS))
    if samples < 0:
        raise RealpolitikError(f"samples must be >= 0, got {samples}")
    main_model = _main_model(models)

    def run(name: str, fn: Callable[[], Any]) -> Any:
        if name not in sections:
            return Absent("not requested")
        try:
            return fn()
        except Cancelled:
            raise
        except RealpolitikError as exc:
            return Absent(f"could not be computed: {exc}")

    fc = run("forecast", lambda: forecasts(scenario, models, samples=samples, seed=seed,
                                           positions=positions, control=control))
    dr = run("drivers", lambda: drivers(scenario, main_model, sobol=sobol, seed=seed,
                                        positions=positions, control=control))
    pw = run("power", lambda: power(scenario, main_model, samples=samples, seed=seed,
                                    positions=positions, control=control))
    dy = run("dynamics", lambda: dynamics(scenario, samples=max(samples, 1), seed=seed,
                                          options=options, model=main_model, control=control))
    de = run("deal", lambda: deal(scenario, samples=max(samples, 1), seed=seed,
                                  positions=positions, control=control, models=models))
    control.progress("done", 1.0)
    return Analysis(scenario, fc, dr, pw, dy, de, samples, seed, positions)


def _main_model(models: Sequence[str] | None) -> str:
    """The model of the drivers and pivotal actors.

    The ensemble if chosen (or, with no choice, registered), else the first model chosen, else
    the default model.
    """
    names = [get_model(m).name for m in models] if models else model_names()
    if ENSEMBLE in names:
        return ENSEMBLE
    return names[0] if models else DEFAULT_MODEL
