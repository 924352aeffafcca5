"""The procedural model: the agenda setter's best point in the win-set of the reversion point.

References
----------
* Tsebelis, G. (2002). *Veto Players: How Political Institutions Work*. Princeton University
  Press (the win-set of the status quo, veto players and agenda setters).
* Steunenberg, B. (1994). "Decision making under different institutional arrangements:
  legislation by the European Community." *Journal of Institutional and Theoretical
  Economics* 150(4): 642-669 (the Commission proposes, the Council accepts by its voting rule).
* Crombez, C. (1996). "Legislative procedures in the European Community." *British Journal of
  Political Science* 26(2): 199-228; Crombez, C. (1997). "The co-decision procedure in the
  European Union." *Legislative Studies Quarterly* 22(1): 97-119.
* Thomson, R., Stokman, F. N., Achen, C. H. and König, T. (eds.) (2006). *The European Union
  Decides*. Cambridge University Press (procedural models tested against bargaining models).

The rule
--------
Actors have ideal points (their positions) and prefer points nearer to them; with several
issues decided together the distance is salience-weighted Euclidean,
``D_i(y) = sum_k s_ik (y_k - x_ik)^2`` (on each issue's scale mapped to [0, 1]). A *body*
(a council, a parliament; a veto player is a body of one) accepts ``y`` when the members who
strictly prefer ``y`` to the reversion point ``r`` hold at least its quota of its votes. The
*win-set* is the set of points every required body accepts. The agenda setter proposes its
most preferred point of the win-set, which is adopted; where the win-set is empty (or holds
nothing the setter prefers to ``r``) the outcome is ``r``.

Where the rules come from: :class:`~realpolitik.models.base.DecisionRules` on the input
(a scenario's ``decision`` section, or the DEU procedures). Issues without a rule, and inputs
without rules, are decided by a default rule: one body of every actor with capability as
votes and a simple-majority quota (half of the votes), the strongest actor on the issue
(largest capability x salience) proposing, the status quo as the reversion point; each such
issue is decided alone.

Options: ``setter="rule"`` (the rule's setter; the strongest actor where it names none) or
``"strongest"``; ``amendments=True`` lets the floor amend the proposal (open rule): the
proposal then comes from the capability x salience weighted median of the actors, restricted
to the win-set, instead of the setter (Tsebelis 2002, ch. 2: with amendments the agenda
setter's advantage goes).

How the win-set is searched: along rays from ``r``. On the ray ``r + t u`` member ``i``
prefers the point to ``r`` exactly for ``0 < t < t_i = -2 B_i / A_i`` (``A_i = sum_k s_ik
u_k^2``, ``B_i = sum_k s_ik u_k (r_k - x_ik)``), so each body accepts ``t`` up to the
quota-pivotal ``t_i`` and the win-set on the ray is ``(0, T]`` with ``T`` the smallest over
the bodies (we take the closure: the pivotal member is indifferent at ``T``). The setter's
best ``t`` is its unconstrained optimum clipped to ``[0, T]``. In one dimension the ray
toward the setter's ideal is exact. With several issues the rays point at the setter's ideal,
every actor's ideal and the midpoints between the setter's ideal and each of the others; the
best of those is returned (a search, not a proof of optimality: see docs/models/procedural.md).

``extra``: ``in_winset`` (B, d) bool, whether the setter's proposal changed the reversion
point; ``setter`` (B, d) the proposing actor (-1 for the floor under amendments).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from realpolitik.errors import ModelError
from realpolitik.models.base import BargainingInput, BargainingOutcome, ModelSpec
from realpolitik.models.compromise import weights
from realpolitik.models.median import weighted_median

#: The quota of the default body (all actors, capability as votes).
DEFAULT_QUOTA = 0.5
#: Relative slack of a quota comparison (sums of float votes).
_QUOTA_SLACK = 1e-12


def _asarray(xp: Any, x: Any, like: Any) -> Any:
    """``x`` (numpy) on the backend and device of ``like``."""
    if xp is np:
        return np.asarray(x)
    return xp.asarray(np.asarray(x), device=getattr(like, "device", None))


def _bodies(inp: BargainingInput, xp: Any) -> tuple[list[tuple[Any, Any, list[int]]], Any]:
    """Bodies as (weight (B, n), quota (B,), issues) and each issue's package label (d,)."""
    d = inp.n_issues
    rules = inp.rules
    bodies: list[tuple[Any, Any, list[int]]] = []
    label = np.arange(d) + (0 if rules is None else int(np.max(np.asarray(rules.issue_rule),
                                                                  initial=-1)) + 1)
    undecided = list(range(d))
    if rules is not None:
        issue_rule = np.asarray(rules.issue_rule)
        body_rule = np.asarray(rules.body_rule)
        weight = _asarray(xp, rules.weight, inp.position)
        quota = _asarray(xp, rules.quota, inp.position)
        for k in range(body_rule.shape[0]):
            issues = [j for j in range(d) if issue_rule[j] == body_rule[k]]
            if issues:
                bodies.append((weight[:, k, :], quota[:, k], issues))
        label = np.where(issue_rule >= 0, issue_rule, label)
        undecided = [j for j in range(d) if issue_rule[j] < 0]
    if undecided:
        half = xp.full((inp.batch,), DEFAULT_QUOTA, dtype=inp.position.dtype)
        for j in undecided:
            bodies.append((inp.capability, half, [j]))
    return bodies, label


