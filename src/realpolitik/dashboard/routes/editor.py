"""The scenario editor: its page, and checking, forecasting, saving and downloading a document.

The editor works on a scenario *document* (the mapping a scenario file holds, as JSON), kept in
the browser. Every change is checked here with the messages of ``realpolitik validate`` (file,
field, value); a document is saved to the scenario folder as YAML, never over a built-in, and
downloads as YAML or as an .xlsx workbook.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Query, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from realpolitik.api.report import point_forecast
from realpolitik.api.scenario import (
    Scenario,
    decode,
    degenerate_inputs,
    dump_yaml,
    parse_document,
    parse_scenario,
    template_text,
    unsourced_inputs,
    workbook_bytes,
)
from realpolitik.dashboard.bodies import REF_PATTERN
from realpolitik.dashboard.deps import SettingsDep, StoreDep
from realpolitik.dashboard.routes.meta import STATIC
from realpolitik.dashboard.store import Conflict
from realpolitik.errors import Problem, ScenarioError

router = APIRouter()

#: The models the editor's quick forecast runs (fast ones: the answer comes at once).
EDITOR_MODELS = ("median", "compromise")


class DocIn(BaseModel):
    """A scenario document as the editor holds it."""

    model_config = ConfigDict(extra="forbid")
    doc: dict[str, Any] = Field(description="The scenario's fields, as in a YAML file.")


class SaveDocIn(DocIn):
    """Save a document under a name in the scenario folder."""

    name: str = Field(min_length=1, max_length=69, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    overwrite: bool = False


def _plain(data: Any) -> Any:
    """Data as JSON types (dates as ISO text)."""
    return json.loads(json.dumps(data, default=str))


def _label(doc: dict[str, Any]) -> str:
    ident = doc.get("id")
    return f"{ident}.yaml" if isinstance(ident, str) and ident else "scenario.yaml"


def _scenario(doc: dict[str, Any]) -> tuple[Scenario, str]:
    """The validated scenario of a document and its YAML text; ScenarioError lists problems."""
    text = dump_yaml(doc)
    return parse_scenario(text, _label(doc)), text


@router.get("/editor", include_in_schema=False)
def editor_page() -> FileResponse:
    """The editor's page."""
    return FileResponse(str(STATIC / "editor.html"), media_type="text/html")


@router.get("/api/editor/template", summary="A starter scenario document")
def template(name: Annotated[str, Query(max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")] = "my-scenario",
             empty: bool = False) -> dict[str, Any]:
    """The template of `realpolitik new` (two actors, one issue), or an empty document."""
    if empty:
        return {"doc": {"id": name, "title": name, "as_of": _today(), "sources": [],
                        "issues": [], "actors": [], "relations": []}}
    data, _ = parse_document(template_text(name), f"{name}.yaml")
    return {"doc": _plain(data)}


def _today() -> str:
    import datetime as dt

    return dt.date.today().isoformat()


@router.get("/api/editor/doc/{ref}", summary="A scenario's document, to edit",
            responses={404: {"description": "No such scenario"}})
def document(ref: Annotated[str, PathParam(pattern=REF_PATTERN, max_length=80)],
             store: StoreDep) -> dict[str, Any]:
    """The document of scenario `ref`; `read_only` for a built-in (save it as a copy)."""
    data, _ = store.data(ref)
    return {"doc": _plain(data), "read_only": ref.startswith("builtin:")}


@router.post("/api/editor/read", summary="Read an uploaded YAML/JSON file into a document",
             responses={413: {"description": "Too large"},
                        422: {"description": "Not a scenario file (problems listed)"}})
async def read(file: Annotated[UploadFile, File(description="A scenario file (YAML or JSON).")],
               settings: SettingsDep) -> dict[str, Any]:
    """The document of an uploaded file, to edit (nothing is stored)."""
    limit = settings.max_upload_bytes
    label = (file.filename or "upload.yaml").rsplit("/", 1)[-1][:80] or "upload.yaml"
    content = await file.read(limit + 1)
    if len(content) > limit:
        raise HTTPException(413, f"{label} is larger than the limit of {limit:,} bytes")
    data, _ = parse_document(decode(content, label), label)
    if not isinstance(data, dict):
        raise ScenarioError([Problem(label, 1, "", "expected a mapping of scenario fields at "
                                     "the top level", type(data).__name__, True)])
    return {"doc": _plain(data)}


@router.post("/api/editor/check", summary="Check a document like `realpolitik validate`")
def check(body: DocIn) -> dict[str, Any]:
    """Every problem of the document (as `validate` words it), and its warnings."""
    try:
        sc, _ = _scenario(body.doc)
    except ScenarioError as exc:
        return {"ok": False, "problems": [str(p) for p in exc.problems], "warnings": []}
    return {"ok": True, "problems": [],
            "warnings": [*degenerate_inputs(sc), *unsourced_inputs(sc)]}


@router.post("/api/editor/forecast", summary="Point forecasts of a document",
             responses={422: {"description": "The document has problems (listed)"}})
def forecast(body: DocIn) -> dict[str, Any]:
    """The quick models' point forecast of every issue of the document."""
    sc, _ = _scenario(body.doc)
    models = []
    for name in EDITOR_MODELS:
        mf = point_forecast(sc, name, 0, "stated")
        models.append({"model": mf.model, "title": mf.title, "point": dict(mf.point)})
    return {"scenario": sc.id, "issues": sc.issue_ids, "models": models}


@router.post("/api/editor/save", status_code=201, summary="Save a document to the scenario folder",
             responses={409: {"description": "No scenario folder, or name taken"},
                        422: {"description": "The document has problems (listed)"}})
def save(body: SaveDocIn, store: StoreDep) -> dict[str, Any]:
    """Write the document as NAME.yaml in the folder (built-ins are never overwritten)."""
    if store.folder is None:
        raise Conflict("the dashboard was started without --scenario-dir: there is no folder "
                       "to save scenarios to (download the YAML instead)")
    _, text = _scenario(body.doc)
    return {"ref": store.add(body.name, text, overwrite=body.overwrite)}


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.post("/api/editor/download.yaml", summary="A document as a YAML file",
             response_class=Response, responses={200: {"content": {"application/yaml": {}}},
                                                 422: {"description": "Problems (listed)"}})
def download_yaml(body: DocIn) -> Response:
    """The validated document as YAML."""
    sc, text = _scenario(body.doc)
    return Response(text, media_type="application/yaml", headers=_attachment(f"{sc.id}.yaml"))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.post("/api/editor/download.xlsx", summary="A document as an .xlsx workbook",
             response_class=Response, responses={200: {"content": {XLSX: {}}},
                                                 422: {"description": "Problems (listed)"}})
def download_xlsx(body: DocIn) -> Response:
    """The validated document as a workbook (the sheets of `realpolitik export-xlsx`)."""
    sc, _ = _scenario(body.doc)
    return Response(workbook_bytes(sc), media_type=XLSX, headers=_attachment(f"{sc.id}.xlsx"))
