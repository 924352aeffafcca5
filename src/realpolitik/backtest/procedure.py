"""Procedure-based capabilities and decision rules for the DEU data (``--capabilities procedure``).

The DEU files record each proposal's legislative procedure (``COD`` co-decision, ``CNS``
consultation) and the Council's voting rule (``QMV``, ``Unan``), but no capabilities. This
option derives both from the rules of the treaty in force at the proposal's date (the year in
its DEU number: ``d00032`` is a proposal of 2000; the decision dates of our copy are damaged, see
the data folder's README):

============  =============================================  =====================================
proposal      Council under QMV                              source of the votes
============  =============================================  =====================================
1995-2003     EU-15 weighted votes, 62 of 87                 TEC art. 205(2) (Amsterdam)
2004-2006     Nice weights, 232 of 321 (EU-25)               Treaty of Nice / 2003 Act of Accession
2007-2012     Nice weights, 255 of 345 (EU-27)               2005 Act of Accession
2013          Nice weights, 260 of 352 (EU-28)               2012 Act of Accession (Croatia)
2014-         55 % of the states and 65 % of the population  TEU art. 16(4) (Lisbon)
============  =============================================  =====================================

The votes and populations are in ``council_votes.csv`` of the data folder, each number's
source in its README. The thresholds are applied as shares of the votes of the member states
that DEU lists on the issue (a state without a recorded position is left out of the count).

Rules (:class:`~realpolitik.models.base.DecisionRules`, three bodies per issue):

* the **Council**: QMV with the period's votes and threshold share; under unanimity every
  listed state is a veto player (equal votes, quota 1); under Lisbon's double majority a
  second body holds the population shares (quota 0.65; the states body has quota 0.55);
* the **Parliament** is a veto player under co-decision and has no formal veto under
  consultation;
* the **Commission** sets the agenda (where it has a recorded position).

Capabilities (used by every model): the member states share 1 in proportion to their Council
votes (QMV; the mean of the state and population shares under Lisbon) or equally
(unanimity); the Parliament has :data:`EP_CAPABILITY` under co-decision and 0 under
consultation; the Commission :data:`COM_CAPABILITY`. These two numbers are our choice, not a
published scheme (see docs/validation.md).
"""

from __future__ import annotations

import csv
import re
from dataclasses import replace
from pathlib import Path

import numpy as np

from realpolitik.backtest.dataset import Dataset, Issue
from realpolitik.errors import RealpolitikError
from realpolitik.models.base import DecisionRules

VOTES_FILE = "council_votes.csv"
#: The Parliament's capability under co-decision (the Council as a whole holds 1).
EP_CAPABILITY = 1.0
#: The Commission's capability (it proposes and may withdraw, but does not vote).
COM_CAPABILITY = 0.5
#: Bodies per issue: Council (states), Council (population, Lisbon only), Parliament.
N_BODIES = 3

#: (first year, period of the votes, threshold share) of each treaty period.
PERIODS: tuple[tuple[int, str, float], ...] = (
    (1995, "amsterdam", 62 / 87),
    (2004, "nice", 232 / 321),
    (2007, "nice", 255 / 345),
    (2013, "nice", 260 / 352),
    (2014, "lisbon", 0.55),
)
#: The population threshold of Lisbon's double majority.
LISBON_POPULATION = 0.65


def proposal_year(proposal_id: str) -> int | None:
    """The year of a DEU proposal number (``d00032`` -> 2000, ``d120193`` -> 2012)."""
    m = re.fullmatch(r"[a-z](\d{2})\d+[A-Za-z]?", proposal_id.strip())
    if m is None:
        return None
    yy = int(m.group(1))
    return 1900 + yy if yy >= 90 else 2000 + yy


def period_of(year: int) -> tuple[str, float]:
    """The votes period and QMV threshold share of a proposal year."""
    chosen = PERIODS[0]
    for p in PERIODS:
        if year >= p[0]:
            chosen = p
    return chosen[1], chosen[2]


def read_votes(folder: Path) -> dict[str, dict[str, float]]:
    """``period -> state -> votes`` (or population, period ``lisbon_population``)."""
    path = folder / VOTES_FILE
    if not path.is_file():
        raise RealpolitikError(f"{path}: procedure-based capabilities need {VOTES_FILE} in the "
                               "data set's folder (see the deu3 README)")
    out: dict[str, dict[str, float]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["period"], {})[row["state"]] = float(row["votes"])
    return out


def _issue_rules(issue: Issue, votes: dict[str, dict[str, float]]) -> tuple[np.ndarray, DecisionRules]:
    """Capabilities (n,) and the rules (batch of one) of one issue."""
    meta = issue.meta
    year = proposal_year(meta.get("proposal_id", ""))
    if year is None:
        raise RealpolitikError(f"issue {issue.issue_id}: no proposal year in its proposal_id "
                               f"{meta.get('proposal_id')!r}")
    period, threshold = period_of(year)
    qmv = meta.get("voting_rule", "").upper().startswith("QMV")
    cod = meta.get("procedure", "").upper() == "COD"
    n = issue.n_actors
    states = [k for k, a in enumerate(issue.actors) if a not in ("com", "ep")]
    weight = np.zeros((N_BODIES, n))
    quota = np.zeros(N_BODIES)
    cap = np.zeros(n)
    if period == "lisbon":
        pop = votes["lisbon_population"]
        weight[0, states] = 1.0
        weight[1, states] = [pop.get(issue.actors[k], 0.0) for k in states]
        quota[0] = 1.0 if not qmv else threshold
        quota[1] = LISBON_POPULATION if qmv else 0.0
        share = weight[0] / max(weight[0].sum(), 1e-12)
        if qmv:
            share = (share + weight[1] / max(weight[1].sum(), 1e-12)) / 2
    else:
        table = votes[period]
        weight[0, states] = [table.get(issue.actors[k], 0.0) for k in states] if qmv else 1.0
        quota[0] = threshold if qmv else 1.0
        share = weight[0] / max(weight[0].sum(), 1e-12)
    cap[states] = share[states]
    setter = -1
    for k, a in enumerate(issue.actors):
        if a == "ep":
            weight[2, k] = 1.0
            quota[2] = 1.0 if cod else 0.0
            cap[k] = EP_CAPABILITY if cod else 0.0
        elif a == "com":
            cap[k] = COM_CAPABILITY
            setter = k
    rules = DecisionRules(weight=weight[None], quota=quota[None],
                          body_rule=np.zeros(N_BODIES, dtype=np.int64),
                          issue_rule=np.zeros(1, dtype=np.int64),
                          setter=np.array([[setter]], dtype=np.int64))
    return cap, rules


def with_procedures(dataset: Dataset) -> Dataset:
    """The data set with procedure-based capabilities and rules (see the module docstring)."""
    votes = read_votes(dataset.path)
    issues = []
    for issue in dataset.issues:
        cap, rules = _issue_rules(issue, votes)
        issues.append(replace(issue, capability=cap, rules=rules))
    return replace(dataset, issues=tuple(issues))