def _packages(label: Any) -> list[list[int]]:
    """Issues decided together (same label), in order of their first issue."""
    out: dict[int, list[int]] = {}
    for j, lab in enumerate(np.asarray(label).tolist()):
        out.setdefault(int(lab), []).append(j)
    return list(out.values())


def _pivot_t(t: Any, w: Any, quota: Any, xp: Any) -> Any:
    """Largest ray length a body accepts: t (B, n, m), votes w (B, n), quota (B,) -> (B, m)."""
    order = xp.argsort(-t, axis=1)
    ts = xp.take_along_axis(t, order, axis=1)
    wb = xp.broadcast_to(w[:, :, None], t.shape)
    ws = xp.take_along_axis(wb, order, axis=1)
    cum = xp.cumulative_sum(ws, axis=1)
    total = xp.sum(w, axis=1)
    need = (quota * total * (1 - _QUOTA_SLACK))[:, None, None]
    reach = (cum >= need) & (ws > 0)
    n = t.shape[1]
    idx = xp.reshape(xp.arange(n), (1, n, 1))
    first = xp.min(xp.where(reach, idx, n), axis=1, keepdims=True)
    got = xp.take_along_axis(ts, xp.clip(first, 0, n - 1), axis=1)[:, 0, :]
    inf = xp.full(got.shape, float("inf"), dtype=t.dtype)
    free = quota <= 0  # not required: accepts anything
    return xp.where(free[:, None], inf, xp.where(first[:, 0, :] < n, got, xp.zeros_like(got)))


def _targets(x: Any, chooser: Any, xp: Any) -> Any:
    """Ray targets (B, m, p): the chooser's ideal, every ideal, the midpoints (one issue: chooser)."""
    if x.shape[2] == 1:
        return chooser[:, None, :]
    mids = (x + chooser[:, None, :]) / 2
    return xp.concat([chooser[:, None, :], x, mids], axis=1)


def _on_rays(x: Any, s: Any, r: Any, bodies: list[tuple[Any, Any]], chooser: Any,
             chooser_s: Any, xp: Any) -> tuple[Any, Any]:
    """Best points on rays from ``r``: points (B, m, p) and the chooser's gains (B, m)."""
    tgt = _targets(x, chooser, xp)                          # (B, m, p)
    u = tgt - r[:, None, :]                                 # (B, m, p)
    a = xp.sum(s[:, :, None, :] * (u[:, None, :, :] ** 2), axis=3)                 # (B, n, m)
    b = xp.sum(s[:, :, None, :] * u[:, None, :, :] * (r[:, None, None, :] - x[:, :, None, :]),
               axis=3)
    pos = a > 0
    ti = xp.where(pos & (b < 0), -2 * b / xp.where(pos, a, xp.ones_like(a)), xp.zeros_like(a))
    limit = xp.full((ti.shape[0], ti.shape[2]), float("inf"), dtype=x.dtype)   # (B, m)
    for w, q in bodies:
        limit = xp.minimum(limit, _pivot_t(ti, w, q, xp))
    a_s = xp.sum(chooser_s[:, None, :] * u ** 2, axis=2)    # (B, m)
    b_s = xp.sum(chooser_s[:, None, :] * u * (r[:, None, :] - chooser[:, None, :]), axis=2)
    ok = a_s > 0
    t_best = xp.where(ok, -b_s / xp.where(ok, a_s, xp.ones_like(a_s)), xp.zeros_like(a_s))
    t_best = xp.minimum(xp.clip(t_best, 0.0, None), limit)
    gain = -(t_best ** 2 * a_s + 2 * t_best * b_s)
    return r[:, None, :] + t_best[:, :, None] * u, gain


