"""KTAB's SMP run: turns until positions settle (:func:`smp`), its numeric trace and ``SPEC``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np

from realpolitik.errors import ModelError
from realpolitik.models.base import (
    BargainingInput,
    BargainingOutcome,
    Event,
    ModelSpec,
    TraceEvent,
    TraceRecord,
    host,
)
from realpolitik.models.kernels import load_once
from realpolitik.models.smp.elements import MIN_SIGNIFICANT_DELTA, Settings, on
from realpolitik.models.smp.turn import Turn, _turn, final_probabilities

#: ``engine``: ``"compiled"`` (numba, numpy float64 inputs, ``pce="conditional"``, no trace),
#: ``"array"`` (the array-API reference, any backend) or ``"auto"`` (compiled where it applies).
Engine = Literal["auto", "compiled", "array"]

_KERNEL: list[Any] = []  # [module or None] once tried

#: ``"auto"`` loads the kernel (numba's import and the cached machine code: about 1 s of CPU
#: per process) only for a call whose array-path work, batch x n^3, is at least this (about 60
#: actors alone, or 190 samples of 11 actors), or once it is loaded; smaller calls take the
#: array path, which gives the same numbers sooner.
AUTO_WORK = 2.5e5


def kernel() -> Any:
    """The compiled kernel module, or None where numba is missing or fails (noted once).

    Imported on first use only, so that commands that never run ``smp`` do not load numba.
    """
    return load_once(_KERNEL, "smp", _load_compiled)


def _load_compiled() -> Any:
    from realpolitik.models.smp import compiled

    return compiled


def _use_kernel(engine: str, settings: Settings, x: Any, xp: Any, trace: bool) -> Any:
    """The kernel module when this call runs compiled, else None (``engine="compiled"``: must)."""
    small = not _KERNEL and x.shape[0] * x.shape[1] ** 3 < AUTO_WORK
    if engine not in ("auto", "compiled", "array"):
        raise ModelError(f"smp: engine must be 'auto', 'compiled' or 'array', got {engine!r}")
    fits = xp is np and x.dtype == np.float64 and settings.pce == "conditional" and not trace
    if engine == "array" or (engine == "auto" and (small or not fits)):
        return None
    if not fits:
        raise ModelError(
            "smp: engine='compiled' needs numpy float64 inputs, pce='conditional' and no trace"
        )
    mod = kernel()
    if mod is None and engine == "compiled":
        raise ModelError("smp: engine='compiled' asked for, but numba is not available")
    return mod


def _prepare_salience(xp: Any, sal: Any) -> Any:
    """KTAB needs each actor's saliences to sum to at most 1: rescale those that sum to more."""
    total = xp.sum(sal, axis=-1, keepdims=True)
    return xp.where(total > 1.0, sal / xp.where(total > 1.0, total, xp.ones_like(total)), sal)


