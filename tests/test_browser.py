"""Open every demo HTML in headless Chromium: every chart image renders and no request leaves the machine."""

import pytest

from gps_core.pdf import FLAGS as CHROMIUM_FLAGS

from .conftest import need_chromium

pytestmark = [pytest.mark.slow, pytest.mark.browser]
FLAGS = [f for f in CHROMIUM_FLAGS if f != "--headless"]


def test_charts_render_and_nothing_is_fetched(demo, tmp_path):
    chromium = need_chromium()
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    pages = sorted(demo.rglob("*.html"))
    # 3 annual evaluations + 2 scorecards each for 4 programs (one of doctors) + 2 risk studies + 1 contract
    # design + 2 capitation + 3 benchmark studies, and the scorecards' annex of each of the 4 programs
    assert len(pages) == 23
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
        for html in pages:
            page = browser.new_page()
            requests: list[str] = []
            page.on("request", lambda r, requests=requests: requests.append(r.url))
            page.goto(html.as_uri(), wait_until="load")
            images = page.evaluate("() => Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
            expected = {
                "annual_evaluation.html": 5,
                "risk_adjustment.html": 2,
                "p4p_simulation.html": 4,
                "capitation_model.html": 6,
                "benchmark_study.html": 3,
                "annex.html": 0,  # technical sheets and provenance: tables only
            }.get(html.name, 3)
            assert len(images) >= expected, html
            assert all(done and width > 0 for done, width in images), (html, images)
            assert [u for u in requests if not u.startswith(("file://", "data:"))] == [], html
            page.screenshot(path=str(tmp_path / f"{html.parent.name}_{html.stem}.png"), full_page=False)
            page.close()
        browser.close()
