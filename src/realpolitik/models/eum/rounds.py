"""One bargaining round on one issue.

:func:`_round_fast` is the round of every run with ``Q = 1`` (the default): one direction per
pair. :func:`_round_sorted` evaluates both directions with the formulas of the package
docstring: it is the round of runs with ``Q < 1``, the reference that ``_round_fast`` is
tested against, and, with ``details=True``, the source of :class:`Round` (for
:func:`bargaining_round` and the trace).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from realpolitik.models.eum.frame import (
    _flat_take,
    _Pairs,
    _sorted_input,
    _tolerance,
    _unsort,
    _unsort_pairwise,
)
from realpolitik.models.eum.offers import _accept, _accept_fast, _offers
from realpolitik.models.eum.probability import _probability_sorted
from realpolitik.models.eum.utility import (
    OfferRule,
    _better_worse,
    _power,
    _risk_exponents,
    _Rules,
    classify,
)
from realpolitik.models.median import weighted_median


def _round_fast(y: Any, s: Any, w: Any, pairs: _Pairs, rules: _Rules, xp: Any) -> Any:
    """:func:`_round_sorted` for ``Q = 1`` without details: the new positions (n, m).

    Only the direction of each pair that can carry an offer is evaluated (see
    :func:`_round_sorted`), and the expected utilities are computed at quarter scale,
    ``E / 4 = (0.5^r - A) - resist (B - A)`` with ``A = (0.5 - 0.5 d)^r`` and
    ``B = (0.5 + 0.5 d)^r``, against quarter tolerances (the same decisions).
    """
    m = y.shape[1]
    dt = y.dtype
    tol = _tolerance(y, xp)
    tol4 = tol / 4.0
    p, d, _, _ = _probability_sorted(y, w, pairs, xp, together=tol)
    rho_ab = xp.take(s, pairs.b, axis=0)  # s_b (1 - P_ab): b resists a's challenge and wins
    rho_ab *= 1.0 - p
    rho_ba = xp.take(s, pairs.a, axis=0)  # s_a (1 - P_ba) = s_a P_ab
    rho_ba *= p
    apart_b = d > tol
    r = _risk_exponents(d, rho_ab, rho_ba, xp.astype(apart_b, dt), None, pairs, rules, xp)
    to_b = rho_ba > rho_ab  # the offer, if any, goes from a to b
    a_at, b_at, _ = pairs.at(m)
    recv = xp.astype(to_b, xp.int64)
    recv *= b_at - a_at
    recv += a_at  # the receiver's flat index
    r_recv = _flat_take(r, recv, xp)
    quarter = _flat_take(_power(xp.full_like(r, 0.5), r, xp), recv, xp)  # 0.5^r
    half = 0.5 * d
    grow = r_recv * xp.log(xp.maximum(0.5 - half, float(xp.finfo(dt).smallest_normal)))
    low_u = xp.exp(grow)  # A
    half += 0.5
    r_recv *= xp.log(half)
    gap = xp.exp(r_recv)
    gap -= low_u  # B - A
    quarter -= low_u  # 0.5^r - A
    seen = xp.minimum(rho_ab, rho_ba)
    seen *= gap
    seen = quarter - seen  # E_SR / 4 as R sees it
    mine = xp.maximum(rho_ab, rho_ba)
    mine *= gap
    mine = quarter - mine  # E_RS / 4
    offer = seen - mine > tol4
    offer &= seen > tol4
    offer &= apart_b
    move = xp.minimum(mine, 0.0)
    move /= xp.maximum(seen, tol4)
    move = xp.minimum(-move, 1.0)  # min(max(-E_RS, 0) / E_SR, 1)
    move += xp.astype(mine > tol4, dt)  # a conflict R loses: all the way
    move *= d  # |y_R + (y_S - y_R) frac - y_R|
    step = xp.astype(to_b, dt)
    step *= -2.0
    step += 1.0
    step *= move  # y_S - y_R < 0 when R = b
    if rules.offer_rule == "nearest":
        first, second = -move, (seen, 4.0)
    else:
        first, second = 4.0 * seen, (move, -1.0)
    return _accept_fast(offer, to_b, recv, first, second, step, y, pairs, tol, xp)


def _round_sorted(
    y: Any,
    s: Any,
    w: Any,
    pairs: _Pairs,
    rules: _Rules,
    xp: Any,
    *,
    details: bool = False,
) -> tuple[Any, dict[str, Any] | None]:
    """One round on sorted positions ``y`` (n, m) (saliences ``s``, weights ``w``), in full.

    Both directions of every pair are evaluated with the formulas of the module docstring.
    Returns the new positions (n, m) in the same (sorted) order and, with ``details``, the
    round's quantities for :func:`bargaining_round` (in the sorted frame, dense (n, n, m)).
    Runs with ``Q = 1`` use :func:`_round_fast`, which takes the same decisions.
    """
    n = y.shape[0]
    dt = y.dtype
    tol = _tolerance(y, xp)
    bw = rules.q < 1.0
    p, d, ya, yb = _probability_sorted(y, w, pairs, xp)
    rho_ab = xp.take(s, pairs.b, axis=0)  # s_b (1 - P_ab): b resists a's challenge and wins
    rho_ab *= 1.0 - p
    rho_ba = xp.take(s, pairs.a, axis=0)  # s_a (1 - P_ba) = s_a P_ab
    rho_ba *= p
    apart_b = d > tol
    apart = xp.astype(apart_b, dt)
    if bw:
        yt, wt = xp.permute_dims(y, (1, 0)), xp.permute_dims(w, (1, 0))
        mu = weighted_median(yt[:, :, None], wt[:, :, None], xp)[0][:, 0]
        dist = xp.abs(y - mu[None, :])
        dm = (xp.take(dist, pairs.a, axis=0), xp.take(dist, pairs.b, axis=0))
    else:
        mu = xp.zeros_like(y[0, :])
        dm = None
    r = _risk_exponents(d, rho_ab, rho_ba, apart, dm, pairs, rules, xp)
    usq = 2.0 - 4.0 * _power(xp.full_like(r, 0.5), r, xp)  # U_sq, (n, m)
    tiny = float(xp.finfo(dt).smallest_normal)
    half = 0.5 * d
    log_s = xp.log(xp.maximum(0.5 - half, tiny))  # U = 2 - 4 exp(r log(max(base, tiny)))
    half += 0.5
    log_f = xp.log(half)

    def prospects(r_recv: Any, sq: Any) -> dict[str, Any]:
        u_s = xp.exp(r_recv * log_s)
        u_s *= -4.0
        u_s += 2.0
        u_f = xp.exp(r_recv * log_f)
        u_f *= -4.0
        u_f += 2.0
        return {"s": u_s, "f": u_f, "sq": sq}

    # a -> b (receiver b, exponent r_b) and b -> a (receiver a, exponent r_a)
    r_a, r_b = xp.take(r, pairs.a, axis=0), xp.take(r, pairs.b, axis=0)
    ub = prospects(r_b, xp.take(usq, pairs.b, axis=0))
    ua = prospects(r_a, xp.take(usq, pairs.a, axis=0))
    ub_s, ub_m, ua_s, ua_m = ub, ub, ua, ua
    if dm is not None:  # U_b and U_w use the challenger's distance to the median
        ub_s = dict(ub, **_better_worse(d, dm[0], r_b, xp))
        ub_m = dict(ub, **_better_worse(d, dm[1], r_b, xp))
        ua_s = dict(ua, **_better_worse(d, dm[1], r_a, xp))
        ua_m = dict(ua, **_better_worse(d, dm[0], r_a, xp))
    o_up = _offers(ub_s, ub_m, rho_ab, rho_ba, apart_b, d, rules, tol, xp)
    o_dn = _offers(ua_s, ua_m, rho_ba, rho_ab, apart_b, d, rules, tol, xp)
    t_up, t_dn = yb - o_up.move, ya + o_dn.move  # y_R + (y_S - y_R) frac
    up = (o_up.offer, -o_up.move, o_up.seen)
    down = (o_dn.offer, -o_dn.move, o_dn.seen)
    if rules.offer_rule != "nearest":
        up, down = (up[0], up[2], up[1]), (down[0], down[2], down[1])
    new, pick = _accept(up, down, (t_up, t_dn), y, pairs, tol, xp)
    if not details:
        return new, None
    eye = xp.reshape(pairs.dense, (n, n, 1)) == 2 * d.shape[0]
    return new, {
        "median": mu,
        "probability": pairs.to_dense(p, 1.0 - p, 0.5),
        "risk": r,
        "eu_own": pairs.to_dense(o_dn.mine * apart, o_up.mine * apart, 0.0),
        "eu_seen_by_target": pairs.to_dense(o_up.seen * apart, o_dn.seen * apart, 0.0),
        "offer": pairs.to_dense(xp.astype(o_up.offer, dt), xp.astype(o_dn.offer, dt), 0.0) > 0.5,
        "target": xp.where(eye, y[None, :, :], pairs.to_dense(t_up, t_dn, 0.0)),
        "accepted": pick,
    }


@dataclass(frozen=True)
class Round:
    """One bargaining round on one issue (all arrays on the unit scale, batch first)."""

    start: Any  #: (B, n) positions before the round
    position: Any  #: (B, n) positions after the round
    median: Any  #: (B,) weighted median before the round (0 when ``q = 1``: not needed)
    probability: Any  #: (B, n, n) P_ij
    risk: Any  #: (B, n) risk exponents r_i
    eu_own: Any  #: (B, n, n) E_ij as i sees it (exponent r_i)
    eu_seen_by_target: Any  #: (B, n, n) E_ij as j sees it (exponent r_j)
    offer: Any  #: (B, n, n) True where j takes i's challenge as an offer it should heed
    target: Any  #: (B, n, n) where i's offer asks j to move
    accepted: Any  #: (B, n, n) True for the offer (sender i) that receiver j accepts

    def classification(self, xp: Any) -> Any:
        """Codes (B, n, n) of how each row actor i sees its pair with j (see :func:`classify`)."""
        e = self.eu_own
        return classify(
            e, xp.permute_dims(self.eu_seen_by_target, (0, 2, 1)), _tolerance(e, xp), xp
        )


def _to_round(start: Any, new: Any, idx: Any, info: dict[str, Any], xp: Any) -> Round:
    """A :class:`Round` in the original actor order from a round of the sorted frame."""
    pairwise = _unsort_pairwise(idx, xp)
    return Round(
        start=_unsort(start, idx, xp),
        position=_unsort(new, idx, xp),
        median=info["median"],
        probability=pairwise(info["probability"]),
        risk=_unsort(info["risk"], idx, xp),
        eu_own=pairwise(info["eu_own"]),
        eu_seen_by_target=pairwise(info["eu_seen_by_target"]),
        offer=pairwise(info["offer"]),
        target=pairwise(info["target"]),
        accepted=pairwise(info["accepted"]),
    )


def bargaining_round(
    x: Any,
    c: Any,
    s: Any,
    *,
    q: float = 1.0,
    t: float = 1.0,
    offer_rule: OfferRule = "nearest",
    xp: Any,
) -> Round:
    """One round on one issue: ``x``, ``s`` (B, n) unit positions and saliences, ``c`` (B, n).

    Receiver j judges every pair from its own perspective (its own exponent ``r_j`` for both
    expected utilities): i's challenge is an offer j heeds when ``E_ij > 0`` and ``E_ij > E_ji``
    (j loses a conflict, or compromises, or capitulates). j moves to ``x_i`` except in a
    compromise (``0 <= -E_ji < E_ij``), where it moves the fraction ``|E_ji| / E_ij`` of the
    way. Among its offers j accepts the one needing the smallest move (``offer_rule="nearest"``,
    SCS and BDM) or the most credible one, with the largest ``E_ij`` (``"credible"``); the
    other key breaks ties, and offers tied on both (from actors at one position) are averaged.
    """
    y, s_s, w_s, idx = _sorted_input(x, s, c * s, xp)
    rules = _Rules(q=q, t=t, offer_rule=offer_rule, max_rounds=1, tol=1.0)
    pairs = _Pairs.build(x.shape[1], xp, getattr(x, "device", None))
    new, info = _round_sorted(y, s_s, w_s, pairs, rules, xp, details=True)
    assert info is not None
    return _to_round(y, new, idx, info, xp)


def _stepper(rules: _Rules) -> Any:
    """The round function of a run: :func:`_round_fast` for ``Q = 1``, else the full round."""
    if rules.q == 1.0:
        return _round_fast

    def full(y: Any, s: Any, w: Any, pairs: _Pairs, rules: _Rules, xp: Any) -> Any:
        return _round_sorted(y, s, w, pairs, rules, xp)[0]

    return full


def _detailed_step(
    y: Any, s: Any, w: Any, pairs: _Pairs, rules: _Rules, xp: Any
) -> tuple[Any, dict[str, Any]]:
    """The new positions of :func:`_stepper`'s round (the run's own numbers) and the details."""
    if rules.q == 1.0:
        new = _round_fast(y, s, w, pairs, rules, xp)
        info = _round_sorted(y, s, w, pairs, rules, xp, details=True)[1]
    else:
        new, info = _round_sorted(y, s, w, pairs, rules, xp, details=True)
    assert info is not None
    return new, info
