"""KTAB's end-of-run probabilities compiled with numba (turn.final_probabilities), per game.

Part of the compiled SMP kernel (:mod:`realpolitik.models.smp.compiled`, which imports it), with
the same summation orders as the array path.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from realpolitik.models.smp.compiled import (
    RISK_RANGE,
    VOTING,
    _coal,
    _dist,
    _game_setup,
    _psum,
    _risk,
    _util,
    _victory,
)
from realpolitik.models.smp.elements import POSITION_TOLERANCE, VICTORY_POWERS, Settings


@njit(cache=True, nogil=True)
def _finals(x, sal, cap, opt, pos_prob, expected, risk_out):
    """KTAB's end-of-run probabilities (turn.final_probabilities) of every game, into the outputs."""
    batch, n, d = x.shape
    wn = np.empty((n, d))
    weight = np.empty(n)
    sal_total = np.empty(n)
    dist = np.empty((n, n))
    coal = np.empty((n, n))
    u = np.empty((n, n))
    row = np.empty(n)
    prob = np.empty(n)
    risk = np.empty(n)
    buf = np.empty(max(d, n))
    rep = np.empty(n, dtype=np.int64)
    for g in range(batch):
        xg, cg = x[g], cap[g]
        _game_setup(sal[g], cg, n, d, wn, weight, sal_total)
        for a in range(n):
            for c in range(n):
                dist[a, c] = _dist(xg, wn, a, xg, c, d, buf)
        _risk(n, dist, cg, opt[0], opt[1], opt[2], coal, row, prob, risk)
        for k in range(n):
            for i in range(n):
                u[k, i] = _util(dist[k, i], risk[k])
        for i in range(n):
            for j in range(n):
                coal[i, j] = _coal(n, cg, u, i, j, 0)
        _representatives(xg, n, d, buf, rep)
        _election_valid(n, coal, rep, opt[1], row, prob)
        for i in range(n):
            pos_prob[g, i] = prob[rep[i]]
            risk_out[g, i] = risk[i]
        _expected(xg, n, d, prob, buf, expected[g])

@njit(cache=True, nogil=True)
def _representatives(x, n, d, buf, rep):
    """Each actor's first actor at the same position (within POSITION_TOLERANCE)."""
    for i in range(n):
        rep[i] = i
        for j in range(n):
            for k in range(d):
                diff = x[i, k] - x[j, k]
                buf[k] = diff * diff
            if math.sqrt(_psum(buf, 0, d)) < POSITION_TOLERANCE:
                rep[i] = j
                break


@njit(cache=True, nogil=True)
def _expected(x, n, d, prob, buf, out):
    """The probability-weighted position: numpy sums axis 1 of (B, n, 1) pairwise, of (B, n, d > 1) in order."""
    for k in range(d):
        if d == 1:
            for i in range(n):
                buf[i] = prob[i] * x[i, k]
            out[k] = _psum(buf, 0, n)
        else:
            acc = 0.0
            for i in range(n):
                acc += prob[i] * x[i, k]
            out[k] = acc


@njit(cache=True, nogil=True)
def _election_valid(n, coal, rep, power, row, prob):
    """The conditional election among the positions ``i`` with ``rep[i] == i`` (elements.election)."""
    top = -np.inf
    for i in range(n):
        if rep[i] != i:
            continue
        for j in range(n):
            row[j] = math.log(max(_victory(coal[i, j], coal[j, i], power), 1e-300)) if rep[j] == j else 0.0
        prob[i] = _psum(row, 0, n)
        top = max(top, prob[i])
    for i in range(n):
        row[i] = math.exp(prob[i] - top) if rep[i] == i else 0.0
    total = _psum(row, 0, n)
    for i in range(n):
        prob[i] = row[i] / total


def finals(
    x: np.ndarray, sal: np.ndarray, cap: np.ndarray, settings: Settings
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(probability per actor (B, n), expected outcome on [0, 1] (B, d), risk (B, n))."""
    x = np.ascontiguousarray(x, dtype=np.float64)
    sal = np.ascontiguousarray(sal, dtype=np.float64)
    cap = np.ascontiguousarray(cap, dtype=np.float64)
    batch, n, d = x.shape
    opt = np.array([VOTING[settings.voting], VICTORY_POWERS[settings.victory],
                    RISK_RANGE[settings.risk_range]], dtype=np.int64)
    prob, expected, risk = np.empty((batch, n)), np.empty((batch, d)), np.empty((batch, n))
    _finals(x, sal, cap, opt, prob, expected, risk)
    return prob, expected, risk
