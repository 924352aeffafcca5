"""The generalised (asymmetric) Nash bargaining solution of the collective decision.

References
----------
* Nash, J. F. (1950). "The bargaining problem." *Econometrica* 18(2): 155-162 (the solution
  maximises the product of the players' utility gains over the disagreement point).
* Kalai, E. (1977). "Nonsymmetric Nash solutions and replications of 2-person bargaining."
  *International Journal of Game Theory* 6(3): 129-133 (unequal bargaining power: the product of
  gains, each raised to the player's power).
* Achen, C. H. (2006). "Institutional realism and bargaining models." In Thomson, Stokman,
  Achen and König (eds.), *The European Union Decides*, Cambridge University Press, ch. 4 (the
  asymmetric NBS applied to EU legislation; the compromise model as its approximation when
  disagreement is costly).
* Schneider, G., Finke, D. and Bailer, S. (2010). "Bargaining power in the European Union: an
  evaluation of competing game-theoretic models." *Political Studies* 58(1): 85-103 (NBS variants
  with salience and capability as bargaining power, tested on EU legislation).

The model
---------
Positions and the status quo are first mapped to [0, 1] by each issue's scale, so the result is
invariant to an affine change of any scale. Actor i's utility of an outcome ``x`` (all issues
jointly) is the salience-weighted quadratic loss

    u_i(x) = - sum_j s_ij (x_j - x_ij)^2,

concave, as in Achen (2006). The disagreement point is the status quo ``q``: if there is no
agreement, the status quo stands. Bargaining power is ``w_i = c_i * mean_j s_ij`` (capability
times salience; on one issue exactly ``c_i s_i``), normalised to sum to one. The forecast is

    x* = argmax_x  sum_i w_i log(u_i(x) - u_i(q))

over outcomes ``x`` in the issue box that leave every bargaining actor at least as well off as
the status quo (the individually rational set), as in Nash (1950).

Who bargains. In a collective decision an actor who cannot gain from any outcome (its ideal
point equals the status quo on every issue it cares about, or its weight ``c_i * s_i`` is zero)
has nothing to bargain for; its log-gain would be minus infinity everywhere but at ``q``, which
would freeze every issue. Such actors get no weight and no veto. Every other actor takes part
and, through the individually rational constraint, can block outcomes worse for it than the
status quo. The rational set may be the status quo alone (for example on one issue when actors
stand on both sides of it): then the status quo is the forecast (``extra["gridlock"]``). Where
nobody can gain the status quo is returned and flagged in ``extra["undefined"]``. On an issue no
bargaining actor cares about (zero salience for all of them) the status quo stands.

With the status quo far from all actors the gains are nearly proportional to the negative
squared distance and the solution approaches the weighted mean with weights ``w_i`` (Achen's
observation that the compromise model approximates the NBS when disagreement is costly).

Solution method
---------------
The Nash product is log-concave, so the problem is a concave maximisation over a convex set,
solved for the whole batch at once in two phases.

1. *Is there room to bargain?* Every gain is zero at the status quo, with gradient
   ``2 a_i``, ``a_i = S_i (x_i - q)``. The rational set has an interior exactly when some
   direction ``v`` has ``a_i . v > 0`` for every bargaining actor, i.e. when the origin lies
   outside the convex hull of the normalised ``a_i`` (Gordan's theorem). Pairwise Frank-Wolfe
   steps, started at the ``a_i`` most aligned with their mean (independent of the actors'
   order), move towards the point of that hull nearest the origin; an iterate with a positive
   margin certifies a direction, and the start is half way along it to the first actor's
   boundary. A hull reaching within 1e-9 of the origin, or no certificate after
   ``direction_steps`` steps, means no room: the status quo is the forecast (gridlock). On one
   issue this is the familiar rule: there is room exactly when every bargaining actor stands on
   the same side of the status quo.
2. *Bargain.* Damped Newton steps on ``sum_i w_i log g_i(x) - delta |x - q|^2`` (``g_i`` the
   gain), which is its own barrier for the rational set: first with equal weights (the optimum,
   the analytic centre of the set, lies well inside it, so the weighted solve that follows does
   not crawl along the boundary of a weak actor), then with the actors' weights. Each step goes
   at most 99 % of the way to the set's boundary (found in closed form, since each gain is
   quadratic along the step) and takes the best of a few halvings (scored by their improvement
   in ``log1p`` form, which stays exact near the optimum), so the objective never decreases
   and every iterate stays inside. Steps run in rounds of 20; batch elements whose
   last move was below 1e-13 drop out. ``delta = 1e-12`` makes the Hessian regular on issues no
   bargaining actor cares about, and a relative ridge of 1e-10 keeps the system well
   conditioned.

The golden tests check the result against closed forms and against scipy's constrained
optimiser.
"""

