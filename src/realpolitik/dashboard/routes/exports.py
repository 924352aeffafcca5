"""Downloads: an (edited) scenario as YAML, a finished job's numbers as CSV or Parquet."""

from __future__ import annotations

import io
from typing import Literal

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

from realpolitik.api.report_export import results_frame
from realpolitik.dashboard import capabilities
from realpolitik.dashboard.bodies import ScenarioIn
from realpolitik.dashboard.deps import JobDep, StoreDep

router = APIRouter()


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.post("/api/export/yaml", summary="Download a (possibly edited) scenario as YAML",
             response_class=Response,
             responses={200: {"content": {"application/yaml": {}}}})
def export_yaml(body: ScenarioIn, store: StoreDep) -> Response:
    """The scenario's text, with the edits applied (the file's own text without edits)."""
    sc = store.scenario(body.scenario, body.edit_list())  # validates the edits
    text = store.edited_text(body.scenario, body.edit_list())
    name = sc.id + ("-edited" if body.edits else "")
    return Response(text, media_type="application/yaml", headers=_attachment(f"{name}.yaml"))


@router.get("/api/jobs/{job_id}/results.{fmt}",
            summary="A finished job's numbers (CSV or Parquet)",
            response_class=Response,
            responses={200: {"content": {"text/csv": {}, "application/vnd.apache.parquet": {}}},
                       404: {"description": "No such job"},
                       409: {"description": "The job has not finished"},
                       501: {"description": "Parquet needs pyarrow"}})
def job_results(job: JobDep, fmt: Literal["csv", "parquet"]) -> Response:
    """One row per number of the analysis: section, subject, item, month, statistic, value, text."""
    if job.state != "done":
        raise HTTPException(409, f"job {job.id} is {job.state}, not done")
    frame = results_frame(job.result)
    name = f"{job.result.scenario.id}-results"
    if fmt == "csv":
        return Response(frame.to_csv(index=False, float_format="%.6g"), media_type="text/csv",
                        headers=_attachment(f"{name}.csv"))
    if not capabilities.parquet_available():
        raise HTTPException(501, "Parquet output needs pyarrow: pip install 'realpolitik[parquet]'")
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return Response(buf.getvalue(), media_type="application/vnd.apache.parquet",
                    headers=_attachment(f"{name}.parquet"))
