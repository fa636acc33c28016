"""End to end: the Karte page as started by `streamlit run`, in real headless Chromium. A user
opens the map, sees it drawn with its attribution (linked to the BKG), hovers an area for
its figures, clicks a Land and gets its details, and goes on to the explorer — and the
browser never talks to a host other than this machine."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Requests

pytestmark = pytest.mark.browser

TIMEOUT = 60_000  # ms; the first run of a page loads the graph and builds the map
#: Vega draws on a canvas, or (Streamlit's choice for small data) into an SVG
CHART = "[data-testid='stVegaLiteChart'] :is(canvas, svg.marks)"
DETAILS_BUTTON = "Im Netzwerk erkunden (Details und Umgebung)"


def test_map_attribution_click_details_and_no_third_party_request(
    page: tuple[Any, Requests], app_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    tab, requests = page
    tab.goto(f"{app_url}/karte")
    tab.get_by_role("heading", name="Karte", exact=True).wait_for(timeout=TIMEOUT)
    tab.locator(CHART).first.wait_for(timeout=TIMEOUT)

    credit = tab.locator("a[href='https://www.bkg.bund.de']")
    credit.first.wait_for(timeout=TIMEOUT)
    assert credit.first.is_visible()
    assert credit.first.inner_text() == "© GeoBasis-DE / BKG 2021 (Daten verändert)"

    # Länder, then a click in the middle of Germany (Hessen/Thüringen): a Land's details
    tab.get_by_text("Länder", exact=True).click()
    tab.get_by_text("Dieselben Zahlen wie in der Karte: Mitglieder je Land").wait_for(
        timeout=TIMEOUT
    )
    canvas = tab.locator(CHART).first
    canvas.wait_for(timeout=TIMEOUT)
    tab.wait_for_timeout(1500)  # the new spec drawn
    box = canvas.bounding_box()
    x, y = box["x"] + 280, box["y"] + 60 + 350
    tab.mouse.move(x, y)
    tooltip = tab.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible", timeout=TIMEOUT)
    assert "Mitglieder" in tooltip.inner_text()
    tab.mouse.click(x, y)
    tab.get_by_role("button", name=DETAILS_BUTTON).wait_for(timeout=TIMEOUT)
    # a Land, or one of the Gemeinden drawn on it as a point
    name = tab.locator("[data-testid='stMarkdown'] h3").first.inner_text().strip()
    assert name
    assert tab.get_by_text("Programmteilnehmer:").count() + tab.get_by_text("Programme:").count()

    tab.get_by_role("button", name=DETAILS_BUTTON).click()
    tab.get_by_role("heading", name="Netzwerk erkunden").wait_for(timeout=TIMEOUT)
    tab.get_by_role("heading", name=f"Umgebung von {name} (Tiefe 1)").wait_for(timeout=TIMEOUT)

    with capsys.disabled():  # shown in the CI log
        print(f"\nRequests to non-local hosts during the map session: {len(requests.non_local)}")
    assert requests.non_local == [], requests.non_local
    assert any(u.startswith(app_url) for u in requests.all), "the app itself was loaded"
