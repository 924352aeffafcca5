"""Whole-file checks of the scenario's ``deal`` section (see :mod:`.deal` for its models).

Parties among the actors, values inside each issue's domain, weights summing to one, the
package-to-scale mapping inside the scenario issue's scale and monotone along each deal issue's
values, beliefs and breakdown inputs in range, and sources in a built-in scenario. Every problem
is reported with file, line, field and value by :class:`~realpolitik.scenario.checker.Checker`.
"""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Any

from realpolitik.errors import ModelError
from realpolitik.models.registry import get_model
from realpolitik.scenario.checker import Checker, point
from realpolitik.scenario.sections.deal import MAX_OUTCOMES, WEIGHT_SUM_TOLERANCE, as_number
from realpolitik.scenario.yamlio import PathKey


# ----------------------------------------------------------------------------------------------
class _Domain:
    """What the checks need to know of one deal issue (from raw data)."""

    def __init__(self, raw: dict[str, Any]):
        values = raw.get("values")
        rng = raw.get("range")
        self.labels: list[str] | None = None
        self.range: tuple[float, float] | None = None
        if isinstance(values, list) and rng is None:
            self.labels = [v for v in values if isinstance(v, str)]
        elif values is None and isinstance(rng, list) and len(rng) == 2:
            lo, hi = as_number(rng[0]), as_number(rng[1])
            if lo is not None and hi is not None and lo < hi:
                self.range = (lo, hi)
        grid = raw.get("grid", 6)
        self.size = (len(self.labels) if self.labels is not None
                     else grid if isinstance(grid, int) and not isinstance(grid, bool) else None)

    @property
    def known(self) -> bool:
        return self.labels is not None or self.range is not None

    def allowed(self) -> str:
        if self.labels is not None:
            return "one of " + ", ".join(self.labels)
        assert self.range is not None
        return f"a number in [{self.range[0]:g}, {self.range[1]:g}]"

    def contains(self, value: Any) -> bool:
        if self.labels is not None:
            return isinstance(value, str) and value in self.labels
        if self.range is not None:
            x = as_number(value)
            return x is not None and self.range[0] <= x <= self.range[1]
        return True


def check_section(checker: Checker) -> None:
    """Whole-file checks of the ``deal`` section."""
    deal = checker.data.get("deal")
    if not isinstance(deal, dict):
        return  # absent, or the schema reports the wrong type
    actors = {a.get("id") for a in checker.data.get("actors") or [] if isinstance(a, dict)}
    actors.discard(None)
    parties = _check_parties(checker, deal, actors)
    domains = _check_issues(checker, deal)
    utilities = deal.get("utilities")
    if isinstance(utilities, dict):
        for party, table in utilities.items():
            path = ("deal", "utilities", party)
            if parties and party not in parties:
                checker.add(path, f"is not a party of the deal; parties are: {', '.join(parties)}",
                            show=False)
                continue
            if isinstance(table, dict):
                _check_utility(checker, path, table, domains)
        for party in parties:
            if party not in utilities:
                checker.add(("deal", "utilities"), f"no utility function for party {party!r}: "
                            "each party needs weights, values and no_agreement", show=False)
    domestic = deal.get("domestic")
    if isinstance(domestic, dict):
        _check_domestic(checker, domestic, parties, domains)
    scale = deal.get("scale")
    if isinstance(scale, dict):
        _check_scale(checker, scale, domains)
    _check_mapping_once(checker, deal)
    _check_beliefs(checker, deal.get("beliefs"), parties)
    _check_breakdown(checker, deal.get("breakdown"), parties)
    if "round_months" in deal:
        _check_value(checker, ("deal", "round_months"), deal["round_months"], 1e-9, None,
                     "the length of a round in months")


def _check_parties(checker: Checker, deal: dict[str, Any], actors: set[Any]) -> list[str]:
    parties = deal.get("parties")
    if not isinstance(parties, list):
        return []
    known = ", ".join(sorted(str(a) for a in actors)) or "none"
    good = []
    for k, party in enumerate(parties):
        if not isinstance(party, str):
            continue
        if party not in actors:
            checker.add(("deal", "parties", k), f"unknown actor id; actors are: {known}", party)
        else:
            good.append(party)
    if len(parties) == 2 and parties[0] == parties[1]:
        checker.add(("deal", "parties"), "the two parties must be different actors", parties[0])
    opener = deal.get("opener")
    if opener is not None and isinstance(opener, str) and opener not in parties:
        checker.add(("deal", "opener"), "must be one of the parties: "
                    + ", ".join(str(p) for p in parties), opener)
    return [p for p in parties if isinstance(p, str)]


