"""One turn of KTAB's SMP: risk attitudes, challenges, bargains and the actors' choices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from realpolitik.models.smp.elements import (
    MIN_BARGAIN_WEIGHT,
    MIN_CONTEST,
    MIN_SIGNIFICANT_GAIN,
    POSITION_TOLERANCE,
    RISK_ADJUST,
    Settings,
    coalitions,
    election,
    on,
    risk_from_probability,
    utility,
    vote,
    weighted_distance,
)


def _risk(xp: Any, dist: Any, cap: Any, settings: Settings) -> Any:
    """Risk attitudes (B, n) from a risk-neutral election over all actors' positions."""
    u = 1.0 - dist  # (B, k, i)
    du = u[:, :, :, None] - u[:, :, None, :]  # (B, k, i, j)
    v = vote(xp, settings.voting, cap[:, :, None, None], du)
    coal = coalitions(xp, xp.permute_dims(v, (0, 2, 3, 1)))  # (B, i, j)
    valid = xp.ones(cap.shape, dtype=xp.bool, **on(cap))
    prob = election(xp, coal, valid, settings)
    return risk_from_probability(xp, prob, settings.risk_range)


def _contest(
    xp: Any, dist: Any, risk: Any, weight: Any, sal_total: Any, settings: Settings, persp: str
) -> tuple[Any, Any]:
    """Estimated probability that ``i`` prevails over ``j`` and ``i``'s expected gain from challenging.

    KTAB's ``probEduChlg(h, i, i, j)`` for every pair at once, as estimated by ``h = i``
    (``persp="i"``) or ``h = j`` (``persp="j"``). ``weight`` is salience x capability (B, n).
    Returns p (B, i, j) and gain (B, i, j); the diagonal is meaningless.
    """
    n = dist.shape[1]
    alpha = RISK_ADJUST[settings.risk_adjust]
    # est[h, a] = h's estimate of a's risk attitude (its own: est[h, h] = risk[h]).
    est = (1.0 - alpha) * risk[:, :, None] + alpha * risk[:, None, :]
    dist_t = xp.matrix_transpose(dist)  # dist_t[b, c, a] = D(a, c)
    if persp == "i":
        r_i, r_j, r_n = risk[:, :, None], est, est[:, :, None, :]
    else:
        r_i, r_j, r_n = xp.matrix_transpose(est), risk[:, None, :], est[:, None, :, :]
    u_ij = utility(xp, dist, r_i)  # h's estimate of i's utility for j's position
    u_ji = utility(xp, dist_t, r_j)  # ... of j's utility for i's position
    u_ni = utility(xp, dist_t[:, :, None, :], r_n)  # (B, i, ., n): n's utility for i's position
    u_nj = utility(xp, dist_t[:, None, :, :], r_n)  # (B, ., j, n): n's utility for j's position
    rule = settings.voting
    c_i = vote(xp, rule, weight[:, :, None], 1.0 - u_ij)  # i's own contribution (>= 0)
    c_j = vote(xp, rule, weight[:, None, :], u_ji - 1.0)  # j's contribution (<= 0)
    c_ij0 = MIN_CONTEST + xp.maximum(c_i, 0.0) + xp.maximum(c_j, 0.0)
    c_ji0 = MIN_CONTEST + xp.maximum(-c_i, 0.0) + xp.maximum(-c_j, 0.0)
    # Each third party n weighs the little contest (i:j) with only the principals and itself,
    # then joins the side whose victory it values more (KTAB's vProbLittle, thirdPartyVoteSU).
    w_n = weight[:, None, None, :]
    c_n = vote(xp, rule, w_n, u_ni - u_nj)
    ci = c_ij0[..., None] + xp.maximum(c_n, 0.0)
    cj = c_ji0[..., None] + xp.maximum(-c_n, 0.0)
    p_in = ci / (ci + cj)
    u_ik_j, u_i_jk = _third_party_values(p_in, u_ni, u_nj, settings.third_party)
    v_n = vote(xp, rule, w_n, u_ik_j - u_i_jk)
    idx = xp.arange(n, **on(dist))
    third = (idx[:, None, None] != idx[None, None, :]) & (idx[None, :, None] != idx[None, None, :])
    v_n = xp.where(third[None, ...], v_n, xp.zeros_like(v_n))
    c_ij = c_ij0 + xp.sum(xp.maximum(v_n, 0.0), axis=-1)
    c_ji = c_ji0 + xp.sum(xp.maximum(-v_n, 0.0), axis=-1)
    p = c_ij / (c_ij + c_ji)
    # j resists with probability s_j (then a contest), else concedes; compared with the status quo.
    s_j = sal_total[:, None, :]
    gain = (1.0 - s_j) * 2.0 + s_j * (2.0 * p + 2.0 * (1.0 - p) * u_ij) - (1.0 + u_ij)
    return p, gain


