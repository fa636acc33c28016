"""Netzwerk erkunden: the network as a picture and as tables, filtered, searched, and
around one node; with a details panel and downloads of the current view."""

from __future__ import annotations

import contextlib

import streamlit as st

from graph.core.errors import Ambiguous, NotFound, QueryError
from graph.core.search import resolve
from graph.core.validity import TODAY
from graph.present import explore, view
from graph.present.details import Details, Related, details
from graph.present.export import export_bytes, file_name
from graph.present.text import format_int, type_name
from kommunetz import karte, views
from kommunetz.graph_view import graph_view
from kommunetz.safe_text import md, md_link, source_md
from kommunetz.ui import get_store, loaded, stand_input, stand_name, stand_note

GRAPH_HEIGHT = 620
MAX_DETAIL_CHOICES = 3000

FOCUS, DEPTH, CANDIDATES = "kn_focus", "kn_depth", "kn_candidates"
#: Whether the text equivalent's tables are open (they are sent only then).
TEXT_TABLES = "kn_tables"
#: A node the user asked for (address, search) that is not in the network as of the Stand.
OUTSIDE = "kn_outside"
#: Layout choices: None = by size (force layout for small views, map for large ones).
LAYOUTS: dict[str, bool | None] = {
    "automatisch": None,
    "Karte (Kommunen nach Lage)": False,
    "Netz (nach Verbindungen)": True,
}

stand = stand_input("kn_stand")
data = loaded(stand)
g, idx = data.graph, data.index

st.title("Netzwerk erkunden", anchor=False)
if explore.is_empty(g):
    st.info("Die Datenbank ist leer. Laden Sie die Daten mit `kommunetz load`.")
    st.stop()
if stand:
    st.markdown(stand_note(stand))

if FOCUS not in st.session_state:
    wanted = st.query_params.get("fokus")
    st.session_state[FOCUS] = wanted if explore.has(g, wanted) else None
    if stand and not explore.has(g, wanted) and explore.has(loaded().graph, wanted):
        st.session_state[OUTSIDE] = wanted  # a link to what has ended: say so, offer it
st.session_state.setdefault(DEPTH, 1)


def set_focus(nid: str | None) -> None:
    """Focus the view on ``nid`` (None: the whole network); the address keeps it, so a
    view can be bookmarked and shared."""
    st.session_state[FOCUS] = nid
    st.session_state[CANDIDATES] = []
    if nid is None:
        st.query_params.pop("fokus", None)
    else:
        st.query_params["fokus"] = nid
        st.session_state["kn_detail"] = nid


def show_all_times(nid: str) -> None:
    """The Stand field emptied (all times) and the view focused on ``nid``."""
    st.session_state["kn_stand"] = ""
    set_focus(nid)


def reset_filters() -> None:
    """Every filter widget back to its default, visibly: a popped key would leave the
    browser's widget showing the old choice."""
    st.session_state["kn_labels"] = list(explore.VIEW_LABELS)
    st.session_state["kn_states"] = []
    st.session_state["kn_topics"] = []
    st.session_state["kn_programmes"] = []
    st.session_state["kn_staffeln"] = []
    st.session_state["kn_members"] = False
    st.session_state["kn_directory"] = False
    st.session_state["kn_stand"] = TODAY
    if idx.year_range is not None:
        st.session_state["kn_years"] = idx.year_range


# -- filters (sidebar) ----------------------------------------------------------------

