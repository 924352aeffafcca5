"""A forecast ledger: record forecasts now, score them when the outcomes are known.

The ledger is one SQLite file (stdlib :mod:`sqlite3`; default ``realpolitik-ledger.sqlite`` in the
working directory, :data:`DEFAULT_LEDGER`). :func:`record` stores a forecast: the scenario's id
and a SHA-256 hash of its full content (so a later edit of the file is visible), the model, the
ensemble's weights and where they came from, the seed, the date, and per issue the forecast,
the scale, the calibrated 80 % and 90 % bands and, with Monte Carlo samples, the 5-95 %
input-uncertainty band. :func:`add_outcomes` stores what happened, per scenario and issue;
:func:`score` pairs every recorded forecast with the outcomes known so far: absolute errors (on
the issue's scale and on 0-100) and how often each band held the outcome.

Recording a forecast does not change it; scoring never refits anything.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from realpolitik.errors import RealpolitikError
from realpolitik.version import __version__

#: The ledger file used when none is named.
DEFAULT_LEDGER = "realpolitik-ledger.sqlite"
#: Bands a recorded forecast may carry: name -> nominal coverage.
BANDS = {"calibrated_80": 0.8, "calibrated_90": 0.9, "input_5_95": 0.9}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS forecasts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recorded_at TEXT NOT NULL,
    scenario_id TEXT NOT NULL,
    scenario_hash TEXT NOT NULL,
    scenario_as_of TEXT NOT NULL,
    model TEXT NOT NULL,
    seed INTEGER,
    weights TEXT,
    weights_source TEXT,
    calibration_source TEXT,
    samples INTEGER,
    realpolitik TEXT NOT NULL,
    note TEXT
);
CREATE TABLE IF NOT EXISTS forecast_issues (
    forecast_id INTEGER NOT NULL REFERENCES forecasts(id),
    issue_id TEXT NOT NULL,
    lower REAL NOT NULL,
    upper REAL NOT NULL,
    forecast REAL NOT NULL,
    calibrated_80_low REAL, calibrated_80_high REAL,
    calibrated_90_low REAL, calibrated_90_high REAL,
    input_5_95_low REAL, input_5_95_high REAL,
    PRIMARY KEY (forecast_id, issue_id)
);
CREATE TABLE IF NOT EXISTS outcomes (
    scenario_id TEXT NOT NULL,
    issue_id TEXT NOT NULL,
    outcome REAL NOT NULL,
    source TEXT,
    added_at TEXT NOT NULL,
    PRIMARY KEY (scenario_id, issue_id)
);
"""


def scenario_hash(scenario: Any) -> str:
    """SHA-256 of the scenario's full content (its canonical JSON)."""
    return hashlib.sha256(scenario.model_dump_json().encode("utf-8")).hexdigest()


def _connect(path: str | Path) -> sqlite3.Connection:
    p = Path(path)
    if p.exists() and not p.is_file():
        raise RealpolitikError(f"{p}: the ledger must be a file", options=("ledger",))
    try:
        con = sqlite3.connect(p)
        con.executescript(_SCHEMA)
    except sqlite3.DatabaseError as exc:
        raise RealpolitikError(f"{p}: not a realpolitik ledger ({exc})", options=("ledger",)) from exc
    return con


def record(result: Any, ledger: str | Path = DEFAULT_LEDGER, *, note: str = "",
           now: dt.datetime | None = None) -> int:
    """Store a :class:`~realpolitik.api.forecast.ForecastResult`; return its ledger id."""
    from realpolitik.api.calibration import calibrated_rows

    sc = result.scenario
    when = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    choice = result.weight_choice
    weights = None if choice is None else json.dumps(
        choice.weights if choice.weights is not None else "equal")
    cal = {r["issue"]: r for r in calibrated_rows(result)}
    mc: dict[str, dict[str, Any]] = {}
    if result.sampled is not None:
        mc = {r["issue"]: r for r in result.sampled.summary().to_dict("records")}
    with _connect(ledger) as con:
        cur = con.execute(
            "INSERT INTO forecasts (recorded_at, scenario_id, scenario_hash, scenario_as_of, "
            "model, seed, weights, weights_source, calibration_source, samples, realpolitik, note) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (when, sc.id, scenario_hash(sc), sc.as_of.isoformat(), result.model, result.seed,
             weights, None if choice is None else choice.note,
             None if result.calibration is None else result.calibration.source,
             None if result.sampled is None else int(result.sampled.samples), __version__, note))
        fid = int(cur.lastrowid or 0)
        for issue in sc.issues:
            c, m = cal.get(issue.id), mc.get(issue.id)
            con.execute(
                "INSERT INTO forecast_issues VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (fid, issue.id, float(issue.scale[0]), float(issue.scale[1]),
                 float(result.forecast[issue.id]),
                 *(c["calibrated_80"] if c else (None, None)),
                 *(c["calibrated_90"] if c else (None, None)),
                 *((float(m["p05"]), float(m["p95"])) if m else (None, None))))
    return fid


@dataclass(frozen=True)
class Recorded:
    """One recorded forecast of one issue, with its outcome when known."""

    forecast_id: int
    recorded_at: str
    scenario_id: str
    scenario_hash: str
    model: str
    weights: str | None
    issue_id: str
    lower: float
    upper: float
    forecast: float
    bands: dict[str, tuple[float, float] | None]
    outcome: float | None

    @property
    def abs_error(self) -> float | None:
        """``|forecast - outcome|`` on the issue's scale."""
        return None if self.outcome is None else abs(self.forecast - self.outcome)

    @property
    def abs_error_0_100(self) -> float | None:
        """The absolute error on a 0-100 scale."""
        e = self.abs_error
        return None if e is None else 100.0 * e / (self.upper - self.lower)

    def inside(self, band: str) -> bool | None:
        """Whether the outcome lies in ``band`` (None: no band or no outcome)."""
        b = self.bands.get(band)
        if b is None or self.outcome is None:
            return None
        return b[0] - 1e-9 <= self.outcome <= b[1] + 1e-9


