"""KTAB's SMP turns compiled with numba: the CPU path of :func:`~.game.smp`.

This module imports numba at the top: :mod:`realpolitik.models.smp.game` imports it only when a
call asks for the compiled path (:func:`realpolitik.models.smp.game.kernel`), so nothing else
pays for numba's import or its compiler.

The kernel plays one game (batch element) at a time, turn after turn, with the arithmetic of
:mod:`realpolitik.models.smp.turn` in the same order, so that its numbers are those of the array
path bit for bit where the C library's ``exp``/``log``/``pow`` are numpy's (x86-64 without
AVX-512; elsewhere within an ulp):

* sums over a contiguous last axis follow numpy's pairwise summation (:func:`_psum`, the same
  blocks of 8 and the same halving above 128 terms), sums over a permuted axis go in order;
* the n^3 temporaries of ``_contest`` and ``_third_party_values`` become a loop over third
  parties per pair; the receiver's view of a contest is needed at the chosen target only, and
  the election among a turn's bargains only over each actor's own options (its proposal, those
  addressed to it, the status quo), so a turn costs O(n^3) for the challenges and O(n^2) for
  the choices;
* the stochastic transitions read the same uniform draws (``draws[t, game, actor]``).

Only ``pce="conditional"`` is compiled: the Markov variants stop their iteration on a change
measured over the whole batch, which couples the batch elements (the array path keeps them).
No ``fastmath`` (it would reorder the sums); ``cache=True`` keeps the machine code between
processes and ``nogil=True`` lets the runner's threads play games on several cores.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from realpolitik.models.smp.elements import (
    BINARY_TOLERANCE,
    MIN_BARGAIN_WEIGHT,
    MIN_COALITION,
    MIN_CONTEST,
    MIN_SIGNIFICANT_DELTA,
    MIN_SIGNIFICANT_GAIN,
    RISK_ADJUST,
    VICTORY_POWERS,
    Settings,
)

# Options as small integers (the order of the tuples in elements.py).
VOTING = {"proportional": 0, "binary": 1, "prop-binary": 2, "prop-cubic": 3, "cubic": 4}
RISK_RANGE = {"min": 0, "mid": 1, "max": 2}
THIRD = {"none": 0, "semi": 1, "full": 2}
INTERP = {"s2p2": 0, "s1p1": 1, "s2pmax": 2}
BARGAIN = {"init-only": 0, "init-rcvr": 1, "pw-compromise": 2}


@njit(cache=True, nogil=True)
def _block(a, lo, n):
    """Pairwise sum as numpy makes it, of at most 128 terms: 8 accumulators, then the rest."""
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[lo + i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    while i < n - n % 8:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True, nogil=True)
def _psum(a, lo, n):
    """The sum of ``a[lo:lo + n]`` in numpy's pairwise order (``np.sum`` over a contiguous axis).

    Above 128 terms numpy halves the range (at a multiple of 8) recursively; numba's cache
    cannot hold a recursive function, so the halving is an explicit stack (left first).
    """
    if n <= 128:
        return _block(a, lo, n)
    los = np.empty(64, dtype=np.int64)
    ns = np.empty(64, dtype=np.int64)
    vals = np.empty(64)
    state = np.zeros(64, dtype=np.int64)  # 0: new, 1: left done
    los[0], ns[0] = lo, n
    top = 0
    while True:
        m = ns[top]
        if m <= 128 or state[top] == 2:
            v = _block(a, los[top], m) if state[top] != 2 else vals[top]
            if top == 0:
                return v
            top -= 1
            if state[top] == 0:
                vals[top] = v
                state[top] = 1
                half = ns[top] // 2
                half -= half % 8
                top += 1
                los[top], ns[top], state[top] = los[top - 1] + half, ns[top - 1] - half, 0
            else:
                vals[top] = vals[top] + v
                state[top] = 2
            continue
        half = m // 2
        half -= half % 8
        top += 1
        los[top], ns[top], state[top] = los[top - 1], half, 0


@njit(cache=True, nogil=True, inline="always")
def _vote(rule, w, du):
    """KTAB's ``Model::vote`` (elements.vote) for one weight and utility difference."""
    if rule == 0:
        return w * du
    if rule == 4:
        return w * math.pow(du, 3.0)
    b = min(max(du / BINARY_TOLERANCE, -1.0), 1.0)
    if rule == 1:
        return w * b
    if rule == 2:
        return w * (0.8 * du + 0.2 * b)
    return w * (0.5 * du + 0.5 * math.pow(du, 3.0))


