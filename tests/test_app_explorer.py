"""The start page and the explorer as a user drives them (AppTest), on the curated data in
the embedded store and on the Neo4j test server."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from graph.core.model import PUBLIC_LABELS
from graph.core.records import Batch, Node, Ref, Rel
from graph.core.store import GraphStore
from graph.present import explore, view
from graph.present.text import format_int
from graph.present.view import component_files
from kommunetz.safe_text import md
from loaders.curated import read_curated
from tests.app_pages import NAVIGATION
from tests.conftest import APP_TIMEOUT, STORE_KINDS, open_test_store, point_env_at
from tests.mini_network import EVIL

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")
URL = re.compile(r"https?://", re.IGNORECASE)
MODELLKOMMUNEN = (
    "Düren",
    "Gütersloh",
    "Cochem-Zell",
    "Halle (Saale)",
    "Norderstedt",
    "Heidekreis",
    "Ortenaukreis",
    "Bewerbergemeinschaft Ibbenbüren",
)


@pytest.fixture(params=STORE_KINDS)
def app_store(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[GraphStore]:
    """The curated data in a fresh store of each kind; the app finds it by environment,
    as it would on a user's machine."""
    store = open_test_store(request, request.param, tmp_path)
    store.write(read_curated(REPO / "data"))
    point_env_at(request, request.param, tmp_path, monkeypatch)
    st.cache_resource.clear()  # no store or graph of an earlier test
    yield store
    store.close()


def open_page(page: str, query: dict[str, str] | None = None, *, tables: bool = True) -> AppTest:
    """``page`` run once (with ``query`` in its address); on the explorer with its text
    tables open (``tables``), as a person opens them (they are sent only then)."""
    at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
    at.switch_page(page)
    if tables:
        at.session_state["kn_tables"] = True
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_all_times(page: str, **query: str) -> AppTest:
    """The page with the "Stand" field emptied: everything on record, as the store counts
    it (the page's default is today, see the test of that default)."""
    at = open_page(page, query)
    at.sidebar.text_input(key="kn_stand").set_value("").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, int]:
    return {m.label: int(str(m.value).replace(".", "")) for m in at.metric}


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def graph_page(at: AppTest) -> str:
    """What the graph component was given to draw, as compact JSON text."""
    frames = at.get("component_instance")
    assert len(frames) == 1
    args = json.loads(frames[0].proto.json_args)
    return json.dumps(args["payload"], ensure_ascii=False, separators=(",", ":"))


def test_start_page(app_store: GraphStore) -> None:
    at = open_page("pages/start.py")
    shown = metrics(at)
    stats = app_store.stats()
    assert shown["Projekte"] == stats.nodes["Project"]
    assert shown["Veranstaltungen"] == stats.nodes["Workshop"]
    assert shown["Netzwerke"] == stats.nodes["Network"]
    assert shown["Mitglieder"] >= 8
    # the model projects per programme, as `kommunetz stats` counts them
    programmes = stats.programmes
    assert shown["Modellprojekte Smart Cities"] == programmes["net-mpsc"]["participants"] == 73
    assert shown["Digitale Modellregionen in NRW"] == programmes["net-dmr-nrw"]["participants"]
    captions = [c.value for c in at.caption]
    assert md("13 / 32 / 28 in den Staffeln 2019, 2020, 2021") in captions
    text = markdown(at)
    for name in MODELLKOMMUNEN:
        assert f"- **{md(name)}** (" in text, name
    # the one German date wording (the Mitmachen page says the same)
    assert f"- **{md('Halle (Saale)')}** (" in text
    assert md("Modellkommune (2. Staffel)") + ", " + md("August 2014") in text
    # members through an organisation are members (the Bewerbergemeinschaft's towns)
    assert md("über Bewerbergemeinschaft Ibbenbüren") in text
    headings = [h.value for h in at.subheader]
    assert "Modellkommune E\\-Government (2014 – 2016)" in headings
    # the app's own navigation in the sidebar, the page's invitations in its main area
    assert [link.proto.label for link in at.sidebar.get("page_link")] == NAVIGATION
    links = at.main.get("page_link")
    assert [link.proto.label for link in links] == [
        "Jetzt mitmachen: Kommune anmelden",
        "Netzwerk erkunden",
    ]
    assert links[0].proto.page.endswith("mitmachen")


