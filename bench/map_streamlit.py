"""The two map candidates of ``bench/map_render.py`` inside a real Streamlit app.

Starts ``streamlit run`` on a free local port with a small app that draws the same
Vega-Lite spec through ``st.vega_lite_chart(..., on_select="rerun")`` and the same deck
through ``st.pydeck_chart(..., on_select="rerun")`` (one per page, ``?r=vega`` /
``?r=deck``), opens it in headless Chromium and reports, per renderer:

* the time from navigation start until the chart's canvas is drawn (median of
  ``--runs``; it includes Streamlit's own start-up of the page, so it is larger than the
  standalone figure),
* how many requests left the machine (must be 0),
* whether a click on a Kreis comes back to Python as a selection (the app writes it).

    .venv/bin/python bench/map_streamlit.py [--runs 5] [--out /tmp/kommunetz-map-streamlit]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "scripts"))

import map_render  # noqa: E402

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, is_local  # noqa: E402
from tests.neo4j_server.server import free_port  # noqa: E402

APP = """
import json, pathlib, streamlit as st, pydeck as pdk
here = pathlib.Path(__file__).parent
st.set_page_config(page_title="Karte", layout="wide")
which = st.query_params.get("r", "vega")
if which == "vega":
    spec = json.loads((here / "spec.json").read_text(encoding="utf-8"))
    event = st.vega_lite_chart(spec, on_select="rerun", key="karte", width="content")
    sel = event.selection.get("kreis") if event else None
else:
    spec = json.loads((here / "deck.json").read_text(encoding="utf-8"))
    deck = pdk.Deck(map_provider=None)
    deck.to_json = lambda: json.dumps(spec)  # the exact JSON of the standalone page
    event = st.pydeck_chart(deck, on_select="rerun", key="karte", height=840)
    sel = event.selection if event else None
st.markdown("[© GeoBasis-DE / BKG 2021 (Daten verändert)](https://www.bkg.bund.de)")
st.write("Auswahl:", json.dumps(sel, ensure_ascii=False, default=str) if sel else "keine")
"""


def start_app(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(folder / "app.py"),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--browser.serverAddress",
            "localhost",
            "--global.developmentMode",
            "false",
        ],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                return proc, url
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit("Streamlit startete nicht")


DRAWN = {
    # Vega draws into a canvas in the chart element; deck.gl into a WebGL canvas.
    "vega": "[data-testid='stVegaLiteChart'] canvas",
    "deck": "[data-testid='stDeckGlJsonChart'] canvas",
}


def one_run(browser: Any, url: str, which: str, out: Path, last: bool) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 1100}, locale="de-DE")
    seen: list[str] = []
    context.on("request", lambda r: seen.append(r.url))
    page = context.new_page()
    page.goto(f"{url}/?r={which}", wait_until="commit")
    page.wait_for_selector(DRAWN[which], timeout=60_000)
    # drawn = the canvas has non-blank pixels (Vega) / deck reports a frame
    page.wait_for_function(
        """(sel) => { const c = document.querySelector(sel); if (!c || !c.width) return false;
           const g = c.getContext('2d');
           if (!g) return true;  // WebGL canvas: present and sized is what we can see
           const d = g.getImageData(0, 0, c.width, c.height).data;
           for (let i = 3; i < d.length; i += 4000) if (d[i]) return true; return false; }""",
        arg=DRAWN[which],
        timeout=60_000,
    )
    seconds = page.evaluate("performance.now()") / 1000
    res: dict[str, Any] = {"s": seconds}
    if last:
        page.wait_for_timeout(800)
        page.screenshot(path=str(out / f"streamlit-{which}.png"), full_page=True)
        box = page.locator(DRAWN[which]).first.bounding_box()
        page.mouse.click(
            box["x"] + box["width"] * 0.42 * (0.8 if which == "vega" else 1),
            box["y"] + box["height"] * 0.45,
        )
        with contextlib.suppress(Exception):  # no selection within 15 s: reported as such
            page.wait_for_function(
                "() => [...document.querySelectorAll('p')].some("
                "p => p.innerText.startsWith('Auswahl:') && !p.innerText.includes('keine'))",
                timeout=15_000,
            )
        res["selection"] = next(
            (t for t in page.locator("p").all_inner_texts() if t.startswith("Auswahl:")), None
        )
    res["non_local"] = [u for u in seen if not is_local(u)]
    context.close()
    return res


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("/tmp/kommunetz-map-streamlit"))
    args = parser.parse_args()
    out = args.out
    out.mkdir(parents=True, exist_ok=True)

    topo = map_render.geo_topojson.load(map_render.TOPO)
    points, kreise = map_render.load_directory()
    breaks = map_render.quantile_breaks([k["density"] for k in kreise.values() if k["density"]])
    spec = map_render.vega_spec(topo, points, kreise, breaks)
    (out / "spec.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    (out / "deck.json").write_text(
        map_render.deck_json(topo, points, kreise, breaks), encoding="utf-8"
    )
    (out / "app.py").write_text(APP, encoding="utf-8")
    (out / ".streamlit").mkdir(exist_ok=True)
    config = (REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    (out / ".streamlit" / "config.toml").write_text(config, encoding="utf-8")  # the app's own

    from playwright.sync_api import sync_playwright

    proc, url = start_app(out)
    rows: dict[str, list[dict[str, Any]]] = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                for which in ("vega", "deck"):
                    rows[which] = [
                        one_run(browser, url, which, out, last=i == args.runs - 1)
                        for i in range(args.runs)
                    ]
                    print(
                        f"  {which}: " + ", ".join(f"{r['s']:.3f}" for r in rows[which]), flush=True
                    )
            finally:
                browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)

    print("\nIn Streamlit   Median (s)  fremde Anfragen  Klick → Python")
    for which, label in (("vega", "Vega-Lite"), ("deck", "deck.gl")):
        r = rows[which]
        print(
            f"{label:13} {statistics.median(x['s'] for x in r):>10.3f}  "
            f"{sum(len(x['non_local']) for x in r):>15}  {r[-1].get('selection')}"
        )
    print(f"Bildschirmfotos: {out}/streamlit-vega.png, {out}/streamlit-deck.png")
    return 1 if any(x["non_local"] for r in rows.values() for x in r) else 0


if __name__ == "__main__":
    sys.exit(main())
