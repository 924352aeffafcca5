"""The model runner: the one caller of model functions, seeds of chunks, progress and cancel."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import numpy as np
import pytest

import realpolitik as rp
from realpolitik.errors import Cancelled, RealpolitikError
from realpolitik.models.registry import get_model
from realpolitik.progress import CancelToken
from realpolitik.runner import block_bounds, run_chunks, run_model
from realpolitik.scenario.arrays import to_input
from realpolitik.seeds import chunk_seed, member_seed, resolve_seed
from realpolitik.uncertainty.montecarlo import simulate
from realpolitik.uncertainty.sampling import sample_inputs

SRC = Path(__file__).resolve().parents[1] / "src" / "realpolitik"
SMALL = str(Path(__file__).parent / "data" / "uncertainty" / "small.yaml")
STOCHASTIC = {"transitions": "stochastic"}


@pytest.fixture(scope="module")
def small():
    return rp.load_scenario(SMALL)


@pytest.fixture(scope="module")
def fixed(small):
    """The small scenario with every input at its point value: samples differ only by the model's
    own random numbers."""
    data = small.model_dump(mode="json", by_alias=True, exclude_none=True)
    data.pop("correlations", None)

    def strip(node):
        if isinstance(node, dict):
            if "distribution" in node and "value" in node:
                return node["value"]
            return {k: strip(v) for k, v in node.items()}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return type(small).model_validate(strip(data))


def test_spec_says_whether_a_call_is_stochastic():
    """smp draws random numbers only with transitions="stochastic"; median never."""
    smp = get_model("smp")
    assert not smp.is_stochastic({}) and smp.is_stochastic(STOCHASTIC)
    assert not smp.is_stochastic({"transitions": "deterministic"})
    assert not get_model("median").is_stochastic(STOCHASTIC)


def test_stochastic_chunks_draw_different_streams(fixed):
    """With fixed inputs, samples of different chunks (and blocks) are not copies of each other."""
    mc = simulate(fixed, "smp", 6, seed=3, chunk_size=2, params=STOCHASTIC).values
    assert not np.array_equal(mc[0:2], mc[2:4]) and not np.array_equal(mc[2:4], mc[4:6])
    for block in (2, 256):
        d = run_chunks("smp", lambda a, b: sample_inputs(fixed, b - a, 3, start=a), 6, seed=3,
                       chunk_size=2, params=STOCHASTIC, block=block)
        chunks = [d[k:k + 2] for k in (0, 2, 4)]
        assert not np.array_equal(chunks[0], chunks[1])
        assert not np.array_equal(chunks[1], chunks[2])
        assert len({tuple(row) for row in d}) > 1


@pytest.mark.parametrize(("model", "params"), [
    pytest.param("smp", STOCHASTIC, marks=pytest.mark.slow), ("median", {}), ("eum", {})])
def test_monte_carlo_depends_only_on_the_seed(small, model, params):
    """Chunk sizes 1, 2, 3, 6 and 1 or 2 workers give identical samples; another seed differs."""
    runs = [simulate(small, model, 6, seed=3, chunk_size=c, workers=w, params=params).values
            for c in (1, 2, 3, 6) for w in (1, 2)]
    for other in runs[1:]:
        assert np.array_equal(runs[0], other)
    assert not np.array_equal(runs[0], simulate(small, model, 6, seed=4, params=params).values)


def test_stochastic_blocks_are_independent_of_chunking(small):
    """With small stream blocks, any chunk size and worker count gives the same samples."""
    def make(a, b):
        return sample_inputs(small, b - a, 5, start=a)

    ref = run_chunks("smp", make, 7, seed=5, params=STOCHASTIC, block=2)
    for c, w in ((1, 1), (3, 2), (4, 3), (7, 1)):
        got = run_chunks("smp", make, 7, seed=5, chunk_size=c, workers=w, params=STOCHASTIC,
                         block=2)
        assert np.array_equal(ref, got)
    # a sub-range (a sweep chunk) gives the same samples as the full run
    part = run_chunks("smp", make, 4, seed=5, start=3, params=STOCHASTIC, block=2)
    assert np.array_equal(part, ref[3:7])
    # the stochastic model really uses one seed per block
    one = run_model("smp", make(0, 2), seed=chunk_seed(5, 0), params=STOCHASTIC)
    assert np.array_equal(np.asarray(one.forecast), ref[:2])


def test_deterministic_chunks_are_bit_identical(small):
    """A deterministic model gets the seed as it is and one call per chunk, whatever the size."""
    def make(a, b):
        return sample_inputs(small, b - a, 2, start=a)

    whole = np.asarray(run_model("compromise", make(0, 40), seed=2).forecast)
    for c, w in ((1, 1), (7, 2), (40, 1), (16, 3)):
        assert np.array_equal(run_chunks("compromise", make, 40, seed=2, chunk_size=c,
                                         workers=w), whole)


def test_progress_and_cancel(small):
    """Progress follows each chunk; a cancelled token stops the run with Cancelled."""
    def make(a, b):
        return sample_inputs(small, b - a, 0, start=a)

    seen: list[tuple[str, int, int]] = []
    run_chunks("median", make, 10, chunk_size=4, progress=lambda *a: seen.append(a), stage="x")
    assert seen == [("x", 4, 10), ("x", 8, 10), ("x", 10, 10)]
    token = CancelToken()

    def stop(stage: str, done: int, total: int) -> None:
        token.cancel()

    with pytest.raises(Cancelled):
        run_chunks("median", make, 10, chunk_size=4, progress=stop, cancel=token)
    shared = threading.Event()
    assert not CancelToken(shared).cancelled
    shared.set()
    assert CancelToken(shared).cancelled


def test_point_call_and_errors(small):
    """run_model equals the model's own call; bad arguments are user errors."""
    inp = to_input(small)
    from realpolitik.models.median import median

    assert np.array_equal(run_model("median", inp).forecast, median(inp).forecast)
    with pytest.raises(RealpolitikError, match="workers"):
        run_chunks("median", lambda a, b: inp, 1, workers=0)
    with pytest.raises(RealpolitikError, match="samples must be") as info:
        simulate(small, "median", 0)
    assert "--" not in str(info.value) and info.value.options == ("samples",)
    assert block_bounds(3, 9, 4) == [(3, 4), (4, 8), (8, 9)]


def test_seed_helpers():
    """One module resolves and derives every seed."""
    assert resolve_seed(5) == 5 and resolve_seed(None) >= 0
    with pytest.raises(RealpolitikError, match="non-negative"):
        resolve_seed(-1)
    assert chunk_seed(1, 0) != chunk_seed(1, 1)
    assert member_seed(None, "eum") is None and member_seed(1, "eum") != member_seed(1, "smp")


def test_only_the_runner_and_the_ensemble_call_model_functions():
    """`grep "\\.fn("`: model functions are called by runner/ and models/ensemble.py only."""
    callers = set()
    for path in SRC.rglob("*.py"):
        if re.search(r"\.fn\(", path.read_text(encoding="utf-8")):
            callers.add(path.relative_to(SRC).as_posix())
    assert callers == {"runner/run.py", "models/ensemble.py"}
