"""Local sweeps: Ctrl-C stops a run at once and keeps finished chunks; the watchdog speaks up."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("pyarrow")

from realpolitik.sweep.run import load_results, run_sweep
from realpolitik.sweep.spec import SweepSpec
from realpolitik.sweep.store import JOURNAL

SMALL = str(Path(__file__).parent / "data" / "uncertainty" / "small.yaml")
SRC = str(Path(__file__).parent.parent / "src")


def long_spec() -> SweepSpec:
    """120 chunks of the median model: about a second in one process."""
    return SweepSpec.model_validate({
        "name": "long", "seed": 11, "scenarios": [SMALL], "models": ["median"],
        "samples": 2_000, "chunk_size": 200,
        "inputs": {"actors.a.capability": [40.0 + k for k in range(12)]}})


def journal_lines(out: Path) -> int:
    path = out / JOURNAL
    return path.read_bytes().count(b"\n") if path.exists() else 0


@pytest.mark.slow
@pytest.mark.parametrize("workers", ["0", "2"])
def test_sigint_stops_a_run_at_once_and_resume_gives_the_same_data(tmp_path: Path,
                                                                   workers: str) -> None:
    """SIGINT to the process group of a `realpolitik sweep` (as Ctrl-C sends it) stops it within
    about a second, exit code 130, finished chunks kept; the resumed run equals one run.

    With ``--workers 2`` the local cluster's worker processes are in the group too: they ignore
    SIGINT and the driver stops them.
    """
    if workers != "0":
        pytest.importorskip("dask.distributed")
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps(long_spec().model_dump(mode="json")))
    out = tmp_path / "run"
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen(
        [sys.executable, "-c", "from realpolitik.cli import main; main()", "sweep",
         str(spec_path), "--workers", workers, "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while journal_lines(out) < 5 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, "the run ended before it could be interrupted"
        sent = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        stopped = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err.decode()
    assert "interrupted: finished chunks are saved" in err.decode()
    assert stopped < 2.5, f"took {stopped:.2f} s to stop"
    print(f"workers={workers}: stopped {stopped:.2f} s after SIGINT")
    kept = journal_lines(out)
    assert 5 <= kept < 120
    counts = run_sweep(long_spec(), out, workers=0)
    assert counts["skipped"] >= kept - 1 and counts["skipped"] + counts["ran"] == 120
    whole = tmp_path / "whole"
    run_sweep(long_spec(), whole, workers=0)
    assert load_results(out).equals(load_results(whole))


@pytest.mark.parametrize("workers", [0, 1])
def test_the_watchdog_reports_a_chunk_without_progress(tmp_path: Path, workers: int,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A chunk that hangs longer than `watchdog` seconds is reported (the run goes on), in this
    process and on Dask (a thread worker, which sees the slowed function)."""
    if workers:
        pytest.importorskip("dask.distributed")
    import realpolitik.sweep.run as run_module

    real = run_module.encoded_chunk

    def slow(spec, point, chunk, scenario):
        if chunk.id == 1:
            time.sleep(0.6)
        return real(spec, point, chunk, scenario)

    monkeypatch.setattr(run_module, "encoded_chunk", slow)
    said: list[str] = []
    spec = SweepSpec.model_validate({"name": "w", "scenarios": [SMALL], "samples": 20,
                                     "chunk_size": 10})
    counts = run_sweep(spec, tmp_path / "w", watchdog=0.2, notify=said.append, workers=workers,
                       processes=False)
    assert counts["ran"] == 2
    assert any(m.startswith("watchdog: chunk 1 has made no progress for ") for m in said), said
    said.clear()
    run_sweep(spec, tmp_path / "w2", watchdog=None, notify=said.append)
    assert said == []
