"""kommunetz — the Streamlit app. Start with `make run`.

This file only sets up the page, the navigation and what every page shares (German page
language, a skip link, the footer); every page lives in ``pages/`` and reads the graph
through ``graph/`` (via `kommunetz.ui`)."""

from __future__ import annotations

import streamlit as st

from kommunetz.ui import (
    housekeep,
    page_chrome,
    run_page,
    try_store,
    warm_up,
)

st.set_page_config(page_title="kommunetz – Netzwerk kommunales E-Government", layout="wide")

#: Streamlit marks its pages as English; screen readers then read German text with English
#: rules (WCAG 3.1.1). The skip link lets keyboard users jump past the navigation
#: (WCAG 2.4.1). Constant code, no data in it.
PAGE_SHELL = """
<script>
(function () {
  var doc = document;  // st.html is not iframed: this is the app's own page
  doc.documentElement.lang = "de";
  if (doc.getElementById("kn-skip")) { return; }
  var main = doc.querySelector('[data-testid="stMain"]');
  if (!main) { return; }
  main.id = main.id || "kn-main";
  main.setAttribute("tabindex", "-1");
  var a = doc.createElement("a");
  a.id = "kn-skip";
  a.href = "#" + main.id;
  a.textContent = "Zum Inhalt springen";
  a.setAttribute("style", "position:absolute;left:-9999px;top:0;z-index:100000;"
    + "background:#ffffff;color:#1f5f99;padding:0.5rem 1rem;border:2px solid #1f5f99;");
  a.addEventListener("focus", function () { a.style.left = "0.5rem"; });
  a.addEventListener("blur", function () { a.style.left = "-9999px"; });
  a.addEventListener("click", function (e) { e.preventDefault(); main.focus(); });
  doc.body.insertBefore(a, doc.body.firstChild);
})();
</script>
"""

PAGES = {
    "Netzwerk": [
        st.Page("pages/start.py", title="Start", default=True),
        st.Page("pages/netzwerk.py", title="Netzwerk erkunden", url_path="netzwerk"),
        st.Page("pages/karte.py", title="Karte", url_path="karte"),
        st.Page("pages/abfragen.py", title="Abfragen", url_path="abfragen"),
    ],
    "Mitmachen": [
        st.Page("pages/mitmachen.py", title="Mitmachen", url_path="mitmachen"),
        st.Page("pages/mitglieder.py", title="Für Mitglieder", url_path="mitglieder"),
        st.Page("pages/verwaltung.py", title="Verwaltung", url_path="verwaltung"),
        st.Page("pages/vorschlaege.py", title="Vorschläge prüfen", url_path="vorschlaege"),
        # opened from the confirmation mail only
        st.Page(
            "pages/bestaetigen.py",
            title="Adresse bestätigen",
            url_path="bestaetigen",
            visibility="hidden",
        ),
    ],
    "Über": [
        st.Page("pages/quellen.py", title="Datenquellen und Lizenzen", url_path="quellen"),
        st.Page("pages/daten.py", title="Offene Daten", url_path="daten"),
    ],
}

# The app draws its own navigation (and `client.showSidebarNavigation = false` hides
# Streamlit's): a fresh server runs its first script in Streamlit's old pages/-folder
# mode, whose menu lists the file names (app, abfragen, …) until the page has left that
# mode; with the app's own links the first visitor sees the right menu at once.
navigation = st.navigation(PAGES, position="hidden")  # also ends the pages/-folder mode
with st.sidebar:
    for section, pages in PAGES.items():
        st.markdown(f"**{section}**")
        for page in pages:
            if page.visibility == "visible":  # the confirmation page is opened from its mail only
                st.page_link(page)
# before the page, so that a page that stops early (empty database) still gets it
st.html(PAGE_SHELL, unsafe_allow_javascript=True)
page_chrome()  # German words for Streamlit's widgets, contrast, focus rings
warm_up()
run_page(navigation)  # a German message, not a traceback, if the store goes away meanwhile
# after the page, and without stopping: the Mitmachen form works while the store is down
st.divider()
store = try_store()
if store is None:
    kind = "nicht erreichbar"
else:
    kind = "Neo4j" if store.kind == "neo4j" else "eingebettet (SQLite)"
housekeep()  # once an hour per process: erase the unconfirmed, send waiting mail
st.caption(
    "kommunetz · freie Software (EUPL 1.2) · lädt nichts von fremden Servern und erhebt "
    f"keine Nutzungsdaten · Datenbank: {kind}"
)
