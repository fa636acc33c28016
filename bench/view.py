"""How fast the network view is built and drawn, against pyvis's own way.

For graphs of 1,000 / 2,000 / 10,000 nodes (about 3 relationships per node, shaped like
kommunetz data: municipalities with coordinates, projects, workshops, organisations,
topics) this prints, in one run:

* the time `graph.present.view.render_html` takes from the networkx graph to the HTML page
  (layout included; best of 3), against three ways to use pyvis on the same graph, each
  with ``generate_html`` and with their ratios: its default (``Network()`` undirected,
  ``from_nx``), ``from_nx`` into a directed network (no duplicate-edge scan: what a pyvis
  user who knows it would do), and the lists built by hand through ``add_nodes`` /
  ``add_edges`` with the same positions (the fastest pyvis path);
* the time to first draw in headless Chromium (vis-network's ``afterDrawing`` event,
  counted from the start of navigation) for our page and for pyvis's default page
  (physics, curved edges, 1,000 stabilisation iterations; its vis-network in-line, its
  CDN links blocked, since nothing may be fetched here).

Targets (issue 16): a 10,000-node view built in ≤ 0.15 s; first draw ≤ 0.8 s for 2,000
nodes and ≤ 2 s for 10,000.

    .venv/bin/python bench/view.py [--sizes 1000 2000 10000] [--timeout 60] [--no-browser]

Timings on a shared machine vary; take the final figures on a quiet one.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph.core.model import STATES
from graph.present import layout
from graph.present.view import render_html
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # one list of flags for all

BUILD_10K_S = 0.15
DRAW_LIMITS_S = {2000: 0.8, 10_000: 2.0}

#: Share of each node type and the relationship type that points to it.
MIX = (
    ("Municipality", 0.70, None),
    ("Project", 0.15, "RUNS"),
    ("Workshop", 0.05, "ATTENDED"),
    ("Organisation", 0.05, "PARTNER_OF"),
    ("Topic", 0.05, "ABOUT"),
)

#: Records when vis-network first draws, on any page: wraps ``Network.prototype.emit``
#: as the library assigns ``vis.Network`` (the page's own scripts stay untouched).
FIRST_DRAW_HOOK = """
window.__firstDraw = null;
(function () {
  var visObject;
  Object.defineProperty(window, "vis", {
    configurable: true,
    get: function () { return visObject; },
    set: function (v) {
      visObject = v;
      var N;
      Object.defineProperty(v, "Network", {
        configurable: true, enumerable: true,
        get: function () { return N; },
        set: function (x) {
          N = x;
          var emit = x.prototype.emit;
          x.prototype.emit = function (name) {
            if (name === "afterDrawing" && window.__firstDraw === null) {
              window.__firstDraw = performance.now();
            }
            return emit.apply(this, arguments);
          };
        }
      });
    }
  });
})();
"""


def synthetic_graph(n: int, per_node: int = 3, seed: int = 1) -> nx.MultiDiGraph:
    """``n`` nodes and about ``per_node * n`` relationships, attributes as `store.graph()`
    gives them."""
    rnd = random.Random(seed)
    south, west, north, east = layout.BOUNDS
    g = nx.MultiDiGraph()
    by_label: dict[str, list[str]] = {}
    codes = sorted(STATES)
    i = 0
    for label, share, _ in MIX:
        for _ in range(max(1, int(n * share))):
            if i >= n:
                break
            i += 1
            attrs: dict[str, Any] = {"type": label, "sources": ["src-bench"]}
            if label == "Municipality":
                code = rnd.choice(codes)
                key = f"{code}{i:06d}"
                attrs |= {
                    "name": f"Gemeinde {i}",
                    "kind": "Gemeinde",
                    "level": "Gemeinde",
                    "state_code": code,
                    "lat": rnd.uniform(south, north),
                    "lon": rnd.uniform(west, east),
                    "population": rnd.randint(200, 50_000),
                }
            else:
                key = f"{label.lower()}-{i}"
                attrs |= {"name": f"{label} {i}", "kind": label}
            attrs["key"] = key
            nid = f"{label}:{key}"
            g.add_node(nid, **attrs)
            by_label.setdefault(label, []).append(nid)
    nodes = list(g.nodes)
    targets = [(by_label[label], rtype) for label, _, rtype in MIX if rtype and label in by_label]
    for a in nodes:
        for _ in range(per_node):
            pool, rtype = rnd.choice(targets)
            b = rnd.choice(pool)
            if b != a:
                g.add_edge(a, b, key=rtype, type=rtype, sources=["src-bench"])
    return g


def best_of(fn: Any, repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def pyvis_default(g: nx.MultiDiGraph, directed: bool = False) -> str:
    """pyvis's own way: ``from_nx`` and its template (vis-network in-line). pyvis's
    default network is undirected, which adds a scan of all earlier edges to every
    ``add_edge``; a directed one still scans the node list for every edge end."""
    from pyvis.network import Network

    net = Network(directed=directed, cdn_resources="in_line")
    net.from_nx(nx.MultiDiGraph(g))  # from_nx writes into the attribute dicts: a copy
    return str(net.generate_html())


def pyvis_by_hand(g: nx.MultiDiGraph) -> str:
    """The fastest documented pyvis path: a directed network, the node lists (ids, labels,
    positions) built in one pass and handed to ``add_nodes``, the edges to ``add_edges``.
    pyvis still checks each edge's ends against its node list (a list scan per edge)."""
    from pyvis.network import Network

    pos = layout.positions(g)
    ids = list(g.nodes)
    net = Network(directed=True, cdn_resources="in_line")
    net.add_nodes(
        ids,
        label=[str(g.nodes[n].get("name", n)) for n in ids],
        x=[round(pos.get(n, (0.0, 0.0))[0]) for n in ids],
        y=[round(pos.get(n, (0.0, 0.0))[1]) for n in ids],
    )
    net.add_edges([(a, b) for a, b, _ in g.edges(keys=True)])
    net.toggle_physics(False)
    return str(net.generate_html())


