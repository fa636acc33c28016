"""The Abfragen page as a user drives it (Streamlit AppTest, curated data): forms give
tables with the expected rows, CSV downloads, German messages; the Cypher console only
on Neo4j and only when switched on, and it refuses writes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from graph.present.text import relation_name
from graph.stores.neo4j.store import Neo4jStore
from kommunetz.safe_text import md
from loaders.curated import read_curated
from tests.app_pages import open_page, page_text
from tests.neo4j_server.server import Server
from tests.test_app_smoke import curated_db  # noqa: F401  (curated data, embedded store)

DATA = Path(__file__).resolve().parents[1] / "data"
PAGE = "pages/abfragen.py"


def page() -> AppTest:
    return open_page(PAGE)


def texts(at: AppTest) -> str:
    return page_text(at)


@pytest.mark.usefixtures("curated_db")
def test_partners_form_gives_a_table() -> None:
    at = page()
    at.text_input(key="partners-actor").input("Norderstedt")
    at.button(key="go-partners").click()
    at.run()
    assert not at.exception
    assert not at.error
    table = at.table[0].value
    assert table.iloc[0]["Partner"] == "Ortenaukreis"
    assert table.iloc[0]["Grund"] == "gemeinsame Kooperation"
    assert "Kooperation der ehemaligen" in table.iloc[0]["Begründung"]
    assert len(table) == len(set(table["Schlüssel"]))  # one row per partner (namesakes apart)
    assert "Partner von Norderstedt" in texts(at)


@pytest.mark.usefixtures("curated_db")
def test_ambiguous_name_shows_the_candidates() -> None:
    at = page()
    at.text_input(key="partners-actor").input("Steinfurt")
    at.button(key="go-partners").click()
    at.run()
    assert not at.exception
    message = at.error[0].value
    assert "mehrdeutig" in message
    assert "AGS 05566084" in message


@pytest.mark.usefixtures("curated_db")
def test_what_the_user_typed_is_shown_as_typed() -> None:
    """The one Markdown escaper (`kommunetz.safe_text.md`): ``$…$`` is no formula and
    ``:red[…]`` no colour, however the message came to contain them."""
    at = page()
    at.text_input(key="partners-actor").input("$x$ :red[rot]")
    at.button(key="go-partners").click()
    at.run()
    assert not at.exception
    message = at.error[0].value
    assert message == md("Keine Kommune oder Organisation gefunden für „$x$ :red[rot]“.")
    assert "\\$x\\$" in message and "\\:red\\[rot\\]" in message


@pytest.mark.usefixtures("curated_db")
def test_path_sentences_and_table() -> None:
    at = page()
    at.text_input(key="path-a").input("Norderstedt")
    at.text_input(key="path-b").input("Ortenaukreis")
    at.button(key="go-path").click()
    at.run()
    assert not at.exception
    shown = texts(at)
    assert "sind über 2 Schritte verbunden" in shown
    assert "1. „Norderstedt“ richtete die Veranstaltung" in shown
    assert at.table[0].value.iloc[0]["Beziehung"] == md(relation_name("HOSTED"))


@pytest.mark.usefixtures("curated_db")
def test_topic_and_metrics() -> None:
    at = page()
    at.selectbox[0].set_value("t-e-akte")
    at.button(key="go-topic").click()
    at.run()
    assert not at.exception
    assert at.table[0].value.iloc[0]["Akteur"] == md("Halle (Saale)")
    at.button(key="metrics-go").click()
    at.run()
    assert not at.exception
    shown = texts(at)
    assert "welcher Anteil der kürzesten Verbindungen zwischen anderen Akteuren" in shown
    assert "Themen mit nur einer Kommune" in shown


@pytest.mark.usefixtures("curated_db")
def test_console_not_offered_on_the_embedded_store() -> None:
    at = page()
    # no tab that only tells the public about a setting (NEO4J_URI)
    assert "Cypher-Konsole" not in [t.label for t in at.tabs]
    assert "Thema" in [t.label for t in at.tabs]
    assert not [t for t in at.text_area if t.label == "Cypher-Abfrage"]


@pytest.fixture
def neo4j_app(neo4j_server: Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[Neo4jStore]:
    store = Neo4jStore.connect(neo4j_server.uri, neo4j_server.user, neo4j_server.password)
    store.clear()
    store.write(read_curated(DATA))
    monkeypatch.setenv("NEO4J_URI", neo4j_server.uri)
    monkeypatch.setenv("NEO4J_USERNAME", neo4j_server.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password)
    yield store
    store.close()


@pytest.mark.neo4j
def test_console_on_neo4j_reads_and_refuses_writes(
    neo4j_app: Neo4jStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = page()
    assert "Die Cypher-Konsole ist ausgeschaltet" in texts(at)
    monkeypatch.setenv("KOMMUNETZ_CYPHER_CONSOLE", "1")
    at = page()
    console = next(t for t in at.text_area if t.label == "Cypher-Abfrage")
    console.input("MATCH (t:Topic) RETURN t.name AS name ORDER BY name LIMIT 3")
    at.button(key="go-console").click()
    at.run()
    assert not at.exception
    assert [v.replace("\\", "") for v in at.table[0].value["name"]] == [
        "Akzeptanz und Öffentlichkeitsarbeit",
        "Arbeit & Ruhestand",
        "Barrierefreiheit und Zugang",
    ]
    before = neo4j_app.stats()
    console = next(t for t in at.text_area if t.label == "Cypher-Abfrage")
    console.input("MATCH (t:Topic) DETACH DELETE t")
    at.button(key="go-console").click()
    at.run()
    assert not at.exception
    assert "schreibgeschützt" in at.error[0].value
    assert neo4j_app.stats() == before


@pytest.mark.neo4j
def test_partners_on_neo4j(neo4j_app: Neo4jStore) -> None:
    at = page()
    at.text_input(key="partners-actor").input("01060063")
    at.button(key="go-partners").click()
    at.run()
    assert not at.exception
    assert at.table[0].value.iloc[0]["Partner"] == "Ortenaukreis"


@pytest.mark.usefixtures("curated_db")
def test_questions_as_of_a_stand() -> None:
    """With a Stand every answer is the network of then: E-Akte in 2022 with the NRW
    model regions, in mid-2016 the pilot's seven; an answer of another Stand is not
    shown on; a Stand that is no date is a German message."""

    def e_akte(at: AppTest) -> set[str]:
        at.selectbox[0].set_value("t-e-akte")
        at.button(key="go-topic").click()
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return set(at.table[0].value["Akteur"])

    at = page()
    at.sidebar.text_input(key="q_stand").set_value("2022").run()
    assert f"Stand {md('2022')}" in texts(at)
    in_2022 = e_akte(at)
    assert md("Bergische Universität Wuppertal") in in_2022
    at.sidebar.text_input(key="q_stand").set_value("2016-06-30").run()
    assert not at.table, "the answer of 2022 is not shown as one of 2016"
    in_2016 = e_akte(at)
    assert len(in_2016) == 7 and in_2016 < in_2022
    assert md("Halle (Saale)") in in_2016
    at.sidebar.text_input(key="q_stand").set_value("gestern").run()
    assert [e.value for e in at.error] == [
        "„gestern“ ist kein Datum (JJJJ, JJJJ-MM oder JJJJ-MM-TT)."
    ]
