"""Monte Carlo runs of the ensemble: every member on the same samples (issue 11, item 4).

``forecast(..., samples=N)`` with the ensemble (the default model) runs the ensemble on each
sample, and the distribution keeps each member's forecasts of those samples. These tests check
that the members' distributions are the ones each model gives alone on the same samples and
that the CLI says which model it shows; they do not check how the ensemble combines its
members (that is the ensemble's own rule, tested in tests/test_ensemble.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import realpolitik as rp
from realpolitik.errors import RealpolitikError
from realpolitik.models.ensemble import member_specs
from realpolitik.uncertainty.montecarlo import simulate

SMALL = str(Path(__file__).parent / "data" / "uncertainty" / "small.yaml")


@pytest.fixture(scope="module")
def small():
    return rp.load_scenario(SMALL)


@pytest.fixture(scope="module")
def ensemble_run(small):
    return simulate(small, "ensemble", 120, seed=4, chunk_size=50, workers=2)


def test_members_are_the_models_alone_on_the_same_samples(small, ensemble_run):
    """Each member's forecasts equal that model's own Monte Carlo run with the seed."""
    names = [s.name for s in member_specs()]
    assert list(ensemble_run.members) == names
    for name in names:
        alone = simulate(small, name, 120, seed=4)
        np.testing.assert_array_equal(ensemble_run.members[name], alone.values)
        np.testing.assert_array_equal(ensemble_run.member(name).values, alone.values)
    with pytest.raises(RealpolitikError, match="no member"):
        ensemble_run.member("ensemble")
    assert ensemble_run.values.shape == (120, len(small.issues))
    doc = ensemble_run.to_json()
    assert set(doc["members"]) == set(names)
    assert doc["members"]["median"][0]["id"] == small.issue_ids[0]


def test_a_single_model_run_has_no_members(small):
    dist = simulate(small, "median", 60, seed=1)
    assert dist.members == {}
    assert "members" not in dist.to_json()


def test_cli_runs_the_ensemble_on_the_samples(run_cli):
    """No silent switch to another model: the table names the ensemble and its members."""
    code, out, err = run_cli("forecast", SMALL, "--samples", "60", "--quiet")
    assert code == 0, err
    assert "model ensemble" in out
    assert "Members of the ensemble on the same samples" in out
    assert "note: Monte Carlo runs" not in err
    code, out, _ = run_cli("forecast", SMALL, "--samples", "60", "--format", "json", "--quiet")
    doc = json.loads(out)
    assert doc["model"] == "ensemble" and doc["distribution"]["model"] == "ensemble"
    assert "eum" in doc["distribution"]["members"]


def test_run_chunks_keeps_extra_entries_in_every_path(small):
    """``keep``: the named extra entries come back beside the forecasts, chunked or blocked."""
    from realpolitik.runner import run_chunks, run_model
    from realpolitik.seeds import chunk_seed
    from realpolitik.uncertainty.sampling import sample_inputs

    def make(a, b):
        return sample_inputs(small, b - a, 3, start=a)

    d = len(small.issues)
    for params, chunk in (({}, 7), ({"transitions": "stochastic"}, 300)):
        out = run_chunks("smp", make, 40, seed=0, chunk_size=chunk, params=params,
                         keep=("expected_outcome",), block=40)
        assert out.shape == (40, 2 * d)
        ref = run_chunks("smp", make, 40, seed=0, chunk_size=chunk, params=params, block=40)
        np.testing.assert_array_equal(out[:, :d], ref)
        # one stream block of 40 rows: the same call as the whole batch with the block's seed
        seed = 0 if not params else chunk_seed(0, 0)
        whole = run_model("smp", make(0, 40), seed=seed, params=params)
        np.testing.assert_array_equal(out[:, d:], whole.extra["expected_outcome"])
