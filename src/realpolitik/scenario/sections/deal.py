"""The scenario's optional ``deal`` section: a multi-issue negotiation between two actors.

A deal section names the two **parties** (actor ids of the scenario), the **issues** of the deal
and their values (the *deal domain*; its Cartesian product is the *outcome space*), and for each
party a linear additive **utility function** (Raiffa 1982, ch. 10-12): issue **weights** and a
**value function** per issue, each entry an uncertain input with a source. What a party gets
when there is no agreement, its **reserved value**, is the utility of the package that follows a
breakdown (``no_agreement.outcome``) less a further ``cost``. An optional **domestic** block ties
one party's acceptable set to the collective forecast of an issue of the scenario (see
:mod:`realpolitik.deal.utility`)::

    deal:
      parties: [us_gov, pm_sudani]
      deadline: 20                      # rounds of the alternating-offers protocol
      issues:
        - {id: troops, name: U.S. troop level, range: [0, 2500], grid: 6, unit: troops}
        - {id: mission, name: Mission, values: [combat_support, advise_assist, training_only, none]}
      utilities:
        us_gov:
          weights: {troops: 0.6, mission: 0.4}
          values:
            troops: {0: 0.0, 1000: 0.7, 2500: 1.0}        # piecewise linear between the points
            mission: {combat_support: 1, advise_assist: 0.8, training_only: 0.5, none: 0}
          no_agreement: {outcome: {troops: 0, mission: none}, cost: 0.1}

Structural checks (types, one object at a time) live on the models below; checks that need the
whole file (party ids among the actors, values inside the domain, weights summing to one, sources
of a built-in scenario) live in :func:`check`, which :mod:`realpolitik.scenario.validate` runs.
This module imports only :mod:`realpolitik.scenario.values` and :mod:`realpolitik.scenario.checker`,
never the scenario schema or :mod:`realpolitik.scenario.validate`.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from realpolitik.errors import ModelError
from realpolitik.models.registry import get_model
from realpolitik.scenario.checker import Checker, point
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

#: Largest outcome space (product of the issues' numbers of values) a deal may have.
MAX_OUTCOMES = 200_000
#: How far the point values of a party's weights may sum from 1.
WEIGHT_SUM_TOLERANCE = 0.01
#: Largest number of grid points of a continuous issue.
MAX_GRID = 101



def _string_keys(v: object) -> object:
    """Accept numbers as keys of a value map (``{0: 0.0, 2500: 1.0}`` from Python or JSON)."""
    if isinstance(v, dict):
        return {(k if isinstance(k, str) else str(k)): x for k, x in v.items()}
    return v


#: A map from an issue's values to numbers: labels of a discrete issue, or points (numbers
#: written as keys) of a continuous one, between which the function is linear.
ValueMap = Annotated[dict[str, Value], BeforeValidator(_string_keys)]


def as_number(key: object) -> float | None:
    """A value-map key or package entry read as a finite number (None if it is not one)."""
    if isinstance(key, bool):
        return None
    if isinstance(key, int | float):
        x = float(key)
    elif isinstance(key, str):
        try:
            x = float(key)
        except ValueError:
            return None
    else:
        return None
    return x if math.isfinite(x) else None


class DealIssue(Frozen):
    """An issue of the deal: either discrete ``values`` (labels) or a continuous ``range``."""

    id: str = Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)
    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    description: str | None = None
    values: list[str] | None = Field(
        default=None, description="Discrete issue: its values (labels), in a meaningful order."
    )
    range: tuple[FiniteFloat, FiniteFloat] | None = Field(
        default=None, description="Continuous issue: [min, max] of its values."
    )
    grid: int = Field(
        default=6, ge=2, le=MAX_GRID,
        description="Continuous issue: number of evenly spaced values in the outcome space.",
    )
    unit: str | None = Field(default=None, description="Unit of a continuous issue's values.")
    source: SourceRef | None = None
    note: str | None = None

    @field_validator("range")
    @classmethod
    def _range(cls, v: tuple[float, float] | None) -> tuple[float, float] | None:
        if v is None:
            return None
        lo, hi = (finite(x) for x in v)
        if not lo < hi:
            raise ValueError(f"range must be [min, max] with min < max, got [{lo:g}, {hi:g}]")
        return (lo, hi)

    @model_validator(mode="after")
    def _kind(self) -> DealIssue:
        if (self.values is None) == (self.range is None):
            raise ValueError(
                "give either `values` (a discrete issue) or `range` (a continuous one), not both "
                "and not neither"
            )
        if self.values is not None:
            if len(self.values) < 2:
                raise ValueError("a discrete issue needs at least two values")
            if len(set(self.values)) != len(self.values):
                raise ValueError("the values of a discrete issue must be distinct")
            if any(not v for v in self.values):
                raise ValueError("a value of a discrete issue cannot be empty")
            if any(as_number(v) is not None for v in self.values):
                raise ValueError(
                    "the values of a discrete issue are labels, not numbers; for numbers use "
                    "`range` and `grid`"
                )
        return self

    @property
    def kind(self) -> Literal["discrete", "continuous"]:
        """``discrete`` (labels) or ``continuous`` (a range on a grid)."""
        return "discrete" if self.values is not None else "continuous"


class NoAgreement(Frozen):
    """What follows a breakdown for one party: a package, and a cost on top of its utility."""

    outcome: dict[str, str | FiniteFloat] = Field(
        description="The package that follows no agreement: a value of every issue."
    )
    cost: Value = Field(
        default=0.0,  # type: ignore[assignment]
        description="A further loss, in utility units (0-1), beyond the package's utility.",
    )
    description: str | None = None


class PartyUtility(Frozen):
    """A party's linear additive utility function and its reserved value."""

    weights: dict[str, Value] = Field(description="Weight of each issue (0-1, summing to 1).")
    values: dict[str, ValueMap] = Field(
        description="Value function of each issue: label or point -> value in [0, 1]."
    )
    no_agreement: NoAgreement
    description: str | None = None


