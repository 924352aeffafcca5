"""The scenario's optional ``decision`` section: who formally decides each issue, and how.

A decision section lists **rules**. A rule decides the issues it names (all issues when it
names none), as one act: its **veto players** (actors whose consent is required), its **voting
bodies** (members with votes and a quota of votes, or unanimity), its **agenda setter** (a
proposal order: the first actor of the list who holds the agenda proposes) and the
**reversion point** of each issue (what happens without a decision; the status quo by default).
Every number is an uncertain input with a source; a veto player, a body and an agenda setter
may carry a ``probability`` (the analyst's confidence in that reading of the rules: in a Monte
Carlo run the reading holds in that share of the samples, in a point forecast when it is at
least one half)::

    decision:
      rules:
        - id: presence
          issues: [us_presence]
          agenda_setter:
            - actor: pm_sudani
              probability: {value: 0.8, source: {id: mofa2024}, note: "..."}
          veto_players:
            - actor: us_gov
              source: {id: whitehouse2024}
              note: "..."
          bodies:
            - id: parliament
              members: {coord_framework: 3, sunni_parties: 1, kurds_kdp: 1}
              quota: 3            # votes needed (or: unanimity: true)
              total: 5            # optional: the members' votes must add up to it
              probability: {value: 0.2, source: {id: ap2020_hashimi}, note: "..."}
          reversion: {us_presence: {value: 0, source: {id: ...}, note: "..."}}

The procedural model (:mod:`realpolitik.models.procedural`) reads the rules through
:class:`~realpolitik.models.base.DecisionRules` (built by :func:`build_rules`); every other
model ignores them. This module imports only :mod:`realpolitik.scenario.values`,
:mod:`realpolitik.scenario.checker` and the models' base, never the scenario schema.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from pydantic import Field, field_validator, model_validator

from realpolitik.models.base import DecisionRules
from realpolitik.scenario.checker import Checker, items, number, point
from realpolitik.scenario.values import (
    ID_PATTERN,
    MAX_ID_LENGTH,
    MAX_NAME_LENGTH,
    FiniteFloat,
    Frozen,
    SourceRef,
    UncertainValue,
    Value,
    finite,
)
from realpolitik.scenario.yamlio import PathKey

#: How far the members' votes may sum from a stated ``total`` (relative).
TOTAL_TOLERANCE = 1e-6


class Reading(Frozen):
    """An actor in a rule (a veto player, a proposer), with the confidence in that reading."""

    actor: str
    probability: Value = Field(default_factory=lambda: UncertainValue(value=1.0),
                               description="Confidence in this reading of the rules, in [0, 1].")
    source: SourceRef | None = None
    note: str | None = None


class Body(Frozen):
    """A voting body: members with votes and a quota (votes needed) or unanimity."""

    id: str = Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)
    name: str | None = Field(default=None, max_length=MAX_NAME_LENGTH)
    members: dict[str, Value] = Field(min_length=1, description="Votes per actor id.")
    quota: Value | None = Field(default=None, description="Votes a change needs.")
    unanimity: bool = False
    total: FiniteFloat | None = Field(default=None,
                                      description="The members' votes add up to this.")
    probability: Value = Field(default_factory=lambda: UncertainValue(value=1.0),
                               description="Confidence that this body must agree, in [0, 1].")
    note: str | None = None

    @field_validator("total")
    @classmethod
    def _finite_total(cls, v: float | None) -> float | None:
        return None if v is None else finite(v)

    @model_validator(mode="after")
    def _one_rule(self) -> Body:
        if (self.quota is None) == (not self.unanimity):
            raise ValueError("a body needs either a quota (votes needed) or unanimity: true")
        return self


class Rule(Frozen):
    """The rule deciding some issues (all when ``issues`` is not given), as one act."""

    id: str = Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)
    issues: list[str] | None = Field(default=None, description="Issue ids (default: every issue).")
    agenda_setter: list[Reading] = Field(
        default_factory=list, description="Proposal order: the first who holds the agenda proposes.")
    veto_players: list[Reading] = Field(default_factory=list)
    bodies: list[Body] = Field(default_factory=list)
    reversion: dict[str, Value] = Field(
        default_factory=dict, description="What happens without a decision, per issue id.")
    note: str | None = None


class DecisionSection(Frozen):
    """Formal decision rules of the scenario."""

    rules: list[Rule] = Field(min_length=1)


# -- whole-file checks -------------------------------------------------------------------


def _ids(checker: Checker, key: str) -> set[str]:
    return {x["id"] for _, x in items(checker.data, key) if isinstance(x.get("id"), str)}


def _check_value(checker: Checker, path: PathKey, v: Any, lo: float, hi: float | None,
                 what: str) -> None:
    checker.check_range(path, v, lo, hi, what)
    checker.check_source(path, v)


def _check_probability(checker: Checker, path: PathKey, entry: dict[str, Any]) -> None:
    if "probability" not in entry:
        return
    v = entry["probability"]
    _check_value(checker, (*path, "probability"), v, 0.0, 1.0, "a probability")
    if isinstance(v, dict) and v.get("distribution") is not None:
        checker.add((*path, "probability", "distribution"),
                    "a probability is itself the uncertainty of the reading: give its value "
                    "without a distribution", show=False)


def _check_actor(checker: Checker, path: PathKey, who: Any, actors: set[str]) -> None:
    if isinstance(who, str) and who not in actors:
        known = ", ".join(sorted(actors)) or "none"
        checker.add(path, f"unknown actor id; actors are: {known}", who)


def _check_readings(checker: Checker, base: PathKey, rule: dict[str, Any], key: str,
                    actors: set[str]) -> None:
    seen: set[str] = set()
    for k, entry in items(rule, key):
        path = (*base, key, k)
        who = entry.get("actor")
        _check_actor(checker, (*path, "actor"), who, actors)
        if isinstance(who, str) and who in seen:
            checker.add((*path, "actor"), f"listed twice in {key}", who)
        seen.add(str(who))
        _check_probability(checker, path, entry)
        if checker.builtin and "source" not in entry and not isinstance(
                entry.get("probability"), dict):
            checker.add(path, "every reading of a built-in scenario's rules needs a source "
                              "(source: {id: ..., at: ...}) and a note", show=False)
        elif isinstance(entry.get("source"), dict):
            checker.check_source(path, {"source": entry["source"]})


def _check_body(checker: Checker, path: PathKey, body: dict[str, Any], actors: set[str]) -> None:
    members = body.get("members")
    total = 0.0
    if isinstance(members, dict):
        for who, v in members.items():
            _check_actor(checker, (*path, "members", who), who, actors)
            _check_value(checker, (*path, "members", who), v, 0.0, None, "a member's votes")
            total += point(v) or 0.0
        if members and total <= 0:
            checker.add((*path, "members"), "the members hold no votes: the body can pass "
                                            "nothing", show=False)
    stated = number(body.get("total"))
    if stated is not None and isinstance(members, dict) and members and (
            abs(total - stated) > TOTAL_TOLERANCE * max(1.0, abs(stated))):
        checker.add((*path, "total"), f"the members' votes add up to {total:g}, not to the "
                                      "stated total", stated)
    if "quota" in body:
        _check_value(checker, (*path, "quota"), body["quota"], 0.0, None, "a quota")
        q = point(body["quota"])
        if q is not None and isinstance(members, dict) and members and total > 0 and q > total:
            checker.add((*path, "quota"), f"no coalition reaches this quota: the members hold "
                                          f"{total:g} votes in all", q)
        if q is not None and q <= 0:
            checker.add((*path, "quota"), "a quota must be above 0 (a body that needs no votes "
                                          "is no rule: leave it out)", q)
    _check_probability(checker, path, body)


def _check_rule(checker: Checker, i: int, rule: dict[str, Any], actors: set[str],
                issues: set[str], claimed: dict[str, int]) -> None:
    base: PathKey = ("decision", "rules", i)
    covered = rule.get("issues")
    mine = set(issues)
    if isinstance(covered, list):
        mine = set()
        for k, iss in enumerate(covered):
            if isinstance(iss, str) and iss not in issues:
                known = ", ".join(sorted(issues)) or "none"
                checker.add((*base, "issues", k), f"unknown issue id; issues are: {known}", iss)
            elif isinstance(iss, str):
                mine.add(iss)
    for iss in sorted(mine):
        if iss in claimed:
            checker.add((*base, "issues"), f"issue {iss!r} is already decided by rule "
                                           f"decision.rules[{claimed[iss]}]: one rule per issue",
                        show=False)
        claimed.setdefault(iss, i)
    _check_readings(checker, base, rule, "agenda_setter", actors)
    _check_readings(checker, base, rule, "veto_players", actors)
    body_ids: set[str] = set()
    for k, body in items(rule, "bodies"):
        bid = body.get("id")
        if isinstance(bid, str) and bid in body_ids:
            checker.add((*base, "bodies", k, "id"), "duplicate body id in this rule", bid)
        body_ids.add(str(bid))
        _check_body(checker, (*base, "bodies", k), body, actors)
    if not items(rule, "veto_players") and not items(rule, "bodies"):
        checker.add(base, "a rule needs at least one veto player or voting body (whose consent "
                          "is required)", show=False)
    reversion = rule.get("reversion")
    if isinstance(reversion, dict):
        scales = _scales(checker)
        for iss, v in reversion.items():
            path = (*base, "reversion", iss)
            if iss not in mine:
                checker.add(path, "not an issue this rule decides", iss)
                continue
            lo, hi = scales.get(iss, (None, None))
            if lo is not None:
                _check_value(checker, path, v, lo, hi, f"a reversion point on {iss!r}")


def _scales(checker: Checker) -> dict[str, tuple[float, float]]:
    out = {}
    for _, issue in items(checker.data, "issues"):
        sc = issue.get("scale")
        if isinstance(sc, list) and len(sc) == 2:
            lo, hi = number(sc[0]), number(sc[1])
            if lo is not None and hi is not None and lo < hi:
                out[str(issue.get("id"))] = (lo, hi)
    return out


def check(checker: Checker) -> None:
    """Whole-file checks of the decision section (run by :mod:`realpolitik.scenario.validate`)."""
    section = checker.data.get("decision")
    if not isinstance(section, dict):
        return
    actors, issues = _ids(checker, "actors"), _ids(checker, "issues")
    claimed: dict[str, int] = {}
    rule_ids: set[str] = set()
    for i, rule in items(section, "rules"):
        rid = rule.get("id")
        if isinstance(rid, str) and rid in rule_ids:
            checker.add(("decision", "rules", i, "id"), "duplicate rule id", rid)
        rule_ids.add(str(rid))
        _check_rule(checker, i, rule, actors, issues, claimed)


# -- arrays ------------------------------------------------------------------------------

#: ``number(path, value)``: the value's draws (batch,) (its point value in a point forecast).
Draw = Callable[[str, UncertainValue], np.ndarray]
#: ``happens(path, probability)``: whether the reading holds in each sample (batch,) bool.
Happens = Callable[[str, UncertainValue], np.ndarray]


def point_draws(batch: int) -> tuple[Draw, Happens]:
    """Point values, and readings that hold when their probability is at least one half."""
    return (lambda _p, v: np.full(batch, v.point),
            lambda _p, v: np.full(batch, v.point >= 0.5))


def rule_paths(section: DecisionSection) -> list[tuple[str, UncertainValue, bool]]:
    """Every number of the section: (path, value, whether it is a probability)."""
    out: list[tuple[str, UncertainValue, bool]] = []
    for rule in section.rules:
        base = f"decision.{rule.id}"
        for r in rule.agenda_setter:
            out.append((f"{base}.agenda_setter.{r.actor}.probability", r.probability, True))
        for r in rule.veto_players:
            out.append((f"{base}.veto_players.{r.actor}.probability", r.probability, True))
        for body in rule.bodies:
            b = f"{base}.bodies.{body.id}"
            out.append((f"{b}.probability", body.probability, True))
            for who, v in body.members.items():
                out.append((f"{b}.members.{who}", v, False))
            if body.quota is not None:
                out.append((f"{b}.quota", body.quota, False))
        for iss, v in rule.reversion.items():
            out.append((f"{base}.reversion.{iss}", v, False))
    return out


def build_rules(section: DecisionSection, actor_ids: Sequence[str], issue_ids: Sequence[str],
                status_quo: np.ndarray, number: Draw, happens: Happens) -> DecisionRules:
    """The section as :class:`DecisionRules` for a batch (``status_quo`` (B, d))."""
    batch = status_quo.shape[0]
    n, d = len(actor_ids), len(issue_ids)
    index = {a: i for i, a in enumerate(actor_ids)}
    weights: list[np.ndarray] = []
    quotas: list[np.ndarray] = []
    body_rule: list[int] = []
    issue_rule = np.full(d, -1, dtype=np.int64)
    setter = np.full((batch, d), -1, dtype=np.int64)
    reversion = np.array(status_quo, dtype=float, copy=True)
    for r, rule in enumerate(section.rules):
        base = f"decision.{rule.id}"
        mine = [j for j, iss in enumerate(issue_ids) if rule.issues is None or iss in rule.issues]
        issue_rule[mine] = r
        for veto in rule.veto_players:
            w = np.zeros((batch, n))
            w[:, index[veto.actor]] = 1.0
            on = happens(f"{base}.veto_players.{veto.actor}.probability", veto.probability)
            weights.append(w)
            quotas.append(np.where(on, 1.0, 0.0))
            body_rule.append(r)
        for body in rule.bodies:
            b = f"{base}.bodies.{body.id}"
            w = np.zeros((batch, n))
            for who, v in body.members.items():
                w[:, index[who]] = np.maximum(number(f"{b}.members.{who}", v), 0.0)
            total = w.sum(axis=1)
            if body.unanimity or body.quota is None:
                share = np.ones(batch)
            else:
                q = number(f"{b}.quota", body.quota)
                share = np.where(total > 0, q / np.where(total > 0, total, 1.0), 1.0)
            on = happens(f"{b}.probability", body.probability)
            weights.append(w)
            quotas.append(np.where(on, share, 0.0))
            body_rule.append(r)
        chosen = np.full(batch, -1, dtype=np.int64)
        for prop in reversed(rule.agenda_setter):  # the first holder in the order wins
            on = happens(f"{base}.agenda_setter.{prop.actor}.probability", prop.probability)
            chosen = np.where(on, index[prop.actor], chosen)
        setter[:, mine] = chosen[:, None]
        for iss, v in rule.reversion.items():
            reversion[:, list(issue_ids).index(iss)] = number(f"{base}.reversion.{iss}", v)
    k = len(weights)
    return DecisionRules(
        weight=np.stack(weights, axis=1) if k else np.zeros((batch, 0, n)),
        quota=np.stack(quotas, axis=1) if k else np.zeros((batch, 0)),
        body_rule=np.array(body_rule, dtype=np.int64), issue_rule=issue_rule, setter=setter,
        reversion=reversion,
    )


__all__ = ["Body", "DecisionSection", "Reading", "Rule", "build_rules", "check", "point_draws",
           "rule_paths"]
