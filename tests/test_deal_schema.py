"""The scenario's `deal` section: loading, and a clear error for every kind of malformed input."""

from __future__ import annotations

from pathlib import Path

import pytest

from realpolitik.deal.domain import IssueDomain, OutcomeSpace
from realpolitik.errors import RealpolitikError, ScenarioError
from realpolitik.scenario.loader import load_scenario, parse_scenario

DATA = Path(__file__).parent / "data" / "deal"
MINI = (DATA / "mini-deal.yaml").read_text(encoding="utf-8")


def problems(text: str, *, builtin: bool = False) -> list:
    """The problems a scenario text raises (it must raise)."""
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "bad.yaml", builtin=builtin)
    return info.value.problems


def edited(old: str, new: str) -> str:
    """The mini scenario with one exact edit."""
    assert MINI.count(old) == 1, old
    return MINI.replace(old, new)


def line_of(text: str, needle: str) -> int:
    """1-based line of the first occurrence of ``needle``."""
    return text[: text.index(needle)].count("\n") + 1


def test_mini_deal_loads():
    """The test scenario loads; its deal has two parties, four issues and 144 packages."""
    sc = load_scenario(DATA / "mini-deal.yaml")
    assert sc.deal is not None
    assert sc.deal.parties == ["us_gov", "iraq_gov"]
    assert [i.kind for i in sc.deal.issues] == ["continuous", "discrete", "continuous", "discrete"]
    space = OutcomeSpace.from_section(sc.deal)
    assert space.size == 6 * 3 * 4 * 2
    assert space.ids == ["troops", "mission", "end_date", "nato"]
    assert space.issues[0].levels == (0.0, 500.0, 1000.0, 1500.0, 2000.0, 2500.0)


def test_builtin_iraq_deal_loads_with_every_source():
    """iraq-2024's deal section loads as a built-in, i.e. every input has a source."""
    sc = load_scenario("iraq-2024")
    assert sc.deal is not None
    assert sc.deal.parties == ["us_gov", "pm_sudani"]
    assert [i.id for i in sc.deal.issues] == [
        "troops", "mission", "end_date", "basing", "training", "weapons", "nato"]
    assert OutcomeSpace.from_section(sc.deal).size == 7776
    assert sc.deal.domestic is not None and sc.deal.domestic.issue == "us_presence"


def test_unknown_party_id():
    """A party that is no actor of the scenario is named with the actors that exist."""
    text = edited("parties: [us_gov, iraq_gov]", "parties: [us_gov, baghdad]")
    found = [p for p in problems(text) if p.field == "deal.parties[1]"]
    assert found and "unknown actor id; actors are: army, framework" in found[0].message
    assert found[0].value == "baghdad" and found[0].line == line_of(text, "parties: [us_gov")
    assert any(p.field == "deal.utilities.iraq_gov" and "not a party" in p.message
               for p in problems(text))


def test_value_outside_the_domain():
    """A no-agreement package value outside an issue's range or labels is reported."""
    text = edited("outcome: {troops: 0, mission: none, end_date: 6, nato: kept}\n        cost: {",
                  "outcome: {troops: 3000, mission: exit, end_date: 6, nato: kept}\n        cost: {")
    found = {p.field: p for p in problems(text)}
    troops = found["deal.utilities.us_gov.no_agreement.outcome.troops"]
    assert "outside the issue's domain; allowed: a number in [0, 2500]" in troops.message
    assert troops.value == 3000 and troops.line is not None
    mission = found["deal.utilities.us_gov.no_agreement.outcome.mission"]
    assert "allowed: one of advise_assist, training_only, none" in mission.message


def test_value_function_keys_and_values():
    """Points outside the range, unknown labels, missing labels, values outside [0, 1]."""
    text = edited("troops: {0: 0.0, 1000: 0.7, 2500: 1.0}", "troops: {0: 0.0, 5000: 1.2}")
    found = {p.field: p for p in problems(text)}
    assert "not a value of the issue" in found["deal.utilities.us_gov.values.troops.5000"].message
    text = edited("mission: {advise_assist: 1.0, training_only: 0.6, none: 0.0}",
                  "mission: {advise_assist: 1.0, combat: 0.6, none: 1.5}")
    msgs = {p.field: p.message for p in problems(text)}
    assert "not a value of the issue" in msgs["deal.utilities.us_gov.values.mission.combat"]
    assert "a value must lie in [0, 1]" in msgs["deal.utilities.us_gov.values.mission.none"]
    assert "no entry for 'training_only'" in msgs["deal.utilities.us_gov.values.mission"]


