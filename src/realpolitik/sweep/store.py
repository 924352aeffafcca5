"""The results folder of a sweep: the manifest, chunk files and their records, verified on resume.

Layout::

    OUT/manifest.json          the spec, its digest, the design points and the chunk plan
                               (written once, atomically, when the sweep starts)
    OUT/chunks.jsonl           one record per saved chunk: id, file, rows, bytes, sha256, digest
    OUT/chunk-000000.parquet   one file per finished chunk

A chunk is saved in three steps: its Parquet bytes are written to ``chunk-N.parquet.part`` and
renamed into place (so a chunk file is never half written by this program), then one line is
appended to ``chunks.jsonl`` with a single ``write`` (the record is the commit point). A chunk
counts as finished only when its file has a record of this sweep with the same size and SHA-256:
a file truncated, emptied or replaced by another after it was written (a full disk, a copy, a
crash of the machine before the data reached the disk) is found on resume and run again.
Rewriting the manifest after every chunk would cost time quadratic in the number of chunks, and
a sidecar per chunk doubles the files; one appended line per chunk does neither, and a torn last
line (a crash mid-append) only means that chunk runs again.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from realpolitik.errors import RealpolitikError
from realpolitik.sweep.spec import Chunk

MANIFEST = "manifest.json"
JOURNAL = "chunks.jsonl"
#: Version of the folder layout written in the manifest.
LAYOUT = 2
#: The columns of a chunk file, in order.
COLUMN_NAMES = ("chunk", "point", "scenario", "model", "sample", "issue", "forecast")


def arrow_types() -> dict[str, Any]:
    """The Arrow type of each column of a chunk file."""
    import pyarrow as pa

    return {"chunk": pa.int64(), "point": pa.int64(), "scenario": pa.string(),
            "model": pa.string(), "sample": pa.int64(), "issue": pa.string(),
            "forecast": pa.float64()}


@dataclass(frozen=True)
class Encoded:
    """A chunk ready to save: its Parquet bytes, row count and SHA-256 (made on a worker)."""

    data: bytes
    rows: int
    sha256: str


def encode(columns: dict[str, Any]) -> Encoded:
    """A chunk's columns (name: array or list) as Parquet bytes with row count and checksum."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = arrow_types()
    table = pa.table({name: pa.array(columns[name], type=types[name]) for name in COLUMN_NAMES})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    data = sink.getvalue().to_pybytes()
    return Encoded(data, table.num_rows, hashlib.sha256(data).hexdigest())


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed into place."""
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def save_chunk(out: Path, digest: str, chunk: Chunk, enc: Encoded) -> None:
    """Write a chunk's file atomically, then append its record (the commit point)."""
    write_atomic(out / chunk.file, enc.data)
    record = {"id": chunk.id, "file": chunk.file, "rows": enc.rows, "bytes": len(enc.data),
              "sha256": enc.sha256, "digest": digest}
    line = (json.dumps(record, separators=(",", ":")) + "\n").encode()
    fd = os.open(out / JOURNAL, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def repair_journal(out: Path) -> None:
    """End the journal with a newline (after a torn last line), so new records stay readable."""
    path = out / JOURNAL
    if path.exists() and path.stat().st_size:
        with path.open("rb+") as fh:
            fh.seek(-1, os.SEEK_END)
            if fh.read(1) != b"\n":
                fh.write(b"\n")


def records(out: Path) -> dict[int, dict[str, Any]]:
    """The last record of each chunk in the journal (unreadable lines are ignored)."""
    path = out / JOURNAL
    found: dict[int, dict[str, Any]] = {}
    if not path.exists():
        return found
    with path.open("rb") as fh:
        for raw in fh:
            try:
                rec = json.loads(raw)
                found[int(rec["id"])] = rec
            except (ValueError, KeyError, TypeError):
                continue  # a torn last line: that chunk has no record and runs again
    return found


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def damage(path: Path, rec: dict[str, Any] | None, digest: str) -> str | None:
    """Why the chunk file at ``path`` cannot be trusted, or None when it is whole."""
    exists = path.exists()
    if not exists:
        return "its file is missing" if rec is not None else None
    size = path.stat().st_size
    if size == 0:
        return "zero bytes"
    if rec is None:
        return f"no record of it in {JOURNAL}: a file this sweep did not finish writing"
    if rec.get("digest") != digest:
        return f"written by another sweep (digest {rec.get('digest')})"
    if size != rec.get("bytes"):
        cut = "truncated: " if size < rec.get("bytes", 0) else ""
        return f"{cut}{size} bytes, {rec.get('bytes')} were written"
    if _sha256(path) != rec.get("sha256"):
        return "its SHA-256 differs from the one recorded (another file, or changed on disk)"
    return None


def verify(out: Path, plan: list[Chunk], digest: str) -> tuple[set[int], dict[int, str]]:
    """Finished chunks (file whole and recorded) and damaged ones with the reason."""
    recs = records(out)
    done: set[int] = set()
    damaged: dict[int, str] = {}
    for c in plan:
        why = damage(out / c.file, recs.get(c.id), digest)
        if why is not None:
            damaged[c.id] = why
        elif (out / c.file).exists():
            done.add(c.id)
    return done, damaged


def read_manifest(out: Path) -> dict[str, Any]:
    """The manifest of the sweep in ``out`` (an error if there is none or it is unreadable)."""
    manifest = out / MANIFEST
    if not manifest.exists():
        raise RealpolitikError(f"{out} holds no sweep (no {MANIFEST})")
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise RealpolitikError(f"{manifest} is unreadable ({exc}); use another results folder",
                               options=("out",)) from None
    if not isinstance(data, dict):
        raise RealpolitikError(f"{manifest} is not a sweep manifest; use another results folder",
                               options=("out",))
    return data


def plan_of(manifest: dict[str, Any]) -> list[Chunk]:
    """The chunk plan recorded in a manifest."""
    return [Chunk(int(c["id"]), int(c["point"]), int(c["start"]), int(c["stop"]))
            for c in manifest["chunks"]]


def verified_chunks(out: Path) -> tuple[dict[str, Any], list[Chunk]]:
    """The manifest and the finished chunks in plan order; an error names a damaged chunk."""
    manifest = read_manifest(out)
    plan = plan_of(manifest)
    done, damaged = verify(out, plan, str(manifest.get("digest")))
    if damaged:
        cid, why = min(damaged.items())
        raise RealpolitikError(
            f"chunk {cid} of {out} is damaged ({why}); run the sweep again to redo it "
            f"({len(damaged)} damaged chunk{'s' if len(damaged) != 1 else ''} in all)")
    return manifest, [c for c in plan if c.id in done]
