"""Large scenarios: estimates before long calls, refusals that name the slow model (issue 11).

The estimates of :mod:`realpolitik.runner.cost` are orders of magnitude; these tests lower the
limits instead of building huge scenarios, so they run in a blink.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import realpolitik as rp
from realpolitik.errors import RealpolitikError
from realpolitik.runner import cost
from realpolitik.uncertainty.montecarlo import default_chunk_size, timed_chunk_size

api_forecast = sys.modules["realpolitik.api.forecast"]
SMALL = str(Path(__file__).parent / "data" / "uncertainty" / "small.yaml")


def test_estimates_grow_like_the_models_cost():
    """smp grows as n^3 per turn, eum as n^2 per round; 500 actors of smp exceed the limit."""
    assert cost.seconds("smp", 500, 2) > cost.SLOW_LIMIT_S > cost.seconds("eum", 300, 2)
    assert cost.seconds("smp", 300, 2) > 10 * cost.REPORT_AFTER_S  # reported as it runs
    assert cost.seconds("smp", 40, 1) / cost.seconds("smp", 20, 1) > 6
    assert cost.seconds("median", 300, 2, batch=1000) < 1
    assert cost.seconds("some-new-model", 10, 1, batch=2) == pytest.approx(2e-4)
    assert cost.describe(30) == "about 30 s" and cost.describe(600) == "about 10 min"


def test_a_slow_member_is_named_with_its_estimate_and_how_to_skip_it(monkeypatch):
    monkeypatch.setattr(api_forecast, "SLOW_LIMIT_S", 1e-4)
    with pytest.raises(RealpolitikError, match=r"smp \(about 1 s\).*another model.*allow_slow") as info:
        rp.forecast(SMALL)  # the ensemble: smp is a member
    assert info.value.options == ("model", "allow_slow")
    assert "median" in str(info.value)  # a fast model to use instead
    rp.forecast(SMALL, "median")  # fast enough
    rp.forecast(SMALL, allow_slow=True)  # allowed


def test_cli_refusal_names_the_flags(monkeypatch, run_cli):
    monkeypatch.setattr(api_forecast, "SLOW_LIMIT_S", 1e-4)
    code, _, err = run_cli("forecast", SMALL)
    assert code == 2 and "smp" in err and "--allow-slow" in err
    code, _, err = run_cli("forecast", SMALL, "--allow-slow", "--format", "json")
    assert code == 0, err


def test_a_long_point_forecast_reports_its_estimate(monkeypatch):
    monkeypatch.setattr(api_forecast, "REPORT_AFTER_S", 0.0)
    seen = []
    rp.forecast(SMALL, "median", progress=lambda *a: seen.append(a))
    assert [s[1:] for s in seen] == [(0, 1), (1, 1)]
    assert "estimated" in seen[0][0] and seen[0][0].startswith("median")


def test_slow_models_get_chunks_of_about_a_second():
    """Chunks shrink so that progress comes about every second; fast models keep the default."""
    assert timed_chunk_size(11, 2, 4e-3) == 256
    assert timed_chunk_size(11, 2, 1e-4) == 8192
    assert timed_chunk_size(11, 2, 1e-8) == default_chunk_size(11, 2)
