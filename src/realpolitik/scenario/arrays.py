"""From a :class:`Scenario` to the batched arrays the models take."""

from __future__ import annotations

from typing import Literal

import numpy as np

from realpolitik.models.base import BargainingInput
from realpolitik.scenario.schema import Scenario
from realpolitik.scenario.sections.decision import build_rules, point_draws

PositionKind = Literal["stated", "private"]


def to_input(
    scenario: Scenario, *, positions: PositionKind = "stated", dtype: type = np.float64
) -> BargainingInput:
    """The scenario's point values as a batch of one.

    With ``positions="private"`` an actor's private position replaces its stated one where
    the scenario gives one (the prime minister's case in ``iraq-2024``). A ``decision`` section
    becomes the input's ``rules`` at its point values (readings with a probability of at least
    one half hold); without one ``rules`` is None.
    """
    issues = scenario.issue_ids
    n, d = len(scenario.actors), len(issues)
    pos = np.empty((1, n, d), dtype=dtype)
    sal = np.empty((1, n, d), dtype=dtype)
    cap = np.empty((1, n), dtype=dtype)
    for i, actor in enumerate(scenario.actors):
        cap[0, i] = actor.capability.point
        for j, issue in enumerate(issues):
            value = actor.positions[issue]
            if positions == "private" and issue in actor.private_positions:
                value = actor.private_positions[issue]
            pos[0, i, j] = value.point
            sal[0, i, j] = actor.salience[issue].point
    sq = np.array([[iss.status_quo.point for iss in scenario.issues]], dtype=dtype)
    lower = np.array([iss.scale[0] for iss in scenario.issues], dtype=dtype)
    upper = np.array([iss.scale[1] for iss in scenario.issues], dtype=dtype)
    return BargainingInput(
        position=pos,
        salience=sal,
        capability=cap,
        status_quo=sq,
        lower=lower,
        upper=upper,
        actor_ids=tuple(scenario.actor_ids),
        issue_ids=tuple(issues),
        rules=None if scenario.decision is None else build_rules(
            scenario.decision, scenario.actor_ids, issues, sq, *point_draws(1)),
    )
