"""Dynamics for the interfaces: simulate a scenario's policy options, calibrate the attacks.

- :func:`plan_simulation` - the options to run (``all``, ``forecast`` or declared ids), the start
  date and the horizon, checked before anything runs;
- :func:`simulate_option` - one option's Monte Carlo trajectories (an interface runs the plan's
  options one by one, to show progress and keep finished options when interrupted);
- :func:`iter_options` - the one loop over a plan's options (the CLI and the report use it): each
  option's trajectories as soon as they are done, with progress per option;
- :func:`simulate_options` - every option of a plan in one call; :func:`simulate` - plan and
  run in one call (the Python entry point);
- :func:`band_warnings` - the small-N rule of :mod:`realpolitik.uncertainty.distribution` for
  the bands of every state variable at the horizon;
- :func:`summary_frame` - one row per option and quantity (state at the horizon, attacks,
  event probabilities);
- :func:`calibrate` and :func:`check` - the original (Poisson Hawkes) attack process fitted to
  the 2023-2024 attacks and its coverage check by simulation;
- :func:`fit_attacks` and :func:`check_attacks` - the same for any count-model variant
  (``negbin-regime``, the one the evaluation chose, by default);
- :func:`evaluate_dynamics` - the rolling-origin evaluation of every variant against naive
  baselines with proper scores.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from realpolitik.dynamics import model as _model
from realpolitik.dynamics.calibrate import (
    Calibration,
    Check,
    calibrate,
    check,
    check_variant,
    data_regimes,
    fit_variant,
    strike_weights,
)
from realpolitik.dynamics.countfit import VARIANTS, CountFit, Regime
from realpolitik.dynamics.data import load_weekly
from realpolitik.dynamics.engine import ALL, ForecastPath, resolve, section, summary_frame
from realpolitik.dynamics.evaluate import (
    Evaluation,
    evaluate,
    load_summary,
    summary,
    summary_sentence,
)
from realpolitik.dynamics.model import Trajectories
from realpolitik.errors import RealpolitikError
from realpolitik.progress import Progress
from realpolitik.scenario.loader import load_scenario
from realpolitik.scenario.schema import Scenario
from realpolitik.scenario.sections.dynamics import Dynamics, PolicyOption
from realpolitik.uncertainty.distribution import band_check

__all__ = [
    "CHOSEN_VARIANT",
    "VARIANTS",
    "AttackFit",
    "Calibration",
    "Check",
    "CountFit",
    "Evaluation",
    "ForecastPath",
    "SimulationPlan",
    "Trajectories",
    "band_warnings",
    "calibrate",
    "check",
    "check_attacks",
    "evaluate_dynamics",
    "evaluation_summary",
    "fit_attacks",
    "iter_options",
    "out_of_sample_note",
    "plan_simulation",
    "simulate",
    "simulate_option",
    "simulate_options",
    "summary_frame",
]


@dataclass(frozen=True)
class SimulationPlan:
    """What a simulation runs: the scenario's dynamics, the chosen options, start and months."""

    scenario: Scenario
    dynamics: Dynamics
    #: Per option: the option (None: the status quo) and, for ``forecast``, how it was built.
    options: list[tuple[PolicyOption | None, ForecastPath | None]]
    start: dt.date
    months: int

    def option_name(self, option: PolicyOption | None) -> str:
        """The name an interface shows for ``option``."""
        return option.id if option else "status_quo"


def plan_simulation(scenario: Scenario | str | Path, options: Sequence[str] = (ALL,), *,
                    horizon_months: int | None = None, model: str = "",
                    seed: int = 0) -> SimulationPlan:
    """Check the scenario's dynamics section and resolve the named options (comma lists too).

    ``forecast`` runs the bargaining ``model`` first (with ``seed``) to build its schedule.
    ``horizon_months`` defaults to the scenario's.
    """
    sc = load_scenario(scenario)
    dyn = section(sc)
    chosen = resolve(sc, list(options), model=model, seed=seed)
    months = horizon_months or dyn.horizon_months
    return SimulationPlan(sc, dyn, chosen, dyn.start or sc.as_of, months)


def simulate_option(plan: SimulationPlan, option: PolicyOption | None, *, samples: int = 1000,
                    seed: int = 0, progress: Progress | None = None) -> Trajectories:
    """Monte Carlo trajectories of one option of ``plan``; ``progress(stage, done, total)`` per step."""
    # through the module, so that a test (or a profiler) replacing dynamics.model.simulate sees it
    return _model.simulate(plan.dynamics, option, start=plan.start, samples=samples, seed=seed,
                    horizon_months=plan.months, progress=progress)


def iter_options(plan: SimulationPlan, *, samples: int = 1000, seed: int = 0,
                 progress: Progress | None = None) -> Iterator[Trajectories]:
    """The trajectories of every option of ``plan``, in the plan's order, one at a time.

    The one loop over a plan's options: a caller that stops early (Ctrl+C) keeps the options
    already yielded. ``progress(option_name, done, total)`` follows each option's steps.
    """
    for opt, _ in plan.options:
        yield simulate_option(plan, opt, samples=samples, seed=seed,
                              progress=_renamed(progress, plan.option_name(opt)))


