"""Model traces in words and rows, and the ensemble's table.

The models record their rounds as numbers (:class:`~realpolitik.models.base.TraceRecord`);
this module names the actors and issues and writes the events as sentences:

* :func:`trace_dicts` gives the JSON-able records of ``realpolitik forecast --format json
  --trace`` (``round``, ``issue``, ``positions`` by actor, ``median`` for models that report
  one, ``events`` as sentences);
* :func:`print_trace` prints them as tables of positions by round and a list of events;
* :func:`ensemble_table` turns an ensemble outcome into a rich table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from realpolitik.models.base import (
    BargainingInput,
    BargainingOutcome,
    Event,
    TraceEvent,
    TraceRecord,
    host,
)
from realpolitik.models.ensemble import SPREAD_KEYS, member_names
from realpolitik.models.eum import (
    CAPITULATE,
    CAPITULATION,
    COMPROMISE,
    CONCEDE,
    CONFLICT,
    STALEMATE,
)

#: Names of the classification codes of :func:`realpolitik.models.eum.classify`.
CLASS_NAMES = {
    STALEMATE: "stalemate",
    CONFLICT: "conflict",
    COMPROMISE: "compromise",
    CAPITULATION: "capitulation",
    CONCEDE: "compromise (yields)",
    CAPITULATE: "capitulation (yields)",
}

#: Challenge events and the kind of pair each names (as the challenger sees it).
_CHALLENGE_KINDS = {
    Event.CONFLICT: CLASS_NAMES[CONFLICT],
    Event.COMPROMISE: CLASS_NAMES[COMPROMISE],
    Event.CAPITULATION: CLASS_NAMES[CAPITULATION],
}

#: Decimals of the positions in :func:`trace_dicts`, by model (others: full floats).
_POSITION_DECIMALS = {"smp": 6}

_RECEIVER_VIEW = " (receiver's view)"


def on_scale(value: float, span: float) -> str:
    """A value on an issue's scale, to about a thousandth of the scale's span."""
    digits = max(0, 3 - math.floor(math.log10(span))) if span > 0 else 3
    return f"{value:.{digits}f}"


def actor_names(inp: BargainingInput) -> tuple[str, ...]:
    """The input's actor ids, or ``actor0``, ``actor1``, ... where it names none."""
    n = inp.n_actors
    return inp.actor_ids if len(inp.actor_ids) == n else tuple(f"actor{i}" for i in range(n))


def issue_names(inp: BargainingInput) -> tuple[str, ...]:
    """The input's issue ids, or ``issue0``, ``issue1``, ... where it names none."""
    d = inp.n_issues
    return inp.issue_ids if len(inp.issue_ids) == d else tuple(f"issue{j}" for j in range(d))


def _span(inp: BargainingInput, issue: int) -> float:
    return float(host(inp.upper)[issue] - host(inp.lower)[issue])


def _accepts_offer(group: list[TraceEvent], names: Sequence[str], span: float) -> str:
    """``"<j> accepts offer from <i> and <k>: <from> -> <to>"`` for one receiver's picks."""
    first = group[0]
    senders = " and ".join(names[e.other] for e in group)
    old, new = first.values
    return (
        f"{names[first.actor]} accepts offer from {senders}: "
        f"{on_scale(old, span)} -> {on_scale(new, span)}"
    )


def _smp_event(e: TraceEvent, names: Sequence[str]) -> str:
    """One event of KTAB's SMP in words."""
    if e.code is Event.STOP:
        return f"stop: this turn moved {e.values[0]:.4f} of the first turn's movement"
    me = names[e.actor]
    if e.code is Event.KEEP:
        position, p = e.values
        return f"{me} keeps its position {position:.1f} (P = {p:.2f})"
    if e.code in (Event.PROPOSE, Event.PROPOSE_RECEIVER_VIEW):
        you_from, you_to, me_from, me_to, p = e.values
        view = _RECEIVER_VIEW if e.code is Event.PROPOSE_RECEIVER_VIEW else ""
        return (
            f"{me} proposes to {names[e.other]}{view}: {you_from:.1f} -> {you_to:.1f} "
            f"(itself {me_from:.1f} -> {me_to:.1f}; P[{me} prevails] = {p:.2f})"
        )
    old, new, p = e.values
    view = _RECEIVER_VIEW if e.code is Event.ACCEPT_PROPOSAL_RECEIVER_VIEW else ""
    whose = "its own proposal" if e.other == e.actor else f"{names[e.other]}'s proposal"
    return f"{me} accepts {whose}{view}: {old:.1f} -> {new:.1f} (P = {p:.2f})"


def event_texts(
    record: TraceRecord, names: Sequence[str], span: float, *, challenges: bool = True
) -> list[str]:
    """The events of one record as sentences (``span``: the issue's range, for the digits).

    An actor that accepts tied offers (from actors at one position) gets one sentence naming
    every sender. ``challenges=False`` leaves the challenges out.
    """
    out: list[str] = []
    pending: list[TraceEvent] = []  # one receiver's accepted offers, in a row
    for e in record.events:
        if pending and (e.code is not Event.ACCEPT_OFFER or e.actor != pending[0].actor):
            out.append(_accepts_offer(pending, names, span))
            pending = []
        if e.code in _CHALLENGE_KINDS:
            if challenges:
                kind = _CHALLENGE_KINDS[e.code]
                out.append(f"{names[e.actor]} challenges {names[e.other]} ({kind})")
        elif e.code is Event.ACCEPT_OFFER:
            pending.append(e)
        else:
            out.append(_smp_event(e, names))
    if pending:
        out.append(_accepts_offer(pending, names, span))
    return out


