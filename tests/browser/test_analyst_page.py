"""The analyst's page in headless Chromium: the bottom line first, no sideways scrolling,
axe-core clean, names instead of codes, and a forecast on a threshold said to be one.

The accessibility checks use axe-core through ``axe-playwright-python`` (skipped without it).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from realpolitik.api.report import analyse
from realpolitik.cli.report import write_report
from realpolitik.presentation.html import render
from realpolitik.scenario.loader import load_scenario

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from page_words import internal_codes

pytestmark = pytest.mark.browser

DATA = Path(__file__).resolve().parents[1] / "data"
WIDE = {"width": 1280, "height": 800}
NARROW = {"width": 390, "height": 844}


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner, f"page is {width} px wide in a {inner} px window"


def axe_violations(page: Any) -> list[str]:
    sync = pytest.importorskip("axe_playwright_python.sync_playwright")
    result = sync.Axe().run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}: "
            f"{[n['target'] for n in v['nodes'][:3]]})"
            for v in result.response["violations"]]


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A report of iraq-2024 with just enough samples for the bottom line's drivers (100)."""
    out = tmp_path_factory.mktemp("report") / "report.html"
    return write_report("iraq-2024", out, samples=100, seed=1)


def open_report(browser: Any, path: Path, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport, offline=True)
    page = context.new_page()
    page.goto(path.as_uri())
    return page


def test_report_bottom_line_first(browser: Any, report_file: Path, keep_screenshot: Any,
                                  tmp_path: Path) -> None:
    """The bottom line is above the fold at 1280x800; no sideways scroll at 1280 and 390 px."""
    page = open_report(browser, report_file, WIDE)
    box = page.locator("section#bottom article.bl").first.bounding_box()
    assert box is not None and box["y"] < WIDE["height"] - 120
    assert "median" in page.locator("section#bottom").inner_text()
    no_sideways_scroll(page)
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot))
    keep_screenshot(shot, "report.png")
    page.set_viewport_size(NARROW)
    no_sideways_scroll(page)
    page.context.close()


def test_report_axe_clean_and_in_words(browser: Any, report_file: Path) -> None:
    """axe-core finds nothing; no input path, id or column code is shown."""
    text = report_file.read_text(encoding="utf-8")
    assert internal_codes(text) == []
    page = open_report(browser, report_file, WIDE)
    assert axe_violations(page) == []
    page.context.close()


def test_threshold_case_is_flagged(browser: Any, tmp_path: Path) -> None:
    """A scenario whose point values sit on a jump gets the threshold note, saying what tips it."""
    sc = load_scenario(DATA / "valid" / "threshold.yaml")
    an = analyse(sc, models=["median"], samples=200, seed=0, sections=["forecast", "drivers"])
    out = tmp_path / "threshold.html"
    out.write_text(render(an), encoding="utf-8")
    page = open_report(browser, out, WIDE)
    art = page.locator('section#bottom article[data-threshold="yes"]')
    assert art.count() == 1
    note = art.locator(".threshold").inner_text()
    assert "On a threshold" in note
    assert "small" in note and "large" in note  # between which outcomes
    assert "Hawks' capability" in note  # what tips it
    page.context.close()


# ------------------------------------------------------------------------------------------
def open_dashboard(browser: Any, url: str, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", timeout=60_000)
    page.wait_for_selector("#bottom-body article.bl", timeout=60_000)
    return page


def test_dashboard_page(browser: Any, dashboard_url: str, tmp_path: Path,
                        keep_screenshot: Any) -> None:
    """Bottom line above the fold, no sideways scroll, axe-clean before and after a run,
    names instead of codes, and a reload that keeps the edits and the results."""
    page = open_dashboard(browser, dashboard_url, WIDE)
    box = page.locator("#bottom-body article.bl").first.bounding_box()
    assert box is not None and box["y"] < WIDE["height"] - 100
    no_sideways_scroll(page)
    assert axe_violations(page) == []
    label = page.locator('label[for="in-pmf-position-us_presence"]').text_content() or ""
    assert label.startswith("Popular Mobilization Forces (PMF): position on U.S. military")

    page.locator("#in-us_gov-position-us_presence").evaluate(
        "(el) => { el.value = '90'; el.dispatchEvent(new Event('input', {bubbles: true})); }")
    page.wait_for_function("() => document.getElementById('forecast-state').dataset.state === 'ready'"
                           " && document.getElementById('edit-count').textContent === '1 edit'",
                           timeout=60_000)
    page.fill("#samples", "40")
    page.click("#run")
    page.wait_for_selector("#job-state[data-state=done]", timeout=240_000)
    page.wait_for_selector("#bottom-body article.bl:not([data-kind=point])", timeout=10_000)
    assert "median" in page.inner_text("#bottom-body")
    assert page.get_attribute("#download-csv", "aria-disabled") == "false"
    no_sideways_scroll(page)
    assert axe_violations(page) == []
    assert internal_codes(page.content()) == []
    shot = tmp_path / "dashboard.png"
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(shot))
    keep_screenshot(shot, "dashboard.png")

    page.set_viewport_size(NARROW)
    no_sideways_scroll(page)
    forecast_y = page.locator("#bottom-line").bounding_box()["y"]
    inputs_y = page.locator("#editors").bounding_box()["y"]
    assert forecast_y < inputs_y  # on a phone the forecast comes before the inputs

    page.reload()
    page.wait_for_selector("body[data-ready=true]", timeout=60_000)
    page.wait_for_selector("#bottom-body article.bl:not([data-kind=point])", timeout=60_000)
    assert page.inner_text("#edit-count") == "1 edit"
    assert page.input_value("#in-us_gov-position-us_presence") == "90"
    page.context.close()


def test_dashboard_small_things(browser: Any, dashboard_url: str) -> None:
    """Disabled downloads say why; a valid upload says where it went; a cancelled run shows no
    percent."""
    page = open_dashboard(browser, dashboard_url, WIDE)
    why = page.inner_text("#download-why")
    assert "until a run has finished" in why
    page.set_input_files("#upload-file", str(DATA / "valid" / "threshold.yaml"))
    page.click("#upload-button")
    page.wait_for_function("() => document.getElementById('upload-state').textContent.length > 0",
                           timeout=60_000)
    assert "threshold.yaml" in page.inner_text("#upload-state")
    page.fill("#samples", "20000")
    page.click("#run")
    page.wait_for_selector("#job-state[data-state=running]", timeout=60_000)
    assert "of the whole run" in page.inner_text("#job-state")
    page.click("#cancel")
    page.wait_for_selector("#job-state[data-state=cancelled]", timeout=120_000)
    assert "%" not in page.inner_text("#job-state")
    page.context.close()
