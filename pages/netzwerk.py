"""Netzwerk erkunden: the network as a picture and as tables, filtered, searched, and
around one node; with a details panel and downloads of the current view."""

from __future__ import annotations

import streamlit as st

from graph.core.errors import Ambiguous, NotFound
from graph.core.search import resolve
from graph.present import explore, view
from graph.present.details import Details, Related, details
from graph.present.export import export_bytes
from graph.present.text import format_int, type_name
from kommunetz.safe_text import md, md_link
from kommunetz.ui import get_store, loaded

GRAPH_HEIGHT = 620
MAX_DETAIL_CHOICES = 3000

FOCUS, DEPTH, CANDIDATES = "kn_focus", "kn_depth", "kn_candidates"
FILTER_KEYS = ("kn_labels", "kn_states", "kn_topics", "kn_years", "kn_members", "kn_directory")
#: Layout choices: None = by size (force layout for small views, map for large ones).
LAYOUTS: dict[str, bool | None] = {
    "automatisch": None,
    "Karte (Kommunen nach Lage)": False,
    "Netz (nach Verbindungen)": True,
}

data = loaded()
g, idx = data.graph, data.index

st.title("Netzwerk erkunden")
if explore.is_empty(g):
    st.info("Die Datenbank ist leer. Laden Sie die Daten mit `kommunetz load`.")
    st.stop()

if FOCUS not in st.session_state:
    wanted = st.query_params.get("fokus")
    st.session_state[FOCUS] = wanted if explore.has(g, wanted) else None
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


def reset_filters() -> None:
    for key in FILTER_KEYS:
        st.session_state.pop(key, None)


# -- filters (sidebar) ----------------------------------------------------------------

choices = explore.filter_choices(g, idx)
state_names = dict(choices["states"])
topic_names = dict(choices["topics"])
with st.sidebar:
    st.header("Filter")
    labels = st.multiselect(
        "Knotentypen",
        explore.VIEW_LABELS,
        default=list(explore.VIEW_LABELS),
        format_func=lambda label: type_name(label, plural=True),
        key="kn_labels",
    )
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
    years = None
    if idx.year_range is not None:
        first, last = idx.year_range
        chosen = st.slider(
            "Zeitraum",
            min_value=first,
            max_value=last,
            value=(first, last),
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
    st.button("Filter zurücksetzen", on_click=reset_filters)
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
        set_focus(hit.id)

candidates = [c for c in st.session_state.get(CANDIDATES, []) if explore.has(g, c)]
if candidates:
    pick = st.selectbox(
        f"Mehrere Treffer für „{md(query)}“ – bitte wählen",
        candidates,
        format_func=lambda nid: explore.describe(g, nid),
        key="kn_pick",
    )
    st.button("Anzeigen", on_click=set_focus, args=(pick,))

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

shown = explore.build_view(g, idx, flt, focus, int(depth))
n_nodes, n_edges = shown.node_count, shown.edge_count
st.subheader(md(shown.title))
c1, c2, c3 = st.columns(3)
c1.metric("Knoten", format_int(n_nodes))
c2.metric("Beziehungen", format_int(n_edges))
c3.metric("Kommunen", format_int(shown.count("Municipality")))

background = explore.background(shown.graph, idx)
if n_nodes == 0:
    st.info("Keine Einträge passen zu diesen Filtern. Setzen Sie die Filter zurück.")
else:
    st.iframe(
        view.render_html(
            shown.graph,
            height=f"{GRAPH_HEIGHT}px",
            focus=shown.focus,
            positions=data.positions,
            background=background,
            physics=LAYOUTS[arrangement],
            legend=False,
            standalone=False,
        ),
        height=GRAPH_HEIGHT + 70,
        tab_index=0,
        alt=f"Netzwerkgrafik: {shown.title}, {format_int(n_nodes)} Knoten, "
        f"{format_int(n_edges)} Beziehungen. Textfassung unter der Grafik.",
    )
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
        file_name="kommunetz-ansicht.html",
        mime="text/html",
        on_click="ignore",
    )
    d2.download_button(
        "Ansicht als GraphML herunterladen",
        lambda: export_bytes(shown.graph, "graphml"),
        file_name="kommunetz-ansicht.graphml",
        mime="application/graphml+xml",
        on_click="ignore",
    )

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
        lines = [
            f"- {md_link(s.title, s.url) if s.url else md(s.title)}"
            + (f" – {md(s.note)}" if s.note else "")
            for s in d.sources
        ]
        st.markdown("**Quellen**\n" + "\n".join(lines))
    if d.unknown_sources:
        st.caption("Unbekannte Quellenkennungen: " + md(", ".join(d.unknown_sources)))


st.subheader("Details")
options = [n for n in explore.sorted_nodes(shown.graph) if n not in background]
if len(options) > MAX_DETAIL_CHOICES:
    options = options[:MAX_DETAIL_CHOICES]
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

st.subheader("Textfassung")
st.caption("Dieselben Knoten und Beziehungen wie in der Grafik, als Tabellen.")
tab_nodes, tab_edges = st.tabs(
    [f"Knoten ({format_int(n_nodes)})", f"Beziehungen ({format_int(n_edges)})"]
)
with tab_nodes:
    st.dataframe(explore.node_rows(shown.graph), hide_index=True, width="stretch")
with tab_edges:
    st.dataframe(explore.relation_rows(shown.graph), hide_index=True, width="stretch")
