"""The dashboard's shared state, reached by routes as FastAPI dependencies.

:func:`realpolitik.dashboard.app.create_app` puts one :class:`ScenarioStore`, one
:class:`JobManager` and the :class:`Settings` on ``app.state``; a route asks for them by type
(``store: StoreDep``) instead of closing over them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi import Path as PathParam

from realpolitik.dashboard.bodies import JOB_ID_PATTERN
from realpolitik.dashboard.jobs import Job, JobManager
from realpolitik.dashboard.settings import Settings
from realpolitik.dashboard.store import ScenarioStore


def get_store(request: Request) -> ScenarioStore:
    """The app's scenario store."""
    store: ScenarioStore = request.app.state.store
    return store


def get_jobs(request: Request) -> JobManager:
    """The app's job manager."""
    jobs: JobManager = request.app.state.jobs
    return jobs


def get_settings(request: Request) -> Settings:
    """The app's limits."""
    settings: Settings = request.app.state.settings
    return settings


StoreDep = Annotated[ScenarioStore, Depends(get_store)]
JobsDep = Annotated[JobManager, Depends(get_jobs)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def existing_job(job_id: Annotated[str, PathParam(pattern=JOB_ID_PATTERN)], jobs: JobsDep) -> Job:
    """The job ``job_id`` of the path; 404 if it is unknown or no longer kept."""
    job = jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id!r} (finished jobs are kept for a while)")
    return job


JobDep = Annotated[Job, Depends(existing_job)]
