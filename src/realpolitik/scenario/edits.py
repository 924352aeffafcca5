"""Analysts' changes of a scenario's inputs: positions, saliences and capabilities.

Edits act on the scenario's *data* (the mapping read from its file), never on the file: a
built-in scenario on disk is never changed. An edited value keeps its distribution, moved with
the point value (its width kept, clipped to the allowed range), and its note records the change,
so a downloaded scenario says which numbers were not the analyst's sourced ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import yaml

from realpolitik.errors import Problem, ScenarioError
from realpolitik.scenario.loader import parse_scenario
from realpolitik.scenario.schema import Scenario

EditField = Literal["position", "salience", "capability"]
_KEYS = {"position": "positions", "salience": "salience", "capability": "capability"}


@dataclass(frozen=True)
class Edit:
    """Set one input of one actor: ``position``/``salience`` on an issue, or ``capability``."""

    actor: str
    field: EditField
    value: float
    issue: str | None = None


def plain_copy(data: Any) -> Any:
    """A deep copy of plain YAML data in which no two places share an object (aliases undone)."""
    if isinstance(data, dict):
        return {k: plain_copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [plain_copy(v) for v in data]
    return data


def _range(data: dict[str, Any], edit: Edit) -> tuple[float, float]:
    """Allowed range of an edited value."""
    if edit.field == "salience":
        return 0.0, 1.0
    if edit.field == "capability":
        return 0.0, math.inf
    for issue in data.get("issues") or []:
        if isinstance(issue, dict) and issue.get("id") == edit.issue:
            scale = issue.get("scale")
            if isinstance(scale, list) and len(scale) == 2:
                return float(scale[0]), float(scale[1])
    return -math.inf, math.inf


def _set_value(old: Any, new: float, lo: float, hi: float) -> Any:
    """The edited value: a bare number stays bare, a mapping keeps its distribution, moved."""
    if not isinstance(old, dict):
        return new
    out = dict(old)
    try:
        previous = float(old.get("value"))
    except (TypeError, ValueError):
        previous = new
    out["value"] = new
    dist = old.get("distribution")
    if isinstance(dist, dict):
        d = dict(dist)
        delta = new - previous
        for key in ("low", "high", "mode"):
            if isinstance(d.get(key), int | float) and not isinstance(d.get(key), bool):
                d[key] = min(max(float(d[key]) + delta, lo), hi)
        low, high = d.get("low"), d.get("high")
        if (isinstance(low, float) and isinstance(high, float)
                and low < high and low <= new <= high):
            if isinstance(d.get("mode"), float):
                d["mode"] = min(max(d["mode"], low), high)
            out["distribution"] = d
        else:
            out.pop("distribution", None)
    note = old.get("note")
    change = f"edited in realpolitik from {previous:g} to {new:g}"
    out["note"] = f"{note} ({change})" if note else change
    return out


def apply_edits(data: dict[str, Any], edits: Sequence[Edit], file: str = "<edits>") -> dict[str, Any]:
    """A copy of scenario ``data`` with ``edits`` applied; unknown actors or issues are problems."""
    out = plain_copy(data)
    problems: list[Problem] = []
    actors = {a.get("id"): a for a in out.get("actors") or [] if isinstance(a, dict)}
    issues = {i.get("id") for i in out.get("issues") or [] if isinstance(i, dict)}
    for k, edit in enumerate(edits):
        where = f"edits[{k}]"
        actor = actors.get(edit.actor)
        if actor is None:
            problems.append(Problem(file, None, f"{where}.actor", "no actor with this id; actors "
                                    f"are {', '.join(map(str, actors))}", edit.actor, True))
            continue
        if not math.isfinite(edit.value):
            problems.append(Problem(file, None, f"{where}.value", "must be a finite number",
                                    edit.value, True))
            continue
        lo, hi = _range(out, edit)
        if edit.field == "capability":
            actor["capability"] = _set_value(actor.get("capability"), edit.value, lo, hi)
            continue
        if edit.issue not in issues:
            problems.append(Problem(file, None, f"{where}.issue", "no issue with this id; issues "
                                    f"are {', '.join(map(str, issues))}", edit.issue, True))
            continue
        table = actor.setdefault(_KEYS[edit.field], {})
        if not isinstance(table, dict):
            problems.append(Problem(file, None, f"{where}.field",
                                    f"the actor's {_KEYS[edit.field]} is not a mapping"))
            continue
        table[edit.issue] = _set_value(table.get(edit.issue), edit.value, lo, hi)
    if problems:
        raise ScenarioError(problems)
    return out


def dump_yaml(data: dict[str, Any]) -> str:
    """Scenario data as YAML text (keys in their order; plain types only)."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def scenario_from_data(data: dict[str, Any], file: str = "<edited scenario>") -> Scenario:
    """Validate scenario data (as after edits) into a :class:`Scenario`; every problem listed."""
    return parse_scenario(dump_yaml(data), file)
