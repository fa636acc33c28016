"""The interactive network view: a vis-network page built through pyvis, safe to embed.

What pyvis 0.3.2 does not give, and this module adds:

* **Speed.** pyvis's ``add_node``/``add_edge``/``from_nx`` check every new item against
  lists of all earlier ones (quadratic: 35–40 s for 10,000 nodes and 30,000 edges). Here
  the node and edge dicts are built in one pass over the graph and handed to a pyvis
  `Network` as its lists; nodes get fixed positions from `graph.present.layout`, and physics (with
  straight edges and a bounded stabilisation) runs only in small views.
* **Nothing from third-party hosts.** pyvis's template links Bootstrap and vis-network on
  CDNs even with in-line resources. Our own template (``templates/view.html.j2``) in-lines
  pyvis's copy of vis-network and holds no URL of any host: the informational URLs in the
  library's licence header and strings lose their scheme, the SVG namespace name (an
  identifier, never fetched) is written with escaped slashes. A Content-Security-Policy
  makes the browser refuse every fetch besides.
* **Escaping.** Every label and tooltip is data in a JSON block that cannot end its
  ``<script>`` (``<``, ``>``, ``&`` and ``'`` are ``\\u`` escapes), and vis-network shows a
  string tooltip as text (``innerText``). pyvis's template switches to raw-HTML tooltips
  (``innerHTML``) when a title contains ``href``; ours has no such branch. The page title
  and legend are autoescaped by Jinja.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import networkx as nx
import orjson
import pyvis
from pyvis.network import Network

from graph.core.cache import gc_paused
from graph.core.errors import InvalidInput, KommunetzError
from graph.core.model import ADMINISTRATIVE_RELS, REL_TYPES
from graph.core.nodes import node_state
from graph.core.search import resolve
from graph.core.store import GraphStore
from graph.present import explore, layout, text

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
VIS_DIR = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"

#: Up to this many nodes a view is laid out by physics (from its map positions) unless the
#: caller asks for the map; above it nodes stay at their map positions. pyvis's defaults
#: (physics, 1,000 stabilisation iterations) take 41 s to first draw 500 nodes.
PHYSICS_MAX_NODES = 300
#: Physics is never run on more nodes than this, even when asked for.
PHYSICS_LIMIT = 1000
#: Above this many nodes edges lose their arrowheads (sub-pixel at that zoom, and ~10 % of
#: the first draw) and are drawn as lines on the canvas, not as vis-network edge objects
#: (``templates/edges.js``: more than half of the first draw of 10,000 nodes went into
#: creating those).
LARGE_VIEW_NODES = 1000
STABILISATION_ITERATIONS = 200

TEXT_COLOUR = "#1a1a1a"
EDGE_COLOUR = "#7b858e"  # 3.7:1 on white: lines are graphical objects (WCAG 1.4.11)
ADMIN_EDGE_COLOUR = "#9aa3ab"
FOCUS_COLOUR = "#000000"
#: Borders of the nodes that changed between two dates (`graph.core.validity.change_marks`);
#: the label says it too ("[neu]"), so colour is never the only cue (WCAG 1.4.1).
CHANGE_COLOURS = {"neu": "#1a7f37", "beendet": "#b42318", "neu und beendet": "#8a4b00"}
LABEL_LIMIT = 40


@dataclass(frozen=True)
class NodeStyle:
    """How a node type looks: colour and shape, named in German for the legend. Colours
    have at least 3:1 contrast on white (WCAG 1.4.11); shapes tell types apart without
    colour (WCAG 1.4.1). vis-network has seven shapes with the label beside them; the
    other types are drawn as a glyph (``icon``) from the Unicode block of geometric shapes
    and dingbats, which system fonts carry — no web font is loaded."""

    shape: str
    color: str
    symbol: str
    shape_name: str
    size: int

    def group(self) -> dict[str, Any]:
        """The vis-network ``groups`` entry for this style."""
        if self.shape == "icon":
            return {
                "shape": "icon",
                "icon": {
                    "face": "sans-serif",
                    "code": self.symbol,
                    "size": 2 * self.size + 6,
                    "color": self.color,
                },
            }
        return {
            "shape": self.shape,
            "size": self.size,
            "color": {
                "background": self.color,
                "border": self.color,
                "highlight": {"background": self.color, "border": FOCUS_COLOUR},
            },
        }


STYLES: Mapping[str, NodeStyle] = {
    "Municipality": NodeStyle("dot", "#1f5f99", "●", "Punkt", 12),
    "Gemeindeverband": NodeStyle("box", "#3d7ab8", "▬", "Rechteck", 12),
    "State": NodeStyle("hexagon", "#56616b", "⬢", "Sechseck", 20),
    "Organisation": NodeStyle("square", "#a14f00", "■", "Quadrat", 12),
    "Network": NodeStyle("star", "#b3261e", "★", "Stern", 24),
    "Project": NodeStyle("diamond", "#2e7d32", "◆", "Raute", 11),
    "Workshop": NodeStyle("triangleDown", "#00766c", "▼", "Dreieck nach unten", 11),
    "Cooperation": NodeStyle("icon", "#ad1457", "◎", "Doppelkreis", 11),
    "Report": NodeStyle("icon", "#6d4c41", "▣", "Quadrat mit Rahmen", 11),
    "Finding": NodeStyle("icon", "#455a64", "✚", "Kreuz", 11),
    "Topic": NodeStyle("triangle", "#6a3d9a", "▲", "Dreieck", 11),
}
DEFAULT_STYLE = NodeStyle("dot", "#56616b", "●", "Punkt", 10)

#: Municipalities of the directory that take part in nothing: small, labelled only when
#: zoomed in (the label's size is under vis-network's draw threshold at Germany scale).
BACKGROUND_SIZE = 2
BACKGROUND_FONT = 4
#: Lighter than the members' blue, so that the directory is the map and the network the
#: picture on it (the dots are context; the members keep their 3:1 colour).
BACKGROUND_COLOUR = "#a9bfd6"
KREIS_SIZE = 16


@dataclass(frozen=True)
class LegendEntry:
    label: str
    name: str
    shape_name: str
    color: str
    symbol: str


def legend_entries(labels: Iterable[str] | None = None) -> list[LegendEntry]:
    """Colour, shape and German name of each node type (of ``labels``, in legend order)."""
    wanted = set(labels) if labels is not None else set(explore.VIEW_LABELS)
    return [
        LegendEntry(label, text.type_name(label, plural=True), s.shape_name, s.color, s.symbol)
        for label in explore.VIEW_LABELS
        if label in wanted and (s := STYLES[label])
    ]


def legend_html(labels: Iterable[str] | None = None) -> str:
    """The legend as an HTML list (constants only, no data): for pages that show it
    beside an embedded view."""
    return _ENV.get_template("legend.html.j2").render(legend=legend_entries(labels))


# -- assets ---------------------------------------------------------------------------

_URL = re.compile(r"https?://", re.IGNORECASE)
_SVG_NS = '"http://www.w3.org/2000/svg"'


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """vis-network's script and style sheet from pyvis, with no URL text left in them.

    The script is otherwise unchanged: the SVG namespace keeps its value (``\\/`` is ``/``
    in a JavaScript string), the licence header keeps its text.
    """
    js = (VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8")
    css = (VIS_DIR / "vis-network.css").read_text(encoding="utf-8")
    js = js.replace(_SVG_NS, r'"http:\/\/www.w3.org\/2000\/svg"')
    js, css = _URL.sub("", js), _URL.sub("", css)
    for name, asset, end in (("vis-network.min.js", js, "</script"), ("css", css, "</style")):
        if end in asset.lower():  # would end the in-line block early
            raise RuntimeError(f"{name} contains {end}; cannot in-line it safely")
    return js, css


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


_ENV = _environment()

#: Jinja's ``tojson`` escapes: JSON in an HTML element can then neither end it nor be read
#: as markup.
_HTML_JSON_ESCAPES = (
    (b"<", b"\\u003c"),
    (b">", b"\\u003e"),
    (b"&", b"\\u0026"),
    (b"'", b"\\u0027"),
)


def json_for_html(value: Any) -> str:
    """``value`` as compact JSON (umlauts as they are) that can stand in an HTML element,
    escaped as Jinja's ``tojson`` does. By orjson: the standard library's encoder took a
    third of the time to build a 10,000-node page (68 of 204 ms for 5 MB)."""
    data = orjson.dumps(value)
    for raw, escaped in _HTML_JSON_ESCAPES:
        data = data.replace(raw, escaped)
    return data.decode()


# -- one pass over the graph ----------------------------------------------------------


def tooltip(attrs: Mapping[str, Any], marks: list[str] | None = None) -> str:
    """Key facts of a node as plain text, one per line (vis-network shows it as text);
    ``marks`` are its `text.flags` where the caller has them already."""
    label = attrs.get("type")
    first = [text.kind_of(attrs)]
    state = text.state_name(node_state(attrs))
    if state and label != "State":
        first.append(state)
    if label == "Municipality":
        first.append(f"AGS {attrs.get('key')}")
    elif label == "Gemeindeverband":
        first.append(f"ARS {attrs.get('key')}")
    lines = [str(attrs.get("name", "")), " · ".join(first)]
    population = attrs.get("population")
    if population:
        lines.append("Einwohner: " + text.format_int(population))
    time = text.when(attrs)
    if time is not None:
        lines.append(f"{time[0]}: {time[1]}")
    for prop, name in (("place", "Ort"), ("status", "Status")):
        if attrs.get(prop):
            lines.append(f"{name}: {attrs[prop]}")
    if marks is None:
        marks = text.flags(attrs)
    if marks:
        lines.append("Hinweis: " + ", ".join(marks))
    return "\n".join(lines)


def vis_data(
    g: nx.MultiDiGraph,
    positions: Mapping[str, layout.Point],
    *,
    focus: str | None = None,
    background: set[str] | None = None,
    changed: Mapping[str, str] | None = None,
    edge_objects: bool = True,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """vis-network node and edge records of ``g``, in one pass over each.

    Styling that all nodes of a type share lives in the ``groups`` option, so a record
    carries only what differs: label, tooltip, position (the start for physics), and marks
    for the focus, the background, uncertain facts and ``changed`` nodes (node id → how
    it changed between two dates). Without ``edge_objects`` (a large view, whose lines
    `templates/edges.js` draws) the edges are groups of line ends by style
    (`_canvas_lines`): no id and no tooltip, which no line on the canvas shows.
    """
    if background is None:
        background = explore.background(g)
    changed = changed or {}
    nodes: list[dict[str, Any]] = []
    layers: list[tuple[bool, int]] = []  # drawing order, see below
    for nid, attrs in g.nodes(data=True):
        label = str(attrs.get("type"))
        style = STYLES.get(label, DEFAULT_STYLE)
        name = str(attrs.get("name", nid))
        kreis = label == "Municipality" and attrs.get("level") == "Kreis"
        if (kreis or label == "Gemeindeverband") and attrs.get("kind"):
            # Kreis Düren and Stadt Düren are both "Düren", Amt and Gemeinde Süderbrarup too
            name = f"{name} ({attrs['kind']})"
        x, y = positions.get(nid, (0.0, 0.0))
        marks = text.flags(attrs)
        behind = nid in background
        node: dict[str, Any] = {
            "id": nid,
            "label": text.shorten(name, LABEL_LIMIT),
            "title": tooltip(attrs, marks),
            "group": label,
            "x": round(x),
            "y": round(y),
            # labels by importance (the focus first); the background's come last
            "imp": 0 if behind else explore.importance(g, nid, focus),
        }
        if behind:
            node["size"] = BACKGROUND_SIZE
            node["font"] = {"size": BACKGROUND_FONT}
            node["borderWidth"] = 0
            node["color"] = {"background": BACKGROUND_COLOUR, "border": BACKGROUND_COLOUR}
        elif label == "Municipality" and attrs.get("level") == "Kreis":
            node["size"] = KREIS_SIZE
        if marks:
            node["label"] += f" ({', '.join(marks)})"
            node["shapeProperties"] = {"borderDashes": [4, 3]}
            node["borderWidth"] = 2
        how = changed.get(nid) if changed else None
        if how is not None and not behind:
            colour = CHANGE_COLOURS.get(how, FOCUS_COLOUR)
            node["label"] += f" [{how}]"
            node["title"] += f"\nÄnderung im gewählten Zeitraum: {how}"
            node["borderWidth"] = 4
            node["color"] = {
                "background": style.color,
                "border": colour,
                "highlight": {"background": style.color, "border": colour},
            }
        if nid == focus:
            node["size"] = int(style.size * 1.6)
            node["borderWidth"] = 4
            node["color"] = {
                "background": style.color,
                "border": FOCUS_COLOUR,
                "highlight": {"background": style.color, "border": FOCUS_COLOUR},
            }
        nodes.append(node)
        layers.append((not behind, -int(node.get("size", style.size))))
    # vis-network draws the nodes in the order given, the last on top, and a click hits the
    # top one. Bottom up: the directory's background, then the larger shapes — so that
    # Norderstedt, whose dot lies within Hamburg's hexagon, stays clickable at its centre,
    # and Hamburg around it. (Selected nodes are drawn on top by vis-network itself.)
    order = sorted(range(len(nodes)), key=layers.__getitem__)
    nodes = [nodes[i] for i in order]
    if not edge_objects:
        return nodes, _canvas_lines(g, nodes, background)
    edges: list[dict[str, Any]] = []
    edge: dict[str, Any]
    plain = {rtype: text.relation_name(rtype) for rtype in REL_TYPES}
    i = 0
    for a, nbrs in g._succ.items():  # the plain dicts: 30,000 edges per large view
        if a in background:
            continue  # 11,000 lines to 16 Land centres would hide everything else
        for b, keydict in nbrs.items():
            for rtype, attrs in keydict.items():
                i += 1
                edge = {"id": i, "from": a, "to": b}
                # the common case (no role, no date, none of the props `text.flags` reads)
                # without a call: 30,000 edges per large view
                if (
                    "role" in attrs
                    or "since" in attrs
                    or "inferred" in attrs
                    or "confidence" in attrs
                ):
                    edge["title"] = _edge_title(rtype, attrs)
                    if text.flags(attrs):
                        edge["dashes"] = True
                else:
                    edge["title"] = plain.get(rtype, rtype)
                if rtype in ADMINISTRATIVE_RELS:
                    edge["color"] = ADMIN_EDGE_COLOUR
                edges.append(edge)
    return nodes, edges


def _canvas_lines(
    g: nx.MultiDiGraph, nodes: list[dict[str, Any]], background: set[str]
) -> list[dict[str, Any]]:
    """A large view's relationships as `templates/edges.js` draws them: one group per
    colour and dash style (in the order of their first relationship), each with the ends
    of its lines as positions in ``nodes`` (``[from, to, from, to, …]``). Numbers instead
    of two node ids and two keys per line: 30,000 lines are 0.3 MB of JSON instead of
    1.8 MB, for the server to write and the browser to read."""
    at = {node["id"]: k for k, node in enumerate(nodes)}
    groups: dict[tuple[str | None, bool], list[int]] = {}
    plain: list[int] | None = None  # the common style, looked up once
    admin = ADMINISTRATIVE_RELS
    for a, nbrs in g._succ.items():
        if a in background:
            continue  # as in `vis_data`
        ia = at[a]
        for b, keydict in nbrs.items():
            ib = at[b]
            for rtype, attrs in keydict.items():
                dashes = ("inferred" in attrs or "confidence" in attrs) and bool(text.flags(attrs))
                colour = ADMIN_EDGE_COLOUR if rtype in admin else None
                if colour is None and not dashes:
                    if plain is None:
                        plain = groups.setdefault((None, False), [])
                    ends = plain
                else:
                    ends = groups.setdefault((colour, dashes), [])
                ends.append(ia)
                ends.append(ib)
    return [
        {"color": colour, "dashes": dashes, "ends": ends}
        for (colour, dashes), ends in groups.items()
        if ends
    ]


def _edge_title(rtype: str, attrs: Mapping[str, Any]) -> str:
    title = text.relation_name(rtype)
    extra = text.edge_details(attrs)
    if extra:
        title += f" – {extra}"
    marks = text.flags(attrs)
    if marks:
        title += f" ({', '.join(marks)})"
    return title


def vis_options(*, physics: bool, large: bool) -> dict[str, Any]:
    """vis-network options: group styles, straight edges, keyboard navigation; physics
    with a bounded stabilisation for small views, none for large ones."""
    groups = {label: s.group() for label, s in STYLES.items()}
    return {
        "autoResize": True,
        "groups": groups,
        "nodes": {
            "borderWidth": 1,
            "font": {
                "size": 14,
                "color": TEXT_COLOUR,
                "face": "system-ui, sans-serif",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            },
        },
        "edges": {
            "arrows": {"to": {"enabled": not large, "scaleFactor": 0.5}},
            "smooth": False,
            "color": {"color": EDGE_COLOUR, "highlight": FOCUS_COLOUR, "inherit": False},
            "width": 1,
        },
        "interaction": {
            "tooltipDelay": 150,
            # no focus on hover: focusing scrolls a partly visible frame into view under
            # the pointer (graph.js focuses on a press, without scrolling)
            "keyboard": {"enabled": True, "bindToWindow": False, "autoFocus": False},
            "navigationButtons": True,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
            "multiselect": False,
        },
        "layout": {"improvedLayout": False, "randomSeed": 1},
        "physics": (
            {
                "enabled": True,
                "solver": "forceAtlas2Based",
                "forceAtlas2Based": {"springLength": 60, "avoidOverlap": 0.4},
                "stabilization": {
                    "enabled": True,
                    "iterations": STABILISATION_ITERATIONS,
                    "updateInterval": 50,
                    "fit": True,
                },
            }
            if physics
            else {"enabled": False}
        ),
    }


_HEIGHT = re.compile(r"^\d{1,4}(px|vh|rem|em|%)$")


def render_html(
    g: nx.MultiDiGraph,
    *,
    height: str = "600px",
    title: str = "",
    focus: str | None = None,
    positions: Mapping[str, layout.Point] | None = None,
    background: set[str] | None = None,
    physics: bool | None = None,
    tables: bool = False,
    legend: bool = True,
    standalone: bool = True,
) -> str:
    """A standalone HTML page showing ``g`` (no third-party URLs; all text escaped).

    ``positions`` are the whole graph's (`graph.present.layout.positions`; computed from ``g`` if
    not given); ``focus`` is marked and selected; ``background`` overrides which
    municipalities are drawn as background (default: `graph.present.explore.background`).
    ``physics`` chooses the layout: True lets a force layout (straight edges, at most
    `STABILISATION_ITERATIONS` steps, then still) arrange the nodes from their map
    positions, False keeps the map; None decides by size (`PHYSICS_MAX_NODES`). Physics
    never runs on more than `PHYSICS_LIMIT` nodes. ``tables=True`` adds
    the text equivalent (tables of nodes and relationships) for a page that stands alone;
    ``standalone=False`` leaves out the heading, and ``legend=False`` the legend, for
    embedding in a page that shows its own.
    """
    if not _HEIGHT.match(height):
        raise KommunetzError(f"Ungültige Höhe „{height}“ (z. B. 600px).")
    n_nodes, n_edges = g.number_of_nodes(), explore.count_edges(g)
    with gc_paused():  # 100,000 short-lived records at 10,000 nodes: see `view_payload`
        payload = view_payload(
            g, focus=focus, positions=positions, background=background, physics=physics
        )
        payload["tables"] = _tables(g) if tables else None
        data = json_for_html(payload)
        del payload
    vis_js, vis_css = vis_assets()
    summary = summary_line(g)
    return _ENV.get_template("view.html.j2").render(
        title=title,
        height=height,
        summary=summary,
        aria_label=f"Netzwerkgrafik{': ' + title if title else ''}. {summary}",
        legend=legend_entries({d for _, d in g.nodes(data="type")}) if legend else [],
        tables=tables,
        standalone=standalone,
        node_count=n_nodes,
        edge_count=n_edges,
        payload=_Safe(data),
        vis_js=_Safe(vis_js),
        vis_css=_Safe(vis_css),
        edges_js=_Safe(edges_js()),
    )


def view_payload(
    g: nx.MultiDiGraph,
    *,
    focus: str | None = None,
    positions: Mapping[str, layout.Point] | None = None,
    background: set[str] | None = None,
    physics: bool | None = None,
    changed: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """What vis-network needs to draw ``g``: nodes, edges, options and the focus (see
    `render_html` for the arguments; ``changed`` as in `vis_data`). Plain JSON data:
    labels and tooltips are text."""
    n_nodes = g.number_of_nodes()
    if physics is None:
        physics = n_nodes <= PHYSICS_MAX_NODES
    physics = physics and 0 < n_nodes <= PHYSICS_LIMIT
    focus = focus if focus in g else None
    large = n_nodes > LARGE_VIEW_NODES
    # Python's cyclic collector paused: a 10,000-node view allocates some 100,000 records
    # and tuples, none in a cycle, and the collector walked the whole graph (its attribute
    # dicts are old objects) every few thousand of them — a seventh of the build.
    with gc_paused():
        if positions is None:
            positions = layout.positions(g)
        nodes, edges = vis_data(
            g,
            positions,
            focus=focus,
            background=background,
            changed=changed,
            edge_objects=not large,
        )
    # pyvis's Network holds the lists as it would after add_node/add_edge (see above)
    net = Network(directed=True, cdn_resources="in_line")
    net.nodes, net.edges = nodes, edges
    net.options = vis_options(physics=physics, large=large)
    return {
        "nodes": net.nodes,
        "edges": net.edges,
        "options": net.options,
        "focus": focus,
        "canvas_edges": large,  # drawn by templates/edges.js
    }


def summary_line(g: nx.MultiDiGraph) -> str:
    """``169 Knoten und 483 Beziehungen angezeigt.``"""
    return (
        f"{_count(g.number_of_nodes(), 'Knoten', 'Knoten')} und "
        f"{_count(explore.count_edges(g), 'Beziehung', 'Beziehungen')} angezeigt."
    )


KEYS_HELP = (
    "Tastatur: Grafik mit Tab auswählen, dann Pfeiltasten zum Verschieben, Plus und Minus "
    "zum Zoomen. Maus: Klick auf einen Knoten zeigt seine Details, Doppelklick seine "
    "Umgebung. Die Textfassung steht unter der Grafik."
)


def component_files() -> dict[str, str]:
    """The files of the explorer's graph component (``index.html``, its script, and
    vis-network with its style sheet), by name: constants only, no data, no URL."""
    js, css = vis_assets()
    return {
        "index.html": _ENV.get_template("graph_component.html.j2").render(),
        "graph.js": (TEMPLATE_DIR / "graph.js").read_text(encoding="utf-8"),
        "edges.js": edges_js(),
        "vis-network.min.js": js,
        "vis-network.css": css,
    }


@lru_cache(maxsize=1)
def edges_js() -> str:
    """Our script that draws a large view's relationships (``templates/edges.js``), for
    in-lining: a constant of this repository that cannot end its ``<script>`` element."""
    js = (TEMPLATE_DIR / "edges.js").read_text(encoding="utf-8")
    if "</" in js:
        raise KommunetzError("templates/edges.js darf kein „</“ enthalten.")
    return js


class _Safe(str):
    """Text Jinja must not escape: the vendored library (checked by `vis_assets`) and the
    payload's JSON (escaped by `json_for_html`)."""

    def __html__(self) -> str:
        return str(self)


