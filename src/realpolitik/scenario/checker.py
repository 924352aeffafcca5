"""The collector of a scenario's whole-file problems, and helpers to read raw data.

Whole-file checks run on the raw data (the mapping read from a file, not a parsed
:class:`~realpolitik.scenario.schema.Scenario`) so that they still run when the schema found
other problems: a user fixing a file sees every problem at once.
:mod:`realpolitik.scenario.validate` runs the checks of the core format and then each section's ``check`` function
(:mod:`realpolitik.scenario.sections`); all of them report through one :class:`Checker`.

This module imports nothing of the scenario's sections, so every section can import it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from realpolitik.errors import Problem
from realpolitik.scenario.yamlio import LineMap, PathKey, format_path, line_of


def number(x: Any) -> float | None:
    """``x`` as a finite float if it is an int or a float (not a bool), else None."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        return None
    try:
        x = float(x)
    except OverflowError:  # an integer of hundreds of digits: the schema reports it
        return None
    return x if math.isfinite(x) else None


def point(v: Any) -> float | None:
    """The point value of a bare number or of an uncertain value mapping (None if not a number)."""
    return number(v.get("value")) if isinstance(v, dict) else number(v)


def items(data: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    """(index, entry) of the mappings in the list ``data[key]`` (none if it is not a list)."""
    seq = data.get(key) if isinstance(data, dict) else None
    if not isinstance(seq, list):
        return []
    return [(i, x) for i, x in enumerate(seq) if isinstance(x, dict)]


def value_parts(v: Any) -> tuple[float | None, float | None, float | None, Any]:
    """(point, low, high, source) of a bare number or an uncertain value mapping."""
    if isinstance(v, dict):
        dist = v.get("distribution")
        lo = hi = None
        if isinstance(dist, dict):
            lo, hi = number(dist.get("low")), number(dist.get("high"))
        return number(v.get("value")), lo, hi, v.get("source")
    return number(v), None, None, None


def _experts(v: Any) -> list[tuple[int, dict[str, Any]]]:
    """(index, estimate) of the expert estimates of an uncertain value mapping (none if absent)."""
    seq = v.get("experts") if isinstance(v, dict) else None
    if not isinstance(seq, list):
        return []
    return [(j, e) for j, e in enumerate(seq) if isinstance(e, dict)]


class Checker:
    """Collects the whole-file problems of one scenario document.

    Checks receive the checker and call :meth:`add` with a path into the raw data;
    ``builtin`` says whether every input must carry a source.
    """

    def __init__(self, data: dict[str, Any], lines: LineMap, file: str, builtin: bool):
        self.data, self.lines, self.file, self.builtin = data, lines, file, builtin
        self.problems: list[Problem] = []
        self.source_ids: set[str] = {
            x["id"] for _, x in items(data, "sources") if isinstance(x.get("id"), str)
        }

    def check_source(self, path: PathKey, v: Any) -> None:
        """Check the source of an input value at ``path``: known id; required when built in."""
        _, _, _, src = value_parts(v)
        experts = _experts(v)
        for j, expert in experts:
            esrc = expert.get("source")
            sid = esrc.get("id") if isinstance(esrc, dict) else None
            if isinstance(sid, str) and sid not in self.source_ids:
                known = ", ".join(sorted(self.source_ids)) or "none declared"
                self.add((*path, "experts", j, "source", "id"),
                         f"unknown source id; sources are: {known}", sid)
        if experts and src is None:
            return  # each expert is the input's source (the schema requires theirs)
        if isinstance(src, dict):
            sid = src.get("id")
            if isinstance(sid, str) and sid not in self.source_ids:
                known = ", ".join(sorted(self.source_ids)) or "none declared"
                self.add((*path, "source", "id"), f"unknown source id; sources are: {known}", sid)
        elif self.builtin:
            self.add(path, "every input of a built-in scenario needs a source "
                           "(source: {id: ..., at: ...}) and a note", show=False)

    def add(self, path: PathKey, message: str, value: Any = None, *, show: bool = True) -> None:
        """Report a problem at ``path``; ``show`` says whether the message quotes ``value``."""
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
        """The ids of the entries of the top-level list ``key``; duplicates are reported."""
        seen: dict[str, int] = {}
        for i, item in items(self.data, key):
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
        """Point value and distribution bounds of ``v`` inside [lo, hi] (None: unbounded)."""
        pt, dlo, dhi, _ = value_parts(v)
        for part, x in (("value", pt), ("distribution.low", dlo), ("distribution.high", dhi)):
            if x is None:
                continue
            if (lo is not None and x < lo) or (hi is not None and x > hi):
                sub = () if not isinstance(v, dict) else tuple(part.split("."))
                allowed = f"lie in [{lo:g}, {hi:g}]" if hi is not None else f"be >= {lo:g}"
                self.add((*path, *sub), f"{what} must {allowed}", x)
        for j, expert in _experts(v):
            self.check_range((*path, "experts", j), expert, lo, hi, f"an expert's estimate of {what}")

    def inputs(self) -> Iterator[tuple[PathKey, Any]]:
        """Every numeric input of the scenario with its path."""
        for i, issue in items(self.data, "issues"):
            if "status_quo" in issue:
                yield ("issues", i, "status_quo"), issue["status_quo"]
        for i, actor in items(self.data, "actors"):
            if "capability" in actor:
                yield ("actors", i, "capability"), actor["capability"]
            for group in ("positions", "salience", "private_positions"):
                table = actor.get(group)
                if isinstance(table, dict):
                    for k, v in table.items():
                        yield ("actors", i, group, k), v
        for i, rel in items(self.data, "relations"):
            if "weight" in rel:
                yield ("relations", i, "weight"), rel["weight"]
