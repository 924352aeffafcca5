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
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

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


@lru_cache(maxsize=64)
def _pair_index(n: int) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """The pairs ``i < j`` as two index tuples, and for every (i, j) its pair (diagonal: last)."""
    iu = tuple(i for i in range(n) for j in range(i + 1, n))
    ju = tuple(j for i in range(n) for j in range(i + 1, n))
    where = {(i, j): k for k, (i, j) in enumerate(zip(iu, ju, strict=True))}
    full = tuple(where.get((min(i, j), max(i, j)), len(iu)) for i in range(n) for j in range(n))
    return iu, ju, full


def win_probability(x: Any, w: Any, xp: Any) -> Any:
    """``P[b, i, j] = sum_k max(v_k(i,j), 0) / sum_k |v_k(i,j)|`` (1/2 where no votes), (B, n, n).

    Uses ``|v_k(i,j)| = w_k min(|x_i - x_j|, |2 x_k - x_i - x_j|)`` (symmetric in i, j, so
    summed once per pair) and ``sum_k v_k(i,j) = L_j - L_i`` with ``L_y = sum_k w_k |x_k - x_y|``,
    so that the positive part is ``(sum |v| + sum v) / 2``: no (B, n, n, n) array is built.
    """
    batch, n = x.shape
    dev = getattr(x, "device", None)
    iu, ju, full = (xp.asarray(list(v), dtype=xp.int64, device=dev) for v in _pair_index(n))
    xi, xj = xp.take(x, iu, axis=1), xp.take(x, ju, axis=1)
    d = xp.abs(xi - xj)
    mid2 = xi + xj
    total = xp.zeros_like(d)
    for k in range(n):  # a loop over voters (n), never over the batch
        total = total + w[:, k : k + 1] * xp.minimum(d, xp.abs(2.0 * x[:, k : k + 1] - mid2))
    total = xp.concat([total, xp.zeros((batch, 1), dtype=x.dtype, device=dev)], axis=1)
    total = xp.reshape(xp.take(total, full, axis=1), (batch, n, n))
    far = xp.sum(w[:, :, None] * xp.abs(x[:, :, None] - x[:, None, :]), axis=1)  # L_y, (B, n)
    net = far[:, None, :] - far[:, :, None]
    has_votes = total > 0
    p = (total + net) / (2.0 * xp.where(has_votes, total, 1.0))
    return xp.where(has_votes, xp.clip(p, 0.0, 1.0), 0.5)


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
    marks pairs at different positions. ``s_j (P U_s + (1-P) U_f) + (1-s_j) U_s`` is computed
    as ``U_s - s_j (1-P)(U_s - U_f)``.
    """
    e = u["s"] - resist * (u["s"] - u["f"]) - q * u["sq"]
    if q < 1.0:
        e = e - (1.0 - q) * (t * u["b"] + (1.0 - t) * u["w"])
    return e * apart


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
    sec = xp.sum(e1, axis=1)
    hi = xp.max(sec, axis=1, keepdims=True)
    lo = xp.min(sec, axis=1, keepdims=True)
    spread = hi - lo
    ok = spread > 0
    big_r = xp.where(ok, (2.0 * sec - hi - lo) / xp.where(ok, spread, 1.0), 0.0)
    return (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)


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
    tol = _tolerance(x, xp)
    w = c * s
    if q < 1.0:  # mu only enters U_b and U_w
        mu = weighted_median(x[:, :, None], w[:, :, None], xp)[0][:, 0]
    else:
        mu = xp.zeros_like(x[:, 0])
    xi, xj = x[:, :, None], x[:, None, :]
    diff = xi - xj
    d = xp.abs(diff)
    dm = xp.abs(x - mu[:, None])[:, :, None]
    apart = xp.astype(d > _tolerance(x, xp), x.dtype)
    p = win_probability(x, w, xp)
    resist = s[:, None, :] * (1.0 - p)
    bw = q < 1.0
    e1 = _combine(utilities(d, dm, None, xp, better_worse=bw), resist, apart, q, t)
    r = risk_exponent(e1, xp)
    u_own = utilities(d, dm, r[:, :, None], xp, better_worse=bw)
    own = _combine(u_own, resist, apart, q, t)
    if bw:
        u_seen = utilities(d, dm, r[:, None, :], xp, better_worse=True)
    else:  # without the median terms, U_s and U_f depend on |x_i - x_j| only: transpose
        u_seen = {key: xp.permute_dims(v, (0, 2, 1)) for key, v in u_own.items()}
    seen = _combine(u_seen, resist, apart, q, t)

    # Receiver j (column) weighs the sender's prospects seen[i, j] against its own own[j, i].
    mine = xp.permute_dims(own, (0, 2, 1))
    offer = (seen > tol) & (seen - mine > tol)
    share = xp.minimum(xp.maximum(-mine, 0.0) / xp.maximum(seen, tol), 1.0)
    frac = xp.where(mine > tol, 1.0, share)
    target = xj + diff * frac
    pick = offer
    for key in (-d * frac, seen) if offer_rule == "nearest" else (seen, -d * frac):
        key = xp.where(pick, key, -xp.inf)
        pick = pick & (key >= xp.max(key, axis=1, keepdims=True) - tol)
    weight = xp.astype(pick, x.dtype)
    count = xp.sum(weight, axis=1)
    moved = count > 0
    new = xp.where(moved, xp.sum(weight * target, axis=1) / xp.where(moved, count, 1.0), x)
    return Round(
        start=x,
        position=new,
        median=mu,
        probability=p,
        risk=r,
        eu_own=own,
        eu_seen_by_target=seen,
        offer=offer,
        target=target,
        accepted=pick,
    )


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
class _Rules:
    """The bargaining settings of one call."""

    q: float
    t: float
    offer_rule: OfferRule
    max_rounds: int
    tol: float


@dataclass(frozen=True)
class _Tracer:
    """Where and how to record the trace of batch element 0 on one issue."""

    records: list[dict[str, Any]]
    issue: str
    names: tuple[str, ...]
    lower: float
    span: float


def _bargain_block(
    x: Any, c: Any, s: Any, rules: _Rules, tracer: _Tracer | None, xp: Any
) -> tuple[Any, Any, Any]:
    """Rounds on one issue for a block of the batch until every element settles.

    Elements that have settled leave the working set (their final positions are kept aside), so
    late rounds only cost what the unsettled elements need. Returns the final unit positions
    (b, n), the round in which each element settled (b,) and whether it settled (b,).
    """
    dev = getattr(x, "device", None)
    idx = xp.arange(x.shape[0], device=dev)
    parts: list[tuple[Any, Any, Any, Any]] = []
    if tracer is not None:
        tracer.records.append(
            _trace_record(
                0, tracer.issue, tracer.names, x, c * s, None, tracer.lower, tracer.span, xp
            )
        )
    for k in range(1, rules.max_rounds + 1):
        res = bargaining_round(x, c, s, q=rules.q, t=rules.t, offer_rule=rules.offer_rule, xp=xp)
        new = res.position
        settled = xp.max(xp.abs(new - x), axis=1) < rules.tol
        if tracer is not None and int(idx[0]) == 0:
            tracer.records.append(
                _trace_record(
                    k, tracer.issue, tracer.names, new, c * s, res, tracer.lower, tracer.span, xp
                )
            )
        x = new
        leave = settled if k < rules.max_rounds else xp.ones_like(settled)
        if bool(xp.any(leave)):
            out = xp.nonzero(leave)[0]
            rounds = xp.full(out.shape, k, dtype=xp.int64, device=dev)
            parts.append(
                (xp.take(idx, out), xp.take(x, out, axis=0), rounds, xp.take(settled, out))
            )
            stay = xp.nonzero(~leave)[0]
            idx, x = xp.take(idx, stay), xp.take(x, stay, axis=0)
            c, s = xp.take(c, stay, axis=0), xp.take(s, stay, axis=0)
            if idx.shape[0] == 0:
                break
    order = xp.argsort(xp.concat([p[0] for p in parts]))
    return (
        xp.take(xp.concat([p[1] for p in parts], axis=0), order, axis=0),
        xp.take(xp.concat([p[2] for p in parts]), order),
        xp.take(xp.concat([p[3] for p in parts]), order),
    )


def _bargain_issue(
    x: Any, c: Any, s: Any, rules: _Rules, tracer: _Tracer | None, block: int, xp: Any
) -> tuple[Any, Any, Any]:
    """:func:`_bargain_block` over consecutive blocks of ``block`` batch elements.

    Elements never interact, so the blocks only bound the working memory (arrays of
    ``block x n x n`` stay in the CPU cache) and the result does not depend on ``block``.
    """
    batch = x.shape[0]
    if batch == 0:
        dev = getattr(x, "device", None)
        return (
            x,
            xp.zeros((0,), dtype=xp.int64, device=dev),
            xp.zeros((0,), dtype=xp.bool, device=dev),
        )
    pieces = [
        _bargain_block(
            x[b0 : b0 + block],
            c[b0 : b0 + block],
            s[b0 : b0 + block],
            rules,
            tracer if b0 == 0 else None,
            xp,
        )
        for b0 in range(0, batch, block)
    ]
    if len(pieces) == 1:
        return pieces[0]
    return tuple(xp.concat([p[i] for p in pieces], axis=0) for i in range(3))  # type: ignore[return-value]


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
    block: int = 512,
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
    the batch elements bargained at once (memory only: results do not depend on it).
    """
    if not isinstance(max_rounds, int) or max_rounds < 1:
        raise ModelError(f"eum: max_rounds must be a positive integer, got {max_rounds!r}")
    if not tol > 0:
        raise ModelError(f"eum: tol must be positive, got {tol!r}")
    for name, value in (("q", q), ("t", t)):
        if not 0.0 <= value <= 1.0:
            raise ModelError(f"eum: {name} is a probability and must lie in [0, 1], got {value!r}")
    if not isinstance(block, int) or block < 1:
        raise ModelError(f"eum: block must be a positive integer, got {block!r}")
    if offer_rule not in ("credible", "nearest"):
        raise ModelError(f"eum: offer_rule must be 'credible' or 'nearest', got {offer_rule!r}")
    xp = inp.xp
    n, d = inp.n_actors, inp.n_issues
    span = inp.upper - inp.lower
    safe_span = xp.where(span > 0, span, xp.ones_like(span))
    unit = (inp.position - inp.lower) / safe_span
    names = inp.actor_ids if len(inp.actor_ids) == n else tuple(f"actor{i}" for i in range(n))
    issues = inp.issue_ids if len(inp.issue_ids) == d else tuple(f"issue{j}" for j in range(d))
    records: list[dict[str, Any]] | None = [] if trace and inp.batch > 0 else None

    rules = _Rules(q=q, t=t, offer_rule=offer_rule, max_rounds=max_rounds, tol=tol)
    finals, rounds, conv = [], [], []
    for j in range(d):  # issues are bargained over independently
        tracer = None
        if records is not None:
            tracer = _Tracer(records, issues[j], names, float(inp.lower[j]), float(safe_span[j]))
        fx, fr, fc = _bargain_issue(
            unit[:, :, j], inp.capability, inp.salience[:, :, j], rules, tracer, block, xp
        )
        finals.append(fx)
        rounds.append(fr)
        conv.append(fc)
    final = inp.lower + xp.stack(finals, axis=2) * safe_span
    rounds_by_issue = xp.stack(rounds, axis=1)
    w = inp.capability[:, :, None] * inp.salience
    med, undefined = weighted_median(final, w, xp)
    total = xp.sum(w, axis=1)
    mean = xp.sum(w * final, axis=1) / xp.where(undefined, xp.ones_like(total), total)
    return BargainingOutcome(
        forecast=xp.where(undefined, inp.status_quo, med),
        final_position=final,
        rounds=xp.max(rounds_by_issue, axis=1),
        extra={
            "converged": xp.all(xp.stack(conv, axis=1), axis=1),
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
    cost="O(n^3 d rounds)",
    supports_trace=True,
    description=(
        "Actors challenge, compromise and capitulate in rounds of expected-utility bargaining; "
        "the forecast is the weighted median of the final positions."
    ),
)
