"""The dashboard's JSON API (FastAPI; the OpenAPI spec is served at ``/openapi.json``) and its page.

Every request names a scenario by reference (see :mod:`realpolitik.dashboard.store`) and may carry
``edits`` (positions, saliences, capabilities); edits are applied to a copy of the scenario's data
and validated like any file, so a built-in scenario on disk is never changed. Point forecasts
answer at once; Monte Carlo runs, policy options and the deal run as background jobs
(``POST /api/jobs``) with progress (``GET /api/jobs/{id}``) and cancellation
(``POST /api/jobs/{id}/cancel``).

Security: the server binds to 127.0.0.1 unless told otherwise and has no login. Requests whose
``Host`` is not an allowed name are refused (against DNS rebinding), and state-changing requests
from another origin are refused (against cross-site requests from pages in the same browser).
Uploads are size-limited and read with the project's safe YAML reader (no object tags, no alias
bombs); saved names cannot leave the scenario folder.
"""

from __future__ import annotations

import io
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from realpolitik import __version__
from realpolitik.api.report import SECTIONS, Control, analyse, has_module, model_names
from realpolitik.api.report_export import analysis_json, results_frame
from realpolitik.dashboard.jobs import JobManager, TooManyJobs, problem_json
from realpolitik.dashboard.store import MAX_UPLOAD_BYTES, Conflict, NotFound, ScenarioStore
from realpolitik.errors import ModelError, Problem, RealpolitikError, ScenarioError
from realpolitik.scenario.edits import Edit, apply_edits, dump_yaml
from realpolitik.scenario.loader import parse_scenario
from realpolitik.scenario.schema import Scenario
from realpolitik.scenario.values import UncertainValue

#: Largest number of Monte Carlo samples one job may ask for.
MAX_SAMPLES = 20_000
#: Most edits one request may carry.
MAX_EDITS = 500

_STATIC = resources.files("realpolitik.dashboard") / "static"
_REF = r"^(builtin|user|upload):[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"
_JOB_ID = r"^[0-9a-f]{32}$"


# ------------------------------------------------------------------------------------------
# request bodies
class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EditIn(_Body):
    """Set one input of one actor."""

    actor: str = Field(min_length=1, max_length=100, description="Actor id.")
    field: Literal["position", "salience", "capability"]
    issue: str | None = Field(default=None, max_length=100,
                              description="Issue id (position and salience only).")
    value: float = Field(ge=-1e9, le=1e9, allow_inf_nan=False)

    def edit(self) -> Edit:
        return Edit(self.actor, self.field, self.value, self.issue)


class ScenarioIn(_Body):
    """A scenario reference with optional edits."""

    scenario: str = Field(pattern=_REF, max_length=80, examples=["builtin:iraq-2024"])
    edits: list[EditIn] = Field(default_factory=list, max_length=MAX_EDITS)

    def edit_list(self) -> list[Edit]:
        return [e.edit() for e in self.edits]


class ForecastIn(ScenarioIn):
    """A point forecast request."""

    models: list[str] = Field(default_factory=list, max_length=20,
                              description="Model names (default: every registered model).")
    positions: Literal["stated", "private"] = "stated"
    seed: int = Field(default=0, ge=0, le=2**32 - 1)


class JobIn(ForecastIn):
    """A background analysis: Monte Carlo forecasts, drivers, pivotal actors, options, the deal."""

    samples: int = Field(default=200, ge=0, le=MAX_SAMPLES)
    sections: list[Literal["forecast", "drivers", "power", "dynamics", "deal"]] = Field(
        default_factory=lambda: list(SECTIONS), max_length=5)
    options: list[str] | None = Field(default=None, max_length=50,
                                      description="Policy option ids (default: all).")
    sobol: int = Field(default=0, ge=0, le=1024,
                       description="Base samples of Sobol indices by actor (0: swings only).")


class SaveIn(ScenarioIn):
    """Save a (possibly edited) scenario under a name in the scenario folder."""

    name: str = Field(min_length=1, max_length=69, examples=["my-scenario"])
    overwrite: bool = False


