"""The fitted ensemble weights and calibrated band widths, shipped as data.

``realpolitik/data/ensemble/weights.json`` is written by the command recorded in it (see
:data:`REGENERATE`) from :class:`~realpolitik.backtest.crossval.CrossValResult`, and read here.
It holds:

``command``, ``date``, ``realpolitik``
    what produced it, when, with which version;
``datasets``
    each data set with its number of issues, and the selection options;
``members``, ``weights``
    the ensemble's members (in registry order) and their stacked weights (non-negative, sum 1);
``oof_mae``
    each member's error on the pooled issues, the equal-weight ensemble's, and the stacked
    ensemble's out-of-fold error (0-100 scale);
``bands``
    per method (``ensemble``: stacked; ``ensemble-equal``; each member), the half-width of the
    split-conformal 80 % and 90 % bands on the 0-100 scale; ``bands_by_procedure`` the stacked
    ensemble's per procedure where a procedure has enough issues;
``coverage``
    the measured coverage of the bands on held-out folds, pooled and per data set.

:func:`resolve_weights` is what the forecast uses: fitted weights when the file's members are the
ensemble's members, else equal weights with a note saying why and how to refit.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from realpolitik.backtest.crossval import EQUAL, STACKED, CrossValResult
from realpolitik.backtest.stacking import LEVELS
from realpolitik.errors import RealpolitikError
from realpolitik.version import __version__

FORMAT = 1
#: The command that regenerates the shipped file (run from a checkout's root).
REGENERATE = ("realpolitik backtest deu3 bdm1994 --missing-status-quo midpoint --cv 10 "
              "--write-weights src/realpolitik/data/ensemble/weights.json")
WEIGHT_CHOICES = ("fitted", "equal")


def default_path() -> Path:
    """Where the shipped weights file lives (inside the installed package)."""
    return Path(str(resources.files("realpolitik") / "data" / "ensemble" / "weights.json"))


def _level_key(level: float) -> str:
    return f"{round(100 * level)}"


def weights_document(result: CrossValResult, *, command: str, date: str) -> dict[str, Any]:
    """The JSON document of a cross-validated fit (see the module docstring)."""
    pool = result.pool

    def bands(q: dict[float, float]) -> dict[str, float | None]:
        return {_level_key(lv): (None if math.isinf(v) else round(v, 4)) for lv, v in q.items()}

    coverage: dict[str, Any] = {}
    for band in result.inside:
        entry: dict[str, Any] = {}
        for scope in (None, *pool.datasets):
            key = scope or "pooled"
            entry[key] = {_level_key(lv): round(result.coverage(band, lv, scope)[0], 4)
                          for lv in LEVELS}
        coverage[band] = entry
    return {
        "format": FORMAT,
        "command": command,
        "date": date,
        "realpolitik": __version__,
        "datasets": [{"name": d, "issues": result.n(d)} for d in pool.datasets],
        "options": dict(result.options.items()),
        "members": list(pool.members),
        "weights": {m: round(w, 6) for m, w in result.weights.items()},
        "oof_mae": {m: round(result.mae(m), 4) for m in result.errors},
        "bands": {m: bands(q) for m, q in result.quantiles.items()},
        "bands_by_procedure": {s: bands(q) for s, q in result.stratum_quantiles.items()},
        "coverage": coverage,
    }


@dataclass(frozen=True)
class FittedWeights:
    """A weights file, read and checked."""

    path: str
    doc: dict[str, Any]

    @property
    def members(self) -> tuple[str, ...]:
        """The members the weights were fitted for, in order."""
        return tuple(self.doc["members"])

    @property
    def weights(self) -> dict[str, float]:
        """Member -> weight."""
        return {m: float(w) for m, w in self.doc["weights"].items()}

    def oof_mae(self, method: str) -> float | None:
        """Error of ``method`` on the pooled issues (stacked ensemble: out of fold)."""
        v = self.doc.get("oof_mae", {}).get(method)
        return None if v is None else float(v)

    def band(self, method: str, level: float) -> float | None:
        """Half-width (0-100 scale) of ``method``'s calibrated band at ``level``."""
        v = self.doc.get("bands", {}).get(method, {}).get(_level_key(level))
        return None if v is None else float(v)

    @property
    def label(self) -> str:
        """The file, named relative to the package when it is the shipped one."""
        if Path(self.path) == default_path():
            return "realpolitik/data/ensemble/weights.json"
        return self.path

    def short_source(self) -> str:
        """Where the weights came from, without the command: for sentences."""
        sets = " and ".join(d["name"] for d in self.doc["datasets"])
        return f"fitted on {sets} by cross-validation, {self.doc['date']}"

    def source(self) -> str:
        """One line: where the weights came from."""
        sets = ", ".join(f"{d['name']} ({d['issues']} issue{'s' if d['issues'] != 1 else ''})"
                         for d in self.doc["datasets"])
        return (f"fitted on {sets} on {self.doc['date']} by `{self.doc['command']}` "
                f"({self.label})")


