"""Reading a sweep's results: every row (:func:`load_results`) or a streamed summary.

:func:`summarise` reads the chunks one at a time, in plan order, and keeps only the samples of the
design point being summarised (a point's chunks are consecutive in the plan), so its memory is
that of one design point's samples plus the summary rows, whatever the number of chunks or
points. Both functions first verify every chunk (size and SHA-256 against its record) and refuse
a damaged one, naming it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from realpolitik.sweep.spec import Chunk
from realpolitik.sweep.store import COLUMN_NAMES, verified_chunks


def load_results(out: Path | str) -> pd.DataFrame:
    """All finished chunks of a sweep as one table, in chunk order (sample order within).

    This holds every row in memory; for the per-point summary use :func:`summarise`, which
    streams.
    """
    out = Path(out)
    _, plan = verified_chunks(out)
    frames = [pd.read_parquet(out / c.file) for c in plan]
    if not frames:
        return pd.DataFrame(columns=list(COLUMN_NAMES))
    return pd.concat(frames, ignore_index=True)


def _point_values(out: Path, plan: list[Chunk]) -> Iterator[tuple[int, dict[str, np.ndarray]]]:
    """(point, issue -> its samples) for each point with finished chunks, one point at a time."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    current: int | None = None
    parts: dict[str, list[Any]] = {}
    for c in plan:
        if c.point != current:
            if current is not None:
                yield current, {k: np.concatenate(v) for k, v in parts.items()}
            current, parts = c.point, {}
        table = pq.read_table(out / c.file, columns=["issue", "forecast"])
        issues = table.column("issue")
        for issue in pc.unique(issues).to_pylist():
            values = table.column("forecast").filter(pc.equal(issues, issue))
            parts.setdefault(issue, []).append(values.to_numpy())
        del table, issues
    if current is not None:
        yield current, {k: np.concatenate(v) for k, v in parts.items()}


def summarise(out: Path | str) -> pd.DataFrame:
    """Per design point and issue: samples, 5 %, median and 95 % of the finished results."""
    out = Path(out)
    manifest, plan = verified_chunks(out)
    points = {p["index"]: p for p in manifest["points"]}
    rows = []
    for point, by_issue in _point_values(out, plan):
        p = points[point]
        for issue in sorted(by_issue):
            v = by_issue[issue]
            rows.append({"point": point, "scenario": p["scenario"], "model": p["model"],
                         "overrides": json.dumps(p["overrides"]), "params": json.dumps(p["params"]),
                         "issue": issue, "samples": len(v), "p05": float(np.quantile(v, 0.05)),
                         "median": float(np.median(v)), "p95": float(np.quantile(v, 0.95))})
    return pd.DataFrame(rows)
