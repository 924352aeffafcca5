"""The dynamics simulation: reproducibility, batch invariance, interventions, lags, events."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from realpolitik.api.dynamics import simulate as run
from realpolitik.dynamics.engine import forecast_option, resolve, summary_frame
from realpolitik.dynamics.model import STEPS_PER_MONTH, event_probability, simulate
from realpolitik.errors import RealpolitikError
from realpolitik.scenario.loader import load_scenario
from realpolitik.scenario.sections.dynamics import Dynamics, ThresholdEvent

SMALL = Path(__file__).parent / "data" / "dynamics" / "small.yaml"
START = dt.date(2024, 4, 14)


@pytest.fixture(scope="module")
def small():
    return load_scenario(SMALL)


def test_child_streams_are_spawned_children() -> None:
    """Sample k's stream is SeedSequence(seed).spawn(k + 1)[k]."""
    a = np.random.default_rng(np.random.SeedSequence(11).spawn(5)[4]).random(4)
    b = np.random.default_rng(np.random.SeedSequence(11, spawn_key=(4,))).random(4)
    np.testing.assert_array_equal(a, b)


def test_batch_element_equals_sample_alone(small) -> None:
    """Element k of a batch of B equals a run of sample k alone, for every output."""
    dyn = small.dynamics
    opt = dyn.option("withdraw")
    batch = simulate(dyn, opt, start=START, samples=7, seed=3)
    for k in (0, 4, 6):
        alone = simulate(dyn, opt, start=START, seed=3, sample_ids=[k])
        np.testing.assert_array_equal(batch.states[k], alone.states[0])
        np.testing.assert_array_equal(batch.attacks[k], alone.attacks[0])
        np.testing.assert_array_equal(batch.strikes[k], alone.strikes[0])
        np.testing.assert_array_equal(batch.intensity[k], alone.intensity[0])


def test_same_seed_same_result_other_seed_differs(small) -> None:
    """Determinism for a seed; a different seed gives different paths."""
    dyn = small.dynamics
    a = simulate(dyn, None, start=START, samples=20, seed=1)
    b = simulate(dyn, None, start=START, samples=20, seed=1)
    c = simulate(dyn, None, start=START, samples=20, seed=2)
    np.testing.assert_array_equal(a.states, b.states)
    np.testing.assert_array_equal(a.attacks, b.attacks)
    assert not np.array_equal(a.states, c.states)


def test_shapes_and_scale(small) -> None:
    """Monthly states (B, M+1, V), monthly attacks (B, M); states stay on their scales."""
    tr = simulate(small.dynamics, None, start=START, samples=30, seed=0, horizon_months=10)
    assert tr.states.shape == (30, 11, 4)
    assert tr.attacks.shape == (30, 10)
    assert np.all((tr.states >= 0) & (tr.states <= 100))
    assert np.all(tr.attacks >= 0) and np.all(tr.attacks == np.round(tr.attacks))
    assert np.isfinite(tr.intensity).all()


def test_set_intervention_follows_schedule(small) -> None:
    """`set` forces the schedule (linear in between); attacks stop once there are no targets."""
    dyn = small.dynamics
    tr = simulate(dyn, dyn.option("withdraw"), start=START, samples=50, seed=0)
    presence = tr.variable("presence")
    np.testing.assert_allclose(presence[:, 3], 30.0)
    np.testing.assert_allclose(presence[:, 6:], 0.0)
    # zero exposure: background zero; excitation dies out within a few steps
    assert tr.attacks[:, 8:].sum() == 0


def test_shift_intervention_common_random_numbers(small) -> None:
    """Options share their random numbers, so the shift's effect is visible sample by sample."""
    dyn = small.dynamics
    base = simulate(dyn, None, start=START, samples=40, seed=5)
    shifted = simulate(dyn, dyn.option("shift_influence"), start=START, samples=40, seed=5)
    np.testing.assert_array_equal(base.variable("tension"), shifted.variable("tension"))
    diff = shifted.variable("influence")[:, -1] - base.variable("influence")[:, -1]
    # -20 on the target, fed back through militia (+0.4 then +0.1): about -20 / (1 - 0.04)
    assert diff.mean() == pytest.approx(-20.8, abs=1.0)


