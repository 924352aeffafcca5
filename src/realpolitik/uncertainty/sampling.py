"""Joint samples of a scenario's uncertain inputs: reproducible and independent of chunking.

Design
------
Sample ``k`` of a run must not depend on how the run is cut into chunks, on how many workers
share it, or on which other inputs the scenario has. So every uncertain input draws from its own
random stream, and sample ``k`` is the ``k``-th number of that stream, reached directly:

1. The stream of input ``path`` is a PCG64 generator seeded with
   :func:`realpolitik.seeds.input_sequence`, ``SeedSequence(seed, spawn_key=(STREAM_TAG,
   key(path)))``: the child that ``SeedSequence(seed).spawn`` yields under that spawn key, where
   ``key(path)`` is a stable 64-bit hash (BLAKE2b) of the input's path. Streams of different inputs are independent, and
   adding, removing or reordering inputs leaves every other input's draws unchanged (common
   random numbers across scenario variants, useful for sweeps and best-move searches).
2. A chunk of samples ``[start, start + n)`` advances the generator by ``start`` steps
   (``PCG64.advance``, a jump, not a loop) and draws ``n`` uniform doubles. Each double consumes
   exactly one 64-bit output of PCG64, so element ``k`` is the same in a run of N samples and in
   any chunked or parallel run, whatever the chunk sizes.
3. Correlated inputs (the scenario's ``correlations``) are joined by a Gaussian copula: their
   uniforms become normal scores ``z = Phi^-1(u)``, are mixed with the Cholesky factor of the
   copula's correlation matrix and mapped back with ``Phi``. This acts on each sample alone, by
   elementwise operations in a fixed order (not a BLAS product, whose rounding depends on the
   chunk's width), so it keeps the chunk invariance bit for bit.
4. Each uniform becomes an input value through the quantile function of the input's
   distribution (:mod:`realpolitik.uncertainty.marginals`), or, for an input estimated by an
   expert panel, through the panel's rule (:mod:`realpolitik.uncertainty.panel`).

Inputs without a distribution keep their point value in every sample. Samples are float64 numpy
arrays; other backends receive them converted (:mod:`realpolitik.runner.backend`), so a seed gives the
same inputs on every backend.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy import special

from realpolitik.errors import RealpolitikError
from realpolitik.models.base import BargainingInput, DecisionRules
from realpolitik.scenario.arrays import PositionKind, to_input
from realpolitik.scenario.schema import Scenario
from realpolitik.scenario.sections.correlations import (
    MIN_EIGENVALUE,
    copula_matrix,
    smallest_eigenvalue,
)
from realpolitik.scenario.sections.decision import build_rules
from realpolitik.scenario.values import UncertainValue
from realpolitik.seeds import input_sequence, resolve_seed
from realpolitik.uncertainty.inputs import Slot, uncertain_slots
from realpolitik.uncertainty.marginals import ppf_rows
from realpolitik.uncertainty.panel import input_rows

_TINY = 2.0**-54  # keeps uniforms strictly inside (0, 1) for the normal quantile function


def uniforms(seed: int, path: str, start: int, n: int, out: np.ndarray | None = None) -> np.ndarray:
    """Uniforms number ``start`` .. ``start + n - 1`` of the stream of input ``path``."""
    bits = np.random.PCG64(input_sequence(seed, path))
    if start:
        bits.advance(start)
    u = np.random.Generator(bits).random(n, out=out)
    return np.maximum(u, _TINY, out=u)


def active_correlations(scenario: Scenario, slots: list[Slot]) -> list[tuple[str, str, float]]:
    """The scenario's correlations among the inputs of this run, checked.

    A correlation that names an input not used in this run (a stated position replaced by a
    private one, say) is left out. A correlation with an input that has no distribution, or a
    set that cannot hold together, raises :class:`RealpolitikError`.
    """
    declared = getattr(scenario, "correlations", None) or []
    if not declared:
        return []
    from realpolitik.uncertainty.inputs import all_paths

    every = all_paths(scenario)
    used = {s.path for s in slots}
    pairs = []
    for k, corr in enumerate(declared):
        a, b = corr.between
        for p in (a, b):
            if p not in every:
                raise RealpolitikError(f"correlations[{k}]: unknown input {p!r}")
            if every[p].value.experts:
                raise RealpolitikError(
                    f"correlations[{k}]: input {p!r} is estimated by an expert panel; a pooled "
                    "input cannot be rank-correlated (its draws are not monotone in the "
                    "copula's uniform): give it a distribution, or drop the correlation")
            if not every[p].uncertain:
                raise RealpolitikError(
                    f"correlations[{k}]: input {p!r} has no distribution; only uncertain inputs "
                    "can be correlated")
        if a in used and b in used:
            pairs.append((a, b, float(corr.rank_correlation)))
    return pairs


def copula_factor(paths: list[str], pairs: list[tuple[str, str, float]]) -> np.ndarray:
    """Cholesky factor of the copula's correlation matrix; a clear error when there is none."""
    mat = copula_matrix(paths, pairs)
    low = smallest_eigenvalue(mat)
    if low <= MIN_EIGENVALUE:
        raise RealpolitikError(
            "the scenario's correlations cannot hold together: their copula correlation matrix "
            f"is not positive definite (smallest eigenvalue {low:.3g}); weaken some of them")
    return np.linalg.cholesky(mat)


