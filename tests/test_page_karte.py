"""The Karte page as a user drives it (Streamlit AppTest, curated data): the map with its
attribution, the figures as a table per Kreis or Land, a zoom to one Land, the Eisenach
note, an answer of the Abfragen page marked on the map."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from graph.present import map as gmap
from kommunetz import karte
from kommunetz.safe_text import md
from tests.app_pages import APP, open_page, page_text
from tests.test_app_smoke import curated_db  # noqa: F401  (curated data, embedded store)

PAGE = "pages/karte.py"


@pytest.mark.usefixtures("curated_db")
def test_map_page_shows_the_figures_as_a_table_with_the_attribution() -> None:
    at = open_page(PAGE)
    assert at.title[0].value == "Karte"
    shown = page_text(at)
    assert f"[{md(gmap.ATTRIBUTION)}](https://www.bkg.bund.de)" in shown
    assert "Eisenach" in shown and "nicht im Gemeindeverzeichnis 2024" in shown
    table = at.dataframe[0].value
    assert len(table) == 401
    top = table.iloc[0]
    assert top["Mitglieder"] >= 1 and top["Schlüssel"].isdigit()
    eisenach = table[table["Schlüssel"] == "16056"].iloc[0]
    assert eisenach["Mitglieder"] is None or eisenach["Mitglieder"] != eisenach["Mitglieder"]


@pytest.mark.usefixtures("curated_db")
def test_lands_and_a_zoom_to_one_land() -> None:
    at = open_page(PAGE)
    at.radio(key="karte_ebene").set_value("Land").run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 16
    at.radio(key="karte_ebene").set_value("Kreis").run()
    at.selectbox(key="karte_land").set_value("05").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == 53 and all(k.startswith("05") for k in table["Schlüssel"])
    assert md("Mitglieder je Kreis – Nordrhein-Westfalen") in page_text(at)


@pytest.mark.usefixtures("curated_db")
def test_programme_participants_per_kreis() -> None:
    at = open_page(PAGE)
    at.selectbox(key="karte_kennzahl").set_value("participants").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table.iloc[0]["Programmteilnehmer"] >= 1
    assert "noch kein Förderprogramm geladen" not in page_text(at)


@pytest.mark.usefixtures("curated_db")
def test_an_answer_of_the_abfragen_page_goes_on_the_map() -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("pages/abfragen.py")
    at.run()
    at.text_input(key="partners-actor").input("Norderstedt")
    at.button(key="go-partners").click()
    at.run()
    assert not at.exception
    at.button(key="map-q-partners").click()
    at.run()
    assert not at.exception
    title, ids = at.session_state[karte.HIGHLIGHT]
    assert title.startswith("Partner von Norderstedt") and "Municipality:01060063" not in ids
    assert "Municipality:08317" in ids  # the Ortenaukreis, outlined on the map
    assert "Auf der Karte markiert" in page_text(at)


@pytest.mark.usefixtures("curated_db")
def test_the_map_as_of_a_stand() -> None:
    """A Stand draws the map of then: in mid-2016 no programme had begun, in 2022 the
    Smart Cities and the NRW regions took part; without a Stand the map is the whole
    again (the figures of each Stand are cached apart, not by data version alone)."""

    def participants(at: AppTest) -> float:
        return float(at.dataframe[0].value["Programmteilnehmer"].fillna(0).sum())

    at = open_page(PAGE)
    at.selectbox(key="karte_kennzahl").set_value("participants").run()
    today = participants(at)  # the default Stand
    assert "Stand heute (" in page_text(at)
    at.sidebar.text_input(key="karte_stand").set_value("").run()  # all times
    whole = participants(at)
    assert 0 < today < whole, "the NRW model regions ended in 2023"
    at.sidebar.text_input(key="karte_stand").set_value("2016-06-30").run()
    assert not at.exception
    assert participants(at) == 0
    assert f"Stand {md('2016-06-30')}" in page_text(at)
    at.sidebar.text_input(key="karte_stand").set_value("2022").run()
    in_2022 = participants(at)
    assert 0 < in_2022 <= whole
    at.sidebar.text_input(key="karte_stand").set_value("").run()
    assert participants(at) == whole
    at.sidebar.text_input(key="karte_stand").set_value("gestern").run()
    assert "„gestern“ ist kein Datum" in page_text(at)
