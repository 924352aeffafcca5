"""The scenario's ``decision`` section: parsed into rules, and every mistake named with its line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from realpolitik.errors import ScenarioError
from realpolitik.models.procedural import procedural
from realpolitik.scenario.arrays import to_input
from realpolitik.scenario.loader import parse_scenario
from realpolitik.uncertainty.sampling import sample_inputs

BASE = (Path(__file__).parent / "data" / "valid" / "minimal.yaml").read_text()

RULES = """
decision:
  rules:
    - id: presence
      issues: [presence]
      agenda_setter:
        - {actor: b, probability: 0.9}
        - {actor: a}
      veto_players:
        - {actor: a, probability: {value: 0.6, source: {id: src1}, note: reading}}
      bodies:
        - id: assembly
          members: {a: 2, b: 2, c: {value: 1, distribution: {kind: uniform, low: 0.5, high: 1.5}}}
          quota: 3
          total: 5
      reversion: {presence: 10}
"""


def parse(extra: str):
    return parse_scenario(BASE + extra, "test.yaml")


def problems(extra: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        parse(extra)
    return [str(p) for p in info.value.problems]


def test_rules_become_arrays():
    sc = parse(RULES)
    rules = to_input(sc).rules
    assert rules is not None
    np.testing.assert_array_equal(rules.issue_rule, [0, -1])
    np.testing.assert_array_equal(rules.weight[0], [[1, 0, 0], [2, 2, 1]])
    np.testing.assert_allclose(rules.quota[0], [1.0, 3 / 5])
    np.testing.assert_array_equal(rules.setter[0], [1, -1])     # b holds the agenda (0.9)
    np.testing.assert_allclose(rules.reversion[0], [10.0, 0.0])


def test_procedural_reads_the_rules():
    """Positions a 80, b 20, c 0; reversion 10; b proposes. The veto player a accepts (10, 150).
    In the assembly (quota 3 of 5) a (2 votes) accepts up to 150, b (2) up to 30, c (1) nothing
    above 10: 4 votes up to 30, 2 beyond. The win-set is (10, 30]; b gets its ideal, 20."""
    sc = parse(RULES)
    f = procedural(to_input(sc)).forecast
    assert f[0, 0] == pytest.approx(20.0)


def test_samples_draw_the_readings():
    sc = parse(RULES)
    inp = sample_inputs(sc, 400, seed=3)
    rules = inp.rules
    assert rules is not None and rules.weight.shape == (400, 2, 3)
    share = np.mean(rules.quota[:, 0] > 0)        # the veto reading holds in ~60 % of samples
    assert 0.5 < share < 0.7
    assert rules.weight[:, 1, 2].min() >= 0.5 and rules.weight[:, 1, 2].max() <= 1.5
    again = sample_inputs(sc, 400, seed=3).rules
    np.testing.assert_array_equal(again.quota, rules.quota)
    tail = sample_inputs(sc, 100, seed=3, start=300).rules
    np.testing.assert_array_equal(tail.quota, rules.quota[300:])


@pytest.mark.parametrize(("change", "where"), [
    ("members: {a: 2, b: 2, c: {value: 1, distribution: {kind: uniform, low: 0.5, high: 1.5}}}",
     "members: {a: 2, b: 2, zz: 1}"),
])
def test_unknown_actor(change, where):
    msgs = problems(RULES.replace(change, where))
    assert any("test.yaml:" in m and "members.zz" in m and "unknown actor id" in m for m in msgs)


def test_quota_no_coalition_reaches():
    msgs = problems(RULES.replace("quota: 3", "quota: 7"))
    assert any("quota" in m and "no coalition reaches this quota" in m for m in msgs), msgs


def test_weights_that_do_not_add_up():
    msgs = problems(RULES.replace("total: 5", "total: 6"))
    assert any(".total" in m and "add up to 5" in m for m in msgs), msgs


def test_line_numbers_point_into_the_section():
    text = BASE + RULES.replace("{actor: b, probability: 0.9}", "{actor: nobody, probability: 0.9}")
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "test.yaml")
    bad = [p for p in info.value.problems if "unknown actor" in p.message]
    line = text.splitlines()[bad[0].line - 1]
    assert "nobody" in line


@pytest.mark.parametrize(("text", "message"), [
    (RULES.replace("issues: [presence]", "issues: [nowhere]"), "unknown issue id"),
    (RULES.replace("          quota: 3\n", "").replace("total: 5", "total: 5\n          unanimity: false"),
     "either a quota"),
    (RULES.replace("probability: 0.9", "probability: 1.5"), "a probability must lie in [0, 1]"),
    (RULES.replace("probability: {value: 0.6, source: {id: src1}, note: reading}",
                   "probability: {value: 0.6, distribution: {kind: uniform, low: 0, high: 1}}"),
     "without a distribution"),
    (RULES.replace("reversion: {presence: 10}", "reversion: {presence: 1000}"),
     "must lie in [0, 100]"),
    (RULES.replace("reversion: {presence: 10}", "reversion: {alignment: 0}"),
     "not an issue this rule decides"),
    (RULES + "    - id: again\n      veto_players: [{actor: c}]\n", "already decided by rule"),
])
def test_other_mistakes(text, message):
    assert any(message in m for m in problems(text)), problems(text)


def test_a_rule_without_anyone_required():
    text = RULES.replace("""      veto_players:
        - {actor: a, probability: {value: 0.6, source: {id: src1}, note: reading}}
""", "").replace("""      bodies:
        - id: assembly
          members: {a: 2, b: 2, c: {value: 1, distribution: {kind: uniform, low: 0.5, high: 1.5}}}
          quota: 3
          total: 5
""", "")
    assert any("at least one veto player or voting body" in m for m in problems(text))
