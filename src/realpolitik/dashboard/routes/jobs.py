"""Background analyses: start one, follow its progress and get its result, cancel it."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, HTTPException

from realpolitik.api.report import Analysis, Control, analyse
from realpolitik.api.report_export import analysis_json
from realpolitik.api.scenario import Scenario
from realpolitik.dashboard.bodies import JobIn
from realpolitik.dashboard.deps import JobDep, JobsDep, SettingsDep, StoreDep
from realpolitik.dashboard.routes.forecast import chosen_models

router = APIRouter()


def run_analysis(sc: Scenario, models: list[str], body: JobIn, control: Control) -> Analysis:
    """The analysis a job asked for (run in the job's thread)."""
    return analyse(sc, models=models, samples=body.samples, seed=body.seed,
                   positions=body.positions, sections=body.sections, options=body.options,
                   sobol=body.sobol, control=control)


@router.post("/api/jobs", status_code=202, summary="Start a background analysis",
             responses={429: {"description": "Too many jobs"}})
def start_job(body: JobIn, store: StoreDep, jobs: JobsDep,
              settings: SettingsDep) -> dict[str, Any]:
    """Check the request, then queue the analysis; its status (with its id) is the answer."""
    if body.samples > settings.max_samples:
        raise HTTPException(422, f"samples: at most {settings.max_samples:,} per job, got "
                                 f"{body.samples:,}")
    sc = store.scenario(body.scenario, body.edit_list())
    names = chosen_models(body.models)
    return jobs.submit("analysis", partial(run_analysis, sc, names, body)).status()


@router.get("/api/jobs/{job_id}", summary="A job's progress, and its result when done",
            responses={404: {"description": "No such job"}})
def job_status(job: JobDep) -> dict[str, Any]:
    """State, stage and progress; with the result once the job is done."""
    out = job.status()
    if job.state == "done":
        out["result"] = analysis_json(job.result)
    return out


@router.post("/api/jobs/{job_id}/cancel", summary="Cancel a job",
             responses={404: {"description": "No such job"}})
def cancel_job(job: JobDep, jobs: JobsDep) -> dict[str, Any]:
    """Ask the job to stop at its next chunk of work."""
    jobs.cancel(job.id)
    return job.status()
