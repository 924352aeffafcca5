"""The forecast ledger: record, add outcomes, score; the record and score commands."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import realpolitik as rp
from realpolitik.api.ledger import (
    add_outcomes,
    forecasts,
    read_outcomes,
    record,
    scenario_hash,
    score,
)
from realpolitik.errors import RealpolitikError


def test_ledger_round_trips(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite"
    result = rp.forecast("iraq-2024")  # the built-in forecast, fitted ensemble weights
    fid = record(result, ledger, note="first")
    rows = forecasts(ledger)
    assert [r.issue_id for r in rows] == result.scenario.issue_ids
    for r in rows:
        assert r.forecast_id == fid and r.model == "ensemble" and r.outcome is None
        assert r.scenario_hash == scenario_hash(result.scenario)
        assert r.forecast == pytest.approx(result.forecast[r.issue_id])
        assert r.bands["calibrated_80"] is not None and r.bands["input_5_95"] is None
        assert "compromise" in (r.weights or "")
    with sqlite3.connect(ledger) as con:
        (source,) = con.execute("SELECT weights_source FROM forecasts").fetchone()
    assert source == result.weight_choice.note
    assert score(ledger).scored == [] and score(ledger).pending == 2

    value = result.forecast["us_presence"] + 1.0
    assert add_outcomes([("iraq-2024", "us_presence", value, "test")], ledger) == 1
    s = score(ledger)
    assert len(s.scored) == 1 and s.pending == 1
    (r,) = s.scored
    assert r.abs_error == pytest.approx(1.0)
    assert r.inside("calibrated_80") is True and r.inside("input_5_95") is None
    cov = s.coverage()
    assert cov["calibrated_80"] == (0.8, 1.0, 1) and "input_5_95" not in cov
    # an outcome added again replaces the first
    add_outcomes([("iraq-2024", "us_presence", 100.0, "revised")], ledger)
    assert score(ledger).scored[0].outcome == 100.0


def test_ledger_errors_are_clear(tmp_path: Path) -> None:
    ledger = tmp_path / "l.sqlite"
    with pytest.raises(RealpolitikError, match="no such ledger"):
        score(ledger)
    record(rp.forecast("iraq-2024", model="median"), ledger)
    with pytest.raises(RealpolitikError, match="no recorded forecast"):
        add_outcomes([("iraq-2024", "nope", 1.0, "")], ledger)
    with pytest.raises(RealpolitikError, match="outside its scale"):
        add_outcomes([("iraq-2024", "us_presence", 101.0, "")], ledger)
    bad = tmp_path / "o.csv"
    bad.write_text("scenario,issue\nx,y\n")
    with pytest.raises(RealpolitikError, match="outcome"):
        read_outcomes(bad)
    bad.write_text("scenario,issue,outcome\nx,y,high\n")
    with pytest.raises(RealpolitikError, match="line 2"):
        read_outcomes(bad)
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database at all, just text " * 20)
    with pytest.raises(RealpolitikError, match="not a realpolitik ledger"):
        record(rp.forecast("iraq-2024", model="median"), junk)


def test_record_and_score_commands(run_cli, tmp_path: Path) -> None:
    ledger = tmp_path / "l.sqlite"
    code, out, err = run_cli("record", "--ledger", str(ledger), "--quiet")
    assert code == 0, err
    assert "recorded forecast #1 of iraq-2024" in err and "calibrated 80%" in out
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text("scenario,issue,outcome,source\niraq-2024,us_presence,30,test\n"
                        "iraq-2024,alignment,40,test\n")
    plot = tmp_path / "cal.png"
    code, out, err = run_cli("score", "--ledger", str(ledger), "--outcomes", str(outcomes),
                             "--plot", str(plot))
    assert code == 0, err
    assert "added 2 outcome(s)" in err and "Coverage" in out
    assert plot.read_bytes()[:4] == b"\x89PNG"
    code, _, err = run_cli("score", "--ledger", str(tmp_path / "none.sqlite"))
    assert code == 2 and "no such ledger" in err