choices = views.filter_choices(data)
state_names = dict(choices["states"])
topic_names = dict(choices["topics"])
programme_names = dict(choices["programmes"])
staffel_names = dict(choices["staffeln"])
with st.sidebar:
    st.header("Filter", anchor=False)
    # The filters people use most come first: below the tall "Knotentypen" box (eleven
    # chips) a select sits at the bottom edge of a laptop screen, where its menu opens
    # past the window and a choice can get lost.
    states = st.multiselect(
        "Bundesland",
        list(state_names),
        format_func=state_names.__getitem__,
        placeholder="alle Länder",
        key="kn_states",
    )
    topics = st.multiselect(
        "Thema",
        list(topic_names),
        format_func=topic_names.__getitem__,
        placeholder="alle Themen",
        key="kn_topics",
    )
    programmes = st.multiselect(
        "Programm",
        list(programme_names),
        format_func=programme_names.__getitem__,
        placeholder="alle Programme und Netzwerke",
        help="Nur was zu diesen Programmen gehört: Mitglieder, Modellprojekte und ihre Kommunen.",
        key="kn_programmes",
    )
    staffeln = st.multiselect(
        "Staffel",
        list(staffel_names),
        format_func=staffel_names.__getitem__,
        placeholder="alle Staffeln",
        key="kn_staffeln",
    )
    # defaults through the session state only, so that "Filter zurücksetzen" can set them
    st.session_state.setdefault("kn_labels", list(explore.VIEW_LABELS))
    labels = st.multiselect(
        "Knotentypen",
        explore.VIEW_LABELS,
        format_func=lambda label: type_name(label, plural=True),
        key="kn_labels",
    )
    years = None
    if idx.year_range is not None:
        first, last = idx.year_range
        st.session_state.setdefault("kn_years", (first, last))
        chosen: tuple[int, int] = st.slider(  # type: ignore[assignment]  # a range: a pair
            "Zeitraum",
            min_value=first,
            max_value=last,
            help="Projekte, Veranstaltungen, Berichte und Kooperationen mit Datum in diesem "
            "Zeitraum; Einträge ohne Datum bleiben sichtbar.",
            key="kn_years",
        )
        years = None if chosen == (first, last) else (int(chosen[0]), int(chosen[1]))
    members_only = st.checkbox(
        "Nur Mitglieder von Netzwerken",
        help="Kommunen und Organisationen nur, wenn sie Mitglied eines Netzwerks sind, "
        "und was zu ihnen gehört.",
        key="kn_members",
    )
    whole_directory = False
    if idx.directory_only:
        whole_directory = st.checkbox(
            "Alle Kommunen des Gemeindeverzeichnisses",
            help=f"Zeigt zusätzlich {format_int(idx.directory_only)} Kommunen ohne "
            "Netzwerkbezug als kleine Punkte auf der Karte.",
            key="kn_directory",
        )
    st.button("Filter zurücksetzen", on_click=reset_filters, key="kn_reset")
    arrangement = st.radio(
        "Anordnung",
        list(LAYOUTS),
        help="Karte: Kommunen nach ihrer Lage, alles andere daneben. Netz: nach Verbindungen "
        f"angeordnet (bis {format_int(view.PHYSICS_LIMIT)} Knoten). Automatisch: Netz für "
        f"kleine Ansichten (bis {format_int(view.PHYSICS_MAX_NODES)} Knoten), sonst Karte.",
        key="kn_layout",
    )

flt = explore.ViewFilter(
    labels=frozenset(labels),
    states=frozenset(states),
    topics=frozenset(topics),
    programmes=frozenset(programmes),
    staffeln=frozenset(explore.parse_staffel(v) for v in staffeln),
    years=years,
    members_only=members_only,
    whole_directory=whole_directory,
)

# -- search ---------------------------------------------------------------------------

st.markdown(
    "Suchen Sie eine Kommune, Organisation oder ein Projekt, um seine Umgebung im "
    "Netzwerk zu sehen. Die Grafik zeigt Kommunen nach ihrer Lage; unter der Grafik stehen "
    "dieselben Angaben als Tabellen."
)
with st.form("kn_search", border=False):
    col_q, col_go = st.columns([4, 1], vertical_alignment="bottom")
    query = col_q.text_input(
        "Suche nach Name oder AGS", placeholder="z. B. Düren oder 05358008", key="kn_query"
    )
    searched = col_go.form_submit_button("Suchen", width="stretch")
if searched and query.strip():
    try:
        hit = resolve(get_store().search(query, explore.VIEW_LABELS), query, "Treffer")
    except Ambiguous as exc:
        st.session_state[CANDIDATES] = [f"{label}:{key}" for label, key in exc.candidates]
    except NotFound as exc:
        st.session_state[CANDIDATES] = []
        st.warning(md(exc))
    else:
        if explore.has(g, hit.id) or not stand:
            set_focus(hit.id)
        else:
            st.session_state[OUTSIDE] = hit.id

candidates = [c for c in st.session_state.get(CANDIDATES, []) if explore.has(g, c)]
if candidates:
    pick = st.selectbox(
        f"Mehrere Treffer für „{md(query)}“ – bitte wählen",
        candidates,
        format_func=lambda nid: explore.describe(g, nid),
        key="kn_pick",
    )
    st.button("Anzeigen", on_click=set_focus, args=(pick,))

outside = st.session_state.pop(OUTSIDE, None)
if outside is not None and explore.has(loaded().graph, outside):
    # found, but not part of the network as of the Stand: never a silent "whole network"
    st.warning(
        f"„{md(explore.describe(loaded().graph, outside))}“ gehört zum {stand_name(stand)} "
        "nicht zum Netzwerk: es ist beendet oder hatte noch nicht begonnen."
    )
    st.button("Alle Zeiten zeigen", key="kn_all_times", on_click=show_all_times, args=(outside,))

