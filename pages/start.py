"""Start: what the network is and where it comes from, its key figures, its members, and
an invitation to join."""

from __future__ import annotations

import streamlit as st

from graph.present import explore
from graph.present.text import format_int, format_period
from kommunetz.safe_text import md
from kommunetz.ui import loaded

st.title("kommunetz – Netzwerk kommunales E-Government", anchor=False)

data = loaded()
g, idx = data.graph, data.index
if explore.is_empty(g):
    st.info("Die Datenbank ist leer. Laden Sie die Daten mit `kommunetz load`.")
    st.stop()

st.markdown(
    "kommunetz zeigt, wer im kommunalen E-Government mit wem zusammenarbeitet: Städte, "
    "Gemeinden und Landkreise, ihre Projekte, Veranstaltungen und Partner. Den Anfang "
    "machte das Pilotvorhaben **Modellkommune E-Government** (2014–2016) des "
    "Bundesministeriums des Innern mit dem Deutschen Städtetag, dem Deutschen Landkreistag "
    "und dem Deutschen Städte- und Gemeindebund: acht Modellkommunen erprobten, was das "
    "E-Government-Gesetz für Kommunen leisten kann. Aus ihm ging ein offenes Netzwerk "
    "hervor, das weitere Kommunen zum Mitmachen einlädt."
)

figures = explore.key_figures(g, idx)
cols = st.columns(4)
cols[0].metric(
    "Mitglieder",
    format_int(figures.members),
    help="Kommunen und Organisationen, die Mitglied eines Netzwerks sind – direkt oder "
    "über eine Organisation, die Mitglied ist (etwa eine Bewerbergemeinschaft)",
)
cols[1].metric(
    "Länder", format_int(figures.member_states), help="Länder, in denen Mitglieder liegen"
)
cols[2].metric("Projekte", format_int(figures.counts.get("Project", 0)))
cols[3].metric("Veranstaltungen", format_int(figures.counts.get("Workshop", 0)))
cols = st.columns(4)
cols[0].metric("Netzwerke", format_int(figures.networks))
cols[1].metric("Organisationen", format_int(figures.counts.get("Organisation", 0)))
cols[2].metric("Kooperationen", format_int(figures.counts.get("Cooperation", 0)))
cols[3].metric("Themen", format_int(figures.counts.get("Topic", 0)))

st.header("Woher das Netzwerk kommt", anchor=False)
for nid, attrs in explore.networks(g):
    period = format_period(attrs.get("start"), attrs.get("end"))
    heading = md(attrs.get("name", nid)) + (f" ({md(period)})" if period else "")
    st.subheader(heading, anchor=False)
    if attrs.get("summary"):
        st.markdown(md(attrs["summary"]))

programmes = explore.programme_figures(g)
if programmes:
    st.header("Förderprogramme", anchor=False)
    st.markdown(
        "Seit 2018 fördern Bund und Länder kommunale Digitalisierung in eigenen Programmen. "
        "Ihre Modellprojekte zeigen, wer heute woran arbeitet – gute Partner für alle, die "
        "anfangen."
    )
    pcols = st.columns(len(programmes))
    for col, p in zip(pcols, programmes, strict=True):
        col.metric(
            md(p.name),
            format_int(p.participants),
            help=(
                f"Modellprojekte{', ' + p.staffel_text if p.staffel_text else ''}; "
                f"{format_int(p.koerperschaften)} beteiligte Kommunen, Gemeindeverbände, Kreise "
                f"und Organisationen" + (f"; {p.period}" if p.period else "")
            ),
        )
        if p.staffel_text:
            col.caption(md(p.staffel_text))
    st.subheader("Im Lauf der Jahre", anchor=False)
    rows = explore.timeline_rows(g)
    st.bar_chart(rows, x="Jahr", y=["Mitglieder", "Modellprojekte"], stack=False)
    st.caption(
        "Mitglieder von Netzwerken und Modellprojekte der Förderprogramme je Jahr, nach den "
        "Daten der Mitgliedschaften und Teilnahmen; ein unbekanntes Ende gilt als nicht "
        "beendet."
    )

st.header("Mitglieder", anchor=False)
members = explore.members(g)
if not members:
    st.markdown("Noch keine Mitglieder erfasst.")
current = None
lines: list[str] = []
for m in members:
    if m.network.id != current:
        if lines:
            st.markdown("\n".join(lines))
            lines = []
        current = m.network.id
        st.subheader(md(m.network.name), anchor=False)
    extra = ", ".join(md(x) for x in explore.member_facts(m))
    lines.append(f"- **{md(m.actor.name)}** ({extra})")
if lines:
    st.markdown("\n".join(lines))

st.header("Mitmachen", anchor=False)
st.markdown(
    "Ihre Stadt, Gemeinde oder Ihr Landkreis arbeitet an E-Government-Projekten und möchte "
    "sich mit anderen austauschen? Das Netzwerk ist offen für alle Kommunen. Melden Sie "
    "Ihre Kommune an – die Koordination prüft die Anmeldung und nimmt Sie auf."
)
st.page_link("pages/mitmachen.py", label="Jetzt mitmachen: Kommune anmelden", icon="➡️")
st.page_link("pages/netzwerk.py", label="Netzwerk erkunden", icon="🔎")
