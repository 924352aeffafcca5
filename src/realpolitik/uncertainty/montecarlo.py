"""Monte Carlo forecasts: a model run over N joint samples of the inputs, in bounded chunks.

Samples are drawn chunk by chunk (:func:`~realpolitik.uncertainty.sampling.sample_inputs` with
``start``), each chunk is one batched model call through the runner
(:func:`realpolitik.runner.run_chunks`), and only the forecasts (N x d numbers) are kept, so
memory stays bounded by the chunk whatever N is: a run of 10^7 samples never holds 10^7 model
states. Chunks may run on several threads (numpy releases the GIL in its kernels); results are
placed by sample number, so serial, chunked and parallel runs of one seed agree.

Deterministic models give identical numbers for any chunk size and number of workers. A call
that is *stochastic* (``smp`` with ``transitions="stochastic"``) gets one independent stream
per block of :data:`~realpolitik.runner.run.STREAM_BLOCK` samples
(``chunk_seed(seed, block)``), and its chunks are rounded up to whole blocks, so its numbers
too depend only on the seed, not on the chunk size or the workers.
"""

from __future__ import annotations

from typing import Any

from realpolitik.errors import RealpolitikError
from realpolitik.models.base import BargainingInput, ModelSpec
from realpolitik.models.ensemble import NAME as ENSEMBLE
from realpolitik.models.ensemble import member_specs
from realpolitik.progress import CancelToken, Progress
from realpolitik.runner import get_spec, resolve, run_chunks
from realpolitik.runner.cost import REPORT_AFTER_S, describe, estimate
from realpolitik.scenario.arrays import PositionKind
from realpolitik.scenario.schema import Scenario
from realpolitik.seeds import resolve_seed
from realpolitik.uncertainty.distribution import ForecastDistribution
from realpolitik.uncertainty.sampling import sample_inputs

#: Working-set budget of one chunk, in float64 numbers (2^23 numbers = 64 MiB).
CHUNK_BUDGET = 2**23
#: Largest default chunk.
MAX_CHUNK = 2**15
#: Largest number of samples of one run.
MAX_SAMPLES = 10**9


def default_chunk_size(n_actors: int, n_issues: int) -> int:
    """A power of two such that a chunk's inputs and an O(n^2 d) model state fit the budget."""
    per_sample = n_actors * n_actors * n_issues + 4 * n_actors * n_issues + n_issues
    size = max(1, min(MAX_CHUNK, CHUNK_BUDGET // max(per_sample, 1)))
    return 1 << (size.bit_length() - 1)


#: Estimated seconds of one chunk of a slow model: progress comes about this often.
CHUNK_SECONDS = 1.0
#: Smallest chunk sized by time (a power of two: whole stream blocks of stochastic models).
MIN_TIMED_CHUNK = 256


def timed_chunk_size(n_actors: int, n_issues: int, per_sample_s: float) -> int:
    """:func:`default_chunk_size`, made smaller for slow models so a chunk takes about a second.

    Results never depend on the chunk size (see :mod:`realpolitik.runner.run`); this only makes
    progress reports (and the spread over worker threads) come often enough.
    """
    size = default_chunk_size(n_actors, n_issues)
    if per_sample_s > 0:
        timed = max(MIN_TIMED_CHUNK, int(CHUNK_SECONDS / per_sample_s))
        size = min(size, 1 << (timed.bit_length() - 1))
    return size


def simulate(
    scenario: Scenario, model: str | ModelSpec, samples: int, seed: int | None = 0, *,
    positions: PositionKind = "stated", chunk_size: int | None = None,
    backend: str = "numpy", device: str | None = None, workers: int = 1,
    progress: Progress | None = None, cancel: CancelToken | None = None,
    params: dict[str, Any] | None = None,
) -> ForecastDistribution:
    """Forecast ``samples`` joint samples of the scenario's inputs with ``model``.

    The ensemble runs every member on each sample (its own combination of their forecasts);
    the distribution then also holds each member's forecasts (``members``).

    ``progress(stage, done, total)`` follows each finished chunk (a bar is the interface's:
    :class:`realpolitik.presentation.progress.ProgressBar`); ``cancel`` stops the run between
    chunks.
    """
    spec = get_spec(model)
    if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= MAX_SAMPLES:
        raise RealpolitikError(f"samples must be an integer from 1 to {MAX_SAMPLES:,}, got "
                               f"{samples!r}", options=("samples",))
    if workers < 1:
        raise RealpolitikError(f"workers must be at least 1, got {workers}")
    seed = resolve_seed(seed)
    be = resolve(backend, device)
    n, d = len(scenario.actors), len(scenario.issues)
    keep = tuple(s.name for s in member_specs()) if spec.name == ENSEMBLE else ()
    per_sample = sum(estimate(spec, member_specs() if keep else [], n, d).values())
    size = chunk_size or timed_chunk_size(n, d, per_sample)
    stage = f"{spec.name}: samples"
    if per_sample * samples > REPORT_AFTER_S:
        stage += f" ({describe(per_sample * samples / workers)}, estimated)"

    def make_input(start: int, stop: int) -> BargainingInput:
        return sample_inputs(scenario, stop - start, seed, positions, start=start)

    values = run_chunks(spec, make_input, samples, seed=seed, chunk_size=size, workers=workers,
                        backend=be, params=params, progress=progress, cancel=cancel,
                        stage=stage, keep=keep)
    members = {name: values[:, (i + 1) * d:(i + 2) * d] for i, name in enumerate(keep)}
    return ForecastDistribution(scenario, spec.name, seed, positions, values[:, :d],
                                backend=be.name if be.name == "numpy" else f"{be.name}:{be.device}",
                                chunk_size=size, members=members)
