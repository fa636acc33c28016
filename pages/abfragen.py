"""Abfragen: the guided questions as small forms, each answer as a table (with CSV
download), a small graph view and, for connections, numbered sentences with sources; the
network metrics; and, on Neo4j and when the operator switches it on, a read-only Cypher
console. Everything is answered by `graph/`; this page only asks and shows."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import streamlit as st

from graph.core.errors import KommunetzError
from graph.core.nodes import Entity
from graph.present.csv import to_csv
from graph.present.details import source_links
from graph.present.export import file_name
from graph.present.text import format_cell, format_int
from graph.questions.answer import SOURCES_COLUMN, Answer, cell_sources, sources_cell
from graph.questions.console import (
    DEFAULT_ROW_LIMIT,
    DEFAULT_TIMEOUT_S,
    EXAMPLE_QUERY,
    MAX_ROW_LIMIT,
    ConsoleResult,
    run_console,
)
from graph.questions.metrics import TITLES, network_metrics
from graph.questions.partners import partners
from graph.questions.paths import MAX_HOPS, PathsAnswer, connections
from graph.questions.recommend import recommend
from graph.questions.shared_topics import shared_topics
from graph.questions.topic import topic_choices, topic_members
from graph.questions.workshops import workshops
from kommunetz import karte
from kommunetz.graph_view import small_graph_view
from kommunetz.safe_text import md, source_md
from kommunetz.ui import get_store, loaded, questions_store, secret, stand_input, stand_note

#: Graph views above this many nodes are not drawn (the table shows everything).
MAX_VIEW_NODES = 300
#: Answer tables show this many rows; the CSV holds them all.
MAX_TABLE_ROWS = 500
CONSOLE_SETTING = "KOMMUNETZ_CYPHER_CONSOLE"


def show_error(exc: KommunetzError) -> None:
    lines = str(exc).splitlines()
    st.error("  \n".join(md(line.strip()) for line in lines))


def sources_md(cell: object) -> str:
    """A table's sources cell: every source as its title with a working link."""
    links, unknown = source_links(loaded().graph, cell_sources(cell))
    return "; ".join([*(source_md(s.title, s.url) for s in links), *map(md, unknown)])


def source_word(ids: tuple[str, ...]) -> str:
    return "Quelle" if len(ids) == 1 else "Quellen"


def table_cell(column: str, value: object) -> str:
    if column == SOURCES_COLUMN:
        return sources_md(value)
    return md(format_cell(value))


def show_table(rows: list[dict[str, Any]], what: str, label: str = "Tabelle") -> None:
    """An answer's rows as a table that shows every text in full (long text wraps), the
    sources as links, and a CSV download named after ``what`` it holds."""
    if not rows:
        st.info("Keine Einträge.")
        return
    shown = rows[:MAX_TABLE_ROWS]
    columns = list(dict.fromkeys(k for row in shown for k in row))
    st.table(
        [{c: table_cell(c, row.get(c)) for c in columns} for row in shown],
        hide_index=True,
        alt=f"{what}: {len(rows)} Zeilen",
    )
    if len(rows) > len(shown):
        st.caption(
            f"Gezeigt werden die ersten {format_int(len(shown))} von {format_int(len(rows))} "
            "Zeilen; die CSV-Datei enthält alle."
        )
    st.download_button(
        f"{label} als CSV herunterladen",
        to_csv(rows),
        file_name=file_name(what, "csv"),
        mime="text/csv",
        key=f"csv-{what}",
    )


def answer_title(answer: Answer) -> str:
    """What an answer is about, from its first line without the details in parentheses:
    ``Partner von Norderstedt``."""
    first = re.sub(r"\s*\([^)]*\)", "", answer.lines()[0])
    return re.split(r"[:;]", first)[0].replace("„", "").replace("“", "").strip()