@njit(cache=True, nogil=True, inline="always")
def _util(d, r):
    """KTAB's ``bsUtil`` (elements.utility)."""
    return (1.0 - d) * (1.0 + min(d, 1.0) * r)


@njit(cache=True, nogil=True, inline="always")
def _victory(c, cji, power):
    """Probability that the side with coalition ``c`` beats ``cji`` (elements.victory)."""
    if power == 1:
        return c / (c + cji)
    scale = max(c, cji)
    if power == 2:
        a = c / scale
        b = cji / scale
        a = a * a
        b = b * b
    else:
        a = math.pow(c / scale, float(power))
        b = math.pow(cji / scale, float(power))
    return a / (a + b)


@njit(cache=True, nogil=True, inline="always")
def _dist(x, wn, a, to, c, d, buf):
    """Salience-weighted distance from actor ``a`` to row ``c`` of ``to`` (weighted_distance)."""
    if d < 8:  # numpy's sum of fewer than 8 terms: in order, from 0
        acc = 0.0
        for k in range(d):
            diff = x[a, k] - to[c, k]
            acc += wn[a, k] * diff * diff
        return math.sqrt(acc)
    for k in range(d):
        diff = x[a, k] - to[c, k]
        buf[k] = wn[a, k] * diff * diff
    return math.sqrt(_psum(buf, 0, d))


@njit(cache=True, nogil=True)
def _risk(n, dist, cap, rule, power, rrange, coal, row, prob, risk):
    """Risk attitudes from a risk-neutral election over all positions (turn._risk)."""
    for i in range(n):
        for j in range(n):
            if i == j:
                coal[i, j] = MIN_COALITION
                continue
            acc = 0.0
            for k in range(n):
                acc += max(_vote(rule, cap[k], (1.0 - dist[k, i]) - (1.0 - dist[k, j])), 0.0)
            coal[i, j] = MIN_COALITION + acc
    top = -np.inf
    for i in range(n):
        for j in range(n):
            row[j] = math.log(max(_victory(coal[i, j], coal[j, i], power), 1e-300))
        prob[i] = _psum(row, 0, n)
        top = max(top, prob[i])
    for i in range(n):
        row[i] = math.exp(prob[i] - top)
    total = _psum(row, 0, n)
    for i in range(n):
        prob[i] = row[i] / total
    _risk_from(n, prob, rrange, risk)


@njit(cache=True, nogil=True)
def _risk_from(n, prob, rrange, risk):
    """KTAB's ``bigRfromProb`` (elements.risk_from_probability)."""
    pmin = np.inf
    pmax = -np.inf
    for i in range(n):
        pmin = min(pmin, prob[i])
        pmax = max(pmax, prob[i])
    span = pmax - pmin
    flat = span <= 1e-12
    safe = 1.0 if flat else span
    for i in range(n):
        if flat:
            risk[i] = 0.0
        elif rrange == 0:
            risk[i] = (prob[i] - pmin) / safe
        elif rrange == 1:
            risk[i] = (3.0 * prob[i] - (pmax + 2.0 * pmin)) / (2.0 * safe)
        else:
            risk[i] = (2.0 * prob[i] - (pmax + pmin)) / safe


