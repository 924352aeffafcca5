"""The scenario editor in headless Chromium: a scenario built from scratch, forecast, downloaded
as YAML, uploaded again, forecast the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def _fill(page: Any, selector: str, value: str) -> None:
    page.fill(selector, value)
    page.dispatch_event(selector, "change")
    page.wait_for_selector("body[data-checked=true]")


def _forecast(page: Any) -> dict[str, str]:
    page.click("#ed-forecast")
    page.wait_for_selector("#fc-compromise-reform[data-value]")
    return {m: page.get_attribute(f"#fc-{m}-reform", "data-value") for m in ("median", "compromise")}


def test_build_forecast_download_upload(browser: Any, dashboard_url: str, tmp_path: Path) -> None:
    """Three actors and one issue from scratch, a source added; the YAML comes back the same."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page.goto(dashboard_url + "/editor")
    page.wait_for_selector("body[data-ready=true]")
    page.click("#ed-new-empty")
    page.wait_for_selector("body[data-valid=false]")
    assert "actors" in page.inner_text("#ed-problems")  # an empty scenario lists its problems
    _fill(page, "#f-id", "three-way")
    _fill(page, "#f-title", "Three actors, one issue")
    page.click("#add-source")
    _fill(page, "#f-sources-0-citation", "Interviews, March 2024")
    page.click("#add-issue")
    _fill(page, "#f-issues-0-id", "reform")
    for _ in range(3):
        page.click("#add-actor")
    page.wait_for_selector("#f-actors-2-id")
    for k, (pos, cap) in enumerate([(10, 60), (50, 30), (90, 20)]):
        _fill(page, f"#f-actors-{k}-positions-reform-value", str(pos))
        _fill(page, f"#f-actors-{k}-capability-value", str(cap))
    page.select_option("#f-actors-0-capability-source-id", "source1")
    page.wait_for_selector("body[data-checked=true]")
    page.wait_for_selector("body[data-valid=true]")
    assert page.inner_text("#ed-problems") == ""
    first = _forecast(page)
    assert all(v not in ("", None) for v in first.values())
    with page.expect_download() as info:
        page.click("#ed-yaml")
    path = tmp_path / "three-way.yaml"
    info.value.save_as(str(path))
    text = path.read_text()
    assert "three-way" in text and "source1" in text and "reform" in text
    page.click("#ed-new-template")  # something else in the editor
    page.wait_for_selector("#f-actors-1-id")
    page.set_input_files("#ed-upload", str(path))
    page.wait_for_selector("#f-actors-2-id")
    assert page.input_value("#f-id") == "three-way"
    page.wait_for_selector("body[data-valid=true]")
    assert _forecast(page) == first
    # undo brings back the previous value
    _fill(page, "#f-title", "Changed")
    page.click("#ed-undo")
    page.wait_for_selector("body[data-checked=true]")
    assert page.input_value("#f-title") == "Three actors, one issue"
    page.close()
