"""The layout of a scenario workbook: its sheets, their columns and what each column holds.

One sheet per part of the scenario. Every numeric input takes one row with the columns of
:data:`VALUE_COLUMNS` (point value, distribution, source, note, pool); an expert panel's
estimates are rows of the ``experts`` sheet that name their input by path. Optional sections
(``correlations``, ``deal``, ``dynamics`` and any section added later) are each a sheet of
(``pointer``, ``type``, ``value``) rows, one per node of the section's tree, so that a section
round-trips whatever its structure (see :mod:`realpolitik.scenario.workbook.tree`).
"""

from __future__ import annotations

from typing import Any, Literal

from realpolitik.errors import RealpolitikError

Kind = Literal["id", "text", "number", "date", "kind"]

#: The columns of one numeric input, after the columns naming it.
VALUE_COLUMNS: tuple[tuple[str, Kind], ...] = (
    ("value", "number"), ("distribution", "kind"), ("low", "number"), ("high", "number"),
    ("mode", "number"), ("sd", "number"), ("a", "number"), ("b", "number"),
    ("source", "id"), ("at", "text"), ("note", "text"), ("pool", "kind"),
)
#: The distribution parameters, in VALUE_COLUMNS.
DIST_PARAMS = ("low", "high", "mode", "sd", "a", "b")

#: The core sheets, in order, with their leading columns (then VALUE_COLUMNS where ``True``).
SHEETS: dict[str, tuple[tuple[tuple[str, Kind], ...], bool]] = {
    "scenario": ((("field", "id"), ("text", "text")), False),
    "sources": ((("id", "id"), ("citation", "text"), ("date", "date"), ("url", "text")), False),
    "issues": ((("id", "id"), ("name", "text"), ("description", "text"),
                ("scale_min", "number"), ("scale_max", "number")), True),
    "anchors": ((("issue", "id"), ("value", "number"), ("label", "text")), False),
    "bands": ((("issue", "id"), ("name", "text"), ("low", "number"), ("high", "number")), False),
    "actors": ((("id", "id"), ("name", "text"), ("kind", "text"), ("description", "text")), True),
    "positions": ((("actor", "id"), ("issue", "id"), ("input", "kind")), True),
    "relations": ((("from", "id"), ("to", "id"), ("kind", "text"),
                   ("relation_note", "text")), True),
    "experts": ((("input", "text"), ("expert", "id"), ("at", "text"), ("value", "number"),
                 ("distribution", "kind"), ("low", "number"), ("high", "number"),
                 ("mode", "number"), ("sd", "number"), ("a", "number"), ("b", "number"),
                 ("weight", "number"), ("note", "text")), False),
    "timeline": ((("date", "date"), ("series", "id"), ("value", "number"), ("label", "text"),
                  ("source", "id"), ("at", "text")), False),
}
#: Sheets that must hold at least one row.
REQUIRED = ("scenario", "issues", "actors", "positions")
#: The input kinds of the positions sheet and the actor table each one fills.
POSITION_INPUTS = {"position": "positions", "salience": "salience",
                   "private_position": "private_positions"}
#: The columns of an optional section's sheet.
TREE_COLUMNS: tuple[tuple[str, Kind], ...] = (("pointer", "text"), ("type", "kind"),
                                              ("value", "text"))
#: The sheet explaining the others; the importer skips it.
ABOUT = "about"
#: The top-level fields written to the core sheets (every other field is an optional section).
CORE_FIELDS = frozenset({"id", "title", "as_of", "description", "sources", "issues", "actors",
                         "relations", "timeline"})
#: The rows of the scenario sheet.
SCENARIO_FIELDS = ("id", "title", "as_of", "description")


def columns(sheet: str) -> list[tuple[str, Kind]]:
    """Every column of a core sheet, in order."""
    lead, with_value = SHEETS[sheet]
    if sheet == "actors":
        value_cols = [("capability", "number"), *VALUE_COLUMNS[1:]]
    elif sheet == "issues":
        value_cols = [("status_quo", "number"), *VALUE_COLUMNS[1:]]
    elif sheet == "relations":
        value_cols = [("weight", "number"), *VALUE_COLUMNS[1:]]
    else:
        value_cols = list(VALUE_COLUMNS)
    return [*lead, *(value_cols if with_value else [])]


ABOUT_TEXT = (
    "A realpolitik scenario as a workbook: `realpolitik import-xlsx FILE` turns it back into YAML.",
    "One sheet per part. Do not merge cells or type formulas: type plain values.",
    "Each numeric input is one row: value (the point estimate), distribution (uniform, triangular, "
    "truncnormal, beta or empty), low, high, mode, sd, a, b (its parameters), source (a source id "
    "of the sources sheet), at (where in the source), note, pool (linear or triangular: how an "
    "expert panel combines).",
    "positions: one row per actor and issue and input (position, salience, private_position).",
    "experts: several experts' estimates of one input, named by its path "
    "(issues.<issue>.status_quo, actors.<actor>.capability, actors.<actor>.positions.<issue>, "
    "actors.<actor>.salience.<issue>, actors.<actor>.private_positions.<issue>, "
    "relations[<row, from 0>].weight); expert is a source id.",
    "Optional sections (correlations, deal, dynamics, ...) are sheets of pointer / type / value "
    "rows: one row per node of the section (type map, list, number, text, bool, date or null), "
    "the pointer a JSON Pointer (RFC 6901) into the section.",
)


def openpyxl() -> Any:
    """The openpyxl module (imported only when a workbook is read or written)."""
    try:
        import openpyxl as module
    except ImportError:
        raise RealpolitikError("workbooks need openpyxl: pip install 'realpolitik[xlsx]'") from None
    return module
