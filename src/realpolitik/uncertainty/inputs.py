"""The scenario's numeric inputs as named slots of the model arrays.

Every input that reaches a model has a *path*, written with ids::

    issues.<issue>.status_quo
    actors.<actor>.capability
    actors.<actor>.positions.<issue>
    actors.<actor>.private_positions.<issue>
    actors.<actor>.salience.<issue>

A :class:`Slot` ties a path to the place of its value in a
:class:`~realpolitik.models.base.BargainingInput` (without the batch axis). The same paths
name inputs in the ``correlations`` section, in sweep specifications and in sensitivity tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from realpolitik.errors import RealpolitikError
from realpolitik.scenario.values import UncertainValue

Field = Literal["position", "salience", "capability", "status_quo"]
PositionKind = Literal["stated", "private"]

#: What each path form means, for error messages.
PATH_FORMS = (
    "issues.<issue>.status_quo",
    "actors.<actor>.capability",
    "actors.<actor>.positions.<issue>",
    "actors.<actor>.private_positions.<issue>",
    "actors.<actor>.salience.<issue>",
)


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
        """Whether the input has a distribution."""
        return self.value.distribution is not None

    @property
    def kind(self) -> str:
        """Short name of the kind of input: position, salience, capability or status quo."""
        return self.field.replace("_", " ")


def _all_slots(scenario: Any) -> Iterator[tuple[Slot, bool]]:
    """Every input slot with a flag: True for a private position (used only with positions=private)."""
    issues = scenario.issue_ids
    for j, issue in enumerate(scenario.issues):
        yield Slot(f"issues.{issue.id}.status_quo", "status_quo", (j,), issue.status_quo,
                   None, issue.id), False
    for i, actor in enumerate(scenario.actors):
        yield Slot(f"actors.{actor.id}.capability", "capability", (i,), actor.capability,
                   actor.id, None), False
        for j, iid in enumerate(issues):
            yield Slot(f"actors.{actor.id}.positions.{iid}", "position", (i, j),
                       actor.positions[iid], actor.id, iid), False
            if iid in actor.private_positions:
                yield Slot(f"actors.{actor.id}.private_positions.{iid}", "position", (i, j),
                           actor.private_positions[iid], actor.id, iid), True
            yield Slot(f"actors.{actor.id}.salience.{iid}", "salience", (i, j),
                       actor.salience[iid], actor.id, iid), False


def slots(scenario: Any, positions: PositionKind = "stated") -> list[Slot]:
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


def uncertain_slots(scenario: Any, positions: PositionKind = "stated") -> list[Slot]:
    """The inputs that feed the model and have a distribution."""
    return [s for s in slots(scenario, positions) if s.uncertain]


def all_paths(scenario: Any) -> dict[str, Slot]:
    """Every input path of the scenario (stated and private positions alike) with its slot."""
    return {s.path: s for s, _ in _all_slots(scenario)}


def find_slot(scenario: Any, path: str) -> Slot:
    """The slot of ``path``; a clear error naming the accepted forms when it does not exist."""
    table = all_paths(scenario)
    if path in table:
        return table[path]
    raise RealpolitikError(
        f"unknown input {path!r}; inputs are written as one of: {', '.join(PATH_FORMS)} "
        f"(for example {next(iter(table))!r})"
    )


def raw_lookup(data: dict[str, Any], path: str) -> tuple[tuple[str | int, ...], Any] | None:
    """Find ``path`` in a raw scenario document: (key path into the document, raw value) or None."""
    parts = path.split(".")
    if len(parts) < 3:
        return None
    head, ident, rest = parts[0], parts[1], parts[2:]
    if head not in ("issues", "actors"):
        return None
    seq = data.get(head)
    if not isinstance(seq, list):
        return None
    for k, item in enumerate(seq):
        if not isinstance(item, dict) or item.get("id") != ident:
            continue
        if head == "issues" and rest == ["status_quo"] and "status_quo" in item:
            return (head, k, "status_quo"), item["status_quo"]
        if head == "actors" and rest == ["capability"] and "capability" in item:
            return (head, k, "capability"), item["capability"]
        if (head == "actors" and len(rest) == 2
                and rest[0] in ("positions", "private_positions", "salience")):
            table = item.get(rest[0])
            if isinstance(table, dict) and rest[1] in table:
                return (head, k, rest[0], rest[1]), table[rest[1]]
        return None
    return None
