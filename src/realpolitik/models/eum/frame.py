"""The sorted frame of the expected utility model's rounds, and its index tables.

A round works on the actors of m games at once, each game's actors sorted by position, with
arrays laid out actor-first and game-last: (n, m) per actor, (P, m) per pair a < b of sorted
actors (P = n (n - 1) / 2) and, for details and ties, (n, n, m) per ordered pair [sender,
receiver]. Sums over actors are then sums over leading rows, which numpy does fastest, and
every game's arithmetic is the same whatever else is in the batch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np


def _tolerance(x: Any, xp: Any) -> float:
    """Decision tolerance: sqrt of the machine epsilon of ``x``'s dtype."""
    return math.sqrt(float(xp.finfo(x.dtype).eps))


#: Up to this many actors the voters between two actors are counted by direct comparison
#: (n^3 / 6 cheap comparisons); beyond it by a binary search (n^2 log n gathers). Same counts.
_DIRECT_COUNT = 32


@lru_cache(maxsize=64)
def _pair_tables(
    n: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, ...], tuple[tuple[int, np.ndarray], ...]]:
    """Index tables of the pairs a < b of ``n`` sorted actors (see :class:`_Pairs`).

    Pairs are ordered by gap ``b - a`` (then by a), so the pairs with ``b - a > j`` are a
    suffix of the pairs: ``between`` lists, for ``j = 1 .. n - 2``, that suffix's start and
    the voter ``a + j`` of each of its pairs.
    """
    a = np.array([i for g in range(1, n) for i in range(n - g)], dtype=np.int64)
    b = np.array([i + g for g in range(1, n) for i in range(n - g)], dtype=np.int64)
    count = a.size
    pair = np.full((n, n), 2 * count, dtype=np.int64)  # the diagonal reads the fill row
    pair[a, b] = np.arange(count)  # sender a, receiver b: the "up" rows
    pair[b, a] = count + np.arange(count)  # sender b, receiver a: the "down" rows
    levels = max(1, math.ceil(math.log2(n)))  # c - a - 1 lies in [0, n - 1)
    steps = tuple(2**k for k in range(levels - 1, -1, -1))
    between = []
    if n <= _DIRECT_COUNT:
        for j in range(1, n - 1):
            start = int(np.argmax(b - a > j))
            between.append((start, a[start:] + j))
    return a, b, pair.reshape(-1), steps, tuple(between)


@lru_cache(maxsize=64)
def _gap_blocks(n: int) -> tuple[tuple[int, int, int], ...]:
    """``(g, start, stop)``: the pairs with gap ``b - a = g`` are the rows start .. stop - 1."""
    starts = np.cumsum([0] + [n - g for g in range(1, n)])
    return tuple((g, int(starts[g - 1]), int(starts[g])) for g in range(1, n))


