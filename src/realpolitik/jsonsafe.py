"""The one rule for numbers in JSON: a number that is not finite is ``null``.

JSON has no NaN or infinity (Python's ``json`` would write the non-standard ``NaN``). Every JSON
output of realpolitik, from the CLI (``--format json``), the report export and the dashboard,
passes through :func:`json_safe` (or :func:`dumps`): numpy scalars and arrays become plain
Python values, NaN and +/-inf become ``None``, dates their ISO form, and anything else its text.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np


def finite_or_none(x: Any) -> float | None:
    """``x`` as a float, or None where it is not a finite number."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def plain(v: Any) -> Any:
    """A numpy scalar as a Python value, a non-finite float as None; anything else unchanged."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def json_safe(x: Any) -> Any:
    """``x`` with every value made JSON-safe (see the module docstring)."""
    if isinstance(x, np.ndarray):
        return [json_safe(v) for v in x.tolist()]
    if isinstance(x, np.generic):
        x = x.item()
    if x is None or isinstance(x, bool | int | str):
        return x
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, Mapping):
        return {str(k): json_safe(v) for k, v in x.items()}
    if isinstance(x, list | tuple | set | frozenset):
        return [json_safe(v) for v in x]
    if isinstance(x, dt.date | dt.datetime):
        return x.isoformat()
    return str(x)


def dumps(doc: Any, *, indent: int | None = 2) -> str:
    """``doc`` as JSON text under the one rule (never ``NaN`` or ``Infinity`` in the text)."""
    return json.dumps(json_safe(doc), indent=indent, allow_nan=False)