def test_the_text_tables_are_sent_when_opened(app_store: GraphStore) -> None:
    # a new session gets the picture and how many rows the tables hold, not the rows:
    # at Germany scale they were 600 KB of its 1.6 MB
    at = open_page("pages/netzwerk.py", tables=False)
    shown = metrics(at)
    assert not at.dataframe
    (closed,) = [e for e in at.get("expander") if e.proto.label == "Tabellen anzeigen"]
    assert not closed.proto.expanded
    caption = [c.value for c in at.caption if c.value.startswith("Dieselben ")]
    assert caption == [
        f"Dieselben {format_int(shown['Knoten'])} Knoten und "
        f"{format_int(shown['Beziehungen'])} Beziehungen wie in "
        "der Grafik, als Tabellen."
    ]
    at.session_state["kn_tables"] = True  # what a click on it (or Enter) sends
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    nodes_table, edges_table = at.dataframe
    assert len(nodes_table.value) == shown["Knoten"]
    assert len(edges_table.value) == shown["Beziehungen"]
    at.sidebar.multiselect(key="kn_states").set_value(["01"]).run()
    assert len(at.dataframe) == 2, "open for the next view too"
    assert len(at.dataframe[0].value) == metrics(at)["Knoten"] < shown["Knoten"]


def test_explorer_shows_the_network_as_picture_and_tables(app_store: GraphStore) -> None:
    at = open_all_times("pages/netzwerk.py")
    shown = metrics(at)
    assert at.subheader[0].value == md("Gesamtes Netzwerk")
    assert shown["Kommunen"] == app_store.stats().nodes["Municipality"]
    page = graph_page(at)
    assert URL.findall(page) == []
    assert page.count('"group":"Municipality"') == shown["Kommunen"]
    nodes_table, edges_table = at.dataframe
    assert len(nodes_table.value) == shown["Knoten"]
    assert len(edges_table.value) == shown["Beziehungen"]
    assert list(nodes_table.value.columns) == ["Name", "Typ", "Art", "Land", "Kennung", "Hinweis"]
    downloads = [d.proto.label for d in at.get("download_button")]
    assert downloads == ["Ansicht als HTML herunterladen", "Ansicht als GraphML herunterladen"]
    legend = [str(h.proto.body) for h in at.get("html") if "Legende" in str(h.proto.body)]
    assert len(legend) == 1 and "Kommunen (Punkt)" in legend[0]


def test_filters_change_the_counts(app_store: GraphStore) -> None:
    stats = app_store.stats()
    at = open_page("pages/netzwerk.py")
    default = metrics(at)  # today
    at.sidebar.text_input(key="kn_stand").set_value("").run()
    everything = metrics(at)
    at.sidebar.multiselect(key="kn_labels").set_value(["Municipality"]).run()
    only = metrics(at)
    # among municipalities only Gemeinde → Kreis (a Gemeindeverband's PART_OF is not shown)
    kreis_links = sum(
        1
        for a, _, k in app_store.graph().edges(keys=True)
        if k == "PART_OF" and "Municipality:" in a
    )
    assert only == {
        "Knoten": stats.nodes["Municipality"],
        "Beziehungen": kreis_links,
        "Kommunen": stats.nodes["Municipality"],
    }
    assert at.subheader[0].value == md("Netzwerk (gefiltert)")
    in_rp = sum(1 for n in app_store.graph(["Municipality"]) if n.startswith("Municipality:07"))
    at.sidebar.multiselect(key="kn_states").set_value(["07"]).run()
    assert metrics(at)["Kommunen"] == in_rp
    at.sidebar.button(key="kn_reset").click().run()  # Filter zurücksetzen
    assert metrics(at) == default
    assert at.sidebar.text_input(key="kn_stand").value == "heute", "the Stand too"
    at.sidebar.text_input(key="kn_stand").set_value("").run()
    assert metrics(at) == everything
    at.sidebar.checkbox(key="kn_members").check().run()
    members_only = metrics(at)
    assert members_only["Knoten"] < everything["Knoten"]
    # members are those with MEMBER_OF a network, directly or through an organisation
    # that has (the Bewerbergemeinschaft's towns); shown with their Kreise
    g = app_store.graph()
    member_of = [(a, b) for a, b, k in g.edges(keys=True) if k == "MEMBER_OF"]
    in_network = {b for _, b in member_of if g.nodes[b]["type"] == "Network"}
    groups = {a for a, b in member_of if b in in_network}
    members = {a for a, b in member_of if b in in_network or b in groups}
    munis = {m for m in members if g.nodes[m]["type"] == "Municipality"}
    kreise = {b for a, b, k in g.edges(keys=True) if k == "PART_OF" and a in munis}
    assert members_only["Kommunen"] == len(munis | kreise)
    assert "Municipality:05566060" in munis, "Neuenkirchen, through the Bewerbergemeinschaft"


