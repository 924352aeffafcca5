"""Sweeps: spec checks with their lines, design and chunk plans, in-process runs, resume, errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pyarrow")

from realpolitik.api.sweep import SweepSpec, load_results, load_spec, run_sweep, summarise
from realpolitik.errors import RealpolitikError, ScenarioError
from realpolitik.sweep.spec import chunks, design_points

SMALL = str(Path(__file__).parent / "data" / "uncertainty" / "small.yaml")


def spec_of(**extra: object) -> SweepSpec:
    base: dict[str, object] = {"name": "cov", "seed": 3, "scenarios": [SMALL],
                               "models": ["compromise"]}
    return SweepSpec.model_validate(base | extra)


def write(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the spec ---------------------------------------------------------------------------------
def test_a_good_spec_loads_with_its_defaults(tmp_path: Path) -> None:
    """A minimal YAML spec gets the documented defaults; JSON specs read the same."""
    spec = load_spec(write(tmp_path, f"scenarios: [{SMALL}]\n"))
    assert (spec.name, spec.seed, spec.models, spec.samples, spec.chunk_size) == (
        "sweep", 0, ["median"], 0, 1000)
    assert (spec.positions, spec.design, spec.points, spec.inputs, spec.params) == (
        "stated", "grid", 10, {}, {})
    same = load_spec(write(tmp_path, json.dumps({"scenarios": [SMALL]}), "spec.json"))
    assert same == spec and same.digest() == spec.digest()


def test_a_missing_spec_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(RealpolitikError, match=r"no such sweep spec: .*nowhere\.yaml"):
        load_spec(tmp_path / "nowhere.yaml")


def test_spec_range_and_field_errors_have_lines(tmp_path: Path) -> None:
    """A reversed range, a bad design and a bad name are reported with their lines."""
    path = write(tmp_path, "\n".join([
        "name: 'bad name!'",
        f"scenarios: [{SMALL}]",
        "design: latin",
        "inputs:",
        "  actors.a.capability: {low: 60, high: 40}",
        "",
    ]))
    with pytest.raises(ScenarioError) as err:
        load_spec(path)
    text = str(err.value)
    assert "spec.yaml:1: name" in text
    assert "spec.yaml:3: design" in text
    assert "low (60) must not exceed high (40)" in text
    assert "spec.yaml:5:" in text


def test_scenarios_are_required(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as err:
        load_spec(write(tmp_path, "name: x\nmodels: [median]\n"))
    assert "scenarios" in str(err.value)


def test_digest_follows_the_content() -> None:
    """Specs that differ in any field have different digests; equal ones the same."""
    a, b = spec_of(samples=10), spec_of(samples=10)
    assert a.digest() == b.digest() and len(a.digest()) == 16
    assert spec_of(samples=11).digest() != a.digest()
    assert spec_of(samples=10, seed=4).digest() != a.digest()


# -- design and chunks ------------------------------------------------------------------------
def test_grid_of_ranges_lists_and_parameters() -> None:
    """A grid crosses ranges (evenly spaced), lists and model parameters, in a fixed order."""
    spec = spec_of(models=["compromise", "eum"],
                   inputs={"actors.a.capability": {"low": 40, "high": 60, "steps": 3},
                           "actors.d.capability": [10, 20]},
                   params={"eum": {"q": [0.5, 1.0]}})
    points = design_points(spec)
    # compromise: 3 x 2 points; eum: 2 parameter values x 3 x 2 points
    assert len(points) == 6 + 12
    assert [p.index for p in points] == list(range(18))
    assert [p.overrides for p in points[:3]] == [
        {"actors.a.capability": 40.0, "actors.d.capability": 10.0},
        {"actors.a.capability": 40.0, "actors.d.capability": 20.0},
        {"actors.a.capability": 50.0, "actors.d.capability": 10.0}]
    assert all(p.params == {} for p in points[:6])
    assert [p.params["q"] for p in points[6:]] == [0.5] * 6 + [1.0] * 6
    assert {p.model for p in points[6:]} == {"eum"}


def test_a_point_forecast_sweep_has_one_chunk_per_point() -> None:
    spec = spec_of(inputs={"actors.a.capability": [40, 60]})
    plan = chunks(spec, design_points(spec))
    assert [(c.id, c.point, c.start, c.stop) for c in plan] == [(0, 0, 0, 0), (1, 1, 0, 0)]
    assert plan[1].file == "chunk-000001.parquet"


def test_the_last_chunk_is_short() -> None:
    spec = spec_of(samples=25, chunk_size=10)
    assert [(c.start, c.stop) for c in chunks(spec, design_points(spec))] == [
        (0, 10), (10, 20), (20, 25)]


def test_sampled_design_draws_from_lists_and_depends_on_the_seed() -> None:
    """A sampled design draws list members and uniform values; another seed draws others."""
    inputs = {"actors.d.capability": [10, 20, 30], "actors.a.capability": {"low": 40, "high": 60}}
    spec = spec_of(design="sampled", points=30, inputs=inputs)
    points = design_points(spec)
    assert len(points) == 30
    assert {p.overrides["actors.d.capability"] for p in points} <= {10.0, 20.0, 30.0}
    assert len({p.overrides["actors.d.capability"] for p in points}) > 1
    assert all(40 <= p.overrides["actors.a.capability"] <= 60 for p in points)
    other = design_points(spec_of(design="sampled", points=30, inputs=inputs, seed=4))
    assert [p.overrides for p in other] != [p.overrides for p in points]


# -- running ----------------------------------------------------------------------------------
def test_point_forecast_sweep_in_process(tmp_path: Path) -> None:
    """samples=0: one row per point and issue, sample -1, the forecast of the overridden scenario."""
    from realpolitik.api.forecast import forecast
    from realpolitik.scenario.loader import load_scenario
    from realpolitik.sweep.run import apply_overrides

    spec = spec_of(inputs={"actors.a.capability": [20, 80]})
    seen: list[tuple[str, int, int]] = []
    counts = run_sweep(spec, tmp_path / "o", workers=0,
                       progress=lambda s, d, t: seen.append((s, d, t)))
    assert counts == {"total": 2, "skipped": 0, "ran": 2}
    assert seen == [("chunks", 1, 2), ("chunks", 2, 2)]
    frame = load_results(tmp_path / "o")
    assert list(frame.columns) == ["chunk", "point", "scenario", "model", "sample", "issue",
                                   "forecast"]
    assert len(frame) == 2 * 2 and set(frame["sample"]) == {-1}
    sc = apply_overrides(load_scenario(SMALL), {"actors.a.capability": 80.0})
    want = forecast(sc, "compromise").forecast["presence"]
    got = frame[(frame["point"] == 1) & (frame["issue"] == "presence")]["forecast"].iloc[0]
    assert got == pytest.approx(want)
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["digest"] == spec.digest()
    assert [c["file"] for c in manifest["chunks"]] == ["chunk-000000.parquet",
                                                        "chunk-000001.parquet"]


def test_stop_and_resume_in_process(tmp_path: Path) -> None:
    """stop_after leaves a partial folder; the rerun only runs the missing chunks; same numbers."""
    spec = spec_of(samples=30, chunk_size=10)
    out = tmp_path / "r"
    assert run_sweep(spec, out, workers=0, stop_after=1) == {"total": 3, "skipped": 0, "ran": 1}
    partial = load_results(out)
    assert sorted(set(partial["chunk"])) == [0] and len(partial) == 10 * 2
    assert run_sweep(spec, out, workers=0) == {"total": 3, "skipped": 1, "ran": 2}
    assert run_sweep(spec, out, workers=0) == {"total": 3, "skipped": 3, "ran": 0}
    whole = load_results(out)
    assert list(whole["sample"][whole["issue"] == "presence"]) == list(range(30))
    assert whole.head(len(partial)).equals(partial)
    summary = summarise(out)
    assert list(summary["issue"]) == ["alignment", "presence"]
    assert (summary["samples"] == 30).all()
    v = whole[whole["issue"] == "presence"]["forecast"].to_numpy()
    row = summary.set_index("issue").loc["presence"]
    assert row["median"] == pytest.approx(float(np.median(v)))
    assert row["p05"] <= row["median"] <= row["p95"]
    assert json.loads(row["overrides"]) == {} and json.loads(row["params"]) == {}


def test_a_bad_override_fails_before_any_work(tmp_path: Path) -> None:
    """An override outside its allowed range is refused before a chunk is run."""
    spec = spec_of(inputs={"actors.a.salience.presence": [0.5, 2.0]})
    with pytest.raises(ScenarioError, match="salience must lie in"):
        run_sweep(spec, tmp_path / "b", workers=0)
    assert not list((tmp_path / "b").glob("chunk-*"))


def test_an_unreadable_manifest_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "u"
    out.mkdir()
    (out / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(RealpolitikError, match=r"manifest\.json is unreadable"):
        run_sweep(spec_of(), out, workers=0)


def test_results_of_a_folder_without_a_sweep(tmp_path: Path) -> None:
    """A folder without a manifest holds no sweep; a new one without chunks gives an empty table."""
    with pytest.raises(RealpolitikError, match="holds no sweep"):
        load_results(tmp_path)
    run_sweep(spec_of(samples=20, chunk_size=10), tmp_path / "e", workers=0, stop_after=0)
    empty = load_results(tmp_path / "e")
    assert len(empty) == 0 and "forecast" in empty.columns
    assert len(summarise(tmp_path / "e")) == 0


def test_dask_without_the_extra_says_how_to_install(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """workers > 0 without dask.distributed: the error names the extra and workers=0."""
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    with pytest.raises(RealpolitikError, match=r"realpolitik\[distributed\].*workers=0"):
        run_sweep(spec_of(), tmp_path / "d", workers=2)


# -- the command -------------------------------------------------------------------------------
def test_sweep_command_default_folder_and_long_summary(run_cli, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Results go to sweeps/NAME by default; a long summary says how many rows it leaves out."""
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, json.dumps(spec_of(
        name="long", inputs={"actors.a.capability": [float(v) for v in range(20, 51)]}
    ).model_dump(mode="json")))
    code, out, err = run_cli("sweep", str(path), "--workers", "0")
    assert code == 0, err
    assert (tmp_path / "sweeps" / "long" / "manifest.json").exists()
    assert "31 chunks: 0 already done, 31 run now" in err
    assert "(first 60 of 62 rows" in err
    assert "Sweep long" in out


def test_sweep_command_interrupted(run_cli, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C: exit code 130 and how to resume."""
    import realpolitik.api.sweep as api_sweep

    def interrupted(*args: object, **kwargs: object) -> dict[str, int]:
        raise KeyboardInterrupt

    monkeypatch.setattr(api_sweep, "run_sweep", interrupted)
    path = write(tmp_path, json.dumps(spec_of().model_dump(mode="json")))
    code, _, err = run_cli("sweep", str(path), "--workers", "0", "--out", str(tmp_path / "i"))
    assert code == 130
    assert "interrupted: finished chunks are saved in" in err
    assert "run the same command again to resume" in err


def test_sweep_command_bad_spec(run_cli, tmp_path: Path) -> None:
    """A bad spec exits with the usage code and the problem, never a traceback."""
    path = write(tmp_path, "scenarios: []\n")
    code, _, err = run_cli("sweep", str(path), "--workers", "0", "--out", str(tmp_path / "x"))
    assert code != 0
    assert "scenarios" in err and "Traceback" not in err
