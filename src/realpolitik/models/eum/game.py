"""The expected utility model's driver: rounds until every game settles, and :func:`eum`."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from realpolitik.errors import ModelError
from realpolitik.models.base import BargainingInput, BargainingOutcome, ModelSpec, TraceRecord
from realpolitik.models.eum.frame import _Pairs, _sort_state, _sorted_input, _unsort
from realpolitik.models.eum.rounds import _stepper
from realpolitik.models.eum.tracing import trace_issue
from realpolitik.models.eum.utility import OfferRule, _Rules
from realpolitik.models.kernels import load_once
from realpolitik.models.median import weighted_median

#: ``engine``: ``"compiled"`` (numba, numpy inputs, ``q = 1``), ``"array"`` (the array-API
#: reference, any backend) or ``"auto"`` (compiled where it applies and numba loads).
Engine = Literal["auto", "compiled", "array"]

_KERNEL: list[Any] = []  # [module or None] once tried


def kernel() -> Any:
    """The compiled kernel module, or None where numba is missing or fails (noted once).

    Imported on first use only, so that commands that never run ``eum`` do not load numba.
    """
    return load_once(_KERNEL, "eum", _load_compiled)


def _load_compiled() -> Any:
    from realpolitik.models.eum import compiled

    return compiled


def _use_kernel(engine: str, rules: _Rules, x: Any, xp: Any) -> Any:
    """The kernel module when this call runs compiled, else None (``engine="compiled"``: must)."""
    fits = rules.q == 1.0 and xp is np and x.dtype == np.float64
    if engine == "array" or (engine == "auto" and not fits):
        return None
    if not fits:
        raise ModelError("eum: engine='compiled' needs numpy float64 inputs and q = 1")
    mod = kernel()
    if mod is None and engine == "compiled":
        raise ModelError("eum: engine='compiled' asked for, but numba is not available")
    return mod


#: Working-set target of the default ``block``: pairs x batch elements bargained at once.
_PAIR_BUDGET = 2**17


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
    engine: Engine = "auto",
) -> BargainingOutcome:
    """Bueno de Mesquita's expected utility model, issue by issue (see :mod:`realpolitik.models.eum`).

    ``tol`` is on the unit scale (a fraction of the issue's range). ``seed`` is accepted for the
    common signature; the model is deterministic. Returns the weighted median of the final
    positions as ``forecast`` (B, d), ``final_position`` (B, n, d), ``rounds`` (B,) (rounds played
    on the slowest issue, counting the round in which nothing moved), and in ``extra``:
    ``converged`` (B,) (every issue settled within ``max_rounds``), ``rounds_by_issue`` (B, d),
    ``mean`` (B, d) (weighted mean of the final positions) and ``undefined`` (B, d).
    With ``trace=True``, ``trace`` lists, for batch element 0, issue by issue, one
    :class:`~realpolitik.models.base.TraceRecord` per round from round 0 (the opening
    positions): the positions and the weighted median after the round, every challenge (coded
    by its kind as the challenger sees it: conflict, compromise, capitulation) and every
    accepted offer with the receiver's move (:mod:`realpolitik.presentation.traces` puts them
    into words).
    ``q``, ``t`` and ``offer_rule`` are the choices of the package docstring; ``block`` bounds
    the (element, issue) pairs bargained at once (default :func:`default_block`; memory and
    speed only: results do not depend on it). ``engine`` picks the computation (see
    :data:`Engine`): the compiled kernel (:mod:`realpolitik.models.eum.compiled`) and the
    array implementation take the same decisions; the runner picks it by backend.
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
    if engine not in ("auto", "compiled", "array"):
        raise ModelError(f"eum: engine must be 'auto', 'compiled' or 'array', got {engine!r}")
    if offer_rule not in ("credible", "nearest"):
        raise ModelError(f"eum: offer_rule must be 'credible' or 'nearest', got {offer_rule!r}")
    xp = inp.xp
    n, d, batch = inp.n_actors, inp.n_issues, inp.batch
    span = inp.upper - inp.lower
    safe_span = xp.where(span > 0, span, xp.ones_like(span))
    unit = (inp.position - inp.lower) / safe_span
    rules = _Rules(q=q, t=t, offer_rule=offer_rule, max_rounds=max_rounds, tol=tol)

    # Issues are bargained over independently: every (element, issue) is one bargaining game.
    x = xp.concat([unit[:, :, j] for j in range(d)], axis=0)
    s = xp.concat([inp.salience[:, :, j] for j in range(d)], axis=0)
    w = xp.concat([inp.capability * inp.salience[:, :, j] for j in range(d)], axis=0)
    mod = _use_kernel(engine, rules, x, xp)
    if mod is not None:
        fx, fr, fc = mod.play(x, s, w, tol, max_rounds, offer_rule == "nearest")
    else:
        fx, fr, fc = _bargain(x, s, w, rules, block or default_block(n), xp)
    final = (
        inp.lower
        + xp.stack([fx[j * batch : (j + 1) * batch] for j in range(d)], axis=2) * safe_span
    )
    rounds_by_issue = xp.permute_dims(xp.reshape(fr, (d, batch)), (1, 0))
    converged = xp.all(xp.reshape(fc, (d, batch)), axis=0)

    records: list[TraceRecord] | None = None
    if trace and batch > 0:
        records = []
        pairs = _Pairs.build(n, xp, getattr(x, "device", None))
        for j in range(d):
            row = slice(j * batch, j * batch + 1)
            scale = (float(inp.lower[j]), float(safe_span[j]))
            records += trace_issue(x[row], s[row], w[row], rules, j, scale, pairs, xp)

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
    engines=("auto", "compiled"),
    description=(
        "Actors challenge, compromise and capitulate in rounds of expected-utility bargaining; "
        "the forecast is the weighted median of the final positions."
    ),
)