def _best_target(xp: Any, p: Any, gain: Any) -> tuple[Any, Any, Any]:
    """Each actor's target: the largest gain (first one on ties), its probability and gain."""
    n = gain.shape[1]
    idx = xp.arange(n, **on(gain))
    self_pair = idx[:, None] == idx[None, :]
    gain = xp.where(self_pair[None, :, :], xp.full_like(gain, -xp.inf), gain)
    best = xp.max(gain, axis=-1, keepdims=True)
    target = xp.argmax(xp.astype(gain == best, gain.dtype), axis=-1)
    p_best = xp.take_along_axis(p, target[:, :, None], axis=-1)[..., 0]
    return target, p_best, best[..., 0]


def _third_party_values(p_in: Any, u_ni: Any, u_nj: Any, commit: str) -> tuple[Any, Any]:
    """Sum-of-utilities value to a third party of joining i (first) or j (second); u_nn = 1."""
    if commit == "full":
        ikj, jik, ijk, jki = 3 * u_ni, 3 * u_nj, 3 * u_ni, 3 * u_nj
    elif commit == "semi":
        ikj, jik, ijk, jki = 2 * u_ni + 1, 3 * u_nj, 3 * u_ni, 2 * u_nj + 1
    else:
        ikj, jik, ijk, jki = 2 * u_ni + 1, 2 * u_nj + 1, 2 * u_ni + 1, 2 * u_nj + 1
    return p_in * ikj + (1 - p_in) * jik, p_in * ijk + (1 - p_in) * jki


def _interpolate(
    xp: Any, x_i: Any, s_i: Any, p_i: Any, x_j: Any, s_j: Any, p_j: Any, rule: str
) -> tuple[Any, Any]:
    """KTAB's bargain interpolation per issue; returns (initiator's, receiver's) new position."""
    if rule == "s2pmax":
        di = xp.maximum(p_j - p_i, 0.0)
        dj = xp.maximum(p_i - p_j, 0.0)
        si2, sj2 = s_i * s_i, s_j * s_j
        fi = di * sj2 / (di * sj2 + MIN_BARGAIN_WEIGHT + (1 - di) * si2)
        fj = dj * si2 / (dj * si2 + MIN_BARGAIN_WEIGHT + (1 - dj) * sj2)
        return x_i + fi * (x_j - x_i), x_j + fj * (x_i - x_j)
    k = 2 if rule == "s2p2" else 1
    wi = s_i**k * p_i**k
    wj = s_j**k * p_j**k
    den = wi + MIN_BARGAIN_WEIGHT + wj
    b_i = ((wi + MIN_BARGAIN_WEIGHT) * x_i + wj * x_j) / den
    b_j = (wi * x_i + (MIN_BARGAIN_WEIGHT + wj) * x_j) / den
    return _round4(xp, b_i), _round4(xp, b_j)


def _round4(xp: Any, x: Any) -> Any:
    """KTAB rounds interpolated bargains to 4 decimals of the [0, 1] scale."""
    return xp.floor(0.5 + x * 1e4) / 1e4


@dataclass
class Turn:
    """What happened in one turn (arrays over the batch; for the trace and the next turn).

    Proposals are indexed ``m = v * n + i`` for initiator ``i`` and variant ``v`` (one variant,
    or two for ``init-rcvr``: the initiator's and the receiver's interpolation); option
    ``n_options`` is the status quo.
    """

    new: Any  # (B, n, d) positions after the turn
    target: Any  # (B, n) target of each actor's challenge
    has_target: Any  # (B, n) bool
    p_win: Any  # (B, n) initiator's estimate that it prevails
    b_init: Any  # (B, M, d) initiator's side of each proposal
    b_rcvr: Any  # (B, M, d) receiver's side
    choice: Any  # (B, n) option chosen by each actor
    choice_prob: Any  # (B, n)


