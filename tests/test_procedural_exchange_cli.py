"""The procedural and exchange models through the interfaces: listed, forecast, sampled, served."""

from __future__ import annotations

import pytest


def test_models_lists_both_with_references(run_cli):
    code, out, _ = run_cli("models")
    assert code == 0
    assert "procedural" in out and "Tsebelis" in out and "Steunenberg" in out
    assert "exchange" in out and "Stokman" in out


@pytest.mark.parametrize("model", ["procedural", "exchange"])
def test_forecast_and_samples(run_cli, model):
    code, out, err = run_cli("forecast", "-m", model)
    assert code == 0, err
    assert f"model: {model}" in out
    code, out, err = run_cli("forecast", "-m", model, "--samples", "64", "--seed", "1")
    assert code == 0, err
    assert "Monte Carlo" in out


def test_procedural_reads_iraq_rules(run_cli):
    """The PM proposes, Washington consents: 30 on presence (see docs/scenarios/iraq-2024.md)."""
    code, out, _ = run_cli("forecast", "-m", "procedural", "--format", "csv")
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("us_presence,"))
    assert ",procedural,60,30,-30," in row


def test_dashboard_forecast(tmp_path):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from realpolitik.dashboard.app import create_app

    client = TestClient(create_app(tmp_path))
    r = client.post("/api/forecast", json={"scenario": "builtin:iraq-2024",
                                            "models": ["procedural", "exchange"]})
    assert r.status_code == 200
    points = {m["model"]: m["point"] for m in r.json()["models"]}
    assert points["procedural"]["us_presence"] == pytest.approx(30.0)
    assert 0 <= points["exchange"]["us_presence"] <= 100
