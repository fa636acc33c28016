"""Karte: the network on a map of Germany — a choropleth per Kreis or Land with a choice of
measure, every Gemeinde as a point (members and programme participants marked), a Land
to zoom to, an answer of the Abfragen page marked on it; a click shows the details and
leads to the explorer; the same figures as a table; PNG, SVG and CSV downloads."""

from __future__ import annotations

import streamlit as st

from graph.core.errors import KommunetzError
from graph.present import explore
from graph.present import map as gmap
from graph.present.csv import to_csv
from graph.present.details import details
from graph.present.export import file_name
from graph.present.geofigures import MEASURES
from graph.present.text import format_int, state_name
from graph.questions.answer import Answer
from graph.questions.partners import partners
from graph.questions.recommend import recommend
from graph.questions.topic import topic_choices, topic_members
from kommunetz import karte
from kommunetz.safe_text import md
from kommunetz.ui import loaded, questions_store, stand_input, stand_note

LANDS = [f"{i:02d}" for i in range(1, 17)]
QUESTIONS = {
    "none": "keine",
    "topic": "Wer arbeitet an einem Thema?",
    "partners": "Partner einer Kommune",
    "recommend": "Partnervorschläge für eine Kommune",
}

stand = stand_input("karte_stand")
data = loaded(stand)
g = data.graph
st.title("Karte")
if explore.is_empty(g):
    st.info("Die Datenbank ist leer. Laden Sie die Daten mit `kommunetz load`.")
    st.stop()

st.markdown(
    "Wo im Netzwerk gearbeitet wird: Kreise oder Länder nach einer Kennzahl eingefärbt, "
    "jede Gemeinde als Punkt – Mitglieder und Teilnehmer von Förderprogrammen hervorgehoben. "
    "Ein Klick auf eine Fläche oder einen Punkt zeigt die Angaben dazu. Unter der Karte "
    "stehen dieselben Zahlen als Tabelle."
)
if stand:
    st.markdown(stand_note(stand))
figures = karte.figures(data)

c1, c2, c3, c4 = st.columns([1, 2, 2, 2], vertical_alignment="bottom")
level = c1.radio(
    "Flächen",
    ["Kreis", "Land"],
    format_func={"Kreis": "Kreise", "Land": "Länder"}.get,
    key="karte_ebene",
)
measure = c2.selectbox(
    "Kennzahl", list(MEASURES), format_func=MEASURES.__getitem__, key="karte_kennzahl"
)
state = c3.selectbox(
    "Ausschnitt",
    [None, *LANDS],
    format_func=lambda code: "ganz Deutschland" if code is None else state_name(code) or code,
    key="karte_land",
)
per_capita = c4.checkbox(
    "je 100.000 Einwohner",
    help="Teilt die Kennzahl durch die Einwohnerzahl der Fläche (Summe ihrer Gemeinden aus "
    "dem Gemeindeverzeichnis). Ohne bekannte Einwohnerzahl: keine Angabe.",
    key="karte_je_einwohner",
)
if measure == "participants" and not figures.programmes:
    st.caption(
        "Es ist noch kein Förderprogramm geladen: die Kennzahl „Programmteilnehmer“ ist überall 0."
    )

# -- an answer on the map -------------------------------------------------------------


def clear_highlight() -> None:
    st.session_state.pop(karte.HIGHLIGHT, None)
    st.session_state["karte_frage"] = "none"


