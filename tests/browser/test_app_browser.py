"""End to end: the app as started by `streamlit run`, in real headless Chromium. A user
opens the explorer, sees the graph drawn, searches a municipality, opens its details — and
the browser never talks to a host other than this machine."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import TIMEOUT, Requests, built

pytestmark = pytest.mark.browser


def graph_frame(tab: Any) -> Any:
    """The explorer's graph iframe, after vis-network has drawn in it."""
    frame = tab.frame_locator("iframe[title^='Netzwerkgrafik']")
    frame.locator("body[data-drawn='1']").wait_for(state="attached", timeout=TIMEOUT)
    return frame


def test_search_a_municipality_and_open_its_details(
    page: tuple[Any, Requests], app_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    tab, requests = page
    tab.goto(f"{app_url}/netzwerk")
    built(tab)  # the first run of a page loads the graph and builds the view
    tab.get_by_role("heading", name="Netzwerk erkunden").wait_for(timeout=TIMEOUT)
    frame = graph_frame(tab)
    assert frame.locator("#kn-graph canvas").count() == 1
    # the app shell marks the page German (Streamlit says "en")
    tab.wait_for_function("() => document.documentElement.lang === 'de'", timeout=TIMEOUT)
    assert tab.locator("#kn-skip").text_content() == "Zum Inhalt springen"

    tab.get_by_label("Suche nach Name oder AGS").fill("Norderstedt")
    tab.get_by_role("button", name="Suchen").click()
    tab.get_by_role("heading", name="Umgebung von Norderstedt (Tiefe 1)").wait_for(timeout=TIMEOUT)
    tab.get_by_role("heading", name="Norderstedt", exact=True).wait_for(timeout=TIMEOUT)
    built(tab)
    assert tab.get_by_text("Einwohner:").count() >= 1
    sources = tab.locator("[data-testid='stMarkdown']", has_text="Quellen")
    assert sources.locator("a[href^='https://']").count() > 0, "sources as links"
    graph_frame(tab)
    # the graph's frame stays and draws the new view when it arrives: wait for it
    frame = next(f for f in tab.frames if "/component/" in f.url)
    frame.wait_for_function(
        "() => window.kommunetzNetwork.getSelectedNodes()[0] === 'Municipality:01060063'",
        timeout=TIMEOUT,
    )
    assert frame.evaluate("() => window.kommunetzNetwork.getSelectedNodes()") == [
        "Municipality:01060063"
    ]

    tab.get_by_role("link", name="Start").first.click()
    tab.get_by_role("heading", name="Mitglieder").wait_for(timeout=TIMEOUT)

    with capsys.disabled():  # shown in the CI log
        print(f"\nRequests to non-local hosts during the app session: {len(requests.non_local)}")
    assert requests.non_local == [], requests.non_local
    assert any(u.startswith(app_url) for u in requests.all), "the app itself was loaded"
