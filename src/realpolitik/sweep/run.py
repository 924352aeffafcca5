"""Running a sweep in chunks on Dask (or in this process), saving each chunk, resumable.

The results folder and how a chunk is saved and verified are in :mod:`realpolitik.sweep.store`.
Workers compute chunks and return their Parquet bytes with a checksum; only the driver writes
files, so workers need no shared disk. A chunk's numbers depend only on the spec (seed, design
point, sample numbers), never on which worker ran it or when, so any number of workers gives the
same result, and an interrupted sweep resumes by running only the chunks that are not finished
and whole (a damaged chunk file is found, reported and redone).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from realpolitik.errors import Problem, RealpolitikError, ScenarioError
from realpolitik.progress import Progress
from realpolitik.scenario.schema import Scenario
from realpolitik.sweep.check import (
    DEFAULT_MAX_FORECASTS,
    check_spec,
    not_an_input,
    override_document,
)
from realpolitik.sweep.drive import Watchdog, run_dask, run_here
from realpolitik.sweep.results import load_results, summarise
from realpolitik.sweep.spec import Chunk, DesignPoint, SweepSpec, chunks, design_points
from realpolitik.sweep.store import (
    LAYOUT,
    MANIFEST,
    Encoded,
    encode,
    read_manifest,
    repair_journal,
    save_chunk,
    verify,
    write_atomic,
)

__all__ = ["MANIFEST", "apply_overrides", "encoded_chunk", "finished", "load_results", "prepare",
           "run_chunk", "run_sweep", "summarise"]


# -- one chunk (runs on a worker) -----------------------------------------------------------
def apply_overrides(scenario: Scenario, overrides: dict[str, float]) -> Any:
    """The scenario with the inputs at ``overrides``' paths fixed to numbers (checked)."""
    if not overrides:
        return scenario
    from realpolitik.scenario.schema import Scenario
    from realpolitik.scenario.validate import check_document

    data, missing = override_document(scenario, overrides)
    if missing:
        raise RealpolitikError(not_an_input(missing[0], scenario))
    problems = check_document(data, {}, f"<sweep override of {scenario.id}>")
    if problems:
        raise ScenarioError(problems)
    try:
        return Scenario.model_validate(data)
    except Exception as exc:  # pydantic's ValidationError, reported plainly
        raise ScenarioError([Problem(f"<sweep override of {scenario.id}>", None, "",
                                     str(exc))]) from None


#: The last overridden scenario of this process: (base scenario, overrides, result).
_LAST_OVERRIDE: list[tuple[Scenario, dict[str, float], Scenario]] = []


def _overridden(scenario: Scenario, overrides: dict[str, float]) -> Scenario:
    """:func:`apply_overrides`, remembered for the next chunk of the same point."""
    if _LAST_OVERRIDE:
        base, ov, result = _LAST_OVERRIDE[0]
        if base is scenario and ov == overrides:
            return result
    result = apply_overrides(scenario, overrides)
    _LAST_OVERRIDE[:] = [(scenario, dict(overrides), result)]
    return result


def chunk_columns(spec: SweepSpec, point: DesignPoint, chunk: Chunk,
                  scenario: Scenario) -> dict[str, Any]:
    """The columns of one chunk's long table (one row per sample and issue)."""
    from realpolitik.models.base import BargainingInput
    from realpolitik.models.registry import get_model
    from realpolitik.runner import run_chunks, run_model
    from realpolitik.scenario.arrays import to_input
    from realpolitik.uncertainty.sampling import sample_inputs

    sc = _overridden(scenario, point.overrides)
    spec_model = get_model(point.model)
    if chunk.stop == chunk.start:  # point forecast
        out = run_model(spec_model, to_input(sc, positions=spec.positions), seed=spec.seed,
                        params=point.params)
        values = np.asarray(out.forecast, dtype=float)
        samples = np.array([-1])
    else:
        def make_input(start: int, stop: int) -> BargainingInput:
            return sample_inputs(sc, stop - start, spec.seed, spec.positions, start=start)

        values = run_chunks(spec_model, make_input, chunk.stop - chunk.start, seed=spec.seed,
                            start=chunk.start, params=point.params)
        samples = np.arange(chunk.start, chunk.stop)
    n, d = values.shape
    return {
        "chunk": np.full(n * d, chunk.id, dtype=np.int64),
        "point": np.full(n * d, point.index, dtype=np.int64),
        "scenario": [point.scenario] * (n * d),
        "model": [point.model] * (n * d),
        "sample": np.repeat(samples, d).astype(np.int64),
        "issue": np.tile(np.array(sc.issue_ids, dtype=object), n),
        "forecast": values.reshape(-1),
    }


def run_chunk(spec: SweepSpec, point: DesignPoint, chunk: Chunk, scenario: Scenario) -> pd.DataFrame:
    """The long table (one row per sample and issue) of one chunk."""
    return pd.DataFrame(chunk_columns(spec, point, chunk, scenario))


# -- the driver ------------------------------------------------------------------------------
def encoded_chunk(spec: SweepSpec, point: DesignPoint, chunk: Chunk, scenario: Scenario) -> Encoded:
    """One chunk computed and encoded as Parquet with its checksum (runs on a worker)."""
    return encode(chunk_columns(spec, point, chunk, scenario))


