"""The app's speed as a person feels it, at Germany scale, on both stores, in headless
Chromium (issue 8, item 11).

    .venv/bin/python bench/app.py [--runs 5] [--skip-neo4j] [--scale 1.0]

Loads the seeded synthetic network with all municipalities of the Destatis directory
(`loaders.synthetic`, as ``bench/queries.py``) into a fresh embedded store and into Neo4j
(the test server, ``tests/neo4j_server``, started and stopped here), starts the app with
``streamlit run`` on each, and measures in Chromium:

* **first visit after the server start**: opening Netzwerk erkunden until its graph is
  drawn (the graph is loaded once per server; reported, no target);
* **new session**: a new tab opening Netzwerk erkunden until its graph is drawn — with
  the browser's cache warm (a returning visitor) and cold (a new browser profile) — and
  its parts (median seconds from the navigation: the page's first script run begins, the
  graph's frame has loaded, the view has arrived in it, the run has ended, drawn);
* **filter change** (a Land chosen, from the press on its option) and **focus change**
  (a search, from the press on „Suchen“) until the new picture is drawn;
* **each Abfragen answer**: from the click on „Abfragen“ until the script run that
  answers has ended (answer, table and graph sent).

Targets: new session ≤ 2 s, filter/focus ≤ 1 s, each answer ≤ 1 s. The figures depend on
the machine: run it on a quiet one.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from queries import DIRECTORY, build_batch  # noqa: E402

from graph.core.records import Batch  # noqa: E402
from tests.browser.conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    built,
    is_local,
    point_at_option,
)
from tests.neo4j_server.server import free_port  # noqa: E402

TARGET_SESSION_S = 2.0
TARGET_CHANGE_S = 1.0
TARGET_ANSWER_S = 1.0
TIMEOUT_MS = 300_000

#: Installed in every tab: counts the app's finished script runs (Streamlit marks the
#: running state on its root element).
RUN_COUNTER = """() => {
  if (window.__knRuns !== undefined) { return; }
  window.__knRuns = 0;
  let last = null;
  const watch = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) { setTimeout(watch, 20); return; }
    new MutationObserver(() => {
      const now = app.getAttribute('data-test-script-state');
      if (last === 'running' && now !== 'running') { window.__knRuns += 1; }
      last = now;
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
    last = app.getAttribute('data-test-script-state');
  };
  watch();
}"""


#: Installed in every tab of a context: when the page's script runs started and ended, in
#: ms since the epoch, as the graph's frame records its own times (``kommunetzTimes`` in
#: graph.js: script loaded, view arrived, drawn) — the parts of a new session.
PHASES = """(() => {
  if (window.top !== window) { return; }
  const now = () => performance.timeOrigin + performance.now();
  const runs = window.__knRuns2 = [];
  window.__knStart = performance.timeOrigin;
  const watch = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) { setTimeout(watch, 5); return; }
    let last = null;
    const seen = () => {
      const state = app.getAttribute('data-test-script-state');
      if (state === 'running' && last !== 'running') { runs.push([now(), null]); }
      if (state !== 'running' && last === 'running') { runs[runs.length - 1][1] = now(); }
      last = state;
    };
    seen();
    new MutationObserver(seen).observe(
      app, {attributes: true, attributeFilter: ['data-test-script-state']});
  };
  watch();
})()"""


def phases(tab: Any) -> dict[str, float]:
    """Seconds from the navigation to each part of a new session (`PHASES`)."""
    start, runs = tab.evaluate("() => [window.__knStart, window.__knRuns2 || []]")
    times = component(tab).evaluate("() => window.kommunetzTimes || {}")
    if not start or not runs:
        return {}
    drawn = times.get("drawn")
    ended = [end for _, end in runs if end is not None and (drawn is None or end <= drawn)]
    out = {"runStart": (runs[0][0] - start) / 1000}
    if ended:
        out["runEnd"] = (ended[-1] - start) / 1000
    for key in ("ready", "render", "drawn"):
        if key in times:
            out[key] = (times[key] - start) / 1000
    return out


@contextmanager
def app_server(env: dict[str, str], log: Path) -> Iterator[str]:
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "KOMMUNETZ_"))}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
            cwd=REPO,
            env={**clean, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                        break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"Streamlit startete nicht (siehe {log})") from None
                    time.sleep(0.2)
            yield url
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)


def component(tab: Any) -> Any:
    return next(f for f in tab.frames if "/component/" in f.url)


def drawn_view(tab: Any) -> str:
    """Wait until the explorer's graph is drawn; its view fingerprint."""
    tab.frame_locator("iframe[title^='Netzwerkgrafik']").locator(
        "body[data-drawn='1'][data-view]"
    ).first.wait_for(state="attached", timeout=TIMEOUT_MS)
    return str(component(tab).evaluate("() => document.body.getAttribute('data-view')"))


