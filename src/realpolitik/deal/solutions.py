"""Solution concepts of a bilateral bargaining problem over a discrete outcome space.

Pure functions over arrays with a leading Monte Carlo axis ``S``: ``ua`` and ``ub`` (S, N) are
the two parties' utilities of every package, ``ra`` and ``rb`` (S,) their reserved values. Only
array-API functions of ``xp`` are used (numpy by default). Packages are *individually rational*
(IR) when each party gets at least its reserved value.

- **Pareto frontier**: packages no other package weakly improves for both parties and strictly
  for one. Packages with identical utility pairs share their status.
- **Nash bargaining solution** (Nash 1950, "The bargaining problem", *Econometrica* 18(2):
  155-162): the IR package maximising the product of gains ``(ua - ra)(ub - rb)``, ties broken
  by the larger sum of normalised gains (see :func:`normalised_gains`).
- **Kalai-Smorodinsky solution** (Kalai & Smorodinsky 1975, "Other solutions to Nash's
  bargaining problem", *Econometrica* 43(3): 513-518): the IR package on the line from the
  disagreement point to the ideal point, where each party's ideal is its best IR utility. On a
  discrete set we take the IR package maximising the smaller of the two normalised gains
  ``(u - r) / (ideal - r)`` (the maximin form, equal to the continuous definition wherever the
  line meets a package), ties broken by the larger sum of normalised gains.
- **Maximum welfare** (utilitarian; Raiffa 1982, *The Art and Science of Negotiation*, ch. 10):
  the IR package maximising ``ua + ub``. Utilitarian sums compare the parties' utility scales,
  which the other two concepts do not; read it with that in mind.

Nash and Kalai-Smorodinsky are defined by their axioms on convex sets (lotteries over
packages); here, as in the automated-negotiation literature (e.g. Baarslag et al. 2013, GENIUS
analyses), they are taken over the pure packages of the outcome space. Where no package is IR
the concepts are undefined for that sample: the returned index is 0 and ``defined`` is False.
Remaining ties go to the lowest package index, so results are deterministic. Each concept takes
an optional precomputed IR mask ``ir`` (S, N).

Utilities equal within :data:`TOLERANCE` count as equal.
"""

from __future__ import annotations

from typing import Any

from realpolitik.models.base import namespace

#: Utilities closer than this count as equal (ties, Pareto dominance).
TOLERANCE = 1e-9


def _device(x: Any) -> dict[str, Any]:
    """``{"device": ...}`` for arrays of another backend (numpy needs none)."""
    import numpy as np

    return {} if isinstance(x, np.ndarray) else {"device": x.device}


def _neg_inf(x: Any, xp: Any) -> Any:
    return xp.full_like(x, -float("inf"))


def lexargmax(mask: Any, primary: Any, secondary: Any, xp: Any) -> Any:
    """Per row, the index maximising ``primary`` over ``mask``, ties by ``secondary``, then index.

    Values within :data:`TOLERANCE` of the best tie at both stages, so rounding noise never
    decides. Rows with an empty mask return 0 (callers flag them).
    """
    p = xp.where(mask, primary, _neg_inf(primary, xp))
    best = xp.max(p, axis=1, keepdims=True)
    s = xp.where(mask & (p >= best - TOLERANCE), secondary, _neg_inf(secondary, xp))
    best2 = xp.max(s, axis=1, keepdims=True)
    first = xp.where(s >= best2 - TOLERANCE, xp.ones_like(s), xp.zeros_like(s))
    return xp.argmax(first, axis=1)


def individually_rational(ua: Any, ub: Any, ra: Any, rb: Any) -> Any:
    """(S, N) mask of packages that give each party at least its reserved value."""
    return (ua >= ra[:, None] - TOLERANCE) & (ub >= rb[:, None] - TOLERANCE)


def _shift(x: Any, k: int, fill: Any, xp: Any) -> Any:
    """``x`` moved ``k`` places to the right along axis 1, ``fill`` entering on the left."""
    pad = xp.full_like(x[:, :k], fill)           # same dtype and device as x
    return xp.concat([pad, x[:, : x.shape[1] - k]], axis=1)


def _cummax(x: Any, fill: Any, xp: Any) -> Any:
    """Inclusive running maximum along axis 1 (Hillis-Steele doubling scan)."""
    k = 1
    while k < x.shape[1]:
        x = xp.maximum(x, _shift(x, k, fill, xp))
        k *= 2
    return x


def pareto_mask(ua: Any, ub: Any) -> Any:
    """(S, N) mask of the Pareto-optimal packages.

    Sort packages by ``ua`` descending (ties: ``ub`` descending); a package is dominated exactly
    when some package before it in that order has ``ub`` at least as high and is not an exact
    tie. The running maximum of ``ub`` gives this in O(N log N) per sample.
    """
    xp = namespace(ua, ub)
    qa = xp.round(ua / TOLERANCE)
    qb = xp.round(ub / TOLERANCE)
    n = qa.shape[1]
    order = xp.argsort(-qb, axis=1, stable=True)
    order = xp.take_along_axis(order, xp.argsort(-xp.take_along_axis(qa, order, axis=1),
                                                 axis=1, stable=True), axis=1)
    sa = xp.take_along_axis(qa, order, axis=1)
    sb = xp.take_along_axis(qb, order, axis=1)
    before = _shift(_cummax(sb, -float("inf"), xp), 1, -float("inf"), xp)
    prev_a = _shift(sa, 1, float("nan"), xp)
    prev_b = _shift(sb, 1, float("nan"), xp)
    first = ~((sa == prev_a) & (sb == prev_b))          # first of a run of exact ties
    optimal_first = sb > before
    # every member of a tie run takes the status of the run's first member
    pos = xp.reshape(xp.arange(n, **_device(qa)), (1, n))
    first_pos = _cummax(xp.where(first, pos, xp.zeros_like(pos)), 0, xp)
    status = xp.take_along_axis(optimal_first, first_pos, axis=1)
    inverse = xp.argsort(order, axis=1, stable=True)
    return xp.take_along_axis(status, inverse, axis=1)


