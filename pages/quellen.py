"""Datenquellen und Lizenzen: where every fact comes from, and the attribution the
Destatis licence (dl-de/by-2-0) requires."""

from __future__ import annotations

import streamlit as st

from graph.present.sources import destatis_editions, source_table
from graph.present.text import format_int
from kommunetz.ui import get_store

st.title("Datenquellen und Lizenzen")
store = get_store()

st.header("Kuratierte Daten")
st.markdown(
    "Die Angaben zum Pilotvorhaben *Modellkommune E-Government* (2014–2016), zu den "
    "Modellkommunen, Projekten, Veranstaltungen, Berichten, Kooperationen und Erkenntnissen "
    "stammen aus öffentlich zugänglichen Quellen. Jede Angabe nennt ihre Quellen; die "
    "Beschreibungen sind eigene Zusammenfassungen. Unsichere Angaben sind gekennzeichnet."
)

editions = destatis_editions(store)
st.header("Amtliches Gemeindeverzeichnis")
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

st.header("Alle Quellen")
table = source_table(store)
st.caption(f"{format_int(len(table))} Quellen")
st.dataframe(
    table,
    hide_index=True,
    use_container_width=True,
    column_config={"Adresse": st.column_config.LinkColumn("Adresse")},
)

st.header("Software")
st.markdown(
    "kommunetz ist freie Software unter der European Union Public Licence (EUPL 1.2). "
    "Die Anwendung lädt keine Inhalte von fremden Servern und erhebt keine Nutzungsdaten."
)
