"""The ``dynamics`` section: valid files load; invalid causal graphs are rejected field by field."""

from __future__ import annotations

from pathlib import Path

import pytest

from realpolitik.errors import ScenarioError
from realpolitik.scenario.loader import load_scenario, parse_scenario
from realpolitik.scenario.sections.dynamics import lag0_cycle

SMALL = Path(__file__).parent / "data" / "dynamics" / "small.yaml"
TEXT = SMALL.read_text(encoding="utf-8")


def _problems(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "bad.yaml")
    return str(info.value)


def _replace(old: str, new: str) -> str:
    assert TEXT.count(old) == 1, old
    return TEXT.replace(old, new)


def test_small_scenario_loads() -> None:
    """The test scenario with a dynamics section is valid."""
    sc = load_scenario(SMALL)
    assert sc.dynamics is not None
    assert [v.id for v in sc.dynamics.variables] == ["presence", "tension", "militia", "influence"]
    assert sc.dynamics.links[0].sign == "-"


def test_iraq_2024_dynamics_is_valid_and_sourced() -> None:
    """The built-in scenario's section loads under the built-in rules (every input sourced)."""
    sc = load_scenario("iraq-2024")
    dyn = sc.dynamics
    assert dyn is not None
    assert {"status_quo", "full_withdrawal", "noncombat", "long_term_agreement"} <= {
        o.id for o in dyn.options}
    assert all(link.source is not None for link in dyn.links)


def test_unknown_variable_in_link() -> None:
    """A link to an undeclared variable names the field, the value and the known ids."""
    msg = _problems(_replace('{from: tension, to: militia', '{from: tension, to: militias'))
    assert "dynamics.links[2].to" in msg
    assert "unknown variable" in msg
    assert "'militias'" in msg
    assert "influence, militia, presence, tension" in msg
    assert "bad.yaml:43" in msg


def test_lag0_cycle_rejected() -> None:
    """A cycle of same-step links has no solution order: rejected, naming the cycle."""
    msg = _problems(_replace('{from: militia, to: influence, sign: "+", strength: 0.1, lag_months: 1}',
                             '{from: militia, to: influence, sign: "+", strength: 0.1, lag_months: 0}'))
    assert "cycle with no lag" in msg
    assert "influence -> militia -> influence" in msg
    assert "lag_months" in msg


def test_cycle_with_a_lag_is_fine() -> None:
    """The same cycle with one lagged link is accepted (the small scenario has one)."""
    assert load_scenario(SMALL).dynamics is not None


@pytest.mark.parametrize("strength", ["2.5", "-0.3"])
def test_strength_out_of_range(strength: str) -> None:
    """Strengths live in [0, 2]; the direction is the sign."""
    msg = _problems(_replace("strength: 0.4, lag_months: 0", f"strength: {strength}, lag_months: 0"))
    assert "dynamics.links[1].strength" in msg
    assert "must lie in [0, 2]" in msg


def test_strength_distribution_out_of_range() -> None:
    """The bounds of an uncertain strength are checked too."""
    msg = _problems(_replace("low: 0.2, high: 0.4}}", "low: 0.2, high: 3.0}}"))
    assert "dynamics.links[0].strength.distribution.high" in msg


def test_bad_sign_and_unknown_field() -> None:
    """Signs are + or -; unknown fields are refused."""
    msg = _problems(_replace('sign: "-", strength: {value: 0.3', 'sign: "down", strength: {value: 0.3'))
    assert "dynamics.links[0].sign" in msg
    msg = _problems(_replace("horizon_months: 24", "horizon_months: 24\n  horizon_years: 2"))
    assert "unknown field" in msg


def test_branching_ratio_must_be_subcritical() -> None:
    """n >= 1 would explode; the check names the field."""
    msg = _problems(_replace("{value: 0.5, distribution: {kind: uniform, low: 0.3, high: 0.7}}",
                             "1.2"))
    assert "dynamics.attacks.branching_ratio" in msg


