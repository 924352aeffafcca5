"""Input paths: how one numeric input of a scenario is addressed, written with ids.

Every input that reaches a model has a path::

    issues.<issue>.status_quo
    actors.<actor>.capability
    actors.<actor>.positions.<issue>
    actors.<actor>.private_positions.<issue>
    actors.<actor>.salience.<issue>

The same paths name inputs in the ``correlations`` section, in sweep specifications, in
sensitivity tables and in the slots of the sampler
(:mod:`realpolitik.uncertainty.inputs`). This module writes them and finds them in a raw
scenario document (the mapping read from a file, before the schema).
"""

from __future__ import annotations

from typing import Any, Literal

#: What each path form means, for error messages.
PATH_FORMS = (
    "issues.<issue>.status_quo",
    "actors.<actor>.capability",
    "actors.<actor>.positions.<issue>",
    "actors.<actor>.private_positions.<issue>",
    "actors.<actor>.salience.<issue>",
)

#: The per-issue tables of an actor whose entries are inputs.
ActorTable = Literal["positions", "private_positions", "salience"]
ACTOR_TABLES: tuple[ActorTable, ...] = ("positions", "private_positions", "salience")

#: A key path into a raw scenario document, e.g. ``("actors", 2, "positions", "presence")``.
DocumentKey = tuple[str | int, ...]


def status_quo_path(issue: str) -> str:
    """The path of an issue's status quo."""
    return f"issues.{issue}.status_quo"


def capability_path(actor: str) -> str:
    """The path of an actor's capability."""
    return f"actors.{actor}.capability"


def actor_table_path(actor: str, table: ActorTable, issue: str) -> str:
    """The path of an actor's position, private position or salience on an issue."""
    return f"actors.{actor}.{table}.{issue}"


def raw_lookup(data: dict[str, Any], path: str) -> tuple[DocumentKey, Any] | None:
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
        if head == "actors" and len(rest) == 2 and rest[0] in ACTOR_TABLES:
            table = item.get(rest[0])
            if isinstance(table, dict) and rest[1] in table:
                return (head, k, rest[0], rest[1]), table[rest[1]]
        return None
    return None


def set_raw(data: dict[str, Any], key: DocumentKey, value: Any) -> None:
    """Replace the value at ``key`` (as :func:`raw_lookup` returns it) in a raw document."""
    parent: Any = data
    for part in key[:-1]:
        parent = parent[part]
    parent[key[-1]] = value
