"""Utilities, expected utilities, risk exponents and how actors see their pairs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from realpolitik.models.eum.frame import _Pairs, _tolerance

OfferRule = Literal["credible", "nearest"]


@dataclass(frozen=True)
class _Rules:
    """The bargaining settings of one call."""

    q: float
    t: float
    offer_rule: OfferRule
    max_rounds: int
    tol: float


#: Codes of :func:`classify`, seen from the row actor i of the pair (i, j).
STALEMATE, CONFLICT, COMPROMISE, CAPITULATION = 0, 1, 2, 3
#: j challenges and i gives in part (``-COMPROMISE``) or fully (``-CAPITULATION``).
CONCEDE, CAPITULATE = -2, -3


def _risk(sec: Any, axis: int, xp: Any) -> Any:
    """Risk exponents from the securities ``sec`` of the actors along ``axis``.

    ``r = (1 - R/3) / (1 + R/3) = (3 (hi - lo) - u) / (3 (hi - lo) + u)`` with
    ``u = 2 S - hi - lo``; 1 where all securities are equal.
    """
    hi = xp.max(sec, axis=axis, keepdims=True)
    lo = xp.min(sec, axis=axis, keepdims=True)
    flat = xp.astype(hi <= lo, sec.dtype)  # then u = 0: r = 1
    u = 2.0 * sec
    u -= hi + lo
    spread = 3.0 * (hi - lo) + flat
    return (spread - u) / (spread + u)


def _power(base: Any, r: Any, xp: Any) -> Any:
    """``max(base, 0) ** r`` for ``r > 0`` (``r`` None: 1), via exp and log (vectorised)."""
    if r is None:
        return xp.maximum(base, 0.0)
    tiny = float(xp.finfo(base.dtype).smallest_normal)
    return xp.exp(r * xp.log(xp.maximum(base, tiny)))


def utilities(d: Any, dm: Any, r: Any, xp: Any, *, better_worse: bool = True) -> dict[str, Any]:
    """Challenger i's utilities against j, each ``2 - 4 * base ** r``.

    ``d`` (B, n, n) is ``|x_i - x_j|``, ``dm`` (B, n, 1) is ``|x_i - mu|`` and ``r`` the risk
    exponent broadcastable to (B, n, n) (``r[:, :, None]``: i's own view; ``r[:, None, :]``: j's
    view of i's prospects) or None for ``r = 1``. Keys ``s`` (success), ``f`` (failure),
    ``b`` and ``w`` (unforced change for the better or worse; left out with
    ``better_worse=False``) and ``sq`` (status quo).
    """

    def u(base: Any) -> Any:
        return 2.0 - 4.0 * _power(base, r, xp)

    out = {
        "s": u(0.5 - 0.5 * d),
        "f": u(0.5 + 0.5 * d),
        "sq": u(0.5 + 0.0 * (dm if r is None else r)),
    }
    if better_worse:
        out["b"] = u(0.5 - 0.25 * (dm + d))
        out["w"] = u(0.5 + 0.25 * (dm + d))
    return out


def _combine(u: dict[str, Any], resist: Any, apart: Any, q: float, t: float) -> Any:
    """The expected utility of challenging from utilities ``u`` (see :func:`expected_utility`).

    ``resist = s_j (1 - P_ij)``, the chance that j resists and prevails, and ``apart`` (0/1)
    marks pairs at different positions (None: no mask). ``s_j (P U_s + (1-P) U_f) +
    (1-s_j) U_s`` is computed as ``U_s - s_j (1-P)(U_s - U_f)``.
    """
    e = u["s"] - resist * (u["s"] - u["f"]) - (u["sq"] if q == 1.0 else q * u["sq"])
    if q < 1.0:
        e = e - (1.0 - q) * (t * u["b"] + (1.0 - t) * u["w"])
    return e if apart is None else e * apart


def expected_utility(
    x: Any, s: Any, p: Any, r: Any, mu: Any, *, q: float, t: float, xp: Any
) -> Any:
    """``E[b, i, j] = s_j (P U_s + (1-P) U_f) + (1-s_j) U_s - Q U_sq - (1-Q)(T U_b + (1-T) U_w)``.

    i's expected utility of challenging j, with risk exponent ``r`` as in :func:`utilities`
    and ``p`` from :func:`win_probability`; zero where ``x_i`` and ``x_j`` coincide (within
    ``sqrt(machine epsilon)``: nothing to demand).
    """
    d = xp.abs(x[:, :, None] - x[:, None, :])
    dm = xp.abs(x - mu[:, None])[:, :, None]
    u = utilities(d, dm, r, xp, better_worse=q < 1.0)
    apart = xp.astype(d > _tolerance(x, xp), x.dtype)
    return _combine(u, s[:, None, :] * (1.0 - p), apart, q, t)


def risk_exponent(e1: Any, xp: Any) -> Any:
    """Risk exponents ``r`` (B, n) from the expected utilities ``e1`` computed with ``r = 1``.

    ``S_k = sum_j e1[j, k]`` (what the others expect from challenging k; the diagonal is 0),
    ``R = (2 S - max S - min S) / (max S - min S)`` (0 where all S are equal) and
    ``r = (1 - R/3) / (1 + R/3)``.
    """
    return _risk(xp.sum(e1, axis=1), 1, xp)


def classify(own: Any, other: Any, tol: float, xp: Any) -> Any:
    """How row actor i sees its pair with j, as codes (B, n, n) (see ``CLASS_NAMES``).

    ``own[b, i, j]`` is i's expected utility of challenging j and ``other[b, i, j]`` i's
    estimate of j's expected utility of challenging i (both with i's risk exponent).
    """
    ch, ch_o = own > tol, other > tol
    code = xp.zeros(own.shape, dtype=xp.int8, device=getattr(own, "device", None))

    def put(mask: Any, value: int) -> Any:
        return xp.where(mask, xp.full_like(code, value), code)

    code = put(ch & ch_o, CONFLICT)
    code = put(ch & ~ch_o & (-other < own), COMPROMISE)
    code = put(ch & ~ch_o & (-other >= own), CAPITULATION)
    code = put(~ch & ch_o & (-own < other), CONCEDE)
    return put(~ch & ch_o & (-own >= other), CAPITULATE)


def _better_worse(d: Any, dm: Any, r: Any, xp: Any) -> dict[str, Any]:
    """``U_b`` and ``U_w`` of challenger i (``dm = |x_i - mu|``) with exponent ``r``."""
    return {
        "b": 2.0 - 4.0 * _power(0.5 - 0.25 * (dm + d), r, xp),
        "w": 2.0 - 4.0 * _power(0.5 + 0.25 * (dm + d), r, xp),
    }


def _risk_exponents(
    d: Any, rho_ab: Any, rho_ba: Any, apart: Any, dm: tuple[Any, Any] | None, pairs: _Pairs,
    rules: _Rules, xp: Any,
) -> Any:  # fmt: skip
    """Risk exponents (n, m) from the expected utilities with ``r = 1`` of both directions.

    With ``r = 1``, ``U_s = 2 - 4 max(0.5 - 0.5 d, 0) = 2 min(d, 1)``, ``U_f = -2 d`` and
    ``U_sq = 0``; the securities are computed at half scale (exactly: the exponents only
    depend on ratios of securities).
    """
    half_s = xp.minimum(d, 1.0)
    span = half_s + d
    e_ab = half_s - rho_ab * span
    e_ba = half_s - rho_ba * span
    if dm is not None:  # (1 - Q)(T U_b + (1 - T) U_w) at r = 1, halved
        q, t = rules.q, rules.t
        for e, dm_i in ((e_ab, dm[0]), (e_ba, dm[1])):
            reach = 0.25 * (dm_i + d)
            better = 1.0 - 2.0 * xp.maximum(0.5 - reach, 0.0)
            worse = 1.0 - 2.0 * (0.5 + reach)
            e -= (1.0 - q) * (t * better + (1.0 - t) * worse)
    e_ab *= apart
    e_ba *= apart
    return _risk(pairs.receive_sum(e_ab, e_ba), 0, xp)  # securities: sums over challengers