# ------------------------------------------------------------------------------------------
def _value_json(v: UncertainValue) -> dict[str, Any]:
    d = v.distribution
    return {"value": v.point, "low": None if d is None else d.low,
            "high": None if d is None else d.high, "kind": None if d is None else d.kind,
            "source": None if v.source is None else v.source.id, "note": v.note}


def scenario_json(ref: str, sc: Scenario) -> dict[str, Any]:
    """What the page needs to draw a scenario's editors."""
    dyn = getattr(sc, "dynamics", None)
    options = []
    if dyn is not None:
        ids = [o.id for o in dyn.options]
        if "status_quo" not in ids:
            options.append({"id": "status_quo", "name": "Status quo (no intervention)"})
        options += [{"id": o.id, "name": o.name} for o in dyn.options]
        if dyn.forecast is not None:
            options.append({"id": "forecast", "name": "Bargaining forecast sets the "
                                                      f"{dyn.forecast.variable}"})
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
        "options": options,
        "has_deal": getattr(sc, "deal", None) is not None,
        "timeline": len(sc.timeline), "sources": len(sc.sources),
    }


def _problems_response(exc: ScenarioError, status: int = 422) -> JSONResponse:
    return JSONResponse({"detail": str(exc), "problems": [problem_json(p) for p in exc.problems]},
                        status_code=status)


def _json_safe(x: Any) -> Any:
    """``x`` with every non-finite float replaced by its text (JSON has no NaN or infinity)."""
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    if isinstance(x, list | tuple):
        return [_json_safe(v) for v in x]
    if isinstance(x, dict):
        return {k: _json_safe(v) for k, v in x.items()}
    return x


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin:
        return True
    host = request.headers.get("host", "")
    try:
        return urlsplit(origin).netloc.lower() == host.lower()
    except ValueError:
        return False



def _detail_handler(status: int) -> Any:
    """An exception handler answering ``{"detail": str(exc)}`` with ``status``."""

    async def handler(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=status)

    return handler

