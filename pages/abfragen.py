"""Abfragen: the guided questions as small forms, each answer as a table (with CSV
download), a small graph view and, for connections, numbered sentences with sources; the
network metrics; and, on Neo4j and when the operator switches it on, a read-only Cypher
console. Everything is answered by `graph/`; this page only asks and shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from graph.core.errors import KommunetzError
from graph.core.nodes import Entity
from graph.present.csv import to_csv
from graph.present.text import format_int
from graph.present.view import render_html
from graph.questions.answer import Answer
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
from kommunetz.safe_text import md
from kommunetz.ui import get_store, secret

#: Graph views above this many nodes are not drawn (the table shows everything).
MAX_VIEW_NODES = 300
CONSOLE_SETTING = "KOMMUNETZ_CYPHER_CONSOLE"


def show_error(exc: KommunetzError) -> None:
    lines = str(exc).splitlines()
    st.error("  \n".join(md(line.strip()) for line in lines))


def show_table(rows: list[dict[str, Any]], key: str, label: str = "Tabelle") -> None:
    if not rows:
        st.info("Keine Einträge.")
        return
    st.dataframe(rows, hide_index=True, use_container_width=True)
    st.download_button(
        f"{label} als CSV herunterladen",
        to_csv(rows),
        file_name=f"kommunetz-{key}.csv",
        mime="text/csv",
        key=f"csv-{key}",
    )


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
    st.iframe(
        render_html(g, height="420px"),
        height=440,
        alt=f"Netzwerkgrafik mit {n} Knoten; dieselben Angaben stehen in der Tabelle darüber",
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
    st.markdown(md(answer.lines()[0]))
    show_table(answer.rows(), key)
    show_graph(answer)


store = get_store()
st.title("Abfragen")
st.markdown(
    "Fragen an das Netzwerk: Wer arbeitet woran, wer mit wem, und wie hängen zwei Kommunen "
    "zusammen? Kommunen können mit Namen oder Amtlichem Gemeindeschlüssel (AGS) angegeben "
    "werden; ist ein Name mehrdeutig, nennt die Antwort die Möglichkeiten."
)
if store.is_empty():
    st.info("Die Datenbank ist leer. Laden Sie die Daten mit `kommunetz load`.")
    st.stop()

topics: list[Entity] = topic_choices(store)
topic_names = {t.key: t.name for t in topics}

tabs = st.tabs(
    [
        "Thema",
        "Partner",
        "Verbindung",
        "Gemeinsame Themen",
        "Veranstaltungen",
        "Partnervorschläge",
        "Kennzahlen",
        "Cypher-Konsole",
    ]
)

with tabs[0]:
    st.subheader("Wer arbeitet an einem Thema?")
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
    st.subheader("Mit wem arbeitet eine Kommune zusammen – und warum?")
    with st.form("form-partners"):
        actor = st.text_input("Kommune oder Organisation (Name oder AGS)", key="partners-actor")
        limit = st.number_input("Höchstens so viele Partner", 1, 5000, 50, key="limit-partners")
        if st.form_submit_button("Abfragen", key="go-partners"):
            ask("q-partners", lambda: partners(store, actor, limit=int(limit)))
    show_answer("q-partners")

with tabs[2]:
    st.subheader("Wie sind zwei Kommunen oder Organisationen verbunden?")
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
            told = [s.split(". ", 1) for s in path.sentences(found.source_titles)]
            st.markdown("\n".join(f"{n}. {md(text)}" for n, text in told))
        show_table(found.rows(), "q-path")
        show_graph(found)
    elif not found:
        st.caption(f"Gesucht wird über höchstens {MAX_HOPS} Schritte.")

with tabs[3]:
    st.subheader("An welchen Themen arbeiten zwei Kommunen beide?")
    with st.form("form-shared"):
        a2 = st.text_input("Erste Kommune oder Organisation", key="shared-a")
        b2 = st.text_input("Zweite Kommune oder Organisation", key="shared-b")
        if st.form_submit_button("Abfragen", key="go-shared"):
            ask("q-shared", lambda: shared_topics(store, a2, b2))
    show_answer("q-shared")

with tabs[4]:
    st.subheader("Veranstaltungen: wer richtete aus, wer nahm teil, zu welchem Thema?")
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
    st.subheader("Partnervorschläge mit Begründung")
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
    st.subheader("Kennzahlen des Kooperationsgraphen")
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
            show_table(tables[name], f"metrics-{name}", "Liste")
        if metrics.unused_topics:
            st.caption(
                "Themen ohne Kommune: " + ", ".join(md(t.name) for t in metrics.unused_topics)
            )
        st.markdown("#### Die am besten vernetzten Akteure")
        show_graph(metrics)

with tabs[7]:
    st.subheader("Cypher-Konsole (nur lesend)")
    if store.kind != "neo4j":
        st.info(
            "Die Cypher-Konsole gibt es nur, wenn kommunetz mit Neo4j arbeitet (NEO4J_URI). "
            "Die eingebettete Datenbank versteht kein Cypher; die Abfragen in den anderen "
            "Reitern funktionieren mit beiden."
        )
    elif secret(CONSOLE_SETTING) != "1":
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
                "Höchstens so viele Zeilen", 1, MAX_ROW_LIMIT, DEFAULT_ROW_LIMIT, key="console-rows"
            )
            if st.form_submit_button("Ausführen", key="go-console"):
                ask(
                    "q-console",
                    lambda: run_console(store, text, timeout_s=timeout, row_limit=int(rows)),
                )
        result = st.session_state.get("q-console")
        if isinstance(result, ConsoleResult):
            if result.truncated:
                st.warning(f"Nur die ersten {format_int(result.row_limit)} Zeilen werden gezeigt.")
            if result.withheld:
                st.caption(
                    f"{format_int(result.withheld)} Werte mit personenbezogenen Daten ausgeblendet."
                )
            display = [
                {k: "" if v is None else str(v) for k, v in r.items()} for r in result.rows()
            ]
            show_table(display, "console")
            show_graph(result)