@njit(cache=True, nogil=True, inline="always")
def _third_values(commit, p, u_ni, u_nj):
    """Value to a third party of joining i, and of joining j (turn._third_party_values)."""
    if commit == 2:
        ikj, jik, ijk, jki = 3 * u_ni, 3 * u_nj, 3 * u_ni, 3 * u_nj
    elif commit == 1:
        ikj, jik, ijk, jki = 2 * u_ni + 1, 3 * u_nj, 3 * u_ni, 2 * u_nj + 1
    else:
        ikj, jik, ijk, jki = 2 * u_ni + 1, 2 * u_nj + 1, 2 * u_ni + 1, 2 * u_nj + 1
    return p * ikj + (1 - p) * jik, p * ijk + (1 - p) * jki


@njit(cache=True, nogil=True, inline="always")
def _contest(n, i, j, h_is_i, dist, risk, est, weight, rule, commit, pos, neg):
    """``(p, u_ij)`` of the contest i:j as estimated by i (``h_is_i``) or by j (turn._contest)."""
    h = i if h_is_i else j
    r_i = risk[i] if h_is_i else est[j, i]
    r_j = est[i, j] if h_is_i else risk[j]
    u_ij = _util(dist[i, j], r_i)
    u_ji = _util(dist[j, i], r_j)
    c_i = _vote(rule, weight[i], 1.0 - u_ij)
    c_j = _vote(rule, weight[j], u_ji - 1.0)
    c_ij0 = MIN_CONTEST + max(c_i, 0.0) + max(c_j, 0.0)
    c_ji0 = MIN_CONTEST + max(-c_i, 0.0) + max(-c_j, 0.0)
    for m in range(n):
        if m in (i, j):
            pos[m] = 0.0
            neg[m] = 0.0
            continue
        r_m = est[h, m]
        u_mi = _util(dist[m, i], r_m)
        u_mj = _util(dist[m, j], r_m)
        c_m = _vote(rule, weight[m], u_mi - u_mj)
        ci = c_ij0 + max(c_m, 0.0)
        cj = c_ji0 + max(-c_m, 0.0)
        p_in = ci / (ci + cj)
        v_i, v_j = _third_values(commit, p_in, u_mi, u_mj)
        v = _vote(rule, weight[m], v_i - v_j)
        pos[m] = max(v, 0.0)
        neg[m] = max(-v, 0.0)
    c_ij = c_ij0 + _psum(pos, 0, n)
    c_ji = c_ji0 + _psum(neg, 0, n)
    return c_ij / (c_ij + c_ji), u_ij


@njit(cache=True, nogil=True, inline="always")
def _interp(rule, x_i, s_i, p_i, x_j, s_j, p_j):
    """One issue of KTAB's bargain interpolation (turn._interpolate): (initiator's, receiver's)."""
    if rule == 2:
        di = max(p_j - p_i, 0.0)
        dj = max(p_i - p_j, 0.0)
        si2 = s_i * s_i
        sj2 = s_j * s_j
        fi = di * sj2 / (di * sj2 + MIN_BARGAIN_WEIGHT + (1 - di) * si2)
        fj = dj * si2 / (dj * si2 + MIN_BARGAIN_WEIGHT + (1 - dj) * sj2)
        return x_i + fi * (x_j - x_i), x_j + fj * (x_i - x_j)
    if rule == 0:
        wi = (s_i * s_i) * (p_i * p_i)
        wj = (s_j * s_j) * (p_j * p_j)
    else:
        wi = s_i * p_i
        wj = s_j * p_j
    den = wi + MIN_BARGAIN_WEIGHT + wj
    b_i = ((wi + MIN_BARGAIN_WEIGHT) * x_i + wj * x_j) / den
    b_j = (wi * x_i + (MIN_BARGAIN_WEIGHT + wj) * x_j) / den
    return math.floor(0.5 + b_i * 1e4) / 1e4, math.floor(0.5 + b_j * 1e4) / 1e4


