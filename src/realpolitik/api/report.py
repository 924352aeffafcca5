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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from realpolitik.api.control import Control
from realpolitik.api.forecast import forecast
from realpolitik.api.report_tables import Table, table_from_frame
from realpolitik.errors import Cancelled, RealpolitikError
from realpolitik.models.registry import DEFAULT_MODEL, get_model, list_models
from realpolitik.scenario.arrays import PositionKind
from realpolitik.scenario.bands import band_shares
from realpolitik.scenario.labels import actor_label, in_words, issue_label
from realpolitik.scenario.schema import Scenario
from realpolitik.uncertainty.distribution import REPORT_QUANTILES, ForecastDistribution

if TYPE_CHECKING:
    from realpolitik.api.deal import DealResult

#: Samples per model call of a Monte Carlo run (the unit of progress and of cancellation).
CHUNK = 64
#: Default Monte Carlo samples of a report or a dashboard run. On iraq-2024 with seed 0, bands
#: flagged unstable out of 16: 12 at 200 samples, 6 at 500, 2 at 1,000 (both the procedural
#: model's, whose long lower tail needs about 5,000); see docs/report.md for the cost.
DEFAULT_SAMPLES = 1000
#: Quantiles reported for every forecast distribution.
QUANTILES: tuple[float, ...] = REPORT_QUANTILES
#: The name under which the models package registers its ensemble.
ENSEMBLE = "ensemble"
#: Sections :func:`analyse` can compute.
SECTIONS: tuple[str, ...] = ("forecast", "drivers", "power", "dynamics", "deal")
#: Share of a run's time each section takes (measured on iraq-2024): a job's progress is one
#: fraction of the whole run, each section filling its share.
SECTION_WEIGHTS: dict[str, float] = {"forecast": 0.55, "drivers": 0.05, "power": 0.05,
                                     "dynamics": 0.2, "deal": 0.15}


@dataclass(frozen=True)
class Absent:
    """A section that could not be computed: its subsystem is missing or the scenario lacks it."""

    reason: str


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
    scenario: Scenario, models: Sequence[str] | None = None, *, samples: int = DEFAULT_SAMPLES, seed: int = 0,
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
        share = 1 / max(len(todo), 1)
        control.progress(f"forecast: {name}", k * share)
        mf = model_forecast(scenario, name, samples=max(samples, 0), seed=seed,
                            positions=positions, control=control.part(k * share, share),
                            stage=f"Monte Carlo: {name}")
        if mf.distribution is not None:
            said = [f"{mf.title}: {in_words(scenario, w)}" for w in mf.distribution.warnings()]
            warnings.extend(w for w in said if w not in warnings)
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
class Drivers:
    """Which uncertain inputs move the forecast: one-at-a-time swings and Sobol indices by actor."""

    model: str
    swings: Any  # DataFrame of realpolitik.uncertainty.sensitivity.swings
    sobol: Any | None  # DataFrame of Sobol indices grouped by actor (None if not computed)
    sobol_samples: int = 0
    notes: list[str] = field(default_factory=list)

    def top(self, issue: str, k: int = 10, scenario: Scenario | None = None) -> Table:
        """The ``k`` inputs whose swing moves ``issue`` most (in words with ``scenario``)."""
        sub = self.swings[self.swings["issue"] == issue].head(k)
        cols = ["input", "low_value", "high_value", "forecast_low", "forecast_high", "swing"]
        name = issue_label(scenario, issue)
        return table_from_frame(sub[cols], f"Largest swings of the {self.model} forecast of "
                                f"{name} at the point values (each input alone at its 5% and "
                                "95% quantile)", scenario=scenario)

    def tables(self, scenario: Scenario | None = None) -> list[Table]:
        """Every table: swings per issue, then the Sobol indices by actor."""
        out = ([self.top(i, scenario=scenario) for i in dict.fromkeys(self.swings["issue"])]
               if len(self.swings) else [])
        if self.sobol is not None and len(self.sobol):
            cols = ["issue", "input", "S1", "S1_conf", "ST", "ST_conf"]
            frame = self.sobol.sort_values(["issue", "ST"], ascending=[True, False])[cols]
            out.append(table_from_frame(
                frame.rename(columns={"input": "actor"}),
                f"Sobol indices by actor ({self.sobol_samples} base samples): share of the "
                "forecast's variance due to each actor's uncertain inputs (S1 alone, ST with "
                "interactions; ± 95% intervals)", scenario=scenario))
        return out


