"""Many users at once (issue 15, item 6): the app started as `make run` starts it, on the
loopback address, and 20 concurrent browser sessions (tabs of one headless Chromium, each its own
Streamlit session) browsing Start, the explorer, the questions, Mitmachen and the sources for a
bounded time; 10 of them send a registration on the way.

With ``--store neo4j`` the script starts its own Neo4j test server and, with
``--outage``, stops it once the sessions are browsing (every one has shown a page, a
quarter of the run at the earliest) and starts it again once a page has shown the outage
message (a quarter later at the earliest) — conditions, not times, so that a busy machine
gives the same result: pages must show the German message meanwhile, registrations wait
in the outbox, and everything is back (and delivered) after the restart. At the end every
registration must be in the store exactly once and the outbox empty.

    python bench/many_users.py --store embedded
    python bench/many_users.py --store neo4j --outage

Prints sessions, pages rendered, registrations arrived and page times (p50/p95); exits 1
if a page failed, a registration is missing or doubled, or something is left waiting.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from graph.joining.outbox import Outbox  # noqa: E402
from graph.joining.workflow import registration_store  # noqa: E402
from graph.stores.open import StoreSettings, open_store  # noqa: E402
from tests.browser.conftest import running_app  # noqa: E402  (`streamlit run app.py`)
from tests.neo4j_server import server as neo4j_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
#: What a visitor browses, in turn (each session starts at another place).
PAGES = ["", "netzwerk", "abfragen", "mitmachen", "quellen"]
FOOTER = "kommunetz · freie Software"
#: The German message of a page while the store is away (`kommunetz.ui`, Mitmachen).
OUTAGE_TEXT = re.compile(r"Datenbank ist (gerade )?nicht erreichbar")
PAGE_TIMEOUT = 180_000  # ms: an upper bound only; a busy machine must not fail a slow page


@dataclass
class Figures:
    """What the sessions saw."""

    times: list[float] = field(default_factory=list)  # pages while the store was there
    outage_times: list[float] = field(default_factory=list)  # while it was away
    pages: Counter[str] = field(default_factory=Counter)
    outage_pages: int = 0
    failures: list[str] = field(default_factory=list)
    sent: dict[str, str] = field(default_factory=dict)  # AGS → reference number
    queued: list[str] = field(default_factory=list)  # AGS of those that waited in the outbox
    recovered_pages: int = 0


@dataclass
class Outage:
    """The Neo4j server's state during the run (``down`` between stop and restart)."""

    planned: bool = False
    down: bool = False
    restarted_at: float | None = None


def free_port() -> int:
    return neo4j_server.free_port()


def load_if_empty(env: dict[str, str]) -> None:
    """As `make run` does before it starts the app: the curated data into an empty store."""
    kommunetz = Path(sys.executable).parent / "kommunetz"
    subprocess.run(
        [str(kommunetz), "load", "--if-empty"],
        env=env,
        check=True,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
    )


async def show(page: Any, url: str, figures: Figures, outage: Outage) -> None:
    """Open ``url`` and wait until the page has been built: the footer is there (the
    script ran to its end) or the German outage message is. Records the time."""
    t0 = time.perf_counter()
    await page.goto(url, wait_until="domcontentloaded")
    done = page.get_by_text(FOOTER).or_(
        page.locator("[data-testid='stAlert']").filter(has_text=OUTAGE_TEXT)
    )
    await done.first.wait_for(state="visible", timeout=PAGE_TIMEOUT)
    # Streamlit keeps the last run's elements while rerunning: wait until it is idle
    await page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=PAGE_TIMEOUT
    )
    elapsed = time.perf_counter() - t0
    if await page.locator("[data-testid='stException']").count():
        figures.failures.append(f"{url}: Ausnahme auf der Seite")
        return
    body = await page.locator("[data-testid='stMain']").inner_text()
    if OUTAGE_TEXT.search(body):
        figures.outage_pages += 1
    elif outage.restarted_at is not None:
        figures.recovered_pages += 1
    away = outage.down or OUTAGE_TEXT.search(body)
    (figures.outage_times if away else figures.times).append(elapsed)
    figures.pages[url.rsplit("/", 1)[-1] or "start"] += 1


