"""KTAB's Spatial Model of Politics (SMP): turn-based bargaining over positions in [0, 1]^d.

References
----------
* Wise, B., Lester, L. and Efird, B. "An Introduction to the KAPSARC Toolkit for Behavioral
  Analysis (KTAB) Using Nash Bargaining", KAPSARC Discussion Paper (2015).
* Wise, B., Lester, L. and Efird, B. "Multidimensional Bargaining Using KTAB", KAPSARC
  Discussion Paper (2016).
* Efird, B., Lester, L., Wise, B. and Hicks, J. "Modeling Collective Decision-Making Processes
  with the KAPSARC Toolkit for Behavioral Analysis", ACM (2017).
* KTAB's reference implementation (MIT licence, github.com/KAPSARC/KTAB): ``examples/smp/libsrc/
  smp.cpp``, ``smpbcn.cpp`` and ``KTAB/kmodel/libsrc/kmodel.cpp``; we follow its default
  settings and read its source to settle what the papers leave open (this is our own code).

One turn, for every batch element at once (positions normalised to [0, 1] per issue):

1. *Utility.* ``D[a, b]`` is the salience-weighted distance from actor ``a``'s position to
   ``b``'s, ``sqrt(sum_k s_ak^2 d_k^2 / sum_k s_ak^2)``; the utility is ``(1 - D)(1 + D R)``
   with risk attitude ``R`` in [-1/2, 1] (KTAB's ``bsUtil`` and ``bvDiff``).
2. *Risk attitudes.* Every actor votes with its capability over every pair of positions
   (risk-neutral utilities); coalition strengths give the probability ``P_i`` that each
   position prevails (a probabilistic Condorcet election: ``conditional`` by default,
   ``markov-incentive`` and ``markov-uniform`` as options); the actor with the least likely
   position is risk-acceptant (R = -1/2), the most likely one risk-averse (R = +1), linearly
   between (KTAB's "Mid" range). Actor ``h`` estimates ``i``'s attitude as
   ``(2 R_h + R_i) / 3`` (KTAB's "one third" adjustment).
3. *Challenges.* Each actor ``i`` estimates, for every ``j``, the probability ``p_ij`` that
   it prevails against ``j``: the principals weigh in with ``salience x capability`` times
   their utility difference, every third party joins the side it prefers in the little
   contest (KTAB's semi-committed third parties), and ``p_ij = C_ij / (C_ij + C_ji)``. The
   expected gain of challenging is ``(1 - s_j) 2 + s_j (2 p_ij + 2 (1 - p_ij) u_ij) - (1 + u_ij)``;
   ``i`` targets the ``j`` with the largest gain, if it exceeds 1e-5.
4. *Bargains.* The challenger proposes that both move to the point interpolated per issue
   with weights ``s_ik^2 p_ij^2`` and ``s_jk^2 (1 - p_ij)^2`` (KTAB's S2P2 rule, an
   approximation of the Nash bargaining solution); the proposal is rounded to 4 decimals on
   [0, 1] as KTAB does.
5. *Acceptance.* Each actor ``k`` compares its candidate states: keeping the status quo, its
   own proposal and every proposal addressed to it. All actors vote (capability x utility
   difference of the whole state, averaged over actors) and the same election gives each
   candidate a probability; ``k`` adopts the most probable one (an exact tie keeps the status
   quo), or draws one with those probabilities when ``transitions="stochastic"``.
6. *Stopping.* With ``delta_t`` the summed distance moved by all actors in turn ``t``, the
   run stops after turn ``t >= 2`` when ``delta_t < 0.02 (delta_1 + 1e-4)``, or after
   ``max_turns`` (100) turns.

The forecast is the effective-power (capability x salience) weighted mean of the final
positions per issue (the status quo where every weight is zero, flagged in
``extra["undefined"]``). ``extra`` also holds KTAB's end-of-run probability that each actor's
final position prevails (``position_probability``, (B, n)) and the probability-weighted
outcome (``expected_outcome``, (B, d)), plus the final risk attitudes (``risk``, (B, n)).

Where our inputs go beyond KTAB's: zero capability or salience is allowed (KTAB rejects it);
an actor whose saliences sum to more than 1 has them rescaled to sum to 1 (KTAB rejects such
files); an actor with all saliences zero measures distance with equal weights; when every
position is equally likely the risk attitudes are 0. See ``docs/models/smp.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from realpolitik.errors import ModelError
from realpolitik.models.base import BargainingInput, BargainingOutcome, ModelSpec

# KTAB's constants (names from its source).
MIN_COALITION = 1e-8  # Model::coalitions minC
MIN_CONTEST = 1e-10  # probEduChlg minCltn
MIN_BARGAIN_WEIGHT = 1e-6  # interpBrgnSnPm minW
MIN_SIGNIFICANT_GAIN = 1e-5  # bestChallenge minSigEDU
MIN_SIGNIFICANT_DELTA = 1e-4  # smpStopFn minSigDelta
POSITION_TOLERANCE = 1e-3  # SMPModel::posTol, for "same position" in the final probabilities
BINARY_TOLERANCE = 1e-8  # Model::vote sTol
MARKOV_TOLERANCE = 1e-8
MARKOV_MAX_ITER = 1000

VOTING_RULES = ("proportional", "binary", "prop-binary", "prop-cubic", "cubic")
VICTORY_POWERS = {"linear": 1, "square": 2, "quartic": 4, "octic": 8}
PCE_MODELS = ("conditional", "markov-incentive", "markov-uniform")
RISK_ADJUST = {"none": 0.0, "one-third": 1 / 3, "half": 0.5, "two-thirds": 2 / 3, "full": 1.0}
RISK_RANGES = ("min", "mid", "max")
THIRD_PARTY = ("none", "semi", "full")
INTERPOLATION = ("s2p2", "s1p1", "s2pmax")
BARGAIN_MODELS = ("init-only", "init-rcvr", "pw-compromise")
TRANSITIONS = ("deterministic", "stochastic")


def on(like: Any) -> dict[str, Any]:
    """``device=`` keyword that puts new arrays where ``like`` lives (nothing for numpy)."""
    dev = getattr(like, "device", None)
    return {} if dev is None or isinstance(like, np.ndarray) else {"device": dev}


@dataclass(frozen=True)
class Settings:
    """KTAB's model parameters (defaults = KTAB's defaults)."""

    voting: str = "proportional"
    victory: str = "linear"
    pce: str = "conditional"
    risk_adjust: str = "one-third"
    risk_range: str = "mid"
    third_party: str = "semi"
    interpolation: str = "s2p2"
    bargain: str = "init-only"
    transitions: str = "deterministic"
    min_turns: int = 2
    stop_ratio: float = 0.02

    def check(self) -> None:
        """Raise ModelError naming any unknown option value and the accepted ones."""
        choices = {
            "voting": VOTING_RULES,
            "victory": tuple(VICTORY_POWERS),
            "pce": PCE_MODELS,
            "risk_adjust": tuple(RISK_ADJUST),
            "risk_range": RISK_RANGES,
            "third_party": THIRD_PARTY,
            "interpolation": INTERPOLATION,
            "bargain": BARGAIN_MODELS,
            "transitions": TRANSITIONS,
        }
        for name, allowed in choices.items():
            value = getattr(self, name)
            if value not in allowed:
                raise ModelError(
                    f"smp: unknown {name}={value!r}; choose one of {', '.join(allowed)}"
                )
        if self.min_turns < 1 or not 0 <= self.stop_ratio < 1:
            raise ModelError("smp: min_turns must be >= 1 and stop_ratio in [0, 1)")


# ---------------------------------------------------------------- elementary functions


def vote(xp: Any, rule: str, weight: Any, du: Any) -> Any:
    """KTAB's ``Model::vote``: influence exerted for a utility difference ``du``."""
    if rule == "proportional":
        return weight * du
    if rule == "cubic":
        return weight * du**3
    binary = xp.clip(du / BINARY_TOLERANCE, -1.0, 1.0)
    if rule == "binary":
        return weight * binary
    if rule == "prop-binary":
        return weight * (0.8 * du + 0.2 * binary)
    return weight * (0.5 * du + 0.5 * du**3)  # prop-cubic