def drivers(scenario: Scenario, model: str, *, sobol: int = 0, seed: int = 0,
            positions: PositionKind = "stated", control: Control | None = None) -> Drivers | Absent:
    """Swings of every uncertain input and, with ``sobol`` base samples, Sobol indices by actor.

    Swings cost 2m + 1 model runs for m uncertain inputs; Sobol indices cost N (g + 2) runs for
    N base samples (a power of two) and g actors, so they are computed only when asked for.
    """
    from realpolitik.uncertainty import sensitivity  # lazily: pandas and scipy
    from realpolitik.uncertainty.inputs import uncertain_slots

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
                                 "= capability × salience; strict majority wins)",
                                 scenario=scenario)
                for i in scenario.issues]


def power(scenario: Scenario, model: str, *, samples: int, seed: int,
          positions: PositionKind = "stated", control: Control | None = None) -> Pivotal | Absent:
    """Power indices of every actor on every issue, and the change of the forecast without it."""
    control = control or Control()
    control.progress("pivotal actors", 0.0)
    from realpolitik.uncertainty.leverage import removal_effects
    from realpolitik.uncertainty.power import power_indices

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
    # lazily: the dynamics (scipy, pandas) load only when a report asks for them
    from realpolitik.api.dynamics import (
        band_warnings,
        iter_options,
        out_of_sample_note,
        plan_simulation,
    )
    from realpolitik.dynamics.engine import ALL, FORECAST, STATUS_QUO
    from realpolitik.dynamics.model import event_probability

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
                          [in_words(scenario, w) for w in band_warnings(trajectories, dyn, level)],
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


def _possessive(who: str) -> str:
    return who + ("'" if who.endswith("s") else "'s")


def deal(scenario: Scenario, *, samples: int, seed: int, model: str | None = None,
         positions: PositionKind = "stated", control: Control | None = None,
         models: Sequence[str] | None = None) -> DealSummary | Absent:
    """The negotiated deal of the scenario's ``deal`` section (Monte Carlo of the deal subsystem).

    With a package-to-scale mapping, also where the packages land on the mapped issue and, per
    collective model (``models``, default all registered), its forecast next to the package
    negotiated with that model driving the domestic constraint (:mod:`realpolitik.api.deal`).
    """
    from realpolitik.api.deal import deal_report_parts
    from realpolitik.api.deal import negotiate as negotiate_deal

    if getattr(scenario, "deal", None) is None:
        return Absent(f"scenario {scenario.id!r} has no `deal` section")
    control = control or Control()
    result = negotiate_deal(scenario, samples=max(samples, 1), seed=seed, model=model,
                            positions=positions, progress=control.staged("deal"),
                            cancel=control.token)
    frames, notes, on_scale, sentence = deal_report_parts(scenario, result,
                                                          models or model_names(), positions)
    tables = [table_from_frame(frame, caption, scenario=scenario) for frame, caption in frames]
    notes = [in_words(scenario, w) for w in notes]
    dom = result.domestic()
    if dom:
        party = actor_label(scenario, str(dom["party"]))
        notes.insert(0, f"domestic constraint: {_possessive(party)} acceptable set follows "
                        f"the {dom['model']} forecast of {issue_label(scenario, dom['issue'])} "
                        f"({dom['point']:.1f}; 90% "
                        f"of samples {dom['q05']:.1f}-{dom['q95']:.1f})")
    names = list(result.party_names)
    return DealSummary(names, float(result.p_agreement), tables, result, notes, on_scale,
                       in_words(scenario, sentence) if sentence else None)


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
    #: The bottom line per issue (:mod:`realpolitik.api.bottom_line`), or why there is none.
    bottom: list[Any] | Absent = field(default_factory=lambda: Absent("not computed"))

    def to_json(self) -> dict[str, Any]:
        """Every section as JSON (the dashboard's job result; non-finite numbers are null)."""
        from realpolitik.api.report_export import analysis_json

        return analysis_json(self)

    def to_frame(self) -> Any:
        """Every number as a tidy pandas table (section, subject, item, month, statistic, value)."""
        from realpolitik.api.report_export import results_frame

        return results_frame(self)


