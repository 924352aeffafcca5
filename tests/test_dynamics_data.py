"""The shipped attack data and the calibration that drives iraq-2024's attack process."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest

from realpolitik.dynamics.calibrate import calibrate, check
from realpolitik.dynamics.data import (
    build_weekly,
    load_reports,
    load_strikes,
    load_weekly,
    weekly_csv_text,
)
from realpolitik.scenario.loader import load_scenario


def test_weekly_file_is_built_from_the_reports() -> None:
    """attacks_2023_2024.csv is exactly what build_weekly() makes from the cited reports."""
    shipped = (resources.files("realpolitik") / "data" / "attacks_2023_2024.csv").read_text("utf-8")
    assert shipped == weekly_csv_text(build_weekly())


def test_reports_are_cited_and_consistent() -> None:
    """Every report and strike names a source; totals never fall; weekly counts sum to them."""
    reports = load_reports()
    assert all(r.source_id and r.where for r in reports)
    assert all(s.source_id and s.facilities > 0 for s in load_strikes())
    cum = [r.cumulative for r in reports]
    assert cum == sorted(cum)
    weekly = load_weekly()
    assert weekly.counts.sum() == reports[-1].cumulative == 170
    assert np.all(weekly.counts >= 0)
    # the weekly cumulative total meets every report dated at a week's end
    ends = {row["week_end"]: row["cumulative"] for row in build_weekly()}
    for r in reports:
        if r.date.isoformat() in ends:
            assert ends[r.date.isoformat()] == r.cumulative


def test_iraq_2024_attack_parameters_are_the_fit() -> None:
    """The scenario stores the calibration's estimates and standard errors (not hand-set numbers)."""
    cal = calibrate()
    att = load_scenario("iraq-2024").dynamics.attacks
    fit = cal.fit
    pairs = {"mu": att.baseline, "n": att.branching_ratio, "gamma": att.deterrence_effect,
             "tau": att.deterrence_weeks}
    for name, value in pairs.items():
        assert value.point == pytest.approx(fit.estimate[name], rel=2e-3), name
        assert value.distribution.sd == pytest.approx(fit.se[name], rel=1e-2), name
    assert att.kernel_decay.point == fit.value("rho")
    assert att.initial_deterrence.point == pytest.approx(cal.deterrence_at_end(), rel=2e-3)
    p, w = cal.retaliation()
    assert att.retaliation.probability.point == pytest.approx(p)
    assert att.retaliation.weight.point == pytest.approx(w, rel=2e-3)


def test_fit_checks_against_the_data() -> None:
    """The fitted process covers at least 80% of observed weeks in its 90% band (it does: 100%)."""
    cal = calibrate()
    assert cal.fit.converged
    res = check(cal, samples=400, seed=1)
    assert res.coverage >= 0.8
    assert res.low.shape == res.observed.shape == (26,)


def test_fit_on_reported_weeks_only_misses_the_lull() -> None:
    """Fitted to the reported weeks only, the model expects attacks to resume in March 2024.

    This documents a limitation rather than a success: the out-of-sample weeks after 19 Feb lie
    outside the band (see docs/dynamics.md).
    """
    cal = calibrate(include_assumed=False)
    res = check(cal, samples=400, seed=1)
    assert res.inside[:16].mean() > 0.8
    assert res.inside[18:].mean() < 0.5
