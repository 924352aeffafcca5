"""Import of KTAB-style CSV scenarios (KAPSARC Toolkit for Behavioral Analysis).

The format (KTAB's ``examples/smp/doc/*.csv``): line 1 holds the scenario name, a description,
the number of actors and the number of dimensions; line 2 the column headers; then one actor a
line: short name, description, influence (capability), then per dimension a position and a
salience, both on 0-100. Lines may end with trailing commas.

Line 1 is read as KTAB reads it (``smpread.cpp``: the first four fields, the rest ignored), so
KTAB's own variants load: ``Combined,All six dimensions of CDMP,27,6,0,,,,,,,,,,`` (an extra
field and padding, as in KTAB's ``dummyData_6Dim.csv``). A description holding unquoted commas
(fields 3 and 4 not both whole numbers) is read the older way: the counts are the last two
non-empty fields. Errors name the CSV's line and column (both counted from 1).

Encodings: UTF-8 (with or without a byte-order mark) and UTF-16/UTF-32 with a byte-order mark,
as for scenario files. A file that is not UTF-8 is read as Windows-1252 (what spreadsheet programs
on Windows write; every other byte as Latin-1), and the import says so: the scenario's description
records it and ``notes`` receives a sentence, so that the analyst checks the names.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from realpolitik.errors import Problem, ScenarioError
from realpolitik.scenario.yamlio import MAX_BYTES, decode


def _read_csv_text(path: str | Path, notes: list[str]) -> str:
    """The text of a CSV file; a file that is not UTF-8 is read as Windows-1252, with a note."""
    file = str(path)
    try:
        p = Path(path)
        if p.stat().st_size > MAX_BYTES:
            raise ScenarioError([Problem(file, None, "", f"file is larger than {MAX_BYTES:,} bytes")])
        data = p.read_bytes()
    except OSError as exc:
        raise ScenarioError([Problem(file, None, "", f"cannot read the file: {exc.strerror}")]) from None
    try:
        return decode(data, file)
    except ScenarioError:
        if b"\x00" in data or data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise
    # the five bytes Windows-1252 leaves undefined come back as escapes: read them as Latin-1
    text = re.sub("[\udc80-\udcff]", lambda m: chr(ord(m.group()) - 0xDC00),
                  data.decode("cp1252", errors="surrogateescape"))
    notes.append(f"{Path(file).name} is not UTF-8: read as Windows-1252 (check accented names)")
    return text


def _number(text: str, file: str, line: int, field: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ScenarioError([Problem(file, line, field, "expected a number", text, True)]) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ScenarioError([Problem(file, line, field, "must be a finite number", text, True)])
    return value


def _col(column: int, what: str) -> str:
    """The field of a problem: the CSV column (from 1) and what it holds."""
    return f"column {column} ({what})"


def _rows(text: str, file: str) -> list[tuple[int, list[str]]]:
    """(line number, stripped cells without trailing empty ones) of each CSV record."""
    reader = csv.reader(io.StringIO(text))
    out: list[tuple[int, list[str]]] = []
    try:
        start = 1
        for record in reader:
            cells = [c.strip() for c in record]
            while cells and cells[-1] == "":
                cells.pop()
            out.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ScenarioError([Problem(file, reader.line_num, "", f"cannot read the CSV: {exc}")]) from None
    return out


def _whole(text: str) -> bool:
    return re.fullmatch(r"[+]?\d+(\.0*)?", text) is not None


def _title(row: tuple[int, list[str]], file: str) -> tuple[str, str, int, int]:
    """Name, description and the numbers of actors and dimensions from line 1 (see the module)."""
    line, head = row
    if len(head) < 4:
        raise ScenarioError([Problem(file, line, "header", "line 1 must be: name, description, "
                                                           "number of actors, number of dimensions",
                                     ",".join(head), True)])
    if _whole(head[2]) and _whole(head[3]):
        at, description = 2, head[1]
    else:
        at, description = len(head) - 2, ",".join(head[1:-2]).strip()
    n_actors = int(_number(head[at], file, line, _col(at + 1, "number of actors")))
    n_dims = int(_number(head[at + 1], file, line, _col(at + 2, "number of dimensions")))
    if n_dims < 1:
        raise ScenarioError([Problem(file, line, _col(at + 2, "number of dimensions"),
                                     "must be at least 1", head[at + 1], True)])
    return head[0], description, n_actors, n_dims


def read_ktab_csv(path: str | Path, *, status_quo: float | None = None,
                  notes: list[str] | None = None) -> dict[str, Any]:
    """Read a KTAB CSV scenario into scenario data (a dict ready for YAML and validation).

    KTAB files have no status quo; unless ``status_quo`` is given, each dimension's status quo
    is the capability x salience weighted mean of the initial positions (noted in the file).
    ``notes``, when given, receives what the reader had to assume (an encoding, say).
    """
    file = str(path)
    said: list[str] = []
    text = _read_csv_text(path, said)
    if notes is not None:
        notes.extend(said)
    rows = _rows(text, file)
    if len(rows) < 4:
        raise ScenarioError([Problem(file, None, "", "a KTAB CSV needs a title line, a header "
                                                      "line and at least two actor lines")])
    name, description, n_actors, n_dims = _title(rows[0], file)
    head_line, columns = rows[1]
    expected = 3 + 2 * n_dims
    if len(columns) < expected:
        raise ScenarioError([Problem(file, head_line, "columns", f"expected {expected} columns "
                                     f"for {n_dims} dimension(s)", len(columns), True)])
    dims = []
    for k in range(n_dims):
        label = re.sub(r"\s*Position\s*$", "", columns[3 + 2 * k], flags=re.I).strip() or f"dim{k + 1}"
        ident = re.sub(r"[^A-Za-z0-9_.\-]+", "_", label.lower()).strip("_") or f"dim{k + 1}"
        dims.append((ident, label))
    body = [(line, r) for line, r in rows[2:] if any(r)]
    if len(body) != n_actors:
        raise ScenarioError([Problem(file, rows[0][0], _col(3, "number of actors"),
                                     f"line {rows[0][0]} says {n_actors} actors but the file "
                                     f"has {len(body)}", n_actors, True)])
    actors = []
    for i, (line, r) in enumerate(body):
        if len(r) < expected:
            raise ScenarioError([Problem(file, line, "actor", f"expected {expected} values",
                                         len(r), True)])
        ident = re.sub(r"[^A-Za-z0-9_.\-]+", "_", r[0]).strip("_") or f"actor{i + 1}"
        cap = _number(r[2], file, line, _col(3, "influence"))
        pos, sal = {}, {}
        for k, (dim, _) in enumerate(dims):
            pos[dim] = _number(r[3 + 2 * k], file, line, _col(4 + 2 * k, f"{dim} position"))
            sal[dim] = round(_number(r[4 + 2 * k], file, line,
                                     _col(5 + 2 * k, f"{dim} salience")) / 100.0, 6)
        actors.append({"id": ident, "name": r[1] or ident, "kind": "person",
                       "capability": cap, "positions": pos, "salience": sal})
    issues = []
    for dim, label in dims:
        if status_quo is not None:
            sq, how = status_quo, "given on import"
        else:
            w = [a["capability"] * a["salience"][dim] for a in actors]
            tot = sum(w)
            sq = sum(wi * a["positions"][dim] for wi, a in zip(w, actors, strict=True)) / tot if tot > 0 else 50.0
            sq, how = round(sq, 3), "capability x salience weighted mean of initial positions (KTAB files have none)"
        issues.append({"id": dim, "name": label, "scale": [0, 100],
                       "status_quo": {"value": sq, "source": {"id": "csv"}, "note": how}})
    ident = re.sub(r"[^A-Za-z0-9_.\-]+", "-", name.lower()).strip("-") or "imported"
    return {
        "id": ident,
        "title": name,
        "as_of": "2000-01-01",
        "description": " ".join([description or f"Imported from {Path(file).name}.", *said]),
        "sources": [{"id": "csv", "citation": f"KTAB CSV scenario {Path(file).name}"}],
        "issues": issues,
        "actors": actors,
    }


def load_ktab_csv(path: str | Path, *, status_quo: float | None = None) -> Any:
    """A KTAB CSV scenario as a validated :class:`~realpolitik.scenario.schema.Scenario`."""
    from realpolitik.scenario.schema import Scenario

    return Scenario.model_validate(read_ktab_csv(path, status_quo=status_quo))