def _count(n: int, one: str, many: str) -> str:
    return text.format_int(n) + " " + (one if n == 1 else many)


def _tables(g: nx.MultiDiGraph) -> dict[str, Any]:
    node_rows = explore.node_rows(g)
    edge_rows = explore.relation_rows(g)
    return {
        "node_head": list(node_rows[0]) if node_rows else [],
        "nodes": [list(r.values()) for r in node_rows],
        "edge_head": list(edge_rows[0]) if edge_rows else [],
        "edges": [list(r.values()) for r in edge_rows],
    }


def focused_view(
    store: GraphStore, focus: str | None, depth: int = 1
) -> tuple[nx.MultiDiGraph, explore.GraphIndex, explore.View]:
    """The public graph, its index and the view an export writes: the whole graph, or the
    neighbourhood of ``focus`` (a name or AGS as a user types it) in ``depth`` steps.
    Raises `Ambiguous`/`NotFound` (with the candidates) or `InvalidInput` for a depth
    out of range — the same for every export format."""
    if depth not in range(1, explore.MAX_DEPTH + 1):
        raise InvalidInput(f"Die Tiefe muss zwischen 1 und {explore.MAX_DEPTH} liegen.")
    g = store.graph()
    idx = explore.index(g)
    focus_id = None
    if focus:
        focus_id = resolve(store.search(focus, explore.VIEW_LABELS), focus, "Treffer").id
    return g, idx, explore.build_view(g, idx, explore.ViewFilter(), focus_id, depth)


def export_html(store: GraphStore, out: Path, *, focus: str | None = None, depth: int = 1) -> None:
    """Write the whole public graph (or the neighbourhood of ``focus``) as standalone HTML.

    ``focus`` is a name or AGS as a user types it; an ambiguous or unknown one raises
    `Ambiguous`/`NotFound` with the candidates. The page holds the text tables too. The
    file is written whole or not at all (temporary file, then rename).
    """
    g, idx, view = focused_view(store, focus, depth)
    page = render_html(
        view.graph,
        title=f"kommunetz – {view.title}",
        focus=view.focus,
        positions=layout.positions(g),
        background=explore.background(view.graph, idx),
        tables=True,
    )
    write_atomically(out, page)


def write_atomically(out: Path, content: str) -> None:
    """Write ``content`` to ``out`` so that ``out`` is either the old file or the new one,
    never half-written. Raises `KommunetzError` with the reason."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        # a replaced file keeps its permissions; a new one is readable as files usually are
        mode = out.stat().st_mode & 0o777 if out.exists() else 0o644
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(content)
            os.chmod(tmp, mode)
            os.replace(tmp, out)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise KommunetzError(f"Kann {out} nicht schreiben: {exc.strerror or exc}") from exc