focus = st.session_state[FOCUS]
if explore.has(g, focus):
    col_f, col_d, col_x = st.columns([3, 2, 2], vertical_alignment="bottom")
    col_f.markdown(f"**Umgebung von:** {md(explore.describe(g, focus))}")
    depth = col_d.radio(
        "Tiefe der Umgebung",
        [1, 2, 3],
        horizontal=True,
        key=DEPTH,
        help="1 = direkt verbunden, 2 = auch deren Verbindungen, 3 = noch eine Stufe weiter",
    )
    col_x.button("Ganzes Netzwerk zeigen", on_click=set_focus, args=(None,))
else:
    focus, depth = None, 1

# -- the view -------------------------------------------------------------------------

current = views.shown(data, flt, focus, int(depth))
shown, background = current.view, current.background
n_nodes, n_edges = shown.node_count, shown.edge_count
st.subheader(md(shown.title), anchor=False)
active = flt.lines(g)
if active:
    col_a, col_r = st.columns([5, 1], vertical_alignment="center")
    col_a.info("**Filter aktiv:** " + " · ".join(md(line) for line in active))
    col_r.button("Filter zurücksetzen", on_click=reset_filters, key="kn_reset_main")
if shown.selected is not None:
    st.info(
        f"Die Auswahl umfasst {format_int(shown.selected)} Knoten – zu viele für ein lesbares "
        f"Bild. Gezeigt werden die {format_int(explore.MAX_SHOWN)} wichtigsten (Netzwerke, "
        "Länder, Kommunen und Organisationen mit den meisten Verbindungen zuerst). Suchen Sie "
        "eine Kommune oder setzen Sie Filter, um alles Übrige zu sehen."
    )
c1, c2, c3 = st.columns(3)
c1.metric("Knoten", format_int(n_nodes))
c2.metric("Beziehungen", format_int(n_edges))
c3.metric("Kommunen", format_int(shown.count("Municipality")))

# what changed between the two dates of "Was sich geändert hat" (below), marked here
since = str(st.session_state.get("kn_von") or "").strip()
until = str(st.session_state.get("kn_bis") or "").strip()
marked: dict[str, str] = {}
if since and until:
    with contextlib.suppress(QueryError):  # its message stands at the two fields
        marked = explore.changed_nodes(loaded().graph, since, until)
    marked = {n: how for n, how in marked.items() if n in shown.graph and n not in background}
    if marked:
        st.info(
            f"**Markiert:** {format_int(len(marked))} Einträge dieser Ansicht, die zwischen "
            f"{md(since)} und {md(until)} begonnen oder geendet haben – „[neu]“ grün, "
            "„[beendet]“ rot umrandet. Die Liste steht unter „Was sich geändert hat“."
        )

if n_nodes == 0:
    st.info("Keine Einträge passen zu diesen Filtern. Setzen Sie die Filter zurück.")
else:
    payload, view_key = current.drawing(LAYOUTS[arrangement], marked)
    click = graph_view(
        payload,
        view_key,
        key="explorer",
        height=GRAPH_HEIGHT,
        summary=view.summary_line(shown.graph),
        label=f"Netzwerkgrafik: {shown.title}, {format_int(n_nodes)} Knoten, "
        f"{format_int(n_edges)} Beziehungen. Textfassung unter der Grafik.",
    )
    if click is not None:
        st.session_state["kn_detail"] = click.node
        if click.action == "focus":
            set_focus(click.node)
            st.rerun()
    st.html(view.legend_html(shown.types))

    def standalone_html() -> str:
        return view.render_html(
            shown.graph,
            title=f"kommunetz – {shown.title}",
            focus=shown.focus,
            positions=data.positions,
            background=background,
            physics=LAYOUTS[arrangement],
            tables=True,
        )

    d1, d2 = st.columns(2)
    d1.download_button(
        "Ansicht als HTML herunterladen",
        standalone_html,
        file_name=file_name(shown.title, "html"),
        mime="text/html",
        on_click="ignore",
    )
    d2.download_button(
        "Ansicht als GraphML herunterladen",
        lambda: export_bytes(shown.graph, "graphml", stand=stand or None),
        file_name=file_name(shown.title, "graphml"),
        mime="application/graphml+xml",
        on_click="ignore",
    )

on_map = None
if n_nodes and st.toggle("Als Karte zeigen", key="kn_als_karte"):
    on_map = karte.view_map(data, shown.graph, shown.title, key="kn_karte")

# -- details --------------------------------------------------------------------------


def related_line(r: Related) -> str:
    arrow = (
        f"{md(r.relation)} → **{md(r.name)}**"
        if r.outgoing
        else f"**{md(r.name)}** → {md(r.relation)}"
    )
    bits = [md(r.type_name)]
    if r.details:
        bits.append(md(r.details))
    bits += [f"*{md(f)}*" for f in r.flags]
    return f"- {arrow} ({', '.join(bits)})"


