"""Sweeps: design points, Parquet chunks, an interrupted run resumed on Dask equals one process."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pyarrow")

from realpolitik.errors import RealpolitikError, ScenarioError
from realpolitik.sweep.run import apply_overrides, load_results, run_sweep, summarise
from realpolitik.sweep.spec import SweepSpec, chunks, design_points, load_spec

SMALL = str(Path(__file__).parent / "data" / "uncertainty" / "small.yaml")


def make_spec(**extra) -> SweepSpec:
    base = {"name": "t", "seed": 4, "scenarios": [SMALL], "models": ["median", "compromise"],
            "samples": 120, "chunk_size": 40,
            "inputs": {"actors.c.salience.presence": [0.2, 1.0]}}
    return SweepSpec.model_validate(base | extra)


def test_grid_design_and_chunk_plan():
    """Grid: scenarios x models x input values; each point's samples cut at chunk_size."""
    spec = make_spec()
    points = design_points(spec)
    assert [(p.model, p.overrides["actors.c.salience.presence"]) for p in points] == [
        ("median", 0.2), ("median", 1.0), ("compromise", 0.2), ("compromise", 1.0)]
    plan = chunks(spec, points)
    assert len(plan) == 4 * 3
    assert [(c.start, c.stop) for c in plan[:3]] == [(0, 40), (40, 80), (80, 120)]


def test_sampled_design_is_reproducible():
    """A sampled design draws the same points for the same seed."""
    spec = make_spec(design="sampled", points=5,
                     inputs={"actors.a.capability": {"low": 40, "high": 60}})
    a, b = design_points(spec), design_points(spec)
    assert a == b and len(a) == 2 * 5
    values = [p.overrides["actors.a.capability"] for p in a]
    assert all(40 <= v <= 60 for v in values) and len(set(values)) == 5


def test_overrides_fix_the_input():
    """An overridden input becomes a number; correlations naming it are dropped; bad values fail."""
    from realpolitik.scenario.loader import load_scenario

    sc = load_scenario(SMALL)
    fixed = apply_overrides(sc, {"actors.a.positions.presence": 70.0})
    assert fixed.actor("a").positions["presence"].point == 70.0
    assert fixed.actor("a").positions["presence"].distribution is None
    assert all("actors.a.positions.presence" not in c.between for c in fixed.correlations)
    with pytest.raises(ScenarioError, match="salience must lie in"):
        apply_overrides(sc, {"actors.a.salience.presence": 1.5})
    with pytest.raises(RealpolitikError, match="not an input"):
        apply_overrides(sc, {"actors.a.power": 1.0})


def test_interrupted_sweep_resumes_and_equals_one_process(tmp_path):
    """Stop a 2-worker Dask sweep (threads) after 3 chunks, resume it, compare with a serial run."""
    pytest.importorskip("dask.distributed")
    spec = make_spec()
    out = tmp_path / "dask"
    first = run_sweep(spec, out, workers=2, processes=False, stop_after=3)
    assert first["ran"] == 3
    saved = sorted(p.name for p in out.glob("chunk-*.parquet"))
    assert len(saved) == 3
    assert not list(out.glob("*.part"))
    second = run_sweep(spec, out, workers=2, processes=False)
    assert second == {"total": 12, "skipped": 3, "ran": 9}
    serial = run_sweep(spec, tmp_path / "serial", workers=0)
    assert serial["ran"] == 12
    a, b = load_results(out), load_results(tmp_path / "serial")
    assert a.equals(b)
    assert len(a) == 4 * 120 * 2
    again = run_sweep(spec, out, workers=2, processes=False)
    assert again["ran"] == 0 and again["skipped"] == 12


def test_sweep_samples_equal_a_monte_carlo_forecast(tmp_path):
    """A design point's samples are those of forecast(samples=N) with the same seed."""
    from realpolitik.scenario.loader import load_scenario
    from realpolitik.uncertainty.montecarlo import simulate

    spec = make_spec(models=["median"], inputs={})
    run_sweep(spec, tmp_path / "s", workers=0)
    frame = load_results(tmp_path / "s")
    dist = simulate(load_scenario(SMALL), "median", 120, seed=4)
    got = frame[frame["issue"] == "presence"].sort_values("sample")["forecast"].to_numpy()
    assert np.array_equal(got, dist.values[:, 0])
    summary = summarise(tmp_path / "s")
    assert set(summary["issue"]) == {"presence", "alignment"}


def test_a_folder_belongs_to_one_spec(tmp_path):
    """Reusing a results folder for another spec is refused."""
    run_sweep(make_spec(samples=0), tmp_path / "o", workers=0)
    with pytest.raises(RealpolitikError, match="different sweep spec"):
        run_sweep(make_spec(samples=0, seed=5), tmp_path / "o", workers=0)


def test_spec_errors_name_file_line_and_field(tmp_path):
    """A bad spec lists every problem with its line."""
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nscenarios: [a]\nsamples: -3\nwhatever: 1\n")
    with pytest.raises(ScenarioError) as err:
        load_spec(path)
    text = str(err.value)
    assert "bad.yaml:3: samples" in text
    assert "bad.yaml:4: whatever: unknown field" in text


def test_sweep_command_runs_and_resumes(run_cli, tmp_path):
    """`realpolitik sweep SPEC --workers 0` runs, prints a summary; a rerun skips everything."""
    path = tmp_path / "spec.yaml"
    path.write_text(json.dumps(make_spec(samples=0).model_dump(mode="json")))
    code, out, err = run_cli("sweep", str(path), "--workers", "0", "--out", str(tmp_path / "r"))
    assert code == 0, err
    assert "median [5%-95%]" in out
    code, _, err = run_cli("sweep", str(path), "--workers", "0", "--out", str(tmp_path / "r"))
    assert "4 already done, 0 run now" in err