def test_intervention_and_event_checks() -> None:
    """Unknown intervention variables, set values off the scale, events past the horizon."""
    msg = _problems(_replace("schedule: [[0, 60], [6, 0]]", "schedule: [[0, 60], [6, -10]]"))
    assert "interventions[0].schedule[1][1]" in msg
    msg = _problems(_replace("{variable: influence, kind: shift", "{variable: influense, kind: shift"))
    assert "interventions[0].variable" in msg
    msg = _problems(_replace("by: 2025-12", "by: 2031-12"))
    assert "events[influence_high].by" in msg
    msg = _problems(_replace("by: 2025-12", "by: Dec 2025"))
    assert "YYYY-MM" in msg
    msg = _problems(_replace("variable: attacks,", "variable: atacks,"))
    assert "or `attacks`" in msg


def test_duplicate_variable_and_unknown_forecast_issue() -> None:
    """Duplicate ids and an unknown forecast issue are reported."""
    msg = _problems(_replace("- {id: militia, name: Militia", "- {id: tension, name: Militia"))
    assert "duplicate id" in msg
    msg = _problems(_replace("forecast: {issue: presence", "forecast: {issue: troops"))
    assert "dynamics.forecast.issue" in msg


def test_builtin_rules_require_link_sources() -> None:
    """Under the built-in rules a link without a source is an error."""
    with pytest.raises(ScenarioError) as info:
        parse_scenario(TEXT, "small.yaml", builtin=True)
    assert "every causal link of a built-in scenario needs a source" in str(info.value)


def test_lag0_cycle_finder() -> None:
    """The cycle finder returns a closed path, or None for a DAG."""
    assert lag0_cycle([("a", "b"), ("b", "c")]) is None
    cyc = lag0_cycle([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")])
    assert cyc is not None and cyc[0] == cyc[-1] and set(cyc) == {"a", "b", "c"}
    assert lag0_cycle([("x", "x")]) == ["x", "x"]


def test_negbin_regime_and_correlation_checks() -> None:
    """Negative binomial counts need a dispersion; regimes name known options; correlations
    name known, uncertain numbers in (-1, 1) that hold together."""
    text = _replace("    baseline: 5\n", "    baseline: 5\n    counts: negbin\n")
    assert "need a `dispersion`" in _problems(text)
    text = _replace("    retaliation: {probability: 0.5, weight: 2}\n",
                    "    retaliation: {probability: 0.5, weight: 2}\n"
                    "    regimes:\n"
                    "      - {id: t, name: T, start: 2024-01-30, effect: -30,\n"
                    "         persistence_weeks: 10, options: [nope]}\n"
                    "    correlations:\n"
                    "      - {between: [baseline, branching_ratio], correlation: 0.5}\n"
                    "      - {between: [branching_ratio, t.effect], correlation: 1.5}\n"
                    "      - {between: [branching_ratio, gamma], correlation: 0.2}\n")
    out = _problems(text)
    assert "regimes[t].effect" in out and "[-20, 20]" in out
    assert "unknown option" in out
    assert "only a number with a distribution can be correlated" in out  # baseline: 5
    assert "must lie in (-1, 1)" in out
    assert "unknown attack number" in out


def test_correlations_must_hold_together() -> None:
    text = _replace("    baseline: 5\n", "    baseline: {value: 5, distribution: {kind: uniform, "
                    "low: 3, high: 7}}\n    deterrence_effect: {value: 0.3, distribution: "
                    "{kind: uniform, low: 0.1, high: 0.5}}\n")
    text = text.replace("    deterrence_effect: 0.3\n", "", 1)
    text = text.replace("    retaliation: {probability: 0.5, weight: 2}\n",
                        "    retaliation: {probability: 0.5, weight: 2}\n"
                        "    correlations:\n"
                        "      - {between: [baseline, branching_ratio], correlation: 0.9}\n"
                        "      - {between: [baseline, deterrence_effect], correlation: 0.9}\n"
                        "      - {between: [branching_ratio, deterrence_effect], "
                        "correlation: -0.9}\n")
    assert "cannot hold together" in _problems(text)
