"""Bueno de Mesquita's expected utility model of group decisions (the "EUM").

References
----------
* Bueno de Mesquita, B. (1994). "Political forecasting: an expected utility method." In Bueno de
  Mesquita and Stokman (eds.), *European Community Decision Making*, Yale University Press, ch. 4.
* Bueno de Mesquita, B. (2002). *Predicting Politics*. Ohio State University Press.
* Scholz, J. B., Calbert, G. J. and Smith, G. A. (2011). "Unravelling Bueno De Mesquita's group
  decision model." *Journal of Theoretical Politics* 23(4): 510-531 (the explicit statement of the
  model followed here; "SCS" below).

Each issue is bargained over on its own (a one-dimensional model). Positions are first mapped to
[0, 1] by the issue's scale, so every result is invariant to an affine change of the scale. In
each round, with ``w_k = c_k s_k``:

* votes ``v_k(i, j) = w_k (|x_k - x_j| - |x_k - x_i|)`` (k's support for i over j);
* probability that i prevails over j, ``P_ij = sum_k max(v_k(i,j), 0) / sum_k |v_k(i,j)|``
  (all k, including i and j; 1/2 where nobody has a vote to give);
* ``mu`` = the capability x salience weighted median (the position that beats every other in
  pairwise votes), computed as in :mod:`realpolitik.models.median`;
* utilities with i's risk exponent ``r_i`` and ``d_ij = |x_i - x_j|``::

      U_s  = 2 - 4 (0.5 - 0.5 d_ij) ** r_i           U_f = 2 - 4 (0.5 + 0.5 d_ij) ** r_i
      U_b  = 2 - 4 (0.5 - 0.25 (|x_i - mu| + d_ij)) ** r_i
      U_w  = 2 - 4 (0.5 + 0.25 (|x_i - mu| + d_ij)) ** r_i
      U_sq = 2 - 4 (0.5) ** r_i

* i's expected utility of challenging j::

      E_ij = s_j (P_ij U_s + (1 - P_ij) U_f) + (1 - s_j) U_s - Q U_sq - (1 - Q)(T U_b + (1 - T) U_w)

* risk: with every ``r = 1``, the security of k's position is ``S_k = sum_{j != k} E_jk``;
  ``R_i = (2 S_i - max S - min S) / (max S - min S)`` and ``r_i = (1 - R_i/3) / (1 + R_i/3)``
  (so ``r`` lies in [1/2, 2]); the expected utilities are then recomputed with these ``r``.

Perspectives: every actor judges a pair with its *own* risk exponent, for its own expected
utility and for its estimate of the other's (SCS, following BDM; ``E^i_ij`` and ``E^i_ji``).
i challenges j when ``E^i_ij > 0``. Seen from i, the pair is a *conflict* when both expect to
gain from challenging, a *compromise* when only i does and ``|E^i_ji| < E^i_ij``, a
*capitulation* when only i does and ``|E^i_ji| >= E^i_ij``, and a *stalemate* when neither does;
j may see the same pair differently. Seen from the receiver j, i's challenge is an *offer* j
must heed when ``E^j_ij > 0`` and ``E^j_ij > E^j_ji`` (j loses the conflict, or must compromise
or capitulate). The offer asks j to move to ``x_i``, or, in a compromise
(``0 <= -E^j_ji < E^j_ij``), to ``x_j + (x_i - x_j) |E^j_ji / E^j_ij|``. Each actor accepts at
most one offer per round: the one that needs the smallest change of its position (SCS; BDM
2002), ties going to the most credible sender (largest ``E^j_ij``); ``offer_rule="credible"``
swaps the two keys. All accepted offers take effect at once and the next round starts.
A batch element has settled on an issue when no actor moves by ``tol`` (a fraction of the
issue's range) or more in a round; ``max_rounds`` bounds the rounds.

Choices where the literature is ambiguous (see ``docs/models/eum.md``):

* ``Q`` (the chance that, unchallenged, j's position stays put) is 1 as in SCS; BDM's other
  applications use 0.5. ``T`` (the chance that such an unforced change helps i) defaults to 1.
  Both are parameters (``q``, ``t``). With ``Q = 1`` neither ``T`` nor ``mu`` affects the play.
* The numerator of ``P_ij`` counts only positive votes (SCS's reading of BDM 1994), so
  ``P_ij + P_ji = 1``; the votes are linear in distance (no risk exponent).
* Nobody challenges an actor at its own position: ``E_ij = 0`` where ``|x_i - x_j|`` is within
  ``sqrt(machine epsilon)`` of the range, so that round-off never separates actors that stand
  together (with ``Q < 1`` the formula does not vanish as ``x_j -> x_i``).
* The risk exponents compare the security of every actor's current position with the others'
  (SCS), computed afresh each round with ``r = 1``.
* The forecast is the weighted median (BDM's predicted outcome) of the final positions; the
  weighted mean is also returned in ``extra["mean"]``. Where every weight of an issue is zero the
  status quo is returned and flagged in ``extra["undefined"]`` (as in the median model).
* Decisions compare expected utilities with a tolerance of ``sqrt(machine epsilon)``, so that
  round-off never decides a challenge or a tie; offers tied on both keys (they come from actors
  at one position) are averaged.

Computation (none of it changes the model; the numbers agree with a direct evaluation of the
formulas up to floating-point rounding): every (batch element, issue) is one game; a working
set of games is bargained at once and settled games are replaced by waiting ones. In a round
the actors of each game are sorted by position, so that ``P_ij`` follows from prefix sums of
``w`` and ``w x`` and a count of the voters below each pair's midpoint (O(n^2 log n) per round
instead of O(n^3)). With ``Q = 1``, ``E_ij - E_ji = (resist_ji - resist_ij)(U_s - U_f)`` with
j's exponent, so j can only heed i's challenge when ``resist_ji > resist_ij``: one direction
per pair is evaluated (two powers per pair instead of four).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import numpy as np

from realpolitik.errors import ModelError
from realpolitik.models.base import BargainingInput, BargainingOutcome, ModelSpec
from realpolitik.models.median import weighted_median

OfferRule = Literal["credible", "nearest"]

#: Codes of :func:`classify`, seen from the row actor i of the pair (i, j).
STALEMATE, CONFLICT, COMPROMISE, CAPITULATION = 0, 1, 2, 3
#: j challenges and i gives in part (``-COMPROMISE``) or fully (``-CAPITULATION``).
CONCEDE, CAPITULATE = -2, -3
CLASS_NAMES = {
    STALEMATE: "stalemate",
    CONFLICT: "conflict",
    COMPROMISE: "compromise",
    CAPITULATION: "capitulation",
    CONCEDE: "compromise (yields)",
    CAPITULATE: "capitulation (yields)",
}

#: Working-set target of the default ``block``: pairs x batch elements bargained at once.
_PAIR_BUDGET = 2**17


def _tolerance(x: Any, xp: Any) -> float:
    """Decision tolerance: sqrt of the machine epsilon of ``x``'s dtype."""
    return math.sqrt(float(xp.finfo(x.dtype).eps))


