"""Whole-file checks of a scenario, reported together with the schema's own errors.

The checks run on the raw data (not on a parsed :class:`Scenario`) so that they still run
when the schema found other problems: a user fixing a file sees every problem at once.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator
from typing import Any

from realpolitik.errors import Problem
from realpolitik.scenario.yamlio import LineMap, PathKey, format_path, line_of


def _num(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, int | float):
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _items(data: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    seq = data.get(key)
    if not isinstance(seq, list):
        return []
    return [(i, x) for i, x in enumerate(seq) if isinstance(x, dict)]


def _value_parts(v: Any) -> tuple[float | None, float | None, float | None, Any]:
    """(point, low, high, source) of a bare number or an uncertain value mapping."""
    if isinstance(v, dict):
        dist = v.get("distribution")
        lo = hi = None
        if isinstance(dist, dict):
            lo, hi = _num(dist.get("low")), _num(dist.get("high"))
        return _num(v.get("value")), lo, hi, v.get("source")
    return _num(v), None, None, None


class Checker:
    """Collects the whole-file problems of one scenario document.

    Section checkers (dynamics, deal, ...) receive the checker and call :meth:`add` with a
    path into the raw data; ``builtin`` says whether every input must carry a source.
    """

    def __init__(self, data: dict[str, Any], lines: LineMap, file: str, builtin: bool):
        self.data, self.lines, self.file, self.builtin = data, lines, file, builtin
        self.problems: list[Problem] = []
        self.source_ids: set[str] = {
            x["id"] for _, x in _items(data, "sources") if isinstance(x.get("id"), str)
        }

    def check_source(self, path: PathKey, v: Any) -> None:
        """Check the source of an input value at ``path``: known id; required when built in."""
        _, _, _, src = _value_parts(v)
        if isinstance(src, dict):
            sid = src.get("id")
            if isinstance(sid, str) and sid not in self.source_ids:
                known = ", ".join(sorted(self.source_ids)) or "none declared"
                self.add((*path, "source", "id"), f"unknown source id; sources are: {known}", sid)
        elif self.builtin:
            self.add(path, "every input of a built-in scenario needs a source "
                           "(source: {id: ..., at: ...}) and a note", show=False)

    def add(self, path: PathKey, message: str, value: Any = None, *, show: bool = True) -> None:
        self.problems.append(
            Problem(
                self.file,
                line_of(self.lines, path),
                format_path(path, self.data),
                message,
                value,
                has_value=show,
            )
        )

    # -- helpers --------------------------------------------------------------------
    def ids(self, key: str) -> set[str]:
        seen: dict[str, int] = {}
        for i, item in _items(self.data, key):
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            if ident in seen:
                self.add(
                    (key, i, "id"),
                    f"duplicate id: {key}[{seen[ident]}] already uses it; ids must be unique",
                    ident,
                )
            else:
                seen[ident] = i
        return set(seen)

    def check_range(
        self, path: PathKey, v: Any, lo: float | None, hi: float | None, what: str
    ) -> None:
        point, dlo, dhi, _ = _value_parts(v)
        for part, x in (("value", point), ("distribution.low", dlo), ("distribution.high", dhi)):
            if x is None:
                continue
            if (lo is not None and x < lo) or (hi is not None and x > hi):
                sub = () if not isinstance(v, dict) else tuple(part.split("."))
                allowed = f"lie in [{lo:g}, {hi:g}]" if hi is not None else f"be >= {lo:g}"
                self.add((*path, *sub), f"{what} must {allowed}", x)

    def inputs(self) -> Iterator[tuple[PathKey, Any]]:
        """Every numeric input of the scenario with its path."""
        for i, issue in _items(self.data, "issues"):
            if "status_quo" in issue:
                yield ("issues", i, "status_quo"), issue["status_quo"]
        for i, actor in _items(self.data, "actors"):
            if "capability" in actor:
                yield ("actors", i, "capability"), actor["capability"]
            for group in ("positions", "salience", "private_positions"):
                table = actor.get(group)
                if isinstance(table, dict):
                    for k, v in table.items():
                        yield ("actors", i, group, k), v
        for i, rel in _items(self.data, "relations"):
            if "weight" in rel:
                yield ("relations", i, "weight"), rel["weight"]

    # -- the checks -----------------------------------------------------------------
    def run(self) -> list[Problem]:
        d = self.data
        self.ids("sources")
        issue_ids = self.ids("issues")
        actor_ids = self.ids("actors")
        scales: dict[str, tuple[float, float]] = {}
        for i, issue in _items(d, "issues"):
            sc = issue.get("scale")
            if isinstance(sc, list) and len(sc) == 2:
                lo, hi = _num(sc[0]), _num(sc[1])
                if lo is not None and hi is not None and lo < hi:
                    scales[str(issue.get("id"))] = (lo, hi)
                    self.check_range(("issues", i, "status_quo"), issue.get("status_quo"), lo, hi,
                                     "the status quo")
                    for j, anchor in enumerate(issue.get("anchors") or []):
                        if isinstance(anchor, dict):
                            self.check_range(("issues", i, "anchors", j, "value"),
                                             anchor.get("value"), lo, hi, "an anchor")
                    for j, band in enumerate(issue.get("bands") or []):
                        if isinstance(band, dict):
                            for end in ("low", "high"):
                                self.check_range(("issues", i, "bands", j, end), band.get(end),
                                                 lo, hi, "a band's end")
        for i, actor in _items(d, "actors"):
            self.check_range(("actors", i, "capability"), actor.get("capability"), 0.0, None,
                             "capability")
            for group in ("positions", "salience", "private_positions"):
                table = actor.get(group)
                if table is None:
                    continue
                if not isinstance(table, dict):
                    continue  # the schema reports the type
                for key, v in table.items():
                    path = ("actors", i, group, key)
                    if key not in issue_ids:
                        if not issue_ids:
                            continue  # no issues at all: reported once, not per entry
                        known = ", ".join(sorted(issue_ids)) or "none"
                        self.add(path, f"unknown issue id {key!r}; issues are: {known}", show=False)
                        continue
                    if group == "salience":
                        self.check_range(path, v, 0.0, 1.0, "salience")
                    elif key in scales:
                        lo, hi = scales[key]
                        self.check_range(path, v, lo, hi, f"a position on {key!r}")
            for group in ("positions", "salience"):
                table = actor.get(group)
                if isinstance(table, dict) and issue_ids:
                    for missing in sorted(issue_ids - set(table)):
                        self.add(("actors", i, group),
                                 f"no entry for issue {missing!r}: every actor needs a "
                                 f"{'position' if group == 'positions' else 'salience'} on every issue",
                                 show=False)
        for i, rel in _items(d, "relations"):
            for end in ("from", "to"):
                who = rel.get(end)
                if isinstance(who, str) and who not in actor_ids:
                    known = ", ".join(sorted(actor_ids)) or "none"
                    self.add(("relations", i, end), f"unknown actor id; actors are: {known}", who)
            if rel.get("from") is not None and rel.get("from") == rel.get("to"):
                self.add(("relations", i), "an actor cannot relate to itself", rel.get("from"))
            self.check_range(("relations", i, "weight"), rel.get("weight"), 0.0, 1.0,
                             "a relation's weight")
        for path, v in self.inputs():
            self.check_source(path, v)
        for i, event in _items(d, "timeline"):
            self.check_source(("timeline", i), {"source": event.get("source")})
        for extra_check in section_checks():
            extra_check(self)
        as_of = d.get("as_of")
        if isinstance(as_of, str):
            try:
                as_of = dt.date.fromisoformat(as_of)
            except ValueError:
                as_of = None
        if isinstance(as_of, dt.date):
            for i, event in _items(d, "timeline"):
                date = event.get("date")
                if isinstance(date, dt.date) and date > as_of:
                    self.add(("timeline", i, "date"),
                             f"is after the scenario's as_of date {as_of.isoformat()}",
                             date.isoformat())
            for i, src in _items(d, "sources"):
                date = src.get("date")
                if isinstance(date, str):
                    try:
                        date = dt.date.fromisoformat(date)
                    except ValueError:
                        continue
                if isinstance(date, dt.date) and date > as_of:
                    self.add(("sources", i, "date"),
                             f"is after the scenario's as_of date {as_of.isoformat()}: inputs may "
                             "only use what was known then", date.isoformat())
        return self.problems


def section_checks() -> list[Callable[[Checker], None]]:
    """Whole-file checks of the optional scenario sections (each module adds its own here)."""
    from realpolitik.scenario.sections.correlations import check as check_correlations
    from realpolitik.scenario.sections.deal import check as check_deal
    from realpolitik.scenario.sections.dynamics import check as check_dynamics

    return [check_correlations, check_dynamics, check_deal]


def check_document(data: Any, lines: LineMap, file: str, *, builtin: bool = False) -> list[Problem]:
    """All whole-file problems of a scenario document (raw data from :mod:`yamlio`)."""
    if not isinstance(data, dict):
        return []  # the schema reports the wrong top-level type
    return Checker(data, lines, file, builtin).run()