def show_graph(answer: Answer | ConsoleResult) -> None:
    g = answer.graph if isinstance(answer, ConsoleResult) else answer.view_graph()
    n = g.number_of_nodes()
    if n == 0:
        return
    if n > MAX_VIEW_NODES:
        st.caption(
            f"Die Grafik würde {format_int(n)} Knoten zeigen und wird deshalb nicht gezeichnet; "
            "die Tabelle enthält alle Angaben."
        )
        return
    st.caption("Grafik (dieselben Angaben wie in der Tabelle):")
    small_graph_view(
        g, label=f"Netzwerkgrafik mit {n} Knoten; dieselben Angaben stehen in der Tabelle darüber"
    )


def ask(key: str, run: Callable[[], Any]) -> None:
    """Run a question and keep its answer for the reruns that follow (downloads)."""
    try:
        with st.spinner("Wird berechnet …"):
            st.session_state[key] = run()
    except KommunetzError as exc:
        st.session_state.pop(key, None)
        show_error(exc)


def show_answer(key: str) -> None:
    answer = st.session_state.get(key)
    if answer is None:
        return
    head, *more = answer.lines()
    st.markdown(md(head))
    if more and more[0].startswith("Gezeigt werden"):
        st.caption(md(more[0]))
    show_table(answer.rows(), answer_title(answer))
    karte.show_on_map_button(answer, key)
    show_graph(answer)


database = get_store()
stand = stand_input("q_stand")
store = questions_store(stand)  # the database, or the network as of the Stand
if st.session_state.get("q_stand_asked", "") != stand:
    # an answer of another Stand is not this Stand's answer
    for kept in [k for k in st.session_state if str(k).startswith("q-")]:
        del st.session_state[kept]
    st.session_state["q_stand_asked"] = stand
st.title("Abfragen", anchor=False)
st.markdown(
    "Fragen an das Netzwerk: Wer arbeitet woran, wer mit wem, und wie hängen zwei Kommunen "
    "zusammen? Kommunen können mit Namen oder Amtlichem Gemeindeschlüssel (AGS) angegeben "
    "werden; ist ein Name mehrdeutig, nennt die Antwort die Möglichkeiten."
)
if stand:
    st.info(stand_note(stand))
if store.is_empty():
    st.info("Die Datenbank ist leer. Laden Sie die Daten mit `kommunetz load`.")
    st.stop()

topics: list[Entity] = topic_choices(store)
topic_names = {t.key: t.name for t in topics}

TABS = [
    "Thema",
    "Partner",
    "Verbindung",
    "Gemeinsame Themen",
    "Veranstaltungen",
    "Partnervorschläge",
    "Kennzahlen",
]
# the console needs Neo4j: with the embedded store the public gets no tab that only
# tells them about a setting they cannot make
with_console = database.kind == "neo4j"
tabs = st.tabs([*TABS, "Cypher-Konsole"] if with_console else TABS)

with tabs[0]:
    st.subheader("Wer arbeitet an einem Thema?", anchor=False)
    with st.form("form-topic"):
        topic = st.selectbox("Thema", [t.key for t in topics], format_func=topic_names.__getitem__)
        members_only = st.checkbox("nur Mitglieder eines Netzwerks")
        limit = st.number_input("Höchstens so viele Akteure", 1, 5000, 50, key="limit-topic")
        if st.form_submit_button("Abfragen", key="go-topic", disabled=not topics):
            ask(
                "q-topic",
                lambda: topic_members(
                    store, topic or "", members_only=members_only, limit=int(limit)
                ),
            )
    if not topics:
        st.info("Es sind noch keine Themen geladen (kommunetz load).")
    show_answer("q-topic")

with tabs[1]:
    st.subheader("Mit wem arbeitet eine Kommune zusammen – und warum?", anchor=False)
    with st.form("form-partners"):
        actor = st.text_input("Kommune oder Organisation (Name oder AGS)", key="partners-actor")
        limit = st.number_input("Höchstens so viele Partner", 1, 5000, 50, key="limit-partners")
        if st.form_submit_button("Abfragen", key="go-partners"):
            ask("q-partners", lambda: partners(store, actor, limit=int(limit)))
    show_answer("q-partners")

