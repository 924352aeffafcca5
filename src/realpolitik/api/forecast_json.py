"""The documented JSON form of a forecast.

Its JSON Schema: :func:`realpolitik.api.schema.forecast_schema` (``realpolitik schema --output
forecast``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from realpolitik.version import __version__


def forecast_json(result: Any) -> dict[str, Any]:
    """The documented JSON form of a forecast (schema: ``realpolitik schema --output forecast``)."""
    sc = result.scenario
    issues = []
    for issue, row in zip(sc.issues, result.issue_rows(), strict=True):
        issues.append({
            "id": issue.id,
            "name": issue.name,
            "scale": list(issue.scale),
            "status_quo": round(float(row["status_quo"]), 6),
            "forecast": round(float(row["forecast"]), 6),
            "change": round(float(row["change"]), 6),
            "band": row["band"],
            "nearest_anchor": row["nearest_anchor"],
        })
    actors = []
    for row in result.actor_rows():
        actors.append({
            "id": row["actor"],
            "name": row["name"],
            "kind": row["kind"],
            "capability": round(row["capability"], 6),
            "positions": {i: round(row[f"position[{i}]"], 6) for i in sc.issue_ids},
            "salience": {i: round(row[f"salience[{i}]"], 6) for i in sc.issue_ids},
        })
    rounds = result.outcome.rounds
    extra: dict[str, Any] = {}
    if result.model == "ensemble":
        from realpolitik.models.ensemble import member_names

        extra["members"] = {
            name: {iid: round(float(v), 6) for iid, v in
                   zip(sc.issue_ids, np.asarray(result.outcome.extra[name])[0], strict=True)}
            for name in member_names(result.outcome)
        }
    return {
        "realpolitik": __version__,
        "scenario": {"id": sc.id, "title": sc.title, "as_of": sc.as_of.isoformat()},
        "model": result.model,
        "seed": result.seed,
        "positions": result.positions,
        "rounds": None if rounds is None else int(rounds[0]),
        "issues": issues,
        "actors": actors,
        "warnings": result.warnings(),
        **extra,
    }
