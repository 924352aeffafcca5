"""Votes and the probability that one position prevails over another (:func:`win_probability`)."""

from __future__ import annotations

from typing import Any

from realpolitik.models.eum.frame import _flat_take, _Pairs, _sorted_input, _unsort_pairwise


def votes(x: Any, w: Any, xp: Any) -> Any:
    """All votes ``v[b, k, i, j] = w_k (|x_k - x_j| - |x_k - x_i|)``: k's support for i over j.

    ``x`` and ``w`` have shape (B, n). The (B, n, n, n) result is for small examples and
    checks; :func:`win_probability` sums the same votes without building it.
    """
    xk = x[:, :, None, None]
    return w[:, :, None, None] * (
        xp.abs(xk - x[:, None, None, :]) - xp.abs(xk - x[:, None, :, None])
    )


def _probability_sorted(
    y: Any, w: Any, pairs: _Pairs, xp: Any, *, together: float | None = None
) -> tuple[Any, Any, Any, Any]:
    """``P_ab`` (P, m) for the pairs a < b of sorted positions ``y`` (n, m), weights ``w``.

    With ``y_a <= y_b``, voter k prefers a when ``2 y_k < y_a + y_b``, so
    ``sum_k max(v_k(a, b), 0) = d W_{k <= a} + sum_{a < k < c} w_k (y_a + y_b - 2 y_k)`` where
    ``c`` counts the voters with ``2 y_k <= y_a + y_b`` (a binary search between a and b), and
    likewise for the votes against b; with prefix sums of ``w`` and ``w y`` that is
    O(n^2 log n), not O(n^3). Returns ``P_ab``, ``d = y_b - y_a``, ``y_a`` and ``y_b``.
    ``P_ab`` is 1/2 where nobody has a vote to give; with ``together`` given, pairs within
    ``together`` of each other get an arbitrary value in [0, 1] (for callers that ignore them).
    """
    n, m = y.shape
    a_at, b_at, _ = pairs.at(m)
    ya = xp.take(y, pairs.a, axis=0)
    yb = xp.take(y, pairs.b, axis=0)
    d = yb - ya
    mid2 = ya + yb
    cw = xp.cumulative_sum(w, axis=0, include_initial=True)  # (n + 1, m): weight of k < row
    cm = xp.cumulative_sum(w * y, axis=0, include_initial=True)
    if pairs.between:  # count the voters a < k < b with 2 y_k <= y_a + y_b directly
        twice = 2.0 * y
        count = xp.zeros(d.shape, dtype=xp.int64, device=pairs.device)
        for start, rows in pairs.between:
            ok = xp.take(twice, rows, axis=0) <= mid2[start:, :]
            count[start:, :] += xp.astype(ok, xp.int64)
        count *= m
        count += a_at + m  # flat index of row c = a + 1 + count
        at = count
    else:  # binary search for c, from c = a + 1 (every k <= a counts)
        pad = xp.full((2 ** len(pairs.steps), m), xp.inf, dtype=y.dtype, device=pairs.device)
        table = xp.concat([2.0 * y, pad], axis=0)
        g = a_at  # flat index of row c - 1
        for step in pairs.steps:
            ok = _flat_take(table, g + step * m, xp) <= mid2
            g = g + xp.astype(ok, xp.int64) * (step * m)
        at = xp.minimum(g + m, b_at)  # row c, at most b (positions tied with y_b add nothing)
    below = _flat_take(cw, at, xp)
    below *= mid2
    below -= 2.0 * _flat_take(cm, at, xp)  # sum_{k < c} w_k (y_a + y_b - 2 y_k)
    low = 2.0 * (cm[1:, :] - y * cw[1:, :])  # 2 sum_{k <= a} w_k (y_k - y_a)
    high = 2.0 * (cm[:-1, :] - y * cw[:-1, :])  # 2 sum_{k < b} w_k (y_k - y_b)
    pos = xp.take(low, pairs.a, axis=0)
    pos += below
    pos = xp.maximum(pos, 0.0)  # votes for a
    neg = xp.take(high, pairs.b, axis=0)
    neg += below
    neg += cw[n:, :] * d
    tot = xp.maximum(neg, 0.0)  # votes for b
    tot += pos
    if together is None:  # exactly 1/2 without votes (at one position, round-off aside)
        empty = (tot <= 0.0) | (d <= 0.0)
        return xp.where(empty, 0.5, pos / xp.where(empty, 1.0, tot)), d, ya, yb
    empty = tot <= 0.0  # nobody has a vote to give
    tot += xp.astype(empty, y.dtype)
    empty &= d > together
    if bool(xp.any(empty)):
        pos += 0.5 * xp.astype(empty, y.dtype)
    pos /= tot
    return pos, d, ya, yb


def win_probability(x: Any, w: Any, xp: Any) -> Any:
    """``P[b, i, j] = sum_k max(v_k(i,j), 0) / sum_k |v_k(i,j)|`` (1/2 where no votes), (B, n, n).

    Computed on the actors sorted by position with prefix sums (see
    :func:`_probability_sorted`): no (B, n, n, n) array is built.
    """
    y, _, w_s, idx = _sorted_input(x, w, w, xp)
    pairs = _Pairs.build(x.shape[1], xp, getattr(x, "device", None))
    p = _probability_sorted(y, w_s, pairs, xp)[0]
    return _unsort_pairwise(idx, xp)(pairs.to_dense(p, 1.0 - p, 0.5))
