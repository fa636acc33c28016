"""The network view page: escaped text, no third-party URL, the data vis-network gets,
the standalone export (both stores) and `kommunetz export --format html`."""

from __future__ import annotations

import json
import math
import re
import stat
from pathlib import Path

import networkx as nx
import pytest

from graph.core.errors import Ambiguous, KommunetzError, NotFound
from graph.core.store import GraphStore
from graph.present import explore, layout, view
from graph.stores.sqlite.store import EmbeddedStore
from loaders.curated import read_curated
from tests import mini_network as mini
from tests.conftest import REPO, point_env_at

URL = re.compile(r"https?://", re.IGNORECASE)
DATA_BLOCK = re.compile(r'<script type="application/json" id="kn-data">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def mini_graph(tmp_path_factory: pytest.TempPathFactory) -> nx.MultiDiGraph:
    store = EmbeddedStore(tmp_path_factory.mktemp("view") / "mini.sqlite")
    store.write(mini.mini_batch())
    g = store.graph()
    store.close()
    return g


def payload(page: str) -> dict:
    """The data block vis-network reads, as the browser's JSON.parse sees it."""
    found = DATA_BLOCK.findall(page)
    assert len(found) == 1
    return json.loads(found[0])


def test_page_holds_no_url_of_any_host(mini_graph: nx.MultiDiGraph) -> None:
    page = view.render_html(mini_graph, title="Test", tables=True)
    assert URL.findall(page) == []
    assert "bootstrap" not in page.lower()
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';' in page
    assert '<html lang="de">' in page


def test_library_is_inlined_without_urls_but_otherwise_unchanged() -> None:
    js, css = view.vis_assets()
    original = (view.VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8")
    assert URL.findall(js) == [] and URL.findall(css) == []
    assert r'"http:\/\/www.w3.org\/2000\/svg"' in js, "the SVG namespace keeps its value"
    assert len(original) - len(js) < 200, "only URL schemes were touched"
    assert "vis.js may be distributed under either license" in js, "licence header kept"


@pytest.mark.parametrize("name", [mini.EVIL, mini.HREF])
def test_names_appear_only_escaped(mini_graph: nx.MultiDiGraph, name: str) -> None:
    page = view.render_html(mini_graph, title=name, tables=True)
    assert name not in page
    for raw in ("<img", "<script>alert", "<a href"):
        assert raw not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page or "&lt;a href=" in page, "title escaped"
    data = payload(page)
    org = next(n for n in data["nodes"] if n["label"].startswith(name[:8]))
    assert org["title"].startswith(name), "the tooltip shows the name as typed, as text"
    rows = data["tables"]["nodes"]
    assert any(row[0] == name for row in rows)


def test_the_data_block_is_what_jinjas_tojson_would_write() -> None:
    """The page's JSON comes from orjson (faster), escaped by the rules of Jinja's
    ``tojson``: byte for byte the same text, for markup, quotes, umlauts, line and
    paragraph separators, control characters and numbers."""
    from jinja2.utils import htmlsafe_json_dumps

    value = {
        "name": mini.EVIL + " & 'x' \"y\" Düsseldorf ß",
        "lines": "a\nb\tc\u2028d\u2029e\x00\x1f\x7f",
        "numbers": [0, -1, 10_752, 2**53, 1.5, -0.25],
        "nested": [{"ok": True, "none": None}, []],
    }
    expected = htmlsafe_json_dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert view.json_for_html(value) == str(expected)
    assert "<" not in view.json_for_html(value) and "'" not in view.json_for_html(value)


def test_template_never_parses_data_as_html() -> None:
    template = (view.TEMPLATE_DIR / "view.html.j2").read_text(encoding="utf-8")
    assert "innerHTML" not in template and "|safe" not in template
    assert "tooltip_link" not in template, "no raw-HTML tooltip branch as in pyvis's template"


def test_nodes_and_edges_carry_what_the_picture_needs(mini_graph: nx.MultiDiGraph) -> None:
    shown = explore.build_view(mini_graph, explore.index(mini_graph), None, mini.DUEREN, 1)
    data = payload(view.render_html(shown.graph, focus=mini.DUEREN))
    nodes = {n["id"]: n for n in data["nodes"]}
    assert set(nodes) == set(shown.graph)
    assert nodes[mini.DUEREN]["borderWidth"] == 4, "the focus is marked"
    assert nodes[mini.DUEREN]["color"]["border"] == view.FOCUS_COLOUR
    assert nodes[mini.DUEREN]["color"]["background"] == view.STYLES["Municipality"].color
    assert nodes[mini.KREIS_DUEREN]["label"] == "Düren (Kreis)", "told apart from the town"
    assert data["focus"] == mini.DUEREN
    assert nodes[mini.DUEREN]["title"].splitlines()[:3] == [
        "Düren",
        "Stadt · Nordrhein-Westfalen · AGS 05358008",
        "Einwohner: 93.323",
    ]
    assert nodes[mini.PORTAL]["group"] == "Project"
    edges = {(e["from"], e["to"]): e for e in data["edges"]}
    assert edges[(mini.DUEREN, mini.NET)]["title"] == (
        "ist Mitglied von – Modellkommune (1. Staffel), seit 12.12.2013"
    )
    assert len(edges) == shown.graph.number_of_edges()
    assert data["options"]["physics"]["enabled"] is True, "a small view gets physics"
    assert data["options"]["edges"]["smooth"] is False
    stab = data["options"]["physics"]["stabilization"]
    assert stab["iterations"] == view.STABILISATION_ITERATIONS
    assert set(data["options"]["groups"]) == set(explore.VIEW_LABELS)


def test_uncertain_things_are_dashed_and_say_so(mini_graph: nx.MultiDiGraph) -> None:
    data = payload(view.render_html(mini_graph))
    ws = next(n for n in data["nodes"] if n["id"] == mini.WORKSHOP)
    assert ws["label"].endswith("(vermutet, unsicher)")
    assert ws["shapeProperties"] == {"borderDashes": [4, 3]}
    assert "Hinweis: vermutet, unsicher" in ws["title"]
    edge = next(e for e in data["edges"] if e["from"] == mini.HREF_ORG)
    assert edge["dashes"] is True and edge["title"].endswith("(unsicher)")


def test_background_municipalities_are_small_and_without_links(
    mini_graph: nx.MultiDiGraph,
) -> None:
    assert explore.background(mini_graph) == mini.BACKGROUND
    data = payload(view.render_html(mini_graph, physics=False))
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes[mini.ALFLEN]["size"] == view.BACKGROUND_SIZE
    assert not any(e["from"] in mini.BACKGROUND for e in data["edges"])
    assert data["options"]["physics"] == {"enabled": False}
    assert nodes[mini.DUEREN]["x"] != nodes[mini.COCHEM_ZELL]["x"]


def test_a_smaller_node_is_drawn_over_a_larger_one(tmp_path: Path) -> None:
    """vis-network draws the nodes in the payload's order and a click hits the top one:
    Norderstedt's dot lies within Hamburg's hexagon and must be drawn over it, or a click
    on Norderstedt opens Hamburg. No node's centre is covered by a larger one drawn later."""
    store = EmbeddedStore(tmp_path / "curated.sqlite")
    store.write(read_curated(REPO / "data"))
    g = store.graph()
    store.close()
    nodes = payload(view.render_html(g, physics=False))["nodes"]
    place = {n["id"]: i for i, n in enumerate(nodes)}
    assert place["Municipality:01060063"] > place["State:02"]

    def size(n: dict) -> int:
        return int(n.get("size", view.STYLES.get(n["group"], view.DEFAULT_STYLE).size))

    background = explore.background(g)
    for i, below in enumerate(nodes):
        if below["id"] in background:
            continue
        for above in nodes[i + 1 :]:
            if math.dist((below["x"], below["y"]), (above["x"], above["y"])) < size(above):
                assert size(above) <= size(below), f"{above['id']} hides {below['id']}"


def test_large_views_never_get_physics() -> None:
    g = nx.MultiDiGraph()
    for i in range(view.PHYSICS_LIMIT + 1):
        g.add_node(f"Topic:t{i}", type="Topic", key=f"t{i}", name=f"Thema {i}")
    data = payload(view.render_html(g, physics=True))
    assert data["options"]["physics"] == {"enabled": False}
    assert data["options"]["edges"]["arrows"]["to"]["enabled"] is False
    assert data["options"]["interaction"]["hideEdgesOnDrag"] is True


def test_a_large_views_lines_carry_only_what_the_canvas_draws(
    mini_graph: nx.MultiDiGraph,
) -> None:
    # the mini network (with uncertain and administrative links) padded past the limit
    g = mini_graph.copy()
    for i in range(view.LARGE_VIEW_NODES):
        g.add_node(f"Topic:pad{i:05d}", type="Topic", key=f"pad{i:05d}", name=f"Thema {i}")
    large = view.view_payload(g)
    assert large["canvas_edges"] is True
    small_nodes, small_edges = view.vis_data(
        g, layout.positions(g), background=explore.background(g)
    )
    # the lines, read back from their groups: each group one style, its ends positions
    # in the node list, the groups in the order of their first line
    ids = [n["id"] for n in large["nodes"]]
    drawn = [
        (group["color"], group["dashes"], ids[group["ends"][k]], ids[group["ends"][k + 1]])
        for group in large["edges"]
        for k in range(0, len(group["ends"]), 2)
    ]
    lines = [(e.get("color"), bool(e.get("dashes")), e["from"], e["to"]) for e in small_edges]
    by_style: dict[tuple[object, bool], list[tuple[object, ...]]] = {}
    for line in lines:
        by_style.setdefault(line[:2], []).append(line)
    assert drawn == [line for group in by_style.values() for line in group], (
        "the same lines, colours and dashes; each style's in the same order"
    )
    assert all(set(group) == {"color", "dashes", "ends"} for group in large["edges"])
    assert len(large["edges"]) == len({(g["color"], g["dashes"]) for g in large["edges"]})
    assert any(dashes for _, dashes, _, _ in drawn) and any(colour for colour, *_ in drawn)
    assert large["nodes"] == small_nodes, "the nodes are the same records"


def test_legend_names_colour_and_shape() -> None:
    html = view.legend_html(["Municipality", "Workshop"])
    assert "Kommunen (Punkt)" in html and "Veranstaltungen (Dreieck nach unten)" in html
    assert "Projekte" not in html
    assert "gestrichelt: vermutet oder unsicher" in html


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_colours_have_enough_contrast_on_white() -> None:
    """Graphical objects need 3:1 against their background (WCAG 1.4.11)."""
    for style in (*view.STYLES.values(), view.DEFAULT_STYLE):
        ratio = 1.05 / (_luminance(style.color) + 0.05)
        assert ratio >= 3, (style, ratio)
    assert 1.05 / (_luminance(view.EDGE_COLOUR) + 0.05) >= 3
    assert 1.05 / (_luminance(view.TEXT_COLOUR) + 0.05) >= 4.5


def test_graphml_download_of_a_view(mini_graph: nx.MultiDiGraph) -> None:
    import io

    from graph.present.export import export_bytes

    shown = explore.build_view(mini_graph, explore.index(mini_graph), None, mini.EVIL_ORG, 1)
    back = nx.read_graphml(io.BytesIO(export_bytes(shown.graph, "graphml")))
    assert set(back.nodes) == set(shown.graph)
    assert back.nodes[mini.EVIL_ORG]["label"] == mini.EVIL, "XML-escaped, read back as typed"
    assert {d["relation"] for _, _, d in back.edges(data=True)} == {"RUNS"}


def test_bad_height_is_refused(mini_graph: nx.MultiDiGraph) -> None:
    with pytest.raises(KommunetzError, match="Ungültige Höhe"):
        view.render_html(mini_graph, height="1px; background:url(x)")


# -- export: both stores --------------------------------------------------------------


def test_export_whole_network_and_a_focus(store: GraphStore, tmp_path: Path) -> None:
    store.write(mini.mini_batch())
    out = tmp_path / "sub" / "netz.html"
    view.export_html(store, out)
    page = out.read_text(encoding="utf-8")
    assert "<h1>kommunetz – Gesamtes Netzwerk</h1>" in page
    assert URL.findall(page) == []
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert {n["id"] for n in payload(page)["nodes"]} == set(
        explore.build_view(store.graph(), explore.index(store.graph())).graph
    )

    view.export_html(store, out, focus="07135", depth=1)
    page = out.read_text(encoding="utf-8")
    assert "Umgebung von Cochem-Zell (Tiefe 1)" in page
    assert payload(page)["focus"] == mini.COCHEM_ZELL
    assert [p.name for p in out.parent.iterdir()] == ["netz.html"], "no temporary file left"


def test_export_with_an_ambiguous_or_unknown_focus(store: GraphStore, tmp_path: Path) -> None:
    store.write(mini.mini_batch())
    out = tmp_path / "netz.html"
    with pytest.raises(Ambiguous) as info:
        view.export_html(store, out, focus="Düren")
    assert "Düren (Stadt, Nordrhein-Westfalen, AGS 05358008)" in str(info.value)
    assert "Düren (Kreis, Nordrhein-Westfalen, AGS 05358)" in str(info.value)
    with pytest.raises(NotFound, match="Keine Treffer gefunden für „Xanten“"):
        view.export_html(store, out, focus="Xanten")
    with pytest.raises(KommunetzError, match="Tiefe"):
        view.export_html(store, out, focus="07135", depth=4)
    assert not out.exists(), "nothing written on a refused export"


def test_cli_export_html(
    store: GraphStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
) -> None:
    from kommunetz.cli import main
    from kommunetz.exit_codes import EXIT_INVALID

    store.write(mini.mini_batch())
    point_env_at(request, store.kind, tmp_path, monkeypatch)
    out = tmp_path / "x.html"
    argv = ["export", "--format", "html", str(out), "--focus"]
    assert main([*argv, "Düren", "--depth", "2"]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert err.startswith("Fehler: „Düren“ ist mehrdeutig.")
    assert not out.exists()
    assert main([*argv, "05358008"]) == 0
    assert capsys.readouterr().out == f"Geschrieben: {out}\n"
    assert "Umgebung von Düren (Tiefe 1)" in out.read_text(encoding="utf-8")