from __future__ import annotations

from typing import Any

from realpolitik.models.base import BargainingInput, BargainingOutcome, ModelSpec

#: An actor whose best attainable gain (unit scale, salience-weighted squared distance between
#: its ideal point and the status quo) is at most this is treated as standing at the status quo.
GAIN_TOL = 1e-12
#: Tiny pull towards the status quo on issues nobody bargaining cares about.
DELTA = 1e-12
#: Outcomes closer than this (unit scale) to the status quo count as the status quo.
AT_SQ_TOL = 1e-7
#: Relative ridge added to the Newton system (times its largest diagonal entry).
RIDGE = 1e-10
#: Step-length halvings tried per Newton step (plus not moving at all).
HALVINGS = 4
#: Newton steps per round; after each round converged batch elements drop out.
NEWTON_ROUND = 20
#: A batch element has converged when its last Newton move is below this (unit scale).
CONVERGED = 1e-13
#: Frank-Wolfe steps per round when looking for room to bargain.
DIRECTION_ROUND = 10
#: The convex hull of the normalised gain gradients passing this close to the origin is gridlock.
HULL_TOL = 1e-9
#: Larger than any inner product of two unit vectors (masks inactive actors in minima).
_BIG = 3.0


def bargaining_power(inp: BargainingInput) -> Any:
    """Capability x mean salience over issues, shape (B, n) (not normalised)."""
    xp = inp.xp
    return inp.capability * xp.mean(inp.salience, axis=2)


def nash(
    inp: BargainingInput,
    *,
    seed: int | None = None,
    max_newton_steps: int = 400,
    direction_steps: int = 20000,
) -> BargainingOutcome:
    """Asymmetric Nash bargaining solution over all issues jointly, status quo as disagreement.

    At most ``direction_steps`` Frank-Wolfe steps look for room to bargain; damped Newton steps
    then run in rounds of 20 on the batch elements that have not yet converged (a move below
    1e-13 of the scale width), at most ``max_newton_steps`` per solve. ``extra`` holds
    ``power`` (B, n, the normalised weights, zero for actors who cannot gain), ``gain`` (B, n,
    each actor's utility gain over the status quo at the solution, on the unit scale),
    ``gridlock`` (B,, some actor could gain but the status quo is the only individually
    rational outcome), ``undefined`` (B, d, nobody can gain: the status quo is returned) and
    ``converged`` (B,).
    """
    xp = inp.xp
    pos, sq = inp.normalised()
    sal = inp.salience

    # The most each actor can gain (at its own ideal point) decides who bargains.
    toward = pos - sq[:, None, :]
    potential = xp.sum(sal * toward**2, axis=2)
    power = bargaining_power(inp)
    active = (potential > GAIN_TOL) & (power > 0)
    w = xp.where(active, power, xp.zeros_like(power))
    total = xp.sum(w, axis=1, keepdims=True)
    w = w / xp.where(total > 0, total, xp.ones_like(total))

    # Phase 1: a direction into the rational set and a start inside it. Along q + t v each
    # gain is 2 t a.v - t^2 v'Sv, positive up to t = 2 a.v / v'Sv.
    a = sal * toward
    v, room = _inward_direction(xp, a, active, direction_steps)
    av = xp.sum(a * v[:, None, :], axis=2)
    vsv = xp.sum(sal * v[:, None, :] ** 2, axis=2)
    usable = active & (vsv > 0)
    cross = xp.where(usable, 2.0 * av / xp.where(usable, vsv, xp.ones_like(vsv)), xp.inf)
    tau = 0.5 * xp.min(cross, axis=1, keepdims=True)
    tau = xp.where(room[:, None] & (tau < xp.inf), tau, xp.zeros_like(tau))
    x = sq + tau * v
    bargain = active & room[:, None]

    # Phase 2: damped Newton, first on the unweighted product (its optimum, the analytic
    # centre of the rational set, lies well inside it), then on the weighted one from there.
    count = xp.sum(xp.astype(bargain, w.dtype), axis=1, keepdims=True)
    centre_w = xp.astype(bargain, w.dtype) / xp.where(count > 0, count, xp.ones_like(count))
    x, _ = _newton_rounds(xp, x, room, sq, pos, sal, potential, centre_w, bargain, max_newton_steps)
    x, live = _newton_rounds(xp, x, room, sq, pos, sal, potential, w, bargain, max_newton_steps)
    x = xp.clip(x, 0.0, 1.0)

    dx = x[:, None, :] - pos
    g = potential - xp.sum(sal * dx**2, axis=2)
    anyone = xp.any(active, axis=1)
    return BargainingOutcome(
        forecast=inp.denormalise(x),
        extra={
            "power": w,
            "gain": xp.where(active, g, xp.zeros_like(g)),
            "gridlock": anyone & (xp.max(xp.abs(x - sq), axis=1) < AT_SQ_TOL),
            "undefined": xp.broadcast_to(~anyone[:, None], x.shape),
            "converged": ~live,
        },
    )


