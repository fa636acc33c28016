"""What the page tests share: the app's pages as a visitor sees them in the navigation,
a page of the real app opened in Streamlit's AppTest, and the text a user reads on it."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")

#: The navigation's entries, in their order.
NAVIGATION = [
    "Start",
    "Netzwerk erkunden",
    "Karte",
    "Abfragen",
    "Mitmachen",
    "Für Mitglieder",
    "Verwaltung",
    "Vorschläge prüfen",
    "Datenquellen und Lizenzen",
    "Offene Daten",
]


def open_page(page: str) -> AppTest:
    """``page`` (e.g. ``pages/karte.py``) run once inside app.py, without an exception."""
    from tests.conftest import APP_TIMEOUT

    at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
    at.switch_page(page)
    at.run()
    assert not at.exception
    return at


def page_text(at: AppTest) -> str:
    """Markdown, errors, infos and captions of the page, in one string."""
    return " ".join(
        [m.value for m in at.markdown]
        + [e.value for e in at.error]
        + [i.value for i in at.info]
        + [c.value for c in at.caption]
    )