class PresenceMap(Frozen):
    """How the values of one deal issue map onto the scale of the collective issue."""

    weight: Value = Field(description="Weight of this deal issue in a package's position (0-1).")
    scale: ValueMap = Field(
        description="Label or point of the deal issue -> position on the collective issue's scale."
    )


class DomesticConstraint(Frozen):
    """One party's acceptable set depends on the collective forecast of a scenario issue.

    The party's effective utility is ``(1 - weight) * own + weight * domestic``, where
    ``domestic`` is 1 at packages whose position on the collective ``issue`` equals the
    collective forecast and falls linearly with the distance (see :mod:`realpolitik.deal.utility`).
    """

    party: str = Field(description="The deal party that answers to a domestic coalition.")
    issue: str = Field(description="Id of the scenario issue whose collective forecast binds it.")
    weight: Value = Field(description="Weight of the domestic term in the party's utility (0-1).")
    presence: dict[str, PresenceMap] = Field(
        description="Deal issues that place a package on the collective issue's scale."
    )
    model: str | None = Field(
        default=None, description="Collective model of the forecast (default: the registry's)."
    )
    positions: Literal["stated", "private"] = "stated"
    description: str | None = None


class DealSection(Frozen):
    """A bilateral multi-issue negotiation between two actors of the scenario."""

    description: str | None = None
    parties: list[str] = Field(min_length=2, max_length=2, description="The two actor ids.")
    opener: str | None = Field(default=None, description="The party that makes the first offer.")
    deadline: int = Field(
        default=20, ge=1, le=1000,
        description="Last round of the alternating-offers protocol (rounds 0..deadline).",
    )
    issues: list[DealIssue] = Field(min_length=1)
    utilities: dict[str, PartyUtility]
    domestic: DomesticConstraint | None = None

    @property
    def issue_ids(self) -> list[str]:
        """Deal issue ids in file order."""
        return [i.id for i in self.issues]

    def issue(self, issue_id: str) -> DealIssue:
        """The deal issue with this id."""
        for i in self.issues:
            if i.id == issue_id:
                return i
        raise KeyError(f"no deal issue {issue_id!r}; issues are {', '.join(self.issue_ids)}")