def _newton_rounds(
    xp: Any,
    x: Any,
    live: Any,
    sq: Any,
    pos: Any,
    sal: Any,
    potential: Any,
    w: Any,
    bargain: Any,
    max_steps: int,
) -> tuple[Any, Any]:
    """Newton rounds on the ``live`` batch elements until each converges; returns x, unconverged."""
    x = xp.asarray(x, copy=True)
    live = xp.asarray(live, copy=True)
    done = 0
    while done < max_steps and bool(xp.any(live)):
        steps = min(NEWTON_ROUND, max_steps - done)
        x_live, moved = _bargain(
            xp,
            x[live],
            sq[live],
            pos[live],
            sal[live],
            potential[live],
            w[live],
            bargain[live],
            steps,
        )
        x[live] = x_live
        was_live = xp.asarray(live, copy=True)  # torch refuses a mask that aliases its target
        live[was_live] = moved > CONVERGED
        done += steps
    return x, live


def _bargain(
    xp: Any,
    x: Any,
    sq: Any,
    pos: Any,
    sal: Any,
    potential: Any,
    w: Any,
    bargain: Any,
    steps: int,
) -> tuple[Any, Any]:
    """``steps`` damped Newton steps on ``sum w log g - delta |x - q|^2``; x and the last move.

    All arrays are for the same batch elements; ``x`` must lie inside the rational set.
    """
    eye = xp.eye(x.shape[1], dtype=x.dtype)
    ones = xp.ones_like(w)
    root_w = xp.sqrt(w)
    moved = xp.zeros(x.shape[0], dtype=x.dtype)
    for _ in range(steps):
        dx = x[:, None, :] - pos
        g = potential - xp.sum(sal * dx**2, axis=2)
        grad_g = -2.0 * sal * dx
        h = xp.where(bargain, g, ones)
        coef = xp.where(bargain, w / h, xp.zeros_like(w))
        grad = xp.sum(coef[:, :, None] * grad_g, axis=1) - 2.0 * DELTA * (x - sq)
        diag = 2.0 * xp.sum(coef[:, :, None] * sal, axis=1) + 2.0 * DELTA
        m = grad_g * (xp.where(bargain, root_w, xp.zeros_like(w)) / h)[:, :, None]
        neg_hess = diag[:, :, None] * eye + xp.matmul(xp.permute_dims(m, (0, 2, 1)), m)
        ridge = RIDGE * xp.max(xp.sum(neg_hess * eye, axis=2), axis=1)
        neg_hess = neg_hess + ridge[:, None, None] * eye
        step = xp.linalg.solve(neg_hess, grad[:, :, None])[:, :, 0]
        move = _step_length(xp, step, x, sq, h, grad_g, sal, w, bargain) * step
        x = x + move
        moved = xp.max(xp.abs(move), axis=1)
    return x, moved


