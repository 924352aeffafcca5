"""Random batched inputs for model tests."""

from __future__ import annotations

import numpy as np

from realpolitik.models.base import BargainingInput


def random_input(seed: int, batch: int = 4, n: int = 5, d: int = 2,
                 lower: float = 0.0, upper: float = 100.0) -> BargainingInput:
    """A batch of random scenarios with positions on [lower, upper]."""
    rng = np.random.default_rng(seed)
    lo = np.full(d, float(lower))
    hi = np.full(d, float(upper))
    pos = lo + rng.random((batch, n, d)) * (hi - lo)
    sal = rng.uniform(0.05, 1.0, (batch, n, d))
    cap = rng.uniform(1.0, 100.0, (batch, n))
    sq = lo + rng.random((batch, d)) * (hi - lo)
    return BargainingInput(pos, sal, cap, sq, lo, hi,
                           tuple(f"a{i}" for i in range(n)), tuple(f"i{j}" for j in range(d)))


def affine(inp: BargainingInput, a: float, b: float) -> BargainingInput:
    """The same input on the scale a*x + b (a > 0)."""
    return BargainingInput(a * inp.position + b, inp.salience, inp.capability,
                           a * inp.status_quo + b, a * inp.lower + b, a * inp.upper + b,
                           inp.actor_ids, inp.issue_ids)


def permute(inp: BargainingInput, order: np.ndarray) -> BargainingInput:
    """The same input with actors relabelled (reordered)."""
    return BargainingInput(inp.position[:, order], inp.salience[:, order], inp.capability[:, order],
                           inp.status_quo, inp.lower, inp.upper,
                           tuple(inp.actor_ids[i] for i in order), inp.issue_ids)
