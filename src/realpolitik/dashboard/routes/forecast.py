"""Point forecasts, answered at once (a batch of one per model)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, HTTPException

from realpolitik.api import band_of
from realpolitik.api.models import resolve_models
from realpolitik.api.report import point_forecast
from realpolitik.api.scenario import degenerate_inputs
from realpolitik.dashboard.bodies import ForecastIn
from realpolitik.dashboard.deps import StoreDep
from realpolitik.errors import ModelError
from realpolitik.jsonsafe import json_safe

router = APIRouter()


def chosen_models(names: Sequence[str]) -> list[str]:
    """The registered names of ``names`` (every model when empty); 400 for an unknown one."""
    try:
        return resolve_models(names)
    except ModelError as exc:
        raise HTTPException(400, str(exc)) from None


@router.post("/api/forecast", summary="Point forecasts of every chosen model (immediate)")
def forecast(body: ForecastIn, store: StoreDep) -> dict[str, Any]:
    """Each chosen model's point forecast of every issue, and the outcome band it falls in.

    Forecasts that are not finite are `null` (the dashboard's JSON policy).
    """
    sc = store.scenario(body.scenario, body.edit_list())
    out = []
    for name in chosen_models(body.models):
        mf = point_forecast(sc, name, body.seed, body.positions)
        out.append({"model": mf.model, "title": mf.title, "point": dict(mf.point),
                    "band": {i.id: band_of(i, mf.point[i.id]) for i in sc.issues},
                    "past": json_safe(mf.past)})
    return {"scenario": sc.id, "issues": sc.issue_ids, "models": out,
            "warnings": degenerate_inputs(sc, private=body.positions == "private")}