def test_link_lag_delays_the_effect() -> None:
    """A link with a 3-month lag moves its target only 3 months after the source moves."""
    dyn = Dynamics.model_validate({
        "horizon_months": 8,
        "variables": [
            {"id": "a", "name": "A", "meaning": "m", "initial": 0},
            {"id": "b", "name": "B", "meaning": "m", "initial": 20, "adjustment_months": 0.05},
        ],
        "links": [{"from": "a", "to": "b", "sign": "+", "strength": 0.5, "lag_months": 3}],
        "options": [{"id": "step", "name": "step", "interventions": [
            {"variable": "a", "kind": "set", "schedule": [[0, 0], [1, 0], [1.25, 40]]}]}],
    })
    tr = simulate(dyn, dyn.option("step"), start=START, samples=2, seed=0)
    b = tr.variable("b")
    np.testing.assert_allclose(b[:, :5], 20.0)          # a moved at month 1.25: nothing until 4.25
    np.testing.assert_allclose(b[:, 6], 40.0, atol=1e-6)  # then b -> 20 + 0.5 * 40


def test_same_step_link_acts_within_the_step() -> None:
    """A lag-0 link reads the source's value of the same step (update order by the links)."""
    dyn = Dynamics.model_validate({
        "horizon_months": 2,
        "variables": [
            {"id": "late", "name": "late", "meaning": "m", "initial": 10, "adjustment_months": 0.01},
            {"id": "early", "name": "early", "meaning": "m", "initial": 0},
        ],
        "links": [{"from": "early", "to": "late", "sign": "+", "strength": 1.0, "lag_months": 0}],
        "options": [{"id": "jump", "name": "jump", "interventions": [
            {"variable": "early", "kind": "set", "schedule": [[0, 0], [0.25, 30]]}]}],
    })
    tr = simulate(dyn, dyn.option("jump"), start=START, samples=1, seed=0, horizon_months=1)
    assert STEPS_PER_MONTH == 4
    assert tr.variable("late")[0, 1] == pytest.approx(40.0, abs=1e-6)


def test_event_probability_reads_the_right_month(small) -> None:
    """`at` reads the state at the end of the month; `ever` looks at every month up to it."""
    dyn = small.dynamics
    tr = simulate(dyn, dyn.option("withdraw"), start=START, samples=100, seed=2)
    # by 2024-07: the last month ending by 31 July is month 3 (to 14 July): presence 30
    at = ThresholdEvent(id="p", variable="presence", direction="below", threshold=25, by="2024-07")
    assert event_probability(tr, at) == 0.0
    # by 2024-08: month 4 (to 13 August): presence 20
    later = ThresholdEvent(id="p", variable="presence", direction="below", threshold=25, by="2024-08")
    assert event_probability(tr, later) == 1.0
    ever = ThresholdEvent(id="a", variable="attacks", direction="above", threshold=-1,
                          by="2024-06", mode="ever")
    assert event_probability(tr, ever) == 1.0


def test_engine_resolves_options_and_summarises(small) -> None:
    """`all` adds the implicit status quo; unknown names fail with the list of options."""
    names = [opt.id if opt else "status_quo" for opt, _ in resolve(small, ["all"])]
    assert names == ["status_quo", "withdraw", "shift_influence"]
    with pytest.raises(RealpolitikError, match="options are: status_quo, withdraw"):
        resolve(small, ["surge"])
    results = run(small, ["withdraw", "status_quo"], samples=20, seed=0, horizon_months=6)
    frame = summary_frame(results, small)
    assert set(frame["option"]) == {"withdraw", "status_quo"}
    assert "influence_high" in set(frame["id"])


def test_forecast_option_maps_the_bargaining_forecast(small) -> None:
    """The forecast of the presence issue becomes the presence variable's target."""
    from realpolitik.api import forecast

    path = forecast_option(small, "median", seed=0)
    assert path.issue_forecast == pytest.approx(forecast(small, "median").forecast["presence"])
    tr = simulate(small.dynamics, path.option, start=START, samples=3, seed=0)
    np.testing.assert_allclose(tr.variable("presence")[:, 6:], path.target)


def test_iraq_2024_options_differ_in_the_expected_direction() -> None:
    """Under full withdrawal Iran's influence ends higher and attacks on U.S. forces lower."""
    sc = load_scenario("iraq-2024")
    sq, wd = run(sc, ["status_quo", "full_withdrawal"], samples=200, seed=0)
    assert np.median(wd.variable("iran_influence")[:, -1]) > np.median(sq.variable("iran_influence")[:, -1]) + 5
    assert wd.attacks[:, 12:].mean() < sq.attacks[:, 12:].mean()