def _pick(xp: Any, arr: Any, index: Any) -> Any:
    """``arr[b, index[b], :]`` for (B, n, d) ``arr`` and (B,) ``index``: shape (B, d)."""
    idx = xp.broadcast_to(index[:, None, None], (arr.shape[0], 1, arr.shape[2]))
    return xp.take_along_axis(arr, idx, axis=1)[:, 0, :]


def _margin(xp: Any, unit: Any, p: Any, active: Any) -> Any:
    """Smallest cosine between ``p`` and the active ``unit`` vectors, (B,); -3 where p = 0."""
    length = xp.sqrt(xp.sum(p * p, axis=1, keepdims=True))
    q = p / xp.where(length > 0, length, xp.ones_like(length))
    dots = xp.where(active, xp.sum(unit * q[:, None, :], axis=2), _BIG)
    return xp.where(length[:, 0] > 0, xp.min(dots, axis=1), -_BIG)


def _inward_direction(xp: Any, a: Any, active: Any, max_steps: int) -> tuple[Any, Any]:
    """A direction ``v`` with ``a_i . v > 0`` for every active actor, and whether one was found.

    Pairwise Frank-Wolfe steps (weight moves from the hull vertex most aligned with the iterate
    to the least aligned one) towards the point of the convex hull of the normalised ``a_i``
    nearest the origin. They run in rounds on the batch elements still undecided: an element is
    decided once an iterate has a positive margin over all active actors (room to bargain) or
    comes within ``1e-9`` of the origin (gridlock). Returns ``v`` (B, d) and ``room`` (B,).
    """
    norm = xp.sqrt(xp.sum(a * a, axis=2, keepdims=True))
    unit = a / xp.where(norm > 0, norm, xp.ones_like(norm))
    # Start at the active vertex most aligned with the mean of the active ones: a choice that
    # does not depend on the actors' order, so neither do the iterates nor the decision (the
    # first active actor, as before, made near-gridlock cases depend on the labelling).
    mean = xp.sum(xp.where(active[:, :, None], unit, xp.zeros_like(unit)), axis=1)
    centrality = xp.where(active, xp.sum(unit * mean[:, None, :], axis=2), -_BIG * unit.shape[1])
    first = xp.argmax(centrality, axis=1)
    ids = xp.arange(unit.shape[1])[None, :]
    lam = xp.astype(ids == first[:, None], unit.dtype)
    p = _pick(xp, unit, first)
    margin = _margin(xp, unit, p, active)
    live = xp.any(active, axis=1) & (margin <= 0)
    done = 0
    while done < max_steps and bool(xp.any(live)):
        steps = min(DIRECTION_ROUND, max_steps - done)
        lam_l, p_l, margin_l = _frank_wolfe(xp, unit[live], active[live], lam[live], p[live], steps)
        lam[live], p[live], margin[live] = lam_l, p_l, margin_l
        length = xp.sqrt(xp.sum(p_l * p_l, axis=1))
        was_live = xp.asarray(live, copy=True)  # torch refuses a mask that aliases its target
        live[was_live] = (margin_l <= 0) & (length > HULL_TOL)
        done += steps
    return p, (margin > 0) & xp.any(active, axis=1)


