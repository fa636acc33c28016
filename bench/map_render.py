"""Which renderer draws the Germany map fast enough, offline: Vega-Lite (Altair) or deck.gl
(pydeck)?

Both pages show the same thing: the 401 Kreise of ``data/geo/`` as a choropleth
(Einwohner je km² from the Destatis directory 31.12.2024, five quantile classes, one
colour-blind-safe sequential palette), the Länder borders, and all 10,752 municipalities
of the directory as points (every 97th marked as a "member" in another colour), with a
tooltip and a click selection.

* **(a) Vega-Lite via Altair**, drawn by the very vega/vega-lite/vega-embed modules that
  Streamlit ships (``streamlit/static/static/js/loadVegaEmbed.*.js``), with the options
  of Streamlit's own chart element (canvas, AST expression interpreter, no actions).
  Projection: conformal conic (parallels 48°40′/53°40′, central meridian 10°30′).
* **(b) deck.gl via pydeck** (``map_provider=None``), drawn by the jupyter-widget bundle
  that the pydeck wheel ships (``pydeck/nbextension/static/index.js``; pydeck's own
  ``to_html`` would fetch it and four style sheets from CDNs, and mapbox-gl.js even with
  ``offline=True`` – counted below, never loaded). Projection: Web Mercator.

Each page is served from 127.0.0.1; every request to another host is aborted and counted
(must be 0). "First draw" is the time from navigation start until the chart has drawn
with its data (Vega: ``view.runAsync()`` resolved and a frame painted; deck.gl: the first
``onAfterRender`` with all layers loaded), median over ``--runs`` fresh browser contexts.
The script also checks hover (tooltip), click (picking/selection), PNG and SVG export in
the page, and server-side export through vl-convert if it is installed, and saves a
screenshot of each page.

    .venv/bin/python bench/map_render.py [--runs 7] [--out /tmp/kommunetz-map-bench]

Target (issue 11): first draw ≤ 1.5 s with 400 Kreise and all 10,752 points.
"""

from __future__ import annotations

import argparse
import base64
import bisect
import contextlib
import functools
import http.server
import json
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

import geo_topojson  # noqa: E402

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, is_local  # noqa: E402

TOPO = REPO / "data" / "geo" / "vg5000_2021_laender_kreise.topo.json"
DIRECTORY = REPO.parent / "shared" / "data" / "municipalities" / "AuszugGV4QAktuell_2024.xlsx"
WIDTH, HEIGHT = 760, 900
TARGET_S = 1.5

#: ColorBrewer "Blues", 5 classes: sequential, one hue, safe for all common colour-vision
#: deficiencies and in greyscale print.
BLUES5 = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]
#: Okabe–Ito: municipalities grey-black, members orange (distinguishable in CVD).
POINT, MEMBER, NO_DATA = "#444444", "#e69f00", "#d9d9d9"
ATTRIBUTION = "© GeoBasis-DE / BKG 2021 (Daten verändert), www.bkg.bund.de · Gemeinden: Destatis"


# --------------------------------------------------------------------------- data


