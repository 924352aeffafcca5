"""JSON Schemas of realpolitik's machine-readable outputs (documented in docs/reference/output.md)."""

from __future__ import annotations

from typing import Any

_NUM = {"type": "number"}
_NULLABLE_STR = {"type": ["string", "null"]}


def forecast_schema() -> dict[str, Any]:
    """JSON Schema of ``realpolitik forecast --format json``."""
    issue = {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "name", "scale", "status_quo", "forecast", "change", "band",
                     "nearest_anchor"],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "scale": {"type": "array", "items": _NUM, "minItems": 2, "maxItems": 2},
            "status_quo": _NUM,
            "forecast": _NUM,
            "change": _NUM,
            "band": _NULLABLE_STR,
            "nearest_anchor": _NULLABLE_STR,
        },
    }
    actor = {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "name", "kind", "capability", "positions", "salience"],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "kind": {"type": "string"},
            "capability": {"type": "number", "minimum": 0},
            "positions": {"type": "object", "additionalProperties": _NUM},
            "salience": {"type": "object",
                         "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1}},
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "realpolitik forecast",
        "type": "object",
        "additionalProperties": True,
        "required": ["realpolitik", "scenario", "model", "seed", "positions", "rounds", "issues",
                     "actors"],
        "properties": {
            "realpolitik": {"type": "string", "description": "Version that produced the output."},
            "scenario": {
                "type": "object",
                "required": ["id", "title", "as_of"],
                "properties": {"id": {"type": "string"}, "title": {"type": "string"},
                               "as_of": {"type": "string", "format": "date"}},
            },
            "model": {"type": "string"},
            "seed": {"type": ["integer", "null"]},
            "positions": {"enum": ["stated", "private"]},
            "rounds": {"type": ["integer", "null"],
                       "description": "Rounds until positions settled (iterative models)."},
            "issues": {"type": "array", "items": issue, "minItems": 1},
            "actors": {"type": "array", "items": actor, "minItems": 2},
            "calibrated_bands": {
                "type": ["object", "null"],
                "description": "Calibrated 80/90 % bands from the model's past errors on real "
                               "decisions (not the Monte Carlo input-uncertainty band).",
                "properties": {"note": {"type": "string"}, "source": {"type": "string"},
                               "half_width_0_100": {"type": "object"},
                               "issues": {"type": "object"}},
            },
            "weights": {
                "type": "object",
                "description": "Ensemble only: its members' weights, their past errors and "
                               "where the weights came from.",
                "properties": {"kind": {"enum": ["fitted", "equal", "given"]},
                               "source": {"type": "string"},
                               "members": {"type": "object"}},
            },
            "warnings": {"type": "array", "items": {"type": "string"},
                         "description": "Degenerate inputs: all capabilities or saliences 0, "
                                       "every actor at one position, an issue nobody cares about."},
        },
    }