def votes(x: Any, w: Any, xp: Any) -> Any:
    """All votes ``v[b, k, i, j] = w_k (|x_k - x_j| - |x_k - x_i|)``: k's support for i over j.

    ``x`` and ``w`` have shape (B, n). The (B, n, n, n) result is for small examples and
    checks; :func:`win_probability` sums the same votes without building it.
    """
    xk = x[:, :, None, None]
    return w[:, :, None, None] * (
        xp.abs(xk - x[:, None, None, :]) - xp.abs(xk - x[:, None, :, None])
    )


# ---------------------------------------------------------------------------------------------
# The sorted frame. A round works on the actors of m games at once, each game's actors sorted
# by position, with arrays laid out actor-first and game-last: (n, m) per actor, (P, m) per pair
# a < b of sorted actors (P = n (n - 1) / 2) and, for details and ties, (n, n, m) per ordered
# pair [sender, receiver]. Sums over actors are then sums over leading rows, which numpy does
# fastest, and every game's arithmetic is the same whatever else is in the batch.
# ---------------------------------------------------------------------------------------------
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


@dataclass(frozen=True)
class _Rules:
    """The bargaining settings of one call."""

    q: float
    t: float
    offer_rule: OfferRule
    max_rounds: int
    tol: float


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


def _better_worse(d: Any, dm: Any, r: Any, xp: Any) -> dict[str, Any]:
    """``U_b`` and ``U_w`` of challenger i (``dm = |x_i - mu|``) with exponent ``r``."""
    return {
        "b": 2.0 - 4.0 * _power(0.5 - 0.25 * (dm + d), r, xp),
        "w": 2.0 - 4.0 * _power(0.5 + 0.25 * (dm + d), r, xp),
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


def _sorted_input(x: Any, s: Any, w: Any, xp: Any) -> tuple[Any, ...]:
    """``(y, s, w, idx)`` (n, m) in the sorted frame from batch-first ``x``, ``s``, ``w`` (m, n)."""
    m, n = x.shape
    idx = xp.zeros((n, m), dtype=xp.int64, device=getattr(x, "device", None))
    idx += xp.reshape(xp.arange(n, dtype=xp.int64, device=getattr(x, "device", None)), (n, 1))
    return _sort_state((*(xp.permute_dims(v, (1, 0)) for v in (x, s, w)), idx), xp)


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


def win_probability(x: Any, w: Any, xp: Any) -> Any:
    """``P[b, i, j] = sum_k max(v_k(i,j), 0) / sum_k |v_k(i,j)|`` (1/2 where no votes), (B, n, n).

    Computed on the actors sorted by position with prefix sums (see
    :func:`_probability_sorted`): no (B, n, n, n) array is built.
    """
    y, _, w_s, idx = _sorted_input(x, w, w, xp)
    pairs = _Pairs.build(x.shape[1], xp, getattr(x, "device", None))
    p = _probability_sorted(y, w_s, pairs, xp)[0]
    return _unsort_pairwise(idx, xp)(pairs.to_dense(p, 1.0 - p, 0.5))


def _fmt(value: float, span: float) -> str:
    """A value on the scale, to about a thousandth of the scale's span."""
    digits = max(0, 3 - math.floor(math.log10(span))) if span > 0 else 3
    return f"{value:.{digits}f}"


def _trace_record(
    k: int,
    issue: str,
    names: tuple[str, ...],
    x: Any,
    w: Any,
    res: Round | None,
    lower: float,
    span: float,
    xp: Any,
) -> dict[str, Any]:
    """The trace record of batch element 0 (row 0 of ``x``, ``w``, ``res``) after round ``k``.

    ``x`` (>=1, n) holds the unit positions after the round; ``res`` is None for round 0.
    """
    n = len(names)

    def scale(v: Any) -> float:
        return lower + span * float(v)

    events: list[str] = []
    if res is not None:
        code = res.classification(xp)
        for i in range(n):
            for j in range(n):
                kind = int(code[0, i, j])
                if kind in (CONFLICT, COMPROMISE, CAPITULATION):
                    events.append(f"{names[i]} challenges {names[j]} ({CLASS_NAMES[kind]})")
        for j in range(n):
            senders = [names[i] for i in range(n) if bool(res.accepted[0, i, j])]
            if senders:
                old, new = scale(res.start[0, j]), scale(x[0, j])
                events.append(
                    f"{names[j]} accepts offer from {' and '.join(senders)}: "
                    f"{_fmt(old, span)} -> {_fmt(new, span)}"
                )
    med, undefined = weighted_median(x[:1, :, None], w[:1, :, None], xp)
    return {
        "round": k,
        "issue": issue,
        "positions": {names[i]: scale(x[0, i]) for i in range(n)},
        "median": None if bool(undefined[0, 0]) else scale(med[0, 0]),
        "events": events,
    }


@dataclass(frozen=True)
class _Tracer:
    """Where and how to record the trace of batch element 0 on one issue."""

    records: list[dict[str, Any]]
    issue: str
    names: tuple[str, ...]
    lower: float
    span: float


def _trace_issue(
    x: Any, s: Any, w: Any, rules: _Rules, tracer: _Tracer, pairs: _Pairs, xp: Any
) -> None:
    """Replay batch element 0 (``x``, ``s``, ``w`` of shape (1, n)) with every detail recorded.

    The rounds are exactly those of :func:`_bargain` for that element (same sorted frame, same
    arithmetic for the offers that count), so the trace ends where ``final_position`` does.
    """

    def record(k: int, pos: Any, res: Round | None) -> None:
        tracer.records.append(
            _trace_record(k, tracer.issue, tracer.names, pos, w, res, tracer.lower, tracer.span, xp)
        )

    record(0, x, None)
    step = _stepper(rules)
    y, s_s, w_s, idx = _sorted_input(x, s, w, xp)
    for k in range(1, rules.max_rounds + 1):
        new = step(y, s_s, w_s, pairs, rules, xp)  # the positions of the run itself
        info = _round_sorted(y, s_s, w_s, pairs, rules, xp, details=True)[1]
        assert info is not None
        res = _to_round(y, new, idx, info, xp)
        record(k, res.position, res)
        if bool(xp.max(xp.abs(new - y)) < rules.tol):
            break
        y, s_s, w_s, idx = _sort_state((new, s_s, w_s, idx), xp)


def _stepper(rules: _Rules) -> Any:
    """The round function of a run: :func:`_round_fast` for ``Q = 1``, else the full round."""
    if rules.q == 1.0:
        return _round_fast

    def full(y: Any, s: Any, w: Any, pairs: _Pairs, rules: _Rules, xp: Any) -> Any:
        return _round_sorted(y, s, w, pairs, rules, xp)[0]

    return full


def _bargain(x: Any, s: Any, w: Any, rules: _Rules, block: int, xp: Any) -> tuple[Any, Any, Any]:
    """Rounds until every element settles; ``x``, ``s``, ``w`` (N, n) unit positions etc.

    A working set of at most ``block`` elements is bargained at once; elements that settle
    leave it (their final positions are kept aside) and waiting elements take their places,
    so every round works on a full set. Elements never interact, so neither the set's size
    nor its make-up changes any number. Returns the final unit positions (N, n), the round in
    which each element settled (N,) and whether it settled (N,).
    """
    total, n = x.shape
    dev = getattr(x, "device", None)
    pairs = _Pairs.build(n, xp, dev)
    empty = xp.zeros((n, 0), dtype=x.dtype, device=dev)
    state: tuple[Any, ...] = (empty, empty, empty, xp.zeros((n, 0), dtype=xp.int64, device=dev))
    ids = xp.zeros((0,), dtype=xp.int64, device=dev)
    age = xp.zeros((0,), dtype=xp.int64, device=dev)
    parts: list[tuple[Any, Any, Any, Any, Any]] = []
    step = _stepper(rules)
    loaded = 0
    while True:
        room = block - int(ids.shape[0])
        if room > 0 and loaded < total:
            stop = min(total, loaded + room)
            fresh = _sorted_input(x[loaded:stop], s[loaded:stop], w[loaded:stop], xp)
            state = tuple(xp.concat([a, b], axis=1) for a, b in zip(state, fresh, strict=True))
            ids = xp.concat([ids, xp.arange(loaded, stop, dtype=xp.int64, device=dev)])
            age = xp.concat([age, xp.zeros((stop - loaded,), dtype=xp.int64, device=dev)])
            loaded = stop
        if ids.shape[0] == 0:
            break
        y, s_s, w_s, idx = state
        new = step(y, s_s, w_s, pairs, rules, xp)
        age = age + 1
        settled = xp.max(xp.abs(new - y), axis=0) < rules.tol
        leave = settled | (age >= rules.max_rounds)
        state = (new, s_s, w_s, idx)
        if bool(xp.any(leave)):
            out = xp.nonzero(leave)[0]
            parts.append(
                (
                    xp.take(ids, out),
                    xp.take(new, out, axis=1),
                    xp.take(idx, out, axis=1),
                    xp.take(age, out),
                    xp.take(settled, out),
                )
            )
            stay = xp.nonzero(~leave)[0]
            state = tuple(xp.take(v, stay, axis=1) for v in state)
            ids, age = xp.take(ids, stay), xp.take(age, stay)
        state = _sort_state(state, xp)
    if not parts:
        return (
            x,
            xp.zeros((0,), dtype=xp.int64, device=dev),
            xp.zeros((0,), dtype=xp.bool, device=dev),
        )
    order = xp.argsort(xp.concat([p[0] for p in parts]))
    final = _unsort(
        xp.concat([p[1] for p in parts], axis=1), xp.concat([p[2] for p in parts], axis=1), xp
    )
    return (
        xp.take(final, order, axis=0),
        xp.take(xp.concat([p[3] for p in parts]), order),
        xp.take(xp.concat([p[4] for p in parts]), order),
    )


def default_block(n_actors: int) -> int:
    """Games bargained at once by default: about 2^17 pairs x games (at least 1 game).

    Large enough that numpy's per-call overhead (which holds the GIL: Monte Carlo threads wait
    on it) is small against the arithmetic, small enough to keep the working set in cache.
    """
    return max(1, _PAIR_BUDGET // max(1, n_actors * (n_actors - 1) // 2))


def eum(
    inp: BargainingInput,
    *,
    seed: int | None = None,
    trace: bool = False,
    max_rounds: int = 100,
    tol: float = 5e-3,
    q: float = 1.0,
    t: float = 1.0,
    offer_rule: OfferRule = "nearest",
    block: int | None = None,
) -> BargainingOutcome:
    """Bueno de Mesquita's expected utility model, issue by issue (see the module docstring).

    ``tol`` is on the unit scale (a fraction of the issue's range). ``seed`` is accepted for the
    common signature; the model is deterministic. Returns the weighted median of the final
    positions as ``forecast`` (B, d), ``final_position`` (B, n, d), ``rounds`` (B,) (rounds played
    on the slowest issue, counting the round in which nothing moved), and in ``extra``:
    ``converged`` (B,) (every issue settled within ``max_rounds``), ``rounds_by_issue`` (B, d),
    ``mean`` (B, d) (weighted mean of the final positions) and ``undefined`` (B, d).
    With ``trace=True``, ``trace`` lists, for batch element 0, issue by issue, one record per
    round from round 0 (the opening positions)::

        {"round": k, "issue": issue_id, "positions": {actor_id: position on the scale},
         "median": weighted median on the scale (None if undefined),
         "events": ["usa challenges pmf (conflict)", ...,
                    "kh accepts offer from iran: 80.0 -> 74.2", ...]}

    Challenges carry the kind as the challenger sees it (conflict, compromise, capitulation).
    ``q``, ``t`` and ``offer_rule`` are the choices of the module docstring; ``block`` bounds
    the (element, issue) pairs bargained at once (default :func:`default_block`; memory and
    speed only: results do not depend on it).
    """
    if not isinstance(max_rounds, int) or max_rounds < 1:
        raise ModelError(f"eum: max_rounds must be a positive integer, got {max_rounds!r}")
    if not tol > 0:
        raise ModelError(f"eum: tol must be positive, got {tol!r}")
    for name, value in (("q", q), ("t", t)):
        if not 0.0 <= value <= 1.0:
            raise ModelError(f"eum: {name} is a probability and must lie in [0, 1], got {value!r}")
    if block is not None and (not isinstance(block, int) or block < 1):
        raise ModelError(f"eum: block must be a positive integer, got {block!r}")
    if offer_rule not in ("credible", "nearest"):
        raise ModelError(f"eum: offer_rule must be 'credible' or 'nearest', got {offer_rule!r}")
    xp = inp.xp
    n, d, batch = inp.n_actors, inp.n_issues, inp.batch
    span = inp.upper - inp.lower
    safe_span = xp.where(span > 0, span, xp.ones_like(span))
    unit = (inp.position - inp.lower) / safe_span
    names = inp.actor_ids if len(inp.actor_ids) == n else tuple(f"actor{i}" for i in range(n))
    issues = inp.issue_ids if len(inp.issue_ids) == d else tuple(f"issue{j}" for j in range(d))
    rules = _Rules(q=q, t=t, offer_rule=offer_rule, max_rounds=max_rounds, tol=tol)

    # Issues are bargained over independently: every (element, issue) is one bargaining game.
    x = xp.concat([unit[:, :, j] for j in range(d)], axis=0)
    s = xp.concat([inp.salience[:, :, j] for j in range(d)], axis=0)
    w = xp.concat([inp.capability * inp.salience[:, :, j] for j in range(d)], axis=0)
    fx, fr, fc = _bargain(x, s, w, rules, block or default_block(n), xp)
    final = (
        inp.lower
        + xp.stack([fx[j * batch : (j + 1) * batch] for j in range(d)], axis=2) * safe_span
    )
    rounds_by_issue = xp.permute_dims(xp.reshape(fr, (d, batch)), (1, 0))
    converged = xp.all(xp.reshape(fc, (d, batch)), axis=0)

    records: list[dict[str, Any]] | None = None
    if trace and batch > 0:
        records = []
        pairs = _Pairs.build(n, xp, getattr(x, "device", None))
        for j in range(d):
            tracer = _Tracer(records, issues[j], names, float(inp.lower[j]), float(safe_span[j]))
            row = slice(j * batch, j * batch + 1)
            _trace_issue(x[row], s[row], w[row], rules, tracer, pairs, xp)

    wt = inp.capability[:, :, None] * inp.salience
    med, undefined = weighted_median(final, wt, xp)
    total = xp.sum(wt, axis=1)
    mean = xp.sum(wt * final, axis=1) / xp.where(undefined, xp.ones_like(total), total)
    return BargainingOutcome(
        forecast=xp.where(undefined, inp.status_quo, med),
        final_position=final,
        rounds=xp.max(rounds_by_issue, axis=1),
        extra={
            "converged": converged,
            "rounds_by_issue": rounds_by_issue,
            "mean": xp.where(undefined, inp.status_quo, mean),
            "undefined": undefined,
        },
        trace=records,
    )


SPEC = ModelSpec(
    name="eum",
    title="Expected utility model (Bueno de Mesquita)",
    fn=eum,
    reference=(
        "Bueno de Mesquita (1994), European Community Decision Making, ch. 4; Bueno de Mesquita "
        "(2002), Predicting Politics; Scholz, Calbert and Smith (2011), J. Theoretical Politics "
        "23(4):510-531"
    ),
    iterative=True,
    cost="O(n^2 log n d rounds)",
    supports_trace=True,
    description=(
        "Actors challenge, compromise and capitulate in rounds of expected-utility bargaining; "
        "the forecast is the weighted median of the final positions."
    ),
)