def test_weights_must_sum_to_one_and_lie_in_range():
    """Weights outside [0, 1], not summing to 1, missing or naming unknown issues."""
    text = edited("        mission: 0.2\n        end_date: {value: 0.2,",
                  "        mission: 1.4\n        end_date: {value: 0.2,")
    msgs = {p.field: p.message for p in problems(text)}
    assert "a weight must lie in [0, 1]" in msgs["deal.utilities.us_gov.weights.mission"]
    assert "must sum to 1" in msgs["deal.utilities.us_gov.weights"]
    text = edited("        troops: 0.3\n        mission: 0.2\n        end_date: 0.2\n",
                  "        troop: 0.3\n        mission: 0.2\n        end_date: 0.2\n")
    msgs = [(p.field, p.message) for p in problems(text)]
    assert ("deal.utilities.iraq_gov.weights.troop",
            "unknown deal issue id; issues are: troops, mission, end_date, nato") in msgs
    assert any("no weight for issue 'troops'" in m for _, m in msgs)


def test_issue_needs_values_or_range():
    """An issue with both values and a range (or neither) is rejected by the schema."""
    text = edited("{id: nato, name: NATO mission, values: [kept, ended]}",
                  "{id: nato, name: NATO mission, values: [kept, ended], range: [0, 1]}")
    found = [p for p in problems(text) if p.field.startswith("deal.issues")]
    assert found and "give either `values`" in found[0].message


def test_domestic_block_references():
    """Unknown scenario issue, non-party, unknown model in the domestic block."""
    text = edited("    party: iraq_gov\n    issue: us_presence\n    model: compromise",
                  "    party: kurds\n    issue: presence\n    model: oracle")
    msgs = {p.field: p.message for p in problems(text)}
    assert "must be one of the parties" in msgs["deal.domestic.party"]
    assert "unknown scenario issue id; issues are: us_presence" in msgs["deal.domestic.issue"]
    assert "unknown model 'oracle'" in msgs["deal.domestic.model"]
    text = edited("end_date: {weight: 0.1, scale: {6: 25, 36: 55}}",
                  "end_date: {weight: 0.1, scale: {6: 25, 36: 155}}")
    msgs = {p.field: p.message for p in problems(text)}
    assert "a position on 'us_presence' must lie in [0, 100]" in (
        msgs["deal.domestic.presence.end_date.scale.36"])


def test_opener_and_duplicate_issue():
    """The opener must be a party; deal issue ids must be unique."""
    text = edited("opener: iraq_gov", "opener: iran")
    assert any(p.field == "deal.opener" for p in problems(text))
    text = edited("{id: nato, name: NATO mission,", "{id: mission, name: NATO mission,")
    assert any("duplicate deal issue id" in p.message for p in problems(text))


def test_outcome_space_too_large():
    """A domain whose product of values exceeds the limit is refused before any array."""
    text = edited("range: [0, 2500], grid: 6,", "range: [0, 2500], grid: 101,")
    text = text.replace("range: [6, 36], grid: 4,", "range: [6, 36], grid: 101,")
    text = text.replace("values: [kept, ended]}", "values: [kept, ended, reduced, doubled, x5, x6, x7, x8, x9]}")
    assert any("the outcome space has" in p.message for p in problems(text))


def test_builtin_scenarios_need_sources_for_deal_inputs():
    """Loaded as a built-in, every deal input without a source is listed."""
    found = [p for p in problems(MINI, builtin=True) if p.field.startswith("deal")]
    fields = {p.field for p in found}
    assert "deal.issues[troops]" in fields
    assert "deal.utilities.us_gov.weights.troops" in fields
    assert "deal.utilities.iraq_gov.values.troops.1000" in fields
    assert "deal.domestic.weight" in fields
    assert all("needs a source" in p.message for p in found)


def test_unknown_source_id_in_a_deal_input():
    """A deal input citing an undeclared source is reported with the known ids."""
    text = edited("        mission: 0.2\n        end_date: {value: 0.2,",
                  "        mission: {value: 0.2, source: {id: cia}}\n        end_date: {value: 0.2,")
    found = [p for p in problems(text) if p.field.endswith("mission.source.id")]
    assert found and "unknown source id; sources are: test" in found[0].message


def test_no_deal_section_is_a_clear_error():
    """negotiate() on a scenario without a deal names the fix."""
    from realpolitik.deal.api import negotiate

    with pytest.raises(RealpolitikError, match=r"has no `deal` section; see docs/deal\.md"):
        negotiate("ktab-soe-policy", samples=2)


def test_continuous_value_map_interpolates():
    """A value map on points is linear between them and flat beyond the outermost."""
    dom = IssueDomain("t", "t", "continuous", (0.0, 500.0, 1000.0, 2500.0), ("0", "500", "1,000",
                                                                           "2,500"))
    basis = dom.basis(["1000", "0"])
    values = basis @ [0.8, 0.2]
    assert values.tolist() == pytest.approx([0.2, 0.5, 0.8, 0.8])
    with pytest.raises(RealpolitikError, match="not a number"):
        dom.basis(["many"])