def show_details(d: Details) -> None:
    marks = " ".join(f":orange-badge[{md(f)}]" for f in d.flags)
    st.markdown(f"### {md(d.name)}\n{md(d.type_name)} · {md(d.kind)} {marks}")
    if d.flags or d.note:
        st.warning(
            "Diese Angabe ist "
            + (" und ".join(md(f) for f in d.flags) or "mit einem Hinweis versehen")
            + (f": {md(d.note)}" if d.note else ".")
        )
    if d.facts:
        st.markdown("\n".join(f"- **{md(label)}:** {md(value)}" for label, value in d.facts))
    if d.websites:
        st.markdown("**Im Netz:** " + " · ".join(md_link(w.title, w.url) for w in d.websites))
    for heading, items in d.sections:
        st.markdown(
            f"**{md(heading)}** ({len(items)})\n" + "\n".join(related_line(r) for r in items)
        )
    if d.not_in_network:
        st.caption(
            f"Dazu {format_int(d.not_in_network)} weitere Kommunen des Gemeindeverzeichnisses "
            "ohne Beteiligung am Netzwerk (nicht einzeln aufgeführt)."
        )
    if d.sources:
        lines = [f"- {source_md(s.title, s.url, s.note)}" for s in d.sources]
        st.markdown("**Quellen**\n" + "\n".join(lines))
    if d.unknown_sources:
        st.caption("Unbekannte Quellenkennungen: " + md(", ".join(d.unknown_sources)))


st.subheader("Details", anchor=False)
st.caption("Klicken Sie in der Grafik auf einen Knoten oder wählen Sie ihn hier aus.")
options = current.choices()[:MAX_DETAIL_CHOICES]
picked = st.session_state.get("kn_detail")
if isinstance(picked, str) and picked in shown.graph and picked not in options:
    options.append(picked)  # a clicked background municipality has details too
if on_map in options:
    st.session_state["kn_detail"] = on_map
elif on_map is not None and explore.has(g, on_map):
    st.button(
        f"Umgebung von {md(explore.describe(g, on_map))} zeigen", on_click=set_focus, args=(on_map,)
    )
if st.session_state.get("kn_detail") not in options:
    st.session_state["kn_detail"] = shown.focus if shown.focus in options else None
chosen_node = st.selectbox(
    "Eintrag auswählen",
    options,
    format_func=lambda nid: explore.describe(g, nid),
    index=None,
    placeholder="– Eintrag aus der aktuellen Ansicht wählen –",
    key="kn_detail",
)
if chosen_node is not None:
    info = details(g, idx, chosen_node)
    if info is not None:
        if chosen_node != shown.focus:
            st.button("Umgebung im Netzwerk zeigen", on_click=set_focus, args=(chosen_node,))
        show_details(info)

# -- text equivalent ------------------------------------------------------------------

st.subheader("Textfassung", anchor=False)
st.caption(
    f"Dieselben {format_int(n_nodes)} Knoten und {format_int(n_edges)} Beziehungen wie in "
    "der Grafik, als Tabellen."
)
# Sent only when opened: at Germany scale the two tables were 600 KB of a new session's
# 1.6 MB, for a part of the page most visitors never open. The label stays the same for
# every view (it is part of the expander's identity), so it stays open across filters.
text_part = st.expander("Tabellen anzeigen", key=TEXT_TABLES, on_change="rerun")
if text_part.open:
    with text_part:
        tab_nodes, tab_edges = st.tabs(
            [f"Knoten ({format_int(n_nodes)})", f"Beziehungen ({format_int(n_edges)})"]
        )
        with tab_nodes:
            st.dataframe(current.node_table(), hide_index=True, width="stretch")
        with tab_edges:
            st.dataframe(current.relation_table(), hide_index=True, width="stretch")

# -- what changed ---------------------------------------------------------------------

st.subheader("Was sich geändert hat", anchor=False)
st.caption(
    "Mitgliedschaften, Programmteilnahmen, Projekte und Kooperationen, die zwischen zwei "
    "Daten begonnen oder geendet haben (nach ihren Daten; ein unbekanntes Ende gilt als "
    "nicht beendet). Die Grafik oben markiert sie."
)
c1, c2 = st.columns(2)
since = c1.text_input("Von (Datum oder Jahr)", placeholder="z. B. 2022", key="kn_von")
until = c2.text_input("Bis (Datum oder Jahr)", placeholder="z. B. 2024", key="kn_bis")
if since and until:
    try:
        changed = explore.change_rows(loaded().graph, since, until)
    except QueryError as exc:
        st.error(str(exc))
    else:
        if changed:
            st.dataframe(changed, hide_index=True, width="stretch")
        else:
            st.markdown("Keine Änderungen.")
