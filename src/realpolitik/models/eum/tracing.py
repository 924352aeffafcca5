"""The expected utility model's trace: batch element 0 replayed round by round, as numbers."""

from __future__ import annotations

from typing import Any

from realpolitik.models.base import Event, TraceEvent, TraceRecord, host
from realpolitik.models.eum.frame import _Pairs, _sort_state, _sorted_input
from realpolitik.models.eum.rounds import Round, _detailed_step, _to_round
from realpolitik.models.eum.utility import CAPITULATION, COMPROMISE, CONFLICT, _Rules
from realpolitik.models.median import weighted_median

#: The classification codes that are challenges, as trace events.
_CHALLENGES = {
    CONFLICT: Event.CONFLICT,
    COMPROMISE: Event.COMPROMISE,
    CAPITULATION: Event.CAPITULATION,
}


def _events(res: Round, lower: float, span: float, xp: Any) -> list[TraceEvent]:
    """Row 0 of ``res``: every challenge (row-major), then the accepted offers by receiver."""
    code = host(res.classification(xp)[0])
    accepted = host(res.accepted[0])
    start = host(res.start[0])
    after = host(res.position[0])
    n = code.shape[0]
    events = [
        TraceEvent(_CHALLENGES[int(code[i, j])], i, j)
        for i in range(n)
        for j in range(n)
        if int(code[i, j]) in _CHALLENGES
    ]
    for j in range(n):
        move = (lower + span * float(start[j]), lower + span * float(after[j]))
        events += [TraceEvent(Event.ACCEPT_OFFER, j, i, move) for i in range(n) if accepted[i, j]]
    return events


def _record(
    k: int, issue: int, x: Any, w: Any, res: Round | None, lower: float, span: float, xp: Any
) -> TraceRecord:
    """The record of batch element 0 (row 0 of ``x``, ``w``, ``res``) after round ``k``.

    ``x`` (>=1, n) holds the unit positions after the round; ``res`` is None for round 0.
    """
    med, undefined = weighted_median(x[:1, :, None], w[:1, :, None], xp)
    return TraceRecord(
        model="eum",
        issue=issue,
        round=k,
        positions=lower + span * host(x[0]).astype(float),
        events=() if res is None else tuple(_events(res, lower, span, xp)),
        median=float("nan") if bool(undefined[0, 0]) else lower + span * float(med[0, 0]),
    )


def trace_issue(
    x: Any, s: Any, w: Any, rules: _Rules, issue: int, scale: tuple[float, float], pairs: _Pairs,
    xp: Any,
) -> list[TraceRecord]:  # fmt: skip
    """Replay batch element 0 (``x``, ``s``, ``w`` of shape (1, n)) with every detail recorded.

    The rounds are exactly those of the run for that element (same sorted frame, same
    arithmetic for the offers that count), so the trace ends where ``final_position`` does.
    ``scale`` is the issue's (lower end, span).
    """
    lower, span = scale
    records = [_record(0, issue, x, w, None, lower, span, xp)]
    y, s_s, w_s, idx = _sorted_input(x, s, w, xp)
    for k in range(1, rules.max_rounds + 1):
        new, info = _detailed_step(y, s_s, w_s, pairs, rules, xp)
        res = _to_round(y, new, idx, info, xp)
        records.append(_record(k, issue, res.position, w, res, lower, span, xp))
        if bool(xp.max(xp.abs(new - y)) < rules.tol):
            break
        y, s_s, w_s, idx = _sort_state((new, s_s, w_s, idx), xp)
    return records