with tabs[2]:
    st.subheader("Wie sind zwei Kommunen oder Organisationen verbunden?", anchor=False)
    with st.form("form-path"):
        a = st.text_input("Von (Name oder AGS)", key="path-a")
        b = st.text_input("Nach (Name oder AGS)", key="path-b")
        k = st.number_input("Höchstens so viele Wege", 1, 50, 3, key="path-k")
        admin = st.checkbox(
            "auch Verwaltungsbeziehungen nutzen (liegt im Land, gehört zum Kreis)",
            help="Ohne diese Angabe zählen nur Zusammenarbeit, Mitgliedschaften und "
            "Veranstaltungen: ein Land verbindet Tausende Kommunen und sagt wenig.",
        )
        if st.form_submit_button("Abfragen", key="go-path"):
            ask(
                "q-path",
                lambda: connections(store, a, b, k=int(k), include_admin=admin),
            )
    found = st.session_state.get("q-path")
    if isinstance(found, PathsAnswer):
        st.markdown(md(found.summary()))
        if not found.complete:
            st.caption("Es gibt sehr viele gleich kurze Wege; nicht alle wurden gezählt.")
        for i, path in enumerate(found.paths, start=1):
            st.markdown(f"**Weg {i}:** " + " – ".join(md(e.name) for e in path.nodes))
            st.markdown(
                "\n".join(
                    f"{n}. {md(text)}"
                    + (f" ({source_word(ids)}: {sources_md(sources_cell(ids))})" if ids else "")
                    for n, (text, ids) in enumerate(path.told(), start=1)
                )
            )
        show_table(found.rows(), answer_title(found))
        show_graph(found)
    elif not found:
        st.caption(f"Gesucht wird über höchstens {MAX_HOPS} Schritte.")

with tabs[3]:
    st.subheader("An welchen Themen arbeiten zwei Kommunen beide?", anchor=False)
    with st.form("form-shared"):
        a2 = st.text_input("Erste Kommune oder Organisation", key="shared-a")
        b2 = st.text_input("Zweite Kommune oder Organisation", key="shared-b")
        if st.form_submit_button("Abfragen", key="go-shared"):
            ask("q-shared", lambda: shared_topics(store, a2, b2))
    show_answer("q-shared")

with tabs[4]:
    st.subheader(
        "Veranstaltungen: wer richtete aus, wer nahm teil, zu welchem Thema?", anchor=False
    )
    with st.form("form-workshops"):
        ws_actor = st.text_input("Kommune oder Organisation (leer: alle)", key="ws-actor")
        ws_topic = st.selectbox(
            "Thema",
            ["", *(t.key for t in topics)],
            format_func=lambda key: topic_names.get(key, "alle Themen"),
            key="ws-topic",
        )
        ws_limit = st.number_input("Höchstens so viele", 1, 5000, 50, key="limit-ws")
        if st.form_submit_button("Abfragen", key="go-workshops"):
            ask(
                "q-workshops",
                lambda: workshops(
                    store, actor=ws_actor or None, topic=ws_topic or None, limit=int(ws_limit)
                ),
            )
    show_answer("q-workshops")

with tabs[5]:
    st.subheader("Partnervorschläge mit Begründung", anchor=False)
    st.markdown(
        "Auch für Kommunen, die noch nicht im Netzwerk sind: den AGS eingeben und die "
        "Themen wählen, die interessieren. Die Punkte setzen sich aus nachvollziehbaren "
        "Teilen zusammen: gemeinsame Themen (3 je Thema), ähnliche Art (bis 2) und Größe "
        "(bis 3), Entfernung (bis 4) und gleiches Land (2), gemeinsame Partner (2 je "
        "Partner) und Mitgliedschaft im Netzwerk (1)."
    )
    with st.form("form-recommend"):
        rec_actor = st.text_input("Kommune oder Organisation (Name oder AGS)", key="rec-actor")
        rec_topics = st.multiselect(
            "Interessen (leer: die Themen der eigenen Vorhaben)",
            [t.key for t in topics],
            format_func=topic_names.__getitem__,
            placeholder="Themen auswählen",
        )
        rec_limit = st.number_input("Höchstens so viele Vorschläge", 1, 100, 10, key="rec-n")
        if st.form_submit_button("Vorschläge berechnen", key="go-recommend"):
            ask(
                "q-recommend",
                lambda: recommend(
                    store, rec_actor, topics=rec_topics or None, limit=int(rec_limit)
                ),
            )
    show_answer("q-recommend")