def load_directory() -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Municipality points and per-Kreis figures from the Destatis file (the app's loader)."""
    from loaders.destatis import read_directory

    points, kreise = [], {}
    pop: dict[str, float] = {}
    area: dict[str, float] = {}
    for n in read_directory(DIRECTORY).nodes:
        if n.label != "Municipality" or n.props.get("level") != "Gemeinde":
            continue
        p = n.props
        k = n.key[:5]
        pop[k] = pop.get(k, 0) + (p.get("population") or 0)
        area[k] = area.get(k, 0) + (p.get("area_km2") or 0)
        points.append(
            {
                "ags": n.key,
                "name": p["name"],
                "kind": p["kind"],
                "population": p.get("population"),
                "lon": p["lon"],
                "lat": p["lat"],
                "member": int(n.key) % 97 == 0,
            }
        )
    for k in pop:
        kreise[k] = {"ags": k, "density": round(pop[k] / area[k], 1) if area[k] else None}
    return points, kreise


def quantile_breaks(values: list[float], classes: int = 5) -> list[float]:
    v = sorted(values)
    return [v[len(v) * i // classes] for i in range(1, classes)]


def colour(value: float | None, breaks: list[float]) -> str:
    return NO_DATA if value is None else BLUES5[bisect.bisect_right(breaks, value)]


# --------------------------------------------------------------------------- (a) Vega-Lite


def vega_spec(
    topo: dict[str, Any], points: list[dict[str, Any]], kreise: dict[str, Any], breaks: list[float]
) -> dict[str, Any]:
    import altair as alt

    table = alt.Data(values=list(kreise.values()))
    projection = {"type": "conicConformal", "parallels": [48.67, 53.67], "rotate": [-10.5, 0]}
    pick = alt.selection_point(name="kreis", fields=["ags"], on="click")
    kreis_layer = (
        alt.Chart(alt.Data(name="kreise", format=alt.DataFormat(type="topojson", feature="kreise")))
        .transform_calculate(
            ags="datum.properties.ags", name="datum.properties.name", kind="datum.properties.kind"
        )
        .transform_lookup(lookup="ags", from_=alt.LookupData(table, "ags", ["density"]))
        .mark_geoshape(stroke="white", strokeWidth=0.4)
        .encode(
            color=alt.Color(
                "density:Q",
                title="Einwohner je km²",
                scale=alt.Scale(type="threshold", domain=breaks, range=BLUES5),
            ),
            opacity=alt.condition(pick, alt.value(1), alt.value(0.55)),
            tooltip=[
                alt.Tooltip("name:N", title="Kreis"),
                alt.Tooltip("kind:N", title="Art"),
                alt.Tooltip("density:Q", title="Einwohner je km²"),
            ],
        )
        .add_params(pick)
    )
    land_layer = alt.Chart(
        alt.Data(name="laender", format=alt.DataFormat(type="topojson", mesh="laender"))
    ).mark_geoshape(filled=False, stroke="#222222", strokeWidth=1)
    point_layer = (
        alt.Chart(alt.Data(name="points"))
        .mark_circle(size=6, opacity=0.8)
        .encode(
            longitude="lon:Q",
            latitude="lat:Q",
            color=alt.Color(
                "member:N",
                title="Gemeinde",
                scale=alt.Scale(domain=[False, True], range=[POINT, MEMBER]),
                legend=alt.Legend(labelExpr="datum.value ? 'Mitglied' : 'Gemeinde'"),
            ),
            tooltip=[
                alt.Tooltip("name:N", title="Gemeinde"),
                alt.Tooltip("kind:N", title="Art"),
                alt.Tooltip("population:Q", title="Einwohner", format=","),
            ],
        )
    )
    chart = (
        alt.layer(kreis_layer, land_layer, point_layer)
        .resolve_scale(color="independent")
        .project(**projection)
        .properties(
            width=WIDTH - 160,
            height=HEIGHT - 60,
            # in the chart itself, so that every PNG/SVG export carries it
            title=alt.TitleParams(
                ATTRIBUTION, orient="bottom", anchor="start", fontSize=11, fontWeight="normal"
            ),
        )
    )
    spec = chart.to_dict()
    # Each dataset once (named, like Altair's own consolidation). Vega-Lite reads a named
    # dataset with one format only, so the Länder borders get their own small topology.
    spec["datasets"] = {
        **spec.get("datasets", {}),
        "kreise": geo_topojson.subset(topo, ["kreise"]),
        "laender": geo_topojson.subset(topo, ["laender"]),
        "points": points,
    }
    return spec


VEGA_PAGE = """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Karte (Vega-Lite)</title>
<style>body{margin:0;font-family:sans-serif}#vis{padding:8px}
.attribution{font-size:12px;padding:0 8px}</style></head>
<body><div id="vis"></div>
<p class="attribution"><a href="https://www.bkg.bund.de">© GeoBasis-DE / BKG 2021 (Daten
verändert)</a> · Gemeinden: © Statistisches Bundesamt (Destatis), dl-de/by-2-0</p>
<script type="application/json" id="spec">__SPEC__</script>
<script type="module">
import { t as loadVegaEmbed } from "/js/__LOADER__";
const { embed, expressionInterpreter } = await loadVegaEmbed();
const spec = JSON.parse(document.getElementById("spec").textContent);
const result = await embed("#vis", spec, {
  ast: true, expr: expressionInterpreter, renderer: "canvas", actions: false,
  tooltip: { disableDefaultStyle: false }, defaultStyle: false,
});
await result.view.runAsync();
requestAnimationFrame(() => { window.__firstDraw = performance.now(); });
window.__view = result.view;
result.view.addEventListener("click", (event, item) => {
  window.__clicked = item && item.datum ? (item.datum.name || item.datum.ags) : null;
});
</script></body></html>
"""


# --------------------------------------------------------------------------- (b) deck.gl


def deck_json(
    topo: dict[str, Any], points: list[dict[str, Any]], kreise: dict[str, Any], breaks: list[float]
) -> str:
    import pydeck as pdk

    def rgb(hex_colour: str) -> list[int]:
        return [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]

    feats = geo_topojson.features(topo, "kreise")
    for f in feats:
        value = kreise.get(f["properties"]["ags"], {}).get("density")
        f["properties"] = {**f["properties"], "density": value, "fill": rgb(colour(value, breaks))}
    laender = geo_topojson.features(topo, "laender")
    pts = [
        {**p, "position": [p["lon"], p["lat"]], "colour": rgb(MEMBER if p["member"] else POINT)}
        for p in points
    ]
    deck = pdk.Deck(
        layers=[
            pdk.Layer(
                "GeoJsonLayer",
                {"type": "FeatureCollection", "features": feats},
                id="kreise",
                pickable=True,
                stroked=True,
                filled=True,
                get_fill_color="properties.fill",
                get_line_color=[255, 255, 255],
                line_width_min_pixels=0.4,
                auto_highlight=True,
            ),
            pdk.Layer(
                "GeoJsonLayer",
                {"type": "FeatureCollection", "features": laender},
                id="laender",
                stroked=True,
                filled=False,
                get_line_color=[34, 34, 34],
                line_width_min_pixels=1,
            ),
            pdk.Layer(
                "ScatterplotLayer",
                pts,
                id="gemeinden",
                pickable=True,
                get_position="position",
                get_fill_color="colour",
                # pydeck turns every string into an accessor ("@@=pixels"), so
                # radius_units="pixels" would be ignored: metres with pixel limits.
                get_radius=900,
                radius_min_pixels=1.2,
                radius_max_pixels=4,
                opacity=0.8,
            ),
        ],
        initial_view_state=pdk.ViewState(latitude=51.16, longitude=10.45, zoom=5.25),
        map_provider=None,
        tooltip={"text": "{name}"},
        height=HEIGHT - 60,
    )
    # pydeck indents its JSON (9 MB here); st.pydeck_chart sends that, the page gets it minified
    return json.dumps(json.loads(deck.to_json()), separators=(",", ":"))


DECK_PAGE = """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Karte (deck.gl)</title>
<style>body{margin:0;font-family:sans-serif}
#deck-container{position:relative;width:__W__px;height:__H__px}
.attribution{font-size:12px;padding:0 8px}</style>
<script src="/pydeck/index.js"></script></head>
<body><div id="deck-container"></div>
<p class="attribution"><a href="https://www.bkg.bund.de">© GeoBasis-DE / BKG 2021 (Daten
verändert)</a> · Gemeinden: © Statistisches Bundesamt (Destatis), dl-de/by-2-0</p>
<script type="application/json" id="spec">__SPEC__</script>
<script>
const jsonInput = JSON.parse(document.getElementById("spec").textContent);
const deck = createDeck({ container: document.getElementById("deck-container"),
                          jsonInput, tooltip: true });
window.__deck = deck;
deck.setProps({ onAfterRender: () => {
  if (window.__firstDraw) return;
  const layers = deck.layerManager ? deck.layerManager.getLayers() : [];
  if (layers.length >= 3 && layers.every((l) => l.isLoaded)) window.__firstDraw = performance.now();
}});
</script></body></html>
"""


# --------------------------------------------------------------------------- serving + timing


@contextlib.contextmanager
def serve(root: Path) -> Iterator[str]:
    """A quiet static HTTP server on 127.0.0.1 for ``root`` (ES modules need http)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def blocking_context(browser: Any) -> tuple[Any, list[str]]:
    """A fresh browser context that aborts every request to another host and lists it."""
    context = browser.new_context(
        viewport={"width": WIDTH + 40, "height": HEIGHT + 60}, locale="de-DE"
    )
    blocked: list[str] = []

    def route(r: Any) -> None:
        if is_local(r.request.url):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    return context, blocked


def first_draw(browser: Any, url: str, timeout_s: float = 60) -> tuple[float, list[str], Any]:
    """Seconds to first draw, the non-local requests (aborted), and the open context."""
    context, blocked = blocking_context(browser)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="commit")
    try:
        page.wait_for_function("() => window.__firstDraw", timeout=timeout_s * 1000)
    except Exception as exc:
        raise SystemExit(f"{url}: nicht gezeichnet ({exc}); Seitenfehler: {errors}") from exc
    return float(page.evaluate("window.__firstDraw")) / 1000, blocked, (context, page)


def check_vega(page: Any, out: Path) -> dict[str, Any]:
    """Hover tooltip, click selection, PNG/SVG export of the drawn view."""
    res: dict[str, Any] = {}
    box = page.locator("#vis canvas").bounding_box()
    # Kassel is about in the middle of Germany: hover a point there and see the tooltip
    page.mouse.move(box["x"] + box["width"] * 0.42, box["y"] + box["height"] * 0.45)
    page.wait_for_timeout(400)
    tip = page.locator("#vg-tooltip-element")
    res["hover"] = tip.is_visible() and tip.inner_text().strip().replace("\n", " ")[:80]
    page.mouse.click(box["x"] + box["width"] * 0.42, box["y"] + box["height"] * 0.45)
    page.wait_for_timeout(300)
    res["click"] = page.evaluate("() => window.__clicked")
    res["selection"] = page.evaluate("() => JSON.stringify(window.__view.signal('kreis'))")
    t0 = time.perf_counter()
    png = page.evaluate("async () => await window.__view.toImageURL('png', 2)")
    res["png_s"] = time.perf_counter() - t0
    res["png_bytes"] = len(png) * 3 // 4
    (out / "vega-export.png").write_bytes(base64.b64decode(png.split(",", 1)[1]))
    t0 = time.perf_counter()
    svg = page.evaluate("async () => await window.__view.toSVG()")
    res["svg_s"] = time.perf_counter() - t0
    res["svg_bytes"] = len(svg.encode())
    (out / "vega-export.svg").write_text(svg, encoding="utf-8")
    return res


def check_deck(page: Any, out: Path) -> dict[str, Any]:
    res: dict[str, Any] = {}
    box = page.locator("#deck-container").bounding_box()
    x, y = box["width"] * 0.42, box["height"] * 0.45
    page.mouse.move(box["x"] + x, box["y"] + y)
    page.wait_for_timeout(400)
    tip = page.locator(".deck-tooltip")
    res["hover"] = tip.count() > 0 and tip.first.is_visible() and tip.first.inner_text()[:80]
    res["click"] = page.evaluate(
        f"() => {{ const o = window.__deck.pickObject({{x: {x}, y: {y}, radius: 2}});"
        " return o ? (o.layer.id + ': ' + (o.object.properties ? o.object.properties.name"
        " : o.object.name)) : null; }"
    )
    png = page.evaluate(
        "() => { window.__deck.redraw('export');"
        " return window.__deck.canvas.toDataURL('image/png'); }"
    )
    res["png_bytes"] = len(png) * 3 // 4
    (out / "deck-export.png").write_bytes(base64.b64decode(png.split(",", 1)[1]))
    res["svg"] = "nein (WebGL)"
    return res


def server_side_export(spec: dict[str, Any], out: Path) -> dict[str, Any]:
    """PNG and SVG on the server with vl-convert (what a download button would use, since
    Streamlit's chart element turns vega-embed's export menu off)."""
    try:
        import vl_convert as vlc
    except ImportError:
        return {"vl_convert": "nicht installiert"}
    res: dict[str, Any] = {"vl_convert": getattr(vlc, "__version__", "?")}
    t0 = time.perf_counter()
    svg = vlc.vegalite_to_svg(spec)
    res["svg_s"], res["svg_bytes"] = time.perf_counter() - t0, len(svg.encode())
    t0 = time.perf_counter()
    png = vlc.vegalite_to_png(spec, scale=2)
    res["png_s"], res["png_bytes"] = time.perf_counter() - t0, len(png)
    (out / "vl-convert.png").write_bytes(png)
    return res


def pydeck_own_html_requests(browser: Any, deck_html: str, root: Path, base: str) -> list[str]:
    """What pydeck's own HTML (``offline=True``) tries to fetch from other hosts."""
    (root / "pydeck-own.html").write_text(deck_html, encoding="utf-8")
    context, blocked = blocking_context(browser)
    page = context.new_page()
    page.goto(f"{base}/pydeck-own.html", wait_until="load")
    page.wait_for_timeout(1500)
    context.close()
    return blocked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("/tmp/kommunetz-map-bench"))
    args = parser.parse_args()

    import pydeck
    import streamlit

    topo = geo_topojson.load(TOPO)
    points, kreise = load_directory()
    breaks = quantile_breaks([k["density"] for k in kreise.values() if k["density"]])
    print(
        f"Grenzdatei {TOPO.name}: {TOPO.stat().st_size:,} Bytes; "
        f"{len(topo['objects']['kreise']['geometries'])} Kreise, {len(points):,} Gemeinden"
    )

    root = args.out
    root.mkdir(parents=True, exist_ok=True)
    st_js = Path(streamlit.__file__).parent / "static" / "static" / "js"
    loader = next(st_js.glob("loadVegaEmbed.*.js")).name
    for name, target in (
        ("js", st_js),
        ("pydeck", Path(pydeck.__file__).parent / "nbextension" / "static"),
    ):
        link = root / name
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(target)

    t0 = time.perf_counter()
    spec = vega_spec(topo, points, kreise, breaks)
    spec_text = json.dumps(spec, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    vega_build = time.perf_counter() - t0
    (root / "vega.html").write_text(
        VEGA_PAGE.replace("__LOADER__", loader).replace("__SPEC__", spec_text), encoding="utf-8"
    )
    t0 = time.perf_counter()
    dj = deck_json(topo, points, kreise, breaks)
    deck_build = time.perf_counter() - t0
    (root / "deck.html").write_text(
        DECK_PAGE.replace("__SPEC__", dj.replace("</", "<\\/"))
        .replace("__W__", str(WIDTH))
        .replace("__H__", str(HEIGHT - 60)),
        encoding="utf-8",
    )
    sizes = {n: (root / f"{n}.html").stat().st_size for n in ("vega", "deck")}
    print(
        f"Seiten gebaut: Vega-Lite {vega_build:.2f} s ({sizes['vega']:,} Bytes), "
        f"deck.gl {deck_build:.2f} s ({sizes['deck']:,} Bytes; dazu deck.gl-Bündel "
        f"{(Path(pydeck.__file__).parent / 'nbextension/static/index.js').stat().st_size:,} Bytes)"
    )
    print(
        f"Chromium {CHROMIUM}, Streamlit {streamlit.__version__}, pydeck {pydeck.__version__}, "
        f"{args.runs} Läufe je Seite, je ein frischer Browser-Kontext",
        flush=True,
    )

    from playwright.sync_api import sync_playwright

    results: dict[str, dict[str, Any]] = {}
    with serve(root) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for name in ("vega", "deck"):
                times, blocked_all = [], []
                for run in range(args.runs):
                    seconds, blocked, (context, page) = first_draw(browser, f"{base}/{name}.html")
                    times.append(seconds)
                    blocked_all += blocked
                    if run == args.runs - 1:
                        page.wait_for_timeout(500)
                        page.screenshot(path=str(root / f"{name}.png"))
                        extra = (check_vega if name == "vega" else check_deck)(page, root)
                        results[name] = {"extra": extra}
                    context.close()
                    print(f"  {name} Lauf {run + 1}: {seconds:.3f} s", flush=True)
                results[name] |= {"times": times, "blocked": blocked_all}
            own = pydeck_own_html_requests(
                browser, pydeck.io.html.render_json_to_html(dj, offline=True), root, base
            )
        finally:
            browser.close()
    export = server_side_export(spec, root)

    print()
    print("Seite      Median (s)  min (s)  max (s)  fremde Anfragen  Ziel ≤ 1,5 s")
    med = {}
    for name, label in (("vega", "Vega-Lite"), ("deck", "deck.gl")):
        t = results[name]["times"]
        med[name] = statistics.median(t)
        print(
            f"{label:10} {med[name]:>10.3f}  {min(t):>7.3f}  {max(t):>7.3f}  "
            f"{len(results[name]['blocked']):>15}  "
            f"{'erreicht' if med[name] <= TARGET_S else 'VERFEHLT'}"
        )
    ratio = med["vega"] / med["deck"]
    print(f"Verhältnis Vega-Lite / deck.gl: {ratio:.2f}")
    print(f"Vega-Lite: {results['vega']['extra']}")
    print(f"deck.gl:   {results['deck']['extra']}")
    print(f"vl-convert (Server): {export}")
    print(f"pydeck-eigenes HTML (offline=True) will von fremden Hosts laden: {len(own)}")
    for u in own:
        print(f"    {u}")
    print(f"Bildschirmfotos: {root / 'vega.png'}, {root / 'deck.png'}")
    bad = any(results[n]["blocked"] for n in results)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