# ----------------------------------------------------------------------------------------------
# Whole-file checks
# ----------------------------------------------------------------------------------------------
class _Domain:
    """What the checks need to know of one deal issue (from raw data)."""

    def __init__(self, raw: dict[str, Any]):
        values = raw.get("values")
        rng = raw.get("range")
        self.labels: list[str] | None = None
        self.range: tuple[float, float] | None = None
        if isinstance(values, list) and rng is None:
            self.labels = [v for v in values if isinstance(v, str)]
        elif values is None and isinstance(rng, list) and len(rng) == 2:
            lo, hi = as_number(rng[0]), as_number(rng[1])
            if lo is not None and hi is not None and lo < hi:
                self.range = (lo, hi)
        grid = raw.get("grid", 6)
        self.size = (len(self.labels) if self.labels is not None
                     else grid if isinstance(grid, int) and not isinstance(grid, bool) else None)

    @property
    def known(self) -> bool:
        return self.labels is not None or self.range is not None

    def allowed(self) -> str:
        if self.labels is not None:
            return "one of " + ", ".join(self.labels)
        assert self.range is not None
        return f"a number in [{self.range[0]:g}, {self.range[1]:g}]"

    def contains(self, value: Any) -> bool:
        if self.labels is not None:
            return isinstance(value, str) and value in self.labels
        if self.range is not None:
            x = as_number(value)
            return x is not None and self.range[0] <= x <= self.range[1]
        return True


def check(checker: Checker) -> None:
    """Whole-file checks of the ``deal`` section (run by :mod:`realpolitik.scenario.validate`)."""
    deal = checker.data.get("deal")
    if not isinstance(deal, dict):
        return  # absent, or the schema reports the wrong type
    actors = {a.get("id") for a in checker.data.get("actors") or [] if isinstance(a, dict)}
    actors.discard(None)
    parties = _check_parties(checker, deal, actors)
    domains = _check_issues(checker, deal)
    utilities = deal.get("utilities")
    if isinstance(utilities, dict):
        for party, table in utilities.items():
            path = ("deal", "utilities", party)
            if parties and party not in parties:
                checker.add(path, f"is not a party of the deal; parties are: {', '.join(parties)}",
                            show=False)
                continue
            if isinstance(table, dict):
                _check_utility(checker, path, table, domains)
        for party in parties:
            if party not in utilities:
                checker.add(("deal", "utilities"), f"no utility function for party {party!r}: "
                            "each party needs weights, values and no_agreement", show=False)
    domestic = deal.get("domestic")
    if isinstance(domestic, dict):
        _check_domestic(checker, domestic, parties, domains)


def _check_parties(checker: Checker, deal: dict[str, Any], actors: set[Any]) -> list[str]:
    parties = deal.get("parties")
    if not isinstance(parties, list):
        return []
    known = ", ".join(sorted(str(a) for a in actors)) or "none"
    good = []
    for k, party in enumerate(parties):
        if not isinstance(party, str):
            continue
        if party not in actors:
            checker.add(("deal", "parties", k), f"unknown actor id; actors are: {known}", party)
        else:
            good.append(party)
    if len(parties) == 2 and parties[0] == parties[1]:
        checker.add(("deal", "parties"), "the two parties must be different actors", parties[0])
    opener = deal.get("opener")
    if opener is not None and isinstance(opener, str) and opener not in parties:
        checker.add(("deal", "opener"), "must be one of the parties: "
                    + ", ".join(str(p) for p in parties), opener)
    return [p for p in parties if isinstance(p, str)]


