"""Round-trip of hypothesis-generated scenarios: YAML -> xlsx -> YAML gives the same scenario."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("openpyxl")

from realpolitik.api.scenario import dump_yaml, parse_scenario, read_workbook, workbook_bytes

IDS = st.from_regex(r"[A-Za-z][A-Za-z0-9_.\-]{0,8}", fullmatch=True)
#: Text a workbook stores faithfully: no control characters but tab and newline, no CR.
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r")
               | st.sampled_from(["\n", "\t", "=", " "]), min_size=1, max_size=30)


def floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Numbers as a spreadsheet holds them: at most 12 significant digits (openpyxl writes 16,
    Excel shows 15), so ``lo`` and ``hi`` drawn this way stay fixed points of the rounding."""
    return st.floats(lo, hi).map(lambda x: float(f"{x:.12g}"))


NUM = floats(-1e6, 1e6) | st.integers(-1000, 1000)


@st.composite
def values(draw, lo: float, hi: float, sources: list[str]) -> Any:
    """A bare number or a full uncertain value on [lo, hi], maybe with a distribution or panel."""
    x = draw(floats(lo, hi))
    form = draw(st.sampled_from(["bare", "dist", "panel"]))
    if form == "bare":
        return x
    out: dict[str, Any] = {"value": x}
    if draw(st.booleans()) and sources:
        out["source"] = {"id": draw(st.sampled_from(sources))}
        if draw(st.booleans()):
            out["source"]["at"] = draw(TEXT)
    if draw(st.booleans()):
        out["note"] = draw(TEXT)
    if form == "dist":
        kind = draw(st.sampled_from(["uniform", "triangular", "truncnormal", "beta"]))
        d: dict[str, Any] = {"kind": kind, "low": draw(floats(lo, x)),
                             "high": draw(floats(x, hi))}
        if d["low"] >= d["high"]:
            return out
        if kind == "truncnormal":
            d["sd"] = draw(floats(0.01, 100))
        if kind == "beta":
            d["a"], d["b"] = draw(floats(0.1, 9)), draw(floats(0.1, 9))
        if kind == "triangular" and draw(st.booleans()):
            d["mode"] = draw(floats(d["low"], d["high"]))
        out["distribution"] = d
    elif sources:
        experts = []
        for _ in range(draw(st.integers(1, 3))):
            e: dict[str, Any] = {"value": x, "source": {"id": draw(st.sampled_from(sources))}}
            if draw(st.booleans()):
                e["distribution"] = {"kind": "uniform", "low": lo, "high": hi}
            if draw(st.booleans()):
                e["weight"] = draw(floats(0.1, 5))
            experts.append(e)
        out["experts"] = experts
        out["pool"] = draw(st.sampled_from(["linear", "triangular"]))
    return out


@st.composite
def scenarios(draw) -> dict[str, Any]:
    """Raw data of a valid scenario: 2-4 actors, 1-3 issues, sources, relations, a timeline."""
    as_of = draw(st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)))
    source_ids = draw(st.lists(IDS, min_size=0, max_size=3, unique=True))
    sources = [{"id": s, "citation": draw(TEXT),
                **({"date": as_of} if draw(st.booleans()) else {}),
                **({"url": draw(TEXT)} if draw(st.booleans()) else {})} for s in source_ids]
    issue_ids = draw(st.lists(IDS, min_size=1, max_size=3, unique=True))
    issues = []
    for iid in issue_ids:
        lo = draw(floats(-100, 100))
        hi = float(f"{lo + draw(floats(1, 100)):.12g}")
        issues.append({"id": iid, "name": draw(TEXT), "scale": [lo, hi],
                       "status_quo": draw(values(lo, hi, source_ids)),
                       "anchors": [{"value": lo, "label": draw(TEXT)}],
                       "bands": [{"name": draw(TEXT), "low": lo, "high": hi}]})
        if draw(st.booleans()):
            issues[-1]["description"] = draw(TEXT)
    actor_ids = draw(st.lists(IDS, min_size=2, max_size=4, unique=True))
    actors = []
    for aid in actor_ids:
        actor = {"id": aid, "name": draw(TEXT),
                 "kind": draw(st.sampled_from(["state", "party", "person"])),
                 "capability": draw(values(0, 1000, source_ids)),
                 "positions": {i["id"]: draw(values(*i["scale"], source_ids)) for i in issues},
                 "salience": {i["id"]: draw(values(0, 1, source_ids)) for i in issues}}
        if draw(st.booleans()):
            i = issues[0]
            actor["private_positions"] = {i["id"]: draw(values(*i["scale"], source_ids))}
        actors.append(actor)
    data: dict[str, Any] = {"id": draw(IDS), "title": draw(TEXT), "as_of": as_of,
                            "sources": sources, "issues": issues, "actors": actors}
    if draw(st.booleans()):
        data["description"] = draw(TEXT)
    data["relations"] = [{"from": actor_ids[0], "to": actor_ids[1],
                          "kind": draw(st.sampled_from(["backs", "attacks"])),
                          "weight": draw(values(0, 1, source_ids)),
                          **({"note": draw(TEXT)} if draw(st.booleans()) else {})}]
    if source_ids:
        data["timeline"] = [{"date": as_of, "series": draw(IDS), "label": draw(TEXT),
                             "source": {"id": source_ids[0]},
                             **({"value": draw(NUM)} if draw(st.booleans()) else {})}]
    return data


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_generated_scenarios_round_trip(data):
    """Any valid scenario comes back from its workbook field for field."""
    sc = parse_scenario(dump_yaml(data), "generated.yaml")
    back, raw = read_workbook(workbook_bytes(sc), "generated.xlsx")
    assert back == sc
    assert parse_scenario(dump_yaml(raw)) == sc