def utility(xp: Any, dist: Any, risk: Any) -> Any:
    """KTAB's ``bsUtil``: ``(1 - d)(1 + d R)`` for a normalised distance ``d`` (d > 1 only by round-off)."""
    return (1.0 - dist) * (1.0 + xp.minimum(dist, 1.0) * risk)


def weighted_distance(xp: Any, frm: Any, to: Any, sal: Any) -> Any:
    """Salience-weighted distance (KTAB's ``bvDiff``) from ``frm[..., a, :]`` to ``to[..., b, :]``.

    ``frm`` and ``sal`` are (B, A, d), ``to`` is (B, C, d); returns (B, A, C).
    """
    s2 = sal * sal
    total = xp.sum(s2, axis=-1, keepdims=True)
    d = frm.shape[-1]
    equal = xp.ones_like(s2) / d
    w = xp.where(total > 0, s2 / xp.where(total > 0, total, xp.ones_like(total)), equal)
    diff = frm[:, :, None, :] - to[:, None, :, :]
    return xp.sqrt(xp.sum(w[:, :, None, :] * diff * diff, axis=-1))


def victory(xp: Any, coal: Any, power: int) -> Any:
    """Pairwise victory probabilities ``c_ij^k / (c_ij^k + c_ji^k)`` from coalition strengths."""
    cji = xp.matrix_transpose(coal)
    if power == 1:
        return coal / (coal + cji)
    scale = xp.maximum(coal, cji)  # avoid overflow of high powers
    a = (coal / scale) ** power
    b = (cji / scale) ** power
    return a / (a + b)