def test_search_focus_depth_and_details(app_store: GraphStore) -> None:
    at = open_page("pages/netzwerk.py")
    whole = metrics(at)["Knoten"]
    at.text_input(key="kn_query").input("Norderstedt")
    at.button(key="FormSubmitter:kn_search-Suchen").click().run()
    assert not at.exception
    assert at.subheader[0].value == md("Umgebung von Norderstedt (Tiefe 1)")
    assert at.query_params["fokus"] == "Municipality:01060063"
    one = metrics(at)["Knoten"]
    assert 1 < one < whole
    text = markdown(at)
    assert "### Norderstedt" in text
    assert "**Einwohner:**" in text and "Schleswig\\-Holstein" in text
    assert re.search(r"\*\*Quellen\*\*\n- \[.+\]\(<https://", text), "sources as links"
    assert "**Mitglied von** (" in text
    page = graph_page(at)
    assert '"focus":"Municipality:01060063"' in page

    at.radio(key="kn_depth").set_value(2).run()
    assert at.subheader[0].value == md("Umgebung von Norderstedt (Tiefe 2)")
    assert metrics(at)["Knoten"] > one

    next(b for b in at.button if b.label == "Ganzes Netzwerk zeigen").click().run()
    assert at.subheader[0].value == md("Gesamtes Netzwerk")
    assert metrics(at)["Knoten"] == whole


def test_ambiguous_and_unknown_names(app_store: GraphStore) -> None:
    at = open_page("pages/netzwerk.py")
    at.text_input(key="kn_query").input("Düren")
    at.button(key="FormSubmitter:kn_search-Suchen").click().run()
    pick = at.selectbox(key="kn_pick")
    assert pick.label == "Mehrere Treffer für „Düren“ – bitte wählen"  # nothing to escape
    assert set(pick.options) == {
        "Düren (Stadt, Nordrhein-Westfalen, AGS 05358008)",
        "Düren (Kreis, Nordrhein-Westfalen, AGS 05358)",
    }
    pick.set_value("Municipality:05358").run()
    next(b for b in at.button if b.label == "Anzeigen").click().run()
    assert at.subheader[0].value == md("Umgebung von Düren (Tiefe 1)")
    assert "### Düren" in markdown(at)

    at.text_input(key="kn_query").input("Xanten")
    at.button(key="FormSubmitter:kn_search-Suchen").click().run()
    assert [w.value for w in at.warning] == [md("Keine Treffer gefunden für „Xanten“.")]


def test_focus_from_the_address(app_store: GraphStore) -> None:
    # as of today (the default) the pilot has ended: the page says so and offers all times
    at = open_page("pages/netzwerk.py", {"fokus": "Network:net-modellkommune"})
    assert at.subheader[0].value == md("Gesamtes Netzwerk")
    warning = at.warning[0].value
    assert warning.startswith("„Modellkommune E") and "gehört zum Stand heute (" in warning
    assert "nicht zum Netzwerk: es ist beendet" in warning
    at.button(key="kn_all_times").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.sidebar.text_input(key="kn_stand").value == ""
    assert at.subheader[0].value == md("Umgebung von Modellkommune E-Government (Tiefe 1)")
    assert not at.warning
    at = open_page("pages/netzwerk.py", {"fokus": "Project:gibt-es-nicht"})
    assert at.subheader[0].value == md("Gesamtes Netzwerk")


def test_user_text_is_escaped_on_the_page(app_store: GraphStore) -> None:
    app_store.write(
        Batch(
            "test",
            nodes=[Node("Organisation", "org-evil", {"name": EVIL, "sources": ["mk-home"]})],
            rels=[
                Rel(
                    "PARTNER_OF",
                    Ref("org-evil", "Organisation"),
                    Ref("net-modellkommune", "Network"),
                    {"role": "[Klick](javascript:alert(1))", "sources": ["mk-home"]},
                )
            ],
        )
    )
    at = open_page("pages/netzwerk.py", {"fokus": "Organisation:org-evil"})
    text = markdown(at)
    assert f"### {md(EVIL)}" in text and md(EVIL).startswith("\\<img src\\=x onerror")
    assert "<img" not in text.replace("\\<img", "")
    assert "](javascript" not in text
    heading = at.subheader[0].value
    assert heading.startswith(f"Umgebung von {md(EVIL)}")
    # the graph component gets the name as JSON data over postMessage, never as markup:
    # vis-network draws labels on the canvas and sets tooltips as text (the browser test
    # of the standalone page checks the same library with the same names)
    evil = next(
        n for n in json.loads(graph_page(at))["nodes"] if n["id"] == "Organisation:org-evil"
    )
    assert EVIL.startswith(evil["label"].rstrip("…")) and evil["title"].startswith(EVIL)
    assert all(EVIL not in content for content in component_files().values())
    at.text_input(key="kn_query").input("![x](https://tracker.example/p.png)")
    at.button(key="FormSubmitter:kn_search-Suchen").click().run()
    assert "![x](https" not in at.warning[0].value, "a typed query is shown as text"


