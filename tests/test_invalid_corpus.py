"""The broken-file corpus: every command that takes a scenario refuses each file cleanly.

The messages of each file are asserted in ``tests/test_scenario_validation.py``; here every
command exits 2 with an ``error:`` line and no traceback, and the dashboard's upload answers
each file with a 4xx.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

INVALID = Path(__file__).parent / "data" / "invalid"
FILES = sorted(p.name for p in INVALID.iterdir())

#: Every command that takes a scenario, with the options it needs to get past its own checks.
COMMANDS: dict[str, tuple[str, ...]] = {
    "validate": (),
    "show": (),
    "forecast": ("--model", "compromise"),
    "sensitivity": ("--samples", "2"),
    "power": (),
    "best-move": ("--actor", "a"),
    "report": ("--samples", "0"),
    "deal": ("--samples", "2"),
    "simulate": ("--samples", "2"),
    "calibrate": ("--samples", "10"),
}


def test_corpus_is_large():
    """At least 60 broken files."""
    assert len(FILES) >= 60


@pytest.mark.parametrize("name", FILES)
def test_every_command_exits_2(name: str, run_cli: Any, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Each command exits 2 on the file, names it, and prints no traceback; nothing is written."""
    monkeypatch.chdir(tmp_path)
    path = str(INVALID / name)
    for command, extra in COMMANDS.items():
        code, out, err = run_cli(command, path, *extra)
        assert code == 2, (command, out, err)
        assert path in err, (command, err)
        assert "Traceback" not in err + out, (command, err)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def upload_client() -> Any:
    pytest.importorskip("fastapi")
    pytest.importorskip("python_multipart")
    try:
        from fastapi.testclient import TestClient
    except RuntimeError as exc:  # no httpx
        pytest.skip(f"no HTTP client for TestClient: {exc}")
    from realpolitik.dashboard.app import create_app

    with TestClient(create_app()) as c:
        yield c


@pytest.mark.parametrize("name", FILES)
def test_dashboard_upload_is_refused(name: str, upload_client: Any) -> None:
    """The dashboard answers an upload of each file with a 4xx and the problem, never a 500."""
    r = upload_client.post("/api/scenarios",
                           files={"file": (name, (INVALID / name).read_bytes(), "text/plain")})
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])


def test_dashboard_folder_of_broken_files(tmp_path: Path) -> None:
    """Broken files in the scenario folder: the list still answers, each opens as a 4xx, and an
    edit-and-save of each is a 4xx too (never a 500)."""
    pytest.importorskip("fastapi")
    pytest.importorskip("python_multipart")
    try:
        from fastapi.testclient import TestClient
    except RuntimeError as exc:  # no httpx
        pytest.skip(f"no HTTP client for TestClient: {exc}")
    from realpolitik.dashboard.app import create_app

    for name in FILES:
        (tmp_path / name).write_bytes((INVALID / name).read_bytes())
    with TestClient(create_app(scenario_dir=tmp_path)) as c:
        r = c.get("/api/scenarios")
        assert r.status_code == 200, r.text[:300]
        for name in FILES:
            ref = "user:" + name.rsplit(".", 1)[0]
            r = c.get(f"/api/scenarios/{ref}")
            assert 400 <= r.status_code < 500, (name, r.status_code, r.text[:300])
            r = c.post("/api/scenarios/save", json={"scenario": ref, "name": "copy"})
            assert 400 <= r.status_code < 500, (name, r.status_code, r.text[:300])
