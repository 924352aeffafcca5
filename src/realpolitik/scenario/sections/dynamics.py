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

This module never imports :mod:`realpolitik.scenario.schema` (that module imports this one).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from realpolitik.scenario.values import FiniteFloat, Frozen, SourceRef, Value, finite

_ID = r"^[A-Za-z0-9_.\-]+$"
#: The pseudo-variable of threshold events that counts attacks per month.
ATTACKS = "attacks"
#: Largest magnitude of a link's strength (points of target per point of source).
MAX_STRENGTH = 2.0
#: Largest branching ratio accepted (the process must stay subcritical).
MAX_BRANCHING = 0.99
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class StateVariable(Frozen):
    """A quantity that evolves over time, on a bounded scale (0-100 unless said otherwise)."""

    id: str = Field(pattern=_ID)
    name: str = Field(min_length=1)
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


class AttackDriver(Frozen):
    """A state variable that scales the background rate of attacks: exp(coefficient * dx / 100)."""

    variable: str
    coefficient: Value = Field(description="Change of the log rate per 100 points of the variable.")
    reference: FiniteFloat | None = Field(
        default=None, description="Level at which the calibrated rate holds (default: initial value).")


class Retaliation(Frozen):
    """U.S. retaliatory strikes: in a step with attacks, a strike with this probability and weight."""

    probability: Value = Field(description="Probability of a strike in a step with attacks, [0, 1].")
    weight: Value = Field(description="Weight of a strike (facilities struck) added to deterrence.")


class AttackProcess(Frozen):
    """The self-exciting (Hawkes) process of militia attacks on U.S. forces (rates per week)."""

    baseline: Value = Field(description="Background rate mu, attacks per week at reference conditions.")
    branching_ratio: Value = Field(description="Expected attacks triggered by one attack, [0, 0.99].")
    kernel_decay: Value = Field(validate_default=True, default=0.0, description="Per-week decay rho of the excitation kernel, [0, 1).")
    deterrence_effect: Value = Field(description="gamma: log-rate reduction per unit of deterrence stock.")
    deterrence_weeks: Value = Field(description="Persistence tau of the deterrence stock, weeks (> 0).")
    initial_deterrence: Value = Field(validate_default=True, default=0.0, description="Deterrence stock at the start.")
    initial_excitation: Value = Field(validate_default=True, default=0.0, description="Excitation at the start (attacks per week).")
    presence_variable: str | None = Field(
        default=None, description="The state variable of the U.S. presence (the targets).")
    exposure: list[tuple[FiniteFloat, FiniteFloat]] = Field(
        default_factory=list, description="[presence, relative exposure] points: how many targets a "
        "presence level offers relative to the calibration period (linear in between).")
    drivers: list[AttackDriver] = Field(default_factory=list)
    retaliation: Retaliation | None = None
    calibration: str | None = Field(default=None, description="Where the numbers were fitted.")


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

    id: str = Field(pattern=_ID)
    name: str = Field(min_length=1)
    description: str | None = None
    interventions: list[Intervention] = Field(default_factory=list)
    source: SourceRef | None = None


class ThresholdEvent(Frozen):
    """An event whose probability is reported, e.g. "Iran's influence above 70 by 2026-12"."""

    id: str = Field(pattern=_ID)
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
        if isinstance(v, str) and not _MONTH.match(v):
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
def _num(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, int | float):
        return None
    return float(x) if math.isfinite(float(x)) else None


def _point(v: Any) -> float | None:
    return _num(v.get("value")) if isinstance(v, dict) else _num(v)


