"""The expected utility model's rounds compiled with numba: the CPU path of :func:`~.game.eum`.

This module imports numba at the top: :mod:`realpolitik.models.eum.game` imports it only when
a call asks for the compiled path (see :func:`realpolitik.models.eum.game.kernel`), so that
nothing else pays for numba's import or its compiler.

The kernel plays the rules of :func:`realpolitik.models.eum.rounds._round_fast` (``Q = 1``)
step by step, with the same arithmetic in the same order, so that every decision is taken on
the same numbers up to the last bits of ``exp`` and ``log`` (numba calls the C library's,
numpy its own; both are within an ulp or two):

* actors sorted by position (a stable insertion sort after each round: positions move little,
  so the sort is nearly linear);
* ``P_ab`` from prefix sums of ``w`` and ``w y`` and the count of voters below the pair's
  midpoint; for a fixed ``a`` the count only grows with ``b``, so one pointer walk per ``a``
  finds all counts (O(n^2) per round instead of the array path's O(n^2 log n));
* the securities summed in the array path's order (gap by gap), the risk exponents, one
  direction per pair and each receiver's pick among its offers (ties averaged in sender
  order, as :func:`realpolitik.models.eum.offers._accept` does).

No ``fastmath``: the pick uses ``-inf`` as "no offer" and the tolerances must be honoured to
the bit. ``cache=True`` keeps the machine code between processes (numba writes it beside this
file or, where that is not writable, under ``NUMBA_CACHE_DIR`` or the user's cache folder);
``nogil=True`` lets the runner's worker threads run games on several cores at once.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_TINY = float(np.finfo(np.float64).smallest_normal)
_LOWEST = -float(np.finfo(np.float64).max)


@njit(cache=True, nogil=True)
def _probabilities(y, w, n, tol, cw, cm, d_ab, p_ab):
    """``d`` and ``P_ab`` (upper triangle of (n, n)) of sorted ``y`` with weights ``w``."""
    cw[0] = 0.0
    cm[0] = 0.0
    for k in range(n):
        cw[k + 1] = cw[k] + w[k]
        cm[k + 1] = cm[k] + w[k] * y[k]
    total = cw[n]
    for a in range(n):
        ya = y[a]
        low = 2.0 * (cm[a + 1] - ya * cw[a + 1])
        c = a + 1
        for b in range(a + 1, n):
            yb = y[b]
            d = yb - ya
            mid2 = ya + yb
            while c < b and 2.0 * y[c] <= mid2:
                c += 1
            below = cw[c] * mid2
            below -= 2.0 * cm[c]
            high = 2.0 * (cm[b] - yb * cw[b])
            pos = max(low + below, 0.0)
            neg = high + below
            neg += total * d
            tot = max(neg, 0.0) + pos
            if tot <= 0.0:
                tot += 1.0
                if d > tol:
                    pos += 0.5
            d_ab[a, b] = d
            p_ab[a, b] = pos / tot


@njit(cache=True, nogil=True)
def _risks(s, n, tol, d_ab, p_ab, e, r):
    """Risk exponents ``r`` (n,) from the expected utilities with ``r = 1`` (``e`` scratch)."""
    for a in range(n):
        for b in range(a + 1, n):
            d = d_ab[a, b]
            p = p_ab[a, b]
            rho_ab = s[b] * (1.0 - p)
            rho_ba = s[a] * p
            apart = 1.0 if d > tol else 0.0
            half_s = min(d, 1.0)
            span = half_s + d
            e[a, b] = (half_s - rho_ab * span) * apart  # received by b
            e[b, a] = (half_s - rho_ba * span) * apart  # received by a
    hi = -np.inf
    lo = np.inf
    for k in range(n):
        sec = 0.0
        for g in range(1, n):  # the array path's order: gap by gap, up then down
            if k - g >= 0:
                sec += e[k - g, k]
            if k + g < n:
                sec += e[k + g, k]
        r[k] = sec
        hi = max(hi, sec)
        lo = min(lo, sec)
    flat = 1.0 if hi <= lo else 0.0
    spread = 3.0 * (hi - lo) + flat
    for k in range(n):
        u = 2.0 * r[k]
        u -= hi + lo
        r[k] = (spread - u) / (spread + u)


@njit(cache=True, nogil=True)
def _sort(y, s, w, idx, n):
    """Stable insertion sort of the actors by position (``s``, ``w``, ``idx`` follow)."""
    for i in range(1, n):
        yi, si, wi, ii = y[i], s[i], w[i], idx[i]
        j = i - 1
        while j >= 0 and y[j] > yi:
            y[j + 1], s[j + 1], w[j + 1], idx[j + 1] = y[j], s[j], w[j], idx[j]
            j -= 1
        y[j + 1], s[j + 1], w[j + 1], idx[j + 1] = yi, si, wi, ii


@njit(cache=True, nogil=True)
def _play(x, s, w, tol, max_rounds, nearest, final, rounds, settled):
    """Every game (row) of ``x``, ``s``, ``w`` (N, n) to the end; results into the outputs."""
    total, n = x.shape
    eps = math.sqrt(np.finfo(np.float64).eps)
    y = np.empty(n)
    ss = np.empty(n)
    ww = np.empty(n)
    new = np.empty(n)
    idx = np.empty(n, dtype=np.int64)
    cw = np.empty(n + 1)
    cm = np.empty(n + 1)
    r = np.empty(n)
    quarter = np.empty(n)
    best = np.empty(n)
    d_ab = np.zeros((n, n))
    p_ab = np.zeros((n, n))
    e = np.zeros((n, n))
    first = np.zeros((n, n))
    second = np.zeros((n, n))
    step = np.zeros((n, n))
    offer = np.zeros((n, n), dtype=np.bool_)
    for g in range(total):
        for k in range(n):
            y[k] = x[g, k]
            ss[k] = s[g, k]
            ww[k] = w[g, k]
            idx[k] = k
        _sort(y, ss, ww, idx, n)
        age = 0
        done = False
        while True:
            _round_inline(
                y, ss, ww, n, eps, nearest, new, cw, cm, r, quarter, best,
                d_ab, p_ab, e, first, second, step, offer,
            )  # fmt: skip
            age += 1
            move = 0.0
            for k in range(n):
                move = max(move, abs(new[k] - y[k]))
                y[k] = new[k]
            done = move < tol
            if done or age >= max_rounds:
                break
            _sort(y, ss, ww, idx, n)
        for k in range(n):
            final[g, idx[k]] = y[k]
        rounds[g] = age
        settled[g] = done


@njit(cache=True, nogil=True)
def _round_inline(
    y, s, w, n, tol, nearest, new, cw, cm, r, quarter, best,
    d_ab, p_ab, e, first, second, step, offer,
):  # fmt: skip
    """One round (``Q = 1``) on sorted ``y``: the new positions into ``new``."""
    _probabilities(y, w, n, tol, cw, cm, d_ab, p_ab)
    _risks(s, n, tol, d_ab, p_ab, e, r)
    _offers(y, s, n, tol, nearest, r, quarter, best, d_ab, p_ab, first, second, step, offer)
    _accept(y, n, tol, best, first, second, step, offer, new)


@njit(cache=True, nogil=True)
def _offers(y, s, n, tol, nearest, r, quarter, best, d_ab, p_ab, first, second, step, offer):
    """Each pair's offer (one direction: the receiver that can heed it), keys and step."""
    tol4 = tol / 4.0
    log_half = math.log(0.5)
    for k in range(n):
        quarter[k] = math.exp(r[k] * log_half)
        best[k] = -np.inf
    for a in range(n):
        for b in range(a + 1, n):
            d = d_ab[a, b]
            p = p_ab[a, b]
            rho_ab = s[b] * (1.0 - p)
            rho_ba = s[a] * p
            to_b = rho_ba > rho_ab
            if to_b:
                snd, rcv = a, b
            else:
                snd, rcv = b, a
            offer[a, b] = False
            offer[b, a] = False
            if d <= tol or abs(rho_ba - rho_ab) < 0.5 * tol4:
                # no offer either way: actors together, or seen - mine = |rho_ba - rho_ab| gap
                # with 0 < gap <= 1 stays below tol4 (the round-off is ~1e-16), so the powers
                # below need not be computed
                continue
            rr = r[rcv]
            half = 0.5 * d
            low_u = math.exp(rr * math.log(max(0.5 - half, _TINY)))
            gap = math.exp(rr * math.log(half + 0.5)) - low_u
            qt = quarter[rcv] - low_u
            seen = qt - min(rho_ab, rho_ba) * gap
            mine = qt - max(rho_ab, rho_ba) * gap
            if not (seen - mine > tol4 and seen > tol4 and d > tol):
                continue
            offer[snd, rcv] = True
            move = min(mine, 0.0) / max(seen, tol4)
            move = min(-move, 1.0)
            if mine > tol4:
                move += 1.0
            move *= d
            step[snd, rcv] = -move if to_b else move
            if nearest:
                key1 = -move
                key2 = seen * 4.0
            else:
                key1 = 4.0 * seen
                key2 = move * -1.0
            first[snd, rcv] = key1
            second[snd, rcv] = key2
            best[rcv] = max(best[rcv], key1)