VARIANT_TEXT = (SMALL.read_text(encoding="utf-8")
                .replace("    baseline: 5\n", "    baseline: {value: 5, distribution: "
                         "{kind: uniform, low: 3, high: 7}}\n    counts: negbin\n"
                         "    dispersion: 2\n")
                .replace("    retaliation: {probability: 0.5, weight: 2}\n",
                         "    retaliation: {probability: 0.5, weight: 2}\n"
                         "    regimes:\n"
                         "      - {id: truce, name: A truce, start: 2024-04-01, effect: -5,\n"
                         "         persistence_weeks: {value: 20, distribution: {kind: uniform,"
                         " low: 10, high: 30}}, options: [quiet]}\n"
                         "    correlations:\n"
                         "      - {between: [baseline, branching_ratio], correlation: 0.8}\n"
                         "      - {between: [baseline, truce.persistence_weeks], "
                         "correlation: -0.3}\n")
                .replace("  options:\n", "  options:\n    - {id: quiet, name: Quiet}\n", 1))


@pytest.fixture(scope="module")
def variant():
    from realpolitik.scenario.loader import parse_scenario

    return parse_scenario(VARIANT_TEXT, "variant.yaml")


def test_negbin_regime_batch_element_equals_sample_alone(variant) -> None:
    """Negative binomial counts, a regime and correlated inputs keep batch invariance."""
    dyn = variant.dynamics
    assert dyn.attacks.counts == "negbin" and dyn.attacks.regimes[0].id == "truce"
    for opt in (None, dyn.option("quiet")):
        batch = simulate(dyn, opt, start=START, samples=6, seed=5, horizon_months=12)
        for k in (0, 5):
            alone = simulate(dyn, opt, start=START, seed=5, sample_ids=[k], horizon_months=12)
            np.testing.assert_array_equal(batch.attacks[k], alone.attacks[0])
            np.testing.assert_array_equal(batch.states[k], alone.states[0])


def test_regime_acts_only_under_its_options(variant) -> None:
    """The truce regime (effect -5, from before the start) cuts attacks under `quiet` only;
    the state paths are the same (common random numbers)."""
    dyn = variant.dynamics
    sq = simulate(dyn, None, start=START, samples=200, seed=1, horizon_months=6)
    quiet = simulate(dyn, dyn.option("quiet"), start=START, samples=200, seed=1,
                     horizon_months=6)
    np.testing.assert_array_equal(sq.states, quiet.states)
    assert quiet.attacks[:, 0].mean() < 0.05 * sq.attacks[:, 0].mean()
    assert quiet.attacks.sum() < sq.attacks.sum()


def test_negbin_counts_are_overdispersed(variant) -> None:
    """With dispersion 2 a step's count varies more than a Poisson count of the same mean."""
    from realpolitik.dynamics.countfit import draw_counts

    u = np.random.default_rng(0).random(40000)
    lam = np.full(u.size, 4.0)
    nb = draw_counts(u, lam, np.full(u.size, 2.0))
    assert nb.mean() == pytest.approx(4.0, abs=0.1)
    assert nb.var() == pytest.approx(4.0 + 16.0 / 2.0, rel=0.08)
    assert draw_counts(u, lam, None).var() == pytest.approx(4.0, rel=0.05)


def test_correlated_inputs_keep_marginals(variant) -> None:
    """The Gaussian copula: uniform marginals stay uniform; normal scores get the correlation."""
    from scipy import special, stats

    from realpolitik.dynamics import model

    plan = model._plan(variant.dynamics)
    u = np.random.default_rng(2).random((20000, len(plan.inputs.values)))
    par = plan.inputs.draw(u)
    mu = par[:, plan.attacks["mu"]]
    n = par[:, plan.attacks["n"]]
    assert stats.kstest((mu - 3) / 4, "uniform").pvalue > 0.01
    assert stats.kstest((n - 0.3) / 0.4, "uniform").pvalue > 0.01
    z = special.ndtri(np.column_stack([(mu - 3) / 4, (n - 0.3) / 0.4]))
    assert np.corrcoef(z.T)[0, 1] == pytest.approx(0.8, abs=0.02)
    per = par[:, plan.attacks["regimes"][0][2]]
    assert np.corrcoef(special.ndtri((mu - 3) / 4), special.ndtri((per - 10) / 20))[0, 1] == \
        pytest.approx(-0.3, abs=0.03)
