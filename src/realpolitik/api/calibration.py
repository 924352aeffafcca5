"""What past decisions say about a forecast: the ensemble's weights, skill, calibrated bands.

Two different bands sit next to each forecast, and they answer different questions:

* the **input-uncertainty band** (``forecast(..., samples=N)``: the 5-95 % of the Monte Carlo
  forecasts) says how far the forecast moves when the scenario's uncertain inputs move; it knows
  nothing about how often the model has been wrong;
* the **calibrated band** (80 % and 90 %) is the forecast plus or minus the split-conformal
  quantile of the model's absolute errors on past decisions with known outcomes (out of fold for
  the stacked ensemble; see docs/validation.md), on the issue's own scale. Those decisions are EU
  legislation; applying their error rate to another kind of bargaining (a security crisis) is an
  assumption, not a measurement.

:func:`calibration_for` builds the calibrated band of a model from the shipped weights file
(:mod:`realpolitik.backtest.weights`); :func:`weights_for` chooses the ensemble's weights.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from realpolitik.backtest.stacking import LEVELS
from realpolitik.backtest.weights import (
    WEIGHT_CHOICES,
    FittedWeights,
    WeightChoice,
    load_weights,
    resolve_weights,
)
from realpolitik.errors import RealpolitikError
from realpolitik.models.ensemble import member_specs

#: Says which band is which, wherever bands are shown.
CALIBRATED_NOTE = ("calibrated band: forecast +- the model's past errors on EU legislative "
                   "decisions (split conformal); transferring it to other bargaining is an "
                   "assumption")
INPUT_NOTE = "input-uncertainty band: spread of Monte Carlo forecasts over the uncertain inputs"


@dataclass(frozen=True)
class Calibration:
    """Calibrated band widths of one model's forecasts (0-100 scale) and where they came from."""

    method: str  # the entry of the weights file's ``bands``
    half_width: dict[float, float]  # level -> half-width on 0-100
    source: str

    def band(self, value: float, lower: float, upper: float, level: float) -> tuple[float, float]:
        """The band around ``value`` on a ``lower``-``upper`` scale, clipped to the scale."""
        h = self.half_width[level] * (upper - lower) / 100.0
        return max(lower, value - h), min(upper, value + h)


def weights_for(choice: str | Mapping[str, float] = "fitted") -> WeightChoice:
    """The ensemble's weights: ``"fitted"`` (shipped file), ``"equal"``, a file, or a mapping."""
    members = tuple(s.name for s in member_specs())
    if isinstance(choice, Mapping):
        return WeightChoice(dict(choice), "given", "weights given by the caller", None, False)
    if choice in WEIGHT_CHOICES:
        return resolve_weights(members, choice)
    if Path(choice).is_file():
        return resolve_weights(members, "fitted", choice)
    raise RealpolitikError(f"weights must be 'fitted', 'equal' or a weights file, got {choice!r}",
                           options=("weights",))


def _shipped() -> FittedWeights | None:
    try:
        return load_weights()
    except RealpolitikError:
        return None


def calibration_for(model: str, choice: WeightChoice | None) -> Calibration | None:
    """The calibrated band of ``model``'s forecasts, or None where no past record applies."""
    if choice is not None:  # the ensemble
        method, fitted = choice.band_method, choice.fitted
    else:
        fitted = _shipped()
        method = model if fitted is not None and model in fitted.members else None
    if method is None or fitted is None:
        return None
    widths = {lv: fitted.band(method, lv) for lv in LEVELS}
    if any(w is None for w in widths.values()):
        return None
    sets = ", ".join(d["name"] for d in fitted.doc["datasets"])
    return Calibration(method, {lv: float(w) for lv, w in widths.items() if w is not None},
                       f"{method}'s errors on {sets} ({fitted.label}, {fitted.doc['date']})")