def _check_issues(checker: Checker, deal: dict[str, Any]) -> dict[str, _Domain]:
    domains: dict[str, _Domain] = {}
    issues = deal.get("issues")
    if not isinstance(issues, list):
        return domains
    size = 1
    for k, raw in enumerate(issues):
        if not isinstance(raw, dict):
            continue
        ident = raw.get("id")
        if not isinstance(ident, str):
            continue
        if ident in domains:
            checker.add(("deal", "issues", k, "id"), "duplicate deal issue id; ids must be unique",
                        ident)
            continue
        domains[ident] = _Domain(raw)
        if domains[ident].size:
            size *= domains[ident].size
        checker.check_source(("deal", "issues", k), {"source": raw.get("source")})
    if size > MAX_OUTCOMES:
        checker.add(("deal", "issues"), f"the outcome space has {size:,} packages; at most "
                    f"{MAX_OUTCOMES:,} are allowed (use fewer values or a coarser grid)", show=False)
    return domains


def _check_value(checker: Checker, path: tuple[Any, ...], v: Any, lo: float | None,
                 hi: float | None, what: str) -> None:
    checker.check_range(path, v, lo, hi, what)
    checker.check_source(path, v)


def _check_value_map(checker: Checker, path: tuple[Any, ...], table: Any, domain: _Domain,
                     lo: float, hi: float, what: str, *, complete: bool) -> None:
    """Keys inside the issue's domain (all labels when ``complete``); values in [lo, hi]."""
    if not isinstance(table, dict):
        return
    if not table:
        checker.add(path, "needs at least one entry (a label or a point of the issue)", show=False)
    for key, v in table.items():
        if domain.known and not domain.contains(key):
            checker.add((*path, key), f"is not a value of the issue; allowed: {domain.allowed()}",
                        key)
            continue
        _check_value(checker, (*path, key), v, lo, hi, what)
    if complete and domain.labels is not None:
        missing = [label for label in domain.labels if label not in table]
        if missing:
            checker.add(path, "no entry for " + ", ".join(repr(m) for m in missing)
                        + ": a discrete issue needs a value for each of its values", show=False)


def _check_weights(checker: Checker, path: tuple[Any, ...], weights: Any,
                   keys: list[str], known: dict[str, Any], *, every: bool) -> None:
    if not isinstance(weights, dict):
        return
    total = 0.0
    for key, v in weights.items():
        if key not in known:
            checker.add((*path, key), "unknown deal issue id; issues are: "
                        + ", ".join(known), show=False)
            continue
        _check_value(checker, (*path, key), v, 0.0, 1.0, "a weight")
        total += point(v) or 0.0
    if every:
        for missing in [k for k in keys if k not in weights]:
            checker.add(path, f"no weight for issue {missing!r}: every issue needs one (0 if "
                        "the party does not care)", show=False)
    if weights and abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
        checker.add(path, f"the weights' point values must sum to 1 (within "
                    f"{WEIGHT_SUM_TOLERANCE:g}); they sum to {total:.4g}", show=False)


def _check_utility(checker: Checker, path: tuple[Any, ...], table: dict[str, Any],
                   domains: dict[str, _Domain]) -> None:
    keys = list(domains)
    _check_weights(checker, (*path, "weights"), table.get("weights"), keys, domains, every=True)
    values = table.get("values")
    if isinstance(values, dict):
        for key, vmap in values.items():
            if key not in domains:
                checker.add((*path, "values", key), "unknown deal issue id; issues are: "
                            + ", ".join(domains), show=False)
                continue
            _check_value_map(checker, (*path, "values", key), vmap, domains[key], 0.0, 1.0,
                             "a value", complete=True)
        for missing in [k for k in keys if k not in values]:
            checker.add((*path, "values"), f"no value function for issue {missing!r}",
                        show=False)
    nog = table.get("no_agreement")
    if isinstance(nog, dict):
        outcome = nog.get("outcome")
        if isinstance(outcome, dict):
            for key, value in outcome.items():
                where = (*path, "no_agreement", "outcome", key)
                if key not in domains:
                    checker.add(where, "unknown deal issue id; issues are: " + ", ".join(domains),
                                show=False)
                elif isinstance(value, bool):
                    checker.add(where, "YAML reads yes/no/on/off/true/false as booleans; write "
                                "the label in quotes", value)
                elif not domains[key].contains(value):
                    checker.add(where, f"is outside the issue's domain; allowed: "
                                f"{domains[key].allowed()}", value)
            for missing in [k for k in keys if k not in outcome]:
                checker.add((*path, "no_agreement", "outcome"),
                            f"no value for issue {missing!r}: the package must be complete",
                            show=False)
        if "cost" in nog:
            _check_value(checker, (*path, "no_agreement", "cost"), nog["cost"], 0.0, 1.0,
                         "a cost (utility units)")
        elif checker.builtin:
            checker.add((*path, "no_agreement"), "a built-in scenario states the cost of no "
                        "agreement explicitly (0 if none), with a source", show=False)


