"""Real headless Chromium (Debian's binary, driven by Playwright) and the real app started
with ``streamlit run`` on a free port; both stopped at the end of the session.

Without /usr/bin/chromium these tests skip; CI sets KOMMUNETZ_NO_SKIPS=1, which turns a
skip into a failure, so there they must run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from graph.stores.sqlite.store import EmbeddedStore
from loaders.curated import read_curated
from tests.neo4j_server.server import free_port

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}
#: How long a browser test waits for a condition (ms). Generous on purpose: the tests wait
#: for what they need to see, never for a fixed time, so a fast machine is not slowed
#: down and a busy one (a full `make test`, other jobs) gives the same result.
TIMEOUT = 180_000


def built(tab: Any, timeout: float = TIMEOUT) -> None:
    """Wait until Streamlit has run the page's script and is idle: the page's title is
    shown, the app reports no script running, its navigation and chrome are there. Typing into a
    page that is still running (or rerunning: the first visit to a fresh server reruns
    once) can be lost when the widgets are rebuilt; so every test waits for this before
    it types."""
    # the page's title (every page has one; pages that stop early, such as Verwaltung
    # before the login, never reach the footer)
    tab.locator("[data-testid='stMain'] h1").first.wait_for(timeout=timeout)
    tab.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout
    )
    # the app's navigation: Streamlit draws the page links a moment (0.2–0.4 s here) after
    # the footer, so Tabs pressed right after the run can pass them by
    tab.locator("[data-testid='stSidebar'] a[data-testid='stPageLink-NavLink']").first.wait_for(
        state="attached", timeout=timeout
    )
    # and the app's own chrome (its skip link, German words for Streamlit's English): the
    # scripts of st.html run a moment after the run as well, later on a busy machine
    tab.wait_for_function(
        "() => window.__knGerman === true && !!document.getElementById('kn-skip')",
        timeout=timeout,
    )


def click_option(option: Any, timeout: float = TIMEOUT) -> None:
    """Click an option of an open select list as a person does: the pointer arrives,
    the option shows it is under the pointer, then the press.

    Streamlit's list (react-aria) re-renders the option the pointer enters; Playwright's
    click moves, presses and releases within a millisecond, and on a busy machine that
    re-render fell between press and release: the choice was lost in 2 of 12 tries
    (14 of 14 kept when the option had shown the pointer first)."""
    point_at_option(option, timeout)
    option.click(timeout=timeout)


def point_at_option(option: Any, timeout: float = TIMEOUT) -> None:
    """The pointer on an option of an open select list, once the option shows it (the
    first half of `click_option`; `bench/app.py` times the press that follows)."""
    option.hover(timeout=timeout)
    option.and_(option.page.locator("[data-hovered='true']")).wait_for(timeout=timeout)


def widget_text(widget: Any) -> str:
    """What a person reads in a widget: its text and, for Streamlit's combo boxes (select
    box, multiselect), the chosen value or the placeholder shown in its input field."""
    shown = [widget.inner_text()]
    for field in widget.locator("input").all():
        shown.append(field.input_value() or field.get_attribute("placeholder") or "")
    return "\n".join(shown)


def is_local(url: str) -> bool:
    """Whether a request stays on this machine (the app, a file, inline data)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "file", "chrome-error"):
        return True
    return parts.hostname in LOCAL_HOSTS


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} fehlt (Debian-Paket chromium; `make browser` installiert es)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Requests:
    """Every request a browser context made, and those that left this machine."""

    def __init__(self) -> None:
        self.all: list[str] = []

    def __call__(self, request: Any) -> None:
        self.all.append(request.url)

    @property
    def non_local(self) -> list[str]:
        return [u for u in self.all if not is_local(u)]


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, Requests]]:
    """A fresh page that records every request of the context (all frames)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="de-DE")
    seen = Requests()
    context.on("request", seen)
    yield context.new_page(), seen
    context.close()


@contextmanager
def running_app(
    db: Path, log_dir: Path, extra_env: dict[str, str] | None = None, port: int | None = None
) -> Iterator[str]:
    """The app as a user starts it (``streamlit run app.py``) on the embedded store ``db``,
    on ``port`` (default: a free one); yields its URL. The server's process group is
    stopped at the end."""
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env["KOMMUNETZ_DB"] = str(db)
    env.update(extra_env or {})
    log_path = log_dir / "streamlit.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            # otherwise as `make run` starts it: .streamlit/config.toml decides the rest
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as a whole below
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Streamlit startete nicht (siehe {log_path})")
            time.sleep(0.5)
        log.flush()
        started = log_path.read_text()
        # the server itself must not reach out either (Streamlit asks a third-party host
        # for the "External URL" unless browser.serverAddress is set)
        assert "External URL" not in started and "external IP" not in started, started
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def curated_db(path: Path) -> Path:
    """An embedded store at ``path`` holding the curated data."""
    store = EmbeddedStore(path)
    store.write(read_curated(REPO / "data"))
    store.close()
    return path


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on the curated data, shared by the explorer's browser tests."""
    db = curated_db(tmp_path_factory.mktemp("app") / "kommunetz.sqlite")
    with running_app(db, tmp_path_factory.mktemp("app-log")) as url:
        yield url