def create_app(scenario_dir: Path | None = None, *, allowed_hosts: list[str] | None = None,
               max_upload_bytes: int = MAX_UPLOAD_BYTES, max_samples: int = MAX_SAMPLES,
               workers: int = 1) -> FastAPI:
    """The dashboard application.

    ``scenario_dir``: folder of the user's scenarios (listed and written); without it uploads
    stay in memory. ``allowed_hosts``: accepted ``Host`` names (None accepts any; the CLI passes
    the local names when it binds to a local address). ``max_samples``: most Monte Carlo
    samples a job may ask for (at most :data:`MAX_SAMPLES`).
    """
    store = ScenarioStore(scenario_dir)
    jobs = JobManager(workers=workers)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.shutdown()

    api = FastAPI(
        title="realpolitik dashboard", version=__version__, lifespan=lifespan,
        docs_url=None, redoc_url=None,  # their pages load scripts from a CDN: the spec suffices
        description="Forecast a scenario with every model, edit its inputs, compare policy options "
                    "over time and see the deal. Scenarios are named builtin:NAME, user:NAME or "
                    "upload:NAME.",
    )
    api.state.store = store
    api.state.jobs = jobs

    if allowed_hosts is not None:
        from starlette.middleware.trustedhost import TrustedHostMiddleware

        api.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)

    @api.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        if request.method not in ("GET", "HEAD", "OPTIONS") and not _same_origin(request):
            return JSONResponse({"detail": "cross-origin requests are refused"}, status_code=403)
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > max_upload_bytes + 65_536:
            return JSONResponse({"detail": f"request body over the limit of {max_upload_bytes:,} "
                                           "bytes"}, status_code=413)
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
        return response

    @api.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        # the default handler echoes the input, which may hold NaN: JSON cannot carry it
        return JSONResponse({"detail": _json_safe(jsonable_encoder(exc.errors()))},
                            status_code=422)

    @api.exception_handler(ScenarioError)
    async def _scenario_error(request: Request, exc: ScenarioError) -> JSONResponse:
        return _problems_response(exc)

    # User errors: their message as `detail`, with the status code that fits (handlers are
    # looked up along the exception's class hierarchy, so the most specific one wins).
    for error, status in ((NotFound, 404), (Conflict, 409), (TooManyJobs, 429),
                          (RealpolitikError, 400)):
        api.add_exception_handler(error, _detail_handler(status))

    # -- page --------------------------------------------------------------------------------
    api.mount("/static", StaticFiles(directory=str(_STATIC)), name="static")

    @api.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(str(_STATIC / "index.html"), media_type="text/html")

    @api.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    # -- metadata ----------------------------------------------------------------------------
    @api.get("/api/health", summary="Version and which subsystems are installed")
    def health() -> dict[str, Any]:
        subsystems = {
            "monte_carlo": has_module("realpolitik.uncertainty.sampling"),
            "sensitivity": has_module("realpolitik.uncertainty.sensitivity"),
            "power": has_module("realpolitik.uncertainty.power"),
            "dynamics": has_module("realpolitik.dynamics.model"),
            "deal": has_module("realpolitik.deal.api"),
        }
        return {"realpolitik": __version__, "subsystems": subsystems,
                "parquet": has_module("pyarrow"), "scenario_dir": store.folder is not None,
                "max_samples": max_samples, "max_upload_bytes": max_upload_bytes}

    @api.get("/api/models", summary="The registered models")
    def models() -> list[dict[str, Any]]:
        from realpolitik.models.registry import list_models

        return [{"name": s.name, "title": s.title, "reference": s.reference,
                 "stochastic": s.stochastic, "iterative": s.iterative, "cost": s.cost}
                for s in list_models()]

    # -- scenarios ---------------------------------------------------------------------------
    @api.get("/api/scenarios", summary="Scenarios that can be opened")
    def scenarios() -> list[dict[str, Any]]:
        return [e.json() for e in store.entries()]

    @api.get("/api/scenarios/{ref}", summary="A scenario's issues, actors and inputs",
             responses={404: {"description": "No such scenario"},
                        422: {"description": "The scenario has problems"}})
    def scenario(ref: Annotated[str, PathParam(pattern=_REF, max_length=80)]) -> dict[str, Any]:
        return scenario_json(ref, store.scenario(ref))

    @api.post("/api/scenarios", status_code=201, summary="Upload a scenario file (YAML or JSON)",
              responses={409: {"description": "Name taken"}, 413: {"description": "Too large"},
                         422: {"description": "The scenario has problems (listed)"}})
    async def upload(
        file: Annotated[UploadFile, File(description="A scenario file (YAML or JSON).")],
        name: Annotated[str | None, Form(max_length=69, description="Name to save it under "
                                         "(default: the scenario's id).")] = None,
        overwrite: Annotated[bool, Form()] = False,
    ) -> dict[str, Any]:
        label = Path(file.filename or "upload.yaml").name[:80] or "upload.yaml"
        content = await file.read(max_upload_bytes + 1)
        if len(content) > max_upload_bytes:
            raise HTTPException(413, f"{label} is larger than the limit of "
                                     f"{max_upload_bytes:,} bytes")
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ScenarioError([Problem(label, None, "", f"is not UTF-8 text (byte {exc.start})")]
                                ) from None
        sc = await run_in_threadpool(parse_scenario, text, label)  # keep the event loop free
        ref = store.add(name or sc.id, text, overwrite=overwrite)
        return {"ref": ref, "id": sc.id, "title": sc.title}

    @api.post("/api/scenarios/save", status_code=201,
              summary="Save a (possibly edited) scenario to the scenario folder",
              responses={409: {"description": "No scenario folder, or name taken"},
                         422: {"description": "Invalid name or edits"}})
    def save(body: SaveIn) -> dict[str, Any]:
        if store.folder is None:
            raise Conflict("the dashboard was started without --scenario-dir: there is no "
                           "folder to save scenarios to")
        text = _edited_text(body)
        parse_scenario(text, body.name)
        return {"ref": store.add(body.name, text, overwrite=body.overwrite)}

    def _edited_text(body: ScenarioIn) -> str:
        if not body.edits:
            return store.text(body.scenario)[0]
        data, file = store.data(body.scenario)
        return dump_yaml(apply_edits(data, body.edit_list(), file))

    @api.post("/api/export/yaml", summary="Download a (possibly edited) scenario as YAML",
              response_class=Response,
              responses={200: {"content": {"application/yaml": {}}}})
    def export_yaml(body: ScenarioIn) -> Response:
        sc = store.scenario(body.scenario, body.edit_list())  # validates the edits
        text = _edited_text(body)
        name = sc.id + ("-edited" if body.edits else "")
        return Response(text, media_type="application/yaml",
                        headers={"Content-Disposition": f'attachment; filename="{name}.yaml"'})

    # -- forecasts ---------------------------------------------------------------------------
    def _models(names: list[str]) -> list[str]:
        from realpolitik.models.registry import get_model

        try:
            return [get_model(m).name for m in names] if names else model_names()
        except ModelError as exc:
            raise HTTPException(400, str(exc)) from None

    @api.post("/api/forecast", summary="Point forecasts of every chosen model (immediate)")
    def forecast(body: ForecastIn) -> dict[str, Any]:
        from realpolitik.api import band_of
        from realpolitik.api.report import point_forecast

        sc = store.scenario(body.scenario, body.edit_list())
        out = []
        for name in _models(body.models):
            mf = point_forecast(sc, name, body.seed, body.positions)
            out.append({"model": mf.model, "title": mf.title,
                        "point": {k: v if math.isfinite(v) else None for k, v in mf.point.items()},
                        "band": {i.id: band_of(i, mf.point[i.id]) for i in sc.issues}})
        return {"scenario": sc.id, "issues": sc.issue_ids, "models": out}

    # -- jobs --------------------------------------------------------------------------------
    @api.post("/api/jobs", status_code=202, summary="Start a background analysis",
              responses={429: {"description": "Too many jobs"}})
    def start_job(body: JobIn) -> dict[str, Any]:
        if body.samples > max_samples:
            raise HTTPException(422, f"samples: at most {max_samples:,} per job, got "
                                     f"{body.samples:,}")
        sc = store.scenario(body.scenario, body.edit_list())
        names = _models(body.models)

        def run(control: Control) -> Any:
            an = analyse(sc, models=names, samples=body.samples, seed=body.seed,
                         positions=body.positions, sections=body.sections,
                         options=body.options, sobol=body.sobol, control=control)
            return an

        return jobs.submit("analysis", run).status()

    def _job(job_id: str) -> Any:
        job = jobs.get(job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id!r} (finished jobs are kept for a while)")
        return job

    @api.get("/api/jobs/{job_id}", summary="A job's progress, and its result when done",
             responses={404: {"description": "No such job"}})
    def job_status(job_id: Annotated[str, PathParam(pattern=_JOB_ID)]) -> dict[str, Any]:
        job = _job(job_id)
        out = job.status()
        if job.state == "done":
            out["result"] = analysis_json(job.result)
        return out

    @api.post("/api/jobs/{job_id}/cancel", summary="Cancel a job",
              responses={404: {"description": "No such job"}})
    def cancel_job(job_id: Annotated[str, PathParam(pattern=_JOB_ID)]) -> dict[str, Any]:
        _job(job_id)
        return jobs.cancel(job_id).status()  # type: ignore[union-attr]

    @api.get("/api/jobs/{job_id}/results.{fmt}", summary="A finished job's numbers (CSV or Parquet)",
             response_class=Response,
             responses={200: {"content": {"text/csv": {}, "application/vnd.apache.parquet": {}}},
                        404: {"description": "No such job"},
                        409: {"description": "The job has not finished"},
                        501: {"description": "Parquet needs pyarrow"}})
    def job_results(job_id: Annotated[str, PathParam(pattern=_JOB_ID)],
                    fmt: Literal["csv", "parquet"]) -> Response:
        job = _job(job_id)
        if job.state != "done":
            raise HTTPException(409, f"job {job_id} is {job.state}, not done")
        frame = results_frame(job.result)
        name = f"{job.result.scenario.id}-results"
        if fmt == "csv":
            return Response(frame.to_csv(index=False, float_format="%.6g"), media_type="text/csv",
                            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
        if not has_module("pyarrow"):
            raise HTTPException(501, "Parquet output needs pyarrow: pip install pyarrow")
        buf = io.BytesIO()
        frame.to_parquet(buf, index=False)
        return Response(buf.getvalue(), media_type="application/vnd.apache.parquet",
                        headers={"Content-Disposition": f'attachment; filename="{name}.parquet"'})

    return api