@pytest.mark.parametrize("page", ["pages/start.py", "pages/netzwerk.py"])
def test_empty_database_says_how_to_load(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("KOMMUNETZ_DB", str(tmp_path / "leer.sqlite"))
    st.cache_resource.clear()
    at = open_page(page)
    assert [i.value for i in at.info] == [
        "Die Datenbank ist leer. Laden Sie die Daten mit `kommunetz load`."
    ]


@pytest.mark.parametrize(
    "page",
    [
        "pages/start.py",
        "pages/netzwerk.py",
        "pages/abfragen.py",
        "pages/mitmachen.py",
        "pages/verwaltung.py",
        "pages/quellen.py",
    ],
)
def test_every_page_renders(app_store: GraphStore, page: str) -> None:
    at = open_page(page)
    assert at.title, "every page has a title"
    assert not [e for e in at.error], [e.value for e in at.error]


def test_programme_and_staffel_filters(app_store: GraphStore) -> None:
    g = app_store.graph()
    idx = explore.index(g)

    def municipalities(f: explore.ViewFilter) -> int:
        return sum(1 for n in explore.select(g, idx, f) if n.startswith("Municipality:"))

    at = open_all_times("pages/netzwerk.py")
    everything = metrics(at)
    at.sidebar.multiselect(key="kn_programmes").set_value(["Network:net-mpsc"]).run()
    mpsc = metrics(at)
    assert mpsc["Kommunen"] == municipalities(
        explore.ViewFilter(programmes=frozenset({"Network:net-mpsc"}))
    )
    assert mpsc["Knoten"] < everything["Knoten"]
    at.sidebar.multiselect(key="kn_staffeln").set_value(["Network:net-mpsc|2019"]).run()
    first = metrics(at)
    staffel = explore.ViewFilter(
        programmes=frozenset({"Network:net-mpsc"}),
        staffeln=frozenset({("Network:net-mpsc", 2019)}),
    )
    assert first["Kommunen"] == municipalities(staffel)
    assert first["Kommunen"] < mpsc["Kommunen"]
    table = at.dataframe[0].value
    assert "Süderbrarup" in set(table["Name"])  # the Amt, a model project of 2019
    assert "Ulm4CleverCity" in set(table["Name"])
    assert "Wuppertal" not in set(table["Name"])  # 2021


def test_changing_stand_changes_the_counts_as_the_stores_count_them(
    app_store: GraphStore,
) -> None:
    from graph.core.validity import as_of

    at = open_page("pages/netzwerk.py")
    at.sidebar.text_input(key="kn_stand").set_value("").run()  # all times
    everything = metrics(at)
    g = app_store.graph()
    for stand in ("2016-06-30", "2022", "2024"):
        at.sidebar.text_input(key="kn_stand").set_value(stand).run()
        assert not at.exception, [e.value for e in at.exception]
        then = as_of(g, stand)
        expected = explore.build_view(then, explore.index(then)).graph
        shown = metrics(at)
        assert shown["Knoten"] == expected.number_of_nodes(), stand
        assert shown["Beziehungen"] == expected.number_of_edges(), stand
        assert shown["Knoten"] < everything["Knoten"]
        names = set(at.dataframe[0].value["Name"])
        assert ("Ulm4CleverCity" in names) == (stand != "2016-06-30")
        assert ("Digitale Modellregion Soest" in names) == (stand == "2022")
    at.sidebar.text_input(key="kn_stand").set_value("gestern").run()
    assert [e.value for e in at.error] == [
        "„gestern“ ist kein Datum (JJJJ, JJJJ-MM oder JJJJ-MM-TT)."
    ]


def test_what_changed_between_two_dates(app_store: GraphStore) -> None:
    at = open_page("pages/netzwerk.py")
    at.text_input(key="kn_von").set_value("2022")
    at.text_input(key="kn_bis").set_value("2024").run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[-1].value
    ended = table[(table["Änderung"] == "beendet") & (table["Art"] == "gehört zum Programm")]
    # the five NRW regions ended on 30.06.2023
    assert sorted(ended["Eintrag"]) == [
        "Digitale Modellregion Aachen",
        "Digitale Modellregion Bergisches Städtedreieck",
        "Digitale Modellregion Emscher-Lippe",
        "Digitale Modellregion OWL",
        "Digitale Modellregion Soest",
    ]
    assert set(ended["mit"]) == {"Digitale Modellregionen in NRW"}


def test_what_changed_is_marked_in_the_view(app_store: GraphStore) -> None:
    """The changes between two dates are marked in the picture too — in the label, so
    colour is not the only cue — and the page says how many; without both dates none."""
    at = open_all_times("pages/netzwerk.py")  # Soest's region ended in 2023
    assert "[beendet]" not in graph_page(at)
    at.text_input(key="kn_von").set_value("2022")
    at.text_input(key="kn_bis").set_value("2024").run()
    assert not at.exception, [e.value for e in at.exception]
    nodes = {n["id"]: n for n in json.loads(graph_page(at))["nodes"]}
    soest = nodes["Cooperation:dmr-soest"]  # its participation in the programme ended
    assert soest["label"].endswith("[beendet]")
    assert soest["color"]["border"] == view.CHANGE_COLOURS["beendet"]
    assert "Änderung im gewählten Zeitraum: beendet" in soest["title"]
    marked = [n for n in nodes.values() if n["label"].endswith(("[neu]", "[beendet]"))]
    notes = [i.value for i in at.info if i.value.startswith("**Markiert:**")]
    assert notes and f"{len(marked)} Einträge" in notes[0]
    at.text_input(key="kn_bis").set_value("").run()
    assert "[beendet]" not in graph_page(at)
    assert not [i for i in at.info if i.value.startswith("**Markiert:**")]


def test_stand_is_today_by_default_and_empty_is_all_times(app_store: GraphStore) -> None:
    """The network of today by default (the NRW model regions ended in 2023, the Smart
    Cities run on), and the page says so; an empty field shows everything on record."""
    from graph.core.validity import as_of, today

    at = open_page("pages/netzwerk.py")
    assert at.sidebar.text_input(key="kn_stand").value == "heute"
    g = app_store.graph()
    now = as_of(g, today().isoformat())
    expected = explore.build_view(now, explore.index(now)).graph
    assert metrics(at)["Knoten"] == expected.number_of_nodes()
    names = set(at.dataframe[0].value["Name"])
    assert "Digitale Modellregion Soest" not in names
    assert "Ulm4CleverCity" in names
    notes = [m.value for m in at.markdown if m.value.startswith("**Stand heute (")]
    assert notes and "Feld „Stand“ in der Seitenleiste leeren" in notes[0]
    at.sidebar.text_input(key="kn_stand").set_value("").run()
    assert not at.exception, [e.value for e in at.exception]
    everything = explore.build_view(g, explore.index(g)).graph
    assert metrics(at)["Knoten"] == everything.number_of_nodes() > expected.number_of_nodes()
    assert "Digitale Modellregion Soest" in set(at.dataframe[0].value["Name"])
    assert not [m for m in at.markdown if m.value.startswith("**Stand")]


def test_the_warm_up_prepares_the_first_view_and_the_questions_of_stand_heute(
    app_store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # what a new session and the first questions after a start use: the explorer's view
    # of Stand heute (the default), and the cooperation graph and key figures of the store
    # the questions ask by default — ready before anyone asks
    import threading

    from graph.core import cache
    from graph.core.validity import TODAY, resolve_stand
    from kommunetz import ui, views

    monkeypatch.setattr(ui, "_warming", threading.Event())  # once per process: a new one
    monkeypatch.setattr(views, "_views", type(views._views)())
    store: Any = ui._store(ui.settings())  # both stores keep their name index in _names
    monkeypatch.setattr(store, "_names", cache.VersionCache())  # no search asked yet
    thread = ui.warm_up()
    assert thread is not None and ui.warm_up() is None, "once per process"
    thread.join(timeout=APP_TIMEOUT)
    assert not thread.is_alive()
    current, stand = ui.settings(), resolve_stand(TODAY)
    data = ui._loaded_as_of(current, app_store.version(), stand)  # the cached one
    assert data.stand == stand
    assert list(views._views) == [(data.version, id(data.graph), explore.ViewFilter(), None, 1)]
    shown = views._views[next(iter(views._views))]
    assert {"node_table", "relation_table", "choices"} <= set(shown._memo)
    assert {"snapshot", "metrics"} <= set(cache._CACHE[ui._as_of(current, stand)])

    # and the explorer's search: its name index (a second at Germany scale) is there
    def unbuilt() -> Any:
        raise AssertionError("the first search of a session would build the name index")

    labels = tuple(sorted(frozenset(explore.VIEW_LABELS) & PUBLIC_LABELS))
    store._names.get(store.version(), labels, unbuilt)
