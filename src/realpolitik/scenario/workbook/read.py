"""Read a scenario workbook (.xlsx) back into a validated scenario; problems name sheet and cell.

The reader refuses what it cannot read faithfully (merged cells, formulas, error cells, text in
a number column, unknown sheets or columns, a file that is not a workbook) with the sheet and
cell, then validates the scenario it built exactly as ``validate`` does a YAML file, and
reports each problem at the cell it came from (``actors!E3: capability must be >= 0 (got -5)``).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from realpolitik.errors import Problem, ScenarioError
from realpolitik.scenario.edits import dump_yaml
from realpolitik.scenario.loader import parse_scenario
from realpolitik.scenario.schema import Scenario
from realpolitik.scenario.workbook.layout import (
    ABOUT,
    CORE_FIELDS,
    DIST_PARAMS,
    POSITION_INPUTS,
    REQUIRED,
    SCENARIO_FIELDS,
    SHEETS,
    TREE_COLUMNS,
    Kind,
    columns,
    openpyxl,
)
from realpolitik.scenario.workbook.tree import TreeError, unflatten
from realpolitik.scenario.yamlio import PathKey, format_path

__all__ = ["MAX_BYTES", "MAX_CELLS", "read_workbook"]

#: Largest workbook file read, and most cells read from it.
MAX_BYTES = 20_000_000
MAX_CELLS = 200_000

Row = dict[str, tuple[Any, str]]  # column -> (value, cell coordinate)


class _Reader:
    """Turns sheets into raw scenario data, keeping the cell of every value and every problem."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []
        self.cells: dict[PathKey, str] = {}
        self.count = 0

    def bad(self, where: str, message: str, value: Any = None, show: bool = False) -> None:
        self.problems.append(Problem(self.file, None, where, message, value, show))

    # -- cells -----------------------------------------------------------------------
    def cell(self, ws: Any, cell: Any, name: str, kind: Kind) -> Any:
        where = f"{ws.title}!{cell.coordinate}"
        value = cell.value
        if value is None:
            return None
        if cell.data_type == "f" or type(value).__name__ in ("ArrayFormula", "DataTableFormula"):
            self.bad(where, f"{name}: holds a formula; type the value itself (formulas are not "
                            "read)", str(value)[:60], True)
            return None
        if cell.data_type == "e":
            self.bad(where, f"{name}: holds a spreadsheet error; type a value", value, True)
            return None
        if kind == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.bad(where, f"{name} must be a number, typed as a number (not text)",
                         value, True)
                return None
            return value
        if kind == "date":
            if isinstance(value, dt.datetime):
                return value.date()
            if isinstance(value, dt.date):
                return value
            try:
                return dt.date.fromisoformat(str(value).strip())
            except ValueError:
                self.bad(where, f"{name} must be a date YYYY-MM-DD", value, True)
                return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()[:10]
        return str(value)

    def rows(self, ws: Any, cols: list[tuple[str, Kind]]) -> list[Row]:
        """The non-blank rows of a sheet as {column: (value, coordinate)}; problems recorded."""
        for rng in ws.merged_cells.ranges:
            self.bad(f"{ws.title}!{rng.coord}", "merged cells cannot be read; unmerge them "
                                                 "and type the value in each cell")
        if ws.merged_cells.ranges:
            return []
        grid = list(ws.iter_rows())
        if not grid or all(c.value is None for c in grid[0]):
            self.bad(f"{ws.title}!A1", "the sheet is empty: its first row names the columns ("
                     + ", ".join(c for c, _ in cols) + ")")
            return []
        kinds = dict(cols)
        index: dict[int, str] = {}
        for c in grid[0]:
            if c.value is None:
                continue
            name = str(c.value).strip()
            if name not in kinds:
                self.bad(f"{ws.title}!{c.coordinate}", f"unknown column {name!r}; the columns "
                         f"of {ws.title} are: {', '.join(kinds)}")
            elif name in index.values():
                self.bad(f"{ws.title}!{c.coordinate}", f"column {name!r} appears twice")
            else:
                index[c.column] = name
        out: list[Row] = []
        for line in grid[1:]:
            self.count += len(line)
            if self.count > MAX_CELLS:
                self.bad(ws.title, f"the workbook has more than {MAX_CELLS:,} cells; a scenario "
                                   "needs far fewer")
                return out
            row: Row = {}
            for c in line:
                if c.column in index and c.value is not None:
                    row[index[c.column]] = (self.cell(ws, c, index[c.column],
                                                      kinds[index[c.column]]), c.coordinate)
            if row:
                out.append(row)
        return out

    # -- values ----------------------------------------------------------------------
    def put(self, path: PathKey, sheet: str, row: Row, col: str) -> Any:
        """The row's value in ``col`` (None when blank), its cell recorded for ``path``."""
        value, coord = row.get(col, (None, None))
        if coord is not None:
            self.cells[path] = f"{sheet}!{coord}"
        return value

    def uncertain(self, path: PathKey, sheet: str, row: Row, value_col: str) -> dict[str, Any]:
        """An uncertain value mapping from the value columns of a row."""
        out: dict[str, Any] = {}
        v = self.put((*path, "value"), sheet, row, value_col)
        self.cells.setdefault(path, self.cells.get((*path, "value"), f"{sheet}!{value_col}"))
        if v is not None:
            out["value"] = v
        dist = self.distribution((*path, "distribution"), sheet, row)
        if dist is not None:
            out["distribution"] = dist
        source = self.put((*path, "source", "id"), sheet, row, "source")
        at = self.put((*path, "source", "at"), sheet, row, "at")
        if source is not None:
            out["source"] = {"id": source, **({"at": at} if at is not None else {})}
        elif at is not None:
            self.bad(self.cells[(*path, "source", "at")], "at: a place in a source needs the "
                     "source's id in the source column")
        for key in ("note", "pool"):
            x = self.put((*path, key), sheet, row, key)
            if x is not None:
                out[key] = x
        return out

    def distribution(self, path: PathKey, sheet: str, row: Row) -> dict[str, Any] | None:
        kind = self.put((*path, "kind"), sheet, row, "distribution")
        self.cells[path] = self.cells.get((*path, "kind"), f"{sheet}")
        params = {p: self.put((*path, p), sheet, row, p) for p in DIST_PARAMS}
        params = {p: x for p, x in params.items() if x is not None}
        if kind is None:
            if params:
                first = next(iter(params))
                self.bad(self.cells[(*path, first)], f"{first}: a distribution parameter "
                         "without a kind; fill the distribution column (uniform, triangular, "
                         "truncnormal, beta) or clear the parameters")
            return None
        return {"kind": kind, **params}

    # -- sheets ----------------------------------------------------------------------
    def scenario_sheet(self, rows: list[Row], data: dict[str, Any]) -> None:
        for row in rows:
            field = row.get("field", (None, None))[0]
            if field not in SCENARIO_FIELDS:
                coord = row.get("field", (None, "A?"))[1]
                self.bad(f"scenario!{coord}", f"unknown field {field!r}; fields are: "
                         + ", ".join(SCENARIO_FIELDS))
                continue
            data[field] = self.put((field,), "scenario", row, "text")

    def sources(self, rows: list[Row], data: dict[str, Any]) -> None:
        data["sources"] = []
        for k, row in enumerate(rows):
            entry = {c: self.put(("sources", k, c), "sources", row, c)
                     for c in ("id", "citation", "date", "url")}
            self.cells[("sources", k)] = self.cells.get(("sources", k, "id"), "sources")
            data["sources"].append({c: x for c, x in entry.items() if x is not None})

    def issues(self, rows: list[Row], data: dict[str, Any]) -> None:
        data["issues"] = []
        for k, row in enumerate(rows):
            p: PathKey = ("issues", k)
            issue: dict[str, Any] = {c: self.put((*p, c), "issues", row, c)
                                     for c in ("id", "name", "description")}
            issue = {c: x for c, x in issue.items() if x is not None}
            lo = self.put((*p, "scale", 0), "issues", row, "scale_min")
            hi = self.put((*p, "scale", 1), "issues", row, "scale_max")
            self.cells[(*p, "scale")] = self.cells.get((*p, "scale", 0), "issues")
            issue["scale"] = [lo, hi]
            issue["anchors"], issue["bands"] = [], []
            issue["status_quo"] = self.uncertain((*p, "status_quo"), "issues", row, "status_quo")
            self.cells[p] = self.cells.get((*p, "id"), "issues")
            data["issues"].append(issue)

    def _issue_index(self, data: dict[str, Any], sheet: str, row: Row) -> int | None:
        iid, coord = row.get("issue", (None, "A?"))
        for k, issue in enumerate(data.get("issues", [])):
            if issue.get("id") == iid:
                return k
        self.bad(f"{sheet}!{coord}", f"issue: no issue {iid!r} on the issues sheet", show=False)
        return None

    def anchors_bands(self, sheet: str, rows: list[Row], data: dict[str, Any]) -> None:
        fields = ("value", "label") if sheet == "anchors" else ("name", "low", "high")
        for row in rows:
            k = self._issue_index(data, sheet, row)
            if k is None:
                continue
            target = data["issues"][k][sheet]
            p: PathKey = ("issues", k, sheet, len(target))
            entry = {c: self.put((*p, c), sheet, row, c) for c in fields}
            self.cells[p] = f"{sheet}!{row.get('issue', (None, 'A'))[1]}"
            target.append({c: x for c, x in entry.items() if x is not None})

    def actors(self, rows: list[Row], data: dict[str, Any]) -> None:
        data["actors"] = []
        for k, row in enumerate(rows):
            p: PathKey = ("actors", k)
            actor: dict[str, Any] = {c: self.put((*p, c), "actors", row, c)
                                     for c in ("id", "name", "kind", "description")}
            actor = {c: x for c, x in actor.items() if x is not None}
            actor["capability"] = self.uncertain((*p, "capability"), "actors", row, "capability")
            actor["positions"], actor["salience"] = {}, {}
            self.cells[p] = self.cells.get((*p, "id"), "actors")
            self.cells[(*p, "positions")] = self.cells[(*p, "salience")] = self.cells[p]
            data["actors"].append(actor)

    def positions(self, rows: list[Row], data: dict[str, Any]) -> None:
        index = {a.get("id"): k for k, a in enumerate(data.get("actors", []))}
        for row in rows:
            aid, coord = row.get("actor", (None, "A?"))
            iid = row.get("issue", (None, None))[0]
            kind, kcoord = row.get("input", (None, "C?"))
            if aid not in index:
                self.bad(f"positions!{coord}", f"actor: no actor {aid!r} on the actors sheet")
                continue
            if kind not in POSITION_INPUTS:
                self.bad(f"positions!{kcoord}", "input must be one of: "
                         + ", ".join(POSITION_INPUTS), kind, True)
                continue
            if iid is None:
                self.bad(f"positions!{coord}", "issue: the issue column is empty")
                continue
            table = data["actors"][index[aid]].setdefault(POSITION_INPUTS[kind], {})
            if iid in table:
                self.bad(f"positions!{coord}", f"a second {kind} of {aid!r} on {iid!r}")
                continue
            table[iid] = self.uncertain(("actors", index[aid], POSITION_INPUTS[kind], iid),
                                        "positions", row, "value")

    def relations(self, rows: list[Row], data: dict[str, Any]) -> None:
        data["relations"] = []
        for k, row in enumerate(rows):
            p: PathKey = ("relations", k)
            rel = {c: self.put((*p, c), "relations", row, c) for c in ("from", "to", "kind")}
            rel = {c: x for c, x in rel.items() if x is not None}
            note = self.put((*p, "note"), "relations", row, "relation_note")
            rel["weight"] = self.uncertain((*p, "weight"), "relations", row, "weight")
            if note is not None:
                rel["note"] = note
            self.cells[p] = self.cells.get((*p, "from"), "relations")
            data["relations"].append(rel)

    def timeline(self, rows: list[Row], data: dict[str, Any]) -> None:
        data["timeline"] = []
        for k, row in enumerate(rows):
            p: PathKey = ("timeline", k)
            ev = {c: self.put((*p, c), "timeline", row, c)
                  for c in ("date", "series", "value", "label")}
            ev = {c: x for c, x in ev.items() if x is not None}
            src = self.put((*p, "source", "id"), "timeline", row, "source")
            at = self.put((*p, "source", "at"), "timeline", row, "at")
            ev["source"] = {"id": src, **({"at": at} if at is not None else {})}
            self.cells[p] = self.cells.get((*p, "date"), "timeline")
            data["timeline"].append(ev)

    def experts(self, rows: list[Row], data: dict[str, Any]) -> None:
        for row in rows:
            path, coord = row.get("input", (None, "A?"))
            key = _input_key(data, path) if isinstance(path, str) else None
            if key is None:
                self.bad(f"experts!{coord}", "input: no such input; write its path as "
                         "issues.<issue>.status_quo, actors.<actor>.capability, "
                         "actors.<actor>.positions.<issue> (salience, private_positions) or "
                         "relations[<row from 0>].weight", path, True)
                continue
            target: Any = data
            for part in key:
                target = target[part]
            panel = target.setdefault("experts", [])
            p: PathKey = (*key, "experts", len(panel))
            expert: dict[str, Any] = {}
            for col in ("value", "weight", "note"):
                x = self.put((*p, col), "experts", row, col)
                if x is not None:
                    expert[col] = x
            dist = self.distribution((*p, "distribution"), "experts", row)
            if dist is not None:
                expert["distribution"] = dist
            sid = self.put((*p, "source", "id"), "experts", row, "expert")
            at = self.put((*p, "source", "at"), "experts", row, "at")
            if sid is not None:
                expert["source"] = {"id": sid, **({"at": at} if at is not None else {})}
            self.cells[p] = f"experts!{coord}"
            panel.append(expert)

    def section(self, ws: Any, data: dict[str, Any]) -> None:
        rows = self.rows(ws, list(TREE_COLUMNS))
        triples = []
        for row in rows:
            pointer = row.get("pointer", ("", None))[0] or ""
            kind = row.get("type", (None, None))[0]
            raw = ws[row["value"][1]].value if "value" in row else None
            triples.append((pointer, kind, raw, row.get("type", (None, "B?"))[1]))
        try:
            data[ws.title] = unflatten([(p, k, v) for p, k, v, _ in triples])
        except TreeError as exc:
            self.bad(ws.title, f"cannot rebuild the section: {exc}")
            return
        for pointer, _, _, coord in triples:
            parts = tuple(int(t) if t.isdigit() else t for t in pointer.split("/")[1:])
            self.cells[(ws.title, *parts)] = f"{ws.title}!{coord}"


