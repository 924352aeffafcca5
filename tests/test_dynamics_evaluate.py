"""Rolling-origin evaluation and the count-model variants (realpolitik.dynamics.countfit)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from realpolitik.dynamics import countfit
from realpolitik.dynamics.countfit import CountFit, Data, Regime
from realpolitik.dynamics.evaluate import BASELINES, LEVELS, baseline_pmf, evaluate
from realpolitik.errors import RealpolitikError

WEEK0 = dt.date(2023, 1, 3)


def _weeks(n: int) -> list[dt.date]:
    return [WEEK0 + dt.timedelta(days=7 * i) for i in range(n)]


@given(st.floats(0.0, 40.0), st.floats(0.05, 50.0), st.floats(1e-6, 0.999))
@settings(max_examples=150, deadline=None)
def test_negbin_icdf_matches_scipy(lam: float, k: float, u: float) -> None:
    got = countfit.negbin_icdf(np.array([u]), np.array([lam]), np.array([k]))[0]
    want = stats.nbinom.ppf(u, k, k / (k + lam)) if lam > 0 else 0.0
    assert got == pytest.approx(want)


def test_log_pmf_matches_scipy() -> None:
    y = np.arange(30.0)
    np.testing.assert_allclose(countfit.log_pmf(y, np.full(30, 4.0), 1.5),
                               stats.nbinom.logpmf(y, 1.5, 1.5 / 5.5), rtol=1e-10)
    np.testing.assert_allclose(countfit.log_pmf(y, np.full(30, 4.0), None),
                               stats.poisson.logpmf(y, 4.0), rtol=1e-10)


def test_regime_exposure_by_hand() -> None:
    """A regime starting on day 3 of week 1: 5/7 of week 1, decaying from the week's middle."""
    weeks = _weeks(4)
    s = countfit.regime_exposure(weeks, WEEK0 + dt.timedelta(days=9), 1e9)
    np.testing.assert_allclose(s, [0.0, 5 / 7, 1.0, 1.0])
    s = countfit.regime_exposure(weeks, WEEK0 + dt.timedelta(days=7), 2.0)
    np.testing.assert_allclose(s, [0.0, np.exp(-0.25), np.exp(-0.75), np.exp(-1.25)])


def _series(params: dict[str, float], family: str, n: int, seed: int, *,
            strikes: np.ndarray | None = None, regimes: tuple[Regime, ...] = ()) -> Data:
    weeks = _weeks(n)
    w = np.zeros(n) if strikes is None else strikes
    y = countfit.simulate(params, family, weeks, w, np.random.default_rng(seed).random((1, n)),
                          regimes)[0]
    return Data(y, w, tuple(weeks), regimes)


@pytest.mark.parametrize(("variant", "family", "truth"), [
    ("hawkes", "poisson", {"mu": 3.0, "n": 0.5}),
    ("negbin", "negbin", {"mu": 3.0, "n": 0.5, "k": 3.0}),
])
def test_fit_recovers_known_parameters(variant: str, family: str, truth: dict[str, float]) -> None:
    """A long simulated series: every estimate within 3 standard errors of the truth."""
    data = _series(truth, family, 1500, seed=5)
    cf = countfit.fit(data, variant)
    assert cf.converged
    for name, value in truth.items():
        assert abs(cf.estimate[name] - value) < 3 * cf.se[name], (name, cf.estimate, cf.se)
    assert cf.se["n"] < 0.1


def test_fit_recovers_deterrence_and_regime() -> None:
    """negbin-regime on 400 weeks with strikes and a suspension: all six parameters recovered."""
    rng = np.random.default_rng(8)
    strikes = (rng.random(400) < 0.1) * 2.0
    reg = (Regime("truce", WEEK0 + dt.timedelta(days=7 * 200)),)
    truth = {"mu": 6.0, "n": 0.4, "gamma": 0.3, "tau": 4.0, "k": 4.0,
             "effect:truce": -1.5, "persistence:truce": 60.0}
    data = _series(truth, "negbin", 400, seed=9, strikes=strikes, regimes=reg)
    cf = countfit.fit(data, "negbin-regime")
    assert cf.converged
    for name, value in truth.items():
        assert abs(cf.estimate[name] - value) < 3 * cf.se[name], (name, cf.estimate, cf.se)


