"""The built-in scenarios: complete, sourced, and dated no later than their as_of."""

from __future__ import annotations

import datetime as dt

import pytest

from realpolitik import builtin_names, forecast, load_scenario


def test_builtins_listed():
    """iraq-2024 (the default) and the KTAB worked example ship with the package."""
    assert {"iraq-2024", "ktab-soe-policy"} <= set(builtin_names())


@pytest.fixture(scope="module")
def iraq():
    return load_scenario("iraq-2024")


def test_iraq_shape(iraq):
    """As of 2024-04-14, at least 10 actors and 2 issues, the presence issue first."""
    assert iraq.as_of == dt.date(2024, 4, 14)
    assert len(iraq.actors) >= 10
    assert len(iraq.issues) >= 2
    presence = iraq.issue("us_presence")
    assert presence.scale == (0, 100)
    assert len(presence.anchors) >= 3
    assert {b.name for b in presence.bands} == {
        "full withdrawal", "noncombat advisory presence", "status quo-like presence"}


def test_iraq_every_input_sourced_and_uncertain(iraq):
    """Every actor input cites a known source and has a note and a range."""
    source_ids = {s.id for s in iraq.sources}
    values = []
    for a in iraq.actors:
        values.append(a.capability)
        values += list(a.positions.values()) + list(a.salience.values())
        values += list(a.private_positions.values())
    values += [r.weight for r in iraq.relations] + [i.status_quo for i in iraq.issues]
    for v in values:
        assert v.source is not None and v.source.id in source_ids
        assert v.note
    assert sum(v.distribution is not None for v in values) / len(values) > 0.9


def test_iraq_dates_not_after_as_of(iraq):
    """No source or timeline event is dated after the scenario's as_of date."""
    assert all(s.date is None or s.date <= iraq.as_of for s in iraq.sources)
    assert all(e.date <= iraq.as_of for e in iraq.timeline)


def test_iraq_private_position_of_the_pm(iraq):
    """The PM's private position (Politico, Jan 2024) is more favourable to a presence than his stated one."""
    pm = iraq.actor("pm_sudani")
    assert pm.private_positions["us_presence"].point > pm.positions["us_presence"].point


def test_iraq_relations(iraq):
    """Iran backs the militias, the Framework pressures the PM, militias attack U.S. forces."""
    rel = {(r.source_actor, r.kind, r.target_actor) for r in iraq.relations}
    assert ("iran_irgc", "backs", "kh_hardliners") in rel
    assert ("coord_framework", "pressures", "pm_sudani") in rel
    assert ("kh_hardliners", "attacks", "us_gov") in rel


def test_iraq_timeline(iraq):
    """Troop levels 2003-2024 (170,000 peak in 2007, zero by end 2011, ~2,500 in 2024) and PMs' demands."""
    troops = {e.date.year: e.value for e in iraq.timeline if e.series == "us_troops_iraq"}
    assert min(troops) <= 2003 and max(troops) == 2024
    assert max(troops.values()) == 170_000
    assert troops[2024] == 2_500
    assert any(e.series == "us_troops_iraq" and e.value == 0 and e.date.year == 2011
               for e in iraq.timeline)
    demands = {e.date.year for e in iraq.timeline if e.series == "withdrawal_demand"}
    assert {2005, 2008, 2020, 2023} <= demands


def test_ktab_example_matches_the_csv():
    """The KTAB SOE-Policy example keeps KTAB's published inputs (salience / 100)."""
    s = load_scenario("ktab-soe-policy")
    assert len(s.actors) == 26
    xj = s.actor("XJ")
    assert (xj.capability.point, xj.positions["policy"].point, xj.salience["policy"].point) == (100, 30, 0.3)


@pytest.mark.parametrize("name", ["iraq-2024", "ktab-soe-policy"])
def test_builtins_forecast(name):
    """Every built-in scenario forecasts with the simple models."""
    for model in ("compromise", "median"):
        result = forecast(name, model=model)
        assert len(result.to_frame()) == len(result.scenario.issues)
