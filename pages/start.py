"""Start: what the network is, and its key figures."""

from __future__ import annotations

import streamlit as st

from graph.model import NODE_TYPES
from kommunetz.ui import fmt_int, get_store

st.title("kommunetz – Netzwerk kommunales E-Government")
stats = get_store().stats()
if not stats.nodes:
    st.info("Die Datenbank ist leer. Laden Sie die Daten mit `kommunetz load`.")
    st.stop()
cols = st.columns(4)
for col, label in zip(cols, ("Municipality", "Project", "Workshop", "Organisation"), strict=True):
    col.metric(NODE_TYPES[label].plural, fmt_int(stats.nodes.get(label, 0)))
