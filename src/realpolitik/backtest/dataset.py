"""Backtest data sets: past decisions with known outcomes, in two CSV files.

A data set is a folder with

``issues.csv``
    one row per issue (decision). Columns: ``issue_id`` (required, unique), ``outcome``
    (required: the decision that was taken, on the issue's scale), ``status_quo`` (the
    reference point, what happens without agreement; may be blank when unknown), ``lower`` and
    ``upper`` (the ends of the scale; default 0 and 100). Any other columns (proposal, procedure,
    voting rule, ...) are kept as metadata.
``actors.csv``
    one row per actor and issue. Columns: ``issue_id`` (required, must be in ``issues.csv``),
    ``actor`` (required, unique within an issue), ``position`` (required, on the issue's scale),
    ``salience`` (required, in [0, 1]) and ``capability`` (>= 0; default 1).

and optionally ``published.csv`` (figures reported elsewhere for the same data, printed next to
ours: ``method``, ``mae``, ``n_issues``, ``source``, ``note``) and a ``README.md`` giving the
source and licence. Blank cells are missing values. Every problem found is reported with file,
line, field and value (:class:`~realpolitik.errors.ScenarioError`).

Built-in data sets live in ``realpolitik/data/backtest/<name>/``; ``load_dataset`` takes a
built-in name or a folder path.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from realpolitik.errors import Problem, RealpolitikError, ScenarioError
from realpolitik.models.base import DecisionRules

ISSUES_FILE = "issues.csv"
ACTORS_FILE = "actors.csv"
PUBLISHED_FILE = "published.csv"

ISSUE_COLUMNS = ("issue_id", "outcome", "status_quo", "lower", "upper")
ACTOR_COLUMNS = ("issue_id", "actor", "position", "salience", "capability")
PUBLISHED_COLUMNS = ("method", "mae", "n_issues", "source", "note")


@dataclass(frozen=True)
class Issue:
    """One past decision: the actors' positions, saliences and capabilities, and what happened."""

    issue_id: str
    outcome: float
    status_quo: float | None
    lower: float
    upper: float
    actors: tuple[str, ...]
    position: np.ndarray
    salience: np.ndarray
    capability: np.ndarray
    meta: dict[str, str] = field(default_factory=dict)
    rules: DecisionRules | None = None  # formal rules (batch of one), e.g. from the procedures

    @property
    def n_actors(self) -> int:
        """Number of actors with a position on the issue."""
        return len(self.actors)


@dataclass(frozen=True)
class Published:
    """A figure reported elsewhere for this data set."""

    method: str
    mae: float
    n_issues: int | None
    source: str
    note: str = ""


@dataclass(frozen=True)
class Dataset:
    """A backtest data set."""

    name: str
    path: Path
    issues: tuple[Issue, ...]
    published: tuple[Published, ...] = ()


def _builtin_root() -> Any:
    return resources.files("realpolitik") / "data" / "backtest"


def builtin_datasets() -> list[str]:
    """Names of the data sets shipped with realpolitik."""
    root = _builtin_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / ISSUES_FILE).is_file())


def resolve(name_or_path: str | Path) -> tuple[str, Path]:
    """The data set's name and folder: a built-in name, or a folder holding ``issues.csv``."""
    text = str(name_or_path)
    if text in builtin_datasets():
        return text, Path(str(_builtin_root() / text))
    path = Path(text)
    if path.is_dir():
        if not (path / ISSUES_FILE).is_file() or not (path / ACTORS_FILE).is_file():
            raise RealpolitikError(
                f"{path}: a backtest data set folder needs {ISSUES_FILE} and {ACTORS_FILE} "
                "(see `realpolitik backtest --help` and docs/validation.md)"
            )
        return path.name, path
    known = ", ".join(builtin_datasets()) or "none"
    raise RealpolitikError(
        f"unknown backtest data set {text!r}: not a built-in name (built-in: {known}) "
        "and not a folder"
    )


def load_dataset(name_or_path: str | Path) -> Dataset:
    """Read and check a data set; raise :class:`ScenarioError` listing every problem."""
    name, path = resolve(name_or_path)
    problems: list[Problem] = []
    issue_rows = _read(path / ISSUES_FILE, ("issue_id", "outcome"), problems)
    actor_rows = _read(path / ACTORS_FILE, ("issue_id", "actor", "position", "salience"), problems)
    if problems:
        raise ScenarioError(problems)

    heads = _issue_heads(path, issue_rows, problems)
    _add_actors(path, issue_rows, actor_rows, heads, problems)
    issues_file = str(path / ISSUES_FILE)
    for issue_id, head in heads.items():
        if not head["actors"]:
            problems.append(
                Problem(
                    issues_file,
                    head["line"],
                    "issue_id",
                    f"has no actors in {ACTORS_FILE}",
                    issue_id,
                    True,
                )
            )
    published = _read_published(path / PUBLISHED_FILE, problems)
    if problems:
        raise ScenarioError(problems)

    issues = []
    for issue_id, head in heads.items():
        names, pos, sal, cap = zip(*head["actors"], strict=True)
        issues.append(
            Issue(
                issue_id=issue_id,
                outcome=head["outcome"],
                status_quo=head["status_quo"],
                lower=head["lower"],
                upper=head["upper"],
                actors=tuple(names),
                position=np.asarray(pos, dtype=float),
                salience=np.asarray(sal, dtype=float),
                capability=np.asarray(cap, dtype=float),
                meta=head["meta"],
            )
        )
    return Dataset(name=name, path=path, issues=tuple(issues), published=published)