def coalitions(xp: Any, votes: Any) -> Any:
    """Coalition strengths ``C[..., i, j] = minC + sum_a max(0, votes[..., i, j, a])`` (diag minC)."""
    c = MIN_COALITION + xp.sum(xp.maximum(votes, 0.0), axis=-1)
    m = c.shape[-1]
    eye = xp.eye(m, dtype=xp.bool, **on(votes))
    return xp.where(eye, xp.full_like(c, MIN_COALITION), c)


def election(xp: Any, coal: Any, valid: Any, settings: Settings) -> Any:
    """Probability that each option prevails (KTAB's probabilistic Condorcet election).

    ``coal`` (..., m, m) are coalition strengths, ``valid`` (..., m) marks the options that take
    part (the others get probability 0). ``conditional``: P_i is proportional to
    prod_j p(i > j) over valid j (computed in logs); the Markov variants iterate KTAB's chains.
    """
    power = VICTORY_POWERS[settings.victory]
    vp = victory(xp, coal, power)
    validf = xp.astype(valid, coal.dtype)
    pair = validf[..., :, None] * validf[..., None, :]
    if settings.pce == "conditional":
        logv = xp.log(xp.maximum(vp, 1e-300))
        logp = xp.sum(xp.where(pair > 0, logv, xp.zeros_like(logv)), axis=-1)
        logp = xp.where(valid, logp, xp.full_like(logp, -xp.inf))
        top = xp.max(logp, axis=-1, keepdims=True)
        e = xp.exp(logp - top)
        return e / xp.sum(e, axis=-1, keepdims=True)
    count = xp.sum(validf, axis=-1, keepdims=True)
    p = validf / count
    vp = vp * pair
    if settings.pce == "markov-incentive":
        m = coal.shape[-1]
        eye = xp.astype(xp.eye(m, dtype=xp.bool, **on(coal)), coal.dtype)
        incentive = (coal * vp + 1e-10 * eye) * pair
        total = xp.sum(incentive, axis=-2, keepdims=True)
        chlg = incentive / xp.where(total > 0, total, xp.ones_like(total))  # P[i challenges j]
    for _ in range(MARKOV_MAX_ITER):
        if settings.pce == "markov-incentive":
            ct = p[..., :, None] * xp.matrix_transpose(chlg)  # ct[i, j] = p_i P[j challenges i]
            q = xp.sum(vp * (ct + xp.matrix_transpose(ct)), axis=-1)
        else:  # markov-uniform
            q = xp.sum(vp * (p[..., :, None] + p[..., None, :]), axis=-1) / count
        change = xp.max(xp.abs(q - p))
        p = (p + q) / 2.0
        if float(change) <= MARKOV_TOLERANCE:
            break
    return p / xp.sum(p, axis=-1, keepdims=True)


def risk_from_probability(xp: Any, prob: Any, rng: str) -> Any:
    """KTAB's ``bigRfromProb``: map position probabilities (B, n) to risk attitudes."""
    pmin = xp.min(prob, axis=-1, keepdims=True)
    pmax = xp.max(prob, axis=-1, keepdims=True)
    span = pmax - pmin
    flat = span <= 1e-12
    safe = xp.where(flat, xp.ones_like(span), span)
    if rng == "min":
        r = (prob - pmin) / safe
    elif rng == "mid":
        r = (3.0 * prob - (pmax + 2.0 * pmin)) / (2.0 * safe)
    else:
        r = (2.0 * prob - (pmax + pmin)) / safe
    return xp.where(flat, xp.zeros_like(r), r)


