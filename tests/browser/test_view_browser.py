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


def large_graph(tmp_path: Path) -> tuple[Path, tuple[str, str]]:
    """A page of more than `view.LARGE_VIEW_NODES` nodes: topics in their column beside
    the map, and two towns far apart on it (Flensburg, München), tied by a relationship
    across the empty middle; the first selected."""
    import networkx as nx

    g = nx.MultiDiGraph()
    for i in range(view.LARGE_VIEW_NODES + 50):
        g.add_node(f"Topic:t{i:05d}", type="Topic", key=f"t{i:05d}", name=f"Thema {i}")
    towns = (("01001000", "Flensburg", 54.78, 9.44), ("09162000", "München", 48.14, 11.58))
    for key, name, lat, lon in towns:
        g.add_node(f"Municipality:{key}", type="Municipality", key=key, name=name, lat=lat, lon=lon)
    a, b = (f"Municipality:{key}" for key, *_ in towns)
    g.add_edge(a, b, key="COOPERATES_WITH", type="COOPERATES_WITH")
    path = tmp_path / "gross.html"
    path.write_text(view.render_html(g, focus=a), encoding="utf-8")
    return path, (a, b)


def darkness_between(page: Any, a: str, b: str) -> int:
    """How dark the canvas is halfway along the line from ``a`` to ``b`` (off both nodes):
    the darkest of the 5×5 pixels around the middle, laid over the white page, as
    765 − (R + G + B); 0 is white."""
    return int(
        page.evaluate(
            """([a, b]) => {
              const net = window.kommunetzNetwork;
              const pos = net.getPositions([a, b]);
              const mid = net.canvasToDOM({x: (pos[a].x + pos[b].x) / 2,
                                           y: (pos[a].y + pos[b].y) / 2});
              const canvas = document.querySelector('#kn-graph canvas');
              const ratio = canvas.width / canvas.clientWidth;
              const d = canvas.getContext('2d').getImageData(
                Math.round(mid.x * ratio) - 2, Math.round(mid.y * ratio) - 2, 5, 5).data;
              let darkest = 0;
              for (let i = 0; i < d.length; i += 4) {
                const alpha = d[i + 3] / 255;  // the canvas is transparent over white
                const sum = [0, 1, 2].reduce((s, k) => s + 255 - alpha * (255 - d[i + k]), 0);
                darkest = Math.max(darkest, 765 - sum);
              }
              return Math.round(darkest);
            }""",
            [a, b],
        )
    )


def test_a_large_view_draws_its_relationships_on_the_canvas(
    page: tuple[Any, Requests], tmp_path: Path
) -> None:
    """Large views hand their relationships to edges.js instead of vis-network's edge
    objects: the line must still be there, and the selected node's line highlighted."""
    tab, _ = page
    path, (a, b) = large_graph(tmp_path)
    open_view(tab, path)
    assert tab.evaluate("window.kommunetzNetwork.body.data.edges.length") == 0
    tab.evaluate(
        """([a, b]) => {
          const net = window.kommunetzNetwork;
          net.fit({nodes: [a, b], animation: false});
        }""",
        [a, b],
    )
    tab.wait_for_timeout(300)  # the next frame
    highlighted = darkness_between(tab, a, b)
    tab.evaluate("window.kommunetzNetwork.unselectAll(); window.kommunetzNetwork.redraw()")
    tab.wait_for_timeout(300)
    plain = darkness_between(tab, a, b)
    assert plain > 30, f"the relationship is drawn ({plain})"
    assert highlighted > plain + 60, (
        f"the selected node's relationship is highlighted ({highlighted} vs {plain})"
    )