@dataclass(frozen=True)
class _Pairs:
    """Index tables of the pairs a < b of ``n`` actors sorted by position, on one device.

    ``a``, ``b`` (P,), in the order of :func:`_pair_tables`; ``dense`` (n * n,): for
    [sender, receiver], the row of ``concat([up, down, fill])`` holding it (up: a -> b,
    down: b -> a); ``steps`` or ``between``: how :func:`_probability_sorted` counts the voters
    below a midpoint. ``at(m)`` caches flat indices for a batch of ``m``.
    """

    n: int
    a: Any
    b: Any
    dense: Any
    steps: tuple[int, ...]
    between: tuple[tuple[int, Any], ...]
    xp: Any
    device: Any
    _flat: dict[int, tuple[Any, Any, Any]] = field(default_factory=dict, compare=False)

    @classmethod
    def build(cls, n: int, xp: Any, device: Any) -> _Pairs:
        a, b, dense, steps, between = _pair_tables(n)
        conv = (xp.asarray(v, device=device) for v in (a, b, dense))
        bet = tuple((start, xp.asarray(rows, device=device)) for start, rows in between)
        return cls(n, *conv, steps, bet, xp, device)

    def at(self, m: int) -> tuple[Any, Any, Any]:
        """Flat indices ``a m + col`` and ``b m + col`` (P, m) and ``col`` (m,) of (n, m) arrays."""
        if m not in self._flat:
            xp = self.xp
            col = xp.arange(m, dtype=xp.int64, device=self.device)
            self._flat.clear()  # one batch width at a time (the working set shrinks at the end)
            self._flat[m] = (self.a[:, None] * m + col, self.b[:, None] * m + col, col)
        return self._flat[m]

    def receive_sum(self, up: Any, down: Any) -> Any:
        """(n, m): each actor's sum of ``up`` over its pairs as b and ``down`` as a.

        ``up`` (P, m) belongs to the receiver b of a -> b, ``down`` to the receiver a of b -> a;
        the terms are added in a fixed order, whatever the batch.
        """
        xp, n = self.xp, self.n
        out = xp.zeros((n, up.shape[1]), dtype=up.dtype, device=self.device)
        for g, lo, hi in _gap_blocks(n):
            out[g:, :] += up[lo:hi, :]
            out[: n - g, :] += down[lo:hi, :]
        return out

    def receive_max(self, up: Any, down: Any) -> Any:
        """(n, m): like :meth:`receive_sum` with the maximum (-inf for an actor of no pair)."""
        xp, n = self.xp, self.n
        out = xp.full((n, up.shape[1]), -xp.inf, dtype=up.dtype, device=self.device)
        for g, lo, hi in _gap_blocks(n):
            out[g:, :] = xp.maximum(out[g:, :], up[lo:hi, :])
            out[: n - g, :] = xp.maximum(out[: n - g, :], down[lo:hi, :])
        return out

    def to_dense(self, up: Any, down: Any, fill: float) -> Any:
        """(n, n, m) [sender, receiver] from the (P, m) values of a -> b and of b -> a."""
        xp = self.xp
        m = up.shape[1]
        pad = xp.full((1, m), fill, dtype=up.dtype, device=self.device)
        full = xp.take(xp.concat([up, down, pad], axis=0), self.dense, axis=0)
        return xp.reshape(full, (self.n, self.n, m))


def _flat_take(v: Any, at: Any, xp: Any) -> Any:
    """``v`` (r, m) read at the flat indices ``at`` (P, m)."""
    return xp.reshape(xp.take(xp.reshape(v, (-1,)), xp.reshape(at, (-1,))), at.shape)


def _sort_state(state: tuple[Any, ...], xp: Any) -> tuple[Any, ...]:
    """Reorder the actor axis of ``(y, s, w, idx)`` so that positions ascend (stable)."""
    y = state[0]
    if y.shape[0] < 2 or bool(xp.all(y[1:, :] >= y[:-1, :])):
        return state
    m = y.shape[1]
    flat = xp.argsort(y, axis=0, stable=True)
    flat *= m
    flat += xp.arange(m, dtype=flat.dtype, device=getattr(y, "device", None))
    return tuple(_flat_take(v, flat, xp) for v in state)


def _sorted_input(x: Any, s: Any, w: Any, xp: Any) -> tuple[Any, ...]:
    """``(y, s, w, idx)`` (n, m) in the sorted frame from batch-first ``x``, ``s``, ``w`` (m, n)."""
    m, n = x.shape
    idx = xp.zeros((n, m), dtype=xp.int64, device=getattr(x, "device", None))
    idx += xp.reshape(xp.arange(n, dtype=xp.int64, device=getattr(x, "device", None)), (n, 1))
    return _sort_state((*(xp.permute_dims(v, (1, 0)) for v in (x, s, w)), idx), xp)


def _unsort(y: Any, idx: Any, xp: Any) -> Any:
    """(n, m) values in the sorted frame (``idx``: original actor of each row) -> (m, n)."""
    return xp.permute_dims(xp.take_along_axis(y, xp.argsort(idx, axis=0), axis=0), (1, 0))


def _unsort_pairwise(idx: Any, xp: Any) -> Any:
    """A function mapping (n, n, m) arrays of the sorted frame to (m, n, n) in actor order."""
    n, m = idx.shape
    rank = xp.permute_dims(xp.argsort(idx, axis=0), (1, 0))  # (m, n): row of actor i
    col = xp.reshape(xp.arange(m, dtype=xp.int64, device=getattr(idx, "device", None)), (m, 1, 1))
    flat = xp.reshape((rank[:, :, None] * n + rank[:, None, :]) * m + col, (-1,))

    def pairwise(v: Any) -> Any:
        return xp.reshape(xp.take(xp.reshape(v, (-1,)), flat), (m, n, n))

    return pairwise
