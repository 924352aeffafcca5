"""From a scenario to simulated options: choosing options, the forecast-driven option, summaries.

Example (Python)::

    from realpolitik.api.dynamics import simulate, summary_frame
    from realpolitik.scenario.loader import load_scenario

    sc = load_scenario("iraq-2024")
    results = simulate(sc, ["full_withdrawal", "status_quo"], samples=500, seed=1)
    table = summary_frame(results, sc)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from realpolitik.dynamics.model import Trajectories, event_probability
from realpolitik.errors import RealpolitikError
from realpolitik.scenario.schema import Scenario
from realpolitik.scenario.sections.dynamics import Dynamics, Intervention, PolicyOption

#: The option name that lets the bargaining forecast drive the presence variable.
FORECAST = "forecast"
#: The option that changes nothing (added when a scenario does not declare one).
STATUS_QUO = "status_quo"
#: The option name that selects every declared option.
ALL = "all"


def section(scenario: Scenario) -> Dynamics:
    """The scenario's ``dynamics`` section, or a clear error."""
    if scenario.dynamics is None:
        raise RealpolitikError(
            f"scenario {scenario.id!r} has no `dynamics` section; see docs/dynamics.md for how "
            "to declare variables, links, attacks and options"
        )
    return scenario.dynamics


def option_names(dyn: Dynamics) -> list[str]:
    """The declared options, with the status quo first if the scenario does not declare it."""
    names = [o.id for o in dyn.options]
    return names if STATUS_QUO in names else [STATUS_QUO, *names]


@dataclass(frozen=True)
class ForecastPath:
    """How the bargaining forecast was turned into a schedule of the presence variable."""

    model: str
    issue: str
    issue_forecast: float
    variable: str
    target: float
    option: PolicyOption


def forecast_option(scenario: Scenario, model: str = "", *, seed: int = 0) -> ForecastPath:
    """A policy option in which the bargaining forecast of an issue sets a state variable.

    The point forecast of ``dynamics.forecast.issue`` (the model run by
    :func:`realpolitik.runner.run_model` at the scenario's point values, as
    :func:`realpolitik.api.forecast` does) is mapped through ``dynamics.forecast.points``
    (identity when empty) and reached linearly over ``ramp_months`` from the variable's initial
    value, then held.
    """
    from realpolitik.models.registry import DEFAULT_MODEL, get_model
    from realpolitik.runner import run_model
    from realpolitik.scenario.arrays import to_input
    from realpolitik.seeds import resolve_seed

    dyn = section(scenario)
    link = dyn.forecast
    if link is None:
        raise RealpolitikError(
            f"scenario {scenario.id!r} has no `dynamics.forecast` entry saying which issue drives "
            "which variable; the forecast option needs one (see docs/dynamics.md)",
            options=("option",))
    spec = get_model(model or DEFAULT_MODEL)
    outcome = run_model(spec, to_input(scenario), seed=resolve_seed(seed))
    value = float(np.asarray(outcome.forecast)[0, scenario.issue_ids.index(link.issue)])
    if link.points:
        pts = sorted(link.points)
        target = float(np.interp(value, [p[0] for p in pts], [p[1] for p in pts]))
    else:
        target = value
    var = dyn.variable(link.variable)
    lo, hi = var.scale
    target = min(max(target, lo), hi)
    start = var.initial.point
    iv = Intervention(variable=link.variable, kind="set",
                      schedule=[(0.0, start), (max(link.ramp_months, 1e-6), target)])
    option = PolicyOption(id=FORECAST, name=f"Bargaining forecast ({spec.name})",
                          description=f"{link.variable} follows the {spec.name} forecast of "
                                      f"{link.issue} ({value:.1f}) over {link.ramp_months:g} months",
                          interventions=[iv])
    return ForecastPath(spec.name, link.issue, value, link.variable, target, option)


def resolve(scenario: Scenario, names: Sequence[str], *, model: str = "",
            seed: int = 0) -> list[tuple[PolicyOption | None, ForecastPath | None]]:
    """The options to run for the names given (``all``, ``forecast`` or declared ids)."""
    dyn = section(scenario)
    declared = {o.id: o for o in dyn.options}
    wanted: list[str] = []
    for name in names:
        for part in str(name).split(","):
            part = part.strip()
            if not part:
                continue
            wanted.extend(option_names(dyn) if part == ALL else [part])
    out: list[tuple[PolicyOption | None, ForecastPath | None]] = []
    for name in dict.fromkeys(wanted):
        if name == FORECAST:
            path = forecast_option(scenario, model, seed=seed)
            out.append((path.option, path))
        elif name in declared:
            out.append((declared[name], None))
        elif name == STATUS_QUO:
            out.append((None, None))
        else:
            known = ", ".join([*option_names(dyn), FORECAST, ALL])
            raise RealpolitikError(f"unknown option {name!r}; options are: {known}")
    if not out:
        raise RealpolitikError("no option given; name an option id or all", options=("option",))
    return out


def summary_frame(results: Sequence[Trajectories], scenario: Scenario,
                  level: float = 0.90) -> pd.DataFrame:
    """One row per option and quantity: the median and band at the horizon and the mean path.

    Rows: every state variable at the last month; attacks per month (mean over samples and
    months, and in the first and last year); every threshold event's probability.
    """
    dyn = section(scenario)
    names = {v.id: v.name for v in dyn.variables}
    rows: list[dict[str, Any]] = []
    for tr in results:
        for vid in tr.var_ids:
            lo, med, hi = tr.band(vid, level)
            rows.append({"option": tr.option, "quantity": names[vid], "id": vid,
                         "kind": "state at horizon", "median": med[-1], "low": lo[-1],
                         "high": hi[-1], "start": med[0]})
        if dyn.attacks is not None:
            per_month = tr.attacks.mean(axis=0)
            first = per_month[: min(12, tr.months)].mean()
            last = per_month[-min(12, tr.months):].mean()
            lo, med, hi = np.quantile(tr.attacks.mean(axis=1), [(1 - level) / 2, 0.5, (1 + level) / 2])
            rows.append({"option": tr.option, "quantity": "attacks per month (mean over horizon)",
                         "id": "attacks", "kind": "attacks", "median": med, "low": lo, "high": hi,
                         "start": np.nan, "expected": float(per_month.mean()),
                         "first_year": float(first), "last_year": float(last)})
        for ev in dyn.events:
            rows.append({"option": tr.option, "quantity": ev.name or ev.id, "id": ev.id,
                         "kind": "event probability", "median": event_probability(tr, ev),
                         "low": np.nan, "high": np.nan, "start": np.nan})
    return pd.DataFrame(rows)
