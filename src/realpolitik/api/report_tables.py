"""The tables of a report's subsystems, in words: column headings and cells named by labels.

``columns`` keep the internal codes and ``keys`` the ids of the rows' subjects for JSON; what a
person reads (``headings``, cells naming an input, actor, issue or coded value) comes from
:mod:`realpolitik.scenario.labels`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from realpolitik.jsonsafe import plain
from realpolitik.scenario.labels import (
    actor_label,
    column_label,
    input_label,
    issue_label,
    value_label,
)
from realpolitik.scenario.schema import Scenario


@dataclass(frozen=True)
class Table:
    """A table computed by a subsystem: column names and rows, with a caption.

    ``columns`` are the internal codes (kept in JSON); ``headings`` say them in words. Cells that
    name an input, an actor, an issue or a coded value hold words; ``keys`` keep the ids of the
    rows' subjects (input path or actor id), for JSON.
    """

    caption: str
    columns: list[str]
    rows: list[list[Any]]
    headings: list[str] = field(default_factory=list)
    keys: list[str] | None = None

    def records(self) -> list[dict[str, Any]]:
        """The rows as dictionaries."""
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]

    @property
    def titles(self) -> list[str]:
        """The column headings in words (the codes where none were given)."""
        return self.headings or self.columns


_ID_COLUMNS = ("input", "actor", "issue")


def _cell(scenario: Scenario, column: str, value: Any) -> Any:
    """A cell in words: an input path, actor id, issue id or coded value becomes its label."""
    if not isinstance(value, str):
        return value
    if column == "input":
        return input_label(scenario, value)
    if column == "actor":
        text = actor_label(scenario, value)
        return text[:1].upper() + text[1:]
    if column == "issue":
        known = value in scenario.issue_ids
        return issue_label(scenario, value) if known else column_label(value, scenario)
    return value_label(value)


def table_from_frame(frame: Any, caption: str, limit: int | None = None,
                     scenario: Scenario | None = None) -> Table:
    """A :class:`Table` from a pandas DataFrame (first ``limit`` rows); in words with ``scenario``."""
    df = frame.reset_index() if getattr(frame.index, "name", None) else frame
    if limit is not None:
        df = df.head(limit)
    columns = [str(c) for c in df.columns]
    rows = [[plain(v) for v in r] for r in df.itertuples(index=False, name=None)]
    if scenario is None:
        return Table(caption, columns, rows)
    key_col = next((c for c in _ID_COLUMNS if c in columns), None)
    keys = [str(r[columns.index(key_col)]) for r in rows] if key_col else None
    rows = [[_cell(scenario, c, v) for c, v in zip(columns, r, strict=True)] for r in rows]
    return Table(caption, columns, rows, [column_label(c, scenario) for c in columns], keys)
