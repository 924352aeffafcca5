"""The one caller of model functions: backend and device, chunks, workers, seeds, progress, cancel.

See :mod:`realpolitik.runner.run` for the design (stream blocks of stochastic models) and
:mod:`realpolitik.runner.backend` for the array backends.
"""

from realpolitik.runner.backend import BACKENDS, Backend, resolve, to_backend, to_numpy
from realpolitik.runner.run import (
    STREAM_BLOCK,
    block_bounds,
    chunk_bounds,
    get_spec,
    run_chunks,
    run_model,
)

__all__ = [
    "BACKENDS", "STREAM_BLOCK", "Backend", "block_bounds", "chunk_bounds", "get_spec",
    "resolve", "run_chunks", "run_model", "to_backend", "to_numpy",
]
