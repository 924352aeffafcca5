"""The elements of KTAB's SMP: settings, votes, utilities, distances, elections, risk."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from realpolitik.errors import ModelError

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