def _on_segments(x: Any, s: Any, r: Any, bodies: list[tuple[Any, Any]], chooser: Any,
                 chooser_s: Any, xp: Any, tgt: Any) -> tuple[Any, Any]:
    """Best points on segments from the chooser's ideal toward ``tgt`` (B, m, p).

    On ``c + lam (y - c)`` member ``i`` prefers the point to ``r`` on an interval of ``lam``
    (a quadratic inequality); a body accepts ``lam`` where the members whose interval holds it
    reach the quota; the chooser's loss grows with ``lam``, so the smallest accepted ``lam`` in
    [0, 1] (0 or an interval's lower end) is the chooser's best point of the segment.
    """
    u = tgt - chooser[:, None, :]
    c0 = chooser[:, None, None, :] - x[:, :, None, :]       # (B, n, 1, p)
    a = xp.sum(s[:, :, None, :] * u[:, None, :, :] ** 2, axis=3)                  # (B, n, m)
    b = xp.sum(s[:, :, None, :] * u[:, None, :, :] * c0, axis=3)
    d_r = xp.sum(s * (r[:, None, :] - x) ** 2, axis=2)[:, :, None]               # (B, n, 1)
    c = xp.sum(s[:, :, None, :] * c0 ** 2, axis=3) - d_r
    disc = b * b - a * c
    pos = (a > 0) & (disc > 0)
    root = xp.sqrt(xp.where(pos, disc, xp.zeros_like(disc)))
    safe_a = xp.where(pos, a, xp.ones_like(a))
    inf = xp.full(a.shape, float("inf"), dtype=x.dtype)
    flat_in = (a <= 0) & (c < 0)                             # indifferent to lam, prefers
    lo = xp.where(pos, (-b - root) / safe_a, xp.where(flat_in, -inf, inf))
    hi = xp.where(pos, (-b + root) / safe_a, xp.where(flat_in, inf, -inf))
    cand = xp.concat([xp.zeros_like(lo[:, :1, :]), xp.clip(lo, 0.0, None)], axis=1)  # (B, n+1, m)
    inside = (lo[:, :, None, :] <= cand[:, None, :, :]) & (cand[:, None, :, :] <= hi[:, :, None, :])
    accepted = (cand <= 1.0)
    for w, q in bodies:
        votes = xp.sum(xp.where(inside, w[:, :, None, None], 0.0), axis=1)       # (B, n+1, m)
        need = (q * xp.sum(w, axis=1) * (1 - _QUOTA_SLACK))[:, None, None]
        accepted = accepted & ((votes >= need) & (votes > 0) | (q <= 0)[:, None, None])
    lam = xp.min(xp.where(accepted, cand, xp.full(cand.shape, 2.0, dtype=x.dtype)), axis=1)
    found = lam <= 1.0                                        # (B, m)
    lam = xp.where(found, lam, xp.zeros_like(lam))
    point = chooser[:, None, :] + lam[:, :, None] * u
    loss_here = xp.sum(chooser_s[:, None, :] * (point - chooser[:, None, :]) ** 2, axis=2)
    loss_r = xp.sum(chooser_s * (r - chooser) ** 2, axis=1)[:, None]
    gain = xp.where(found, loss_r - loss_here, xp.full(lam.shape, -1.0, dtype=x.dtype))
    return point, gain


def _decide(x: Any, s: Any, r: Any, bodies: list[tuple[Any, Any]], chooser: Any,
            chooser_s: Any, xp: Any) -> tuple[Any, Any]:
    """Outcome (B, p) of one package and whether it differs from ``r`` (B,)."""
    point, gain = _on_rays(x, s, r, bodies, chooser, chooser_s, xp)
    if x.shape[2] > 1:
        # toward every ideal and r, one target at a time (memory O(B n^2), not O(B n^3))
        targets = xp.concat([x, r[:, None, :]], axis=1)
        points, gains = [point], [gain]
        for k in range(targets.shape[1]):
            p2, g2 = _on_segments(x, s, r, bodies, chooser, chooser_s, xp,
                                  targets[:, k:k + 1, :])
            points.append(p2)
            gains.append(g2)
        point, gain = xp.concat(points, axis=1), xp.concat(gains, axis=1)
    best = xp.argmax(gain, axis=1)                           # (B,)
    g = xp.take_along_axis(gain, best[:, None], axis=1)[:, 0]
    pick = xp.broadcast_to(best[:, None, None], (point.shape[0], 1, point.shape[2]))
    chosen = xp.take_along_axis(point, pick, axis=1)[:, 0, :]
    moved = g > 1e-15
    return xp.where(moved[:, None], chosen, r), moved


