"""Every page of the app renders on the curated data (AppTest, no browser)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from graph.stores.sqlite.store import EmbeddedStore
from loaders.curated import read_curated
from tests.conftest import APP_TIMEOUT

APP = str(Path(__file__).resolve().parents[1] / "app.py")
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def curated_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "app.sqlite"
    store = EmbeddedStore(db)
    store.write(read_curated(DATA))
    store.close()
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("KOMMUNETZ_DB", str(db))
    return db


@pytest.mark.parametrize("page", ["pages/start.py", "pages/quellen.py"])
def test_page_renders(curated_db: Path, page: str) -> None:
    at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
    at.switch_page(page)
    at.run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown) + " ".join(t.value for t in at.title)
    assert "Traceback" not in text


PAGES = ["start", "netzwerk", "abfragen", "mitmachen", "quellen", "daten"]


@pytest.mark.parametrize("page", PAGES)
def test_a_broken_database_file_gives_a_german_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    """KOMMUNETZ_DB naming a file that is no database (issue 15, item 4): every page says
    so in German, none shows a traceback, the file stays as it was."""
    import streamlit as st

    db = tmp_path / "kein.sqlite"
    db.write_bytes(b"das ist keine Datenbank\n" * 100)
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("KOMMUNETZ_DB", str(db))
    monkeypatch.setenv("KOMMUNETZ_OUTBOX", str(tmp_path / "outbox"))
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    said = " ".join(str(e.value) for e in [*at.error, *at.warning, *at.info])
    broken = "nicht erreichbar" in said and "keine Datenbank von kommunetz" in said
    assert broken or (page == "mitmachen" and "gerade nicht erreichbar" in said), said
    assert db.read_bytes() == b"das ist keine Datenbank\n" * 100
    st.cache_resource.clear()
