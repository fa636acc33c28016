"""Verwaltung: the coordinator reviews registrations — approve, reject with a reason, erase
(Art. 17 DSGVO) — hands over the outbox and exports the registrations as CSV.

Only after a login (`kommunetz.auth`); nothing of the registrations is rendered before.
Everything applicants typed is shown through `md` (escaped).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import streamlit as st

from graph.core.errors import KommunetzError, StoreUnavailable
from graph.core.validity import today
from graph.joining.export import registrations_csv
from graph.joining.form import MAX_REASON
from graph.joining.outbox import Outbox
from graph.joining.privacy import CONTROLLER_MISSING, privacy_notice
from graph.joining.registration import Registration, Status
from graph.joining.service import (
    approve,
    deliver,
    erase,
    form_context,
    reject,
    start_confirmation,
)
from graph.joining.workflow import Registrations, erasure_due, registration_store
from graph.present.text import format_date, format_timestamp, state_name
from kommunetz.auth import (
    IDLE_TIMEOUT,
    LOCKOUT,
    AttemptLimiter,
    AuthNotConfigured,
    Credentials,
    login_limiter,
    minutes,
)
from kommunetz.safe_text import md
from kommunetz.ui import client_address, get_store, mailer, outbox, proposal_outbox, secret

ERASED = "{} gelöscht: Registrierung und Kontaktdaten sind entfernt."

#: Failed logins left when the page starts to warn that it will lock.
WARN_BEFORE_LOCK = 2

st.title("Verwaltung der Registrierungen", anchor=False)


@st.cache_resource(show_spinner=False)
def _failed_logins() -> AttemptLimiter:
    """One count of failed logins for the whole app process: a new browser session does
    not start a fresh count."""
    return login_limiter()


def _logged_in() -> str | None:
    """The coordinator of this browser session, unless idle for too long."""
    session = st.session_state.get("coordinator")
    if session is None:
        return None
    user, last = session
    if time.monotonic() - last > IDLE_TIMEOUT:
        del st.session_state["coordinator"]
        st.info("Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.")
        return None
    st.session_state["coordinator"] = (user, time.monotonic())
    return str(user)


def _login(credentials: Credentials) -> None:
    with st.form("vw_login"):
        user = st.text_input("Benutzername", key="vw_user", autocomplete="username")
        password = st.text_input(
            "Passwort", type="password", key="vw_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button("Anmelden", type="primary")
    if not submitted:
        return
    failures = _failed_logins()
    # counted per client and name: someone else's wrong tries lock only themselves out,
    # never the coordinator at their own desk
    key = f"{client_address()}|{user.strip().casefold()}"
    if (wait := failures.wait(key)) > 0:
        st.error(
            "Zu viele fehlgeschlagene Anmeldungen. Die Anmeldung ist von diesem Gerät aus "
            f"für {minutes(wait)} Minuten gesperrt."
        )
        return
    if not credentials.check(user, password):
        failures.record(key)
        st.error("Benutzername oder Passwort ist falsch.")
        left = failures.remaining(key)
        if 0 < left <= WARN_BEFORE_LOCK:
            st.warning(
                f"Noch {left} {'Versuch' if left == 1 else 'Versuche'}: danach wird die "
                f"Anmeldung von diesem Gerät aus für {minutes(LOCKOUT)} Minuten gesperrt."
            )
        return
    failures.reset(key)
    st.session_state["coordinator"] = (credentials.user, time.monotonic())
    st.rerun()


def _done(message: str) -> None:
    """Show ``message`` after the rerun that redraws the lists."""
    st.session_state["vw_flash"] = message
    st.rerun()


def _details(reg: Registration, topics: dict[str, str]) -> None:
    c = reg.contact
    rows = [
        ("Kommune", f"{reg.municipality_name} (AGS {reg.ags}, {state_name(reg.ags[:2]) or ''})"),
        ("Kontaktperson", f"{c.name}, {c.function}" if c else "–"),
        ("E-Mail", c.email if c else "–"),
        ("Telefon", (c.phone or "–") if c else "–"),
        ("Themen", ", ".join(topics.get(t, t) for t in reg.interests) or "–"),
        ("Was wir anbieten", reg.offer or "–"),
        ("Was wir suchen", reg.seek or "–"),
        ("Aktuelle Projekte", reg.projects or "–"),
        ("Eingegangen", format_timestamp(reg.submitted_at)),
        ("Einwilligung", f"Datenschutzhinweis, Fassung {reg.consent_version}"),
        ("E-Mail-Adresse bestätigt", _confirmation(reg)),
    ]
    if reg.decided_at:
        by = f" durch {reg.decided_by}" if reg.decided_by else ""
        rows.append((reg.status.german.capitalize(), f"{format_timestamp(reg.decided_at)}{by}"))
    if reg.reason:
        rows.append(("Begründung", reg.reason))
    st.table(
        [{"Angabe": md(k), "Inhalt": md(v)} for k, v in rows],
        hide_index=True,
        alt=f"Angaben der Registrierung {reg.reference}",
    )


def _confirmation(reg: Registration) -> str:
    if reg.confirmed_at:
        return f"ja, am {format_timestamp(reg.confirmed_at)}"
    if reg.confirmed:
        return "ohne Link (von der Koordination erfasst)"
    return f"noch nicht – wird am {format_timestamp(reg.confirm_by or '')} gelöscht"


def _actions(rs: Registrations, box: Outbox, reg: Registration, user: str) -> None:
    key = reg.id
    if reg.status is Status.PENDING and not reg.confirmed:
        st.info(
            "Die Adresse ist noch nicht bestätigt; aufnehmen lässt sich die Registrierung "
            "erst danach."
        )
        if st.button("Bestätigungslink erneut senden", key=f"vw_resend_{key}"):
            start_confirmation(rs, mailer(), reg.id)
            _done(f"{reg.reference}: neuer Bestätigungslink ist unterwegs.")
    if reg.status is Status.PENDING:
        if st.button(
            "Aufnehmen", key=f"vw_approve_{key}", type="primary", disabled=not reg.confirmed
        ):
            admission = approve(rs, mailer(), reg.id, decided_by=user)
            created = " (im Graphen neu angelegt)" if admission.municipality_created else ""
            _done(
                f"{reg.reference}: {md(reg.municipality_name)}{created} ist jetzt Mitglied "
                f"des offenen Netzwerks seit {format_date(admission.since)}."
            )
        reason = st.text_area(
            "Begründung der Ablehnung", key=f"vw_reason_{key}", max_chars=MAX_REASON
        )
        if st.button("Ablehnen", key=f"vw_reject_{key}"):
            reject(rs, mailer(), reg.id, reason, decided_by=user)
            _done(f"{reg.reference} abgelehnt.")
    confirmed = st.checkbox(
        "Registrierung samt Kontaktdaten endgültig löschen (Art. 17 DSGVO)",
        key=f"vw_erase_ok_{key}",
    )
    if st.button("Endgültig löschen", key=f"vw_erase_{key}", disabled=not confirmed):
        erase(rs, box, reg.id, mailer().queue, proposal_outbox())
        _done(ERASED.format(reg.reference))


def _registration(
    rs: Registrations, box: Outbox, reg: Registration, topics: dict[str, str], user: str
) -> None:
    unconfirmed = "" if reg.confirmed else " (Adresse unbestätigt)"
    label = (
        f"{reg.reference} · {md(reg.municipality_name)} (AGS {reg.ags}) · "
        f"{reg.status.german}{unconfirmed}, eingegangen {format_timestamp(reg.submitted_at)}"
    )
    with st.expander(label):
        _details(reg, topics)
        try:
            _actions(rs, box, reg, user)
        except KommunetzError as exc:
            st.error(md(str(exc)))


def _outbox(rs: Registrations, box: Outbox) -> None:
    if not len(box):
        return
    report = deliver(rs, box, mailer())
    if report.busy:
        st.info(report.describe() + " Laden Sie die Seite gleich noch einmal.")
        return
    if report.delivered:
        st.success(
            f"{len(report.delivered)} zwischengespeicherte Registrierung(en) wurden jetzt "
            "übermittelt."
        )
    if report.waiting:
        st.warning(
            f"{len(report.waiting)} Registrierung(en) warten im Zwischenspeicher "
            f"({md(str(box.directory))}):"
        )
        st.table(
            [{"Referenz": md(ref), "Grund": md(why)} for ref, why in report.waiting],
            hide_index=True,
            alt="Registrierungen im Zwischenspeicher",
        )


def _erase_by_reference(rs: Registrations, box: Outbox) -> None:
    st.markdown(
        "Für Löschanfragen (Art. 17 DSGVO) mit Referenznummer – auch für Registrierungen, "
        "die noch im Zwischenspeicher warten."
    )
    with st.form("vw_erase_form"):
        reference = st.text_input("Referenznummer", key="vw_erase_ref", placeholder="R-2025-…")
        sure = st.checkbox("Ich möchte diese Registrierung endgültig löschen.", key="vw_erase_sure")
        submitted = st.form_submit_button("Löschen")
    if not submitted:
        return
    if not sure:
        st.error("Bitte bestätigen Sie das Löschen.")
        return
    try:
        found = erase(rs, box, reference, mailer().queue, proposal_outbox())
    except KommunetzError as exc:
        st.error(md(str(exc)))
        return
    if found:
        _done(ERASED.format(md(reference.strip().upper())))
    else:
        st.error(f"Registrierung {md(reference.strip())} gibt es nicht (mehr).")


try:
    credentials = Credentials.from_settings(secret)
except AuthNotConfigured as exc:
    st.warning(md(str(exc)))
    st.stop()

user = _logged_in()
if user is None:
    _login(credentials)
    st.stop()

top = st.columns([4, 1])
top[0].markdown(f"Angemeldet als **{md(user)}**.")
if top[1].button("Abmelden", key="vw_logout"):
    del st.session_state["coordinator"]
    st.rerun()

if flash := st.session_state.pop("vw_flash", None):
    st.success(flash)
st.page_link("pages/vorschlaege.py", label="Vorschläge der Mitglieder prüfen")
if CONTROLLER_MISSING in privacy_notice(secret("KOMMUNETZ_PRIVACY_CONTROLLER")):
    st.warning(
        "Der Datenschutzhinweis nennt noch keine verantwortliche Stelle. Tragen Sie sie in "
        "der Einstellung KOMMUNETZ_PRIVACY_CONTROLLER ein."
    )

store = get_store()
rs = registration_store(store)
box = outbox()
try:
    _outbox(rs, box)
    regs = rs.registrations()
    topics = form_context(store).topic_names
except StoreUnavailable as exc:
    st.error(f"Die Datenbank ist nicht erreichbar. {md(str(exc))}")
    st.stop()

due = [r for r in regs if erasure_due(r, datetime.now(UTC))]
if due:
    st.warning(
        f"{len(due)} abgelehnte Registrierung(en) sind älter als sechs Monate und nach dem "
        "Datenschutzhinweis zu löschen: " + ", ".join(r.reference for r in due)
    )
pending = [r for r in regs if r.status is Status.PENDING]
decided = [r for r in regs if r.status is not Status.PENDING]
tab_open, tab_done, tab_more = st.tabs(
    [f"Offen ({len(pending)})", f"Entschieden ({len(decided)})", "Export und Löschen"]
)
with tab_open:
    if not pending:
        st.markdown("Keine offenen Registrierungen.")
    for reg in pending:
        _registration(rs, box, reg, topics, user)
with tab_done:
    if not decided:
        st.markdown("Noch keine Entscheidungen.")
    for reg in reversed(decided):
        _registration(rs, box, reg, topics, user)
with tab_more:
    st.subheader("Export", anchor=False)
    st.markdown("Alle Registrierungen als CSV für eine Tabellenkalkulation – mit Kontaktdaten.")
    st.download_button(
        "Registrierungen als CSV herunterladen",
        registrations_csv(regs, topics),
        file_name=f"registrierungen-{today().isoformat()}.csv",
        mime="text/csv",
        key="vw_export",
    )
    st.subheader("Löschen mit Referenznummer", anchor=False)
    _erase_by_reference(rs, box)