def forecasts(ledger: str | Path = DEFAULT_LEDGER) -> list[Recorded]:
    """Every recorded forecast of every issue, with its outcome where one was added."""
    _exists(ledger)
    with _connect(ledger) as con:
        rows = con.execute(
            "SELECT f.id, f.recorded_at, f.scenario_id, f.scenario_hash, f.model, f.weights, "
            "i.issue_id, i.lower, i.upper, i.forecast, i.calibrated_80_low, "
            "i.calibrated_80_high, i.calibrated_90_low, i.calibrated_90_high, "
            "i.input_5_95_low, i.input_5_95_high, o.outcome "
            "FROM forecasts f JOIN forecast_issues i ON i.forecast_id = f.id "
            "LEFT JOIN outcomes o ON o.scenario_id = f.scenario_id AND o.issue_id = i.issue_id "
            "ORDER BY f.id, i.rowid").fetchall()
    out = []
    for r in rows:
        bands = {}
        for k, name in enumerate(BANDS):
            lo, hi = r[10 + 2 * k], r[11 + 2 * k]
            bands[name] = None if lo is None else (float(lo), float(hi))
        out.append(Recorded(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], float(r[7]),
                            float(r[8]), float(r[9]), bands,
                            None if r[16] is None else float(r[16])))
    return out


def _exists(ledger: str | Path) -> None:
    if not Path(ledger).is_file():
        raise RealpolitikError(f"{ledger}: no such ledger; record a forecast first "
                               "(`realpolitik record`)", options=("ledger",))


def add_outcomes(rows: Iterable[tuple[str, str, float, str]],
                 ledger: str | Path = DEFAULT_LEDGER) -> int:
    """Store outcomes ``(scenario_id, issue_id, outcome, source)``; return how many."""
    _exists(ledger)
    rows = list(rows)
    known = {(r.scenario_id, r.issue_id): r for r in forecasts(ledger)}
    for scenario_id, issue_id, value, _ in rows:
        rec = known.get((scenario_id, issue_id))
        if rec is None:
            raise RealpolitikError(f"no recorded forecast of scenario {scenario_id!r}, issue "
                                   f"{issue_id!r} in {ledger}", options=("outcomes",))
        if not rec.lower <= value <= rec.upper:
            raise RealpolitikError(f"outcome {value:g} of {scenario_id}/{issue_id} lies outside "
                                   f"its scale [{rec.lower:g}, {rec.upper:g}]",
                                   options=("outcomes",))
    when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with _connect(ledger) as con:
        con.executemany("INSERT OR REPLACE INTO outcomes VALUES (?, ?, ?, ?, ?)",
                        [(s, i, float(v), src, when) for s, i, v, src in rows])
    return len(rows)


def read_outcomes(path: str | Path) -> list[tuple[str, str, float, str]]:
    """Outcomes from a CSV file with columns ``scenario``, ``issue``, ``outcome`` (``source``)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise RealpolitikError(f"{p}: cannot be read ({exc.strerror or exc})",
                               options=("outcomes",)) from exc
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in ("scenario", "issue", "outcome") if c not in (reader.fieldnames or [])]
    if missing:
        raise RealpolitikError(f"{p}: line 1: column(s) {', '.join(missing)} missing; the "
                               "header needs scenario,issue,outcome[,source]",
                               options=("outcomes",))
    out = []
    for row in reader:
        raw = (row.get("outcome") or "").strip()
        try:
            value = float(raw)
        except ValueError:
            raise RealpolitikError(f"{p}: line {reader.line_num}: field 'outcome' must be a "
                                   f"number, got {raw!r}", options=("outcomes",)) from None
        if value != value or value in (float("inf"), float("-inf")):
            raise RealpolitikError(f"{p}: line {reader.line_num}: field 'outcome' must be finite",
                                   options=("outcomes",))
        out.append((row["scenario"].strip(), row["issue"].strip(), value,
                    (row.get("source") or "").strip()))
    return out


@dataclass(frozen=True)
class Score:
    """Errors and band coverage of the recorded forecasts whose outcome is known."""

    scored: list[Recorded]
    pending: int

    def coverage(self) -> dict[str, tuple[float, float, int]]:
        """Per band: nominal level, observed share of outcomes inside, number of forecasts."""
        out = {}
        for band, nominal in BANDS.items():
            flags = [r.inside(band) for r in self.scored]
            known = [f for f in flags if f is not None]
            if known:
                out[band] = (nominal, sum(known) / len(known), len(known))
        return out

    def mae_0_100(self) -> float | None:
        """Mean absolute error (0-100 scale) over the scored forecasts."""
        errs = [r.abs_error_0_100 for r in self.scored if r.abs_error_0_100 is not None]
        return sum(errs) / len(errs) if errs else None


def score(ledger: str | Path = DEFAULT_LEDGER) -> Score:
    """Pair every recorded forecast with its outcome, if known."""
    rows = forecasts(ledger)
    scored = [r for r in rows if r.outcome is not None]
    return Score(scored, len(rows) - len(scored))
