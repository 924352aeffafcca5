"""The Python API: load a scenario, forecast it with a registered model.

>>> import realpolitik as rp
>>> s = rp.load_scenario("iraq-2024")
>>> result = rp.forecast(s, model="median", seed=1)
>>> frame = result.to_frame()
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from realpolitik.errors import RealpolitikError
from realpolitik.jsonsafe import json_safe
from realpolitik.models.base import BargainingInput, BargainingOutcome, ModelSpec
from realpolitik.models.ensemble import NAME as ENSEMBLE
from realpolitik.models.ensemble import member_specs
from realpolitik.models.registry import DEFAULT_MODEL, get_model, list_models
from realpolitik.progress import CancelToken, Progress, report
from realpolitik.runner import run_model
from realpolitik.runner.cost import REPORT_AFTER_S, SLOW_LIMIT_S, describe, estimate
from realpolitik.scenario.arrays import PositionKind, to_input
from realpolitik.scenario.bands import band_of
from realpolitik.scenario.loader import DEFAULT_SCENARIO, load_scenario
from realpolitik.scenario.schema import Issue, Scenario
from realpolitik.seeds import resolve_seed

if TYPE_CHECKING:
    import pandas as pd

    from realpolitik.api.calibration import Calibration
    from realpolitik.backtest.weights import WeightChoice
    from realpolitik.uncertainty.distribution import ForecastDistribution


def nearest_anchor(issue: Issue, value: float) -> str | None:
    """Label of the anchor of ``issue`` closest to ``value``."""
    if not issue.anchors:
        return None
    return min(issue.anchors, key=lambda a: abs(a.value - value)).label


@dataclass(frozen=True)
class ForecastResult:
    """A forecast of one scenario by one model: thin, frozen, derived on demand."""

    scenario: Scenario
    model: str
    seed: int | None
    positions: PositionKind
    inputs: BargainingInput
    outcome: BargainingOutcome
    params: dict[str, Any] = field(default_factory=dict)
    #: Monte Carlo forecasts of ``forecast(..., samples=N)`` (None for a point forecast).
    sampled: ForecastDistribution | None = None
    #: The ensemble's weights and where they came from (None for other models).
    weight_choice: WeightChoice | None = None
    #: The calibrated band from past decisions (None where no record applies).
    calibration: Calibration | None = None

    def distribution(self) -> ForecastDistribution:
        """The Monte Carlo distribution: ``.summary()``, ``.bands()``, ``.to_frame()``, ``.warnings()``."""
        if self.sampled is None:
            raise RealpolitikError("this is a point forecast; call forecast(..., samples=N) "
                                   "for its distribution")
        return self.sampled

    @property
    def forecast(self) -> dict[str, float]:
        """Point forecast per issue id (batch element 0)."""
        values = np.asarray(self.outcome.forecast)[0]
        return {iid: float(v) for iid, v in zip(self.scenario.issue_ids, values, strict=True)}

    def deal_on_scale(self) -> dict[str, Any] | None:
        """The package the scenario's deal reaches at point values, on the mapped issue.

        With the domestic constraint driven by this forecast's model; None without a deal
        section that maps packages onto an issue (:func:`realpolitik.api.deal.point_on_scale`).
        """
        from realpolitik.api.deal import point_on_scale

        return point_on_scale(self.scenario, model=self.model, positions=self.positions,
                              ensemble_weights=self.params.get("weights"))

    def warnings(self) -> list[str]:
        """Sentences about degenerate inputs (all capabilities or saliences 0, one position, ...)."""
        from realpolitik.scenario.degenerate import degenerate_inputs

        return degenerate_inputs(self.scenario, private=self.positions == "private")

    def to_json(self) -> dict[str, Any]:
        """The documented JSON form of ``forecast --format json``, with its ``distribution``.

        Its schema: ``realpolitik schema --output forecast``. Non-finite numbers follow the one JSON rule (:mod:`realpolitik.jsonsafe`): ``null``.
        """
        from realpolitik.api.calibration import calibration_json
        from realpolitik.api.forecast_json import forecast_json

        doc = forecast_json(self)
        doc.update(calibration_json(self))
        doc["deal_on_scale"] = self.deal_on_scale()
        if self.sampled is not None:
            doc["distribution"] = self.sampled.to_json()
        return json_safe(doc)

    def to_frame(self) -> pd.DataFrame:
        """One row per issue: status quo, forecast, its outcome band and nearest anchor.

        With Monte Carlo samples the rows also hold the 5 %, median and 95 % of the forecasts
        (the input-uncertainty band); with a calibrated band, its 80 % and 90 % ends.
        """
        import pandas as pd  # lazily: a command that prints no frame does not load pandas

        from realpolitik.api.calibration import calibrated_rows

        frame = pd.DataFrame(self.issue_rows())
        for row_no, row in enumerate(calibrated_rows(self)):
            for key, value in row.items():
                if key.startswith("calibrated_"):
                    frame.loc[row_no, f"{key}_low"] = value[0]
                    frame.loc[row_no, f"{key}_high"] = value[1]
        if self.sampled is not None:
            summary = self.sampled.summary()
            for col in ("p05", "median", "p95"):
                frame[col] = summary[col].to_numpy()
        return frame

    def issue_rows(self) -> list[dict[str, Any]]:
        """The rows of :meth:`to_frame` as plain Python values (None where no band/anchor)."""
        rows = []
        for issue in self.scenario.issues:
            value = self.forecast[issue.id]
            rows.append(
                {
                    "issue": issue.id,
                    "name": issue.name,
                    "model": self.model,
                    "status_quo": issue.status_quo.point,
                    "forecast": value,
                    "change": value - issue.status_quo.point,
                    "band": band_of(issue, value),
                    "nearest_anchor": nearest_anchor(issue, value),
                }
            )
        return rows

    def actors_frame(self) -> pd.DataFrame:
        """Each actor's inputs (point values): capability, and position and salience per issue."""
        import pandas as pd

        return pd.DataFrame(self.actor_rows())

    def actor_rows(self) -> list[dict[str, Any]]:
        """The rows of :meth:`actors_frame` as plain Python values."""
        rows = []
        inp = self.inputs
        for i, actor in enumerate(self.scenario.actors):
            row: dict[str, Any] = {"actor": actor.id, "name": actor.name, "kind": actor.kind,
                                   "capability": float(inp.capability[0, i])}
            for j, iid in enumerate(self.scenario.issue_ids):
                row[f"position[{iid}]"] = float(inp.position[0, i, j])
                row[f"salience[{iid}]"] = float(inp.salience[0, i, j])
            rows.append(row)
        return rows


