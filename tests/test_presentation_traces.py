"""Traces in words: the numeric records of the models turned into the documented sentences."""

from __future__ import annotations

import json

import numpy as np
from rich.console import Console

from realpolitik.models.base import BargainingInput, Event, TraceEvent, TraceRecord
from realpolitik.presentation.traces import (
    CLASS_NAMES,
    on_scale,
    print_trace,
    trace_dicts,
)

INP = BargainingInput(
    np.array([[[20.0], [40.0], [80.0]]]),
    np.ones((1, 3, 1)),
    np.ones((1, 3)),
    np.array([[50.0]]),
    np.zeros(1),
    np.full(1, 100.0),
    ("a", "b", "c"),
    ("i",),
)


def eum_records() -> list[TraceRecord]:
    opening = TraceRecord("eum", 0, 0, np.array([20.0, 40.0, 80.0]), (), 40.0)
    moved = TraceRecord(
        "eum",
        0,
        1,
        np.array([30.0, 40.0, 30.0]),
        (
            TraceEvent(Event.CONFLICT, 0, 2),
            TraceEvent(Event.COMPROMISE, 1, 0),
            TraceEvent(Event.CONFLICT, 2, 0),
            TraceEvent(Event.ACCEPT_OFFER, 0, 1, (20.0, 30.0)),
            TraceEvent(Event.ACCEPT_OFFER, 2, 0, (80.0, 30.0)),
            TraceEvent(Event.ACCEPT_OFFER, 2, 1, (80.0, 30.0)),
        ),
        float("nan"),
    )
    return [opening, moved]


def test_eum_records_in_words():
    """Challenges with their kind, tied offers to one receiver in one sentence, NaN median None."""
    rows = trace_dicts(eum_records(), INP)
    assert rows[0] == {
        "round": 0,
        "issue": "i",
        "positions": {"a": 20.0, "b": 40.0, "c": 80.0},
        "median": 40.0,
        "events": [],
    }
    assert rows[1]["median"] is None
    assert rows[1]["events"] == [
        "a challenges c (conflict)",
        "b challenges a (compromise)",
        "c challenges a (conflict)",
        "a accepts offer from b: 20.0 -> 30.0",
        "c accepts offer from a and b: 80.0 -> 30.0",
    ]
    json.dumps(rows)  # JSON-able as it stands


def test_smp_records_in_words():
    """Proposals (both views), choices, keeping and the stop; positions to 6 decimals, no median."""
    rec = TraceRecord(
        "smp",
        0,
        2,
        np.array([38.461538461, 38.46, 80.0]),
        (
            TraceEvent(Event.PROPOSE, 0, 1, (80.0, 38.46, 20.0, 38.46, 0.6)),
            TraceEvent(Event.PROPOSE_RECEIVER_VIEW, 0, 1, (80.0, 50.0, 20.0, 30.0, 0.4)),
            TraceEvent(Event.ACCEPT_PROPOSAL, 0, 0, (20.0, 38.46, 0.62)),
            TraceEvent(Event.ACCEPT_PROPOSAL_RECEIVER_VIEW, 1, 0, (80.0, 38.46, 0.62)),
            TraceEvent(Event.KEEP, 2, -1, (80.0, 0.5)),
            TraceEvent(Event.STOP, -1, -1, (0.00123456,)),
        ),
    )
    (row,) = trace_dicts([rec], INP)
    assert set(row) == {"round", "issue", "positions", "events"}
    assert row["positions"] == {"a": 38.461538, "b": 38.46, "c": 80.0}
    assert row["events"] == [
        "a proposes to b: 80.0 -> 38.5 (itself 20.0 -> 38.5; P[a prevails] = 0.60)",
        "a proposes to b (receiver's view): 80.0 -> 50.0 (itself 20.0 -> 30.0; P[a prevails] = 0.40)",
        "a accepts its own proposal: 20.0 -> 38.5 (P = 0.62)",
        "b accepts a's proposal (receiver's view): 80.0 -> 38.5 (P = 0.62)",
        "c keeps its position 80.0 (P = 0.50)",
        "stop: this turn moved 0.0012 of the first turn's movement",
    ]


def test_print_trace_counts_challenges_and_lists_moves():
    """The table of positions by round (median "-" where undefined), then the events per round."""
    console = Console(record=True, width=120)
    print_trace(eum_records(), INP, console)
    text = console.export_text()
    assert "Trace: positions by round, issue i" in text
    assert "round 1: 3 challenges (conflict 2, compromise 1)" in text
    assert "    c accepts offer from a and b: 80.0 -> 30.0" in text
    assert "a challenges c" not in text
    rows = [line.split("│")[1:-1] for line in text.splitlines() if line.startswith("│")]
    assert [cell.strip() for cell in rows[1]] == ["1", "-", "30.0", "40.0", "30.0"]


def test_scale_digits_and_class_names():
    """About a thousandth of the span; every classification code has a name."""
    assert on_scale(30.757, 100.0) == "30.8"
    assert on_scale(0.30757, 1.0) == "0.308"
    assert on_scale(5.0, 0.0) == "5.000"
    assert set(CLASS_NAMES) == {0, 1, 2, 3, -2, -3}
