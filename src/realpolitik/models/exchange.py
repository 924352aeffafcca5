"""The exchange model: actors trade voting positions across issues they care about unequally.

References
----------
* Stokman, F. N. and Van Oosten, R. (1994). "The exchange of voting positions: an
  object-oriented model of policy networks." In Bueno de Mesquita and Stokman (eds.),
  *European Community Decision Making*, Yale University Press, ch. 5.
* Stokman, F. N. and Van den Bos, J. M. M. (1992). "A two-stage model of policy making: with
  an empirical test in the U.S. energy policy domain." In Moore and Whitt (eds.), *The
  Political Consequences of Social Networks*, Research in Politics and Society 4, JAI Press.
* Thomson, R., Stokman, F. N., Achen, C. H. and König, T. (eds.) (2006). *The European Union
  Decides*. Cambridge University Press (the exchange model tested on EU decisions).

The rule
--------
On each issue ``k`` the expected outcome is the capability x salience weighted mean of the
voting positions, ``O_k = sum_i c_i s_ik x_ik / W_k`` with ``W_k = sum_i c_i s_ik`` (positions on
each issue's scale mapped to [0, 1]). An actor's loss on an issue is its salience times the
distance of the outcome from its position. Actors ``i`` and ``j`` can exchange on issues
``k`` and ``l`` when they stand on opposite sides of the outcome on both, and ``i`` cares
relatively more about ``k`` (``s_ik s_jl > s_il s_jk``): ``j`` shifts its voting position on
``k`` toward the outcome (and so toward ``i``), moving ``O_k`` by ``u`` toward ``i``; ``i``
shifts on ``l``, moving ``O_l`` by ``v`` toward ``j``. ``i`` gains ``s_ik u - s_il v`` and ``j``
gains ``s_jl v - s_jk u``. As in the paper, the exchange rate gives both the same gain:
``v = u (s_ik + s_jk) / (s_il + s_jl)``; the size is the largest at which neither shifts past
the outcome (a shift to the outcome is the most an actor gives). Every possible exchange is
valued on the opening positions and carried out in order of gain, largest first; an exchange
that involves a position (an actor on an issue) already used by an earlier one is dropped.
The forecast is the weighted mean of the changed voting positions.

With one issue, or where no pair gains, the forecast equals the compromise model's. Where every
weight of an issue is zero the status quo is returned (``extra["undefined"]``).

``final_position`` (B, n, d) holds the voting positions after the exchanges, on the issues'
scales; ``extra["exchanges"]`` (B,) the number of exchanges carried out.
"""

from __future__ import annotations

from typing import Any

from realpolitik.models.base import BargainingInput, BargainingOutcome, ModelSpec
from realpolitik.models.compromise import weights

#: Gains at or below this (in salience x share of the scale) are no exchange.
_MIN_GAIN = 1e-12


def _outcome(w: Any, x: Any, xp: Any) -> tuple[Any, Any, Any]:
    """Weighted mean (B, d), total weight (B, d) and the undefined mask (B, d)."""
    total = xp.sum(w, axis=1)
    undefined = total <= 0
    safe = xp.where(undefined, xp.ones_like(total), total)
    return xp.sum(w * x, axis=1) / safe, safe, undefined


def _gains(x: Any, s: Any, w: Any, o: Any, total: Any, xp: Any) -> tuple[Any, Any, Any]:
    """Gain, ``u`` and ``v`` of exchange (i, j, k, l), each (B, n, n, d, d) (0 where impossible)."""
    side = xp.sign(x - o[:, None, :])                                       # (B, n, d)
    opposite = (side[:, :, None, :] * side[:, None, :, :]) < 0              # (B, n, n, d)
    feasible = opposite[:, :, :, :, None] & opposite[:, :, :, None, :]      # k and l
    s_ik = s[:, :, None, :, None]
    s_il = s[:, :, None, None, :]
    s_jk = s[:, None, :, :, None]
    s_jl = s[:, None, :, None, :]
    keen = s_ik * s_jl > s_il * s_jk
    dist = xp.abs(x - o[:, None, :])                                        # (B, n, d)
    room = w * dist / total[:, None, :]              # how far an actor's shift can move O
    u_max = room[:, None, :, :, None]                                       # j shifts on k
    v_max = room[:, :, None, None, :]                                       # i shifts on l
    den = s_il + s_jl
    rate = (s_ik + s_jk) / xp.where(den > 0, den, xp.ones_like(den))
    safe_rate = xp.where(rate > 0, rate, xp.ones_like(rate))
    u = xp.minimum(u_max, v_max / safe_rate)
    v = rate * u
    gain = s_ik * u - s_il * v
    n, d = x.shape[1], x.shape[2]
    i_idx = xp.reshape(xp.arange(n), (1, n, 1, 1, 1))
    j_idx = xp.reshape(xp.arange(n), (1, 1, n, 1, 1))
    k_idx = xp.reshape(xp.arange(d), (1, 1, 1, d, 1))
    l_idx = xp.reshape(xp.arange(d), (1, 1, 1, 1, d))
    ok = feasible & keen & (den > 0) & (rate > 0) & (i_idx < j_idx) & (k_idx != l_idx)
    zero = xp.zeros_like(gain)
    return xp.where(ok & (gain > _MIN_GAIN), gain, zero), xp.where(ok, u, zero), xp.where(ok, v, zero)


