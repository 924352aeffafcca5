"""Background jobs of the dashboard: long runs with an id, progress, a result and cancellation.

A job runs a function ``fn(control)`` in a small thread pool. The function reports progress
through its :class:`~realpolitik.api.report.Control` and stops at the next chunk once the
job is cancelled. Finished jobs are kept (the newest :data:`KEEP`) so that their results can be
fetched and downloaded.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from realpolitik.api.report import Cancelled, Control
from realpolitik.dashboard.encoding import problem_json
from realpolitik.errors import RealpolitikError, ScenarioError

#: Finished jobs kept for their results.
KEEP = 32
#: Jobs that may wait or run at once; more are refused until some finish.
MAX_ACTIVE = 8

State = Literal["queued", "running", "done", "cancelled", "failed"]


@dataclass
class Job:
    """One background run."""

    id: str
    kind: str
    state: State = "queued"
    stage: str = "queued"
    progress: float = 0.0
    error: str | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)
    result: Any = None
    created: float = field(default_factory=time.time)
    finished: float | None = None
    cancel_event: threading.Event = field(default_factory=threading.Event)

    @property
    def active(self) -> bool:
        """Whether the job is waiting or running."""
        return self.state in ("queued", "running")

    def status(self) -> dict[str, Any]:
        """The job's state for the API (without its result)."""
        return {
            "id": self.id, "kind": self.kind, "state": self.state, "stage": self.stage,
            "progress": round(self.progress, 4), "error": self.error, "problems": self.problems,
            "created": self.created, "finished": self.finished,
        }


class TooManyJobs(RealpolitikError):
    """More jobs were asked for than may wait or run at once."""


class JobManager:
    """Runs jobs in a thread pool and keeps the recent ones."""

    def __init__(self, workers: int = 1, keep: int = KEEP, max_active: int = MAX_ACTIVE):
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._keep = keep
        self._max_active = max_active

    def submit(self, kind: str, fn: Callable[[Control], Any]) -> Job:
        """Queue ``fn`` as a new job and return it."""
        with self._lock:
            if sum(j.active for j in self._jobs.values()) >= self._max_active:
                raise TooManyJobs(f"{self._max_active} jobs are already waiting or running; "
                                  "cancel one or wait")
            job = Job(uuid.uuid4().hex, kind)
            self._jobs[job.id] = job
            self._trim()
            if self._pool is None:  # started on first use, and again after a shutdown
                self._pool = ThreadPoolExecutor(max_workers=self._workers,
                                                thread_name_prefix="realpolitik-job")
            self._pool.submit(self._run, job, fn)
        return job

    def _trim(self) -> None:
        done = [j.id for j in self._jobs.values() if not j.active]
        for jid in done[: max(0, len(self._jobs) - self._keep)]:
            del self._jobs[jid]

    def _run(self, job: Job, fn: Callable[[Control], Any]) -> None:
        if job.cancel_event.is_set():
            self._finish(job, "cancelled")
            return
        job.state = "running"

        def progress(stage: str, fraction: float) -> None:
            job.stage = stage
            job.progress = fraction

        try:
            job.result = fn(Control(cancel=job.cancel_event, on_progress=progress))
        except Cancelled:
            self._finish(job, "cancelled")
        except ScenarioError as exc:
            job.problems = [problem_json(p) for p in exc.problems]
            job.error = str(exc)
            self._finish(job, "failed")
        except RealpolitikError as exc:
            job.error = str(exc)
            self._finish(job, "failed")
        except Exception as exc:  # a bug: report it in the job rather than lose it in a thread
            job.error = f"internal error: {type(exc).__name__}: {exc}"
            self._finish(job, "failed")
        else:
            job.progress = 1.0
            self._finish(job, "done")

    def _finish(self, job: Job, state: State) -> None:
        job.state = state
        job.stage = state
        job.finished = time.time()

    def get(self, job_id: str) -> Job | None:
        """The job with this id, if it is still kept."""
        with self._lock:
            return self._jobs.get(job_id)

    def cancel(self, job_id: str) -> Job | None:
        """Ask a job to stop; it ends at its next progress report."""
        job = self.get(job_id)
        if job is not None and job.active:
            job.cancel_event.set()
            if job.state == "queued":
                job.stage = "cancelling"
        return job

    def shutdown(self) -> None:
        """Cancel every job and stop the pool (a later job starts a new one)."""
        with self._lock:
            for job in self._jobs.values():
                job.cancel_event.set()
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