def _list(d: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    seq = d.get(key) if isinstance(d, dict) else None
    if not isinstance(seq, list):
        return []
    return [(i, x) for i, x in enumerate(seq) if isinstance(x, dict)]


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


def check(checker: Any) -> None:
    """Whole-file checks of ``dynamics`` (see :class:`realpolitik.scenario.validate.Checker`)."""
    dyn = checker.data.get("dynamics")
    if not isinstance(dyn, dict):
        return
    base = ("dynamics",)
    add, check_range, check_source = checker.add, checker.check_range, checker.check_source

    def unique(key: str) -> set[str]:
        seen: dict[str, int] = {}
        for i, item in _list(dyn, key):
            ident = item.get("id")
            if isinstance(ident, str):
                if ident in seen:
                    add((*base, key, i, "id"), f"duplicate id: dynamics.{key}[{seen[ident]}] "
                        "already uses it; ids must be unique", ident)
                else:
                    seen[ident] = i
        return set(seen)

    var_ids = unique("variables")
    unique("options")
    unique("events")
    known = ", ".join(sorted(var_ids)) or "none declared"
    scales: dict[str, tuple[float, float]] = {}

    for i, var in _list(dyn, "variables"):
        path = (*base, "variables", i)
        lo, hi = 0.0, 100.0
        sc = var.get("scale")
        if isinstance(sc, list) and len(sc) == 2 and _num(sc[0]) is not None and _num(sc[1]) is not None:
            lo, hi = float(sc[0]), float(sc[1])
        if lo < hi and isinstance(var.get("id"), str):
            scales[var["id"]] = (lo, hi)
        for key in ("initial", "equilibrium"):
            if key in var:
                check_range((*path, key), var[key], lo, hi, f"the {key} value (the variable's scale)")
                check_source((*path, key), var[key])
        if "adjustment_months" in var:
            check_range((*path, "adjustment_months"), var["adjustment_months"], 0.05, 1200.0,
                        "the adjustment time (months)")
            check_source((*path, "adjustment_months"), var["adjustment_months"])
        if "noise" in var:
            check_range((*path, "noise"), var["noise"], 0.0, hi - lo, "the noise (points per sqrt month)")
            check_source((*path, "noise"), var["noise"])

    def known_var(path: tuple[Any, ...], who: Any, *, attacks_ok: bool = False) -> bool:
        if not isinstance(who, str):
            return False
        if who in var_ids or (attacks_ok and who == ATTACKS):
            return True
        extra = f" or `{ATTACKS}`" if attacks_ok else ""
        add(path, f"unknown variable; variables are: {known}{extra}", who)
        return False

    lag0: list[tuple[str, str]] = []
    lag0_index: dict[tuple[str, str], int] = {}
    for i, link in _list(dyn, "links"):
        path = (*base, "links", i)
        ok_from = known_var((*path, "from"), link.get("from"))
        ok_to = known_var((*path, "to"), link.get("to"))
        if "strength" in link:
            check_range((*path, "strength"), link["strength"], 0.0, MAX_STRENGTH,
                        "a link's strength (the sign says the direction)")
            check_source((*path, "strength"), link["strength"])
        lag = _num(link.get("lag_months", 0.0))
        if lag is not None and lag < 0:
            add((*path, "lag_months"), "a lag must be >= 0 months", lag)
        if checker.builtin and not isinstance(link.get("source"), dict):
            add(path, "every causal link of a built-in scenario needs a source "
                      "(source: {id: ..., at: <section>})", show=False)
        elif isinstance(link.get("source"), dict):
            check_source(path, {"source": link["source"]})
        if ok_from and ok_to and (lag == 0.0):
            lag0.append((link["from"], link["to"]))
            lag0_index.setdefault((link["from"], link["to"]), i)
    cycle = lag0_cycle(lag0)
    if cycle:
        first = lag0_index[(cycle[0], cycle[1])]
        add((*base, "links", first, "lag_months"),
            "these links form a cycle with no lag (" + " -> ".join(cycle) + "); a same-step cycle "
            "has no solution order: give at least one link of the cycle a lag_months > 0", 0)

    att = dyn.get("attacks")
    if isinstance(att, dict):
        path = (*base, "attacks")
        ranges = {
            "baseline": (0.0, 1e4, "the baseline rate (attacks per week)"),
            "branching_ratio": (0.0, MAX_BRANCHING, "the branching ratio (subcritical)"),
            "kernel_decay": (0.0, 0.999, "the kernel decay per week"),
            "deterrence_effect": (0.0, 100.0, "the deterrence effect"),
            "deterrence_weeks": (0.01, 1e4, "the deterrence persistence (weeks)"),
            "initial_deterrence": (0.0, 1e6, "the initial deterrence stock"),
            "initial_excitation": (0.0, 1e6, "the initial excitation"),
        }
        for key, (lo, hi, what) in ranges.items():
            if key in att:
                check_range((*path, key), att[key], lo, hi, what)
                check_source((*path, key), att[key])
        pv = att.get("presence_variable")
        if pv is not None:
            known_var((*path, "presence_variable"), pv)
        for j, point in enumerate(att.get("exposure") or []):
            if isinstance(point, list) and len(point) == 2 and _num(point[1]) is not None and point[1] < 0:
                add((*path, "exposure", j), "a relative exposure must be >= 0", point[1])
        for j, drv in _list(att, "drivers"):
            known_var((*path, "drivers", j, "variable"), drv.get("variable"))
            if "coefficient" in drv:
                check_range((*path, "drivers", j, "coefficient"), drv["coefficient"], -50.0, 50.0,
                            "a driver's coefficient (log rate per 100 points)")
                check_source((*path, "drivers", j, "coefficient"), drv["coefficient"])
        ret = att.get("retaliation")
        if isinstance(ret, dict):
            if "probability" in ret:
                check_range((*path, "retaliation", "probability"), ret["probability"], 0.0, 1.0,
                            "a probability")
                check_source((*path, "retaliation", "probability"), ret["probability"])
            if "weight" in ret:
                check_range((*path, "retaliation", "weight"), ret["weight"], 0.0, 1e4, "a strike's weight")
                check_source((*path, "retaliation", "weight"), ret["weight"])

    horizon = _num(dyn.get("horizon_months", 36)) or 36.0
    for i, opt in _list(dyn, "options"):
        for j, iv in _list(opt, "interventions"):
            path = (*base, "options", i, "interventions", j)
            var = iv.get("variable")
            ok = known_var((*path, "variable"), var)
            sched = iv.get("schedule")
            if isinstance(sched, list):
                last = -math.inf
                for k, point in enumerate(sched):
                    if not (isinstance(point, list) and len(point) == 2):
                        continue
                    month, value = _num(point[0]), _num(point[1])
                    if month is not None:
                        if month < 0 or month <= last:
                            add((*path, "schedule", k, 0), "schedule months must be >= 0 and "
                                "strictly increasing", month)
                        last = month if month is not None else last
                    if (ok and iv.get("kind") == "set" and value is not None and var in scales
                            and not scales[var][0] <= value <= scales[var][1]):
                        lo, hi = scales[var]
                        add((*path, "schedule", k, 1), f"a set value must lie in the variable's "
                            f"scale [{lo:g}, {hi:g}]", value)
            if checker.builtin and not (isinstance(iv.get("source"), dict) and iv.get("note")):
                add(path, "every intervention of a built-in scenario needs a source "
                          "(source: {id: ..., at: ...}) and a note", show=False)
            elif isinstance(iv.get("source"), dict):
                check_source(path, {"source": iv["source"]})

    start = dyn.get("start") or checker.data.get("as_of")
    if isinstance(start, str):
        try:
            start = dt.date.fromisoformat(start)
        except ValueError:
            start = None
    for i, ev in _list(dyn, "events"):
        path = (*base, "events", i)
        var = ev.get("variable")
        known_var((*path, "variable"), var, attacks_ok=True)
        if isinstance(var, str) and var in scales and _num(ev.get("threshold")) is not None:
            lo, hi = scales[var]
            if not lo <= ev["threshold"] <= hi:
                add((*path, "threshold"), f"the threshold must lie in the variable's scale "
                    f"[{lo:g}, {hi:g}]", ev["threshold"])
        by = ev.get("by")
        if isinstance(by, dt.date):
            by = f"{by.year:04d}-{by.month:02d}"
        if isinstance(by, str) and _MONTH.match(by) and isinstance(start, dt.date):
            year, month = int(by[:4]), int(by[5:])
            months = (year - start.year) * 12 + (month - start.month)
            if not 1 <= month <= 12:
                add((*path, "by"), "the month must be 01-12", by)
            elif months < 0 or months > horizon:
                add((*path, "by"), f"must lie between the start ({start.isoformat()}) and the "
                    f"horizon ({horizon:g} months later)", by)

    fc = dyn.get("forecast")
    if isinstance(fc, dict):
        issues = {x.get("id") for _, x in _list(checker.data, "issues")}
        if isinstance(fc.get("issue"), str) and fc["issue"] not in issues:
            add((*base, "forecast", "issue"), "unknown issue id; issues are: "
                + ", ".join(sorted(str(x) for x in issues)), fc["issue"])
        known_var((*base, "forecast", "variable"), fc.get("variable"))
