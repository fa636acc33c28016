"""Adresse bestätigen: the page a confirmation mail links to (``/bestaetigen?t=…``).

Opening the link only shows a button — mail scanners open links, so a GET alone never
confirms; the click does. The token is used up then, and removed from the address bar.
"""

from __future__ import annotations

import streamlit as st

from graph.core.errors import StoreUnavailable
from graph.joining.service import confirm
from graph.joining.tokens import TokenRefused
from graph.joining.workflow import registration_store
from kommunetz.safe_text import md
from kommunetz.ui import get_store, mailer

st.title("E-Mail-Adresse bestätigen")
store = get_store()  # first: it may rerun the page once, which must not swallow a click

done = st.session_state.get("cf_done")
if done is not None:
    st.success(
        f"Vielen Dank! Die Adresse ist bestätigt. Die Registrierung {md(done)} liegt jetzt "
        "der Koordination zur Prüfung vor; Sie erhalten deren Entscheidung per E-Mail."
    )
    st.stop()

token = st.query_params.get("t", "")
if not token:
    st.info(
        "Diese Seite öffnen Sie über den Link in der E-Mail, die Sie nach Ihrer "
        "Registrierung erhalten haben."
    )
    st.stop()

st.markdown(
    "Bitte bestätigen Sie mit einem Klick, dass diese E-Mail-Adresse Ihnen gehört und "
    "Sie die Registrierung abgeschickt haben."
)
if st.button("Adresse bestätigen", type="primary", key="cf_confirm"):
    try:
        reg = confirm(registration_store(store), mailer(), token)
    except TokenRefused as exc:
        st.error(md(str(exc)))
    except StoreUnavailable:
        st.error(
            "Die Datenbank ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen "
            "Minuten noch einmal – der Link bleibt bis dahin gültig."
        )
    else:
        st.query_params.clear()
        st.session_state["cf_done"] = reg.reference
        st.rerun()
