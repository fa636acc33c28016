"""The "Offene Daten" page (AppTest, no browser): the files with their metadata, the
licence and its attributions, a download for every file, and what a publisher still
has to set."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from graph.present.dcat import CURATED_ATTRIBUTION, LICENCE_NAME
from graph.stores.sqlite.store import EmbeddedStore
from tests.conftest import APP_TIMEOUT
from tests.publish_helpers import PUBLISHER_SETTINGS, fill

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "pages/daten.py"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "app.sqlite"
    store = EmbeddedStore(path)
    fill(store)
    store.close()
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("KOMMUNETZ_DB", str(path))
    for name in PUBLISHER_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    return path


def run_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    return at


def test_page_lists_every_file_with_its_metadata_and_a_download(db: Path) -> None:
    at = run_page()
    assert at.title[0].value == "Offene Daten"
    text = "\n".join(m.value for m in at.markdown)
    assert "Kontaktdaten und Anmeldungen" in text
    assert LICENCE_NAME.split(" (")[0] in text.replace("\\", "")
    assert CURATED_ATTRIBUTION.split(" – ")[0] in text
    files = at.table[0].value
    assert list(files.columns) == ["Datei", "Inhalt", "Format", "Größe"]
    names = [n.replace("\\", "") for n in files["Datei"]]
    assert "kommunetz-kommunen.geojson" in names and "kommunetz-beziehungen.csv" in names
    sums = re.findall(r"^\* (\S+): `([0-9a-f]{64})`$", text, flags=re.M)
    assert [n.replace("\\", "") for n, _ in sums] == names
    downloads = at.get("download_button")
    assert len(downloads) == len(names) + 2  # and catalog.ttl, catalog.jsonld
    # nothing configured: the page says what a publisher still has to set
    infos = " ".join(i.value for i in at.info)
    assert "KOMMUNETZ_PUBLISH_URL" in infos and "KOMMUNETZ_PUBLISHER_EMAIL" in infos


def test_page_shows_the_configured_publisher(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in PUBLISHER_SETTINGS.items():
        monkeypatch.setenv(name, value)
    at = run_page()
    assert not at.info
    meta = at.table[1].value
    values = [v.replace("\\", "") for v in meta["Wert"]]
    assert values[0] == PUBLISHER_SETTINGS["KOMMUNETZ_PUBLISHER_NAME"]
    assert values[1] == PUBLISHER_SETTINGS["KOMMUNETZ_PUBLISHER_EMAIL"]


def test_page_says_which_setting_is_wrong(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOMMUNETZ_PUBLISH_URL", "ordner/")
    at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
    at.switch_page(PAGE)
    at.run()
    if not at.error:
        at.switch_page(PAGE)
        at.run()
    assert "KOMMUNETZ_PUBLISH_URL ist keine Web-Adresse" in at.error[0].value
