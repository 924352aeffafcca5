"""Pivotal actors: Shapley-Shubik and Banzhaf power in each issue's weighted voting game.

On issue ``j`` actor ``i`` casts ``w_i = capability_i x salience_ij`` votes (the weights of the
compromise and median models). A coalition *wins* when its weight exceeds half of the total
(strict majority: an exact half is not enough, so two opposed halves both lose).

- **Shapley-Shubik** (Shapley & Shubik 1954, "A method for evaluating the distribution of power
  in a committee system", *American Political Science Review* 48(3): 787-792): the share of the
  n! orders of joining in which the actor is *pivotal*, turning a losing coalition into a
  winning one.
- **Banzhaf** (Banzhaf 1965, "Weighted voting doesn't work: a mathematical analysis", *Rutgers
  Law Review* 19: 317-343): the actor's *swings* (losing coalitions it makes winning) over the
  2^(n-1) coalitions of the others (``banzhaf_raw``, the probability of being decisive when the
  others join at random), and normalised to sum to 1 (``banzhaf``).

Both are exact by enumeration of the 2^n coalitions for n <= :data:`EXACT_MAX` actors, and
estimated beyond by Monte Carlo (random orders for Shapley-Shubik, random coalitions for
Banzhaf) with a standard error. Power differs from weight: an actor with 40 % of the weight
facing two of 30 % has a third of the power, as each pair wins.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from realpolitik.scenario.arrays import PositionKind, to_input
from realpolitik.scenario.schema import Scenario
from realpolitik.seeds import generator, resolve_seed, spawn

#: Largest number of actors for exact enumeration (2^16 coalitions).
EXACT_MAX = 16


def _winning(weight: np.ndarray, quota: float, tol: float) -> np.ndarray:
    return weight > quota + tol


def exact_indices(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Shapley-Shubik, raw Banzhaf) of weights ``w`` (n,) by enumerating coalitions."""
    n = w.shape[0]
    total = float(w.sum())
    if n == 0 or total <= 0:
        return np.zeros(n), np.zeros(n)
    quota, tol = total / 2.0, 1e-12 * total
    masks = np.arange(1 << n, dtype=np.int64)
    bits = ((masks[:, None] >> np.arange(n)) & 1).astype(bool)
    weight = bits.astype(float) @ w
    size = bits.sum(axis=1)
    # Shapley-Shubik weight of joining a coalition of size s: s! (n - s - 1)! / n!
    fact = np.array([math.factorial(k) for k in range(n + 1)], dtype=float)
    ss_weight = fact[: n] * fact[n - 1 :: -1][: n] / fact[n]
    wins = _winning(weight, quota, tol)
    shapley = np.empty(n)
    banzhaf = np.empty(n)
    for i in range(n):  # a loop over actors; each step is vectorised over coalitions
        without = ~bits[:, i]
        swing = without & ~wins & _winning(weight + w[i], quota, tol)
        shapley[i] = float(ss_weight[size[swing]].sum())
        banzhaf[i] = float(np.count_nonzero(swing)) / (1 << (n - 1))
    return shapley, banzhaf


def sampled_indices(
    w: np.ndarray, draws: int, seed: int, chunk: int = 4096
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Monte Carlo (Shapley-Shubik, raw Banzhaf) of ``w`` with their standard errors."""
    n = w.shape[0]
    total = float(w.sum())
    if n == 0 or total <= 0:
        z = np.zeros(n)
        return z, z, z, z
    quota, tol = total / 2.0, 1e-12 * total
    perm_rng, coal_rng = (generator(s) for s in spawn(seed, 2))
    pivots = np.zeros(n)
    swings = np.zeros(n)
    rows = max(1, min(chunk, (1 << 24) // max(n, 1)))
    for start in range(0, draws, rows):
        m = min(rows, draws - start)
        order = np.argsort(perm_rng.random((m, n)), axis=1)
        cum = np.cumsum(w[order], axis=1)
        first = np.argmax(_winning(cum, quota, tol), axis=1)
        pivots += np.bincount(order[np.arange(m), first], minlength=n)
        member = coal_rng.random((m, n)) < 0.5
        weight = member.astype(float) @ w
        others = weight[:, None] - member * w[None, :]
        swing = ~_winning(others, quota, tol) & _winning(others + w[None, :], quota, tol)
        swings += swing.sum(axis=0)
    ss = pivots / draws
    bz = swings / draws
    return ss, bz, np.sqrt(ss * (1 - ss) / draws), np.sqrt(bz * (1 - bz) / draws)


def power_indices(
    scenario: Scenario, *, positions: PositionKind = "stated", draws: int = 20000, seed: int = 0,
    exact_max: int = EXACT_MAX,
) -> pd.DataFrame:
    """Per issue and actor: weight share, Shapley-Shubik and Banzhaf power (point inputs)."""
    seed = resolve_seed(seed)
    inp = to_input(scenario, positions=positions)
    weights = np.asarray(inp.capability[0][:, None] * inp.salience[0])  # (n, d)
    n = weights.shape[0]
    rows = []
    for j, issue in enumerate(scenario.issues):
        w = weights[:, j]
        total = float(w.sum())
        if n <= exact_max:
            ss, bz = exact_indices(w)
            ss_se = bz_se = np.zeros(n)
            method = "exact"
        else:
            ss, bz, ss_se, bz_se = sampled_indices(w, draws, seed + j)
            method = f"monte carlo ({draws:,} draws)"
        bz_total = float(bz.sum())
        for i, actor in enumerate(scenario.actors):
            rows.append({
                "issue": issue.id, "actor": actor.id, "name": actor.name,
                "weight": float(w[i]), "weight_share": float(w[i]) / total if total else 0.0,
                "shapley_shubik": float(ss[i]), "shapley_shubik_se": float(ss_se[i]),
                "banzhaf": float(bz[i]) / bz_total if bz_total else 0.0,
                "banzhaf_raw": float(bz[i]), "banzhaf_raw_se": float(bz_se[i]),
                "method": method,
            })
    return pd.DataFrame(rows)
