"""kommunetz — the Streamlit app. Start with `make run`.

This file only sets up the page and the navigation; every page lives in ``pages/`` and
reads the graph through ``graph/`` (via `kommunetz.ui`)."""

from __future__ import annotations

import streamlit as st

from kommunetz.ui import try_store

st.set_page_config(page_title="kommunetz – Netzwerk kommunales E-Government", layout="wide")

PAGES = {
    "Netzwerk": [
        st.Page("pages/start.py", title="Start", default=True),
        st.Page("pages/netzwerk.py", title="Netzwerk erkunden", url_path="netzwerk"),
        st.Page("pages/abfragen.py", title="Abfragen", url_path="abfragen"),
    ],
    "Mitmachen": [
        st.Page("pages/mitmachen.py", title="Mitmachen", url_path="mitmachen"),
        st.Page("pages/verwaltung.py", title="Verwaltung", url_path="verwaltung"),
    ],
    "Über": [
        st.Page("pages/quellen.py", title="Datenquellen und Lizenzen", url_path="quellen"),
    ],
}

navigation = st.navigation(PAGES)
navigation.run()
# after the page, and without stopping: the Mitmachen form works while the store is down
store = try_store()
if store is not None:
    st.caption(f"Datenbank: {'Neo4j' if store.kind == 'neo4j' else 'eingebettet (SQLite)'}")