with tabs[6]:
    st.subheader("Kennzahlen des Kooperationsgraphen", anchor=False)
    st.markdown(
        "Der Kooperationsgraph verbindet zwei Akteure, wenn sie gemeinsam an einem Projekt, "
        "einer Kooperation oder Veranstaltung beteiligt sind oder einer dem anderen angehört. "
        "Die Werte werden einmal je Datenstand berechnet und bis zur nächsten Änderung "
        "gespeichert."
    )
    if st.button("Kennzahlen anzeigen", key="metrics-go"):
        ask("q-metrics", lambda: network_metrics(store))
    metrics = st.session_state.get("q-metrics")
    if metrics is not None:
        st.markdown(
            f"{format_int(metrics.actors)} Akteure, {format_int(metrics.ties)} Partnerschaften, "
            f"{format_int(metrics.community_count)} Gruppen (berechnet in "
            f"{metrics.seconds:.1f} s)."
        )
        tables = metrics.tables()
        for name, title in TITLES.items():
            st.markdown(f"#### {title}")
            st.markdown(md(metrics.explain[name]))
            if name == "betweenness" and metrics.betweenness_sampled:
                st.info("Stichprobe: die Werte sind " + md(metrics.betweenness_note) + ".")
            if name == "communities":
                st.caption(f"Modularität {metrics.modularity:.2f}".replace(".", ","))
            show_table(tables[name], title, "Liste")
        if metrics.unused_topics:
            st.caption(
                "Themen ohne Kommune: " + ", ".join(md(t.name) for t in metrics.unused_topics)
            )
        st.markdown("#### Die am besten vernetzten Akteure")
        show_graph(metrics)

if with_console:
    with tabs[7]:
        st.subheader("Cypher-Konsole (nur lesend)", anchor=False)
        if secret(CONSOLE_SETTING) != "1":
            st.info(
                "Die Cypher-Konsole ist ausgeschaltet. Sie kann alle Daten der Datenbank lesen, "
                f"auch Registrierungen; der Betrieb schaltet sie mit {CONSOLE_SETTING}=1 nur für "
                "vertrauenswürdige Nutzerinnen und Nutzer ein."
            )
        else:
            st.markdown(
                "Lesende Cypher-Abfragen mit Zeit- und Zeilenbegrenzung. Schreibende und "
                "verwaltende Befehle werden abgelehnt; der Server führt die Abfrage zusätzlich "
                "im Nur-Lese-Modus aus."
                + (" Sie fragt die Datenbank selbst, ohne Stand." if stand else "")
            )
            with st.form("form-console"):
                text = st.text_area(
                    "Cypher-Abfrage",
                    EXAMPLE_QUERY,
                    height=120,
                )
                timeout = st.number_input(
                    "Zeitlimit in Sekunden", 1, 60, int(DEFAULT_TIMEOUT_S), key="console-timeout"
                )
                rows = st.number_input(
                    "Höchstens so viele Zeilen",
                    1,
                    MAX_ROW_LIMIT,
                    DEFAULT_ROW_LIMIT,
                    key="console-rows",
                )
                if st.form_submit_button("Ausführen", key="go-console"):
                    ask(
                        "q-console",
                        lambda: run_console(database, text, timeout_s=timeout, row_limit=int(rows)),
                    )
            result = st.session_state.get("q-console")
            if isinstance(result, ConsoleResult):
                if result.truncated:
                    st.warning(
                        f"Nur die ersten {format_int(result.row_limit)} Zeilen werden gezeigt."
                    )
                if result.withheld:
                    st.caption(
                        f"{format_int(result.withheld)} Werte mit personenbezogenen Daten "
                        "ausgeblendet."
                    )
                display = [
                    {k: "" if v is None else str(v) for k, v in r.items()} for r in result.rows()
                ]
                show_table(display, "Cypher-Abfrage")
                show_graph(result)