def _check_issues(checker: Checker, deal: dict[str, Any]) -> dict[str, _Domain]:
    domains: dict[str, _Domain] = {}
    issues = deal.get("issues")
    if not isinstance(issues, list):
        return domains
    size = 1
    for k, raw in enumerate(issues):
        if not isinstance(raw, dict):
            continue
        ident = raw.get("id")
        if not isinstance(ident, str):
            continue
        if ident in domains:
            checker.add(("deal", "issues", k, "id"), "duplicate deal issue id; ids must be unique",
                        ident)
            continue
        domains[ident] = _Domain(raw)
        if domains[ident].size:
            size *= domains[ident].size
        checker.check_source(("deal", "issues", k), {"source": raw.get("source")})
    if size > MAX_OUTCOMES:
        checker.add(("deal", "issues"), f"the outcome space has {size:,} packages; at most "
                    f"{MAX_OUTCOMES:,} are allowed (use fewer values or a coarser grid)", show=False)
    return domains


def _check_value(checker: Checker, path: tuple[Any, ...], v: Any, lo: float | None,
                 hi: float | None, what: str) -> None:
    checker.check_range(path, v, lo, hi, what)
    checker.check_source(path, v)


def _check_value_map(checker: Checker, path: tuple[Any, ...], table: Any, domain: _Domain,
                     lo: float, hi: float, what: str, *, complete: bool) -> None:
    """Keys inside the issue's domain (all labels when ``complete``); values in [lo, hi]."""
    if not isinstance(table, dict):
        return
    if not table:
        checker.add(path, "needs at least one entry (a label or a point of the issue)", show=False)
    for key, v in table.items():
        if domain.known and not domain.contains(key):
            checker.add((*path, key), f"is not a value of the issue; allowed: {domain.allowed()}",
                        key)
            continue
        _check_value(checker, (*path, key), v, lo, hi, what)
    if complete and domain.labels is not None:
        missing = [label for label in domain.labels if label not in table]
        if missing:
            checker.add(path, "no entry for " + ", ".join(repr(m) for m in missing)
                        + ": a discrete issue needs a value for each of its values", show=False)


def _check_weights(checker: Checker, path: tuple[Any, ...], weights: Any,
                   keys: list[str], known: dict[str, Any], *, every: bool) -> None:
    if not isinstance(weights, dict):
        return
    total = 0.0
    for key, v in weights.items():
        if key not in known:
            checker.add((*path, key), "unknown deal issue id; issues are: "
                        + ", ".join(known), show=False)
            continue
        _check_value(checker, (*path, key), v, 0.0, 1.0, "a weight")
        total += point(v) or 0.0
    if every:
        for missing in [k for k in keys if k not in weights]:
            checker.add(path, f"no weight for issue {missing!r}: every issue needs one (0 if "
                        "the party does not care)", show=False)
    if weights and abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
        checker.add(path, f"the weights' point values must sum to 1 (within "
                    f"{WEIGHT_SUM_TOLERANCE:g}); they sum to {total:.4g}", show=False)


def _check_utility(checker: Checker, path: tuple[Any, ...], table: dict[str, Any],
                   domains: dict[str, _Domain]) -> None:
    keys = list(domains)
    _check_weights(checker, (*path, "weights"), table.get("weights"), keys, domains, every=True)
    values = table.get("values")
    if isinstance(values, dict):
        for key, vmap in values.items():
            if key not in domains:
                checker.add((*path, "values", key), "unknown deal issue id; issues are: "
                            + ", ".join(domains), show=False)
                continue
            _check_value_map(checker, (*path, "values", key), vmap, domains[key], 0.0, 1.0,
                             "a value", complete=True)
        for missing in [k for k in keys if k not in values]:
            checker.add((*path, "values"), f"no value function for issue {missing!r}",
                        show=False)
    nog = table.get("no_agreement")
    if isinstance(nog, dict):
        outcome = nog.get("outcome")
        if isinstance(outcome, dict):
            for key, value in outcome.items():
                where = (*path, "no_agreement", "outcome", key)
                if key not in domains:
                    checker.add(where, "unknown deal issue id; issues are: " + ", ".join(domains),
                                show=False)
                elif isinstance(value, bool):
                    checker.add(where, "YAML reads yes/no/on/off/true/false as booleans; write "
                                "the label in quotes", value)
                elif not domains[key].contains(value):
                    checker.add(where, f"is outside the issue's domain; allowed: "
                                f"{domains[key].allowed()}", value)
            for missing in [k for k in keys if k not in outcome]:
                checker.add((*path, "no_agreement", "outcome"),
                            f"no value for issue {missing!r}: the package must be complete",
                            show=False)
        if "cost" in nog:
            _check_value(checker, (*path, "no_agreement", "cost"), nog["cost"], 0.0, 1.0,
                         "a cost (utility units)")
        elif checker.builtin:
            checker.add((*path, "no_agreement"), "a built-in scenario states the cost of no "
                        "agreement explicitly (0 if none), with a source", show=False)


