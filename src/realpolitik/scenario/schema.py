"""The scenario format: pydantic v2 models of a political bargaining system.

A scenario declares actors, the issues (dimensions) they bargain over, each actor's
capability, position and salience on every issue, the relations between actors and the
sources behind every input.  Every input is either a plain number or an
:class:`UncertainValue` (a point value, an optional distribution, a source reference and
the analyst's one-line note).

Structural checks (types, ranges of single values) live on the models; checks that need
the whole file (unknown ids, positions outside an issue's scale, sources required by
built-in scenarios) live in :mod:`realpolitik.scenario.validate`, so that every problem
of a file is reported at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator, model_validator

from realpolitik.scenario.sections.correlations import Correlation
from realpolitik.scenario.sections.deal import DealSection
from realpolitik.scenario.sections.decision import DecisionSection
from realpolitik.scenario.sections.dynamics import Dynamics
from realpolitik.scenario.values import (
    ID_PATTERN,
    MAX_ABS_VALUE,
    MAX_ID_LENGTH,
    MAX_NAME_LENGTH,
    Distribution,
    FiniteFloat,
    Frozen,
    SourceRef,
    UncertainValue,
    Value,
    finite,
)

__all__ = [
    "MAX_ABS_VALUE",
    "Actor",
    "Anchor",
    "Distribution",
    "Issue",
    "OutcomeBand",
    "Relation",
    "Scenario",
    "Source",
    "SourceRef",
    "TimelineEvent",
    "UncertainValue",
    "Value",
]

class Source(Frozen):
    """A cited source of the scenario's inputs."""

    id: str = Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)
    citation: str = Field(min_length=1)
    date: dt.date | None = Field(default=None, description="Publication date.")
    url: str | None = None


class Anchor(Frozen):
    """A labelled point of an issue's scale, in words."""

    value: FiniteFloat
    label: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)


class OutcomeBand(Frozen):
    """A named range of an issue's scale, for outcome probabilities (e.g. full withdrawal)."""

    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    low: FiniteFloat
    high: FiniteFloat

    @model_validator(mode="after")
    def _order(self) -> OutcomeBand:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        return self


class Issue(Frozen):
    """A dimension of the bargaining space: a scale with labelled anchors and a status quo."""

    id: str = Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)
    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    description: str | None = None
    scale: tuple[FiniteFloat, FiniteFloat] = Field(description="[min, max] of the issue's scale.")
    anchors: list[Anchor] = Field(default_factory=list)
    status_quo: Value
    bands: list[OutcomeBand] = Field(
        default_factory=list, description="Labelled outcome ranges of the scale."
    )

    @field_validator("scale")
    @classmethod
    def _scale(cls, v: tuple[float, float]) -> tuple[float, float]:
        lo, hi = (finite(x) for x in v)
        if not lo < hi:
            raise ValueError("scale must be [min, max] with min < max")
        return (lo, hi)


ActorKind = Literal["state", "government", "party", "armed group", "organisation", "public", "person"]


class Actor(Frozen):
    """A participant: capability, and per issue a position, a salience and maybe a private position."""

    id: str = Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)
    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    kind: ActorKind
    description: str | None = None
    capability: Value = Field(description="Relative power to influence the outcome (>= 0).")
    positions: dict[str, Value] = Field(description="Stated position per issue id.")
    salience: dict[str, Value] = Field(description="Salience in [0, 1] per issue id.")
    private_positions: dict[str, Value] = Field(
        default_factory=dict, description="Privately held position per issue id, where it differs."
    )


RelationKind = Literal["backs", "pressures", "attacks", "allied", "opposes"]


class Relation(Frozen):
    """A directed relation between two actors."""

    source_actor: str = Field(alias="from")
    target_actor: str = Field(alias="to")
    kind: RelationKind
    weight: Value = Field(description="Strength of the relation in [0, 1].")
    note: str | None = None


class TimelineEvent(Frozen):
    """A dated historical fact of the scenario's background (a troop level, a demand, an event)."""

    date: dt.date
    series: str = Field(
        pattern=ID_PATTERN, max_length=MAX_ID_LENGTH,
        description="What the event belongs to, e.g. `us_troops_iraq` or `withdrawal_demand`.",
    )
    value: FiniteFloat | None = Field(default=None, description="A number, where the event has one.")
    label: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    source: SourceRef

    @field_validator("value")
    @classmethod
    def _check_value(cls, v: float | None) -> float | None:
        return None if v is None else finite(v)


class Scenario(Frozen):
    """A whole scenario: metadata, sources, issues, actors and relations."""

    id: str = Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)
    title: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    as_of: dt.date = Field(description="The date the inputs describe; no later fact may be used.")
    description: str | None = None
    sources: list[Source] = Field(default_factory=list)
    issues: list[Issue] = Field(min_length=1)
    actors: list[Actor] = Field(min_length=2)
    relations: list[Relation] = Field(default_factory=list)
    timeline: list[TimelineEvent] = Field(
        default_factory=list, description="Dated background facts, each with its source."
    )
    # Optional sections of later subsystems are added here, one field each.
    correlations: list[Correlation] = Field(default_factory=list, description="Rank correlations between uncertain inputs (Gaussian copula).")
    dynamics: Dynamics | None = Field(default=None, description="State variables, causal links, attacks and policy options over time.")
    deal: DealSection | None = Field(default=None, description="A multi-issue bilateral negotiation between two actors (see docs/deal.md).")
    decision: DecisionSection | None = Field(default=None, description="Who formally decides each issue: veto players, voting bodies, agenda setter, reversion point.")

    # -- convenience accessors (the object is frozen; these derive, never cache) --
    @property
    def actor_ids(self) -> list[str]:
        """Actor ids in file order."""
        return [a.id for a in self.actors]

    @property
    def issue_ids(self) -> list[str]:
        """Issue ids in file order."""
        return [i.id for i in self.issues]

    def actor(self, actor_id: str) -> Actor:
        """The actor with this id."""
        for a in self.actors:
            if a.id == actor_id:
                return a
        raise KeyError(f"no actor {actor_id!r}; actors are {', '.join(self.actor_ids)}")

    def issue(self, issue_id: str) -> Issue:
        """The issue with this id."""
        for i in self.issues:
            if i.id == issue_id:
                return i
        raise KeyError(f"no issue {issue_id!r}; issues are {', '.join(self.issue_ids)}")