def _manifest(spec: SweepSpec, points: list[DesignPoint], plan: list[Chunk]) -> dict[str, Any]:
    return {
        "realpolitik_sweep": LAYOUT,
        "digest": spec.digest(),
        "spec": spec.model_dump(mode="json"),
        "points": [asdict(p) for p in points],
        "chunks": [asdict(c) | {"file": c.file} for c in plan],
    }


def prepare(spec: SweepSpec, out: Path) -> tuple[list[DesignPoint], list[Chunk]]:
    """Check ``out`` belongs to this spec (or is new), write the manifest; return points and chunks."""
    points = design_points(spec)
    plan = chunks(spec, points)
    if (out / MANIFEST).exists():
        old = read_manifest(out)
        if old.get("digest") != spec.digest():
            raise RealpolitikError(
                f"{out} holds results of a different sweep spec (digest {old.get('digest')}, "
                f"this spec {spec.digest()}); use another results folder or remove that one",
                options=("out",))
    else:
        out.mkdir(parents=True, exist_ok=True)
        write_atomic(out / MANIFEST, json.dumps(_manifest(spec, points, plan),
                                                 indent=1).encode("utf-8"))
    return points, plan


def finished(out: Path, plan: list[Chunk], digest: str) -> tuple[set[int], dict[int, str]]:
    """Ids of the finished, whole chunks, and the damaged ones with the reason.

    Damaged chunk files and stale temporary files are removed, so that those chunks run again.
    """
    for stale in out.glob("*.part"):
        stale.unlink(missing_ok=True)
    repair_journal(out)
    done, damaged = verify(out, plan, digest)
    for cid in damaged:
        (out / plan[cid].file).unlink(missing_ok=True)
    return done, damaged


#: Damaged chunks reported one by one; more are counted in one line.
DAMAGE_LINES = 20


def _say(message: str) -> None:
    logging.getLogger("realpolitik.sweep").warning(message)


def _task(spec: SweepSpec, point: DesignPoint, chunk: Chunk,
          scenarios: dict[str, Scenario]) -> Encoded:
    return encoded_chunk(spec, point, chunk, scenarios[point.scenario])


def run_sweep(
    spec: SweepSpec, out: Path | str, *, workers: int = 0, scheduler: str | None = None,
    processes: bool = True, stop_after: int | None = None, progress: Progress | None = None,
    notify: Callable[[str], None] | None = None, max_forecasts: int = DEFAULT_MAX_FORECASTS,
    watchdog: float | None = 300.0,
) -> dict[str, int]:
    """Run (or resume) a sweep into ``out``. Returns counts: total, skipped (already done), ran.

    ``workers=0`` (the default: fastest on one machine, see docs/sweeps.md) runs in this
    process without Dask. ``scheduler`` is the address of a running
    Dask scheduler; without it a LocalCluster of ``workers`` worker processes starts
    (``processes=False``: threads in this process), listening only on this machine.
    ``stop_after`` stops after that many chunks (to test resuming).
    ``progress("chunks", done, total)`` follows each saved chunk. ``notify(message)`` receives
    what the user should know (a damaged chunk found and redone, the watchdog's report of a
    chunk that made no progress for ``watchdog`` seconds; None: no watchdog); by default a
    warning of the ``realpolitik.sweep`` logger.

    The whole spec is checked first (:func:`~realpolitik.sweep.check.check_spec`: scenarios,
    models and parameters, every override, at most ``max_forecasts`` forecasts); a refused spec
    writes nothing.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
        raise RealpolitikError(f"workers must be a non-negative integer, got {workers!r}",
                               options=("workers",))
    out = Path(out)
    say = notify or _say
    scenarios = check_spec(spec, max_forecasts=max_forecasts)
    points, plan = prepare(spec, out)
    digest = spec.digest()
    done, damaged = finished(out, plan, digest)
    todo = [c for c in plan if c.id not in done]
    counts = {"total": len(plan), "skipped": len(done), "ran": 0}

    redone: list[int] = []

    def save(chunk: Chunk, enc: Encoded) -> None:
        save_chunk(out, digest, chunk, enc)
        counts["ran"] += 1
        if chunk.id in damaged:
            redone.append(chunk.id)
            if len(redone) <= DAMAGE_LINES:
                say(f"chunk {chunk.id} was damaged ({damaged[chunk.id]}): redone")
        if progress is not None:
            progress("chunks", counts["skipped"] + counts["ran"], counts["total"])

    if not todo:
        return counts
    with Watchdog(watchdog, say) as dog:
        if workers == 0 and scheduler is None:
            run_here(todo, lambda c: _task(spec, points[c.point], c, scenarios), save,
                     stop_after, dog)
        else:
            run_dask(todo, _task, lambda c: (spec, points[c.point], c), scenarios, save,
                     workers=workers, scheduler=scheduler, processes=processes,
                     stop_after=stop_after, dog=dog, key=f"rp-sweep-{digest}")
    if len(redone) > DAMAGE_LINES:
        say(f"{len(redone) - DAMAGE_LINES} more damaged chunks were redone")
    return counts