def smp(
    inp: BargainingInput,
    *,
    seed: int | None = None,
    trace: bool = False,
    max_turns: int = 100,
    engine: Engine = "auto",
    **options: Any,
) -> BargainingOutcome:
    """Run KTAB's Spatial Model of Politics until positions settle (see the module docstring).

    Options (KTAB's names in brackets, defaults first): ``voting`` proportional | binary |
    prop-binary | prop-cubic | cubic [VotingRule]; ``victory`` linear | square | quartic | octic
    [VPModel]; ``pce`` conditional | markov-incentive | markov-uniform [PCEModel];
    ``risk_adjust`` one-third | none | half | two-thirds | full [BigRAdjust]; ``risk_range``
    mid | min | max [BigRRange]; ``third_party`` semi | none | full [ThirdPartyCommit];
    ``interpolation`` s2p2 | s1p1 | s2pmax [InterVecBrgn]; ``bargain`` init-only | init-rcvr |
    pw-compromise [SMPBargnModel]; ``transitions`` deterministic | stochastic [StateTransMode];
    ``min_turns`` 2; ``stop_ratio`` 0.02. Only ``transitions="stochastic"`` uses ``seed``: each
    actor then draws its bargain with its probability, from one ``np.random.default_rng(seed)``
    stream over the whole batch (so a batch element equals a lone run only in the deterministic
    default).

    ``engine`` picks the computation: the compiled kernel (:mod:`realpolitik.models.smp.compiled`,
    numpy float64 inputs, ``pce="conditional"``, no trace; the same numbers and the same draws)
    or the array implementation (the reference, any backend); ``"auto"`` takes the kernel where
    it applies and numba loads, unless the call is too small to repay loading it
    (:data:`AUTO_WORK`).
    """
    unknown = set(options) - set(Settings.__dataclass_fields__)
    if unknown:
        raise ModelError(
            f"smp: unknown option(s) {', '.join(sorted(unknown))}; "
            f"known: max_turns, {', '.join(Settings.__dataclass_fields__)}"
        )
    settings = Settings(**options)
    settings.check()
    if max_turns < 1:
        raise ModelError(f"smp: max_turns must be >= 1 (got {max_turns})")
    xp = inp.xp
    rng = np.random.default_rng(seed) if settings.transitions == "stochastic" else None
    x, _ = inp.normalised()
    x = xp.clip(x, 0.0, 1.0)
    sal = _prepare_salience(xp, xp.clip(inp.salience, 0.0, 1.0))
    cap = xp.maximum(inp.capability, 0.0)
    bsz, n = inp.batch, inp.n_actors
    mod = _use_kernel(engine, settings, x, xp, trace)
    if mod is not None:
        x, rounds = mod.play(x, sal, cap, settings, max_turns, rng)
        return _outcome(inp, x, sal, cap, rounds, mod.finals(x, sal, cap, settings), None)

    active = xp.ones((bsz,), dtype=xp.bool, **on(x))
    ids = xp.arange(bsz, **on(x))  # the batch elements still playing, ascending
    rounds = xp.zeros((bsz,), dtype=xp.int64, **on(x))
    first_delta = xp.zeros((bsz,), dtype=x.dtype, **on(x))
    records: list[TraceRecord] | None = [] if trace else None
    if records is not None:
        records += _records(inp, 0, x, None)
    for t in range(1, max_turns + 1):
        # Only elements still playing take the turn (they never interact); the stochastic
        # draws are made for the whole batch, so each element's stream does not depend on
        # when the others stop.
        draws = rng.random((bsz, n)) if rng is not None else None
        xa = xp.take(x, ids, axis=0)
        turn = _turn(
            xp, xa, xp.take(sal, ids, axis=0), xp.take(cap, ids, axis=0), settings,
            None if draws is None else draws[np.asarray(host(ids))],
        )  # fmt: skip
        step = turn.new - xa
        delta = xp.sum(xp.sqrt(xp.sum(step * step, axis=-1)), axis=-1)
        if t == 1:
            first_delta = delta + MIN_SIGNIFICANT_DELTA
        quiet = (delta / xp.take(first_delta, ids)) < settings.stop_ratio
        rank = xp.clip(xp.cumulative_sum(xp.astype(active, xp.int64)) - 1, 0, None)
        x = xp.where(active[:, None, None], xp.take(turn.new, rank, axis=0), x)
        rounds = xp.where(active, xp.full_like(rounds, t), rounds)
        if records is not None and bool(active[0]):  # element 0 is first among the players
            stop_now = t >= settings.min_turns and bool(quiet[0])
            ratio = float(delta[0] / first_delta[0]) if stop_now else None
            records += _records(inp, t, x, _events(inp, turn, turn.new, step, ratio))
        if t >= settings.min_turns:
            stays = ~quiet
            ids = xp.take(ids, xp.nonzero(stays)[0])
            active = active & xp.take(stays, rank)
        if ids.shape[0] == 0:
            break
    finals = final_probabilities(xp, x, sal, cap, settings)
    return _outcome(inp, x, sal, cap, rounds, finals, records)


