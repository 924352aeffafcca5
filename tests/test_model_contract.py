"""The contract every registered collective model must meet (run over the whole registry).

Shapes, determinism for a seed, invariance to relabelling actors and to an affine change of the
position scale, batch element k equal to sample k run alone, and no NaN on degenerate input.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model_helpers import affine, permute, random_input
from realpolitik.models.base import BargainingInput, Event, TraceEvent, TraceRecord
from realpolitik.models.registry import get_model, list_models

MODELS = [s.name for s in list_models() if s.collective]


def marked_slow(*slow: str) -> list:
    """MODELS with ``slow`` marked slow (property tests of models that take seconds there)."""
    return [pytest.param(m, marks=pytest.mark.slow) if m in slow else m for m in MODELS]


# Iterative models stop at a tolerance; their invariances hold up to that tolerance
# (in units of the scale's width).
TOL = 1e-6
ITER_TOL = 2e-3

PROPS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(name: str, inp: BargainingInput, seed: int = 7):
    return get_model(name).fn(inp, seed=seed)


def tol(name: str) -> float:
    return ITER_TOL if get_model(name).iterative else TOL


@pytest.mark.parametrize("name", MODELS)
def test_shapes_and_finite(name):
    """Forecast is (B, d), final positions (B, n, d) when given; all finite and inside the scale."""
    inp = random_input(1, batch=6, n=5, d=2)
    out = run(name, inp)
    f = np.asarray(out.forecast)
    assert f.shape == (6, 2)
    assert np.isfinite(f).all()
    assert (f >= inp.lower - 1e-9).all() and (f <= inp.upper + 1e-9).all()
    if out.final_position is not None:
        assert np.asarray(out.final_position).shape == (6, 5, 2)
    if out.rounds is not None:
        assert np.asarray(out.rounds).shape == (6,)


@pytest.mark.parametrize("name", MODELS)
def test_deterministic_for_a_seed(name):
    """The same seed gives the same numbers."""
    inp = random_input(2)
    a, b = run(name, inp, seed=3), run(name, inp, seed=3)
    np.testing.assert_array_equal(np.asarray(a.forecast), np.asarray(b.forecast))


@pytest.mark.parametrize("name", marked_slow("ensemble"))
@PROPS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 6), d=st.integers(1, 2))
def test_relabelling_actors(name, seed, n, d):
    """Reordering the actors does not change the forecast."""
    inp = random_input(seed, batch=2, n=n, d=d)
    order = np.random.default_rng(seed).permutation(n)
    a = np.asarray(run(name, inp).forecast)
    b = np.asarray(run(name, permute(inp, order)).forecast)
    np.testing.assert_allclose(a, b, atol=tol(name) * 100)


@pytest.mark.parametrize("name", marked_slow("ensemble", "smp"))
@PROPS
@given(seed=st.integers(0, 2**32 - 1), a=st.floats(0.01, 100), b=st.floats(-1000, 1000))
def test_affine_rescaling_of_the_scale(name, seed, a, b):
    """On the scale a*x + b the forecast is a*f + b (rescaling and shifting)."""
    inp = random_input(seed, batch=2, n=4, d=2)
    f = np.asarray(run(name, inp).forecast)
    g = np.asarray(run(name, affine(inp, a, b)).forecast)
    np.testing.assert_allclose((g - b) / a, f, atol=tol(name) * 100, rtol=1e-6)


@pytest.mark.parametrize("name", MODELS)
def test_batch_element_equals_sample_alone(name):
    """Element k of a batched call equals running sample k alone."""
    inp = random_input(5, batch=64, n=6, d=2)
    full = np.asarray(run(name, inp).forecast)
    for k in (0, 17, 63):
        alone = np.asarray(run(name, inp.take(k)).forecast)
        np.testing.assert_allclose(full[k], alone[0], rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("name", MODELS)
def test_all_actors_at_one_position(name):
    """When everyone stands at one position, that position is the forecast."""
    inp = random_input(6, batch=3, n=4, d=2)
    pos = np.broadcast_to(np.array([30.0, 70.0]), inp.position.shape).copy()
    same = BargainingInput(pos, inp.salience, inp.capability, inp.status_quo, inp.lower,
                           inp.upper, inp.actor_ids, inp.issue_ids)
    f = np.asarray(run(name, same).forecast)
    np.testing.assert_allclose(f, np.broadcast_to([30.0, 70.0], f.shape), atol=1e-6)


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("what", ["salience", "capability"])
def test_zero_weights_never_nan(name, what):
    """Zero salience (or capability) everywhere gives a finite, defined answer: the status quo."""
    inp = random_input(7, batch=3, n=4, d=2)
    sal = np.zeros_like(inp.salience) if what == "salience" else inp.salience
    cap = np.zeros_like(inp.capability) if what == "capability" else inp.capability
    zero = BargainingInput(inp.position, sal, cap, inp.status_quo, inp.lower, inp.upper,
                           inp.actor_ids, inp.issue_ids)
    f = np.asarray(run(name, zero).forecast)
    assert np.isfinite(f).all()
    np.testing.assert_allclose(f, inp.status_quo, atol=1e-6)


@pytest.mark.parametrize("name", MODELS)
def test_two_actors(name):
    """The smallest bargaining problem (two actors) gives a finite forecast between them."""
    inp = random_input(8, batch=3, n=2, d=1)
    f = np.asarray(run(name, inp).forecast)[:, 0]
    lo = inp.position[:, :, 0].min(axis=1)
    hi = inp.position[:, :, 0].max(axis=1)
    sq = inp.status_quo[:, 0]
    assert np.isfinite(f).all()
    assert (f >= np.minimum(lo, sq) - 1e-6).all() and (f <= np.maximum(hi, sq) + 1e-6).all()


TRACED = [s.name for s in list_models() if s.supports_trace]


@pytest.mark.parametrize("name", TRACED)
def test_trace_is_numeric_records(name):
    """Every model with a trace emits the same record shape: numbers and event codes, no text."""
    inp = random_input(4, batch=2, n=5, d=2)
    out = get_model(name).fn(inp, seed=3, trace=True)
    assert out.trace, name
    for issue in range(2):
        rounds = [r.round for r in out.trace if r.issue == issue]
        assert rounds == list(range(len(rounds)))
    for rec in out.trace:
        assert isinstance(rec, TraceRecord) and rec.model == name
        assert isinstance(rec.positions, np.ndarray) and rec.positions.shape == (5,)
        assert rec.positions.dtype == np.float64 and np.isfinite(rec.positions).all()
        assert rec.median is None or isinstance(rec.median, float)
        for event in rec.events:
            assert isinstance(event, TraceEvent) and isinstance(event.code, Event)
            assert -1 <= event.actor < 5 and -1 <= event.other < 5
            assert all(isinstance(v, float) for v in event.values)
    # round 0 holds the opening positions, the last round of an issue the final ones
    np.testing.assert_allclose(out.trace[0].positions, np.asarray(inp.position)[0, :, 0], rtol=1e-12)
    last = [r for r in out.trace if r.issue == 1][-1]
    np.testing.assert_allclose(last.positions, np.asarray(out.final_position)[0, :, 1], rtol=1e-12)
    assert get_model(name).fn(inp, seed=3).trace is None