async def register(page: Any, base: str, i: int, figures: Figures) -> None:
    """Send one registration through the Mitmachen form, as a person would."""
    ags = f"05358{900 + i:03d}"
    await page.goto(f"{base}/mitmachen", wait_until="domcontentloaded")
    await page.get_by_text(FOOTER).first.wait_for(timeout=PAGE_TIMEOUT)  # built: then type
    await page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=PAGE_TIMEOUT
    )
    await page.get_by_role("textbox", name="Name der Kommune *", exact=True).fill(f"Lastdorf {i}")
    await page.get_by_role("textbox", name="Amtlicher Gemeindeschlüssel (AGS) *", exact=True).fill(
        ags
    )
    await page.get_by_role("textbox", name="Name *", exact=True).fill(f"Person {i}")
    await page.get_by_role("textbox", name="Funktion *", exact=True).fill("E-Government")
    await page.get_by_role("textbox", name="Dienstliche E-Mail-Adresse *", exact=True).fill(
        f"person{i}@lastdorf{i}.example"
    )
    await page.get_by_role("textbox", name="Was wir suchen", exact=True).fill("Austausch")
    consent = page.get_by_role("checkbox", name=re.compile("Datenschutzhinweis gelesen"))
    await consent.focus()
    await page.keyboard.press("Space")  # as a keyboard user (Streamlit's box hides the input)
    await page.locator("input[type='checkbox']:checked").first.wait_for(state="attached")
    await page.get_by_role("button", name="Registrierung absenden").click()
    confirmation = page.get_by_text("Ihre Referenznummer lautet")
    await confirmation.wait_for(timeout=PAGE_TIMEOUT)
    found = re.search(r"R-\d{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", await confirmation.inner_text())
    if not found:
        figures.failures.append(f"Registrierung {ags}: keine Referenznummer")
        return
    figures.sent[ags] = found.group(0)
    if await page.get_by_text("sicher zwischengespeichert").count():
        figures.queued.append(ags)


async def session(
    context: Any,
    base: str,
    n: int,
    submit_at: float | None,
    deadline: float,
    figures: Figures,
    outage: Outage,
) -> None:
    page = await context.new_page()  # a tab: its own Streamlit session (own websocket)
    k = n

    def going() -> bool:  # the run's time, and with an outage until a while after the restart
        now = time.monotonic()
        if outage.planned and (outage.restarted_at is None or now < outage.restarted_at + 15):
            return True
        return now < deadline

    try:
        # a session that is to register does so even when its pages took it past the end
        while going() or submit_at is not None:
            if submit_at is not None and time.monotonic() >= submit_at:
                submit_at = None
                try:
                    await register(page, base, n, figures)
                except Exception as exc:  # recorded, the run goes on
                    figures.failures.append(f"Registrierung in Sitzung {n}: {exc!r}"[:300])
                continue
            url = f"{base}/{PAGES[k % len(PAGES)]}"
            k += 1
            try:
                await show(page, url, figures, outage)
            except Exception as exc:
                figures.failures.append(f"{url} in Sitzung {n}: {exc!r}"[:300])
    finally:
        await page.close()


async def drive(
    base: str, sessions: int, submitters: int, duration: float, outage_plan: Any
) -> Figures:
    from playwright.async_api import async_playwright

    figures = Figures()
    outage = Outage(planned=outage_plan is not None)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        start = time.monotonic()
        deadline = start + duration
        # submissions spread over the run, so that some fall into an outage
        submit = [start + duration * (i + 0.5) / (submitters + 1) for i in range(submitters)]
        # Every session is a tab of one browser context: each tab is a session of its own
        # on the server (own websocket, own session state), and the tabs share what a
        # visitor's browser caches anyway (the compiled frontend) — on a 2-core machine 20
        # separate contexts would spend the time compiling it 20 times, not in the app.
        shared = await browser.new_context(locale="de-DE")
        shared.set_default_timeout(PAGE_TIMEOUT)  # upper bounds; every step waits for a condition
        shared.set_default_navigation_timeout(PAGE_TIMEOUT)
        tasks = [
            session(
                shared, base, n, submit[n] if n < submitters else None, deadline, figures, outage
            )
            for n in range(sessions)
        ]
        if outage_plan is not None:
            tasks.append(outage_plan(start, duration, outage, figures, sessions))
        await asyncio.gather(*tasks)
        await shared.close()
        # after the run: one more visit to Mitmachen hands the outbox over, the start page
        # shows the data again
        context = await browser.new_context(locale="de-DE")
        context.set_default_timeout(PAGE_TIMEOUT)
        context.set_default_navigation_timeout(PAGE_TIMEOUT)
        page = await context.new_page()
        for url in (f"{base}/mitmachen", f"{base}/"):
            for _ in range(20):  # the store may take a moment after a restart
                await show(page, url, figures, outage)
                body = await page.locator("[data-testid='stMain']").inner_text()
                if not OUTAGE_TEXT.search(body):
                    break
                await asyncio.sleep(3)
        await context.close()
        await browser.close()
    return figures