def nash_point(ua: Any, ub: Any, ra: Any, rb: Any, ir: Any = None) -> tuple[Any, Any]:
    """Nash bargaining package per sample: (index (S,), defined (S,)).

    The product of gains is taken on gains normalised by each party's ideal gain (a constant
    per sample, so the maximiser is the same), which makes the tolerance and the tie-break (the
    larger sum of normalised gains) invariant to affine rescaling of either utility.
    """
    xp = namespace(ua, ub)
    ir = individually_rational(ua, ub, ra, rb) if ir is None else ir
    na, nb = normalised_gains(ua, ub, ra, rb, ir)
    na = xp.clip(na, 0.0, None)
    nb = xp.clip(nb, 0.0, None)
    idx = lexargmax(ir, na * nb, na + nb, xp)
    return idx, xp.any(ir, axis=1)


def ideal_point(ua: Any, ub: Any, ra: Any, rb: Any, ir: Any = None) -> tuple[Any, Any]:
    """Each party's best utility over the IR packages, (S,) each (the reserved value if none)."""
    xp = namespace(ua, ub)
    ir = individually_rational(ua, ub, ra, rb) if ir is None else ir
    ia = xp.max(xp.where(ir, ua, _neg_inf(ua, xp)), axis=1)
    ib = xp.max(xp.where(ir, ub, _neg_inf(ub, xp)), axis=1)
    any_ir = xp.any(ir, axis=1)
    return xp.where(any_ir, ia, ra), xp.where(any_ir, ib, rb)


def normalised_gains(ua: Any, ub: Any, ra: Any, rb: Any, ir: Any = None) -> tuple[Any, Any]:
    """Gains over the reserved values divided by each party's ideal gain, (S, N) each.

    A party that can gain nothing on any IR package counts as fully satisfied by every package
    (its normalised gain is 1).
    """
    xp = namespace(ua, ub)
    ir = individually_rational(ua, ub, ra, rb) if ir is None else ir
    ia, ib = ideal_point(ua, ub, ra, rb, ir)
    span_a = (ia - ra)[:, None]
    span_b = (ib - rb)[:, None]
    flat_a = span_a <= TOLERANCE
    flat_b = span_b <= TOLERANCE
    na = xp.where(flat_a, xp.ones_like(ua), (ua - ra[:, None]) / xp.where(flat_a, 1.0, span_a))
    nb = xp.where(flat_b, xp.ones_like(ub), (ub - rb[:, None]) / xp.where(flat_b, 1.0, span_b))
    return na, nb


def kalai_smorodinsky_point(ua: Any, ub: Any, ra: Any, rb: Any, ir: Any = None) -> tuple[Any, Any]:
    """Kalai-Smorodinsky package per sample: (index (S,), defined (S,))."""
    xp = namespace(ua, ub)
    ir = individually_rational(ua, ub, ra, rb) if ir is None else ir
    na, nb = normalised_gains(ua, ub, ra, rb, ir)
    idx = lexargmax(ir, xp.minimum(na, nb), na + nb, xp)
    return idx, xp.any(ir, axis=1)


def max_welfare_point(ua: Any, ub: Any, ra: Any, rb: Any, ir: Any = None) -> tuple[Any, Any]:
    """Utilitarian package (max ``ua + ub`` over IR packages): (index (S,), defined (S,))."""
    xp = namespace(ua, ub)
    ir = individually_rational(ua, ub, ra, rb) if ir is None else ir
    ga = ua - ra[:, None]
    gb = ub - rb[:, None]
    idx = lexargmax(ir, ua + ub, xp.minimum(ga, gb), xp)
    return idx, xp.any(ir, axis=1)


def pick(u: Any, index: Any) -> Any:
    """``u[s, index[s]]`` for every sample, shape (S,)."""
    xp = namespace(u)
    return xp.take_along_axis(u, xp.reshape(index, (-1, 1)), axis=1)[:, 0]


def distance_to_package(ua: Any, ub: Any, agreement: Any, target: Any) -> Any:
    """Euclidean distance in the utility plane between two packages per sample, (S,)."""
    xp = namespace(ua, ub)
    da = pick(ua, agreement) - pick(ua, target)
    db = pick(ub, agreement) - pick(ub, target)
    return xp.sqrt(da * da + db * db)


def distance_to_frontier(ua: Any, ub: Any, agreement: Any, pareto: Any) -> Any:
    """Distance in the utility plane from a package to the nearest Pareto-optimal one, (S,)."""
    xp = namespace(ua, ub)
    da = ua - pick(ua, agreement)[:, None]
    db = ub - pick(ub, agreement)[:, None]
    d2 = xp.where(pareto, da * da + db * db, xp.full_like(ua, float("inf")))
    return xp.sqrt(xp.min(d2, axis=1))
