"""Scenarios: list, open (what the editors need), upload and save."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, UploadFile
from fastapi import Path as PathParam
from starlette.concurrency import run_in_threadpool

from realpolitik.api.labels import in_words
from realpolitik.api.scenario import Scenario, UncertainValue, decode, parse_scenario
from realpolitik.dashboard.bodies import REF_PATTERN, SaveIn
from realpolitik.dashboard.deps import SettingsDep, StoreDep
from realpolitik.dashboard.store import Conflict

router = APIRouter()


def _value_json(v: UncertainValue) -> dict[str, Any]:
    d = v.distribution
    return {"value": v.point, "low": None if d is None else d.low,
            "high": None if d is None else d.high, "kind": None if d is None else d.kind,
            "source": None if v.source is None else v.source.id, "note": v.note}


def _options_json(sc: Scenario) -> list[dict[str, str]]:
    """The policy options of the scenario's ``dynamics`` section, with the status quo."""
    dyn = getattr(sc, "dynamics", None)
    if dyn is None:
        return []
    options = []
    if "status_quo" not in [o.id for o in dyn.options]:
        options.append({"id": "status_quo", "name": "Status quo (no intervention)"})
    options += [{"id": o.id, "name": o.name} for o in dyn.options]
    if dyn.forecast is not None:
        options.append({"id": "forecast", "name": "Bargaining forecast sets the "
                                                  + in_words(sc, dyn.forecast.variable)})
    return options


def scenario_json(ref: str, sc: Scenario) -> dict[str, Any]:
    """What the page needs to draw a scenario's editors."""
    caps = [a.capability.point for a in sc.actors]
    return {
        "ref": ref, "id": sc.id, "title": sc.title, "as_of": sc.as_of.isoformat(),
        "description": sc.description,
        "capability_max": max(100.0, math.ceil(max(caps) * 1.5 / 10) * 10),
        "issues": [{"id": i.id, "name": i.name, "scale": list(i.scale),
                    "status_quo": i.status_quo.point,
                    "anchors": [{"value": a.value, "label": a.label} for a in i.anchors],
                    "bands": [{"name": b.name, "low": b.low, "high": b.high} for b in i.bands]}
                   for i in sc.issues],
        "actors": [{"id": a.id, "name": a.name, "kind": a.kind,
                    "capability": _value_json(a.capability),
                    "positions": {k: _value_json(v) for k, v in a.positions.items()},
                    "salience": {k: _value_json(v) for k, v in a.salience.items()}}
                   for a in sc.actors],
        "options": _options_json(sc),
        "has_deal": getattr(sc, "deal", None) is not None,
        "timeline": len(sc.timeline), "sources": len(sc.sources),
    }


@router.get("/api/scenarios", summary="Scenarios that can be opened")
def scenarios(store: StoreDep) -> list[dict[str, Any]]:
    """Every scenario: built-in, in the folder, uploaded."""
    return [e.json() for e in store.entries()]


@router.get("/api/scenarios/{ref}", summary="A scenario's issues, actors and inputs",
            responses={404: {"description": "No such scenario"},
                       422: {"description": "The scenario has problems"}})
def scenario(ref: Annotated[str, PathParam(pattern=REF_PATTERN, max_length=80)],
             store: StoreDep) -> dict[str, Any]:
    """The scenario `ref` as the page's editors need it."""
    return scenario_json(ref, store.scenario(ref))


@router.post("/api/scenarios", status_code=201, summary="Upload a scenario file (YAML or JSON)",
             responses={409: {"description": "Name taken"}, 413: {"description": "Too large"},
                        422: {"description": "The scenario has problems (listed)"}})
async def upload(
    file: Annotated[UploadFile, File(description="A scenario file (YAML or JSON).")],
    store: StoreDep,
    settings: SettingsDep,
    name: Annotated[str | None, Form(max_length=69, description="Name to save it under "
                                     "(default: the scenario's id).")] = None,
    overwrite: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    """Validate an uploaded file and keep it (in the folder, or in memory without one)."""
    limit = settings.max_upload_bytes
    label = Path(file.filename or "upload.yaml").name[:80] or "upload.yaml"
    content = await file.read(limit + 1)
    if len(content) > limit:
        raise HTTPException(413, f"{label} is larger than the limit of {limit:,} bytes")
    text = decode(content, label)
    sc = await run_in_threadpool(parse_scenario, text, label)  # keep the event loop free
    ref = store.add(name or sc.id, text, overwrite=overwrite)
    stem = ref.split(":", 1)[1]
    saved = (f"Saved as {ref}: {store.folder / (stem + '.yaml')} in the scenario folder"
             if store.folder is not None else
             f"Kept in memory as {ref} until the server stops (start the dashboard with "
             "--scenario-dir to keep uploads in a folder)")
    return {"ref": ref, "id": sc.id, "title": sc.title, "saved": saved}


@router.post("/api/scenarios/save", status_code=201,
             summary="Save a (possibly edited) scenario to the scenario folder",
             responses={409: {"description": "No scenario folder, or name taken"},
                        422: {"description": "Invalid name or edits"}})
def save(body: SaveIn, store: StoreDep) -> dict[str, Any]:
    """Write the (edited) scenario to the folder under `name`."""
    if store.folder is None:
        raise Conflict("the dashboard was started without --scenario-dir: there is no "
                       "folder to save scenarios to")
    store.scenario(body.scenario, body.edit_list())  # the source valid by its own file's rules
    text = store.edited_text(body.scenario, body.edit_list())
    parse_scenario(text, f"{body.name}.yaml")  # and valid as the YAML file it is saved as
    return {"ref": store.add(body.name, text, overwrite=body.overwrite)}
