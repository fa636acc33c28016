"""The map as the pages show it (the Karte page, the explorer's map view, answers of the
Abfragen page): the boundaries read once per process, the figures once per data version,
the chart drawn through Streamlit's own Vega-Lite element, a click turned into a node id.
What is drawn is computed in `graph.present.map`; this module only caches and shows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st

from graph.present import map as gmap
from graph.present.geofigures import MapFigures, map_figures, place_ids_of
from graph.questions.answer import Answer
from kommunetz.safe_text import md
from kommunetz.ui import Loaded

GEO = Path(__file__).resolve().parents[1] / "data" / "geo"
BOUNDARIES = GEO / "vg5000_2021_laender_kreise.topo.json"
REPORT = GEO / "abweichungen.json"
MAP_PAGE = "pages/karte.py"
#: Session keys: what the Abfragen page hands to the map, and the explorer's focus.
HIGHLIGHT = "karte_hervorheben"
EXPLORER_FOCUS, EXPLORER_DETAIL = "kn_focus", "kn_detail"


@cache
def boundaries() -> dict[str, Any]:
    """The shipped Länder and Kreise (one topology; read once per process, never changed)."""
    return dict(json.loads(BOUNDARIES.read_text(encoding="utf-8")))


@cache
def boundary_report() -> dict[str, Any]:
    """``data/geo/abweichungen.json``: the boundaries against the directory of 2024."""
    return dict(json.loads(REPORT.read_text(encoding="utf-8")))


@st.cache_resource(show_spinner=False, max_entries=4)
def _figures(version: int, stand: str, _data: Loaded) -> MapFigures:
    return map_figures(_data.graph)


def figures(data: Loaded) -> MapFigures:
    """The map figures of the loaded graph (computed once per data version and Stand)."""
    return _figures(data.version, data.stand, data)


@dataclass(frozen=True)
class Drawn:
    """A drawn map: its specification (for the downloads), its table rows, the clicked node."""

    spec: dict[str, Any]
    rows: list[dict[str, Any]]
    clicked: str | None


# a resource, not cache_data: unpickling 2 MB of spec on every rerun costs ~0.4 s;
# st.vega_lite_chart copies the dict before it takes the tabular datasets out
@st.cache_resource(show_spinner=False, max_entries=16)
def _spec(version: int, stand: str, choice: gmap.MapChoice, _data: Loaded) -> dict[str, Any]:
    return gmap.spec(boundaries(), figures(_data), choice, no_value(_data))


def no_value(data: Loaded) -> set[str]:
    """Areas of the boundaries shown without a value (not in the directory)."""
    return {e["key"] for e in differences(data).no_figures}


def differences(data: Loaded) -> gmap.Differences:
    return gmap.differences(boundaries(), figures(data), boundary_report())


def draw(data: Loaded, choice: gmap.MapChoice, key: str) -> Drawn:
    """Draw the map with its attribution; return what was drawn and what was clicked."""
    spec = _spec(data.version, data.stand, choice, data)
    event = st.vega_lite_chart(
        spec,
        on_select="rerun",
        selection_mode=gmap.params_in(spec),
        key=key,
        width="content",
        theme=None,
        alt=f"Karte: {choice.title}. Dieselben Zahlen stehen in der Tabelle unter der Karte.",
    )
    attribution()
    rows = gmap.area_rows(boundaries(), figures(data), choice, no_value(data))
    return Drawn(spec, rows, gmap.selected(event))


def attribution() -> None:
    st.markdown(
        f"Karte: [{md(gmap.ATTRIBUTION)}]({gmap.ATTRIBUTION_URL}) · {md(gmap.POINTS_SOURCE)}",
        help="Verwaltungsgrenzen 1:5 000 000 (VG5000), Stand 01.01.2021, vereinfacht; "
        "Punkte: Koordinaten des Gemeindeverzeichnisses.",
    )


def open_in_explorer(nid: str) -> None:
    """Show ``nid`` with its details and neighbourhood in the explorer."""
    st.session_state[EXPLORER_FOCUS] = nid
    st.session_state[EXPLORER_DETAIL] = nid
    st.switch_page("pages/netzwerk.py", query_params={"fokus": nid})


def highlight_of(answer: Answer) -> tuple[str, tuple[str, ...]]:
    """The title and the places of an answer for the map (its subject not counted)."""
    subject = getattr(answer, "actor", None) or getattr(answer, "target", None)
    ids = place_ids_of(answer.view_graph())
    if subject is not None:
        ids = [i for i in ids if i != subject.id]
    return answer.lines()[0], tuple(ids)


def show_on_map_button(answer: Answer, key: str) -> None:
    """A button under an answer that opens the map with the answer's places marked."""
    title, ids = highlight_of(answer)
    if not ids:
        return
    if st.button(f"Auf der Karte zeigen ({len(ids)} Kommunen)", key=f"map-{key}"):
        st.session_state[HIGHLIGHT] = (title, ids)
        st.switch_page(MAP_PAGE)


def view_map(data: Loaded, view: Any, title: str, key: str) -> str | None:
    """The explorer's map view: the Kreise by members, the view's municipalities marked;
    returns the node id of a new click (None if nothing new was clicked)."""
    ids = tuple(place_ids_of(view))
    choice = gmap.MapChoice(highlight=ids, highlight_title="in dieser Ansicht", stand=data.stand)
    st.caption(
        f"{md(title)}: die Kommunen der Ansicht schwarz markiert, die Kreise nach der Zahl "
        "ihrer Mitglieder; alle Kennzahlen und die Tabelle auf der Seite „Karte“."
    )
    clicked = draw(data, choice, key=key).clicked
    last = f"{key}_zuletzt"
    if clicked == st.session_state.get(last):
        return None
    st.session_state[last] = clicked
    return clicked
