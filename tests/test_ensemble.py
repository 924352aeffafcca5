"""The ensemble model: the mean of the other collective models, with their spread."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from rich.console import Console

from model_helpers import random_input
from realpolitik.errors import ModelError
from realpolitik.models import ensemble as ens
from realpolitik.models.base import BargainingOutcome
from realpolitik.models.registry import get_model, list_models
from realpolitik.presentation.traces import ensemble_table


@pytest.fixture(scope="module")
def inp():
    return random_input(4, batch=3, n=4, d=2)


@pytest.fixture(scope="module")
def outcome(inp):
    return ens.ensemble(inp, seed=9)


def test_members_are_the_other_collective_models():
    """Every registered collective model but the ensemble, in listing order."""
    names = [s.name for s in ens.member_specs()]
    expected = [s.name for s in list_models() if s.collective and s.name != "ensemble"]
    assert names == expected
    assert "ensemble" not in names and "nash" in names and "compromise" in names


def test_forecast_is_the_mean_of_members_run_separately(inp, outcome):
    """Each member run on its own with its derived seed; the ensemble is their plain mean."""
    separate = [
        np.asarray(s.fn(inp, seed=ens.member_seed(9, s.name)).forecast) for s in ens.member_specs()
    ]
    np.testing.assert_allclose(np.asarray(outcome.forecast), np.mean(separate, axis=0), rtol=1e-12)
    for spec, f in zip(ens.member_specs(), separate, strict=True):
        np.testing.assert_allclose(np.asarray(outcome.extra[spec.name]), f, rtol=1e-12)


def test_shapes_and_spread(inp, outcome):
    """Forecast (B, d); every member and spread entry (B, d); min <= mean <= max."""
    b, d = inp.batch, inp.n_issues
    assert np.asarray(outcome.forecast).shape == (b, d)
    assert ens.member_names(outcome) == [s.name for s in ens.member_specs()]
    for key in [*ens.member_names(outcome), *ens.SPREAD_KEYS]:
        assert np.asarray(outcome.extra[key]).shape == (b, d)
    f = np.asarray(outcome.forecast)
    lo, hi = np.asarray(outcome.extra["spread_min"]), np.asarray(outcome.extra["spread_max"])
    assert (lo <= f + 1e-12).all() and (f <= hi + 1e-12).all()
    members = np.stack([np.asarray(outcome.extra[k]) for k in ens.member_names(outcome)])
    np.testing.assert_allclose(np.asarray(outcome.extra["spread_std"]), members.std(axis=0))


def test_median_combination(inp, outcome):
    """``combine="median"`` takes the median of the member forecasts."""
    med = ens.ensemble(inp, seed=9, combine="median")
    members = np.stack([np.asarray(outcome.extra[k]) for k in ens.member_names(outcome)])
    np.testing.assert_allclose(np.asarray(med.forecast), np.median(members, axis=0), rtol=1e-12)


def test_unknown_combination_is_a_model_error(inp):
    """A typo in ``combine`` is a clear error, not a silent default."""
    with pytest.raises(ModelError, match="combine"):
        ens.ensemble(inp, combine="mode")


def test_skips_non_collective_models(monkeypatch, inp):
    """A registered model with ``collective=False`` is not a member."""
    from realpolitik.models import registry

    real = registry.list_models()
    fake = replace(get_model("compromise"), name="not-collective", collective=False)
    monkeypatch.setattr(registry, "list_models", lambda: [*real, fake])
    assert "not-collective" not in [s.name for s in ens.member_specs()]


def test_member_seeds():
    """Seeds differ by member, repeat for the same seed, and None stays None."""
    assert ens.member_seed(None, "eum") is None
    assert ens.member_seed(1, "eum") == ens.member_seed(1, "eum")
    assert ens.member_seed(1, "eum") != ens.member_seed(1, "smp")
    assert ens.member_seed(1, "eum") != ens.member_seed(2, "eum")


def test_table_lists_members_and_spread(outcome):
    """The table has a row per member, the ensemble and the spread."""
    console = Console(record=True, width=120)
    console.print(ensemble_table(outcome, ("troops", "timeline")))
    text = console.export_text()
    for name in [*ens.member_names(outcome), "ensemble", "spread: min", "spread: std", "troops"]:
        assert name in text


def test_table_of_a_batch_averages_over_the_batch():
    """Cells are batch means."""
    out = BargainingOutcome(
        forecast=np.array([[10.0], [20.0]]),
        extra={
            "a": np.array([[0.0], [10.0]]),
            "b": np.array([[20.0], [30.0]]),
            "spread_min": np.array([[0.0], [10.0]]),
            "spread_max": np.array([[20.0], [30.0]]),
            "spread_std": np.array([[10.0], [10.0]]),
        },
    )
    console = Console(record=True, width=80)
    console.print(ensemble_table(out))
    text = console.export_text()
    assert "15.0" in text and "5.0" in text and "25.0" in text
