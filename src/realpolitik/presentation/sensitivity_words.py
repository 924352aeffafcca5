"""The sensitivity analysis in the analyst's words: inputs by name, shares, what drives an issue.

Sobol indices come out of the library keyed by input paths (``actors.pmf.positions.us_presence``)
with estimates that sampling noise can push below zero. Here they become "position of the PMF",
"45% (37-53%)" and "~0 (-5 to 2%)", and two sentences per issue say what drives its forecast.
"""

from __future__ import annotations

import math
from typing import Any

from realpolitik.scenario.schema import Scenario

#: The legend printed under the sensitivity tables.
LEGEND = (
    "How to read this. Total effect: the share of the forecast's uncertainty (its variance) that "
    "an input takes part in, alone or together with other inputs. Alone: the share it causes by "
    "itself (the first-order effect). Brackets hold the 95% interval of the estimate. '~0': the "
    "estimate is at or below zero, which a share cannot be; the noise of sampling put it there, "
    "and its interval says how large it could still be. An input with a total effect near 0 can "
    "be fixed at its best estimate without narrowing the forecast. Swing: how far the forecast "
    "moves when only this input goes from its low (5%) to its high (95%) value; a swing of 0 "
    "next to a total effect above 0 means the input matters only together with others."
)


def _names(scenario: Scenario) -> tuple[dict[str, str], dict[str, str]]:
    return ({a.id: a.name for a in scenario.actors}, {i.id: i.name for i in scenario.issues})


def input_label(path: str, scenario: Scenario, issue: str | None = None) -> str:
    """An input path (or an actor group) in words, e.g. "position of <actor name>".

    A position or salience on ``issue`` (the table's) leaves the issue out; on another issue, it
    is named. Unknown paths come back as they are.
    """
    actors, issues = _names(scenario)
    parts = path.split(".")
    if path.startswith("actor ") and path[6:] in actors:  # --by actor groups
        return f"all inputs of {actors[path[6:]]}"
    if path.startswith("issue ") and path.endswith(" status quo"):
        iid = path[6:-11]
        return f"status quo of {issues.get(iid, iid)}"
    if len(parts) == 3 and parts[0] == "issues" and parts[2] == "status_quo":
        return "status quo" if parts[1] == issue else f"status quo of {issues.get(parts[1], parts[1])}"
    if len(parts) >= 3 and parts[0] == "actors" and parts[1] in actors:
        who = actors[parts[1]]
        if parts[2] == "capability":
            return f"capability of {who}"
        what = {"positions": "position", "private_positions": "private position",
                "salience": "salience"}.get(parts[2])
        if what and len(parts) == 4:
            on = "" if parts[3] == issue else f" on {issues.get(parts[3], parts[3])}"
            return f"{what} of {who}{on}"
    return path


def share(value: float, conf: float) -> str:
    """An index as a percentage with its 95% interval; estimates <= 0 read as "~0"."""
    if not math.isfinite(value):
        return "-"
    lo, hi = value - conf, value + conf
    if value <= 0.005:
        return f"~0 ({lo * 100:.0f} to {hi * 100:.0f}%)"
    return f"{value * 100:.0f}% ({max(lo, 0.0) * 100:.0f}-{hi * 100:.0f}%)"


def drivers_words(frame: Any, scenario: Scenario, issue: str, k: int = 3) -> str:
    """Two sentences on what drives ``issue``'s forecast (``frame``: the Sobol table)."""
    name = {i.id: i.name for i in scenario.issues}[issue]
    sub = frame[frame["issue"] == issue].sort_values("ST", ascending=False)
    top = [r for r in sub.head(k).to_dict("records") if r["ST"] > 0.005]
    if not top:
        return (f"Nothing moves the forecast on {name}: no input's total effect is above zero. "
                "Its uncertain inputs could all be fixed at their best estimates.")
    listed = [f"the {input_label(r['input'], scenario, issue)} ({r['ST'] * 100:.0f}%)"
              for r in top]
    joined = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]
    first = top[0]
    alone = max(0.0, float(first["S1"]))
    together = max(0.0, 1.0 - float(sub["S1"].clip(lower=0).sum()))
    second = (f"Alone, the {input_label(first['input'], scenario, issue)} accounts for about "
              f"{alone * 100:.0f}% of it")
    if math.isfinite(together) and together >= 0.05:
        second += (f"; about {together * 100:.0f}% comes from inputs acting together (moving the "
                   "forecast only in combination)")
    elif math.isfinite(together):
        second += "; the inputs act mostly one at a time, not in combination"
    return (f"On {name}, the forecast's uncertainty comes mostly from {joined}. " + second + ".")