# ---------------------------------------------------------------- one turn


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
    xp: Any, x: Any, sal: Any, cap: Any, settings: Settings, rng: np.random.Generator | None
) -> Turn:
    """One turn of KTAB's SMP on normalised positions ``x`` (B, n, d)."""
    b, n, _ = x.shape
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

    if settings.transitions == "stochastic" and rng is not None:
        u = xp.asarray(rng.random((b, n)), dtype=x.dtype, **on(x))
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


# ---------------------------------------------------------------- the model


def _prepare_salience(xp: Any, sal: Any) -> Any:
    """KTAB needs each actor's saliences to sum to at most 1: rescale those that sum to more."""
    total = xp.sum(sal, axis=-1, keepdims=True)
    return xp.where(total > 1.0, sal / xp.where(total > 1.0, total, xp.ones_like(total)), sal)


def smp(
    inp: BargainingInput,
    *,
    seed: int | None = None,
    trace: bool = False,
    max_turns: int = 100,
    **options: Any,
) -> BargainingOutcome:
    """Run KTAB's Spatial Model of Politics until positions settle (see the module docstring).

    Options (KTAB's names in brackets, defaults first): ``voting`` proportional | binary |
    prop-binary | prop-cubic | cubic [VotingRule]; ``victory`` linear | square | quartic | octic
    [VPModel]; ``pce`` conditional | markov-incentive | markov-uniform [PCEModel];
    ``risk_adjust`` one-third | none | half | two-thirds | full [BigRAdjust]; ``risk_range``
    mid | min | max [BigRRange]; ``third_party`` semi | none | full [ThirdPartyCommit];
    ``interpolation`` s2p2 | s1p1 | s2pmax [InterVecBrgn]; ``bargain`` init-only | init-rcvr |
    pw-compromise [SMPBargnModel]; ``transitions`` deterministic | stochastic [StateTransMode];
    ``min_turns`` 2; ``stop_ratio`` 0.02. Only ``transitions="stochastic"`` uses ``seed``: each
    actor then draws its bargain with its probability, from one ``np.random.default_rng(seed)``
    stream over the whole batch (so a batch element equals a lone run only in the deterministic
    default).
    """
    unknown = set(options) - set(Settings.__dataclass_fields__)
    if unknown:
        raise ModelError(
            f"smp: unknown option(s) {', '.join(sorted(unknown))}; "
            f"known: max_turns, {', '.join(Settings.__dataclass_fields__)}"
        )
    settings = Settings(**options)
    settings.check()
    if max_turns < 1:
        raise ModelError(f"smp: max_turns must be >= 1 (got {max_turns})")
    xp = inp.xp
    rng = np.random.default_rng(seed) if settings.transitions == "stochastic" else None
    x, _ = inp.normalised()
    x = xp.clip(x, 0.0, 1.0)
    sal = _prepare_salience(xp, xp.clip(inp.salience, 0.0, 1.0))
    cap = xp.maximum(inp.capability, 0.0)
    bsz = inp.batch

    active = xp.ones((bsz,), dtype=xp.bool, **on(x))
    rounds = xp.zeros((bsz,), dtype=xp.int64, **on(x))
    first_delta = xp.zeros((bsz,), dtype=x.dtype, **on(x))
    records: list[dict[str, Any]] | None = [] if trace else None
    if records is not None:
        _record(records, inp, 0, x, [])
    for t in range(1, max_turns + 1):
        turn = _turn(xp, x, sal, cap, settings, rng)
        step = turn.new - x
        delta = xp.sum(xp.sqrt(xp.sum(step * step, axis=-1)), axis=-1)
        if t == 1:
            first_delta = delta + MIN_SIGNIFICANT_DELTA
        quiet = (delta / first_delta) < settings.stop_ratio
        x = xp.where(active[:, None, None], turn.new, x)
        rounds = xp.where(active, xp.full_like(rounds, t), rounds)
        if records is not None and bool(active[0]):
            stop_now = t >= settings.min_turns and bool(quiet[0])
            events = _events(inp, turn, x, step, stop_now, float(delta[0] / first_delta[0]))
            _record(records, inp, t, x, events)
        if t >= settings.min_turns:
            active = active & ~quiet
        if not bool(xp.any(active)):
            break

    position = inp.denormalise(x)
    weight = cap[:, :, None] * sal
    total = xp.sum(weight, axis=1)
    undefined = total <= 0
    mean = xp.sum(weight * position, axis=1) / xp.where(undefined, xp.ones_like(total), total)
    forecast = xp.where(undefined, inp.status_quo, mean)
    prob, expected, risk = final_probabilities(xp, x, sal, cap, settings)
    extra = {
        "undefined": undefined,
        "position_probability": prob,
        "expected_outcome": inp.denormalise(expected),
        "risk": risk,
    }
    return BargainingOutcome(
        forecast=forecast, final_position=position, rounds=rounds, extra=extra, trace=records
    )


