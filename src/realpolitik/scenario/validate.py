"""Whole-file checks of a scenario, reported together with the schema's own errors.

The checks run on the raw data (not on a parsed :class:`Scenario`) so that they still run
when the schema found other problems: a user fixing a file sees every problem at once. The
core format is checked here; each optional section (:mod:`realpolitik.scenario.sections`)
brings its own ``check``, run after the core checks through the same
:class:`~realpolitik.scenario.checker.Checker`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from realpolitik.errors import Problem
from realpolitik.scenario.checker import Checker, items, number
from realpolitik.scenario.sections.correlations import check as check_correlations
from realpolitik.scenario.sections.deal import check as check_deal
from realpolitik.scenario.sections.decision import check as check_decision
from realpolitik.scenario.sections.dynamics import check as check_dynamics
from realpolitik.scenario.yamlio import LineMap

__all__ = ["SECTION_CHECKS", "Checker", "check_document", "run_checks"]

#: Whole-file checks of the optional sections, in the order they run (a new section adds its own).
SECTION_CHECKS: tuple[Callable[[Checker], None], ...] = (
    check_correlations,
    check_dynamics,
    check_deal,
    check_decision,
)

Scales = dict[str, tuple[float, float]]


def _check_issues(checker: Checker) -> Scales:
    """Status quo, anchors and band ends inside each issue's scale; the usable scales by id."""
    scales: Scales = {}
    for i, issue in items(checker.data, "issues"):
        sc = issue.get("scale")
        if not (isinstance(sc, list) and len(sc) == 2):
            continue
        lo, hi = number(sc[0]), number(sc[1])
        if lo is None or hi is None or not lo < hi:
            continue
        scales[str(issue.get("id"))] = (lo, hi)
        checker.check_range(("issues", i, "status_quo"), issue.get("status_quo"), lo, hi,
                            "the status quo")
        for j, anchor in enumerate(issue.get("anchors") or []):
            if isinstance(anchor, dict):
                checker.check_range(("issues", i, "anchors", j, "value"),
                                    anchor.get("value"), lo, hi, "an anchor")
        for j, band in enumerate(issue.get("bands") or []):
            if isinstance(band, dict):
                for end in ("low", "high"):
                    checker.check_range(("issues", i, "bands", j, end), band.get(end),
                                        lo, hi, "a band's end")
    return scales


def _check_actor_table(checker: Checker, i: int, group: str, table: dict[str, Any],
                       issue_ids: set[str], scales: Scales) -> None:
    """One actor's positions, saliences or private positions: known issues, values in range."""
    for key, v in table.items():
        path = ("actors", i, group, key)
        if key not in issue_ids:
            if not issue_ids:
                continue  # no issues at all: reported once, not per entry
            known = ", ".join(sorted(issue_ids)) or "none"
            checker.add(path, f"unknown issue id {key!r}; issues are: {known}", show=False)
            continue
        if group == "salience":
            checker.check_range(path, v, 0.0, 1.0, "salience")
        elif key in scales:
            lo, hi = scales[key]
            checker.check_range(path, v, lo, hi, f"a position on {key!r}")


def _check_actors(checker: Checker, issue_ids: set[str], scales: Scales) -> None:
    """Capabilities, the per-issue tables of every actor, and no issue left out."""
    for i, actor in items(checker.data, "actors"):
        checker.check_range(("actors", i, "capability"), actor.get("capability"), 0.0, None,
                            "capability")
        for group in ("positions", "salience", "private_positions"):
            table = actor.get(group)
            if isinstance(table, dict):  # anything else: the schema reports the type
                _check_actor_table(checker, i, group, table, issue_ids, scales)
        for group in ("positions", "salience"):
            table = actor.get(group)
            if isinstance(table, dict) and issue_ids:
                for missing in sorted(issue_ids - set(table)):
                    checker.add(("actors", i, group),
                                f"no entry for issue {missing!r}: every actor needs a "
                                f"{'position' if group == 'positions' else 'salience'} on every "
                                "issue", show=False)


