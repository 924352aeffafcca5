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