def _proposals(
    xp: Any, x: Any, sal: Any, cap: Any, dist: Any, risk: Any, settings: Settings
) -> tuple[Any, Any, Any, Any, Any]:
    """Targets and the bargains proposed to them: (target, has, p_win, b_init, b_rcvr)."""
    sal_total = xp.sum(sal, axis=-1)
    weight = sal_total * cap
    p_i, gain_i = _contest(xp, dist, risk, weight, sal_total, settings, "i")
    target, p_win, gain = _best_target(xp, p_i, gain_i)
    has = gain > MIN_SIGNIFICANT_GAIN
    x_t = xp.take_along_axis(x, xp.broadcast_to(target[:, :, None], x.shape), axis=1)
    s_t = xp.take_along_axis(sal, xp.broadcast_to(target[:, :, None], sal.shape), axis=1)
    pw = p_win[:, :, None]
    rule = settings.interpolation
    b_i, b_j = _interpolate(xp, x, sal, pw, x_t, s_t, 1.0 - pw, rule)
    if settings.bargain != "init-only":
        # The receiver's view of the same contest: j's estimate that i prevails.
        p_j, _ = _contest(xp, dist, risk, weight, sal_total, settings, "j")
        pj = xp.take_along_axis(p_j, target[:, :, None], axis=-1)
        b_i2, b_j2 = _interpolate(xp, x, sal, pj, x_t, s_t, 1.0 - pj, rule)
        if settings.bargain == "init-rcvr":
            b_i = xp.concat([b_i, b_i2], axis=1)
            b_j = xp.concat([b_j, b_j2], axis=1)
        else:  # pw-compromise: weights capability x salience of initiator and receiver
            w_i = weight[:, :, None]
            w_j = xp.take_along_axis(weight, target, axis=-1)[:, :, None]
            tot = w_i + w_j
            safe = xp.where(tot > 0, tot, xp.ones_like(tot))
            half = xp.full_like(tot, 0.5)
            a = xp.where(tot > 0, w_i / safe, half)
            b_i = a * b_i + (1.0 - a) * b_i2
            b_j = a * b_j + (1.0 - a) * b_j2
    variants = b_i.shape[1] // x.shape[1]
    has_v = xp.concat([has] * variants, axis=1)
    x_v = xp.concat([x] * variants, axis=1)
    x_tv = xp.concat([x_t] * variants, axis=1)
    b_i = xp.where(has_v[:, :, None], b_i, x_v)
    b_j = xp.where(has_v[:, :, None], b_j, x_tv)
    return target, has, p_win, b_i, b_j


