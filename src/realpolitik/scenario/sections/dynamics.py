"""The optional ``dynamics`` section of a scenario: state variables, causal links, attacks, options.

A minimal example::

    dynamics:
      variables:
        - {id: presence, name: U.S. presence, meaning: ..., initial: 60}
        - {id: influence, name: Iran's influence, meaning: ..., initial: 60,
           adjustment_months: 12, noise: 2}
      links:
        - {from: presence, to: influence, sign: "-", strength: 0.3, lag_months: 3,
           source: {id: fa2024, at: introduction}}
      options:
        - id: full_withdrawal
          name: Full withdrawal
          interventions:
            - {variable: presence, kind: set, schedule: [[0, 60], [12, 0]]}
      events:
        - {id: influence_high, variable: influence, direction: above, threshold: 70,
           by: 2026-12}

Semantics (see :mod:`realpolitik.dynamics.model` and docs/dynamics.md): every variable moves
toward its *target*, its ``equilibrium`` plus the sum over incoming links of
``sign * strength * (source value lag_months ago - source's initial value)``, closing the share
``1 - exp(-dt / adjustment_months)`` of the gap per step, plus noise. A link with
``lag_months: 0`` acts within the same step, so a cycle made only of such links has no
solution order and is rejected. Interventions of a policy option ``set`` a variable to a
schedule (it no longer follows its dynamics) or ``shift`` its target by a schedule.

This module never imports :mod:`realpolitik.scenario.schema` or :mod:`realpolitik.scenario.validate`
(both import this one); its checks report through :mod:`realpolitik.scenario.checker`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from realpolitik.scenario.checker import Checker, items, number
from realpolitik.scenario.sections.correlations import MIN_EIGENVALUE, smallest_eigenvalue
from realpolitik.scenario.sections.dynamics_attacks import (
    AttackDriver,
    AttackProcess,
    AttackRegime,
    ParameterCorrelation,
    Retaliation,
)
from realpolitik.scenario.values import (
    ID_PATTERN,
    MAX_ID_LENGTH,
    MAX_NAME_LENGTH,
    FiniteFloat,
    Frozen,
    SourceRef,
    Value,
    finite,
)
from realpolitik.scenario.yamlio import PathKey

__all__ = ["ATTACKS", "AttackDriver", "AttackProcess", "AttackRegime", "CausalLink", "Dynamics",
           "ForecastLink", "Intervention", "ParameterCorrelation", "PolicyOption", "Retaliation",
           "StateVariable", "ThresholdEvent", "check", "lag0_cycle"]

#: The pseudo-variable of threshold events that counts attacks per month.
ATTACKS = "attacks"
#: Largest magnitude of a link's strength (points of target per point of source).
MAX_STRENGTH = 2.0
#: Largest branching ratio accepted (the process must stay subcritical).
MAX_BRANCHING = 0.99
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class StateVariable(Frozen):
    """A quantity that evolves over time, on a bounded scale (0-100 unless said otherwise)."""

    id: str = Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)
    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    meaning: str = Field(min_length=1, description="What the low and the high end of the scale mean.")
    unit: str = Field(default="0-100 scale")
    scale: tuple[FiniteFloat, FiniteFloat] = (0.0, 100.0)
    initial: Value = Field(description="Value at the start of the simulation (the as_of date).")
    equilibrium: Value | None = Field(
        default=None, description="Level the variable returns to when its drivers stay at their "
        "initial values (default: the initial value).")
    adjustment_months: Value = Field(
        validate_default=True, default=12.0, description="Time constant of the approach to the target, in months (> 0).")
    noise: Value = Field(validate_default=True, default=0.0, description="Standard deviation of the random shocks, "
                         "points per square root of a month (>= 0).")

    @field_validator("scale")
    @classmethod
    def _scale(cls, v: tuple[float, float]) -> tuple[float, float]:
        lo, hi = (finite(x) for x in v)
        if not lo < hi:
            raise ValueError(f"scale must be [min, max] with min < max, got [{lo:g}, {hi:g}]")
        return (lo, hi)


class CausalLink(Frozen):
    """A causal claim: a change of ``from`` moves the target level of ``to`` after a lag."""

    source_var: str = Field(alias="from")
    target_var: str = Field(alias="to")
    sign: Literal["+", "-"]
    strength: Value = Field(description=f"Points of target per point of source, in [0, {MAX_STRENGTH:g}].")
    lag_months: FiniteFloat = Field(default=0.0, description="Delay in months (0 = same step).")
    source: SourceRef | None = Field(default=None, description="Where the claim is made.")
    note: str | None = None


class Intervention(Frozen):
    """What a policy option does to one variable: ``set`` it to, or ``shift`` its target by, a schedule."""

    variable: str
    kind: Literal["set", "shift"]
    schedule: list[tuple[FiniteFloat, FiniteFloat]] = Field(
        min_length=1, description="[month, value] points, linear in between, held after the last.")
    source: SourceRef | None = None
    note: str | None = None


class PolicyOption(Frozen):
    """A policy option: a named set of interventions (none = the status quo)."""

    id: str = Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)
    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    description: str | None = None
    interventions: list[Intervention] = Field(default_factory=list)
    source: SourceRef | None = None


class ThresholdEvent(Frozen):
    """An event whose probability is reported, e.g. "Iran's influence above 70 by 2026-12"."""

    id: str = Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)
    name: str | None = None
    variable: str = Field(description=f"A state variable id, or `{ATTACKS}` (attacks per month).")
    direction: Literal["above", "below"]
    threshold: FiniteFloat
    by: str = Field(description="Month YYYY-MM: the event is read at the end of that month.")
    mode: Literal["at", "ever"] = Field(
        default="at", description="`at`: at that month; `ever`: in any month up to it.")

    @field_validator("by", mode="before")
    @classmethod
    def _month(cls, v: Any) -> Any:
        if isinstance(v, dt.date):
            return f"{v.year:04d}-{v.month:02d}"
        if isinstance(v, str) and not _MONTH.fullmatch(v):
            raise ValueError(f"must be a month written YYYY-MM, got {v!r}")
        return v

    def month_end(self) -> dt.date:
        """Last day of the month ``by``."""
        year, month = (int(x) for x in self.by.split("-"))
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)


class ForecastLink(Frozen):
    """How the bargaining forecast of an issue drives a state variable (``--option forecast``)."""

    issue: str = Field(description="Issue id of the scenario.")
    variable: str = Field(description="State variable set to the forecast.")
    points: list[tuple[FiniteFloat, FiniteFloat]] = Field(
        default_factory=list, description="[issue value, variable value] points (default: identity).")
    ramp_months: FiniteFloat = Field(default=12.0, description="Months to move from the initial value to the forecast.")


class Dynamics(Frozen):
    """The ``dynamics`` section: what happens over time under each policy option."""

    start: dt.date | None = Field(default=None, description="Month 0 (default: the scenario's as_of).")
    horizon_months: int = Field(default=36, ge=1, le=600)
    variables: list[StateVariable] = Field(min_length=1)
    links: list[CausalLink] = Field(default_factory=list)
    attacks: AttackProcess | None = None
    options: list[PolicyOption] = Field(default_factory=list)
    events: list[ThresholdEvent] = Field(default_factory=list)
    forecast: ForecastLink | None = None

    @model_validator(mode="after")
    def _lags(self) -> Dynamics:
        for link in self.links:
            if not math.isfinite(link.lag_months) or link.lag_months < 0:
                raise ValueError("lag_months must be >= 0")
        return self

    def variable(self, var_id: str) -> StateVariable:
        """The variable with this id."""
        for v in self.variables:
            if v.id == var_id:
                return v
        raise KeyError(var_id)

    def option(self, option_id: str) -> PolicyOption:
        """The option with this id."""
        for o in self.options:
            if o.id == option_id:
                return o
        raise KeyError(option_id)


# -- whole-file checks ----------------------------------------------------------------------
_BASE: PathKey = ("dynamics",)
#: Allowed range and wording of each number of the attack process.
_ATTACK_RANGES: dict[str, tuple[float, float, str]] = {
    "baseline": (0.0, 1e4, "the baseline rate (attacks per week)"),
    "branching_ratio": (0.0, MAX_BRANCHING, "the branching ratio (subcritical)"),
    "kernel_decay": (0.0, 0.999, "the kernel decay per week"),
    "deterrence_effect": (0.0, 100.0, "the deterrence effect"),
    "deterrence_weeks": (0.01, 1e4, "the deterrence persistence (weeks)"),
    "initial_deterrence": (0.0, 1e6, "the initial deterrence stock"),
    "initial_excitation": (0.0, 1e6, "the initial excitation"),
    "dispersion": (0.01, 1e4, "the negative binomial size (dispersion)"),
}
#: Allowed range and wording of a regime's numbers.
_REGIME_RANGES: dict[str, tuple[float, float, str]] = {
    "effect": (-20.0, 20.0, "a regime's log-rate effect"),
    "persistence_weeks": (0.1, 1e4, "a regime's persistence (weeks)"),
}


def correlation_matrix(pairs: list[tuple[str, str, float]]) -> tuple[list[str], np.ndarray]:
    """The names and the normal-score correlation matrix of (name, name, correlation) pairs."""
    names = sorted({n for a, b, _ in pairs for n in (a, b)})
    index = {n: k for k, n in enumerate(names)}
    mat = np.eye(len(names))
    for a, b, rho in pairs:
        mat[index[a], index[b]] = mat[index[b], index[a]] = rho
    return names, mat


def _uncertain(att: dict[str, Any], name: str) -> bool:
    """Whether the attack number ``name`` has a distribution in the raw section."""
    if "." in name:
        rid, key = name.split(".", 1)
        entry = next((r.get(key) for _, r in items(att, "regimes") if r.get("id") == rid), None)
    else:
        entry = att.get(name)
    return isinstance(entry, dict) and isinstance(entry.get("distribution"), dict)


def lag0_cycle(edges: list[tuple[str, str]]) -> list[str] | None:
    """A cycle (list of nodes, first repeated at the end) in a directed graph, or None."""
    graph: dict[str, list[str]] = {}
    for a, b in edges:
        graph.setdefault(a, []).append(b)
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if state.get(nxt) is None:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if state.get(node) is None:
            found = visit(node)
            if found:
                return found
    return None


def _check_input(checker: Checker, path: PathKey, table: dict[str, Any], key: str,
                 lo: float, hi: float, what: str) -> None:
    """Range and source of the input ``table[key]``, if there is one."""
    if key in table:
        checker.check_range((*path, key), table[key], lo, hi, what)
        checker.check_source((*path, key), table[key])


def _check_sourced(checker: Checker, path: PathKey, entry: dict[str, Any], *, needs_note: bool,
                   missing: str) -> None:
    """The source of a causal claim (a link, an intervention).

    A given source must be known; a built-in scenario needs one (and a note when
    ``needs_note``), else ``missing`` is reported.
    """
    source = entry.get("source")
    complete = isinstance(source, dict) and (not needs_note or entry.get("note"))
    if checker.builtin and not complete:
        checker.add(path, missing, show=False)
    elif isinstance(source, dict):
        checker.check_source(path, {"source": source})


class _Section:
    """The checks of one ``dynamics`` mapping: the checker, the raw section, its variables."""

    def __init__(self, checker: Checker, dyn: dict[str, Any]):
        self.checker, self.dyn = checker, dyn
        self.var_ids = self.unique("variables")
        self.unique("options")
        self.unique("events")
        self.known = ", ".join(sorted(self.var_ids)) or "none declared"
        self.scales: dict[str, tuple[float, float]] = {}

    def unique(self, key: str) -> set[str]:
        """The ids of ``dynamics.<key>``; duplicates are reported."""
        seen: dict[str, int] = {}
        for i, item in items(self.dyn, key):
            ident = item.get("id")
            if isinstance(ident, str):
                if ident in seen:
                    self.checker.add((*_BASE, key, i, "id"), f"duplicate id: dynamics.{key}"
                                     f"[{seen[ident]}] already uses it; ids must be unique", ident)
                else:
                    seen[ident] = i
        return set(seen)

    def known_var(self, path: PathKey, who: Any, *, attacks_ok: bool = False) -> bool:
        """Whether ``who`` names a state variable (or the attacks); an unknown one is reported."""
        if not isinstance(who, str):
            return False
        if who in self.var_ids or (attacks_ok and who == ATTACKS):
            return True
        extra = f" or `{ATTACKS}`" if attacks_ok else ""
        self.checker.add(path, f"unknown variable; variables are: {self.known}{extra}", who)
        return False

    # -- variables ------------------------------------------------------------------------
    def variables(self) -> None:
        """Each variable's numbers inside its scale (0-100 by default); records the scales."""
        for i, var in items(self.dyn, "variables"):
            path = (*_BASE, "variables", i)
            lo, hi = 0.0, 100.0
            sc = var.get("scale")
            if (isinstance(sc, list) and len(sc) == 2
                    and number(sc[0]) is not None and number(sc[1]) is not None):
                lo, hi = float(sc[0]), float(sc[1])
            if lo < hi and isinstance(var.get("id"), str):
                self.scales[var["id"]] = (lo, hi)
            for key in ("initial", "equilibrium"):
                _check_input(self.checker, path, var, key, lo, hi,
                             f"the {key} value (the variable's scale)")
            _check_input(self.checker, path, var, "adjustment_months", 0.05, 1200.0,
                         "the adjustment time (months)")
            _check_input(self.checker, path, var, "noise", 0.0, hi - lo,
                         "the noise (points per sqrt month)")

    # -- links ----------------------------------------------------------------------------
    def links(self) -> None:
        """Known ends, strengths, lags and sources of the links; no cycle of same-step links."""
        lag0: list[tuple[str, str]] = []
        lag0_index: dict[tuple[str, str], int] = {}
        for i, link in items(self.dyn, "links"):
            path = (*_BASE, "links", i)
            ok_from = self.known_var((*path, "from"), link.get("from"))
            ok_to = self.known_var((*path, "to"), link.get("to"))
            _check_input(self.checker, path, link, "strength", 0.0, MAX_STRENGTH,
                         "a link's strength (the sign says the direction)")
            lag = number(link.get("lag_months", 0.0))
            if lag is not None and lag < 0:
                self.checker.add((*path, "lag_months"), "a lag must be >= 0 months", lag)
            _check_sourced(self.checker, path, link, needs_note=False, missing=(
                "every causal link of a built-in scenario needs a source "
                "(source: {id: ..., at: <section>})"))
            if ok_from and ok_to and (lag == 0.0):
                lag0.append((link["from"], link["to"]))
                lag0_index.setdefault((link["from"], link["to"]), i)
        cycle = lag0_cycle(lag0)
        if cycle:
            first = lag0_index[(cycle[0], cycle[1])]
            self.checker.add(
                (*_BASE, "links", first, "lag_months"),
                "these links form a cycle with no lag (" + " -> ".join(cycle) + "); a same-step "
                "cycle has no solution order: give at least one link of the cycle a "
                "lag_months > 0", 0)

    # -- attacks --------------------------------------------------------------------------
    def attacks(self) -> None:
        """The attack process: its numbers, the presence variable, exposure, drivers, strikes."""
        att = self.dyn.get("attacks")
        if not isinstance(att, dict):
            return
        path = (*_BASE, "attacks")
        for key, (lo, hi, what) in _ATTACK_RANGES.items():
            _check_input(self.checker, path, att, key, lo, hi, what)
        pv = att.get("presence_variable")
        if pv is not None:
            self.known_var((*path, "presence_variable"), pv)
        for j, pt in enumerate(att.get("exposure") or []):
            if isinstance(pt, list) and len(pt) == 2 and number(pt[1]) is not None and pt[1] < 0:
                self.checker.add((*path, "exposure", j), "a relative exposure must be >= 0", pt[1])
        for j, drv in items(att, "drivers"):
            self.known_var((*path, "drivers", j, "variable"), drv.get("variable"))
            _check_input(self.checker, (*path, "drivers", j), drv, "coefficient", -50.0, 50.0,
                         "a driver's coefficient (log rate per 100 points)")
        ret = att.get("retaliation")
        if isinstance(ret, dict):
            _check_input(self.checker, (*path, "retaliation"), ret, "probability", 0.0, 1.0,
                         "a probability")
            _check_input(self.checker, (*path, "retaliation"), ret, "weight", 0.0, 1e4,
                         "a strike's weight")
        if att.get("counts") == "negbin" and "dispersion" not in att:
            self.checker.add((*path, "counts"), "negative binomial counts need a `dispersion` "
                             "(the size per week)", "negbin")
        self.regimes(path, att)
        self.correlations(path, att)

    def regimes(self, path: PathKey, att: dict[str, Any]) -> None:
        """Each regime's numbers, its options and (built in) its source and note."""
        options = {o.get("id") for _, o in items(self.dyn, "options")} | {"status_quo"}
        seen: set[str] = set()
        for j, reg in items(att, "regimes"):
            rpath = (*path, "regimes", j)
            for key, (lo, hi, what) in _REGIME_RANGES.items():
                _check_input(self.checker, rpath, reg, key, lo, hi, what)
            if reg.get("id") in seen:
                self.checker.add((*rpath, "id"), "duplicate regime id", reg.get("id"))
            seen.add(reg.get("id"))
            for k, opt in enumerate(reg.get("options") or []):
                if opt not in options:
                    self.checker.add((*rpath, "options", k), "unknown option; options are: "
                                     + ", ".join(sorted(str(o) for o in options)), opt)
            _check_sourced(self.checker, rpath, reg, needs_note=True, missing=(
                "every regime of a built-in scenario needs a source "
                "(source: {id: ..., at: ...}) and a note"))

    def correlations(self, path: PathKey, att: dict[str, Any]) -> None:
        """Known, uncertain, distinct numbers; correlations in (-1, 1) that hold together."""
        names = {"baseline", "branching_ratio", "deterrence_effect", "deterrence_weeks",
                 "dispersion"}
        for _, reg in items(att, "regimes"):
            names |= {f"{reg.get('id')}.effect", f"{reg.get('id')}.persistence_weeks"}
        pairs: list[tuple[str, str, float]] = []
        for j, corr in items(att, "correlations"):
            cpath = (*path, "correlations", j)
            between = corr.get("between")
            ok = isinstance(between, list) and len(between) == 2 and between[0] != between[1]
            if not ok:
                self.checker.add((*cpath, "between"), "name two different numbers", between)
                continue
            for k, name in enumerate(between):
                if name not in names:
                    self.checker.add((*cpath, "between", k), "unknown attack number; numbers are: "
                                     + ", ".join(sorted(names)), name)
                    ok = False
                elif not _uncertain(att, name):
                    self.checker.add((*cpath, "between", k), "only a number with a distribution "
                                     "can be correlated", name)
                    ok = False
            rho = number(corr.get("correlation"))
            if rho is None or not -1.0 < rho < 1.0:
                self.checker.add((*cpath, "correlation"), "a correlation must lie in (-1, 1)",
                                 corr.get("correlation"))
                ok = False
            if ok and rho is not None:
                pairs.append((between[0], between[1], rho))
        if pairs and smallest_eigenvalue(correlation_matrix(pairs)[1]) <= MIN_EIGENVALUE:
            self.checker.add((*path, "correlations"), "these correlations cannot hold together "
                             "(their matrix is not positive definite); weaken some of them",
                             show=False)

    # -- options --------------------------------------------------------------------------
    def options(self) -> None:
        """Every intervention of every policy option."""
        for i, opt in items(self.dyn, "options"):
            for j, iv in items(opt, "interventions"):
                self.intervention((*_BASE, "options", i, "interventions", j), iv)

    def intervention(self, path: PathKey, iv: dict[str, Any]) -> None:
        """A known variable, a valid schedule, a source and a note in a built-in scenario."""
        var = iv.get("variable")
        ok = self.known_var((*path, "variable"), var)
        sched = iv.get("schedule")
        if isinstance(sched, list):
            scale = self.scales.get(var) if ok and iv.get("kind") == "set" else None
            self.schedule(path, sched, scale)
        _check_sourced(self.checker, path, iv, needs_note=True, missing=(
            "every intervention of a built-in scenario needs a source "
            "(source: {id: ..., at: ...}) and a note"))

    def schedule(self, path: PathKey, sched: list[Any], scale: tuple[float, float] | None) -> None:
        """Months >= 0 and strictly increasing; set values inside ``scale`` (when given)."""
        last = -math.inf
        for k, pt in enumerate(sched):
            if not (isinstance(pt, list) and len(pt) == 2):
                continue
            month, value = number(pt[0]), number(pt[1])
            if month is not None:
                if month < 0 or month <= last:
                    self.checker.add((*path, "schedule", k, 0), "schedule months must be >= 0 "
                                     "and strictly increasing", month)
                last = month
            if scale is not None and value is not None and not scale[0] <= value <= scale[1]:
                lo, hi = scale
                self.checker.add((*path, "schedule", k, 1), f"a set value must lie in the "
                                 f"variable's scale [{lo:g}, {hi:g}]", value)

    # -- events ---------------------------------------------------------------------------
    def start(self) -> dt.date | None:
        """Month 0 of the simulation: ``start``, else the scenario's ``as_of`` (None if unknown)."""
        start = self.dyn.get("start") or self.checker.data.get("as_of")
        if isinstance(start, str):
            try:
                start = dt.date.fromisoformat(start)
            except ValueError:
                start = None
        return start if isinstance(start, dt.date) else None

    def events(self) -> None:
        """Each threshold event: a known variable, a threshold in its scale, a month in range."""
        horizon = number(self.dyn.get("horizon_months", 36)) or 36.0
        start = self.start()
        for i, ev in items(self.dyn, "events"):
            path = (*_BASE, "events", i)
            var = ev.get("variable")
            self.known_var((*path, "variable"), var, attacks_ok=True)
            threshold = number(ev.get("threshold"))
            if isinstance(var, str) and var in self.scales and threshold is not None:
                lo, hi = self.scales[var]
                if not lo <= ev["threshold"] <= hi:
                    self.checker.add((*path, "threshold"), f"the threshold must lie in the "
                                     f"variable's scale [{lo:g}, {hi:g}]", ev["threshold"])
            if start is not None:
                self.event_month((*path, "by"), ev.get("by"), start, horizon)

    def event_month(self, path: PathKey, by: Any, start: dt.date, horizon: float) -> None:
        """The month ``by`` (YYYY-MM) is a real month between the start and the horizon."""
        if isinstance(by, dt.date):
            by = f"{by.year:04d}-{by.month:02d}"
        if not (isinstance(by, str) and _MONTH.fullmatch(by)):
            return
        year, month = int(by[:4]), int(by[5:])
        months = (year - start.year) * 12 + (month - start.month)
        if not 1 <= month <= 12:
            self.checker.add(path, "the month must be 01-12", by)
        elif months < 0 or months > horizon:
            self.checker.add(path, f"must lie between the start ({start.isoformat()}) and the "
                             f"horizon ({horizon:g} months later)", by)

    # -- forecast -------------------------------------------------------------------------
    def forecast(self) -> None:
        """The forecast link: a known scenario issue and a known variable."""
        fc = self.dyn.get("forecast")
        if not isinstance(fc, dict):
            return
        issues = {x.get("id") for _, x in items(self.checker.data, "issues")}
        if isinstance(fc.get("issue"), str) and fc["issue"] not in issues:
            self.checker.add((*_BASE, "forecast", "issue"), "unknown issue id; issues are: "
                             + ", ".join(sorted(str(x) for x in issues)), fc["issue"])
        self.known_var((*_BASE, "forecast", "variable"), fc.get("variable"))


def check(checker: Checker) -> None:
    """Whole-file checks of ``dynamics`` (run by :mod:`realpolitik.scenario.validate`)."""
    dyn = checker.data.get("dynamics")
    if not isinstance(dyn, dict):
        return
    section = _Section(checker, dyn)
    section.variables()
    section.links()
    section.attacks()
    section.options()
    section.events()
    section.forecast()
