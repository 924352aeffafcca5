"""The one caller of model functions: backend, device, chunks, workers, seeds, progress, cancel.

Everything in realpolitik that runs a registered model goes through this module (the ensemble,
which combines its members' calls, is the only other caller of ``spec.fn``):

* :func:`run_model` makes **one call** on a batch of inputs: the model by name or spec, on a
  backend and device (:mod:`realpolitik.runner.backend`), with the user's seed as it is, and the
  outcome back on numpy. Forecasts, sensitivity swings, leverage, backtests, the deal's domestic
  constraint and the dynamics' forecast option use it.
* :func:`run_chunks` runs a model over ``n`` samples (Monte Carlo, Sobol designs, sweeps, the
  deal's collective forecast) in bounded chunks, on ``workers`` threads, and returns the
  forecasts ``(n, d)`` placed by sample number. ``make_input(start, stop)`` builds the inputs of
  samples ``start .. stop - 1``; progress is reported and cancellation checked after each chunk.

Seeds of chunked runs
---------------------
The result of a chunked run depends only on the seed, never on ``chunk_size`` or ``workers``:

* A call is **deterministic** unless the spec says it is stochastic for these parameters
  (:meth:`realpolitik.models.base.ModelSpec.is_stochastic`, e.g. ``smp`` with
  ``transitions="stochastic"``). Deterministic calls get the seed unchanged and the model is
  run on each chunk as it comes: a deterministic model treats batch elements independently, so
  its forecasts are bit-identical for any chunk size and any number of workers.
* A **stochastic** call draws random numbers, so the samples must not share one stream. Samples
  are grouped into fixed *stream blocks* of :data:`STREAM_BLOCK` samples by sample number:
  block ``b`` holds samples ``b * K .. (b + 1) * K - 1`` and is always one model call with a
  batch of exactly ``K`` rows and the seed :func:`realpolitik.seeds.chunk_seed(seed, b)
  <realpolitik.seeds.chunk_seed>`. Chunks are rounded up to whole blocks. Rows of a block that
  the run does not need (past the last sample, or before the first sample of a sweep chunk) are
  filled with a copy of a needed row and dropped afterwards. So every block draws its own
  independent stream, and the random numbers of a row are the same in every run with the seed;
  for a model whose batch elements each draw from their own row of the stream (``smp``),
  sample ``k``'s forecast is the same in any run that includes it, whatever the chunking.

Example::

    from realpolitik.runner import run_chunks, run_model
    outcome = run_model("median", inp, seed=1, backend="torch", device="cpu")
    values = run_chunks("smp", lambda a, b: sample_inputs(sc, b - a, 1, start=a), 1000,
                        seed=1, params={"transitions": "stochastic"}, workers=2)
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from realpolitik.errors import RealpolitikError
from realpolitik.models.base import BargainingInput, BargainingOutcome, ModelSpec
from realpolitik.progress import CancelToken, Progress, report
from realpolitik.runner.backend import Backend, outcome_to_numpy, resolve, to_backend, to_numpy
from realpolitik.seeds import chunk_seed, resolve_seed

#: Samples per stream block of a stochastic model (one model call and one seed per block).
STREAM_BLOCK = 256

#: ``make_input(start, stop)``: the inputs of samples ``start .. stop - 1`` (batch stop - start).
MakeInput = Callable[[int, int], BargainingInput]


def get_spec(model: str | ModelSpec) -> ModelSpec:
    """The registered spec of a model given by name (a spec passes through)."""
    if isinstance(model, ModelSpec):
        return model
    from realpolitik.models.registry import get_model

    return get_model(model)


def run_model(
    model: str | ModelSpec, inp: BargainingInput, *, seed: int | None = None,
    backend: str | Backend = "numpy", device: str | None = None,
    params: dict[str, Any] | None = None, trace: bool = False,
) -> BargainingOutcome:
    """One call of ``model`` on the batch ``inp``; the outcome comes back as numpy.

    ``trace=True`` asks for the round-by-round record where the model keeps one (ignored by
    models without a trace).
    """
    spec = get_spec(model)
    be = backend if isinstance(backend, Backend) else resolve(backend, device)
    kwargs = dict(params or {})
    if trace and spec.supports_trace:
        kwargs["trace"] = True
    if spec.engines and "engine" not in kwargs:  # compiled kernels run on numpy only
        kwargs["engine"] = "auto" if be.name == "numpy" else "array"
    outcome = spec.fn(to_backend(inp, be), seed=seed, **kwargs)
    return outcome_to_numpy(outcome) if be.name != "numpy" else outcome


def chunk_bounds(n: int, chunk_size: int, start: int = 0) -> list[tuple[int, int]]:
    """``[a, b)`` of each chunk of samples ``start .. start + n - 1`` (``chunk_size`` each)."""
    if chunk_size < 1:
        raise RealpolitikError(f"the chunk size must be at least 1, got {chunk_size}")
    stop = start + n
    return [(s, min(s + chunk_size, stop)) for s in range(start, stop, chunk_size)]


def block_bounds(start: int, stop: int, block: int) -> list[tuple[int, int]]:
    """``start .. stop - 1`` cut at the multiples of ``block`` (by sample number)."""
    out = []
    a = start
    while a < stop:
        b = min((a // block + 1) * block, stop)
        out.append((a, b))
        a = b
    return out


def _forecasts(outcome: BargainingOutcome, keep: tuple[str, ...] = ()) -> np.ndarray:
    """The forecasts (B, d), followed column-wise by the ``extra`` entries named in ``keep``."""
    values = np.asarray(to_numpy(outcome.forecast), dtype=float)
    if not keep:
        return values
    more = [np.asarray(to_numpy(outcome.extra[k]), dtype=float).reshape(values.shape) for k in keep]
    return np.concatenate([values, *more], axis=1)


def _padded(inp: BargainingInput, offset: int, block: int) -> BargainingInput:
    """``inp`` placed at rows ``offset ..`` of a batch of ``block`` rows, the rest copies."""
    m = inp.batch
    if offset == 0 and m == block:
        return inp
    return inp.take(np.clip(np.arange(block) - offset, 0, m - 1))


def run_chunks(
    model: str | ModelSpec, make_input: MakeInput, n: int, *, seed: int | None = 0,
    start: int = 0, chunk_size: int | None = None, workers: int = 1,
    backend: str | Backend = "numpy", device: str | None = None,
    params: dict[str, Any] | None = None, progress: Progress | None = None,
    cancel: CancelToken | None = None, stage: str = "samples", block: int = STREAM_BLOCK,
    keep: tuple[str, ...] = (),
) -> np.ndarray:
    """Forecasts ``(n, d)`` of samples ``start .. start + n - 1`` (see the module docstring).

    ``keep`` names entries of the outcome's ``extra``, each (B, d) (the ensemble's members'
    forecasts), that come back too: the result is then ``(n, d (1 + len(keep)))``, the
    forecasts followed by each kept entry in turn.

    ``chunk_size`` (default: all ``n`` at once) bounds the samples of one chunk; a stochastic
    call rounds it up to whole stream blocks of ``block`` samples. Chunks run on ``workers``
    threads; ``progress(stage, done, n)`` follows each finished chunk, and ``cancel`` stops the
    run with :class:`~realpolitik.errors.Cancelled` before the next one.
    """
    spec = get_spec(model)
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise RealpolitikError(f"the number of samples must be a non-negative integer, got {n!r}")
    if workers < 1:
        raise RealpolitikError(f"workers must be at least 1, got {workers}")
    if block < 1:
        raise RealpolitikError(f"the stream block must be at least 1 sample, got {block}")
    params = dict(params or {})
    seed = resolve_seed(seed)
    be = backend if isinstance(backend, Backend) else resolve(backend, device)
    stochastic = spec.is_stochastic(params)
    size = chunk_size or max(n, 1)
    if stochastic:
        bounds = block_bounds(start, start + n, -(-size // block) * block)
    else:
        bounds = chunk_bounds(n, size, start)
    out: list[np.ndarray | None] = [None]  # (n, d), made by the first chunk that finishes
    lock = threading.Lock()

    def one(k: int) -> int:
        if cancel is not None:
            cancel.check()
        a, b = bounds[k]
        if stochastic:
            pieces = [_block_call(spec, make_input, c, d, seed, block, be, params, keep)
                      for c, d in block_bounds(a, b, block)]
            values = np.concatenate(pieces, axis=0)
        else:
            values = _forecasts(run_model(spec, make_input(a, b), seed=seed, backend=be,
                                          params=params), keep)
        with lock:
            if out[0] is None:
                out[0] = np.empty((n, values.shape[1]))
            arr = out[0]
        arr[a - start:b - start] = values
        return b - a

    _drive(one, len(bounds), n, workers, progress, cancel, stage)
    return out[0] if out[0] is not None else np.empty((0, 0))


def _block_call(spec: ModelSpec, make_input: MakeInput, a: int, b: int, seed: int, block: int,
                be: Backend, params: dict[str, Any], keep: tuple[str, ...] = ()) -> np.ndarray:
    """Forecasts of samples ``a .. b - 1`` of one stream block: one call of ``block`` rows."""
    index = a // block
    offset = a - index * block
    inp = _padded(make_input(a, b), offset, block)
    values = _forecasts(run_model(spec, inp, seed=chunk_seed(seed, index), backend=be,
                                  params=params), keep)
    return values[offset:offset + (b - a)]


def _drive(one: Callable[[int], int], chunks: int, total: int, workers: int,
           progress: Progress | None, cancel: CancelToken | None, stage: str) -> None:
    """Run ``one(k)`` for every chunk (serially or on threads), reporting after each."""
    done = 0
    if workers == 1 or chunks <= 1:
        for k in range(chunks):
            done += one(k)
            report(progress, cancel, stage, done, total)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(one, k) for k in range(chunks)]
        try:
            for fut in futures:  # in chunk order: progress counts finished samples
                done += fut.result()
                report(progress, cancel, stage, done, total)
        except BaseException:
            for fut in futures:  # chunks not started yet are dropped
                fut.cancel()
            raise