@njit(cache=True, nogil=True)
def _accept(y, n, tol, best, first, second, step, offer, new):
    """Each receiver's pick: the offer with the best first key (then second; ties averaged)."""
    for k in range(n):
        new[k] = y[k]
        if best[k] == -np.inf:
            continue
        bar = max(best[k] - tol, _LOWEST)
        count = 0
        last = 0
        for i in range(n):
            if offer[i, k] and first[i, k] >= bar:
                count += 1
                last = i
        if count == 1:
            new[k] = y[k] + step[last, k]
            continue
        top = -np.inf
        for i in range(n):
            if offer[i, k] and first[i, k] >= bar:
                top = max(top, second[i, k])
        bar2 = max(top - tol, _LOWEST)
        acc = 0.0
        picked = 0
        for i in range(n):
            if offer[i, k] and first[i, k] >= bar and second[i, k] >= bar2:
                acc += y[k] + step[i, k]
                picked += 1
        new[k] = acc / picked


def play(
    x: np.ndarray, s: np.ndarray, w: np.ndarray, tol: float, max_rounds: int, nearest: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every game (row) of unit positions ``x``, saliences ``s`` and weights ``w`` (N, n).

    Returns the final unit positions (N, n) in the actors' order, the rounds played (N,) and
    whether each game settled (N,), as :func:`realpolitik.models.eum.game._bargain` does.
    """
    x, s, w = (np.ascontiguousarray(v, dtype=np.float64) for v in (x, s, w))
    total = x.shape[0]
    final = np.empty_like(x)
    rounds = np.zeros(total, dtype=np.int64)
    settled = np.zeros(total, dtype=np.bool_)
    _play(x, s, w, float(tol), int(max_rounds), bool(nearest), final, rounds, settled)
    return final, rounds, settled
