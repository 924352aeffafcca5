"""The scenario editor's API: templates, checks with validate's messages, save, downloads."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("python_multipart")
try:
    from fastapi.testclient import TestClient
except RuntimeError as exc:
    pytest.skip(f"no HTTP client for TestClient: {exc}", allow_module_level=True)

from realpolitik.api.scenario import load_scenario, read_workbook
from realpolitik.dashboard.app import create_app


@pytest.fixture
def client(tmp_path: Path) -> Any:
    with TestClient(create_app(scenario_dir=tmp_path / "scenarios")) as c:
        yield c


def test_editor_page_and_main_page_link(client):
    """The editor has its own page; the main page links to it."""
    assert 'id="ed-form"' in client.get("/editor").text
    assert 'href="/editor"' in client.get("/").text


def test_template_checks_with_validate_messages(client):
    """The template is valid (placeholders warned); a broken edit gets validate's message."""
    doc = client.get("/api/editor/template", params={"name": "t1"}).json()["doc"]
    res = client.post("/api/editor/check", json={"doc": doc}).json()
    assert res["ok"] and any("unsourced" in w for w in res["warnings"])
    doc["actors"][0]["capability"]["value"] = -5
    res = client.post("/api/editor/check", json={"doc": doc}).json()
    assert not res["ok"]
    assert any(p.startswith("t1.yaml:") and "capability" in p and ">= 0" in p
               for p in res["problems"])


def test_save_download_and_builtins_read_only(client, tmp_path):
    """Save writes NAME.yaml to the folder; downloads are YAML and xlsx; built-ins are read-only."""
    doc = client.get("/api/editor/doc/builtin:ktab-soe-policy").json()
    assert doc["read_only"] is True
    res = client.post("/api/editor/save", json={"doc": doc["doc"], "name": "soe-copy"})
    assert res.status_code == 201 and res.json()["ref"] == "user:soe-copy"
    saved = load_scenario(str(tmp_path / "scenarios" / "soe-copy.yaml"))
    assert saved == load_scenario("ktab-soe-policy")
    text = client.post("/api/editor/download.yaml", json={"doc": doc["doc"]}).text
    assert "id: ktab-soe-policy" in text
    book = client.post("/api/editor/download.xlsx", json={"doc": doc["doc"]}).content
    assert read_workbook(book)[0] == saved
    assert client.get("/api/editor/doc/user:soe-copy").json()["read_only"] is False


def test_forecast_read_and_problems(client, tmp_path):
    """A document forecasts; an uploaded file reads into a document; problems give 422."""
    doc = client.get("/api/editor/template", params={"empty": True}).json()["doc"]
    assert client.post("/api/editor/forecast", json={"doc": doc}).status_code == 422
    doc = client.get("/api/editor/template").json()["doc"]
    res = client.post("/api/editor/forecast", json={"doc": doc}).json()
    assert [m["model"] for m in res["models"]] == ["median", "compromise"]
    text = client.post("/api/editor/download.yaml", json={"doc": doc}).content
    back = client.post("/api/editor/read", files={"file": ("s.yaml", io.BytesIO(text))}).json()
    assert back["doc"]["id"] == doc["id"]
    bad = client.post("/api/editor/read", files={"file": ("s.yaml", io.BytesIO(b"- 1\n"))})
    assert bad.status_code == 422