def test_draws_keep_the_correlations() -> None:
    """Parameter draws reproduce the fit's covariance, off-diagonal terms included."""
    data = _series({"mu": 3.0, "n": 0.6, "k": 2.0}, "negbin", 200, seed=2)
    cf = countfit.fit(data, "negbin")
    normals = np.random.default_rng(0).standard_normal((20000, len(cf.names)))
    thetas = np.column_stack([np.log(cf.draw(normals)["mu"]),
                              np.log(cf.draw(normals)["n"] / (1 - cf.draw(normals)["n"]))])
    emp = np.corrcoef(thetas.T)[0, 1]
    assert abs(cf.correlation()[0, 1]) > 0.3  # mu and n trade off
    assert emp == pytest.approx(cf.correlation()[0, 1], abs=0.03)


def test_forecast_batch_element_equals_alone() -> None:
    """simulate(): a row of a batch is the same path as that row alone (every family)."""
    u = np.random.default_rng(3).random((6, 30))
    weeks = _weeks(30)
    for family, p in (("poisson", {"mu": 3.0, "n": 0.5}),
                      ("negbin", {"mu": 3.0, "n": 0.5, "k": 1.5})):
        batch = countfit.simulate(p, family, weeks, np.zeros(30), u)
        for b in range(6):
            np.testing.assert_array_equal(batch[b], countfit.simulate(
                p, family, weeks, np.zeros(30), u[b:b + 1])[0])


def test_baselines() -> None:
    train = np.array([2.0, 4.0, 6.0, 0.0])
    pers = baseline_pmf("persistence", train, 2)
    assert pers.shape == (2, countfit.SUPPORT)
    assert pers[0, 0] == pytest.approx(np.exp(-0.1))  # last week zero: the floor
    nb = baseline_pmf("negbin-mean", train, 1)[0]
    y = np.arange(countfit.SUPPORT)
    assert np.sum(y * nb) == pytest.approx(3.0, rel=1e-6)
    assert np.sum((y - 3.0) ** 2 * nb) == pytest.approx(np.var(train, ddof=1), rel=1e-4)
    with pytest.raises(RealpolitikError, match="unknown baseline"):
        baseline_pmf("nope", train, 1)


def test_true_model_wins_its_proper_scores() -> None:
    """Synthetic negative binomial self-exciting series: the generating process beats every
    baseline and the fitted variant in CRPS and log score; the fitted variant beats every
    baseline too; its bands cover about as often as they should."""
    truth = {"mu": 2.0, "n": 0.6, "k": 2.0}
    data = _series(truth, "negbin", 48, seed=2)
    ev = evaluate(data.counts, data.strikes, data.week_start, variants=("negbin",), horizon=1,
                  samples=100, seed=0, truth=CountFit.known("negbin", truth))
    res = ev.results
    assert set(res) == {"negbin", "truth", *BASELINES}
    assert res["truth"].origin.size == 40
    for name in ("negbin", *BASELINES):
        assert res["truth"].mean_crps() < res[name].mean_crps(), name
        assert res["truth"].mean_log() < res[name].mean_log(), name
    for name in BASELINES:
        assert res["negbin"].mean_crps() < res[name].mean_crps(), name
        assert res["negbin"].mean_log() < res[name].mean_log(), name
    assert ev.chosen == "negbin"
    for level in LEVELS:
        assert abs(res["truth"].coverage(level) - level) < 0.2


