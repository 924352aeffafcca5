"""How the dashboard writes JSON: one policy for numbers that are not finite.

JSON has no NaN or infinity. Every JSON answer of the dashboard goes through :func:`json_safe`,
the rule of every JSON output (:mod:`realpolitik.jsonsafe`): a non-finite number
is ``null``. :class:`SafeJSONResponse` applies it to a whole answer; the app uses it as its
default response class and in its error handlers.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from realpolitik.errors import Problem
from realpolitik.jsonsafe import json_safe


class SafeJSONResponse(JSONResponse):
    """A JSON answer in which numbers that are not finite are ``null``."""

    def render(self, content: Any) -> bytes:
        return super().render(json_safe(content))


def problem_json(p: Problem) -> dict[str, Any]:
    """A :class:`~realpolitik.errors.Problem` as JSON: file, line, field, message, value."""
    value = p.value if p.has_value else None
    if value is not None and not isinstance(value, str | int | float | bool):
        value = repr(value)
    return {"file": p.file, "line": p.line, "field": p.field, "message": p.message,
            "value": json_safe(value), "text": str(p)}