def _renamed(progress: Progress | None, stage: str) -> Progress | None:
    """``progress`` reporting under ``stage`` (None without one)."""
    if progress is None:
        return None

    def report(_stage: str, done: int, total: int) -> None:
        progress(stage, done, total)

    return report


def simulate(scenario: Scenario | str | Path, options: Sequence[str] = (ALL,), *,
             samples: int = 1000, seed: int = 0, horizon_months: int | None = None,
             model: str = "", progress: Progress | None = None) -> list[Trajectories]:
    """Simulate each named option of a scenario (``all``, ``forecast`` or ids).

    Every option gets the same samples and seed: :func:`plan_simulation`, then
    :func:`simulate_options`.
    """
    plan = plan_simulation(scenario, options, horizon_months=horizon_months, model=model,
                           seed=seed)
    return simulate_options(plan, samples=samples, seed=seed, progress=progress)


def simulate_options(plan: SimulationPlan, *, samples: int = 1000, seed: int = 0,
                     progress: Progress | None = None) -> list[Trajectories]:
    """Every option of ``plan`` with the same samples and seed, in the plan's order."""
    return list(iter_options(plan, samples=samples, seed=seed, progress=progress))


def band_warnings(results: Sequence[Trajectories], dyn: Dynamics,
                  level: float = 0.90) -> list[str]:
    """The small-N rule for the ``level`` bands of every state variable at the horizon.

    At most one line: the variables whose band is unstable under some option and the samples
    the least stable of them needs (:func:`realpolitik.uncertainty.distribution.band_check`).
    """
    low_q = (1.0 - level) / 2.0
    worst = None
    unstable: list[str] = []
    for var in dyn.variables:
        for tr in results:
            res = band_check(tr.variable(var.id)[:, -1], var.scale[1] - var.scale[0],
                             low_q, 1.0 - low_q)
            if res.stable:
                continue
            if var.id not in unstable:
                unstable.append(var.id)
            if worst is None or res.suggested > worst.suggested:
                worst = res
    if worst is None:
        return []
    return [f"{', '.join(unstable)} at the horizon: {worst.message()}"]


def evaluation_summary(ev: Evaluation) -> dict[str, object]:
    """The headline numbers of an evaluation, JSON-ready (the shipped summary's format)."""
    return summary(ev)


def out_of_sample_note() -> str:
    """How the shipped attack model scored out of sample, in one sentence (for the report)."""
    return summary_sentence(load_summary())


#: The variant the rolling-origin evaluation chose on the built-in series (docs/dynamics.md);
#: :func:`evaluate_dynamics` reports which one wins, so a change of data shows up there.
CHOSEN_VARIANT = "negbin-regime"


@dataclass(frozen=True)
class AttackFit:
    """A count-model variant fitted to the shipped series, with the scenario's regimes."""

    fit: CountFit
    regimes: tuple[Regime, ...]
    weeks: int
    include_assumed: bool


def _regimes(scenario: Scenario | str | Path | None) -> tuple[Regime, ...]:
    if scenario is None:
        return ()
    sc = load_scenario(scenario)
    return data_regimes(sc.dynamics, load_weekly())


def _variant(name: str) -> str:
    if name not in VARIANTS:
        raise RealpolitikError(f"unknown model variant {name!r}; variants are: "
                               f"{', '.join(VARIANTS)}", options=("variant",))
    return name


def fit_attacks(scenario: Scenario | str | Path | None = "iraq-2024", *,
                variant: str = CHOSEN_VARIANT, include_assumed: bool = True) -> AttackFit:
    """Fit a variant to the shipped weekly attacks, with the regimes ``scenario`` declares."""
    regimes = _regimes(scenario)
    series = load_weekly()
    weeks = series.weeks if include_assumed else series.observed_weeks()
    cf = fit_variant(_variant(variant), regimes=regimes, include_assumed=include_assumed)
    return AttackFit(cf, regimes, weeks, include_assumed)


def check_attacks(fit: AttackFit, *, samples: int = 2000, seed: int = 0,
                  level: float = 0.90) -> Check:
    """Free-running simulation of a fitted variant over every shipped week (its coverage)."""
    return check_variant(fit.fit, regimes=fit.regimes, fitted_weeks=fit.weeks, samples=samples,
                         seed=seed, level=level)


def evaluate_dynamics(scenario: Scenario | str | Path | None = "iraq-2024", *,
                      variants: Sequence[str] = tuple(VARIANTS), first_origin: int = 8,
                      horizon: int = 4, samples: int = 200, seed: int = 0,
                      include_assumed: bool = True,
                      progress: Progress | None = None) -> Evaluation:
    """Rolling-origin evaluation on the shipped weekly attacks.

    See :mod:`realpolitik.dynamics.evaluate`; regimes come from ``scenario``'s attack section.
    """
    regimes = _regimes(scenario)
    series = load_weekly()
    if not include_assumed:
        series = series.subset(series.observed_weeks())
    return evaluate(series.counts, strike_weights(series), series.week_start, regimes=regimes,
                    variants=[_variant(v) for v in variants], first_origin=first_origin,
                    horizon=horizon, samples=samples, seed=seed, progress=progress)
