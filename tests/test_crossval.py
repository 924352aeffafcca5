"""Cross-validated backtest of several data sets, the weights file and the weighted ensemble."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

import realpolitik as rp
from realpolitik.api.calibration import weights_for
from realpolitik.backtest.crossval import EQUAL, STACKED, build_pool, crossval_pool, run_crossval
from realpolitik.backtest.dataset import load_dataset
from realpolitik.backtest.weights import (
    REGENERATE,
    default_path,
    load_weights,
    resolve_weights,
    weights_document,
)
from realpolitik.errors import ModelError, RealpolitikError
from realpolitik.models.ensemble import member_specs
from realpolitik.models.registry import get_model
from realpolitik.runner import run_model


def _write_set(folder: Path, n_proposals: int, seed: int, scale: tuple[float, float]) -> Path:
    """A synthetic data set: outcomes near the salience-weighted mean of 5 actors."""
    rng = np.random.default_rng(seed)
    lo, hi = scale
    folder.mkdir(parents=True)
    with (folder / "issues.csv").open("w", newline="") as fi, \
            (folder / "actors.csv").open("w", newline="") as fa:
        wi, wa = csv.writer(fi), csv.writer(fa)
        wi.writerow(["issue_id", "outcome", "status_quo", "lower", "upper", "proposal",
                     "procedure"])
        wa.writerow(["issue_id", "actor", "position", "salience", "capability"])
        for p in range(n_proposals):
            for k in range(2):
                iid = f"p{p}i{k}"
                pos = rng.uniform(lo, hi, 5)
                sal = rng.uniform(0.1, 1.0, 5)
                mean = float(np.sum(pos * sal) / sal.sum())
                out = float(np.clip(mean + rng.normal(0, 0.05 * (hi - lo)), lo, hi))
                wi.writerow([iid, f"{out:.6g}", f"{lo:g}", lo, hi, f"prop{p}",
                             "A" if p % 2 else "B"])
                for a in range(5):
                    wa.writerow([iid, f"a{a}", f"{pos[a]:.6g}", f"{sal[a]:.4g}", 1])
    return folder


@pytest.fixture(scope="module")
def two_sets(tmp_path_factory: pytest.TempPathFactory) -> list:
    root = tmp_path_factory.mktemp("cv")
    return [load_dataset(_write_set(root / "alpha", 30, 1, (0, 100))),
            load_dataset(_write_set(root / "beta", 12, 2, (4, 10)))]


def test_pool_crossval_reports_each_set_and_the_pool(two_sets: list) -> None:
    result = run_crossval(two_sets, ["compromise", "median"], folds=5, n_boot=200)
    pool = result.pool
    assert pool.datasets == ("alpha", "beta")
    assert result.n() == 84 and result.n("alpha") == 60 and result.n("beta") == 24
    # groups are "<data set>:<proposal>": the same proposal name in two sets stays apart
    assert "alpha:prop0" in set(pool.groups) and "beta:prop0" in set(pool.groups)
    # the outcome is near the salience-weighted mean: compromise is the best member and gets
    # nearly all the weight; the 0-100 scaling makes beta's 4-10 scale comparable
    assert result.best_member == "compromise"
    assert result.weights["compromise"] > 0.9
    assert sum(result.weights.values()) == pytest.approx(1.0)
    assert result.fold_weights.shape == (5, 2)
    assert result.mae(STACKED) < result.mae("median")
    assert result.mae(EQUAL) == pytest.approx(
        float(np.mean(np.abs(pool.F.mean(axis=1) - pool.y))))
    assert set(result.comparisons) == {"vs compromise", "vs mean-position", f"vs {EQUAL}"}
    for diff, lo, hi in result.comparisons.values():
        assert lo <= diff <= hi
    for band in (STACKED, "by procedure", EQUAL, "compromise"):
        for lv in (0.8, 0.9):
            share, n = result.coverage(band, lv)
            assert n == 84 and 0.0 <= share <= 1.0
    assert set(result.stratum_quantiles) <= {"A", "B"}


def test_crossval_is_seeded(two_sets: list) -> None:
    pool = build_pool(two_sets, ["compromise", "median"])
    a = crossval_pool(pool, folds=4, seed=3, n_boot=100)
    b = crossval_pool(pool, folds=4, seed=3, n_boot=100)
    assert a.weights == b.weights and a.comparisons == b.comparisons
    np.testing.assert_array_equal(a.errors[STACKED], b.errors[STACKED])


def test_weights_document_round_trips_and_records_its_origin(two_sets: list,
                                                             tmp_path: Path) -> None:
    result = run_crossval(two_sets, ["compromise", "median"], folds=4, n_boot=50)
    doc = weights_document(result, command="realpolitik backtest x --cv 4", date="2026-01-02")
    assert doc["command"] == "realpolitik backtest x --cv 4" and doc["date"] == "2026-01-02"
    assert [d["name"] for d in doc["datasets"]] == ["alpha", "beta"]
    assert doc["members"] == ["compromise", "median"]
    path = tmp_path / "w.json"
    path.write_text(json.dumps(doc))
    fitted = load_weights(path)
    assert fitted.weights == pytest.approx(result.weights, abs=1e-6)
    assert fitted.band(STACKED, 0.8) == pytest.approx(result.quantiles[STACKED][0.8], abs=1e-4)
    # members differ from the ensemble's: equal weights, a note, and no calibrated band
    ens = tuple(s.name for s in member_specs())
    choice = resolve_weights(ens, "fitted", path)
    assert choice.weights is None and choice.kind == "equal"
    assert "compromise, median" in choice.note and REGENERATE in choice.note
    assert choice.band_method is None
    assert resolve_weights(("compromise", "median"), "fitted", path).weights is not None


def test_broken_weights_files_are_refused_clearly(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(RealpolitikError, match="line 1"):
        load_weights(bad)
    bad.write_text(json.dumps({"command": "c", "date": "d", "datasets": [], "members": ["a"],
                               "weights": {"a": 0.5}}))
    with pytest.raises(RealpolitikError, match="sum to 1"):
        load_weights(bad)
    with pytest.raises(RealpolitikError, match="cannot be read"):
        load_weights(tmp_path / "missing.json")


def test_shipped_weights_fit_the_registry() -> None:
    """The shipped file was made by its recorded command for today's ensemble members.

    If this fails after a model was added to or removed from the ensemble, run the command in
    ``REGENERATE`` (docs/validation.md) and commit the new file.
    """
    fitted = load_weights(default_path())
    assert fitted.doc["command"].startswith("realpolitik backtest ")
    members = tuple(s.name for s in member_specs())
    assert fitted.members == members, (
        f"the shipped ensemble weights are for {fitted.members}, the ensemble's members are "
        f"{members}: run `{REGENERATE}` and commit the file")
    w = np.array(list(fitted.weights.values()))
    assert np.all(w >= 0) and w.sum() == pytest.approx(1.0, abs=1e-5)
    assert {d["name"] for d in fitted.doc["datasets"]} >= {"deu3"}


def test_ensemble_kernel_uses_weights_and_refuses_wrong_members() -> None:
    sc = rp.load_scenario("iraq-2024")
    inp = rp.forecast(sc, model="compromise").inputs
    spec = get_model("ensemble")
    names = [s.name for s in member_specs()]
    one_hot = {n: float(n == "compromise") for n in names}
    out = run_model(spec, inp, seed=0, params={"weights": one_hot})
    np.testing.assert_allclose(out.forecast, out.extra["compromise"])
    equal = run_model(spec, inp, seed=0)
    np.testing.assert_allclose(equal.forecast, np.mean([equal.extra[n] for n in names], axis=0))
    with pytest.raises(ModelError, match="weights are for"):
        run_model(spec, inp, seed=0, params={"weights": {"compromise": 1.0}})
    with pytest.raises(ModelError, match="sum to 1"):
        run_model(spec, inp, seed=0, params={"weights": dict.fromkeys(names, 1.0)})


def test_forecast_says_where_weights_and_bands_come_from() -> None:
    fitted = rp.forecast("iraq-2024")
    assert fitted.weight_choice is not None and fitted.weight_choice.kind == "fitted"
    doc = fitted.to_json()
    assert doc["weights"]["kind"] == "fitted" and REGENERATE in doc["weights"]["source"]
    members = doc["weights"]["members"]
    assert set(members) == {s.name for s in member_specs()}
    assert sum(m["weight"] for m in members.values()) == pytest.approx(1.0, abs=1e-5)
    assert all(m["past_mae"] > 0 for m in members.values())
    bands = doc["calibrated_bands"]
    assert "assumption" in bands["note"]
    for iid, value in fitted.forecast.items():
        lo80, hi80 = bands["issues"][iid]["80"]
        lo90, hi90 = bands["issues"][iid]["90"]
        assert lo90 <= lo80 <= value <= hi80 <= hi90
    equal = rp.forecast("iraq-2024", weights="equal")
    assert equal.weight_choice.kind == "equal"
    assert equal.calibration is not None and equal.calibration.method == EQUAL
    assert rp.forecast("iraq-2024", model="compromise").calibration.method == "compromise"
    with pytest.raises(RealpolitikError, match="ensemble only"):
        rp.forecast("iraq-2024", model="median", weights="equal")
    with pytest.raises(RealpolitikError, match="weights must be"):
        weights_for("heavy")


def test_backtest_command_cross_validates_and_writes_weights(run_cli, two_sets: list,
                                                             tmp_path: Path) -> None:
    out_w = tmp_path / "w.json"
    code, out, err = run_cli("backtest", str(two_sets[0].path), str(two_sets[1].path),
                             "--models", "compromise,median", "--cv", "4", "--bootstrap", "50",
                             "--write-weights", str(out_w), "--out", str(tmp_path / "e.csv"),
                             "--quiet")
    assert code == 0, err
    assert "Cross-validated backtest" in out and "coverage" in out and "pooled" in out
    doc = json.loads(out_w.read_text())
    assert doc["command"].startswith("realpolitik backtest ")
    assert "--cv 4" in doc["command"] and "--models compromise,median" in doc["command"]
    rows = list(csv.DictReader((tmp_path / "e.csv").open()))
    assert {r["dataset"] for r in rows} == {"alpha", "beta"}
    code, _, err = run_cli("backtest", str(two_sets[0].path), "--write-weights", str(out_w))
    assert code == 2 and "--cv" in err


def test_report_and_dashboard_see_each_models_record() -> None:
    from realpolitik.api.report import point_forecast
    from realpolitik.presentation.html import _calibrated_line, _past_cells

    sc = rp.load_scenario("iraq-2024")
    member = point_forecast(sc, "compromise")
    fitted = load_weights()
    assert member.past["past_mae"] == pytest.approx(fitted.oof_mae("compromise"))
    assert member.past["weight"] == pytest.approx(fitted.weights["compromise"])
    assert _past_cells(member) == [f"{fitted.weights['compromise']:.3f}",
                                   f"{fitted.oof_mae('compromise'):.1f}"]
    ens = point_forecast(sc, "ensemble")
    assert ens.past["weight"] is None and "fitted on" in ens.past["weights_source"]
    assert set(ens.past["calibrated"]) == set(sc.issue_ids)
    line = _calibrated_line(sc, ens)
    assert "Calibrated bands" in line and "assumption" in line and "80%" in line
