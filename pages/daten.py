"""Offene Daten: the public graph as downloadable files (CSV, JSON-LD, GraphML, GEXF,
GeoJSON) with their DCAT-AP.de metadata — what `kommunetz publish` writes."""

from __future__ import annotations

from datetime import date

import streamlit as st

from graph.core.errors import InvalidInput
from graph.present.dcat import (
    LICENCE_NAME,
    LICENCE_TEXT_URL,
    SETTING_NAMES,
    Publisher,
)
from graph.present.publish import CATALOG_JSONLD, CATALOG_TURTLE, Publication, publication, today
from graph.present.text import format_date, format_int
from graph.stores.open import StoreSettings
from kommunetz.safe_text import md
from kommunetz.ui import get_store, secret, settings

st.title("Offene Daten", anchor=False)
store = get_store()

st.markdown(
    "Der öffentliche Teil des Wissensgraphen steht hier als offene Daten bereit – in "
    "Formaten, die übliche Werkzeuge direkt lesen: Tabellen (CSV) für die "
    "Tabellenkalkulation, GraphML und GEXF für Netzwerkanalyse (yEd, Gephi, igraph), "
    "JSON-LD für RDF-Werkzeuge und GeoJSON für Karten (QGIS). Die Metadaten folgen "
    "DCAT-AP.de 2.0, dem Standard, den GovData einsammelt. **Kontaktdaten und Anmeldungen "
    "sind in keiner Datei enthalten.**"
)

try:
    publisher = Publisher.from_mapping({n: v for n in SETTING_NAMES if (v := secret(n))})
except InvalidInput as exc:
    st.error(f"Die Einstellungen der Veröffentlichung sind fehlerhaft: {exc}")
    st.stop()


@st.cache_resource(show_spinner="Die Dateien werden erstellt …", max_entries=2)
def _publication(where: StoreSettings, version: int, who: Publisher, as_of: date) -> Publication:
    # one per store (where), data version, publisher and day, shared by all sessions
    return publication(get_store().graph(), who, as_of)


pub = _publication(settings(), store.version(), publisher, today())


def size(n: int) -> str:
    return f"{format_int(n)} Bytes"


st.header("Lizenz und Namensnennung", anchor=False)
attributions = sorted({a for f in pub.distributions for a in f.attributions})
st.markdown(
    f"Alle Dateien stehen unter der {md(LICENCE_NAME)} "
    f"([{md(LICENCE_TEXT_URL)}]({LICENCE_TEXT_URL})). Wer sie weitergibt oder verwendet, "
    "nennt die Quellen so:"
)
st.markdown("\n".join(f"* {md(a)}" for a in attributions))
st.caption(f"Stand: {format_date(pub.as_of.isoformat())}")

st.header("Dateien", anchor=False)
rows = [
    {
        "Datei": md(f.name),
        "Inhalt": md(f.title),
        "Format": md(f.kind.label),
        "Größe": md(size(f.size)),
    }
    for f in pub.distributions
]
st.table(rows, hide_index=True)
for f in pub.distributions:
    st.download_button(
        f"{f.name} herunterladen ({f.kind.label}, {size(f.size)})",
        f.content,
        file_name=f.name,
        mime=f.kind.media_type,
        on_click="ignore",
        key=f"download-{f.name}",
    )

st.subheader("Prüfsummen", anchor=False)
st.markdown(
    "Mit der SHA-256-Prüfsumme lässt sich prüfen, ob eine Datei vollständig und "
    "unverändert angekommen ist."
)
# a list, not a table: a 64-character checksum would be cut off in a table column
st.markdown("\n".join(f"* {md(f.name)}: `{f.sha256}`" for f in pub.distributions))

st.header("Metadaten (DCAT-AP.de 2.0)", anchor=False)
st.markdown(
    "Der Katalog beschreibt jede Datei mit Format, Medientyp, Größe, SHA-256-Prüfsumme, "
    "Lizenz und Namensnennung, dazu Herausgeber, Kontakt (ein Funktionspostfach, keine "
    "Person), Themen (Regierung und öffentlicher Sektor; Regionen und Städte), räumliche "
    "Abdeckung (Deutschland, die Länder als politische Geokodierung) und Zeitraum."
)
meta = {f.name: f for f in pub.files}
st.table(
    [
        {"Angabe": "Herausgeber", "Wert": md(publisher.name)},
        {"Angabe": "Kontakt", "Wert": md(publisher.email or publisher.homepage or "–")},
        {
            "Angabe": "Adresse der Dateien",
            "Wert": md(publisher.base if publisher.located else "nicht festgelegt"),
        },
        {"Angabe": "Datenbereitsteller-ID (GovData)", "Wert": md(publisher.contributor_id or "–")},
    ],
    hide_index=True,
)
for notice in publisher.notices():
    st.info(notice)
for name in (CATALOG_TURTLE, CATALOG_JSONLD):
    f = meta[name]
    st.download_button(
        f"{name} herunterladen ({f.kind.label}, {size(f.size)})",
        f.content,
        file_name=name,
        mime=f.kind.media_type,
        on_click="ignore",
        key=f"download-{name}",
    )

st.header("Selbst veröffentlichen", anchor=False)
st.markdown(
    "Dieselben Dateien schreibt der Befehl `kommunetz publish ORDNER`; den Ordner stellt "
    "man unter der Adresse aus `KOMMUNETZ_PUBLISH_URL` ins Netz, dann kann GovData (oder "
    "ein Landesportal) den Katalog `catalog.ttl` einsammeln. Die Einstellungen "
    "`KOMMUNETZ_PUBLISHER_NAME`, `KOMMUNETZ_PUBLISHER_URL`, `KOMMUNETZ_PUBLISHER_EMAIL` und "
    "`KOMMUNETZ_PUBLISHER_CONTRIBUTOR_ID` beschreibt die README."
)
