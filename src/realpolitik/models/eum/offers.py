"""Offers between the actors of a round and which one each receiver accepts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from realpolitik.models.eum.frame import _flat_take, _Pairs
from realpolitik.models.eum.utility import _combine, _Rules


@dataclass(frozen=True)
class _Offers:
    """Sender S's challenges of receiver R along the pairs (P, m), judged with R's exponent."""

    seen: Any  #: E_SR as R sees it (not masked by ``apart``)
    mine: Any  #: E_RS, R's own (not masked)
    offer: Any  #: R heeds S's challenge
    move: Any  #: |target - y_R|


def _offers(
    u_seen: dict[str, Any], u_mine: dict[str, Any], rho_sr: Any, rho_rs: Any, apart: Any,
    d: Any, rules: _Rules, tol: float, xp: Any,
) -> _Offers:  # fmt: skip
    """Offers from utilities with R's exponent; ``rho_sr = s_R (1 - P_SR)``, ``rho_rs`` likewise.

    R heeds S when ``E_SR > 0`` and ``E_SR > E_RS`` (as R sees both) and the two stand apart
    (``apart``, bool); it is asked to move all the way (``E_RS > 0``: a conflict it loses) or,
    in a compromise, the fraction ``|E_RS| / E_SR``.
    """
    seen = _combine(u_seen, rho_sr, None, rules.q, rules.t)
    mine = _combine(u_mine, rho_rs, None, rules.q, rules.t)
    offer = seen - mine > tol
    offer &= seen > tol
    offer &= apart
    share = xp.minimum(mine, 0.0)
    share /= xp.maximum(seen, tol)
    share = xp.minimum(-share, 1.0)  # min(max(-E_RS, 0) / E_SR, 1)
    conflict = xp.astype(mine > tol, d.dtype)  # then share is 0: move all the way
    share += conflict
    share *= d
    return _Offers(seen, mine, offer, share)


def _accept(
    up: tuple[Any, Any, Any], down: tuple[Any, Any, Any], target: tuple[Any, Any],
    y: Any, pairs: _Pairs, tol: float, xp: Any,
) -> tuple[Any, Any]:  # fmt: skip
    """Each receiver's pick among its offers; returns the new positions and the picks (dense).

    ``up`` and ``down`` hold (offer, first key, second key) of the directions a -> b and
    b -> a; ``target`` the targets of both. The receiver keeps the offers within ``tol`` of the
    best first key, then of the best second key, and moves to the mean of their targets.
    """
    lowest = -float(xp.finfo(y.dtype).max)
    key = pairs.to_dense(
        xp.where(up[0], up[1], -xp.inf), xp.where(down[0], down[1], -xp.inf), -xp.inf
    )
    pick = key >= xp.maximum(xp.max(key, axis=0) - tol, lowest)
    key = xp.where(pick, pairs.to_dense(up[2], down[2], 0.0), -xp.inf)
    pick = key >= xp.maximum(xp.max(key, axis=0) - tol, lowest)
    weight = xp.astype(pick, y.dtype)
    count = xp.sum(weight, axis=0)
    weight *= pairs.to_dense(target[0], target[1], 0.0)
    moved = count > 0
    return xp.where(moved, xp.sum(weight, axis=0) / xp.where(moved, count, 1.0), y), pick


def _accept_fast(
    offer: Any, to_b: Any, recv: Any, first: Any, second: tuple[Any, float], step: Any,
    y: Any, pairs: _Pairs, tol: float, xp: Any,
) -> Any:  # fmt: skip
    """:func:`_accept` when each pair carries one offer, from a to b where ``to_b``, else b to a.

    ``step`` is the receiver's signed move (its target is ``y_R + step``), ``recv`` the
    receivers' flat indices and ``second`` the second key with the factor that brings it to
    the scale of ``tol``. Where a receiver's best first key is unique (within ``tol``) it
    moves by that offer's step (a sum of the step and zeros: exact); batch elements with ties
    take the full rule of :func:`_accept`.
    """
    dt = y.dtype
    up, down = offer & to_b, offer & ~to_b
    best = pairs.receive_max(xp.where(up, first, -xp.inf), xp.where(down, first, -xp.inf))
    win = first >= _flat_take(xp.maximum(best - tol, -float(xp.finfo(dt).max)), recv, xp)
    win &= offer
    n_best = xp.sum(xp.astype(best > -xp.inf, xp.int64), axis=0)
    ties = xp.sum(xp.astype(win, xp.int64), axis=0) > n_best
    shift = pairs.receive_sum(xp.astype(win & to_b, dt) * step, xp.astype(win & ~to_b, dt) * step)
    new = y + shift  # y_R + the winner's step, or y_R + 0
    if not bool(xp.any(ties)):
        return new
    cols = xp.nonzero(ties)[0]

    def sub(v: Any) -> Any:
        return xp.take(v, cols, axis=1)

    key1, key2 = sub(first), sub(second[0]) * second[1]
    target = _flat_take(y, sub(recv), xp) + sub(step)
    tied, _ = _accept(
        (sub(up), key1, key2), (sub(down), key1, key2), (target, target), sub(y), pairs, tol, xp
    )
    m = y.shape[1]
    rank = xp.cumulative_sum(xp.astype(ties, xp.int64)) - 1
    where_from = xp.where(ties, m + rank, xp.arange(m, dtype=xp.int64, device=pairs.device))
    return xp.take(xp.concat([new, tied], axis=1), where_from, axis=1)
