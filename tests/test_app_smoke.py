"""Every page of the app renders on the curated data (AppTest, no browser)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from graph.stores.sqlite.store import EmbeddedStore
from loaders.curated import read_curated

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
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(page)
    at.run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown) + " ".join(t.value for t in at.title)
    assert "Traceback" not in text
