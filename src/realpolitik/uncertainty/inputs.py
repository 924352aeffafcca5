"""The scenario's numeric inputs as named slots of the model arrays.

A :class:`Slot` ties an input's path (see :mod:`realpolitik.scenario.paths`, e.g.
``actors.<actor>.positions.<issue>``) to the place of its value in a
:class:`~realpolitik.models.base.BargainingInput` (without the batch axis), for the sampler
and the sensitivity tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from realpolitik.errors import RealpolitikError
from realpolitik.scenario.arrays import PositionKind
from realpolitik.scenario.paths import (
    PATH_FORMS,
    actor_table_path,
    capability_path,
    status_quo_path,
)
from realpolitik.scenario.schema import Scenario
from realpolitik.scenario.values import UncertainValue

Field = Literal["position", "salience", "capability", "status_quo"]


@dataclass(frozen=True)
class Slot:
    """One numeric input: its path, the array it feeds and its index there (no batch axis)."""

    path: str
    field: Field
    index: tuple[int, ...]
    value: UncertainValue
    actor: str | None
    issue: str | None

    @property
    def uncertain(self) -> bool:
        """Whether the input has a distribution (or an expert panel)."""
        return self.value.uncertain

    @property
    def kind(self) -> str:
        """Short name of the kind of input: position, salience, capability or status quo."""
        return self.field.replace("_", " ")


def _all_slots(scenario: Scenario) -> Iterator[tuple[Slot, bool]]:
    """Every input slot with a flag: True for a private position (used only with positions=private)."""
    issues = scenario.issue_ids
    for j, issue in enumerate(scenario.issues):
        yield Slot(status_quo_path(issue.id), "status_quo", (j,), issue.status_quo,
                   None, issue.id), False
    for i, actor in enumerate(scenario.actors):
        yield Slot(capability_path(actor.id), "capability", (i,), actor.capability,
                   actor.id, None), False
        for j, iid in enumerate(issues):
            yield Slot(actor_table_path(actor.id, "positions", iid), "position", (i, j),
                       actor.positions[iid], actor.id, iid), False
            if iid in actor.private_positions:
                yield Slot(actor_table_path(actor.id, "private_positions", iid), "position", (i, j),
                           actor.private_positions[iid], actor.id, iid), True
            yield Slot(actor_table_path(actor.id, "salience", iid), "salience", (i, j),
                       actor.salience[iid], actor.id, iid), False


def slots(scenario: Scenario, positions: PositionKind = "stated") -> list[Slot]:
    """The inputs that feed the model, in a fixed order (issues, then actors in file order).

    With ``positions="private"`` an actor's private position replaces its stated one where the
    scenario gives one; with ``"stated"`` private positions are not used.
    """
    out: list[Slot] = []
    private_here = set()
    if positions == "private":
        private_here = {s.index for s, private in _all_slots(scenario)
                        if private and s.field == "position"}
    for slot, private in _all_slots(scenario):
        if private and positions != "private":
            continue
        if (not private and slot.field == "position" and positions == "private"
                and slot.index in private_here):
            continue
        out.append(slot)
    return out


def uncertain_slots(scenario: Scenario, positions: PositionKind = "stated") -> list[Slot]:
    """The inputs that feed the model and have a distribution."""
    return [s for s in slots(scenario, positions) if s.uncertain]


def all_paths(scenario: Scenario) -> dict[str, Slot]:
    """Every input path of the scenario (stated and private positions alike) with its slot."""
    return {s.path: s for s, _ in _all_slots(scenario)}


def find_slot(scenario: Scenario, path: str) -> Slot:
    """The slot of ``path``; a clear error naming the accepted forms when it does not exist."""
    table = all_paths(scenario)
    if path in table:
        return table[path]
    raise RealpolitikError(
        f"unknown input {path!r}; inputs are written as one of: {', '.join(PATH_FORMS)} "
        f"(for example {next(iter(table))!r})"
    )