def _input_key(data: dict[str, Any], path: str) -> PathKey | None:
    """The key path of the input named by ``path`` in the raw data being built (None: no such).

    Every input's path is listed and looked up whole, so ids holding a dot still match.
    """
    paths: dict[str, PathKey] = {}
    for k, issue in enumerate(data.get("issues", [])):
        paths[f"issues.{issue.get('id')}.status_quo"] = ("issues", k, "status_quo")
    for k, actor in enumerate(data.get("actors", [])):
        paths[f"actors.{actor.get('id')}.capability"] = ("actors", k, "capability")
        for group in POSITION_INPUTS.values():
            for iid in actor.get(group, {}):
                paths[f"actors.{actor.get('id')}.{group}.{iid}"] = ("actors", k, group, iid)
    for k in range(len(data.get("relations", []))):
        paths[f"relations[{k}].weight"] = ("relations", k, "weight")
    return paths.get(path)


def _load(raw: bytes, file: str) -> Any:
    """The openpyxl workbook of ``raw``; a clear error when it is not one."""
    load_workbook = openpyxl().load_workbook
    if len(raw) > MAX_BYTES:
        raise ScenarioError([Problem(file, None, "", f"the file is larger than {MAX_BYTES:,} "
                                                     "bytes; a scenario workbook is far smaller")])
    if not raw.startswith(b"PK"):
        raise ScenarioError([Problem(file, None, "", "not an .xlsx workbook (an .xlsx file is a "
                                     "zip archive; save the sheet as Excel Workbook .xlsx, not "
                                     ".xls, .ods or .csv)")])
    try:
        return load_workbook(io.BytesIO(raw), data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError) as exc:
        raise ScenarioError([Problem(file, None, "", "not a readable .xlsx workbook "
                                     f"({type(exc).__name__}: {str(exc)[:120]})")]) from None
    except Exception as exc:  # openpyxl raises many kinds on a corrupt archive
        raise ScenarioError([Problem(file, None, "", "not a readable .xlsx workbook "
                                     f"({type(exc).__name__})")]) from None


