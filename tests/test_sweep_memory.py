"""The summary streams: the client's peak memory does not grow with the number of chunks."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pyarrow")

from realpolitik.sweep.results import load_results, summarise
from realpolitik.sweep.run import run_sweep
from realpolitik.sweep.spec import SweepSpec

SMALL = str(Path(__file__).parent / "data" / "uncertainty" / "small.yaml")


def sweep_of(points: int, folder: Path) -> Path:
    """``points`` design points of 1,000 samples in chunks of 500 (2,000 rows per chunk)."""
    spec = SweepSpec.model_validate({
        "name": f"m{points}", "seed": 2, "scenarios": [SMALL], "models": ["median"],
        "samples": 1000, "chunk_size": 500,
        "inputs": {"actors.a.capability": list(np.linspace(40, 60, points))}})
    run_sweep(spec, folder, workers=0)
    return folder


def peak_of_summary(folder: Path) -> int:
    tracemalloc.start()
    try:
        summarise(folder)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_summary_equals_a_grouping_of_all_rows(tmp_path: Path) -> None:
    folder = sweep_of(3, tmp_path / "s")
    frame = load_results(folder)
    want = frame.groupby(["point", "issue"])["forecast"].agg(
        samples="size", p05=lambda v: np.quantile(v, 0.05), median="median",
        p95=lambda v: np.quantile(v, 0.95)).reset_index()
    got = summarise(folder)
    assert list(got["point"]) == list(want["point"]) and list(got["issue"]) == list(want["issue"])
    for col in ("samples", "p05", "median", "p95"):
        assert np.array_equal(got[col].to_numpy(), want[col].to_numpy()), col


@pytest.mark.slow
def test_peak_memory_of_the_summary_is_flat_in_the_number_of_chunks(tmp_path: Path) -> None:
    """200,000 rows (200 chunks) against 20,000 rows (20 chunks): peak within 1.5 times."""
    small = sweep_of(10, tmp_path / "small")
    large = sweep_of(100, tmp_path / "large")
    peak_of_summary(small)  # imports and first-use caches out of the way
    base, big = peak_of_summary(small), peak_of_summary(large)
    assert big <= 1.5 * base, (base, big)
