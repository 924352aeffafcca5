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
from realpolitik.sweep.spec import Chunk, DesignPoint, SweepSpec, chunks, design_points
from realpolitik.sweep.store import (
    LAYOUT,
    MANIFEST,
    Encoded,
    encode,
    read_manifest,
    repair_journal,
    save_chunk,
    verified_chunks,
    verify,
    write_atomic,
)


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


def run_chunk(spec: SweepSpec, point: DesignPoint, chunk: Chunk, scenario: Scenario) -> pd.DataFrame:
    """The long table (one row per sample and issue) of one chunk."""
    from realpolitik.models.base import BargainingInput
    from realpolitik.models.registry import get_model
    from realpolitik.runner import run_chunks, run_model
    from realpolitik.scenario.arrays import to_input
    from realpolitik.uncertainty.sampling import sample_inputs

    sc = apply_overrides(scenario, point.overrides)
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
    return pd.DataFrame({
        "chunk": np.full(n * d, chunk.id, dtype=np.int64),
        "point": np.full(n * d, point.index, dtype=np.int64),
        "scenario": point.scenario,
        "model": point.model,
        "sample": np.repeat(samples, d).astype(np.int64),
        "issue": np.tile(np.array(sc.issue_ids, dtype=object), n),
        "forecast": values.reshape(-1),
    })


# -- the driver ------------------------------------------------------------------------------
def encoded_chunk(spec: SweepSpec, point: DesignPoint, chunk: Chunk, scenario: Scenario) -> Encoded:
    """One chunk computed and encoded as Parquet with its checksum (runs on a worker)."""
    return encode(run_chunk(spec, point, chunk, scenario))


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


def _say(message: str) -> None:
    logging.getLogger("realpolitik.sweep").warning(message)


def run_sweep(
    spec: SweepSpec, out: Path | str, *, workers: int = 2, scheduler: str | None = None,
    stop_after: int | None = None, progress: Progress | None = None,
    notify: Callable[[str], None] | None = None, max_forecasts: int = DEFAULT_MAX_FORECASTS,
) -> dict[str, int]:
    """Run (or resume) a sweep into ``out``. Returns counts: total, skipped (already done), ran.

    ``workers=0`` runs in this process without Dask. ``scheduler`` is the address of a running
    Dask scheduler; without it a LocalCluster of ``workers`` threads starts (no network beyond
    this process). ``stop_after`` stops after that many chunks (to test resuming).
    ``progress("chunks", done, total)`` follows each saved chunk. ``notify(message)`` receives
    what the user should know (a damaged chunk found and redone); by default a warning of the
    ``realpolitik.sweep`` logger.

    The whole spec is checked first (:func:`~realpolitik.sweep.check.check_spec`: scenarios,
    models and parameters, every override, at most ``max_forecasts`` forecasts); a refused spec
    writes nothing.
    """
    out = Path(out)
    say = notify or _say
    scenarios = check_spec(spec, max_forecasts=max_forecasts)
    points, plan = prepare(spec, out)
    digest = spec.digest()
    done, damaged = finished(out, plan, digest)
    todo = [c for c in plan if c.id not in done]
    counts = {"total": len(plan), "skipped": len(done), "ran": 0}

    def save(chunk: Chunk, enc: Encoded) -> None:
        save_chunk(out, digest, chunk, enc)
        counts["ran"] += 1
        if chunk.id in damaged:
            say(f"chunk {chunk.id} was damaged ({damaged[chunk.id]}): redone")
        if progress is not None:
            progress("chunks", counts["skipped"] + counts["ran"], counts["total"])

    if not todo:
        return counts
    if workers == 0 and scheduler is None:
        for chunk in todo:
            if stop_after is not None and counts["ran"] >= stop_after:
                break
            point = points[chunk.point]
            save(chunk, encoded_chunk(spec, point, chunk, scenarios[point.scenario]))
        return counts
    _run_dask(spec, points, todo, scenarios, save, workers, scheduler, stop_after, counts)
    return counts


def _run_dask(spec: SweepSpec, points: list[DesignPoint], todo: list[Chunk],
              scenarios: dict[str, Any], save: Callable[[Chunk, Encoded], None],
              workers: int, scheduler: str | None, stop_after: int | None,
              counts: dict[str, int]) -> None:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise RealpolitikError("sweeps on Dask need the 'distributed' extra: "
                               "pip install 'realpolitik[distributed]' (or run with workers=0)",
                               options=("workers",)) from None
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=False,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        scattered = {k: client.scatter(v, broadcast=True) for k, v in scenarios.items()}
        by_key = {}
        futures = []
        for chunk in todo:
            point = points[chunk.point]
            fut = client.submit(encoded_chunk, spec, point, chunk, scattered[point.scenario],
                                key=f"rp-sweep-{spec.digest()}-{chunk.id}", pure=False)
            by_key[fut.key] = chunk
            futures.append(fut)
        stream = as_completed(futures)
        try:
            for fut in stream:
                save(by_key[fut.key], fut.result())
                if stop_after is not None and counts["ran"] >= stop_after:
                    break
        finally:
            client.cancel(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def load_results(out: Path | str) -> pd.DataFrame:
    """All finished chunks of a sweep as one table, in chunk order (sample order within)."""
    out = Path(out)
    _, plan = verified_chunks(out)
    frames = [pd.read_parquet(out / c.file) for c in plan]
    if not frames:
        return pd.DataFrame(columns=["chunk", "point", "scenario", "model", "sample", "issue",
                                     "forecast"])
    return pd.concat(frames, ignore_index=True)


def summarise(out: Path | str) -> pd.DataFrame:
    """Per design point and issue: samples, 5 %, median and 95 % of the finished results."""
    frame = load_results(out)
    points = {p["index"]: p for p in json.loads(
        (Path(out) / MANIFEST).read_text(encoding="utf-8"))["points"]}
    rows = []
    for (point, issue), sub in frame.groupby(["point", "issue"], sort=True):
        v = sub["forecast"].to_numpy()
        p = points[int(point)]
        rows.append({"point": int(point), "scenario": p["scenario"], "model": p["model"],
                     "overrides": json.dumps(p["overrides"]), "params": json.dumps(p["params"]),
                     "issue": issue, "samples": len(v), "p05": float(np.quantile(v, 0.05)),
                     "median": float(np.median(v)), "p95": float(np.quantile(v, 0.95))})
    return pd.DataFrame(rows)
