"""Sweeps that never lie: damaged chunk files are found and redone, refused specs write nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytest.importorskip("pyarrow")

from realpolitik.errors import RealpolitikError
from realpolitik.sweep.run import load_results, run_sweep
from realpolitik.sweep.spec import SweepSpec
from realpolitik.sweep.store import JOURNAL

SMALL = str(Path(__file__).parent / "data" / "uncertainty" / "small.yaml")


def make_spec(**extra) -> SweepSpec:
    base = {"name": "f", "seed": 3, "scenarios": [SMALL], "models": ["median"],
            "samples": 60, "chunk_size": 20, "inputs": {"actors.a.capability": [45, 55]}}
    return SweepSpec.model_validate(base | extra)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An uninterrupted run of the spec (6 chunks)."""
    out = tmp_path_factory.mktemp("ref") / "r"
    assert run_sweep(make_spec(), out, workers=0)["ran"] == 6
    return out


def resume(folder: Path) -> tuple[dict[str, int], list[str]]:
    said: list[str] = []
    counts = run_sweep(make_spec(), folder, workers=0, notify=said.append)
    return counts, said


def damaged_copy(reference: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "d"
    shutil.copytree(reference, folder)
    return folder


def test_a_truncated_chunk_is_found_and_redone(reference: Path, tmp_path: Path) -> None:
    folder = damaged_copy(reference, tmp_path)
    path = folder / "chunk-000002.parquet"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(RealpolitikError, match=r"chunk 2 of .* is damaged \(truncated"):
        load_results(folder)
    counts, said = resume(folder)
    assert counts == {"total": 6, "skipped": 5, "ran": 1}
    assert len(said) == 1 and said[0].startswith("chunk 2 was damaged (truncated: ")
    assert said[0].endswith("): redone")
    assert load_results(folder).equals(load_results(reference))


def test_a_zero_byte_chunk_is_found_and_redone(reference: Path, tmp_path: Path) -> None:
    folder = damaged_copy(reference, tmp_path)
    (folder / "chunk-000004.parquet").write_bytes(b"")
    counts, said = resume(folder)
    assert counts["ran"] == 1
    assert said == ["chunk 4 was damaged (zero bytes): redone"]
    assert load_results(folder).equals(load_results(reference))


def test_a_chunk_of_another_sweep_is_found_and_redone(reference: Path, tmp_path: Path) -> None:
    """A file of another sweep (other seed, same size) in place of a chunk fails its checksum."""
    other = tmp_path / "other"
    run_sweep(make_spec(seed=99), other, workers=0, stop_after=1)
    folder = damaged_copy(reference, tmp_path)
    shutil.copy(other / "chunk-000000.parquet", folder / "chunk-000000.parquet")
    counts, said = resume(folder)
    assert counts["ran"] == 1 and len(said) == 1
    assert said[0].startswith("chunk 0 was damaged (") and "redone" in said[0]
    assert load_results(folder).equals(load_results(reference))


def test_a_chunk_without_a_record_is_redone(reference: Path, tmp_path: Path) -> None:
    """A file whose record never reached the journal (a crash after the rename) runs again."""
    folder = damaged_copy(reference, tmp_path)
    lines = (folder / JOURNAL).read_text().splitlines(keepends=True)
    kept = [ln for ln in lines if json.loads(ln)["id"] not in (3, 5)]
    (folder / JOURNAL).write_text("".join(kept) + '{"id": 5, "fi')  # and a torn last line
    counts, said = resume(folder)
    assert counts["ran"] == 2  # chunk 3 (no record) and chunk 5 (its record torn)
    assert [s.split(" (")[0] for s in said] == ["chunk 3 was damaged", "chunk 5 was damaged"]
    assert load_results(folder).equals(load_results(reference))
    assert resume(folder)[0]["ran"] == 0  # the record after the torn line was kept


def test_a_missing_finished_chunk_is_reported(reference: Path, tmp_path: Path) -> None:
    folder = damaged_copy(reference, tmp_path)
    (folder / "chunk-000001.parquet").unlink()
    counts, said = resume(folder)
    assert counts["ran"] == 1
    assert said == ["chunk 1 was damaged (its file is missing): redone"]


# -- refused specs write nothing -----------------------------------------------------------
BAD_SPECS = {
    "unknown model": ("models: [median, nosuch]\n", "spec.yaml:3: models[1]: unknown model"),
    "unknown scenario": ("scenarios: [nowhere]\n",
                         "spec.yaml:2: scenarios[0]: scenario 'nowhere': no such file"),
    "unknown actor": ("inputs:\n  actors.zz.capability: [1, 2]\n",
                      "spec.yaml:7: inputs.actors.zz.capability: sweep input "
                      "'actors.zz.capability' is not an input"),
    "bad path": ("inputs:\n  actors.a.power: [1]\n",
                 "spec.yaml:7: inputs.actors.a.power: sweep input"),
    "salience 1.5": ("inputs:\n  actors.a.salience.presence: [0.5, 1.5]\n",
                     "spec.yaml:7: inputs.actors.a.salience.presence[1]: salience must lie in "
                     "[0, 1] (in scenario 'uncertainty-small') (got 1.5)"),
    "range end": ("inputs:\n  issues.presence.status_quo: {low: -5, high: 50}\n",
                  "spec.yaml:7: inputs.issues.presence.status_quo.low: the status quo must lie"),
    "bad parameter": ("params:\n  median: {foo: [1]}\n",
                      "spec.yaml:7: params.median.foo[0]: model 'median' refused foo=1"),
    "parameters of another model": ("params:\n  eum: {q: [1]}\n",
                                    "spec.yaml:7: params.eum: parameters of 'eum'"),
    "too many chunks": ("samples: 100000000\nchunk_size: 1\n",
                        "more than 1,000,000; raise chunk_size"),
}


def write_spec(folder: Path, extra: str) -> Path:
    """A spec whose lines are: name, scenarios, models, samples, chunk_size, then ``extra``."""
    lines = {"name": "name: refused\n", "scenarios": f"scenarios: [{SMALL}]\n",
             "models": "models: [median]\n", "samples": "samples: 20\n",
             "chunk_size": "chunk_size: 10\n"}
    for line in extra.splitlines(keepends=True):
        key = line.split(":")[0]
        if key in lines:
            lines[key] = line
            extra = extra.replace(line, "", 1)
    path = folder / "spec.yaml"
    path.write_text("".join(lines.values()) + extra)
    return path


@pytest.mark.parametrize("case", sorted(BAD_SPECS))
def test_a_refused_spec_writes_nothing(case: str, tmp_path: Path) -> None:
    """Each bad spec is refused with file, line and field; its folder is never created, so the
    corrected spec then runs into that same folder."""
    from realpolitik.errors import ScenarioError
    from realpolitik.sweep.spec import load_spec

    extra, message = BAD_SPECS[case]
    out = tmp_path / "out"
    with pytest.raises(ScenarioError) as err:
        run_sweep(load_spec(write_spec(tmp_path, extra)), out, workers=2)
    assert message in str(err.value)
    assert not out.exists()
    assert run_sweep(load_spec(write_spec(tmp_path, "")), out, workers=0)["ran"] == 2


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    from realpolitik.errors import ScenarioError
    from realpolitik.sweep.spec import load_spec

    path = write_spec(tmp_path, "models: [median, nosuch]\ninputs:\n"
                      "  actors.a.salience.presence: [1.5]\n  actors.zz.capability: [1]\n")
    with pytest.raises(ScenarioError, match="3 problems found"):
        run_sweep(load_spec(path), tmp_path / "out", workers=0)


def test_the_forecast_cap(tmp_path: Path) -> None:
    """A 10^9-cell grid is refused at once (before the design is laid out); max_forecasts
    raises the cap for a sweep that is meant to be large."""
    import time

    from realpolitik.errors import ScenarioError

    huge = make_spec(inputs={f"actors.{a}.capability": {"low": 10, "high": 50, "steps": 1000}
                             for a in "abc"}, samples=0)
    start = time.perf_counter()
    with pytest.raises(ScenarioError) as err:
        run_sweep(huge, tmp_path / "huge", workers=0)
    assert time.perf_counter() - start < 5
    assert ("samples: the sweep asks for 1,000,000,000 design points x 1 samples = "
            "1,000,000,000 forecasts, more than max_forecasts (100,000,000)") in str(err.value)
    assert err.value.options == ("max_forecasts",)
    assert not (tmp_path / "huge").exists()
    small = make_spec()  # 2 points x 60 samples = 120 forecasts
    with pytest.raises(ScenarioError, match="120 forecasts, more than max_forecasts"):
        run_sweep(small, tmp_path / "s", workers=0, max_forecasts=119)
    assert run_sweep(small, tmp_path / "s", workers=0, max_forecasts=120)["ran"] == 6


def test_the_cap_on_the_command_line(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(make_spec().model_dump(mode="json")))
    code, _, err = run_cli("sweep", str(path), "--workers", "0", "--max-forecasts", "100",
                           "--out", str(tmp_path / "c"))
    assert code == 2
    assert "more than max_forecasts (100)" in err and "(options: --max-forecasts)" in err
    assert not (tmp_path / "c").exists()
    code, _, err = run_cli("sweep", str(path), "--workers", "0", "--max-forecasts", "120",
                           "--out", str(tmp_path / "c"))
    assert code == 0, err


def test_many_damaged_chunks_are_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder of unrecorded chunks (say, from before chunk records) names the first ones and
    counts the rest."""
    import realpolitik.sweep.run as run_module

    monkeypatch.setattr(run_module, "DAMAGE_LINES", 2)
    folder = tmp_path / "old"
    run_sweep(make_spec(), folder, workers=0)
    (folder / JOURNAL).unlink()
    counts, said = resume(folder)
    assert counts["ran"] == 6
    assert said[:2] == [f"chunk {k} was damaged (no record of it in chunks.jsonl: a file this "
                        "sweep did not finish writing): redone" for k in (0, 1)]
    assert said[2:] == ["4 more damaged chunks were redone"]