def ensemble_past_mae(choice: WeightChoice) -> float | None:
    """The ensemble's error on past decisions with these weights (stacked: out of fold)."""
    method = choice.band_method
    if method is None or choice.fitted is None:
        return None
    return choice.fitted.oof_mae(method)


def skill_rows(choice: WeightChoice) -> list[dict[str, Any]]:
    """Per member: its weight in this forecast and its error on past decisions (0-100)."""
    members = [s.name for s in member_specs()]
    fitted = choice.fitted
    rows = []
    for m in members:
        weight = choice.weights[m] if choice.weights else 1.0 / len(members)
        mae = fitted.oof_mae(m) if fitted is not None and choice.matches else None
        rows.append({"model": m, "weight": weight, "past_mae": mae})
    return rows


def calibration_json(result: Any) -> dict[str, Any]:
    """The ``weights`` and ``calibrated_bands`` entries of the forecast JSON."""
    doc: dict[str, Any] = {}
    choice: WeightChoice | None = result.weight_choice
    if choice is not None:
        doc["weights"] = {
            "kind": choice.kind,
            "source": choice.note,
            "ensemble_past_mae": ensemble_past_mae(choice),
            "members": {r["model"]: {"weight": round(r["weight"], 6), "past_mae": r["past_mae"]}
                        for r in skill_rows(choice)},
        }
    cal: Calibration | None = result.calibration
    if cal is None:
        doc["calibrated_bands"] = None
    else:
        doc["calibrated_bands"] = {
            "note": CALIBRATED_NOTE,
            "source": cal.source,
            "half_width_0_100": {f"{round(100 * lv)}": round(h, 4)
                                 for lv, h in cal.half_width.items()},
            "issues": {row["issue"]: {f"{round(100 * lv)}": [round(v, 6) for v in
                                                             row[f"calibrated_{round(100 * lv)}"]]
                                      for lv in cal.half_width}
                       for row in calibrated_rows(result)},
        }
    return doc


def calibrated_rows(result: Any) -> list[dict[str, Any]]:
    """Per issue: the forecast and its calibrated 80 % and 90 % bands (empty without one)."""
    cal: Calibration | None = result.calibration
    if cal is None:
        return []
    rows = []
    for issue in result.scenario.issues:
        value = result.forecast[issue.id]
        lo, hi = issue.scale
        row: dict[str, Any] = {"issue": issue.id, "forecast": value}
        for lv in cal.half_width:
            row[f"calibrated_{round(100 * lv)}"] = cal.band(value, lo, hi, lv)
        rows.append(row)
    return rows


def past_record(result: Any) -> dict[str, Any]:
    """A forecast's record on past decisions, for reports and the dashboard.

    ``past_mae`` (0-100; the stacked ensemble's out of fold), ``weight`` (a member's weight in
    the fitted ensemble; None for the ensemble itself or a model outside it), ``weights_source``
    (the ensemble's weights note), ``weights`` (the ensemble's member weights; None: equal),
    ``calibrated`` (issue -> ``"80"``/``"90"`` -> [low, high]) and ``calibrated_note``.
    """
    choice: WeightChoice | None = result.weight_choice
    out: dict[str, Any] = {"past_mae": None, "weight": None, "weights_source": None,
                           "weights": None, "calibrated": {}, "calibrated_note": CALIBRATED_NOTE}
    if choice is not None:
        out["past_mae"] = ensemble_past_mae(choice)
        out["weights_source"] = choice.short_note
        out["weights"] = dict(choice.weights) if choice.weights is not None else None
    else:
        fitted = _shipped()
        members = tuple(s.name for s in member_specs())
        if fitted is not None and fitted.members == members and result.model in members:
            out["past_mae"] = fitted.oof_mae(result.model)
            out["weight"] = fitted.weights.get(result.model)
    for row in calibrated_rows(result):
        out["calibrated"][row["issue"]] = {
            k.removeprefix("calibrated_"): [float(v) for v in row[k]]
            for k in row if k.startswith("calibrated_")}
    return out