def _unravel(flat: Any, n: int, d: int) -> tuple[Any, Any, Any, Any]:
    """(i, j, k, l) of flat indices into (n, n, d, d)."""
    l_ = flat % d
    k = (flat // d) % d
    j = (flat // (d * d)) % n
    i = flat // (d * d * n)
    return i, j, k, l_


def _one_hot(index: Any, size: int, xp: Any) -> Any:
    """(B,) int -> (B, size) bool."""
    return xp.reshape(index, (-1, 1)) == xp.reshape(xp.arange(size), (1, size))


def exchange(inp: BargainingInput, *, seed: int | None = None) -> BargainingOutcome:
    """Stokman and Van Oosten's exchange of voting positions, then the weighted mean (see module)."""
    xp = inp.xp
    x, _ = inp.normalised()
    s = inp.salience
    w = weights(inp)
    o, total, undefined = _outcome(w, x, xp)
    gain, u, v = _gains(x, s, w, o, total, xp)
    b, n, d = x.shape
    flat_gain = xp.reshape(gain, (b, -1))
    flat_u, flat_v = xp.reshape(u, (b, -1)), xp.reshape(v, (b, -1))
    used = xp.zeros((b, n, d), dtype=xp.bool)
    shift = xp.zeros_like(x)                                        # change of O per (actor, issue)
    count = xp.zeros((b,), dtype=xp.int64)
    for _ in range((n * d) // 4 + 1):
        best = xp.argmax(flat_gain, axis=1)
        g = xp.take_along_axis(flat_gain, best[:, None], axis=1)[:, 0]
        go = g > 0
        if not bool(xp.any(go)):
            break
        i, j, k, l_ = _unravel(best, n, d)
        du = xp.take_along_axis(flat_u, best[:, None], axis=1)[:, 0]
        dv = xp.take_along_axis(flat_v, best[:, None], axis=1)[:, 0]
        ai, aj = _one_hot(i, n, xp), _one_hot(j, n, xp)             # (B, n)
        ik, il = _one_hot(k, d, xp), _one_hot(l_, d, xp)            # (B, d)
        # j moves O_k toward i by du; i moves O_l toward j by dv (signed by who stands where)
        side_i = xp.sign(xp.sum(xp.where(ai[:, :, None], x, 0.0), axis=1) - o)    # (B, d)
        side_j = xp.sign(xp.sum(xp.where(aj[:, :, None], x, 0.0), axis=1) - o)
        gate = xp.where(go, 1.0, 0.0)[:, None, None]
        shift = shift + gate * (aj[:, :, None] & ik[:, None, :]) * (side_i * du[:, None])[:, None, :]
        shift = shift + gate * (ai[:, :, None] & il[:, None, :]) * (side_j * dv[:, None])[:, None, :]
        count = count + xp.astype(go, count.dtype)
        pair = (ai | aj)[:, :, None] & (ik | il)[:, None, :] & go[:, None, None]
        used = used | pair
        busy = xp.reshape(
            used[:, :, None, :, None] | used[:, :, None, None, :]
            | used[:, None, :, :, None] | used[:, None, :, None, :], (b, -1))
        flat_gain = xp.where(busy, xp.zeros_like(flat_gain), flat_gain)
    # each actor's shift of O becomes a shift of its voting position (weight w, total W)
    safe_w = xp.where(w > 0, w, xp.ones_like(w))
    voting = x + xp.where(w > 0, shift * total[:, None, :] / safe_w, xp.zeros_like(x))
    unit = o + xp.sum(shift, axis=1)
    forecast = xp.where(undefined, inp.status_quo, inp.denormalise(unit))
    return BargainingOutcome(
        forecast=forecast, final_position=inp.denormalise(voting),
        extra={"undefined": undefined, "exchanges": count},
    )


SPEC = ModelSpec(
    name="exchange",
    title="Exchange model (Stokman and Van Oosten)",
    fn=exchange,
    reference=(
        "Stokman and Van Oosten (1994), in European Community Decision Making, ch. 5; Stokman "
        "and Van den Bos (1992), Research in Politics and Society 4; Thomson et al. (eds.) "
        "(2006), The European Union Decides"
    ),
    iterative=False,
    cost="O(n^2 d^2) per exchange",
    description=(
        "Pairs of actors trade voting positions across issues they weigh unequally, in order "
        "of gain; then the capability x salience weighted mean of the changed positions."
    ),
)
