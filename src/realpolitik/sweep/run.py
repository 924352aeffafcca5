"""Running a sweep in chunks on Dask, streaming each chunk to Parquet, resumable.

Layout of the results folder::

    OUT/manifest.json          the spec, its digest, the design points and the chunk plan
    OUT/chunk-000000.parquet   one file per finished chunk (written to a temporary name, then
    OUT/chunk-000001.parquet   renamed, so a file that exists is complete)

Workers compute chunks and return their tables; only the driver writes files, so workers need
no shared disk. A chunk's numbers depend only on the spec (seed, design point, sample numbers),
never on which worker ran it or when, so any number of workers gives the same result, and an
interrupted sweep resumes by running only the chunks whose files are missing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from realpolitik.errors import Problem, RealpolitikError, ScenarioError
from realpolitik.progress import Progress
from realpolitik.scenario.paths import PATH_FORMS, raw_lookup, set_raw
from realpolitik.scenario.schema import Scenario
from realpolitik.sweep.spec import Chunk, DesignPoint, SweepSpec, chunks, design_points

MANIFEST = "manifest.json"


# -- one chunk (runs on a worker) -----------------------------------------------------------
def apply_overrides(scenario: Scenario, overrides: dict[str, float]) -> Any:
    """The scenario with the inputs at ``overrides``' paths fixed to numbers (checked)."""
    if not overrides:
        return scenario
    from realpolitik.scenario.schema import Scenario
    from realpolitik.scenario.validate import check_document

    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    for path, value in overrides.items():
        found = raw_lookup(data, path)
        if found is None:
            raise RealpolitikError(f"sweep input {path!r} is not an input of scenario "
                                   f"{scenario.id!r}; write it as one of {', '.join(PATH_FORMS)}")
        set_raw(data, found[0], float(value))
    data["correlations"] = [c for c in data.get("correlations", [])
                            if not set(c["between"]) & set(overrides)]
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
def _write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    tmp = path.with_name(path.name + ".part")
    write(tmp)
    os.replace(tmp, path)


def _manifest(spec: SweepSpec, points: list[DesignPoint], plan: list[Chunk]) -> dict[str, Any]:
    return {
        "realpolitik_sweep": 1,
        "digest": spec.digest(),
        "spec": spec.model_dump(mode="json"),
        "points": [asdict(p) for p in points],
        "chunks": [asdict(c) | {"file": c.file} for c in plan],
    }


def prepare(spec: SweepSpec, out: Path) -> tuple[list[DesignPoint], list[Chunk]]:
    """Check ``out`` belongs to this spec (or is new), write the manifest; return points and chunks."""
    points = design_points(spec)
    plan = chunks(spec, points)
    out.mkdir(parents=True, exist_ok=True)
    manifest = out / MANIFEST
    if manifest.exists():
        try:
            old = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise RealpolitikError(f"{manifest} is unreadable ({exc}); use another results folder",
                                   options=("out",)) from None
        if old.get("digest") != spec.digest():
            raise RealpolitikError(
                f"{out} holds results of a different sweep spec (digest {old.get('digest')}, "
                f"this spec {spec.digest()}); use another results folder or remove that one",
                options=("out",))
    else:
        _write_atomic(manifest, lambda p: p.write_text(
            json.dumps(_manifest(spec, points, plan), indent=1), encoding="utf-8"))
    return points, plan


def finished(out: Path, plan: list[Chunk]) -> set[int]:
    """Ids of the chunks whose Parquet file exists (complete: files are renamed into place)."""
    return {c.id for c in plan if (out / c.file).exists()}


def run_sweep(
    spec: SweepSpec, out: Path | str, *, workers: int = 2, scheduler: str | None = None,
    stop_after: int | None = None, progress: Progress | None = None,
) -> dict[str, int]:
    """Run (or resume) a sweep into ``out``. Returns counts: total, skipped (already done), ran.

    ``workers=0`` runs in this process without Dask. ``scheduler`` is the address of a running
    Dask scheduler; without it a LocalCluster of ``workers`` threads starts (no network beyond
    this process). ``stop_after`` stops after that many chunks (to test resuming).
    ``progress("chunks", done, total)`` follows each saved chunk.
    """
    from realpolitik.scenario.loader import load_scenario

    out = Path(out)
    points, plan = prepare(spec, out)
    scenarios = {name: load_scenario(name) for name in spec.scenarios}
    for p in points:  # check every override before any work starts
        apply_overrides(scenarios[p.scenario], p.overrides)
    done = finished(out, plan)
    todo = [c for c in plan if c.id not in done]
    counts = {"total": len(plan), "skipped": len(done), "ran": 0}

    def save(chunk: Chunk, table: pd.DataFrame) -> None:
        _write_atomic(out / chunk.file, lambda p: table.to_parquet(p, index=False))
        counts["ran"] += 1
        if progress is not None:
            progress("chunks", counts["skipped"] + counts["ran"], counts["total"])

    if not todo:
        return counts
    if workers == 0 and scheduler is None:
        for chunk in todo:
            if stop_after is not None and counts["ran"] >= stop_after:
                break
            save(chunk, run_chunk(spec, points[chunk.point], chunk, scenarios[points[chunk.point].scenario]))
        return counts
    _run_dask(spec, points, todo, scenarios, save, workers, scheduler, stop_after, counts)
    return counts


def _run_dask(spec: SweepSpec, points: list[DesignPoint], todo: list[Chunk],
              scenarios: dict[str, Any], save: Callable[[Chunk, pd.DataFrame], None],
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
            fut = client.submit(run_chunk, spec, point, chunk, scattered[point.scenario],
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
    manifest = out / MANIFEST
    if not manifest.exists():
        raise RealpolitikError(f"{out} holds no sweep (no {MANIFEST})")
    plan = json.loads(manifest.read_text(encoding="utf-8"))["chunks"]
    frames = [pd.read_parquet(out / c["file"]) for c in plan if (out / c["file"]).exists()]
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