def _frank_wolfe(
    xp: Any, unit: Any, active: Any, lam: Any, p: Any, steps: int
) -> tuple[Any, Any, Any]:
    """``steps`` pairwise Frank-Wolfe steps; stops moving an element once its margin is positive."""
    ids = xp.arange(unit.shape[1])[None, :]
    margin = _margin(xp, unit, p, active)
    for _ in range(steps):
        dots = xp.sum(unit * p[:, None, :], axis=2)
        toward = xp.argmin(xp.where(active, dots, _BIG), axis=1)
        away = xp.argmax(xp.where(active & (lam > 0), dots, -_BIG), axis=1)
        direction = _pick(xp, unit, toward) - _pick(xp, unit, away)
        dd = xp.sum(direction * direction, axis=1, keepdims=True)
        gamma = -xp.sum(p * direction, axis=1, keepdims=True) / xp.where(
            dd > 0, dd, xp.ones_like(dd)
        )
        cap = xp.take_along_axis(lam, away[:, None], axis=1)
        gamma = xp.clip(gamma, xp.zeros_like(gamma), cap)
        gamma = xp.where((margin > 0)[:, None], xp.zeros_like(gamma), gamma)
        lam = lam + gamma * (
            xp.astype(ids == toward[:, None], lam.dtype)
            - xp.astype(ids == away[:, None], lam.dtype)
        )
        p = p + gamma * direction
        margin = _margin(xp, unit, p, active)
    return lam, p, margin


def _largest_step(xp: Any, h: Any, b: Any, c: Any, active: Any) -> Any:
    """Largest ``t >= 0`` with ``h_i + b_i t - c_i t^2 > 0`` for every active i, shape (B, 1).

    ``h > 0`` and ``c >= 0``; the positive root is taken in a form without cancellation.
    """
    den = xp.sqrt(b**2 + 4.0 * c * h) - b
    ok = active & (den > 0)
    limit = xp.where(ok, 2.0 * h / xp.where(ok, den, xp.ones_like(den)), xp.inf)
    return xp.min(limit, axis=1, keepdims=True)


def _step_length(
    xp: Any, step: Any, x: Any, sq: Any, h: Any, grad_g: Any, sal: Any, w: Any, active: Any
) -> Any:
    """The best of a few step lengths along ``step`` inside the relaxed rational set, (B, 1).

    Along ``x + t step`` actor i's shifted gain is ``h_i + b_i t - c_i t^2``, so every candidate
    length is scored in closed form (layout (B, K, n): the sums run over the last axis). The
    score is the *improvement* over not moving, ``sum_i w_i log1p((b_i t - c_i t^2) / h_i)``:
    near the optimum it is far below the rounding of the objective itself, and scoring absolute
    values (sums of logs) there made a tie with ``t = 0`` stop the iteration early, about 1e-9
    of the scale short of the optimum.
    """
    b = xp.sum(grad_g * step[:, None, :], axis=2)
    c = xp.sum(sal * step[:, None, :] ** 2, axis=2)
    t_max = _largest_step(xp, h, b, c, active)
    top = xp.minimum(xp.ones_like(t_max), 0.99 * t_max)
    halvings = xp.asarray([0.5**k for k in range(HALVINGS)] + [0.0], dtype=step.dtype)
    t = top * halvings[None, :]  # (B, K)
    tt = t[:, :, None]
    change = b[:, None, :] * tt - c[:, None, :] * tt**2
    bad = (h[:, None, :] + change <= 0) & active[:, None, :]
    ratio = change / h[:, None, :]
    safe = xp.where(active[:, None, :] & ~bad, ratio, xp.zeros_like(ratio))
    value = xp.sum(w[:, None, :] * xp.log1p(safe), axis=2)
    v = x - sq
    vs = xp.sum(v * step, axis=1, keepdims=True)
    ss = xp.sum(step * step, axis=1, keepdims=True)
    value = value - DELTA * (2.0 * t * vs + t**2 * ss)
    value = xp.where(xp.any(bad, axis=2), -xp.inf, value)
    best = xp.argmax(value, axis=1)[:, None]
    return xp.take_along_axis(t, best, axis=1)


SPEC = ModelSpec(
    name="nash",
    title="Asymmetric Nash bargaining solution",
    fn=nash,
    reference=(
        "Nash (1950), Econometrica 18(2):155-162; Kalai (1977), Int. J. Game Theory 6(3):129-133; "
        "Achen (2006), The European Union Decides, ch. 4; Schneider, Finke and Bailer (2010), "
        "Political Studies 58(1):85-103"
    ),
    cost="O(n d^2 + d^3) per Newton step, 20-400 steps",
    description=(
        "Maximises the capability x salience weighted product of utility gains over the status "
        "quo (quadratic utilities, all issues jointly)."
    ),
)
