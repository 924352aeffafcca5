"""The page, and what the dashboard can do: version, subsystems, limits, models."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from realpolitik import __version__
from realpolitik.api.models import models as registered_models
from realpolitik.dashboard import capabilities
from realpolitik.dashboard.deps import SettingsDep, StoreDep

#: The page's files (HTML, script, style), served from the package itself.
STATIC = resources.files("realpolitik.dashboard") / "static"

router = APIRouter()


@router.get("/", include_in_schema=False)
def page() -> FileResponse:
    """The dashboard's page."""
    return FileResponse(str(STATIC / "index.html"), media_type="text/html")


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """No icon (and no 404 in the server's log)."""
    return Response(status_code=204)


@router.get("/api/health", summary="Version and which subsystems are installed")
def health(store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    """Version, subsystems (all ship with realpolitik), Parquet support and the limits."""
    return {"realpolitik": __version__,
            "subsystems": dict.fromkeys(capabilities.SUBSYSTEMS, True),
            "parquet": capabilities.parquet_available(), "scenario_dir": store.folder is not None,
            "max_samples": settings.max_samples, "max_upload_bytes": settings.max_upload_bytes}


@router.get("/api/models", summary="The registered models")
def models() -> list[dict[str, Any]]:
    """Name, title, reference and properties of every registered model."""
    return [{"name": m.name, "title": m.title, "reference": m.reference,
             "stochastic": m.stochastic, "iterative": m.iterative, "cost": m.cost}
            for m in registered_models()]