def load_weights(path: str | Path | None = None) -> FittedWeights:
    """Read and check a weights file (default: the shipped one)."""
    p = Path(path) if path is not None else default_path()
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RealpolitikError(f"{p}: the ensemble weights file cannot be read "
                               f"({exc.strerror or exc}); regenerate it with `{REGENERATE}`"
                               ) from exc
    except json.JSONDecodeError as exc:
        raise RealpolitikError(f"{p}: line {exc.lineno}: not valid JSON ({exc.msg})") from exc
    problems = _check(doc)
    if problems:
        raise RealpolitikError(f"{p}: not an ensemble weights file: {'; '.join(problems)}")
    return FittedWeights(str(p), doc)


def _check(doc: Any) -> list[str]:
    if not isinstance(doc, dict):
        return ["the top level must be an object"]
    out = [f"field {k!r} is missing" for k in ("command", "date", "datasets", "members",
                                                "weights") if k not in doc]
    if out:
        return out
    w = doc["weights"]
    if not isinstance(w, dict) or sorted(w) != sorted(doc["members"]):
        return ["field 'weights' must give one weight per member"]
    values = list(w.values())
    if not all(isinstance(v, int | float) and math.isfinite(v) and v >= 0 for v in values):
        return ["field 'weights': every weight must be a finite number >= 0"]
    if abs(sum(values) - 1.0) > 1e-3:
        return [f"field 'weights' must sum to 1 (they sum to {sum(values):.6g})"]
    return []


@dataclass(frozen=True)
class WeightChoice:
    """The weights a forecast uses and why."""

    weights: dict[str, float] | None  # None: equal weights
    kind: str  # "fitted" or "equal"
    note: str
    fitted: FittedWeights | None = None  # the file read, when one was
    matches: bool = True  # whether the file's members are the ensemble's

    @property
    def short_note(self) -> str:
        """The note without the refit command (fitted weights), for the bottom line."""
        if self.kind == "fitted" and self.fitted is not None:
            return self.fitted.short_source()
        return self.note.split("; refit with")[0]

    @property
    def band_method(self) -> str | None:
        """The entry of ``bands`` that describes this ensemble's errors (None: none does)."""
        if self.fitted is None or not self.matches:
            return None
        return STACKED if self.weights is not None else EQUAL


def resolve_weights(members: tuple[str, ...], choice: str = "fitted",
                    path: str | Path | None = None) -> WeightChoice:
    """Fitted weights for ``members`` when the file matches them, else equal with a note."""
    if choice not in WEIGHT_CHOICES:
        raise RealpolitikError(f"weights must be one of {', '.join(WEIGHT_CHOICES)} or a file, "
                               f"got {choice!r}", options=("weights",))
    try:
        fitted = load_weights(path)
    except RealpolitikError as exc:
        if choice == "equal" and path is None:
            return WeightChoice(None, "equal", "equal weights (asked for)")
        raise RealpolitikError(str(exc), options=("weights",)) from exc
    if choice == "equal":
        return WeightChoice(None, "equal", "equal weights (asked for)", fitted)
    if fitted.members != members:
        return WeightChoice(
            None, "equal",
            f"equal weights: the fitted weights ({fitted.label}) are for members "
            f"{', '.join(fitted.members)}, but the ensemble's members are "
            f"{', '.join(members)}; refit with `{REGENERATE}`", fitted, matches=False)
    return WeightChoice(fitted.weights, "fitted", fitted.source(), fitted)