@njit(cache=True, nogil=True)
def _proposals(x, sal, n, d, dist, risk, est, weight, opt, ws, b_init, b_rcvr, target, has):
    """Targets, and the bargains proposed to them (turn._proposals); options ``m = v n + i``."""
    rule, commit, interp, bargain = opt[0], opt[3], opt[4], opt[5]
    pos, neg = ws[0], ws[1]
    sal_total = ws[2]
    for i in range(n):
        best = -np.inf
        t = 0
        p_best = 0.0
        for j in range(n):
            if j == i:
                continue
            p, u_ij = _contest(n, i, j, True, dist, risk, est, weight, rule, commit, pos, neg)
            s_j = sal_total[j]
            gain = (1.0 - s_j) * 2.0 + s_j * (2.0 * p + 2.0 * (1.0 - p) * u_ij) - (1.0 + u_ij)
            if gain > best:
                best, t, p_best = gain, j, p
        target[i] = t
        has[i] = best > MIN_SIGNIFICANT_GAIN
        pj = 0.0
        if bargain != 0 and has[i]:
            pj, _ = _contest(n, i, t, False, dist, risk, est, weight, rule, commit, pos, neg)
        for k in range(d):
            xi, si, xt, st = x[i, k], sal[i, k], x[t, k], sal[t, k]
            if not has[i]:
                b_init[i, k], b_rcvr[i, k] = xi, xt
                if bargain == 1:
                    b_init[n + i, k], b_rcvr[n + i, k] = xi, xt
                continue
            bi, bj = _interp(interp, xi, si, p_best, xt, st, 1.0 - p_best)
            if bargain == 0:
                b_init[i, k], b_rcvr[i, k] = bi, bj
                continue
            bi2, bj2 = _interp(interp, xi, si, pj, xt, st, 1.0 - pj)
            if bargain == 1:
                b_init[i, k], b_rcvr[i, k] = bi, bj
                b_init[n + i, k], b_rcvr[n + i, k] = bi2, bj2
                continue
            w_i, w_j = weight[i], weight[t]
            tot = w_i + w_j
            a = w_i / (tot if tot > 0 else 1.0) if tot > 0 else 0.5
            b_init[i, k] = a * bi + (1.0 - a) * bi2
            b_rcvr[i, k] = a * bj + (1.0 - a) * bj2


@njit(cache=True, nogil=True, inline="always")
def _coal(n, cap, delta, m1, m2, rule):
    """Coalition for option ``m1`` against ``m2`` (elements.coalitions; actors summed in order)."""
    if m1 == m2:
        return MIN_COALITION
    acc = 0.0
    for a in range(n):
        acc += max(_vote(rule, cap[a], delta[a, m1] - delta[a, m2]), 0.0)
    return MIN_COALITION + acc


@njit(cache=True, nogil=True)
def _choose(n, n_opt, variants, cap, delta, target, has, opt, u, opts, buf, e, prob):
    """Each actor's option (turn._turn's election among its own options); ``-1`` = status quo."""
    rule, power, stochastic = opt[0], opt[1], opt[6]
    choice = np.empty(n, dtype=np.int64)
    for k in range(n):
        cnt = 0
        for m in range(n_opt):  # own proposal, or one addressed to k, with a target
            i = m % n
            if has[i] and (i == k or target[i] == k):
                opts[cnt] = m
                cnt += 1
        opts[cnt] = n_opt  # the status quo
        cnt += 1
        top = -np.inf
        for q in range(cnt):
            m1 = opts[q]
            for r in range(cnt):
                m2 = opts[r]
                c12 = _coal(n, cap, delta, m1, m2, rule)
                c21 = _coal(n, cap, delta, m2, m1, rule)
                buf[m2] = math.log(max(_victory(c12, c21, power), 1e-300))
            e[m1] = _psum(buf, 0, n_opt + 1)
            top = max(top, e[m1])
            for r in range(cnt):
                buf[opts[r]] = 0.0
        for q in range(cnt):
            buf[opts[q]] = math.exp(e[opts[q]] - top)
        total = _psum(buf, 0, n_opt + 1)
        for q in range(cnt):
            prob[opts[q]] = buf[opts[q]] / total
            buf[opts[q]] = 0.0
        choice[k] = _pick(cnt, n_opt, variants, n, opts, prob, stochastic, u[k])
    return choice