def first_draw(page: Any, path: Path, timeout: float) -> tuple[float | None, int]:
    """Seconds from navigation start to vis-network's first ``afterDrawing`` (None if
    not within ``timeout``), and how many non-local requests the page tried (blocked)."""
    blocked: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(("file:", "data:", "about:")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(path.as_uri(), wait_until="commit")
    try:
        page.wait_for_function("() => window.__firstDraw !== null", timeout=timeout * 1000)
    except Exception:  # playwright's TimeoutError: report "not drawn in time"
        return None, len(blocked)
    finally:
        page.unroute("**/*")
    return float(page.evaluate("window.__firstDraw")) / 1000, len(blocked)


def fmt(seconds: float | None, timeout: float) -> str:
    return f"> {timeout:.0f}" if seconds is None else f"{seconds:.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 10000])
    parser.add_argument("--timeout", type=float, default=60, help="Sekunden je Seite")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()

    rows = []
    out = Path(tempfile.mkdtemp(prefix="kommunetz-bench-"))
    browser = pw = None
    if not args.no_browser:
        from playwright.sync_api import sync_playwright

        pw = sync_playwright().start()
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        for n in args.sizes:
            g = synthetic_graph(n)
            ours_s, ours_html = best_of(lambda g=g: render_html(g), 3)
            theirs_s, theirs_html = best_of(lambda g=g: pyvis_default(g), 1)
            directed_s, _ = best_of(lambda g=g: pyvis_default(g, directed=True), 1)
            hand_s, _ = best_of(lambda g=g: pyvis_by_hand(g), 1)
            row: dict[str, Any] = {
                "n": g.number_of_nodes(),
                "e": g.number_of_edges(),
                "ours": ours_s,
                "theirs": theirs_s,
                "directed": directed_s,
                "hand": hand_s,
                "kb": len(ours_html.encode()) // 1024,
            }
            print(
                f"{row['n']:>6} Knoten {row['e']:>6} Kanten: render_html {ours_s:.3f} s; pyvis "
                f"Standard {theirs_s:.3f} s ({theirs_s / ours_s:,.0f}×), from_nx gerichtet "
                f"{directed_s:.3f} s ({directed_s / ours_s:,.0f}×), add_nodes/add_edges "
                f"{hand_s:.3f} s ({hand_s / ours_s:,.0f}×)",
                flush=True,
            )
            if browser is not None:
                for name, html in (("ours", ours_html), ("pyvis", theirs_html)):
                    path = out / f"{name}-{n}.html"
                    path.write_text(html, encoding="utf-8")
                    context = browser.new_context(viewport={"width": 1280, "height": 800})
                    context.add_init_script(FIRST_DRAW_HOOK)
                    page = context.new_page()
                    row[f"draw_{name}"], row[f"blocked_{name}"] = first_draw(
                        page, path, args.timeout
                    )
                    context.close()
                    print(
                        f"        erstes Zeichnen ({name}): "
                        f"{fmt(row[f'draw_{name}'], args.timeout)} s, "
                        f"blockierte Anfragen an fremde Hosts: {row[f'blocked_{name}']}",
                        flush=True,
                    )
            rows.append(row)
    finally:
        if browser is not None:
            browser.close()
        if pw is not None:
            pw.stop()

    print()
    print(
        "Knoten  Kanten  Seite   Aufbau (s)  pyvis Standard  from_nx gerichtet"
        "  add_nodes/add_edges  1. Zeichnen  pyvis-Standard"
    )
    for r in rows:
        draw = fmt(r.get("draw_ours"), args.timeout) if "draw_ours" in r else "–"
        default = fmt(r.get("draw_pyvis"), args.timeout) if "draw_pyvis" in r else "–"
        cells = "".join(
            f"  {r[k]:>8.3f} ({r[k] / r['ours']:>4.0f}×)" for k in ("theirs", "directed", "hand")
        )
        print(
            f"{r['n']:>6}  {r['e']:>6}  {r['kb']:>4}kB  {r['ours']:>10.3f}{cells}"
            f"  {draw:>10} s  {default:>12} s"
        )
    print()
    for r in rows:
        if r["n"] >= 10_000:
            ok = r["ours"] <= BUILD_10K_S
            print(
                f"Ziel Aufbau 10.000 Knoten ≤ {BUILD_10K_S} s: "
                f"{'erreicht' if ok else 'VERFEHLT'} ({r['ours']:.3f} s; schnellster pyvis-Weg "
                f"{min(r['directed'], r['hand']):.3f} s)"
            )
        limit = DRAW_LIMITS_S.get(r["n"])
        if limit is not None and r.get("draw_ours") is not None:
            ok = r["draw_ours"] <= limit
            print(
                f"Ziel erstes Zeichnen {r['n']} Knoten ≤ {limit} s: "
                f"{'erreicht' if ok else 'VERFEHLT'} ({r['draw_ours']:.3f} s)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