def _setter_index(inp: BargainingInput, issues: list[int], setter: str, xp: Any) -> Any:
    """The proposing actor of a package (B,): the rule's, else the strongest on its issues."""
    w = xp.sum(weights(inp)[:, :, issues], axis=2)          # (B, n)
    strongest = xp.argmax(w, axis=1)
    if setter == "strongest" or inp.rules is None:
        return strongest
    named = _asarray(xp, np.asarray(inp.rules.setter)[:, issues[0]], inp.position)
    named = xp.astype(named, strongest.dtype)
    return xp.where(named >= 0, named, strongest)


def procedural(inp: BargainingInput, *, seed: int | None = None, setter: str = "rule",
               amendments: bool = False) -> BargainingOutcome:
    """The setter's (or, with amendments, the floor's) best point of the win-set; see the module."""
    if setter not in ("rule", "strongest"):
        raise ModelError(f"procedural: setter must be 'rule' or 'strongest', got {setter!r}")
    xp = inp.xp
    x, sq = inp.normalised()
    if inp.rules is not None and inp.rules.reversion is not None:
        rev = _asarray(xp, inp.rules.reversion, inp.position)
        r_all = (rev - inp.lower) / (inp.upper - inp.lower)
    else:
        r_all = sq
    s = inp.salience
    bodies, label = _bodies(inp, xp)
    out_parts: dict[int, Any] = {}
    moved_parts: dict[int, Any] = {}
    setters: dict[int, Any] = {}
    for issues in _packages(label):
        sel = xp.asarray(issues) if xp is np else _asarray(xp, np.asarray(issues), inp.position)
        xs, ss, r = xp.take(x, sel, axis=2), xp.take(s, sel, axis=2), xp.take(r_all, sel, axis=1)
        mine = [(w, q) for w, q, iss in bodies if iss[0] in issues]
        if amendments:
            w = xp.take(weights(inp), sel, axis=2)
            chooser, _ = weighted_median(xs, w, xp)
            total = xp.sum(inp.capability, axis=1, keepdims=True)
            safe = xp.where(total > 0, total, xp.ones_like(total))
            chooser_s = xp.sum(inp.capability[:, :, None] * ss, axis=1) / safe
            who = xp.full((inp.batch,), -1, dtype=xp.int64)
        else:
            who = _setter_index(inp, issues, setter, xp)
            pick = xp.broadcast_to(who[:, None, None], (inp.batch, 1, len(issues)))
            chooser = xp.take_along_axis(xs, pick, axis=1)[:, 0, :]
            chooser_s = xp.take_along_axis(ss, pick, axis=1)[:, 0, :]
        res, moved = _decide(xs, ss, r, mine, chooser, chooser_s, xp)
        for c, j in enumerate(issues):
            out_parts[j], moved_parts[j], setters[j] = res[:, c], moved, who
    unit = xp.stack([out_parts[j] for j in range(inp.n_issues)], axis=1)
    forecast = inp.denormalise(unit)
    return BargainingOutcome(forecast=forecast, extra={
        "in_winset": xp.stack([moved_parts[j] for j in range(inp.n_issues)], axis=1),
        "setter": xp.stack([setters[j] for j in range(inp.n_issues)], axis=1),
    })


SPEC = ModelSpec(
    name="procedural",
    title="Procedural model (agenda setter and win-set)",
    fn=procedural,
    reference=(
        "Tsebelis (2002), Veto Players; Steunenberg (1994), JITE 150(4):642-669; Crombez (1996), "
        "BJPolS 26(2):199-228; Crombez (1997), LSQ 22(1):97-119; Thomson et al. (eds.) (2006), "
        "The European Union Decides"
    ),
    cost="O(n log n) per issue and body; O(n^3 d) for issues decided together",
    description=(
        "The agenda setter's most preferred point among those every required body prefers to "
        "the reversion point (the status quo when none)."
    ),
)