async def until(condition: Any, *, at_least: float, at_most: float = 300) -> None:
    """Wait ``at_least`` seconds and then until ``condition()`` holds (``at_most`` in
    all: a condition that never comes ends the wait, and the run's checks tell)."""
    t0 = time.monotonic()
    await asyncio.sleep(at_least)
    while not condition() and time.monotonic() - t0 < at_most:
        await asyncio.sleep(0.5)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def run(kind: str, sessions: int, submitters: int, duration: float, with_outage: bool) -> int:
    tmp = Path(tempfile.mkdtemp(prefix=f"kommunetz-load-{kind}-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "KOMMUNETZ_"))}
    env.update(
        {
            "KOMMUNETZ_DB": str(tmp / "store.sqlite"),
            "KOMMUNETZ_OUTBOX": str(tmp / "outbox"),
            "KOMMUNETZ_PRIVACY_CONTROLLER": "Stadt Musterdorf, Markt 1, 12345 Musterdorf",
            # all sessions come from the loopback address: one client for the form's limit
            "KOMMUNETZ_SUBMISSIONS_PER_CLIENT": str(10 * submitters),
        }
    )
    server = None
    if kind == "neo4j":
        neo_port = free_port()
        server = neo4j_server.start(tmp / "neo4j", neo_port, "kommunetz-load")
        env.update(
            {"NEO4J_URI": server.uri, "NEO4J_USERNAME": "neo4j", "NEO4J_PASSWORD": "kommunetz-load"}
        )
    state: dict[str, Any] = {"server": server}

    async def outage_plan(
        start: float, length: float, outage: Outage, figures: Figures, sessions: int
    ) -> None:
        # by conditions, not by the clock alone (a busy machine takes longer for every
        # page): the store goes away once the sessions are browsing, and comes back once
        # a page has shown the outage message
        await until(lambda: len(figures.times) >= sessions, at_least=length * 0.25)
        outage.down = True
        await asyncio.to_thread(state["server"].stop)
        print(f"  Neo4j gestoppt nach {time.monotonic() - start:.0f} s", flush=True)
        await until(lambda: figures.outage_pages > 0, at_least=length * 0.25)
        state["server"] = await asyncio.to_thread(
            neo4j_server.start, tmp / "neo4j", neo_port, "kommunetz-load"
        )
        outage.down = False
        outage.restarted_at = time.monotonic()
        print(f"  Neo4j wieder gestartet nach {time.monotonic() - start:.0f} s", flush=True)

    load_if_empty(env)
    app_env = {k: v for k, v in env.items() if k != "KOMMUNETZ_DB"}
    try:
        with running_app(tmp / "store.sqlite", tmp, app_env) as base:
            t0 = time.monotonic()
            figures = asyncio.run(
                drive(base, sessions, submitters, duration, outage_plan if with_outage else None)
            )
            wall = time.monotonic() - t0
        store = open_store(StoreSettings.from_mapping(env))
        try:
            regs = registration_store(store).registrations()
        finally:
            store.close()
        by_ags = Counter(r.ags for r in regs)
        refs = {r.ags: r.reference for r in regs}
        waiting = len(Outbox(tmp / "outbox"))
    finally:
        if state["server"] is not None:
            state["server"].stop()

    expected = {f"05358{900 + i:03d}" for i in range(submitters)}
    arrived = {a for a in expected if by_ags.get(a) == 1 and refs.get(a) == figures.sent.get(a)}
    doubled = sorted(a for a, n in by_ags.items() if n > 1)
    rendered = sum(figures.pages.values())  # with and without the store
    label = "Neo4j 5.26" if kind == "neo4j" else "eingebettet (SQLite)"
    print(
        f"Viele Nutzer [{label}]: {sessions} Sitzungen, {wall:.0f} s, {rendered} Seiten gezeigt "
        f"({', '.join(f'{n} {p}' for p, n in sorted(figures.pages.items()))}), "
        f"{len(figures.failures)} Fehler; Registrierungen angekommen {len(arrived)}/"
        f"{submitters} (je genau einmal: {'ja' if not doubled else 'nein ' + str(doubled)}), "
        f"im Postausgang übrig {waiting}; Seitenzeit p50 {percentile(figures.times, 50):.2f} s, "
        f"p95 {percentile(figures.times, 95):.2f} s, max {max(figures.times, default=0):.2f} s"
    )
    ok = not figures.failures and arrived == expected and not doubled and waiting == 0
    if with_outage:
        print(
            f"  Ausfall: {figures.outage_pages} Seiten mit der deutschen Meldung „Die Datenbank "
            f"ist nicht erreichbar“ (p95 {percentile(figures.outage_times, 95):.2f} s), "
            f"{len(figures.queued)} Registrierungen warteten im Postausgang und sind "
            f"zugestellt, {figures.recovered_pages} Seiten nach dem Neustart wieder mit Daten"
        )
        ok = ok and figures.outage_pages > 0 and figures.recovered_pages > 0
    for failure in figures.failures[:10]:
        print(f"  Fehler: {failure}")
    if ok:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"  Protokolle in {tmp}")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=["embedded", "neo4j"], default="embedded")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--submitters", type=int, default=10)
    parser.add_argument("--duration", type=float, default=60, help="Sekunden")
    parser.add_argument("--outage", action="store_true", help="Neo4j mittendrin stoppen")
    args = parser.parse_args()
    # stopped from outside (a timeout): still stop the app and the Neo4j server it started
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    if args.outage and args.store != "neo4j":
        parser.error("--outage nur mit --store neo4j")
    return run(args.store, args.sessions, args.submitters, args.duration, args.outage)


if __name__ == "__main__":
    sys.exit(main())