def joint_uniforms(scenario: Scenario, slots: list[Slot], seed: int, start: int, n: int) -> np.ndarray:
    """Uniforms (m, n), one row per uncertain slot, with the copula applied."""
    u = np.empty((len(slots), n))
    for k, slot in enumerate(slots):
        uniforms(seed, slot.path, start, n, out=u[k])
    pairs = active_correlations(scenario, slots)
    if pairs:
        paths = sorted({p for a, b, _ in pairs for p in (a, b)})
        rows = [next(k for k, s in enumerate(slots) if s.path == p) for p in paths]
        factor = copula_factor(paths, pairs)
        z = mix_normal_scores(factor, special.ndtri(u[rows]))
        u[rows] = np.clip(special.ndtr(z), _TINY, 1.0 - 2.0**-53)
    return u


def mix_normal_scores(factor: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``factor @ x`` for a lower-triangular ``factor`` (p, p) and scores ``x`` (p, n), per sample.

    A BLAS product is not used on purpose: BLAS picks other kernels (and so other roundings) for
    other column counts, so a chunk of one sample could differ in the last bit from the same
    sample inside a chunk of 300. Here every sample's result is the same sequence of elementwise
    multiply-adds, in a fixed order, whatever ``n`` is.
    """
    z = np.zeros_like(x)
    for i in range(factor.shape[0]):
        for j in range(i + 1):
            if factor[i, j] != 0.0:
                z[i] += factor[i, j] * x[j]
    return z


def inputs_from_rows(
    scenario: Scenario, u: np.ndarray, positions: PositionKind, slots: list[Slot]
) -> BargainingInput:
    """A batch of inputs from uniforms ``u`` (m, n): row ``k`` sets slot ``k``, the rest at points."""
    base = to_input(scenario, positions=positions)
    n = u.shape[1]
    values = input_rows([s.value for s in slots], u)
    # sample axis last while filling (each input a contiguous row), then moved to the front
    arrays = {
        "position": np.repeat(base.position[0][..., None], n, axis=-1),
        "salience": np.repeat(base.salience[0][..., None], n, axis=-1),
        "capability": np.repeat(base.capability[0][..., None], n, axis=-1),
        "status_quo": np.repeat(base.status_quo[0][..., None], n, axis=-1),
    }
    for k, slot in enumerate(slots):
        arrays[slot.field][slot.index] = values[k]
    front = {name: np.ascontiguousarray(np.moveaxis(a, -1, 0)) for name, a in arrays.items()}
    return BargainingInput(
        position=front["position"], salience=front["salience"],
        capability=front["capability"], status_quo=front["status_quo"],
        lower=base.lower, upper=base.upper, actor_ids=base.actor_ids, issue_ids=base.issue_ids,
        rules=None if base.rules is None else base.rules.repeated(n),
    )


def inputs_from_uniforms(
    scenario: Scenario, u: np.ndarray, positions: PositionKind = "stated",
    slots: list[Slot] | None = None,
) -> BargainingInput:
    """A batch of inputs: uncertain slots set from uniforms ``u`` (n, m), the rest at point values.

    Used for designs made elsewhere (SALib's Sobol sequences): column ``k`` feeds slot ``k`` of
    :func:`~realpolitik.uncertainty.inputs.uncertain_slots` through its quantile function.
    """
    slots = uncertain_slots(scenario, positions) if slots is None else slots
    if u.ndim != 2 or u.shape[1] != len(slots):
        raise RealpolitikError(f"expected uniforms of shape (n, {len(slots)}), got {u.shape}")
    return inputs_from_rows(scenario, np.ascontiguousarray(u.T), positions, slots)


def sample_inputs(
    scenario: Scenario, n: int, seed: int | None = 0, positions: PositionKind = "stated", *,
    start: int = 0,
) -> BargainingInput:
    """``n`` joint samples (numbers ``start`` .. ``start + n - 1``) of every uncertain input.

    Element ``k`` of the result equals element ``start + k`` of any other run with the same
    ``seed``, whatever its chunking (see the module docstring).
    """
    if n < 0 or start < 0:
        raise RealpolitikError(f"sample counts must be non-negative, got n={n}, start={start}")
    seed = resolve_seed(seed)
    slots = uncertain_slots(scenario, positions)
    u = joint_uniforms(scenario, slots, seed, start, n)
    inp = inputs_from_rows(scenario, u, positions, slots)
    if scenario.decision is not None:
        inp = replace(inp, rules=sample_rules(scenario, seed, start, n, inp.status_quo))
    return inp


def sample_rules(scenario: Scenario, seed: int, start: int, n: int,
                 status_quo: np.ndarray) -> DecisionRules:
    """The decision rules of samples ``start .. start + n - 1``.

    Each number of the ``decision`` section with a distribution draws from its own stream (by
    its path, as every other input; not joined by the scenario's correlations); a reading with
    a probability ``p`` holds in a sample when that sample's uniform is below ``p``.
    """
    assert scenario.decision is not None

    def number(path: str, v: UncertainValue) -> np.ndarray:
        if v.distribution is None:
            return np.full(n, v.point)
        return ppf_rows([v.distribution], [v.point], uniforms(seed, path, start, n)[None])[0]

    def happens(path: str, v: UncertainValue) -> np.ndarray:
        if v.point >= 1.0:
            return np.ones(n, dtype=bool)
        return uniforms(seed, path, start, n) < v.point

    return build_rules(scenario.decision, scenario.actor_ids, scenario.issue_ids, status_quo,
                       number, happens)