def _sheets(wb: Any, reader: _Reader) -> tuple[dict[str, list[Row]], list[Any]]:
    """Rows of each core sheet present, and the optional sections' sheets."""
    core: dict[str, list[Row]] = {}
    sections = []
    optional = set(Scenario.model_fields) - CORE_FIELDS
    for ws in wb.worksheets:
        if ws.title == ABOUT:
            continue
        if ws.title in SHEETS:
            core[ws.title] = reader.rows(ws, columns(ws.title))
        elif ws.title in optional:
            sections.append(ws)
        else:
            known = ", ".join([*SHEETS, *sorted(optional)])
            reader.bad(f"{ws.title}!A1", f"unknown sheet {ws.title!r}; sheets are: {known}")
    for name in REQUIRED:
        if name not in core and not any(p.field.startswith(f"{name}!") for p in reader.problems):
            reader.bad(f"{name}!A1", f"the sheet {name!r} is missing")
    return core, sections


def _fill(core: dict[str, list[Row]], sections: list[Any], reader: _Reader) -> dict[str, Any]:
    data: dict[str, Any] = {}
    reader.scenario_sheet(core.get("scenario", []), data)
    reader.sources(core.get("sources", []), data)
    reader.issues(core.get("issues", []), data)
    reader.anchors_bands("anchors", core.get("anchors", []), data)
    reader.anchors_bands("bands", core.get("bands", []), data)
    reader.actors(core.get("actors", []), data)
    reader.positions(core.get("positions", []), data)
    reader.relations(core.get("relations", []), data)
    reader.timeline(core.get("timeline", []), data)
    reader.experts(core.get("experts", []), data)
    for ws in sections:
        reader.section(ws, data)
    return data


