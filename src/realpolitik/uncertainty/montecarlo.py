"""Monte Carlo forecasts: a model run over N joint samples of the inputs, in bounded chunks.

Samples are drawn chunk by chunk (:func:`~realpolitik.uncertainty.sampling.sample_inputs` with
``start``), each chunk is one batched model call, and only the forecasts (N x d numbers) are
kept, so memory stays bounded by the chunk whatever N is: a run of 10^7 samples never holds
10^7 model states. Chunks may run on several threads (numpy releases the GIL in its kernels);
results are placed by chunk index, so serial, chunked and parallel runs of one seed agree.

Deterministic models give identical numbers for any chunk size. A *stochastic* model gets one
seed per chunk (``chunk_seed(seed, chunk_index)``), so its numbers depend on the chunk size too:
keep ``chunk_size`` fixed (the default depends only on the scenario's size) to reproduce them.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from realpolitik.errors import RealpolitikError
from realpolitik.models.base import ModelSpec
from realpolitik.runner.backend import Backend, resolve, run_model, to_numpy
from realpolitik.seeds import chunk_seed, resolve_seed
from realpolitik.uncertainty.distribution import ForecastDistribution
from realpolitik.uncertainty.inputs import PositionKind
from realpolitik.uncertainty.sampling import sample_inputs

#: Working-set budget of one chunk, in float64 numbers (2^23 numbers = 64 MiB).
CHUNK_BUDGET = 2**23
#: Largest default chunk.
MAX_CHUNK = 2**15
#: Largest number of samples of one run.
MAX_SAMPLES = 10**9

Progress = Callable[[int], None]


def default_chunk_size(n_actors: int, n_issues: int) -> int:
    """A power of two such that a chunk's inputs and an O(n^2 d) model state fit the budget."""
    per_sample = n_actors * n_actors * n_issues + 4 * n_actors * n_issues + n_issues
    size = max(1, min(MAX_CHUNK, CHUNK_BUDGET // max(per_sample, 1)))
    return 1 << (size.bit_length() - 1)


def chunk_bounds(n: int, chunk_size: int) -> list[tuple[int, int]]:
    """``[start, stop)`` of each chunk of a run of ``n`` samples."""
    if chunk_size < 1:
        raise RealpolitikError(f"the chunk size must be at least 1, got {chunk_size}")
    return [(s, min(s + chunk_size, n)) for s in range(0, n, chunk_size)]


def forecast_chunk(
    scenario: Any, spec: ModelSpec, seed: int, start: int, stop: int, chunk_index: int, *,
    positions: PositionKind = "stated", backend: str | Backend = "numpy",
    params: dict[str, Any] | None = None,
) -> np.ndarray:
    """Forecasts (stop - start, d) of samples ``start`` .. ``stop - 1``."""
    inp = sample_inputs(scenario, stop - start, seed, positions, start=start)
    model_seed = chunk_seed(seed, chunk_index) if spec.stochastic else seed
    outcome = run_model(spec, inp, seed=model_seed, backend=backend, **(params or {}))
    return np.asarray(to_numpy(outcome.forecast), dtype=float)


def simulate(
    scenario: Any, model: str | ModelSpec, samples: int, seed: int | None = 0, *,
    positions: PositionKind = "stated", chunk_size: int | None = None,
    backend: str = "numpy", device: str | None = None, workers: int = 1,
    progress: bool | Progress = False, params: dict[str, Any] | None = None,
) -> ForecastDistribution:
    """Forecast ``samples`` joint samples of the scenario's inputs with ``model``.

    ``progress=True`` shows a rich progress bar on standard error (for runs of more than one
    chunk); a callable receives the number of samples finished after each chunk.
    """
    from realpolitik.models.registry import get_model

    spec = get_model(model) if isinstance(model, str) else model
    if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= MAX_SAMPLES:
        raise RealpolitikError(f"--samples must be an integer from 1 to {MAX_SAMPLES:,}, got {samples!r}")
    if workers < 1:
        raise RealpolitikError(f"workers must be at least 1, got {workers}")
    seed = resolve_seed(seed)
    be = resolve(backend, device)
    size = chunk_size or default_chunk_size(len(scenario.actors), len(scenario.issues))
    bounds = chunk_bounds(samples, size)
    values = np.empty((samples, len(scenario.issues)))

    def one(k: int) -> int:
        start, stop = bounds[k]
        values[start:stop] = forecast_chunk(scenario, spec, seed, start, stop, k,
                                            positions=positions, backend=be, params=params)
        return stop - start

    with _ProgressSink(progress, samples, len(bounds), spec.name) as advance:
        if workers == 1 or len(bounds) == 1:
            for k in range(len(bounds)):
                advance(one(k))
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                for done in pool.map(one, range(len(bounds))):
                    advance(done)
    return ForecastDistribution(scenario, spec.name, seed, positions, values,
                                backend=be.name if be.name == "numpy" else f"{be.name}:{be.device}",
                                chunk_size=size)


class _ProgressSink:
    """Context manager giving an ``advance(k)`` callable: a rich bar, a user callback or nothing."""

    def __init__(self, progress: bool | Progress, total: int, chunks: int, label: str):
        self.progress, self.total, self.chunks, self.label = progress, total, chunks, label
        self.bar: Any = None
        self.done = 0

    def __enter__(self) -> Callable[[int], None]:
        if callable(self.progress):
            callback = self.progress

            def advance(k: int) -> None:
                self.done += k
                callback(self.done)

            return advance
        if self.progress and self.chunks > 1:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                MofNCompleteColumn(), TimeRemainingColumn(),
                                console=Console(stderr=True), transient=True)
            self.bar.start()
            task = self.bar.add_task(f"{self.label}: samples", total=self.total)
            return lambda k: self.bar.advance(task, k)
        return lambda k: None

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