def _scenario_issue_scale(checker: Checker,
                          issue: Any) -> tuple[list[str], tuple[float, float] | None]:
    """The scenario's issue ids, and the scale of ``issue`` among them (None if unusable)."""
    scale: tuple[float, float] | None = None
    issue_ids = []
    for raw in checker.data.get("issues") or []:
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            issue_ids.append(raw["id"])
            sc = raw.get("scale")
            if raw["id"] == issue and isinstance(sc, list) and len(sc) == 2:
                lo, hi = as_number(sc[0]), as_number(sc[1])
                if lo is not None and hi is not None and lo < hi:
                    scale = (lo, hi)
    return issue_ids, scale


def _check_presence(checker: Checker, path: PathKey, presence: dict[str, Any],
                    domains: dict[str, _Domain], scale: tuple[float, float] | None,
                    issue: Any) -> None:
    """The presence maps: known deal issues, positions on the collective issue's scale.

    Their weights lie in [0, 1] and their point values sum to 1.
    """
    weights = {k: v.get("weight") for k, v in presence.items()
               if isinstance(v, dict) and "weight" in v}
    lo, hi = scale if scale else (-math.inf, math.inf)
    for key, entry in presence.items():
        if key not in domains:
            checker.add((*path, key), "unknown deal issue id; issues are: "
                        + ", ".join(domains), show=False)
            continue
        if isinstance(entry, dict):
            _check_value_map(checker, (*path, key, "scale"), entry.get("scale"), domains[key],
                             lo, hi, f"a position on {issue!r}", complete=True)
    total = 0.0
    for key, v in weights.items():
        if key in domains:
            _check_value(checker, (*path, key, "weight"), v, 0.0, 1.0, "a weight")
            total += point(v) or 0.0
    if weights and abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
        checker.add(path, f"the presence weights' point values must sum to 1 "
                    f"(within {WEIGHT_SUM_TOLERANCE:g}); they sum to {total:.4g}", show=False)


def _check_domestic(checker: Checker, domestic: dict[str, Any], parties: list[str],
                    domains: dict[str, _Domain]) -> None:
    """The domestic constraint: its party, its scenario issue, weights, presence maps, model."""
    path: PathKey = ("deal", "domestic")
    party = domestic.get("party")
    if isinstance(party, str) and parties and party not in parties:
        checker.add((*path, "party"), "must be one of the parties: " + ", ".join(parties), party)
    issue = domestic.get("issue")
    issue_ids, scale = _scenario_issue_scale(checker, issue)
    if isinstance(issue, str) and issue not in issue_ids:
        checker.add((*path, "issue"), "unknown scenario issue id; issues are: "
                    + ", ".join(issue_ids), issue)
    if "weight" in domestic:
        _check_value(checker, (*path, "weight"), domestic["weight"], 0.0, 1.0,
                     "the domestic weight")
    presence = domestic.get("presence")
    if isinstance(presence, dict):
        _check_presence(checker, (*path, "presence"), presence, domains, scale, issue)
    model = domestic.get("model")
    if isinstance(model, str):
        try:
            get_model(model)
        except ModelError as exc:
            checker.add((*path, "model"), str(exc), show=False)
