"""The README's pictures, renewed: the app on the curated data (and the Destatis directory,
when given) in headless Chromium, three screenshots into ``docs/img/``.

    .venv/bin/python scripts/screenshots.py [--directory AuszugGV.xlsx] [--out docs/img]

* ``explorer.png`` – Netzwerk erkunden, the neighbourhood of Norderstedt (depth 2);
* ``antwort.png`` – Abfragen, „Wie ist Norderstedt mit dem Ortenaukreis verbunden?“;
* ``mitmachen.png`` – the join form.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from graph.stores.sqlite.store import EmbeddedStore  # noqa: E402
from loaders.curated import read_curated  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, running_app  # noqa: E402

TIMEOUT = 120_000
#: the form is open only with a controller named in its privacy notice (a sample one here)
CONTROLLER = "Stadt Musterdorf, Markt 1, 12345 Musterdorf"
WIDTH, HEIGHT = 1400, 1000


def settle(tab: Any) -> None:
    """Wait until the app's script run has ended and the graph (if any) is drawn."""
    tab.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')"
        "?.getAttribute('data-test-script-state') !== 'running'",
        timeout=TIMEOUT,
    )
    for frame in tab.frames:
        if "/component/" in frame.url:
            frame.wait_for_selector("body[data-drawn='1'][data-labels]", timeout=TIMEOUT)
    tab.wait_for_timeout(800)  # labels placed, fonts settled


def scroll_to(locator: Any) -> None:
    """Scroll the app's main area so that ``locator`` is at the top."""
    locator.evaluate("el => el.scrollIntoView({block: 'start'})")
    locator.page.wait_for_timeout(400)


def shoot(tab: Any, top: Any, path: Path) -> None:
    """Once ``top`` is shown and the page has settled: scroll it to the top, screenshot."""
    top.wait_for(timeout=TIMEOUT)
    settle(tab)
    scroll_to(top)
    tab.screenshot(path=str(path))


def explorer(tab: Any, url: str, out: Path) -> None:
    tab.goto(f"{url}/netzwerk?fokus=Municipality:01060063")
    tab.get_by_role("heading", name="Umgebung von Norderstedt (Tiefe 1)").wait_for(timeout=TIMEOUT)
    tab.get_by_text("2", exact=True).first.click()  # Tiefe der Umgebung
    shoot(
        tab,
        tab.get_by_role("heading", name="Umgebung von Norderstedt (Tiefe 2)"),
        out / "explorer.png",
    )


def answer(tab: Any, url: str, out: Path) -> None:
    tab.goto(f"{url}/abfragen")
    tab.get_by_role("tab", name="Verbindung", exact=True).click()
    panel = tab.get_by_role("tabpanel").filter(visible=True).first
    panel.get_by_label("Von (Name oder AGS)", exact=True).fill("Norderstedt")
    panel.get_by_label("Nach (Name oder AGS)", exact=True).fill("Ortenaukreis")
    panel.get_by_role("button", name="Abfragen", exact=True).click()
    shoot(tab, panel.get_by_text("sind über", exact=False).first, out / "antwort.png")


def join_form(tab: Any, url: str, out: Path) -> None:
    tab.goto(f"{url}/mitmachen")
    tab.get_by_role("heading", name="Mitmachen im offenen Netzwerk").wait_for(timeout=TIMEOUT)
    settle(tab)
    scroll_to(tab.locator("[data-testid='stForm']").first)
    tab.mouse.move(WIDTH // 2, HEIGHT // 2)
    tab.mouse.wheel(0, -300)  # the form's heading and first fields
    tab.wait_for_timeout(400)
    tab.screenshot(path=str(out / "mitmachen.png"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--directory", type=Path, help="Destatis AuszugGV (.xlsx) dazuladen")
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "img")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "kommunetz.sqlite"
        store = EmbeddedStore(db)
        store.write(read_curated(REPO / "data"))
        if args.directory:
            from loaders.detect import read_any

            store.write(read_any(args.directory))
        store.close()
        with (
            running_app(db, Path(tmp), {"KOMMUNETZ_PRIVACY_CONTROLLER": CONTROLLER}) as url,
            sync_playwright() as pw,
        ):
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = browser.new_context(
                viewport={"width": WIDTH, "height": HEIGHT}, locale="de-DE"
            )
            tab = context.new_page()
            for shoot in (explorer, answer, join_form):
                shoot(tab, url, args.out)
                print(f"{shoot.__name__}: geschrieben")
            browser.close()
    for name in ("explorer.png", "antwort.png", "mitmachen.png"):
        print(args.out / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