@njit(cache=True, nogil=True)
def _pick(cnt, n_opt, variants, n, opts, prob, stochastic, u):
    """The most probable option (ties: status quo, then KTAB's list order), or a draw ``u``."""
    if stochastic:
        if not u > 0.0:  # the array path's first option, if this actor may take it
            return opts[0] if opts[0] == 0 else n_opt
        cum = 0.0
        for q in range(cnt):  # options in ascending order; the others add zeros
            cum += prob[opts[q]]
            if not cum < u:
                return opts[q]
        return n_opt
    top = -np.inf
    for q in range(cnt):
        top = max(top, prob[opts[q]])
    best = n_opt
    key = 2.0 * n_opt + 2.0
    for q in range(cnt):
        m = opts[q]
        if prob[m] == top:
            order = -1.0 if m == n_opt else float((m % n) * variants + m // n)
            if order < key:
                key, best = order, m
    return best


@njit(cache=True, nogil=True)
def _game_setup(sal, cap, n, d, wn, weight, sal_total):
    """Normalised squared saliences (distance weights), salience totals and weights of a game."""
    buf = np.empty(d)
    for a in range(n):
        for k in range(d):
            buf[k] = sal[a, k] * sal[a, k]
        total = _psum(buf, 0, d)
        for k in range(d):
            wn[a, k] = buf[k] / total if total > 0 else 1.0 / d
            buf[k] = sal[a, k]
        sal_total[a] = _psum(buf, 0, d)
        weight[a] = sal_total[a] * cap[a]


@njit(cache=True, nogil=True)
def _values(x, wn, n, d, n_opt, dist, risk, target, b_init, b_rcvr, buf, u_pos, delta):
    """Each actor's value of each proposal's state minus the status quo's, over n (turn._turn)."""
    for a in range(n):
        for c in range(n):
            u_pos[a, c] = _util(dist[a, c], risk[a])
    for a in range(n):
        for m in range(n_opt):
            u_i = _util(_dist(x, wn, a, b_init, m, d, buf), risk[a])
            u_r = _util(_dist(x, wn, a, b_rcvr, m, d, buf), risk[a])
            delta[a, m] = (u_i + u_r - u_pos[a, m % n] - u_pos[a, target[m % n]]) / n
        delta[a, n_opt] = 0.0


@njit(cache=True, nogil=True)
def _move(x, n, d, n_opt, choice, b_init, b_rcvr, buf, mv):
    """Apply the choices to ``x`` in place; returns the summed distance moved."""
    for a in range(n):
        m = choice[a]
        for k in range(d):
            if m == n_opt:
                new = x[a, k]
            elif m % n == a:
                new = b_init[m, k]
            else:
                new = b_rcvr[m, k]
            step = new - x[a, k]
            buf[k] = step * step
            x[a, k] = new
        mv[a] = math.sqrt(_psum(buf, 0, d))
    return _psum(mv, 0, n)


@njit(cache=True, nogil=True)
def _play(x, sal, cap, opt, alpha, min_turns, stop_ratio, t0, t1, draws, first, rounds, active):
    """Turns ``t0 .. t1 - 1`` of every active game of ``x`` (B, n, d), in place."""
    batch, n, d = x.shape
    variants = 2 if opt[5] == 1 else 1
    n_opt = variants * n
    wn = np.empty((n, d))
    weight = np.empty(n)
    ws = np.empty((3, n))
    dist = np.empty((n, n))
    coal = np.empty((n, n))
    est = np.empty((n, n))
    u_pos = np.empty((n, n))
    row = np.empty(n)
    prob = np.empty(n)
    risk = np.empty(n)
    buf = np.empty(d)
    target = np.empty(n, dtype=np.int64)
    has = np.empty(n, dtype=np.bool_)
    b_init = np.empty((n_opt, d))
    b_rcvr = np.empty((n_opt, d))
    delta = np.empty((n, n_opt + 1))
    opts = np.empty(n_opt + 1, dtype=np.int64)
    obuf = np.zeros(n_opt + 1)
    e = np.empty(n_opt + 1)
    oprob = np.empty(n_opt + 1)
    no_draws = np.zeros(n)
    for g in range(batch):
        if not active[g]:
            continue
        xg, sg, cg = x[g], sal[g], cap[g]
        _game_setup(sg, cg, n, d, wn, weight, ws[2])
        for t in range(t0, t1):
            for a in range(n):
                for c in range(n):
                    dist[a, c] = _dist(xg, wn, a, xg, c, d, buf)
            _risk(n, dist, cg, opt[0], opt[1], opt[2], coal, row, prob, risk)
            for h in range(n):
                for a in range(n):
                    est[h, a] = (1.0 - alpha) * risk[h] + alpha * risk[a]
            _proposals(xg, sg, n, d, dist, risk, est, weight, opt, ws, b_init, b_rcvr, target, has)
            _values(xg, wn, n, d, n_opt, dist, risk, target, b_init, b_rcvr, buf, u_pos, delta)
            u = draws[t - t0, g] if opt[6] else no_draws
            choice = _choose(n, n_opt, variants, cg, delta, target, has, opt, u, opts, obuf, e, oprob)
            moved = _move(xg, n, d, n_opt, choice, b_init, b_rcvr, buf, row)
            if t == 1:
                first[g] = moved + MIN_SIGNIFICANT_DELTA
            rounds[g] = t
            if t >= min_turns and moved / first[g] < stop_ratio:
                active[g] = False
                break


def play(
    x: np.ndarray, sal: np.ndarray, cap: np.ndarray, settings: Settings, max_turns: int,
    rng: np.random.Generator | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Every game of normalised positions ``x`` (B, n, d) to the end: (final x, turns (B,)).

    ``sal`` are the prepared saliences (B, n, d), ``cap`` the capabilities (B, n). With ``rng``
    (stochastic transitions) the draws are those of the array path: one (B, n) block per turn,
    drawn in segments of turns (bounded memory), until every game has stopped.
    """
    x = np.array(x, dtype=np.float64, order="C", copy=True)
    sal = np.ascontiguousarray(sal, dtype=np.float64)
    cap = np.ascontiguousarray(cap, dtype=np.float64)
    batch, n, _ = x.shape
    opt = np.array(
        [VOTING[settings.voting], VICTORY_POWERS[settings.victory], RISK_RANGE[settings.risk_range],
         THIRD[settings.third_party], INTERP[settings.interpolation], BARGAIN[settings.bargain],
         int(rng is not None)], dtype=np.int64,
    )  # fmt: skip
    args = (x, sal, cap, opt, float(RISK_ADJUST[settings.risk_adjust]), int(settings.min_turns),
            float(settings.stop_ratio))  # fmt: skip
    first = np.zeros(batch)
    rounds = np.zeros(batch, dtype=np.int64)
    active = np.ones(batch, dtype=np.bool_)
    if rng is None:
        _play(*args, 1, max_turns + 1, np.zeros((1, 1, n)), first, rounds, active)
        return x, rounds
    segment = max(1, min(max_turns, _DRAW_BUDGET // max(1, batch * n)))
    t = 1
    while t <= max_turns and active.any():
        stop = min(max_turns + 1, t + segment)
        _play(*args, t, stop, rng.random((stop - t, batch, n)), first, rounds, active)
        t = stop
    return x, rounds


#: Uniform draws held at once by a stochastic run (a segment of turns x games x actors).
_DRAW_BUDGET = 2**22



# The end-of-run probabilities live beside this module (its line budget); they use its helpers.
from realpolitik.models.smp.compiled_finals import finals  # noqa: E402

__all__ = ["finals", "play"]
