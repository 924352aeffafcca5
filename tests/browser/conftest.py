"""Fixtures of the browser tests: Debian's Chromium driven by Playwright, and a live dashboard.

Every test module here is marked ``browser``; every test skips (never fails) when the playwright package or
/usr/bin/chromium is absent. ``.ci/browser`` installs both and runs ``pytest -m browser``.
Screenshots go to the test's temporary folder; with ``REALPOLITIK_UPDATE_SCREENSHOTS=1`` they
are also written to ``docs/img/`` (the pictures the README and docs show).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium (skips without playwright or /usr/bin/chromium)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def dashboard_url(tmp_path: Path) -> Iterator[str]:
    """A dashboard served by uvicorn in a thread on a free localhost port."""
    pytest.importorskip("fastapi")
    uvicorn = pytest.importorskip("uvicorn")
    from realpolitik.dashboard.app import create_app

    app = create_app(scenario_dir=tmp_path / "scenarios",
                     allowed_hosts=["127.0.0.1", "localhost"])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(600):
        if server.started:
            break
        time.sleep(0.05)
    else:
        raise RuntimeError("the dashboard server did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def keep_screenshot() -> Any:
    """A function that copies a screenshot to docs/img when REALPOLITIK_UPDATE_SCREENSHOTS=1."""

    def keep(path: Path, name: str) -> None:
        if os.environ.get("REALPOLITIK_UPDATE_SCREENSHOTS") == "1":
            DOCS_IMG.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOCS_IMG / name)

    return keep
