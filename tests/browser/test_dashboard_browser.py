"""The dashboard in headless Chromium: edits move the forecast, uploads show problems."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from realpolitik.errors import ScenarioError
from realpolitik.scenario.loader import load_scenario

pytestmark = pytest.mark.browser

DATA = Path(__file__).resolve().parents[1] / "data"
CELL = "#pf-compromise-us_presence"
SLIDER = "#in-us_gov-position-us_presence"


def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST JSON to the live server and return the answer."""
    req = urllib.request.Request(url, data=json.dumps(body).encode("utf-8"), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())


def open_dashboard(browser: Any, url: str) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", timeout=60_000)
    page.wait_for_selector(f"{CELL}[data-value]", timeout=60_000)
    return page


def test_edit_position_updates_forecast(browser: Any, dashboard_url: str, tmp_path: Path) -> None:
    """Moving the U.S. position slider shows the forecast the API gives for that edit."""
    page = open_dashboard(browser, dashboard_url)
    before = float(page.get_attribute(CELL, "data-value"))
    page.locator(SLIDER).evaluate(
        "(el) => { el.value = '95'; el.dispatchEvent(new Event('input', {bubbles: true})); }")
    page.wait_for_function(
        "([sel, old]) => { const c = document.querySelector(sel);"
        " return document.getElementById('forecast-state').dataset.state === 'ready'"
        " && c && Number(c.dataset.value) !== old; }", arg=[CELL, before], timeout=60_000)
    shown = float(page.get_attribute(CELL, "data-value"))
    edit = {"actor": "us_gov", "field": "position", "issue": "us_presence", "value": 95}
    api = post(f"{dashboard_url}/api/forecast", {"scenario": "builtin:iraq-2024", "edits": [edit]})
    expected = next(m for m in api["models"] if m["model"] == "compromise")["point"]["us_presence"]
    assert shown == pytest.approx(expected, abs=1e-9)
    assert shown > before
    assert page.inner_text(CELL).startswith(f"{expected:.1f}")
    assert page.inner_text("#edit-count") == "1 edit"

    # a short run: distribution and option charts appear, then the screenshot
    page.fill("#samples", "40")
    page.click("#run")
    page.wait_for_selector("#job-state[data-state=done]", timeout=180_000)
    assert page.locator("#dist-charts svg.chart").count() >= 1
    assert page.locator("#traj-charts svg.chart").count() >= 1
    assert page.get_attribute("#download-csv", "aria-disabled") == "false"
    shot = tmp_path / "dashboard.png"
    page.set_viewport_size({"width": 1120, "height": 1080})
    page.evaluate("window.scrollTo(0, document.getElementById('point').offsetTop - 8)")
    page.screenshot(path=str(shot))
    assert 0 < shot.stat().st_size < 300_000
    page.close()


def test_upload_broken_scenario_shows_problem(browser: Any, dashboard_url: str) -> None:
    """Uploading a scenario with a bad salience shows file, line and field in the page."""
    bad = DATA / "invalid" / "08-salience-above-one.yaml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(bad)
    problem = info.value.problems[0]
    page = open_dashboard(browser, dashboard_url)
    page.set_input_files("#upload-file", str(bad))
    page.click("#upload-button")
    page.wait_for_selector("#problems:not([hidden]) li.problem", timeout=60_000)
    text = page.inner_text("#problems")
    assert f"{bad.name}:{problem.line}" in text
    assert problem.field in text
    assert problem.message in text
    page.close()


def test_cancel_long_run(browser: Any, dashboard_url: str) -> None:
    """A long run shows progress and stops when cancelled."""
    page = open_dashboard(browser, dashboard_url)
    page.fill("#samples", "20000")
    page.click("#run")
    page.wait_for_selector("#job-state[data-state=running]", timeout=60_000)
    page.click("#cancel")
    page.wait_for_selector("#job-state[data-state=cancelled]", timeout=120_000)
    assert not page.is_disabled("#run")
    page.close()