def _turn(
    xp: Any, x: Any, sal: Any, cap: Any, settings: Settings, draws: np.ndarray | None
) -> Turn:
    """One turn of KTAB's SMP on normalised positions ``x`` (B, n, d).

    ``draws`` (B, n): each actor's uniform draw of a stochastic transition (None: none).
    """
    n = x.shape[1]
    dist = weighted_distance(xp, x, x, sal)
    risk = _risk(xp, dist, cap, settings)
    target, has, p_win, b_init, b_rcvr = _proposals(xp, x, sal, cap, dist, risk, settings)
    n_opt = b_init.shape[1]  # proposals; option n_opt is the status quo
    variants = n_opt // n
    idx = xp.arange(n, **on(x))
    initiator = xp.concat([idx] * variants)  # (M,)
    tgt_v = xp.concat([target] * variants, axis=1)  # (B, M)
    has_v = xp.concat([has] * variants, axis=1)

    # Value to each actor a of the state after each proposal, minus the status quo, over n
    # (KTAB averages the utilities of all positions; unchanged ones cancel in every comparison).
    u_pos = utility(xp, dist, risk[:, :, None])  # (B, a, c)
    u_init = utility(xp, weighted_distance(xp, x, b_init, sal), risk[:, :, None])  # (B, a, M)
    u_rcvr = utility(xp, weighted_distance(xp, x, b_rcvr, sal), risk[:, :, None])
    u_from = xp.take(u_pos, initiator, axis=2)
    u_tgt = xp.take_along_axis(u_pos, xp.broadcast_to(tgt_v[:, None, :], u_init.shape), axis=2)
    delta = (u_init + u_rcvr - u_from - u_tgt) / n
    delta = xp.concat([delta, xp.zeros_like(delta[:, :, :1])], axis=2)  # (B, a, M + 1)
    du = delta[:, :, :, None] - delta[:, :, None, :]
    v = vote(xp, settings.voting, cap[:, :, None, None], du)
    coal = coalitions(xp, xp.permute_dims(v, (0, 2, 3, 1)))  # (B, M + 1, M + 1)

    # Actor k chooses among the status quo, its own proposal and those addressed to it.
    own = initiator[None, :] == idx[:, None]  # (k, M)
    aimed = tgt_v[:, None, :] == idx[None, :, None]  # (B, k, M)
    valid = has_v[:, None, :] & (own[None, :, :] | aimed)
    valid = xp.concat([valid, xp.ones_like(valid[:, :, :1])], axis=2)
    prob = election(xp, coal[:, None, :, :], valid, settings)  # (B, k, M + 1)

    if settings.transitions == "stochastic" and draws is not None:
        u = xp.asarray(draws, dtype=x.dtype, **on(x))
        cum = xp.cumulative_sum(prob, axis=-1)
        choice = xp.sum(xp.astype(cum < u[:, :, None], xp.int64), axis=-1)
        choice = xp.minimum(choice, n_opt)
        ok = xp.take_along_axis(valid, choice[:, :, None], axis=-1)[..., 0]
        choice = xp.where(ok, choice, xp.full_like(choice, n_opt))  # guard against round-off
    else:
        # The most probable option; on an exact tie the status quo, then the proposal of the
        # lowest-numbered initiator (KTAB's 2016 list order).
        order = xp.astype(initiator * variants + xp.arange(n_opt, **on(x)) // n, x.dtype)
        order = xp.concat([order, xp.asarray([-1.0], dtype=x.dtype, **on(x))])
        top = xp.max(prob, axis=-1, keepdims=True)
        key = xp.where(prob == top, order, xp.full_like(prob, float(2 * n_opt + 2)))
        first = xp.min(key, axis=-1, keepdims=True)
        choice = xp.argmax(xp.astype(key == first, x.dtype), axis=-1)
    choice_prob = xp.take_along_axis(prob, choice[:, :, None], axis=-1)[..., 0]
    safe = xp.minimum(choice, n_opt - 1)
    gather = xp.broadcast_to(safe[:, :, None], x.shape)
    as_init = xp.take_along_axis(b_init, gather, axis=1)
    as_rcvr = xp.take_along_axis(b_rcvr, gather, axis=1)
    is_sq = (choice == n_opt)[:, :, None]
    is_own = ((safe % n) == idx[None, :])[:, :, None]  # option m's initiator is m % n
    new = xp.where(is_sq, x, xp.where(is_own, as_init, as_rcvr))
    return Turn(new, target, has, p_win, b_init, b_rcvr, choice, choice_prob)


def final_probabilities(
    xp: Any, x: Any, sal: Any, cap: Any, settings: Settings
) -> tuple[Any, Any, Any]:
    """KTAB's probability that each actor's position prevails (unique positions compete).

    Returns (probability per actor (B, n), expected outcome on [0, 1] (B, d), risk (B, n)).
    """
    n = x.shape[1]
    dist = weighted_distance(xp, x, x, sal)
    risk = _risk(xp, dist, cap, settings)
    u = utility(xp, dist, risk[:, :, None])  # own risk-aware utility
    du = u[:, :, :, None] - u[:, :, None, :]
    v = vote(xp, "proportional", cap[:, :, None, None], du)
    coal = coalitions(xp, xp.permute_dims(v, (0, 2, 3, 1)))
    diff = x[:, :, None, :] - x[:, None, :, :]
    close = xp.sqrt(xp.sum(diff * diff, axis=-1)) < POSITION_TOLERANCE
    rep = xp.argmax(xp.astype(close, x.dtype), axis=-1)  # first equivalent actor
    valid = rep == xp.arange(n, **on(x))[None, :]
    prob = election(xp, coal, valid, settings)
    per_actor = xp.take_along_axis(prob, rep, axis=-1)
    expected = xp.sum(prob[:, :, None] * x, axis=1)
    return per_actor, expected, risk
