"""Names in words for what a person reads: actors, issues, inputs, table columns, values.

One labelling function per kind of thing, used by the report, the dashboard and the CLI (JSON
keeps the ids and adds these labels):

- :func:`actor_label` - "the PMF", "the U.S. government", "Iran";
- :func:`issue_label` - the issue's name;
- :func:`input_label` - an input path in words: ``actors.pmf.positions.us_presence`` is
  "the PMF's position on U.S. military presence in Iraq";
- :func:`column_label` - an internal column code in words (``low_value``: "input at 5 %");
- :func:`value_label` - a coded value in words (``advise_assist``: "advise assist").
"""

from __future__ import annotations

import re

from realpolitik.scenario.schema import Scenario

_ACRONYM = re.compile(r"^[A-Z][A-Z.\-]{1,7}$")
_TITLES = {"Prime", "President", "King", "Minister", "General", "Ayatollah", "Sheikh"}

#: Internal column codes of the subsystems' tables, in words.
COLUMN_LABELS: dict[str, str] = {
    "input": "input",
    "point": "point value",
    "low_value": "input at its 5% value",
    "high_value": "input at its 95% value",
    "forecast_low": "forecast with the input at 5%",
    "forecast_high": "forecast with the input at 95%",
    "swing": "swing",
    "base": "forecast at the point values",
    "S1": "share of variance alone (S1)",
    "S1_conf": "± (S1)",
    "ST": "share with interactions (ST)",
    "ST_conf": "± (ST)",
    "actor": "actor",
    "weight_share": "weight share",
    "shapley_shubik": "Shapley-Shubik power",
    "banzhaf": "Banzhaf power",
    "change": "change of the forecast",
    "mean_round": "mean round of agreement",
    "rank": "rank",
    "probability": "probability",
    "low": "95% interval from",
    "high": "95% interval to",
    "count": "samples",
    "outcome": "outcome",
    "issue": "issue",
    "unit": "unit",
    "mean": "mean",
    "median": "median",
    "q05": "5%",
    "q95": "95%",
    "p05": "5%",
    "p25": "25%",
    "p50": "median",
    "p75": "75%",
    "p95": "95%",
    "status_quo": "status quo",
    "forecast": "forecast",
    "concept": "solution concept",
}

_UTILITY = re.compile(r"^u\[(?P<who>[^\]]+)\]$")
_CHANGE = re.compile(r"^change without \((?P<model>[^)]+)\)$")


def actor_label(scenario: Scenario | None, actor: str) -> str:
    """A short name of an actor for a sentence: "the PMF", "the U.S. government", "Iran"."""
    name = actor
    if scenario is not None:
        found = [a for a in scenario.actors if a.id == actor]
        if found:
            name = found[0].name
        else:
            return value_label(actor)
    m = re.match(r"^(?P<head>.+?)\s*\((?P<inner>[^)]*)\)\s*$", name)
    if m:
        inner = m["inner"].strip()
        if _ACRONYM.match(inner):
            return f"the {inner}"
        name = m["head"].strip()
    words = name.split()
    titled = words[0] in _TITLES
    if len(words) > 1 and not titled and any(w[:1].islower() for w in words[1:]):
        return f"the {name}"
    return name


def issue_label(scenario: Scenario | None, issue: str) -> str:
    """The issue's name (its id with spaces when the scenario does not know it)."""
    if scenario is not None:
        for i in scenario.issues:
            if i.id == issue:
                return i.name
    return value_label(issue)


def _possessive(who: str) -> str:
    return who + ("'" if who.endswith("s") else "'s")


def input_label(scenario: Scenario | None, path: str) -> str:
    """An input path in words; a group of the Sobol indices ("actor pmf") as the actor's inputs."""
    parts = path.split(".")
    if parts[0] == "actors" and len(parts) >= 3:
        who = _possessive(actor_label(scenario, parts[1]))
        if parts[2] == "capability":
            return f"{who} capability"
        what = {"positions": "position", "private_positions": "private position",
                "salience": "salience"}.get(parts[2], parts[2].replace("_", " "))
        on = issue_label(scenario, parts[3]) if len(parts) > 3 else ""
        return f"{who} {what} on {on}".strip()
    if parts[0] == "issues" and len(parts) >= 3:
        return f"the status quo of {issue_label(scenario, parts[1])}"
    if path.startswith("actor "):
        return f"{_possessive(actor_label(scenario, path[6:]))} inputs"
    if path.startswith("issue ") and path.endswith(" status quo"):
        return f"the status quo of {issue_label(scenario, path[6:-11])}"
    return path


def column_label(code: str, scenario: Scenario | None = None) -> str:
    """An internal column code in words (unknown codes: underscores become spaces)."""
    if code in COLUMN_LABELS:
        return COLUMN_LABELS[code]
    m = _UTILITY.match(code)
    if m:
        return f"utility of {actor_label(scenario, m['who'])}"
    m = _CHANGE.match(code)
    if m:
        return f"change of the forecast without the actor ({m['model']})"
    m = re.match(r"^P\((?P<band>.+)\)$", code)
    if m:
        return f"probability of {m['band']}"
    if scenario is not None and getattr(scenario, "deal", None) is not None:
        for di in scenario.deal.issues:
            if di.id == code:
                return di.name
    return value_label(code)


def value_label(value: object) -> str:
    """A coded value in words: ``advise_assist`` -> "advise assist"; other values unchanged."""
    if isinstance(value, str) and re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", value):
        return value.replace("_", " ")
    return "" if value is None else str(value)


def in_words(scenario: Scenario | None, text: str) -> str:
    """A message with the scenario's ids (input paths, actors, issues, variables) in words."""
    if scenario is None:
        return text
    names: dict[str, str] = {a.id: actor_label(scenario, a.id) for a in scenario.actors}
    names.update({i.id: i.name for i in scenario.issues})
    dyn = getattr(scenario, "dynamics", None)
    if dyn is not None:
        names.update({v.id: v.name for v in dyn.variables})
    text = re.sub(r"\b(?:actors|issues)\.[A-Za-z0-9_]+\.[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)?",
                  lambda m: input_label(scenario, m.group(0)), text)
    if not names:
        return text
    pattern = r"(?<![\w.\[])(" + "|".join(re.escape(k) for k in
                                         sorted(names, key=len, reverse=True)) + r")(?![\w\]])"
    return re.sub(pattern, lambda m: names[m.group(1)], text)