with st.expander("Eine Antwort auf der Karte zeigen", expanded=karte.HIGHLIGHT in st.session_state):
    store = questions_store(stand)  # the answer of the map's Stand
    question = st.radio(
        "Frage",
        list(QUESTIONS),
        format_func=QUESTIONS.__getitem__,
        horizontal=True,
        key="karte_frage",
    )
    answer: Answer | None = None
    try:
        if question == "topic":
            topics = topic_choices(store)
            topic = st.selectbox(
                "Thema", topics, format_func=lambda t: t.name, index=None, key="karte_thema"
            )
            if topic is not None:
                answer = topic_members(store, topic, limit=500)
        elif question in ("partners", "recommend"):
            who = st.text_input("Kommune (Name oder AGS)", key="karte_kommune")
            if who.strip():
                answer = (
                    partners(store, who, limit=500)
                    if question == "partners"
                    else recommend(store, who, limit=25)
                )
    except KommunetzError as exc:
        st.error(md(exc))
    if answer is not None:
        st.session_state[karte.HIGHLIGHT] = karte.highlight_of(answer)
    shown_answer = st.session_state.get(karte.HIGHLIGHT)
    if shown_answer:
        title, ids = shown_answer
        st.markdown(
            f"**Auf der Karte markiert:** {md(title)} – {format_int(len(ids))} Kommunen "
            "(Gemeinden als schwarze Ringe, Kreise schwarz umrandet)"
        )
        st.button("Markierung entfernen", on_click=clear_highlight)

title, ids = st.session_state.get(karte.HIGHLIGHT) or ("", ())
choice = gmap.MapChoice(
    level="Land" if level == "Land" else "Kreis",
    measure=measure,
    per_capita=per_capita,
    state=state,
    highlight=tuple(ids),
    highlight_title="Antwort" if ids else "",
    stand=stand,
)

# -- the map --------------------------------------------------------------------------

drawn = karte.draw(data, choice, key="karte")

diff = karte.differences(data)
for e in diff.no_figures:
    where = diff.same_name.get(e["key"]) or []
    now = "; ".join(f"{p.name} ({p.kind}, AGS {p.key})" for p in where)
    st.info(
        f"**{md(e['name'])}** ({md(e['kind'])}, Schlüssel {md(e['key'])}) hat in den Grenzen "
        "von 2021 eine eigene Fläche, steht aber nicht im Gemeindeverzeichnis 2024; die Fläche "
        "bleibt ohne Wert (grau)." + (f" Im Verzeichnis gibt es heute: {md(now)}." if now else "")
    )
if diff.no_area:
    st.warning(
        "Ohne Fläche in den Grenzen von 2021 (gezählt, aber keiner Fläche zugeordnet): "
        + md(", ".join(f"{e['name']} ({e['key']})" for e in diff.no_area))
    )

table = gmap.table_rows(drawn.rows, choice)
downloads = {
    "png": ("Karte als PNG", "image/png", lambda: gmap.export(drawn.spec, "png")),
    "svg": ("Karte als SVG", "image/svg+xml", lambda: gmap.export(drawn.spec, "svg")),
    "csv": ("Zahlen als CSV", "text/csv", lambda: to_csv(table)),
}
for column, (ext, (label, mime, make)) in zip(st.columns(3), downloads.items(), strict=True):
    column.download_button(
        label, make, file_name=file_name(f"Karte {choice.title}", ext), mime=mime, on_click="ignore"
    )

# -- details of the clicked node ------------------------------------------------------

st.subheader("Angaben zur Auswahl")
nid = drawn.clicked
info = details(g, data.index, nid) if nid is not None and nid in g else None
if nid is None:
    st.caption("Klicken Sie auf eine Fläche oder einen Punkt der Karte.")
elif info is None:
    # an area of the boundaries that the graph does not hold (no directory loaded)
    key = nid.partition(":")[2]
    row = next((r for r in drawn.rows if r["ags"] == key), None)
    name = row["name"] if row else key
    st.markdown(f"### {md(name)}\n{md(row['kind'] if row else '')} · Schlüssel {md(key)}")
    st.caption("Nicht im geladenen Datenbestand: keine Mitglieder, Projekte oder Teilnehmer.")
else:
    st.markdown(f"### {md(info.name)}\n{md(info.type_name)} · {md(info.kind)}")
    lines = [*info.facts, *gmap.figures_of(figures, info.node)]
    st.markdown("\n".join(f"- **{md(label)}:** {md(value)}" for label, value in lines))
    if st.button("Im Netzwerk erkunden (Details und Umgebung)", key="karte_zum_explorer"):
        karte.open_in_explorer(info.node)

# -- the same figures as a table ------------------------------------------------------

st.subheader("Tabelle")
st.caption(f"Dieselben Zahlen wie in der Karte: {md(choice.title)}.")
st.dataframe(table, hide_index=True, width="stretch")