def analyse(
    scenario: Scenario, *, models: Sequence[str] | None = None, samples: int = DEFAULT_SAMPLES, seed: int = 0,
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
    # the sections fill 98% of the bar, the bottom line the rest
    total = (sum(SECTION_WEIGHTS[s] for s in SECTIONS if s in sections) or 1.0) / 0.98
    starts: dict[str, float] = {}
    done = 0.0
    for name in SECTIONS:
        if name in sections:
            starts[name] = done
            done += SECTION_WEIGHTS[name] / total
    parts = {name: control.part(starts[name], SECTION_WEIGHTS[name] / total)
             for name in starts}

    def run(name: str, fn: Callable[[Control], Any]) -> Any:
        if name not in sections:
            return Absent("not requested")
        try:
            return fn(parts[name])
        except Cancelled:
            raise
        except RealpolitikError as exc:
            return Absent(f"could not be computed: {exc}")

    fc = run("forecast", lambda c: forecasts(scenario, models, samples=samples, seed=seed,
                                             positions=positions, control=c))
    dr = run("drivers", lambda c: drivers(scenario, main_model, sobol=sobol, seed=seed,
                                          positions=positions, control=c))
    pw = run("power", lambda c: power(scenario, main_model, samples=samples, seed=seed,
                                      positions=positions, control=c))
    dy = run("dynamics", lambda c: dynamics(scenario, samples=max(samples, 1), seed=seed,
                                            options=options, model=main_model, control=c))
    de = run("deal", lambda c: deal(scenario, samples=max(samples, 1), seed=seed,
                                    positions=positions, control=c, models=models))
    control.progress("bottom line", done)  # where the last section ended (about 0.98)
    bottom = run("forecast", lambda c: _bottom(scenario, fc, dr, de, positions))
    control.progress("done", 1.0)
    return Analysis(scenario, fc, dr, pw, dy, de, samples, seed, positions, bottom)


def _bottom(scenario: Scenario, fc: ForecastSection | Absent, dr: Drivers | Absent,
            de: DealSummary | Absent, positions: PositionKind) -> list[Any] | Absent:
    """The bottom line of every issue (:func:`realpolitik.api.bottom_line.bottom_lines`)."""
    from realpolitik.api.bottom_line import bottom_lines

    if isinstance(fc, Absent):
        return Absent(f"no forecast: {fc.reason}")
    swings = dr.swings if isinstance(dr, Drivers) and dr.model == _headline_name(fc) else None
    return bottom_lines(scenario, fc, swings=swings, deal=de, positions=positions)


def _headline_name(fc: ForecastSection) -> str:
    if isinstance(fc.ensemble, ModelForecast):
        return fc.ensemble.model
    return fc.models[0].model if fc.models else ""


def _main_model(models: Sequence[str] | None) -> str:
    """The model of the drivers and pivotal actors.

    The ensemble if chosen (or, with no choice, registered), else the first model chosen, else
    the default model.
    """
    names = [get_model(m).name for m in models] if models else model_names()
    if ENSEMBLE in names:
        return ENSEMBLE
    return names[0] if models else DEFAULT_MODEL
