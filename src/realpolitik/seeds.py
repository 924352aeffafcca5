"""Seeds, in one place: check a seed, derive the seeds of chunks, members and streams, spawn.

Every random number of realpolitik comes from a :class:`numpy.random.SeedSequence` rooted at the
user's seed. Children are told apart by their *spawn key*: ``sequence(seed, *key)`` is the child
that ``SeedSequence(seed).spawn`` would yield under ``key``, so each use of one seed gets its own
independent stream, and adding a use never changes another's draws. The tags below keep the
families of keys apart:

=====================  =====================================================================
family                 seed sequence
=====================  =====================================================================
input streams          ``sequence(seed, STREAM_TAG, stream_key(path))`` (Monte Carlo inputs)
model stream blocks    ``chunk_seed(seed, block)``: tag ``MODEL_TAG`` (stochastic model calls)
ensemble members       ``member_seed(seed, name)``: key ``crc32(name)``
per-sample streams     ``sequence(seed, k)`` = ``spawn(seed, k + 1)[k]`` (dynamics, calibration)
=====================  =====================================================================

This module is the ground floor: it imports nothing of realpolitik but :mod:`realpolitik.errors`.
"""

from __future__ import annotations

import hashlib
import zlib

import numpy as np

from realpolitik.errors import RealpolitikError

#: First word of every input stream's spawn key: keeps these streams apart from any other use of
#: the same seed (model seeds per stream block use another tag, see :func:`chunk_seed`).
STREAM_TAG = 0x1A9
#: Tag of the per-block seeds handed to stochastic models.
MODEL_TAG = 0x3D1


def resolve_seed(seed: int | None) -> int:
    """``seed`` itself, or fresh entropy when None (so all chunks of one run share it)."""
    if seed is None:
        return int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise RealpolitikError(f"a seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def sequence(seed: int, *key: int) -> np.random.SeedSequence:
    """The child of ``seed`` under spawn key ``key`` (``seed`` itself for an empty key)."""
    return np.random.SeedSequence(seed, spawn_key=tuple(int(k) for k in key))


def spawn(seed: int, n: int) -> list[np.random.SeedSequence]:
    """``n`` independent children of ``seed``: ``SeedSequence(seed).spawn(n)``."""
    return np.random.SeedSequence(seed).spawn(n)


def generator(seed: int | np.random.SeedSequence, *key: int) -> np.random.Generator:
    """A PCG64 generator on ``sequence(seed, *key)`` (or on a given SeedSequence)."""
    seq = seed if isinstance(seed, np.random.SeedSequence) else sequence(seed, *key)
    return np.random.Generator(np.random.PCG64(seq))


def stream_key(path: str) -> int:
    """A stable 64-bit key of an input path (BLAKE2b; the same on every platform and run)."""
    return int.from_bytes(hashlib.blake2b(path.encode("utf-8"), digest_size=8).digest(), "little")


def input_sequence(seed: int, path: str) -> np.random.SeedSequence:
    """The seed sequence of the Monte Carlo stream of input ``path``."""
    return sequence(seed, STREAM_TAG, stream_key(path))


def chunk_seed(seed: int, index: int) -> int:
    """The seed handed to a stochastic model for stream block ``index`` of a run."""
    seq = sequence(seed, MODEL_TAG, index)
    return int(seq.generate_state(1, np.uint64)[0] >> np.uint64(1))


def member_seed(seed: int | None, name: str) -> int | None:
    """The seed ensemble member ``name`` gets from the ensemble's ``seed`` (None stays None)."""
    if seed is None:
        return None
    key = zlib.crc32(name.encode("utf-8"))
    return int(sequence(seed, key).generate_state(1)[0])