def _positions(record: TraceRecord) -> list[float]:
    """The record's positions as floats (rounded as the model's JSON trace shows them)."""
    values = [float(v) for v in record.positions]
    decimals = _POSITION_DECIMALS.get(record.model)
    return values if decimals is None else [round(v, decimals) for v in values]


def trace_dicts(records: Sequence[TraceRecord], inp: BargainingInput) -> list[dict[str, Any]]:
    """JSON-able records: ``round``, ``issue`` (id), ``positions`` (actor id -> position),
    ``median`` (for models that report one; None where undefined) and ``events`` (sentences).
    """  # noqa: D205
    names, issues = actor_names(inp), issue_names(inp)
    out = []
    for rec in records:
        row: dict[str, Any] = {
            "round": rec.round,
            "issue": issues[rec.issue],
            "positions": dict(zip(names, _positions(rec), strict=True)),
        }
        if rec.median is not None:
            row["median"] = None if math.isnan(rec.median) else float(rec.median)
        row["events"] = event_texts(rec, names, _span(inp, rec.issue))
        out.append(row)
    return out


def _number(x: float) -> str:
    return f"{x:.1f}"


def _positions_table(issue: str, records: list[TraceRecord], names: Sequence[str]) -> Table:
    table = Table(title=f"Trace: positions by round, issue {issue}", title_justify="left")
    table.add_column("round", justify="right")
    has_median = any(r.median is not None for r in records)
    if has_median:
        table.add_column("median", justify="right")
    for a in names:
        table.add_column(a, justify="right", overflow="fold")
    for r in records:
        cells = [str(r.round)]
        if has_median:
            undefined = r.median is None or math.isnan(r.median)
            cells.append("-" if undefined else _number(float(r.median)))  # type: ignore[arg-type]
        cells += [_number(v) for v in _positions(r)]
        table.add_row(*cells)
    return table


def _round_heading(record: TraceRecord) -> str:
    """``"round k:"``, with the challenges counted by kind (in order of first appearance)."""
    kinds: dict[str, int] = {}
    for e in record.events:
        if e.code in _CHALLENGE_KINDS:
            kinds[_CHALLENGE_KINDS[e.code]] = kinds.get(_CHALLENGE_KINDS[e.code], 0) + 1
    head = f"round {record.round}:"
    if kinds:
        total = sum(kinds.values())
        head += f" {total} challenges (" + ", ".join(f"{k} {v}" for k, v in kinds.items()) + ")"
    return head


def print_trace(records: Sequence[TraceRecord], inp: BargainingInput, console: Console) -> None:
    """A model's round-by-round trace: per issue, a table of positions by round, then events.

    Challenges are summarised per round by kind (conflict, compromise, ...); other events (offers
    accepted, proposals) are listed. ``--format json --trace`` keeps every event.
    """
    names, issues = actor_names(inp), issue_names(inp)
    by_issue: dict[int, list[TraceRecord]] = {}
    for record in records:
        by_issue.setdefault(record.issue, []).append(record)
    for j, group in by_issue.items():
        console.print(_positions_table(issues[j], group, names))
        console.print(f"[bold]Events, issue {issues[j]}[/bold]")
        for r in group:
            if not r.events:
                continue
            console.print(_round_heading(r))
            for text in event_texts(r, names, _span(inp, j), challenges=False):
                console.print(f"    {text}")


def ensemble_table(
    outcome: BargainingOutcome, issue_ids: Sequence[str] = (), digits: int = 1,
    skill: Sequence[dict[str, Any]] | None = None,
) -> Table:
    """A rich table: one row per member, the ensemble, and the spread; one column per issue.

    With a batch of more than one element (Monte Carlo) each cell is the mean over the batch.
    ``skill`` (rows of ``model``, ``weight``, ``past_mae``) adds each member's weight and its
    mean absolute error on past decisions (0-100 scale).
    """
    by_model = {r["model"]: r for r in skill or ()}

    def skill_cells(name: str | None) -> list[str]:
        if skill is None:
            return []
        row = by_model.get(name or "")
        if row is None:
            return ["", ""]
        mae = row.get("past_mae")
        return [f"{row['weight']:.3f}", "-" if mae is None else f"{mae:.1f}"]


    def cells(arr: Any) -> list[str]:
        values = np.asarray(arr, dtype=float).reshape(-1, np.asarray(arr).shape[-1]).mean(axis=0)
        return [f"{v:.{digits}f}" for v in values]

    d = int(np.asarray(outcome.forecast).shape[-1])
    ids = list(issue_ids) or [f"issue {j + 1}" for j in range(d)]
    table = Table(title="Ensemble of collective models")
    table.add_column("model")
    if skill is not None:
        table.add_column("weight", justify="right")
        table.add_column("past MAE", justify="right")
    for issue in ids:
        table.add_column(issue, justify="right")
    for name in member_names(outcome):
        table.add_row(name, *skill_cells(name), *cells(outcome.extra[name]))
    table.add_row("[bold]ensemble[/bold]", *skill_cells("ensemble"), *cells(outcome.forecast),
                  end_section=True)
    for key, label in zip(SPREAD_KEYS, ("spread: min", "spread: max", "spread: std"), strict=True):
        table.add_row(label, *skill_cells(None), *cells(outcome.extra[key]))
    return table