def _scenario_issue_scale(checker: Checker,
                          issue: Any) -> tuple[list[str], tuple[float, float] | None]:
    """The scenario's issue ids, and the scale of ``issue`` among them (None if unusable)."""
    scale: tuple[float, float] | None = None
    issue_ids = []
    for raw in checker.data.get("issues") or []:
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            issue_ids.append(raw["id"])
            sc = raw.get("scale")
            if raw["id"] == issue and isinstance(sc, list) and len(sc) == 2:
                lo, hi = as_number(sc[0]), as_number(sc[1])
                if lo is not None and hi is not None and lo < hi:
                    scale = (lo, hi)
    return issue_ids, scale


def _check_presence(checker: Checker, path: PathKey, presence: dict[str, Any],
                    domains: dict[str, _Domain], scale: tuple[float, float] | None,
                    issue: Any) -> None:
    """The presence maps: known deal issues, positions on the collective issue's scale.

    Their weights lie in [0, 1] and their point values sum to 1.
    """
    weights = {k: v.get("weight") for k, v in presence.items()
               if isinstance(v, dict) and "weight" in v}
    lo, hi = scale if scale else (-math.inf, math.inf)
    for key, entry in presence.items():
        if key not in domains:
            checker.add((*path, key), "unknown deal issue id; issues are: "
                        + ", ".join(domains), show=False)
            continue
        if isinstance(entry, dict):
            _check_value_map(checker, (*path, key, "scale"), entry.get("scale"), domains[key],
                             lo, hi, f"a position on {issue!r}", complete=True)
    total = 0.0
    for key, v in weights.items():
        if key in domains:
            _check_value(checker, (*path, key, "weight"), v, 0.0, 1.0, "a weight")
            total += point(v) or 0.0
    if weights and abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
        checker.add(path, f"the presence weights' point values must sum to 1 "
                    f"(within {WEIGHT_SUM_TOLERANCE:g}); they sum to {total:.4g}", show=False)


def _check_domestic(checker: Checker, domestic: dict[str, Any], parties: list[str],
                    domains: dict[str, _Domain]) -> None:
    """The domestic constraint: its party, its scenario issue, weights, presence maps, model."""
    path: PathKey = ("deal", "domestic")
    party = domestic.get("party")
    if isinstance(party, str) and parties and party not in parties:
        checker.add((*path, "party"), "must be one of the parties: " + ", ".join(parties), party)
    issue = domestic.get("issue")
    issue_ids, scale = _scenario_issue_scale(checker, issue)
    if isinstance(issue, str) and issue not in issue_ids:
        checker.add((*path, "issue"), "unknown scenario issue id; issues are: "
                    + ", ".join(issue_ids), issue)
    if "weight" in domestic:
        _check_value(checker, (*path, "weight"), domestic["weight"], 0.0, 1.0,
                     "the domestic weight")
    presence = domestic.get("presence")
    if isinstance(presence, dict):
        _check_presence(checker, (*path, "presence"), presence, domains, scale, issue)
        _check_monotone(checker, (*path, "presence"), presence, domains)
    model = domestic.get("model")
    if isinstance(model, str):
        try:
            get_model(model)
        except ModelError as exc:
            checker.add((*path, "model"), str(exc), show=False)


def _check_scale(checker: Checker, raw: dict[str, Any], domains: dict[str, _Domain]) -> None:
    """The package-to-scale mapping: a scenario issue, positions on its scale, monotone maps."""
    path: PathKey = ("deal", "scale")
    issue = raw.get("issue")
    issue_ids, scale = _scenario_issue_scale(checker, issue)
    if isinstance(issue, str) and issue not in issue_ids:
        checker.add((*path, "issue"), "unknown scenario issue id; issues are: "
                    + ", ".join(issue_ids), issue)
    checker.check_source(path, {"source": raw.get("source")})
    issues = raw.get("issues")
    if isinstance(issues, dict):
        _check_presence(checker, (*path, "issues"), issues, domains, scale, issue)
        _check_monotone(checker, (*path, "issues"), issues, domains)


