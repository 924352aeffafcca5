"""Write a scenario as an .xlsx workbook (openpyxl, imported only when a workbook is written)."""

from __future__ import annotations

import io
from typing import Any

from realpolitik.errors import RealpolitikError
from realpolitik.scenario.schema import Scenario
from realpolitik.scenario.values import Distribution, ExpertEstimate, UncertainValue
from realpolitik.scenario.workbook.layout import (
    ABOUT,
    ABOUT_TEXT,
    CORE_FIELDS,
    SCENARIO_FIELDS,
    SHEETS,
    TREE_COLUMNS,
    columns,
    openpyxl,
)
from realpolitik.scenario.workbook.tree import flatten

__all__ = ["optional_sections", "workbook_bytes"]


def _dist(d: Distribution | None) -> list[Any]:
    if d is None:
        return [None] * 7
    return [d.kind, d.low, d.high, d.mode, d.sd, d.a, d.b]


def _value(v: UncertainValue) -> list[Any]:
    src = v.source
    return [v.value, *_dist(v.distribution), src.id if src else None, src.at if src else None,
            v.note, v.pool if v.experts or v.pool != "linear" else None]


def _expert(path: str, e: ExpertEstimate) -> list[Any]:
    return [path, e.source.id, e.source.at, e.value, *_dist(e.distribution), e.weight, e.note]


def optional_sections(scenario: Scenario) -> list[str]:
    """The optional sections (every top-level field beyond the core format) the scenario has."""
    return [name for name in type(scenario).model_fields
            if name not in CORE_FIELDS and getattr(scenario, name) not in (None, [], {})]


def _rows(scenario: Scenario) -> dict[str, list[list[Any]]]:
    """The rows of every core sheet (no headers)."""
    sc = scenario
    rows: dict[str, list[list[Any]]] = {name: [] for name in SHEETS}
    for field in SCENARIO_FIELDS:
        value = getattr(sc, field)
        rows["scenario"].append([field, value.isoformat() if field == "as_of" else value])
    for s in sc.sources:
        rows["sources"].append([s.id, s.citation, s.date.isoformat() if s.date else None, s.url])
    experts: list[tuple[str, UncertainValue]] = []
    for issue in sc.issues:
        rows["issues"].append([issue.id, issue.name, issue.description, *issue.scale,
                               *_value(issue.status_quo)])
        experts.append((f"issues.{issue.id}.status_quo", issue.status_quo))
        rows["anchors"].extend([issue.id, a.value, a.label] for a in issue.anchors)
        rows["bands"].extend([issue.id, b.name, b.low, b.high] for b in issue.bands)
    for actor in sc.actors:
        rows["actors"].append([actor.id, actor.name, actor.kind, actor.description,
                               *_value(actor.capability)])
        experts.append((f"actors.{actor.id}.capability", actor.capability))
        for input_kind, table in (("position", actor.positions), ("salience", actor.salience),
                                  ("private_position", actor.private_positions)):
            group = {"position": "positions", "salience": "salience",
                     "private_position": "private_positions"}[input_kind]
            for iid, v in table.items():
                rows["positions"].append([actor.id, iid, input_kind, *_value(v)])
                experts.append((f"actors.{actor.id}.{group}.{iid}", v))
    for k, rel in enumerate(sc.relations):
        rows["relations"].append([rel.source_actor, rel.target_actor, rel.kind, rel.note,
                                  *_value(rel.weight)])
        experts.append((f"relations[{k}].weight", rel.weight))
    for path, v in experts:
        rows["experts"].extend(_expert(path, e) for e in v.experts)
    for ev in sc.timeline:
        rows["timeline"].append([ev.date.isoformat(), ev.series, ev.value, ev.label,
                                 ev.source.id, ev.source.at])
    return rows


#: The fields of the core models this writer puts in cells (a new field must be added here).
_WRITTEN = {
    "Source": {"id", "citation", "date", "url"},
    "Anchor": {"value", "label"},
    "OutcomeBand": {"name", "low", "high"},
    "Issue": {"id", "name", "description", "scale", "anchors", "status_quo", "bands"},
    "Actor": {"id", "name", "kind", "description", "capability", "positions", "salience",
              "private_positions"},
    "Relation": {"source_actor", "target_actor", "kind", "weight", "note"},
    "TimelineEvent": {"date", "series", "value", "label", "source"},
    "UncertainValue": {"value", "distribution", "source", "note", "experts", "pool"},
    "ExpertEstimate": {"value", "distribution", "source", "weight", "note"},
    "Distribution": {"kind", "low", "high", "mode", "sd", "a", "b"},
    "SourceRef": {"id", "at"},
}


def _check_fields() -> None:
    """Refuse to write when a core model has a field this writer does not know (it would be lost)."""
    from realpolitik.scenario import schema, values

    for name, fields in _WRITTEN.items():
        model = getattr(schema, name, None) or getattr(values, name)
        extra = set(model.model_fields) - fields
        if extra:
            raise RealpolitikError(f"the workbook writer does not know the field(s) "
                                   f"{', '.join(sorted(extra))} of {name}; they would be lost")


def _put(ws: Any, row: int, col: int, value: Any) -> None:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        if ILLEGAL_CHARACTERS_RE.search(value):
            raise RealpolitikError(f"{ws.title}!{cell.coordinate}: the text {value[:40]!r} holds a "
                                   "control character a workbook cannot store; remove it")
        cell.value = value
        cell.data_type = "s"  # text that starts with '=' stays text, never a formula
    else:
        cell.value = value


def workbook_bytes(scenario: Scenario) -> bytes:
    """The scenario as an .xlsx workbook (bytes): the core sheets, then one per optional section."""
    xl = openpyxl()
    from openpyxl.styles import Font

    _check_fields()
    wb = xl.Workbook()
    about = wb.active
    about.title = ABOUT
    for r, line in enumerate(ABOUT_TEXT, start=1):
        _put(about, r, 1, line)
    bold = Font(bold=True)
    sheets: list[tuple[str, list[str], list[list[Any]]]] = [
        (name, [c for c, _ in columns(name)], rows) for name, rows in _rows(scenario).items()]
    dumped = scenario.model_dump(mode="python", by_alias=True, exclude_unset=True)
    for name in optional_sections(scenario):
        tree = dumped.get(name, getattr(scenario, name))
        sheets.append((name, [c for c, _ in TREE_COLUMNS], [list(r) for r in flatten(tree)]))
    for name, header, rows in sheets:
        ws = wb.create_sheet(name)
        for c, title in enumerate(header, start=1):
            _put(ws, 1, c, title)
            ws.cell(row=1, column=c).font = bold
        for r, row in enumerate(rows, start=2):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    _put(ws, r, c, value)
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