# ---------------------------------------------------------------- trace (batch element 0)


def _names(inp: BargainingInput) -> list[str]:
    return list(inp.actor_ids) if inp.actor_ids else [f"A{i + 1}" for i in range(inp.n_actors)]


def _host(a: Any) -> np.ndarray:
    """A numpy copy of an array of any backend (device arrays are copied to the host)."""
    cpu = getattr(a, "cpu", None)
    return np.asarray(cpu() if callable(cpu) else a)


def _record(
    records: list[dict[str, Any]], inp: BargainingInput, t: int, x: Any, events: list[Any]
) -> None:
    names = _names(inp)
    pos = _host(inp.denormalise(x)[0]).astype(float)
    issues = list(inp.issue_ids) or [f"issue{k + 1}" for k in range(inp.n_issues)]
    for k, issue in enumerate(issues):
        records.append(
            {
                "round": t,
                "issue": issue,
                "positions": {a: round(float(pos[i, k]), 6) for i, a in enumerate(names)},
                "events": _project(events, k),
            }
        )


def _project(events: list[Any], k: int) -> list[str]:
    """Events are (template, values...) with values (n_issues,) arrays, or plain strings."""
    out = []
    for e in events:
        if isinstance(e, str):
            out.append(e)
        else:
            template, *vals = e
            out.append(template.format(*(float(v[k]) for v in vals)))
    return out


def _events(
    inp: BargainingInput, turn: Turn, x: Any, step: Any, stop: bool, ratio: float
) -> list[Any]:
    """Batch element 0's proposals and choices, as (template, values per issue...) tuples."""
    names = _names(inp)
    n = inp.n_actors
    scale = inp.denormalise
    has = _host(turn.has_target[0])
    target = _host(turn.target[0])
    p_win = _host(turn.p_win[0]).astype(float)
    choice = _host(turn.choice[0])
    cprob = _host(turn.choice_prob[0]).astype(float)
    old = _host(scale(x - step)[0]).astype(float)
    new = _host(scale(x)[0]).astype(float)
    b_init = _host(scale(turn.b_init)[0]).astype(float)
    b_rcvr = _host(scale(turn.b_rcvr)[0]).astype(float)
    n_opt = b_init.shape[0]
    labels = ["", " (receiver's view)"] if n_opt > n else [""]
    events: list[Any] = []
    for m in range(n_opt):
        i, v = m % n, m // n
        if has[i]:
            me, you = names[i], names[int(target[i])]
            events.append(
                (
                    f"{me} proposes to {you}{labels[v]}: {{:.1f}} -> {{:.1f}} "
                    f"(itself {{:.1f}} -> {{:.1f}}; P[{me} prevails] = {p_win[i]:.2f})",
                    old[int(target[i])], b_rcvr[m], old[i], b_init[m],
                )
            )
    for k in range(n):
        m = int(choice[k])
        if m == n_opt:
            events.append((f"{names[k]} keeps its position {{:.1f}} (P = {cprob[k]:.2f})", old[k]))
            continue
        i, v = m % n, m // n
        whose = "its own proposal" if i == k else f"{names[i]}'s proposal"
        events.append(
            (
                f"{names[k]} accepts {whose}{labels[v]}: {{:.1f}} -> {{:.1f}} (P = {cprob[k]:.2f})",
                old[k], new[k],
            )
        )
    if stop:
        events.append(f"stop: this turn moved {ratio:.4f} of the first turn's movement")
    return events


def stochastic_call(params: Mapping[str, Any]) -> bool:
    """Whether a call with ``params`` draws random numbers: ``transitions="stochastic"``."""
    return params.get("transitions") == "stochastic"


SPEC = ModelSpec(
    name="smp",
    title="KTAB Spatial Model of Politics",
    fn=smp,
    reference=(
        "Wise, Lester & Efird (2015), An Introduction to the KAPSARC Toolkit for Behavioral "
        "Analysis (KTAB) Using Nash Bargaining, KAPSARC; KTAB source (MIT), examples/smp"
    ),
    stochastic=False,
    stochastic_when=stochastic_call,
    iterative=True,
    cost="O(T n^3 d) per batch element",
    supports_trace=True,
    description=(
        "Turn-based bargaining: actors challenge the target with the best expected gain, "
        "propose Nash-like interpolated bargains, and adopt the most probable one."
    ),
)