def _ordered_positions(entry: Any, domain: _Domain) -> list[tuple[str, float]]:
    """The map's (key, point position) pairs in the order of the issue's values."""
    if not isinstance(entry, dict) or not isinstance(entry.get("scale"), dict):
        return []
    items = [(str(k), point(v)) for k, v in entry["scale"].items()]
    known = [(k, x) for k, x in items if x is not None and domain.contains(k)]
    if domain.labels is not None:
        return sorted(known, key=lambda kv: domain.labels.index(kv[0]))  # type: ignore[union-attr]
    return sorted(known, key=lambda kv: as_number(kv[0]) or 0.0)


def _check_monotone(checker: Checker, path: PathKey, maps: dict[str, Any],
                    domains: dict[str, _Domain]) -> None:
    """Each deal issue's positions rise or fall along its values (in the order declared).

    A package with more troops, or a later end, must not sit lower on the scale than one with
    fewer (or the other way round throughout): the scale is an ordering of presence.
    """
    for key, entry in maps.items():
        if key not in domains:
            continue
        pairs = _ordered_positions(entry, domains[key])
        steps = [b[1] - a[1] for a, b in pairwise(pairs)]
        signs = [(d > 0) - (d < 0) for d in steps]
        first = next((g for g in signs if g), 0)
        turn = next((i for i, g in enumerate(signs) if g == -first), None)
        if turn is not None:
            bad = pairs[turn + 1]
            order = ", ".join(f"{k}: {x:g}" for k, x in pairs)
            checker.add((*path, key, "scale", bad[0]), "the positions must rise or fall along "
                        f"the issue's values (in the order declared), but go up and down: {order}",
                        bad[1])


def _check_mapping_once(checker: Checker, deal: dict[str, Any]) -> None:
    """One mapping: ``scale`` or the older ``domestic.presence``, on the domestic issue."""
    domestic = deal.get("domestic")
    scale = deal.get("scale")
    if not isinstance(domestic, dict):
        return
    has_presence = isinstance(domestic.get("presence"), dict)
    if isinstance(scale, dict) and has_presence:
        checker.add(("deal", "domestic", "presence"), "the package-to-scale mapping is given "
                    "twice; keep `deal.scale` and drop `presence` (the constraint uses it)",
                    show=False)
    elif isinstance(scale, dict):
        if domestic.get("issue") != scale.get("issue"):
            checker.add(("deal", "domestic", "issue"), "must be the issue of `deal.scale` "
                        f"({scale.get('issue')!r}): the constraint measures packages on that "
                        "mapping", domestic.get("issue"))
    elif not has_presence:
        checker.add(("deal", "domestic"), "needs the package-to-scale mapping: give "
                    "`deal.scale` (issue and per deal issue a weight and positions)", show=False)


def _check_beliefs(checker: Checker, beliefs: Any, parties: list[str]) -> None:
    if not isinstance(beliefs, dict):
        return
    for holder, raw in beliefs.items():
        path: PathKey = ("deal", "beliefs", holder)
        if parties and holder not in parties:
            checker.add(path, "is not a party of the deal; beliefs are keyed by the party that "
                        "holds them: " + ", ".join(parties), show=False)
            continue
        if isinstance(raw, dict) and "spread" in raw:
            _check_value(checker, (*path, "spread"), raw["spread"], 0.0, 10.0,
                         "the spread of a belief")


def _check_breakdown(checker: Checker, raw: Any, parties: list[str]) -> None:
    if not isinstance(raw, dict):
        return
    path: PathKey = ("deal", "breakdown")
    if "risk" in raw:
        _check_value(checker, (*path, "risk"), raw["risk"], 0.0, 0.99,
                     "a probability of breakdown per round")
    attacks = raw.get("attacks")
    if not isinstance(attacks, dict):
        return
    party = attacks.get("party")
    if isinstance(party, str) and parties and party not in parties:
        checker.add((*path, "attacks", "party"), "must be one of the parties: "
                    + ", ".join(parties), party)
    if "cost_per_attack" in attacks:
        _check_value(checker, (*path, "attacks", "cost_per_attack"), attacks["cost_per_attack"],
                     0.0, 1.0, "a cost per attack (utility units)")
    dyn = checker.data.get("dynamics")
    option = attacks.get("option", "status_quo")
    if not isinstance(dyn, dict):
        checker.add((*path, "attacks"), "attacks come from the scenario's `dynamics` section, "
                    "which this scenario lacks", show=False)
    elif option != "status_quo":
        ids = [o.get("id") for o in dyn.get("options") or [] if isinstance(o, dict)]
        if option not in ids:
            checker.add((*path, "attacks", "option"), "unknown dynamics option; options are: "
                        + ", ".join(["status_quo", *map(str, ids)]), option)