def _at_cells(exc: ScenarioError, data: dict[str, Any], reader: _Reader) -> ScenarioError:
    """The validation problems moved to the cells their values came from."""
    where = {format_path(p, data): cell for p, cell in reader.cells.items()}
    moved = []
    for p in exc.problems:
        field, cell = p.field, None
        while field and cell is None:
            cell = where.get(field)
            if cell is None:
                cut = max(field.rfind("."), field.rfind("["))
                field = field[:cut] if cut > 0 else ""
        label = cell if cell and field == p.field else f"{cell or 'scenario'} ({p.field})"
        moved.append(Problem(reader.file, None, label, p.message, p.value, p.has_value))
    return ScenarioError(moved)


def read_workbook(raw: bytes, file: str = "<workbook>") -> tuple[Scenario, dict[str, Any]]:
    """The scenario of an .xlsx workbook and its raw data; :class:`ScenarioError` naming cells."""
    reader = _Reader(file)
    wb = _load(raw, file)
    core, sections = _sheets(wb, reader)
    data = _fill(core, sections, reader) if not reader.problems else {}
    if reader.problems:
        raise ScenarioError(reader.problems)
    for key in ("sources", "relations", "timeline"):
        if not data.get(key):
            data.pop(key, None)
    try:
        return parse_scenario(dump_yaml(data), file), data
    except ScenarioError as exc:
        raise _at_cells(exc, data, reader) from None