def wait_new_view(tab: Any, old: str) -> None:
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        try:
            frame = component(tab)
            if frame.evaluate(
                "(old) => document.body.getAttribute('data-drawn') === '1'"
                " && document.body.getAttribute('data-view') !== old",
                old,
            ):
                return
        except Exception:  # the frame is being replaced
            pass
        time.sleep(0.02)
    raise TimeoutError("Die Grafik wurde nicht neu gezeichnet")


def redrawn(tab: Any, old: str) -> Callable[[], None]:
    return lambda: wait_new_view(tab, old)


def open_explorer(context: Any, url: str) -> tuple[Any, float]:
    tab = context.new_page()
    t0 = time.perf_counter()
    tab.goto(f"{url}/netzwerk", wait_until="commit")
    drawn_view(tab)
    return tab, time.perf_counter() - t0


#: The parts of a new session, in the order they happen.
PHASE_NAMES = {
    "runStart": "Lauf beginnt",
    "ready": "Grafik-Frame geladen",
    "render": "Ansicht angekommen",
    "runEnd": "Lauf endet",
    "drawn": "gezeichnet",
}


def phase_line(runs: list[dict[str, float]]) -> str:
    """Median seconds from the navigation to each part of a new session."""
    parts = []
    for key, name in PHASE_NAMES.items():
        values = [r[key] for r in runs if key in r]
        if values:
            parts.append(f"{name} {statistics.median(values):.2f} s")
    return ", ".join(parts) + " (Median, ab dem Aufruf)"


def timed(action: Callable[[], None], until: Callable[[], None]) -> float:
    t0 = time.perf_counter()
    action()
    until()
    return time.perf_counter() - t0


def run_finished(tab: Any) -> Callable[[], None]:
    before = tab.evaluate("() => window.__knRuns")

    def wait() -> None:
        tab.wait_for_function(f"() => window.__knRuns > {before}", timeout=TIMEOUT_MS)

    return wait


