"""The standalone view page in real Chromium: it draws, fetches nothing, and shows hostile
names as text — in labels, tooltips and the table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph.present import view
from graph.stores.sqlite.store import EmbeddedStore
from tests import mini_network as mini
from tests.browser.conftest import TIMEOUT, Requests

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("view")
    store = EmbeddedStore(folder / "mini.sqlite")
    store.write(mini.mini_batch())
    out = folder / "netz.html"
    view.export_html(store, out)
    store.close()
    return out


def open_view(page: Any, path: Path) -> list[str]:
    """Open ``path``, wait for vis-network's first drawing; return the dialogs the page
    tried to open (an injected ``alert`` would show up here)."""
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-drawn='1']", timeout=TIMEOUT)
    return dialogs


def hover_node(page: Any, nid: str) -> str:
    """Move the mouse onto node ``nid`` and return the tooltip's text."""
    box = page.locator("#kn-graph").bounding_box()
    point = page.evaluate(
        """(id) => {
          const net = window.kommunetzNetwork;
          net.moveTo({position: net.getPositions([id])[id], scale: 1.5});
          return net.canvasToDOM(net.getPositions([id])[id]);
        }""",
        nid,
    )
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    tooltip = page.locator(".vis-tooltip")
    tooltip.wait_for(state="visible", timeout=TIMEOUT)
    return str(tooltip.inner_text())


def test_page_draws_and_fetches_nothing(
    page: tuple[Any, Requests], page_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tab, requests = page
    dialogs = open_view(tab, page_file)
    assert tab.locator("#kn-graph canvas").count() == 1
    assert dialogs == []
    with capsys.disabled():  # shown in the CI log
        print(f"\nRequests to non-local hosts from the standalone view: {len(requests.non_local)}")
    assert requests.non_local == []
    assert tab.evaluate("document.documentElement.lang") == "de"


def test_hostile_names_stay_text(page: tuple[Any, Requests], page_file: Path) -> None:
    tab, _ = page
    dialogs = open_view(tab, page_file)
    assert tab.locator("img").count() == 0
    text = hover_node(tab, mini.EVIL_ORG)
    assert text.startswith(mini.EVIL)
    assert tab.locator(".vis-tooltip *:not(br)").count() == 0, "the tooltip holds text only"
    tab.mouse.move(5, 5)
    text = hover_node(tab, mini.HREF_ORG)
    assert text.startswith(mini.HREF), "a title with href is not switched to HTML"
    assert tab.locator(".vis-tooltip a").count() == 0

    tab.locator("#kn-tables summary").click()
    rows = tab.locator("#kn-tables table").first.locator("tbody tr")
    rows.first.wait_for(timeout=TIMEOUT)  # built when the <details> opens (toggle event)
    shown = tab.evaluate("window.kommunetzNetwork.body.data.nodes.length")
    assert rows.count() == shown
    nodes_table = tab.locator("#kn-tables table").first
    assert nodes_table.locator("td", has_text=mini.EVIL).count() == 1, "shown as typed"
    assert tab.locator("img").count() == 0
    assert dialogs == []
