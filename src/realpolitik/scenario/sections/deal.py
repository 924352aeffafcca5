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
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from realpolitik.scenario.checker import Checker
from realpolitik.scenario.values import (
    ID_PATTERN,
    MAX_ID_LENGTH,
    MAX_NAME_LENGTH,
    FiniteFloat,
    Frozen,
    SourceRef,
    UncertainValue,
    Value,
    finite,
)

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


class ScaleMap(Frozen):
    """Where a package lies on a scenario issue's scale (one mapping for the whole tool).

    ``P(o) = sum_k pi_k s_k(o_k)`` with a weight ``pi_k`` and a map ``s_k`` (labels, or points
    with linear interpolation) per deal issue; ``realpolitik deal`` reports the agreed packages
    on this scale and the domestic constraint measures its coalition's satisfaction on it.
    """

    issue: str = Field(description="Id of the scenario issue whose scale packages are placed on.")
    issues: dict[str, PresenceMap] = Field(
        description="Per deal issue: its weight and its values' positions on the scale."
    )
    source: SourceRef | None = None
    note: str | None = None


class Beliefs(Frozen):
    """What one party believes about the other's utility (private information).

    ``types`` hypotheses about the opponent are drawn per sample from the opponent's declared
    distributions, their deviation from the point value multiplied by ``spread`` and added to
    the ``centre`` (``point``: the analyst's point values, a common prior; ``truth``: the
    opponent's true inputs of the sample, a noisy signal). ``noise`` is the likelihood's
    standard deviation in the Bayesian update (Hindriks & Tykhonov 2008).
    """

    spread: Value = Field(default_factory=lambda: UncertainValue(value=1.0),
                          description="Width relative to the opponent's declared uncertainty.")
    types: int = Field(default=8, ge=1, le=64, description="Hypotheses about the opponent.")
    centre: Literal["point", "truth"] = "point"
    noise: FiniteFloat = Field(default=0.1, gt=0, le=1,
                               description="Standard deviation of the offer likelihood.")
    source: SourceRef | None = None
    note: str | None = None


class AttackCost(Frozen):
    """Attacks under the status quo raise one party's reserved value, round by round."""

    party: str = Field(description="The party whose domestic cost the attacks raise.")
    option: str = Field(default="status_quo", description="Dynamics option the talks run under.")
    cost_per_attack: Value = Field(description="Rise of the reserved value per attack (utility).")
    source: SourceRef | None = None
    note: str | None = None


class Breakdown(Frozen):
    """Per-round risk that the talks break down: an exogenous shock and attack-driven cost."""

    risk: Value = Field(default_factory=lambda: UncertainValue(value=0.0),
                        description="Probability per round that an outside shock ends the talks.")
    attacks: AttackCost | None = None
    description: str | None = None


class DomesticConstraint(Frozen):
    """One party's acceptable set depends on the collective forecast of a scenario issue.

    The party's effective utility is ``(1 - weight) * own + weight * domestic``, where
    ``domestic`` is 1 at packages whose position on the collective ``issue`` equals the
    collective forecast and falls linearly with the distance (see :mod:`realpolitik.deal.utility`).
    """

    party: str = Field(description="The deal party that answers to a domestic coalition.")
    issue: str = Field(description="Id of the scenario issue whose collective forecast binds it.")
    weight: Value = Field(description="Weight of the domestic term in the party's utility (0-1).")
    presence: dict[str, PresenceMap] | None = Field(
        default=None, description="Deal issues that place a package on the collective issue's "
        "scale (older form of the section's `scale`; give one of them).")
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
    scale: ScaleMap | None = None
    beliefs: dict[str, Beliefs] = Field(
        default_factory=dict, description="Per party (the holder): its belief about the other.")
    breakdown: Breakdown | None = None
    round_months: Value = Field(default_factory=lambda: UncertainValue(value=1.0),
                                description="Calendar months per round of offers.")

    def mapping(self) -> ScaleMap | None:
        """The package-to-scale mapping: ``scale``, else the domestic block's ``presence``."""
        if self.scale is not None:
            return self.scale
        if self.domestic is not None and self.domestic.presence is not None:
            return ScaleMap(issue=self.domestic.issue, issues=self.domestic.presence)
        return None

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
def check(checker: Checker) -> None:
    """Whole-file checks of the ``deal`` section (run by :mod:`realpolitik.scenario.validate`).

    They live in :mod:`realpolitik.scenario.sections.deal_checks`.
    """
    from realpolitik.scenario.sections.deal_checks import check_section

    check_section(checker)