def measure_store(name: str, env: dict[str, str], inputs: dict[str, str], runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    out: dict[str, Any] = {
        "session_warm": [],
        "session_cold": [],
        "phases_warm": [],
        "phases_cold": [],
        "filter": [],
        "focus": [],
    }
    with (
        tempfile.TemporaryDirectory() as tmp,
        app_server(env, Path(tmp) / "app.log") as url,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        outside: list[str] = []

        def new_context() -> Any:
            ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="de-DE")
            ctx.on("request", lambda r: None if is_local(r.url) else outside.append(r.url))
            ctx.add_init_script(PHASES)
            return ctx

        warm = new_context()
        tab, out["first_visit"] = open_explorer(warm, url)
        tab.close()
        for _ in range(runs):
            tab, seconds = open_explorer(warm, url)
            out["session_warm"].append(seconds)
            out["phases_warm"].append(phases(tab))
            tab.close()
            cold = new_context()
            tab, seconds = open_explorer(cold, url)
            out["session_cold"].append(seconds)
            out["phases_cold"].append(phases(tab))
            cold.close()
        print(  # at once: a later step that fails must not take these with it
            f"  {name}: erster Besuch {out['first_visit']:.2f} s; neue Sitzung (Cache warm) "
            + ", ".join(f"{s:.2f}" for s in out["session_warm"])
            + " s; (Cache kalt) "
            + ", ".join(f"{s:.2f}" for s in out["session_cold"])
            + " s",
            flush=True,
        )
        for cache in ("warm", "cold"):
            print(f"    Teile (Cache {cache}): {phase_line(out['phases_' + cache])}", flush=True)

        tab, _ = open_explorer(warm, url)
        built(tab)  # a widget used while the page still runs can lose its input
        for land in inputs["lands"][:runs]:
            old = drawn_view(tab)

            # as a person: the list opened, the Land's name typed (the list shows only
            # the first dozen of its 16 entries), the pointer on the option; then the
            # press, from which the change is timed (see click_option)
            tab.get_by_label("Bundesland").first.click()
            tab.keyboard.type(land)
            option = tab.get_by_role("option", name=land, exact=True)
            point_at_option(option, TIMEOUT_MS)

            def choose(option: Any = option) -> None:
                option.click(timeout=TIMEOUT_MS)

            out["filter"].append(timed(choose, redrawn(tab, old)))
            tab.keyboard.press("Escape")
            # leave the list first: a click straight from a focused multiselect onto a
            # button can be lost in Streamlit's frontend (its blur starts a run)
            tab.get_by_role("heading", name="Netzwerk erkunden").click()
            built(tab)
            old = drawn_view(tab)
            tab.locator("[data-testid='stSidebar']").get_by_role(
                "button", name="Filter zurücksetzen"
            ).click()
            wait_new_view(tab, old)
            built(tab)
        for who in inputs["actors"][:runs]:
            old = drawn_view(tab)
            tab.get_by_label("Suche nach Name oder AGS").fill(who)

            def search() -> None:
                tab.get_by_role("button", name="Suchen").click()

            out["focus"].append(timed(search, redrawn(tab, old)))
            built(tab)
        tab.close()

        out["answers"] = answers(warm.new_page(), url, inputs)
        out["outside"] = outside
        browser.close()
    return out


def answers(tab: Any, url: str, inputs: dict[str, str]) -> dict[str, float]:
    """Each Abfragen form once (after one warm-up each): seconds until its run ended."""
    tab.goto(f"{url}/abfragen")
    tab.get_by_role("heading", name="Abfragen").wait_for(timeout=TIMEOUT_MS)
    tab.evaluate(RUN_COUNTER)
    a, b = inputs["actors"][0], inputs["actors"][1]
    forms: dict[str, tuple[str, dict[str, str], str]] = {
        "1 Thema": ("Thema", {}, "Abfragen"),
        "2 Partner": ("Partner", {"Kommune oder Organisation (Name oder AGS)": a}, "Abfragen"),
        "3 Verbindung": (
            "Verbindung",
            {"Von (Name oder AGS)": a, "Nach (Name oder AGS)": b},
            "Abfragen",
        ),
        "4 Gemeinsame Themen": (
            "Gemeinsame Themen",
            {"Erste Kommune oder Organisation": a, "Zweite Kommune oder Organisation": b},
            "Abfragen",
        ),
        "5 Veranstaltungen": (
            "Veranstaltungen",
            {"Kommune oder Organisation (leer: alle)": a},
            "Abfragen",
        ),
        "6 Partnervorschläge": (
            "Partnervorschläge",
            {"Kommune oder Organisation (Name oder AGS)": a},
            "Vorschläge berechnen",
        ),
        "7 Kennzahlen": ("Kennzahlen", {}, "Kennzahlen anzeigen"),
    }
    out: dict[str, float] = {}
    for name, (tab_name, fields, button) in forms.items():
        tab.get_by_role("tab", name=tab_name, exact=True).click()
        panel = tab.get_by_role("tabpanel").filter(visible=True).first
        for label, value in fields.items():
            panel.get_by_label(label, exact=True).fill(value)
        go = panel.get_by_role("button", name=button, exact=True)
        seconds = []
        for _ in range(2):  # the first is the warm-up (a Cypher statement's first run)
            seconds.append(timed(go.click, run_finished(tab)))
        out[name] = seconds[-1]
    tab.close()
    return out


def print_results(name: str, r: dict[str, Any]) -> None:
    def line(label: str, values: list[float], target: float | None) -> None:
        if not values:
            return
        med, worst = statistics.median(values), max(values)
        verdict = ""
        if target is not None:
            verdict = f"  Ziel ≤ {target:.0f} s: {'erfüllt' if med <= target else 'VERFEHLT'}"
        print(f"  {label:<38} Median {med:6.2f} s  max {worst:6.2f} s{verdict}")

    print(f"\n{name}")
    print(f"  {'erster Besuch nach Serverstart':<38} {r['first_visit']:6.2f} s (lädt den Graphen)")
    line("neue Sitzung, Browser-Cache warm", r["session_warm"], TARGET_SESSION_S)
    line("neue Sitzung, Browser-Cache leer", r["session_cold"], TARGET_SESSION_S)
    line("Filter ändern (ein Land)", r["filter"], TARGET_CHANGE_S)
    line("Fokus ändern (Suche)", r["focus"], TARGET_CHANGE_S)
    for question, seconds in r["answers"].items():
        line(f"Abfragen: {question}", [seconds], TARGET_ANSWER_S)
    print(f"  Anfragen an fremde Server: {len(r['outside'])}")


def pick_inputs(batch: Batch, seed: int) -> dict[str, Any]:
    import random

    from graph.core.model import STATES

    rng = random.Random(seed)
    active = sorted({r.start.key for r in batch.rels if r.type in ("RUNS", "PARTY_TO")})
    munis = [k for k in active if len(k) == 8 and k.isdigit()]
    return {
        "actors": rng.sample(munis, 5),
        "lands": [STATES[c][0] for c in ("09", "05", "03", "08", "14")],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--skip-neo4j", action="store_true")
    args = ap.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} fehlt")
        return 1

    from graph.stores.sqlite.store import EmbeddedStore

    t0 = time.perf_counter()
    batch = build_batch(args.seed, args.scale, DIRECTORY)
    print(
        f"Daten: {len(batch.nodes):,} Knoten, {len(batch.rels):,} Beziehungen "
        f"(synthetisches Netz, Maßstab {args.scale}, mit Gemeindeverzeichnis: "
        f"{DIRECTORY.is_file() and args.scale == 1.0}), erzeugt in {time.perf_counter() - t0:.1f} s"
    )
    inputs = pick_inputs(batch, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite"
        store = EmbeddedStore(db)
        store.write(batch)
        store.close()
        results = {
            "eingebettet (SQLite)": measure_store(
                "embedded", {"KOMMUNETZ_DB": str(db)}, inputs, args.runs
            )
        }
        print_results("eingebettet (SQLite)", results["eingebettet (SQLite)"])
        if not args.skip_neo4j:
            from graph.stores.neo4j.store import Neo4jStore
            from tests.neo4j_server import server as neo4j_server

            # the heap a load of this size needs (bench/queries.py, docs/performance.md)
            os.environ.setdefault("KOMMUNETZ_NEO4J_HEAP", "4g")
            os.environ.setdefault("KOMMUNETZ_NEO4J_JAVA_OPTS", "-Xms4g")
            server = neo4j_server.start(Path(tmp) / "neo4j")
            try:
                neo = Neo4jStore.connect(server.uri, server.user, server.password)
                neo.write(batch)
                neo.close()
                env = {
                    "NEO4J_URI": server.uri,
                    "NEO4J_USERNAME": server.user,
                    "NEO4J_PASSWORD": server.password,
                }
                results["Neo4j"] = measure_store("neo4j", env, inputs, args.runs)
                print_results("Neo4j", results["Neo4j"])
            finally:
                server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