def test_evaluation_is_reproducible_and_checks_its_input() -> None:
    data = _series({"mu": 2.0, "n": 0.3}, "poisson", 12, seed=1)
    args = (data.counts, data.strikes, data.week_start)
    a = evaluate(*args, variants=("hawkes",), horizon=2, samples=30, seed=4)
    b = evaluate(*args, variants=("hawkes",), horizon=2, samples=30, seed=4)
    np.testing.assert_array_equal(a.results["hawkes"].crps, b.results["hawkes"].crps)
    # origins 8..11, horizons 1-2 where weeks remain: 2 + 2 + 2 + 1
    assert a.results["hawkes"].crps.size == 7
    with pytest.raises(RealpolitikError, match="first cut point"):
        evaluate(*args, first_origin=12)
    with pytest.raises(RealpolitikError, match="unknown model variant"):
        evaluate(*args, variants=("nope",))


def test_builtin_series_late_cut_points() -> None:
    """The built-in series (fast: the last three cut points, one week ahead): once the suspension
    is known, the regime variant forecasts the quiet weeks; the in-sample mean baselines cannot."""
    from realpolitik.api.dynamics import evaluate_dynamics

    ev = evaluate_dynamics("iraq-2024", variants=("negbin-regime",), first_origin=23, horizon=1,
                           samples=50, seed=0)
    res = ev.results
    assert res["negbin-regime"].crps.size == 3
    assert np.all(res["negbin-regime"].outcome == 0)
    assert res["negbin-regime"].mean_crps() < res["poisson-mean"].mean_crps()
    assert res["negbin-regime"].mean_crps() < res["negbin-mean"].mean_crps()
    assert res["negbin-regime"].coverage(0.5) == 1.0


@pytest.mark.slow
def test_builtin_series_full_evaluation() -> None:
    """The acceptance run (docs/dynamics.md, Forecast evaluation): every cut point from week 8,
    1-4 weeks ahead. The regime variant is chosen, beats every baseline in CRPS and log score;
    its 90% band covers within 10 points of nominal; its 50% band over-covers (the miss the
    docs explain)."""
    from realpolitik.api.dynamics import CHOSEN_VARIANT, evaluate_dynamics
    from realpolitik.dynamics.evaluate import load_summary, summary

    ev = evaluate_dynamics("iraq-2024", samples=200, seed=0)
    fresh, shipped = summary(ev), load_summary()  # the shipped summary the report quotes
    assert {k: v for k, v in fresh.items() if k != "models"} == \
        {k: v for k, v in shipped.items() if k != "models"}
    for name, scores in shipped["models"].items():
        got = fresh["models"][name]
        for key in ("crps", "crps_1week", "log_score"):
            assert got[key] == pytest.approx(scores[key], abs=2e-3), (name, key)
        assert got["coverage"] == scores["coverage"], name
    assert ev.chosen == CHOSEN_VARIANT
    ch = ev.results[ev.chosen]
    assert ch.crps.size == 66
    for name in BASELINES:
        assert ch.mean_crps() < ev.results[name].mean_crps(), name
        assert ch.mean_log() < ev.results[name].mean_log(), name
    assert abs(ch.coverage(0.9) - 0.9) <= 0.1
    assert ch.coverage(0.5) > 0.6
    # the original Hawkes process is the worst of the three variants
    assert ev.results["hawkes"].mean_crps() > ev.results["negbin"].mean_crps() > ch.mean_crps()


def test_report_and_dashboard_say_how_the_model_scored() -> None:
    """The report's dynamics section (HTML) and the dashboard's JSON carry the shipped
    out-of-sample scores; the sentence quotes the shipped summary's numbers."""
    from realpolitik.api.dynamics import out_of_sample_note
    from realpolitik.api.report import dynamics
    from realpolitik.api.report_export import dynamics_json
    from realpolitik.dynamics.evaluate import load_summary
    from realpolitik.presentation.html import options_section
    from realpolitik.scenario.loader import load_scenario

    s = load_summary()
    note = out_of_sample_note()
    chosen = s["models"][s["chosen"]]
    assert f"{chosen['crps']:.2f}" in note and s["chosen"] in note
    res = dynamics(load_scenario("iraq-2024"), samples=10, seed=0, options=["status_quo"])
    assert res.scored == note
    assert dynamics_json(res)["scored"] == note
    assert "Out of sample" in options_section(res)
