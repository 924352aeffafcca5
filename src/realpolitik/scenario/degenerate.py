"""Warnings about degenerate but valid scenarios: inputs that leave nothing to bargain over.

A scenario whose capabilities or saliences are all zero, whose actors all stand at one position,
or with an issue that no actor with influence cares about, is valid (the models return the
status quo or the common position, never NaN), but an analyst who wrote it by mistake should
hear about it. :func:`degenerate_inputs` returns one sentence per finding; the interfaces print
them as warnings and put them in JSON outputs.
"""

from __future__ import annotations

from realpolitik.scenario.schema import Actor, Scenario

__all__ = ["degenerate_inputs"]


def degenerate_inputs(scenario: Scenario, *, private: bool = False) -> list[str]:
    """Sentences about inputs that leave nothing to bargain over (point values; none if fine).

    ``private`` checks the private positions where an actor has one.
    """
    actors = scenario.actors
    out: list[str] = []
    caps = [a.capability.point for a in actors]
    if all(c == 0 for c in caps):
        out.append("every actor's capability is 0: no one has influence, so every issue's "
                   "forecast is its status quo")
    all_quiet = all(a.salience[i.id].point == 0 for a in actors for i in scenario.issues)
    if all_quiet:
        out.append("every salience is 0: no actor cares about any issue, so every issue's "
                   "forecast is its status quo")
    for issue in scenario.issues:
        weights = [c * a.salience[issue.id].point for c, a in zip(caps, actors, strict=True)]
        if not all_quiet and any(c > 0 for c in caps) and all(w == 0 for w in weights):
            out.append(f"nobody with influence cares about {issue.name!r} ({issue.id}): every "
                       "actor's capability x salience is 0, so its forecast is its status quo")
        points = {_position(a, issue.id, private) for a in actors}
        if len(points) == 1:
            (p,) = points
            out.append(f"every actor stands at {p:g} on {issue.name!r} ({issue.id}): there is "
                       "nothing to bargain over, so every model forecasts that position")
    return out


def _position(actor: Actor, issue_id: str, private: bool) -> float:
    if private and issue_id in actor.private_positions:
        return actor.private_positions[issue_id].point
    return actor.positions[issue_id].point