def _issue_heads(path: Path, issue_rows: list[tuple[int, dict[str, str]]],
                 problems: list[Problem]) -> dict[str, dict[str, Any]]:
    """The checked rows of the issues file, by issue id (actors are added later)."""
    heads: dict[str, dict[str, Any]] = {}
    issues_file = str(path / ISSUES_FILE)
    for line, row in issue_rows:
        check = _Checker(issues_file, line, problems)
        issue_id = row.get("issue_id", "").strip()
        if not issue_id:
            check.fail("issue_id", "is empty; every issue needs an id", issue_id)
            continue
        if issue_id in heads:
            check.fail("issue_id", "appears twice; issue ids must be unique", issue_id)
            continue
        lower = check.number(row, "lower", default=0.0)
        upper = check.number(row, "upper", default=100.0)
        if lower is not None and upper is not None and not upper > lower:
            check.fail("upper", f"must be greater than lower ({lower:g})", upper)
            continue
        outcome = check.number(row, "outcome", lo=lower, hi=upper)
        status_quo = check.number(row, "status_quo", lo=lower, hi=upper, default=None)
        if outcome is None or lower is None or upper is None:
            continue
        meta = {k: v for k, v in row.items() if k not in ISSUE_COLUMNS and v is not None}
        heads[issue_id] = {
            "outcome": outcome,
            "status_quo": status_quo,
            "lower": lower,
            "upper": upper,
            "meta": meta,
            "line": line,
            "actors": [],
        }
    return heads


def _add_actors(path: Path, issue_rows: list[tuple[int, dict[str, str]]],
                actor_rows: list[tuple[int, dict[str, str]]], heads: dict[str, dict[str, Any]],
                problems: list[Problem]) -> None:
    """Check the rows of the actors file and add each to its issue's head."""
    actors_file = str(path / ACTORS_FILE)
    listed = {r.get("issue_id", "").strip() for _, r in issue_rows}
    seen: set[tuple[str, str]] = set()
    for line, row in actor_rows:
        check = _Checker(actors_file, line, problems)
        issue_id = row.get("issue_id", "").strip()
        actor = row.get("actor", "").strip()
        if issue_id not in heads:
            if issue_id not in listed:  # else the issue's own row has a problem already
                check.fail("issue_id", f"is not in {ISSUES_FILE}", issue_id)
            continue
        if not actor:
            check.fail("actor", "is empty", actor)
            continue
        if (issue_id, actor) in seen:
            check.fail("actor", f"appears twice on issue {issue_id!r}", actor)
            continue
        seen.add((issue_id, actor))
        lower, upper = heads[issue_id]["lower"], heads[issue_id]["upper"]
        position = check.number(row, "position", lo=lower, hi=upper)
        salience = check.number(row, "salience", lo=0.0, hi=1.0)
        capability = check.number(row, "capability", lo=0.0, default=1.0)
        if position is None or salience is None or capability is None:
            continue
        heads[issue_id]["actors"].append((actor, position, salience, capability))


def _read(
    path: Path, required: tuple[str, ...], problems: list[Problem]
) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV file with their line numbers (header is line 1)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        problems.append(Problem(str(path), None, "", f"cannot be read: {exc.strerror or exc}"))
        return []
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    missing = [c for c in required if c not in header]
    if missing:
        problems.append(
            Problem(
                str(path),
                1,
                ", ".join(missing),
                f"required column(s) missing; the header is {header}",
            )
        )
        return []
    rows = []
    for row in reader:
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        rows.append((reader.line_num, {k: (v or "") for k, v in row.items() if k is not None}))
    return rows


def _read_published(path: Path, problems: list[Problem]) -> tuple[Published, ...]:
    if not path.is_file():
        return ()
    out = []
    for line, row in _read(path, ("method", "mae", "source"), problems):
        check = _Checker(str(path), line, problems)
        mae = check.number(row, "mae", lo=0.0)
        n = check.number(row, "n_issues", lo=0.0, default=None)
        if mae is None:
            continue
        out.append(
            Published(
                row["method"].strip(),
                mae,
                None if n is None else int(n),
                row["source"].strip(),
                row.get("note", "").strip(),
            )
        )
    return tuple(out)


class _Checker:
    """Number parsing with problems recorded against one line of one file."""

    def __init__(self, file: str, line: int, problems: list[Problem]):
        self.file, self.line, self.problems = file, line, problems

    def fail(self, column: str, message: str, value: object = None) -> None:
        self.problems.append(Problem(self.file, self.line, column, message, value, True))

    _REQUIRED = object()

    def number(
        self,
        row: dict[str, str],
        column: str,
        *,
        lo: float | None = None,
        hi: float | None = None,
        default: Any = _REQUIRED,
    ) -> Any:
        raw = (row.get(column) or "").strip()
        if not raw:
            if default is _Checker._REQUIRED:
                self.fail(column, "is required but blank", raw)
                return None
            return default
        try:
            value = float(raw)
        except ValueError:
            self.fail(column, "must be a number", raw)
            return None
        if not math.isfinite(value):
            self.fail(column, "must be a finite number", raw)
            return None
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            low = "-inf" if lo is None else f"{lo:g}"
            high = "inf" if hi is None else f"{hi:g}"
            self.fail(column, f"must lie in [{low}, {high}]", raw)
            return None
        return value
