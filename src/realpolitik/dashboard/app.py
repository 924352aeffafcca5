"""The dashboard's JSON API (FastAPI; the OpenAPI spec is served at ``/openapi.json``) and its page.

Every request names a scenario by reference (see :mod:`realpolitik.dashboard.store`) and may carry
``edits`` (positions, saliences, capabilities); edits are applied to a copy of the scenario's data
and validated like any file, so a built-in scenario on disk is never changed. Point forecasts
answer at once; Monte Carlo runs, policy options and the deal run as background jobs
(``POST /api/jobs``) with progress (``GET /api/jobs/{id}``) and cancellation
(``POST /api/jobs/{id}/cancel``).

This module only assembles the app: the routes live in :mod:`realpolitik.dashboard.routes` (one
router per concern) and reach the shared state (:class:`~realpolitik.dashboard.store.ScenarioStore`,
:class:`~realpolitik.dashboard.jobs.JobManager`, :class:`~realpolitik.dashboard.settings.Settings`)
on ``app.state`` through the dependencies of :mod:`realpolitik.dashboard.deps`.

Security (:mod:`realpolitik.dashboard.security`): the server binds to 127.0.0.1 unless told
otherwise and has no login. Requests whose ``Host`` is not an allowed name are refused (against DNS
rebinding), and state-changing requests from another origin are refused (against cross-site
requests from pages in the same browser). Uploads are size-limited and read with the project's
safe YAML reader (no object tags, no alias bombs); saved names cannot leave the scenario folder.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from realpolitik.dashboard import security
from realpolitik.dashboard.encoding import SafeJSONResponse
from realpolitik.dashboard.jobs import JobManager
from realpolitik.dashboard.routes import ROUTERS
from realpolitik.dashboard.routes.meta import STATIC
from realpolitik.dashboard.settings import MAX_SAMPLES, MAX_UPLOAD_BYTES, Settings
from realpolitik.dashboard.store import ScenarioStore
from realpolitik.version import __version__

DESCRIPTION = (
    "Forecast a scenario with every model, edit its inputs, compare policy options over time and "
    "see the deal. Scenarios are named builtin:NAME, user:NAME or upload:NAME."
)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Cancel every job when the server stops."""
    yield
    app.state.jobs.shutdown()


def create_app(scenario_dir: Path | None = None, *, allowed_hosts: list[str] | None = None,
               max_upload_bytes: int = MAX_UPLOAD_BYTES, max_samples: int = MAX_SAMPLES,
               workers: int = 1) -> FastAPI:
    """The dashboard application.

    ``scenario_dir``: folder of the user's scenarios (listed and written); without it uploads
    stay in memory. ``allowed_hosts``: accepted ``Host`` names (None accepts any; the CLI passes
    the local names when it binds to a local address). ``max_samples``: most Monte Carlo
    samples a job may ask for (at most :data:`~realpolitik.dashboard.settings.MAX_SAMPLES`).
    """
    app = FastAPI(
        title="realpolitik dashboard", version=__version__, lifespan=lifespan,
        docs_url=None, redoc_url=None,  # their pages load scripts from a CDN: the spec suffices
        description=DESCRIPTION, default_response_class=SafeJSONResponse,
    )
    app.state.store = ScenarioStore(scenario_dir)
    app.state.jobs = JobManager(workers=workers)
    app.state.settings = Settings(max_upload_bytes=max_upload_bytes, max_samples=max_samples)
    security.install(app, allowed_hosts)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    for router in ROUTERS:
        app.include_router(router)
    return app