def forecast(
    scenario: Scenario | str | Path = DEFAULT_SCENARIO,
    model: str = DEFAULT_MODEL,
    *,
    seed: int | None = 0,
    positions: PositionKind = "stated",
    trace: bool = False,
    samples: int | None = None,
    backend: str = "numpy",
    device: str | None = None,
    chunk_size: int | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    allow_slow: bool = False,
    **params: Any,
) -> ForecastResult:
    """Forecast a scenario (object, built-in name or file path) with a registered model.

    ``positions="private"`` uses actors' private positions where the scenario gives them.
    ``trace=True`` asks models that support it for a round-by-round record.
    ``samples=N`` also forecasts N joint samples of the uncertain inputs (in chunks of
    ``chunk_size`` on ``workers`` threads; ``progress(stage, done, total)`` follows the chunks
    and ``cancel`` stops between them): see :meth:`ForecastResult.distribution`.
    ``backend="torch"`` (with ``device``) runs the model on torch through the array API; results
    come back as numpy.
    The ensemble takes ``weights="fitted"`` (default: the weights fitted on past decisions,
    shipped with realpolitik; equal weights with a note when they do not fit its members),
    ``"equal"``, a weights file or a mapping of member to weight. Every model whose past errors
    are recorded gets a calibrated band (:mod:`realpolitik.api.calibration`).
    A model (or ensemble member) estimated to take more than a minute on this scenario is
    refused with its estimate and how to skip it, unless ``allow_slow``; a point forecast
    estimated to take more than two seconds reports ``progress(stage, 0, 1)`` with its estimate
    in ``stage`` first (:mod:`realpolitik.runner.cost`).
    """
    from realpolitik.api.calibration import calibration_for, weights_for

    if seed is not None:
        seed = resolve_seed(seed)  # a clear error for a negative or non-integer seed
    sc = load_scenario(scenario)
    spec = get_model(model)
    choice = None
    if spec.name == ENSEMBLE:
        choice = weights_for(params.pop("weights", "fitted"))
        params["weights"] = choice.weights
    elif "weights" in params:
        raise RealpolitikError(f"weights apply to the ensemble only, not to {spec.name!r}",
                               options=("weights",))
    inp = to_input(sc, positions=positions)
    costs = estimate(spec, member_specs() if spec.name == ENSEMBLE else [], inp.n_actors,
                     inp.n_issues)
    if not allow_slow:
        _refuse_slow(spec, costs, inp)
    total = sum(costs.values())
    stage = f"{spec.name}: point forecast ({describe(total)}, estimated)"
    if total > REPORT_AFTER_S:
        report(progress, cancel, stage, 0, 1)
    outcome = run_model(spec, inp, seed=seed, backend=backend, device=device,
                        params=dict(params), trace=trace)
    if total > REPORT_AFTER_S:
        report(progress, cancel, stage, 1, 1)
    sampled = None
    if samples is not None:
        from realpolitik.uncertainty.montecarlo import simulate

        sampled = simulate(sc, spec, samples, seed, positions=positions, chunk_size=chunk_size,
                           backend=backend, device=device, workers=workers, progress=progress,
                           cancel=cancel, params=dict(params))
    return ForecastResult(sc, spec.name, seed, positions, inp, outcome, dict(params), sampled,
                          choice, calibration_for(spec.name, choice))


def _refuse_slow(spec: ModelSpec, costs: dict[str, float], inp: BargainingInput) -> None:
    """A clear error naming the models estimated to exceed the limit, and how to skip them."""
    slow = {name: secs for name, secs in costs.items() if secs > SLOW_LIMIT_S}
    if not slow:
        return
    names = ", ".join(f"{name} ({describe(secs)})" for name, secs in slow.items())
    fast = [s.name for s in list_models() if s.name not in slow and s.name != ENSEMBLE]
    within = f" (the {spec.name} runs every member)" if spec.name == ENSEMBLE else ""
    raise RealpolitikError(
        f"{names} would take too long on this scenario ({inp.n_actors} actors, "
        f"{inp.n_issues} issues; the limit is {SLOW_LIMIT_S:.0f} s){within}. Skip it by "
        f"forecasting with another model (model= one of {', '.join(fast)}), or run it anyway "
        "with allow_slow=True", options=("model", "allow_slow"))
