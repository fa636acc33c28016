"""Datenquellen und Lizenzen: where every fact comes from, and the attribution the
Destatis licence (dl-de/by-2-0) requires."""

from __future__ import annotations

import streamlit as st

from graph.present.details import safe_url
from graph.present.sources import destatis_editions, source_table
from graph.present.text import format_int
from kommunetz.safe_text import md, source_md
from kommunetz.ui import get_store

st.title("Datenquellen und Lizenzen", anchor=False)
store = get_store()

st.header("Kuratierte Daten", anchor=False)
st.markdown(
    "Die Angaben zum Pilotvorhaben *Modellkommune E-Government* (2014–2016), zu den "
    "Modellkommunen, Projekten, Veranstaltungen, Berichten, Kooperationen und Erkenntnissen "
    "stammen aus öffentlich zugänglichen Quellen. Jede Angabe nennt ihre Quellen; die "
    "Beschreibungen sind eigene Zusammenfassungen. Unsichere Angaben sind gekennzeichnet."
)

editions = destatis_editions(store)
st.header("Amtliches Gemeindeverzeichnis", anchor=False)
if editions:
    for edition in editions:
        st.markdown(
            f"Datenquelle: {edition['publisher']}, Gemeindeverzeichnis-Informationssystem "
            f"GV-ISys ({edition['title']}), {edition['licence']} "
            "([https://www.govdata.de/dl-de/by-2-0](https://www.govdata.de/dl-de/by-2-0)); "
            f"[{edition['url']}]({edition['url']}) – Daten umstrukturiert (eigene "
            "Aufbereitung: nur Gemeinden und Kreise, Namen ohne Zusatz)."
        )
else:
    st.markdown(
        "Das Gemeindeverzeichnis ist noch nicht geladen. Es steht unter der "
        "Datenlizenz Deutschland – Namensnennung – Version 2.0 beim Statistischen "
        "Bundesamt zum Download bereit (siehe README)."
    )

st.header("Alle Quellen", anchor=False)
table = source_table(store)
st.caption(f"{format_int(len(table))} Quellen")
# a table of text, not a data grid: every title readable in full and linked the way every
# page shows a source (title + link), read by screen readers like any table
st.table(
    [
        {
            "Quelle": source_md(row["Titel"], safe_url(row["Adresse"])),
            "Herausgeber": md(row["Herausgeber"]),
            "Kennung": md(row["Id"]),
        }
        for row in table
    ],
    hide_index=True,
    alt=f"Alle Quellen: {len(table)} Einträge",
)

st.header("Software", anchor=False)
st.markdown(
    "kommunetz ist freie Software unter der European Union Public Licence (EUPL 1.2). "
    "Die Anwendung lädt keine Inhalte von fremden Servern und erhebt keine Nutzungsdaten."
)
