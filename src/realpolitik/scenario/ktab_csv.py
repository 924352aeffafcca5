"""Import of KTAB-style CSV scenarios (KAPSARC Toolkit for Behavioral Analysis).

The format (KTAB's ``examples/smp/doc/*.csv``): line 1 holds the scenario name, a description,
the number of actors and the number of dimensions; line 2 the column headers; then one actor a
line: short name, description, influence (capability), then per dimension a position and a
salience, both on 0-100. Lines may end with a trailing comma.

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
    try:
        rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise ScenarioError([Problem(file, None, "", f"cannot read the CSV: {exc}")]) from None
    rows = [r[:-1] if r and r[-1] == "" else r for r in rows]
    if len(rows) < 4:
        raise ScenarioError([Problem(file, None, "", "a KTAB CSV needs a title line, a header "
                                                      "line and at least two actor lines")])
    head = rows[0]
    if len(head) < 4:
        raise ScenarioError([Problem(file, 1, "header", "line 1 must be: name, description, "
                                                        "number of actors, number of dimensions",
                                     ",".join(head), True)])
    n_actors = int(_number(head[-2], file, 1, "number of actors"))
    n_dims = int(_number(head[-1], file, 1, "number of dimensions"))
    name = head[0]
    description = ",".join(head[1:-2]).strip()
    columns = rows[1]
    expected = 3 + 2 * n_dims
    if len(columns) < expected:
        raise ScenarioError([Problem(file, 2, "columns", f"expected {expected} columns for "
                                                         f"{n_dims} dimension(s)", len(columns), True)])
    dims = []
    for k in range(n_dims):
        label = re.sub(r"\s*Position\s*$", "", columns[3 + 2 * k], flags=re.I).strip() or f"dim{k + 1}"
        ident = re.sub(r"[^A-Za-z0-9_.\-]+", "_", label.lower()).strip("_") or f"dim{k + 1}"
        dims.append((ident, label))
    body = [r for r in rows[2:] if any(r)]
    if len(body) != n_actors:
        raise ScenarioError([Problem(file, 1, "number of actors", f"line 1 says {n_actors} "
                                     f"actors but the file has {len(body)}", n_actors, True)])
    actors = []
    for i, r in enumerate(body):
        line = i + 3
        if len(r) < expected:
            raise ScenarioError([Problem(file, line, "actor", f"expected {expected} values",
                                         len(r), True)])
        ident = re.sub(r"[^A-Za-z0-9_.\-]+", "_", r[0]).strip("_") or f"actor{i + 1}"
        cap = _number(r[2], file, line, "influence")
        pos, sal = {}, {}
        for k, (dim, _) in enumerate(dims):
            pos[dim] = _number(r[3 + 2 * k], file, line, f"{dim} position")
            sal[dim] = round(_number(r[4 + 2 * k], file, line, f"{dim} salience") / 100.0, 6)
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
