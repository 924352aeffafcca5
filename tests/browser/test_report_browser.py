"""The HTML report opens offline in headless Chromium and shows every section."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from realpolitik.cli.report import write_report
from realpolitik.presentation.html import SECTION_TITLES

pytestmark = pytest.mark.browser


def test_report_opens_offline_with_every_section(browser: Any, tmp_path: Path) -> None:
    """No request leaves the page; every section has its heading and content; figures render."""
    out = write_report("iraq-2024", tmp_path / "report.html", samples=20, seed=1)
    context = browser.new_context(viewport={"width": 1100, "height": 900}, offline=True)
    requests: list[str] = []

    def route(r: Any) -> None:
        requests.append(r.request.url)
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.goto(out.as_uri())
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    for sid, title in SECTION_TITLES:
        section = page.locator(f"section#{sid}")
        assert section.is_visible(), sid
        assert section.locator("h2").inner_text() == title
        body = section.inner_text()
        assert len(body) > len(title) + 10, sid
    assert page.locator("svg.fig").count() >= 4
    broken = page.evaluate("[...document.images].filter(i => !i.complete || i.naturalWidth === 0)"
                           ".length")
    assert broken == 0
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 0
    context.close()