def _check_relations(checker: Checker, actor_ids: set[str]) -> None:
    """Known actors at both ends, no actor related to itself, weights in [0, 1]."""
    for i, rel in items(checker.data, "relations"):
        for end in ("from", "to"):
            who = rel.get(end)
            if isinstance(who, str) and who not in actor_ids:
                known = ", ".join(sorted(actor_ids)) or "none"
                checker.add(("relations", i, end), f"unknown actor id; actors are: {known}", who)
        if rel.get("from") is not None and rel.get("from") == rel.get("to"):
            checker.add(("relations", i), "an actor cannot relate to itself", rel.get("from"))
        checker.check_range(("relations", i, "weight"), rel.get("weight"), 0.0, 1.0,
                            "a relation's weight")


def _check_sources(checker: Checker) -> None:
    """The source of every input and of every timeline event."""
    for path, v in checker.inputs():
        checker.check_source(path, v)
    for i, event in items(checker.data, "timeline"):
        checker.check_source(("timeline", i), {"source": event.get("source")})


def _date(x: Any) -> dt.date | None:
    """A date (a YAML date, the day of a YAML timestamp, or an ISO date string); None otherwise."""
    if isinstance(x, str):
        try:
            return dt.date.fromisoformat(x)
        except ValueError:
            return None
    if isinstance(x, dt.datetime):
        return x.date()
    return x if isinstance(x, dt.date) else None


def _check_dates(checker: Checker) -> None:
    """No timeline event and no source dated after the scenario's ``as_of`` date."""
    as_of = _date(checker.data.get("as_of"))
    if as_of is None:
        return
    for i, event in items(checker.data, "timeline"):
        date = _date(event.get("date"))
        if date is not None and date > as_of:
            checker.add(("timeline", i, "date"),
                        f"is after the scenario's as_of date {as_of.isoformat()}",
                        date.isoformat())
    for i, src in items(checker.data, "sources"):
        date = _date(src.get("date"))
        if date is not None and date > as_of:
            checker.add(("sources", i, "date"),
                        f"is after the scenario's as_of date {as_of.isoformat()}: inputs may "
                        "only use what was known then", date.isoformat())


def _check_panels(checker: Checker) -> None:
    """Expert panels only where they are read: the core inputs, not the optional sections."""
    core = {"id", "title", "as_of", "description", "sources", "issues", "actors", "relations",
            "timeline"}

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        if isinstance(node, dict):
            if node.get("experts") and "value" in node:  # a dumped document holds experts: None
                checker.add((*path, "experts"), "expert panels are read for the core inputs "
                            "(status quos, capabilities, positions, saliences, relation weights) "
                            "only; give this input a distribution instead", show=False)
            for key, child in node.items():
                walk(child, (*path, key))
        elif isinstance(node, list):
            for k, child in enumerate(node):
                walk(child, (*path, k))

    for key, section in checker.data.items():
        if key not in core:
            walk(section, (key,))


def run_checks(checker: Checker) -> list[Problem]:
    """Every whole-file check, core format first, then the sections; the problems in order."""
    checker.ids("sources")
    issue_ids = checker.ids("issues")
    actor_ids = checker.ids("actors")
    scales = _check_issues(checker)
    _check_actors(checker, issue_ids, scales)
    _check_relations(checker, actor_ids)
    _check_sources(checker)
    _check_panels(checker)
    for section_check in SECTION_CHECKS:
        section_check(checker)
    _check_dates(checker)
    return checker.problems


def check_document(data: Any, lines: LineMap, file: str, *, builtin: bool = False) -> list[Problem]:
    """All whole-file problems of a scenario document (raw data from :mod:`yamlio`)."""
    if not isinstance(data, dict):
        return []  # the schema reports the wrong top-level type
    return run_checks(Checker(data, lines, file, builtin))