def _outcome(
    inp: BargainingInput, x: Any, sal: Any, cap: Any, rounds: Any,
    finals: tuple[Any, Any, Any], records: list[TraceRecord] | None,
) -> BargainingOutcome:
    """The forecast and extras from the final positions ``x`` and the end-of-run ``finals``."""
    xp = inp.xp
    position = inp.denormalise(x)
    weight = cap[:, :, None] * sal
    total = xp.sum(weight, axis=1)
    undefined = total <= 0
    mean = xp.sum(weight * position, axis=1) / xp.where(undefined, xp.ones_like(total), total)
    forecast = xp.where(undefined, inp.status_quo, mean)
    prob, expected, risk = finals
    extra = {
        "undefined": undefined,
        "position_probability": prob,
        "expected_outcome": inp.denormalise(expected),
        "risk": risk,
    }
    return BargainingOutcome(
        forecast=forecast, final_position=position, rounds=rounds, extra=extra, trace=records
    )


# ---------------------------------------------------------------- trace (batch element 0)


def _records(
    inp: BargainingInput, t: int, x: Any, events: list[list[TraceEvent]] | None
) -> list[TraceRecord]:
    """Turn ``t``'s records, one per issue: positions after the turn and that issue's events."""
    pos = host(inp.denormalise(x)[0]).astype(float)
    return [
        TraceRecord(
            model="smp",
            issue=k,
            round=t,
            positions=pos[:, k].copy(),
            events=() if events is None else tuple(events[k]),
        )
        for k in range(inp.n_issues)
    ]


def _events(
    inp: BargainingInput, turn: Turn, x: Any, step: Any, stop_ratio: float | None
) -> list[list[TraceEvent]]:
    """Batch element 0's proposals and choices, per issue (``stop_ratio``: the run stops).

    Proposals come first (by proposal, for actors with a target), then every actor's choice,
    then the stop (movement of this turn / the first turn's), if the run stops here.
    """
    n, d = inp.n_actors, inp.n_issues
    scale = inp.denormalise
    has = host(turn.has_target[0])
    target = host(turn.target[0])
    p_win = host(turn.p_win[0]).astype(float)
    choice = host(turn.choice[0])
    cprob = host(turn.choice_prob[0]).astype(float)
    old = host(scale(x - step)[0]).astype(float)
    new = host(scale(x)[0]).astype(float)
    b_init = host(scale(turn.b_init)[0]).astype(float)
    b_rcvr = host(scale(turn.b_rcvr)[0]).astype(float)
    n_opt = b_init.shape[0]
    propose = (Event.PROPOSE, Event.PROPOSE_RECEIVER_VIEW)
    accept = (Event.ACCEPT_PROPOSAL, Event.ACCEPT_PROPOSAL_RECEIVER_VIEW)
    out: list[list[TraceEvent]] = [[] for _ in range(d)]
    for k in range(d):
        for m in range(n_opt):
            i, j = m % n, int(target[m % n])
            if has[i]:
                values = (old[j, k], b_rcvr[m, k], old[i, k], b_init[m, k], p_win[i])
                out[k].append(TraceEvent(propose[m // n], i, j, tuple(map(float, values))))
        for a in range(n):
            m = int(choice[a])
            if m == n_opt:
                out[k].append(TraceEvent(Event.KEEP, a, -1, (float(old[a, k]), float(cprob[a]))))
            else:
                values = (float(old[a, k]), float(new[a, k]), float(cprob[a]))
                out[k].append(TraceEvent(accept[m // n], a, m % n, values))
        if stop_ratio is not None:
            out[k].append(TraceEvent(Event.STOP, -1, -1, (stop_ratio,)))
    return out


def stochastic_call(params: Mapping[str, Any]) -> bool:
    """Whether a call with ``params`` draws random numbers: ``transitions="stochastic"``."""
    return params.get("transitions") == "stochastic"


SPEC = ModelSpec(
    name="smp",
    title="KTAB Spatial Model of Politics",
    fn=smp,
    reference=(
        "Wise, Lester & Efird (2015), An Introduction to the KAPSARC Toolkit for Behavioral "
        "Analysis (KTAB) Using Nash Bargaining, KAPSARC; KTAB source (MIT), examples/smp"
    ),
    stochastic=False,
    stochastic_when=stochastic_call,
    iterative=True,
    cost="O(T n^3 d) per batch element",
    supports_trace=True,
    engines=("auto", "compiled"),
    description=(
        "Turn-based bargaining: actors challenge the target with the best expected gain, "
        "propose Nash-like interpolated bargains, and adopt the most probable one."
    ),
)
