"""Mitmachen: what the open network offers, who is in it, how admission works, and the
registration form.

The form works while the database is unreachable: a submission then waits in the outbox
and is handed over on a later visit. Everything typed is shown through `md` (escaped).
"""

from __future__ import annotations

import streamlit as st

from graph.core.errors import StoreUnavailable, ValidationFailed
from graph.core.membership import Member, members
from graph.core.search import Hit, meant
from graph.joining.form import (
    FIELD_LABELS,
    MAX_NAME,
    MAX_PROJECTS,
    MAX_TEXT,
    SAY_SOMETHING,
    says_something,
    validate_form,
)
from graph.joining.limits import LimitsUnavailable
from graph.joining.outbox import OutboxError
from graph.joining.privacy import privacy_notice
from graph.joining.registration import OPEN_NETWORK_ID, PILOT_NETWORK_ID, DuplicatePending
from graph.joining.service import (
    FormContext,
    deliver,
    form_context,
    register,
    start_confirmation,
)
from graph.joining.workflow import registration_store
from graph.present.explore import member_name
from graph.present.text import entity_kind, format_date
from kommunetz.auth import minutes
from kommunetz.safe_text import md
from kommunetz.ui import client_address, mailer, outbox, secret, submission_limits, try_store

#: The widget of each field the form checks (`graph.joining.form.FIELD_LABELS`).
FIELD_WIDGETS = {
    FIELD_LABELS[path]: widget
    for path, widget in {
        "ags": "mm_ags",
        "municipality_name": "mm_name",
        "contact.name": "mm_contact_name",
        "contact.function": "mm_contact_function",
        "contact.email": "mm_contact_email",
        "contact.phone": "mm_contact_phone",
        "interests": "mm_interests",
        "offer": "mm_offer",
        "seek": "mm_seek",
        "projects": "mm_projects",
        "consent": "mm_consent",
    }.items()
}
HONEYPOT = "mm_website"

st.title("Mitmachen im offenen Netzwerk", anchor=False)

store = try_store()
waiting = outbox()
context: FormContext | None = None
open_members: list[Member] = []
pilot_members: list[Member] = []
if store is not None:
    try:
        context = form_context(store)
        g = store.graph()
        open_members = members(g, OPEN_NETWORK_ID)
        pilot_members = members(g, PILOT_NETWORK_ID)
        if len(waiting):  # submissions from an earlier outage: hand them over now
            deliver(registration_store(store), waiting, mailer())
    except StoreUnavailable:
        store, context = None, None

st.markdown(
    "Das offene Netzwerk ist aus dem Pilotvorhaben *Modellkommune E-Government* (2014–2016) "
    "hervorgegangen. Die ehemaligen Modellkommunen arbeiten seit 2017 in Eigeninitiative "
    "weiter – und laden weitere Städte, Gemeinden und Landkreise ein, mitzumachen."
)

st.header("Was Mitglieder davon haben", anchor=False)
st.markdown(
    "- **Erfahrungen aus erster Hand:** Ansprechpersonen in Kommunen, die E-Akte, "
    "Online-Dienste oder Prozessmanagement schon eingeführt haben.\n"
    "- **Austausch auf Augenhöhe:** Workshops und Barcamps der Mitglieder, gemeinsame "
    "Weiterentwicklung der Ergebnisse des Pilotvorhabens (etwa des Leitfadens).\n"
    "- **Partner finden:** Wer was anbietet und sucht, bringt die Koordination zusammen – "
    "für interkommunale Projekte oder einfach eine Rückfrage.\n"
    "- **Sichtbarkeit:** Ihre Kommune erscheint als Mitglied im Netzwerkgraphen von "
    "kommunetz (nur Name und Datum der Aufnahme, keine Kontaktdaten)."
)


def member_table(title: str, found: list[Member], date_title: str, empty: str) -> None:
    """One list of members as a table (the text every screen reader can read)."""
    st.subheader(title, anchor=False)
    if not found:
        st.markdown(empty)
        return
    rows = [
        {
            "Name": md(member_name(m)),
            "Art": md(entity_kind(m.actor)),
            "Land": md(m.actor.state or "–"),
            date_title: md(format_date(m.since) if m.since else "unbekannt"),
        }
        for m in found
    ]
    st.table(rows, hide_index=True, alt=f"{title}: {len(found)} Einträge")


st.header("Wer schon dabei ist", anchor=False)
if store is None:
    st.info("Die Mitgliederliste ist gerade nicht verfügbar (Datenbank nicht erreichbar).")
else:
    member_table(
        "Offenes Netzwerk", open_members, "Mitglied seit", "Noch keine Mitglieder erfasst."
    )
    member_table(
        "Modellkommunen des Pilotvorhabens",
        pilot_members,
        "ausgewählt",
        "Die Daten des Pilotvorhabens sind nicht geladen.",
    )

st.header("So funktioniert die Aufnahme", anchor=False)
st.markdown(
    "1. Sie senden unten die Registrierung Ihrer Kommune und erhalten eine Referenznummer "
    "und eine E-Mail mit einem Link, mit dem Sie Ihre Adresse bestätigen.\n"
    "2. Die Koordination des Netzwerks prüft die Angaben und meldet sich bei der "
    "angegebenen Kontaktperson.\n"
    "3. Mit der Aufnahme wird Ihre Kommune Mitglied des offenen Netzwerks und erscheint im "
    "Netzwerkgraphen. Eine Ablehnung wird begründet.\n"
    "4. Für jede Kommune kann jeweils eine Registrierung geprüft werden; solange sie offen "
    "ist, nimmt das Formular keine zweite für dieselbe Kommune an."
)

st.header("Registrierung", anchor=False)
sent = st.session_state.get("mm_sent")
if sent is not None:
    reference, queued = sent
    st.success(
        f"Vielen Dank! Ihre Registrierung ist eingegangen. Ihre Referenznummer lautet "
        f"**{md(reference)}** – bitte notieren Sie sie für Rückfragen."
    )
    st.info(
        "Bitte bestätigen Sie Ihre E-Mail-Adresse: Wir schicken Ihnen einen Link (gültig "
        "72 Stunden). Erst nach der Bestätigung prüft die Koordination Ihre Registrierung; "
        "ohne Bestätigung wird sie nach 7 Tagen gelöscht."
    )
    if queued:
        st.info(
            "Die Datenbank ist gerade nicht erreichbar. Ihre Registrierung ist sicher "
            "zwischengespeichert und wird automatisch übermittelt, sobald sie wieder "
            "erreichbar ist – die E-Mail mit dem Link folgt dann."
        )
    if st.button("Weitere Registrierung ausfüllen", key="mm_again"):
        del st.session_state["mm_sent"]
        st.rerun()
    st.stop()

if store is None:
    st.warning(
        "Die Datenbank ist gerade nicht erreichbar. Sie können sich trotzdem registrieren: "
        "Ihre Angaben werden auf diesem Server zwischengespeichert und übermittelt, sobald "
        "die Datenbank wieder erreichbar ist."
    )

# Hidden from people (display: none also hides it from screen readers and the keyboard);
# simple bots fill every field. The style names only our own widget key.
st.html(f"<style>.st-key-{HONEYPOT} {{ display: none; }}</style>")

controller = secret("KOMMUNETZ_PRIVACY_CONTROLLER")
if not (controller or "").strip():
    # nobody may consent to a placeholder: without a responsible body there is no valid
    # privacy notice, so there is no form yet
    st.info(
        "Die Registrierung ist noch nicht geöffnet: Der Betrieb hat die für den Datenschutz "
        "verantwortliche Stelle noch nicht eingetragen (KOMMUNETZ_PRIVACY_CONTROLLER). Ohne "
        "sie kann niemand wirksam einwilligen. Bitte versuchen Sie es später noch einmal "
        "oder wenden Sie sich an die Koordination des Netzwerks."
    )
    st.page_link("pages/netzwerk.py", label="Bis dahin: das Netzwerk erkunden")
    st.stop()

#: What the last sending found wrong, by widget key ("" for the form as a whole).
problems: dict[str, list[str]] = st.session_state.pop("mm_problems", {})


def at_field(key: str) -> None:
    """The problems of one field, right below it."""
    for message in problems.get(key, []):
        st.error(md(message))


if problems:
    st.error(
        "Bitte prüfen Sie Ihre Angaben – "
        + ("ein Feld ist" if len(problems) == 1 else f"{len(problems)} Felder sind")
        + " markiert:\n\n"
        + "\n".join(f"- {md(m)}" for msgs in problems.values() for m in msgs)
    )

chosen: Hit | None = None
if context is not None and context.has_directory and store is not None:
    st.markdown("**Ihre Kommune** – suchen Sie nach Name oder Gemeindeschlüssel (AGS).")
    query = st.text_input("Kommune suchen (Name oder AGS) *", key="mm_query", max_chars=MAX_NAME)
    hits = store.search(query, ["Municipality"], limit=25) if query.strip() else []
    if query.strip() and not hits:
        st.warning(f"Keine Kommune gefunden für „{md(query.strip())}“.")
    one = meant(hits)
    if one is not None and st.session_state.get("mm_choice") not in hits:
        # the hit the search clearly means is chosen (the only one, or the only exact one);
        # the widget keeps its earlier state otherwise ("Bitte wählen")
        st.session_state["mm_choice"] = one
    chosen = st.selectbox(
        "Ihre Kommune aus dem Gemeindeverzeichnis *",
        hits,
        index=None if one is None else hits.index(one),
        format_func=Hit.describe,
        placeholder="Bitte wählen" if hits else "Erst oben suchen",
        key="mm_choice",
    )
    at_field("mm_choice")

st.markdown("Pflichtangaben sind mit * markiert.")
with st.form("mm_form", clear_on_submit=False, enter_to_submit=False):
    if context is None or not context.has_directory:
        st.markdown("**Ihre Kommune**")
        name_in = st.text_input("Name der Kommune *", key="mm_name", max_chars=MAX_NAME)
        at_field("mm_name")
        ags_in = st.text_input(
            "Amtlicher Gemeindeschlüssel (AGS) *",
            key="mm_ags",
            max_chars=8,
            help="8 Ziffern für eine Gemeinde oder Stadt (z. B. 05358008), 5 Ziffern für "
            "einen Kreis (z. B. 05358). Sie finden ihn im Gemeindeverzeichnis des "
            "Statistischen Bundesamtes.",
        )
        at_field("mm_ags")
    st.markdown("**Kontaktperson** (wird nie veröffentlicht)")
    contact_name = st.text_input("Name *", key="mm_contact_name", max_chars=MAX_NAME)
    at_field("mm_contact_name")
    contact_function = st.text_input(
        "Funktion *",
        key="mm_contact_function",
        max_chars=MAX_NAME,
        placeholder="z. B. E-Government-Beauftragte",
    )
    at_field("mm_contact_function")
    contact_email = st.text_input("Dienstliche E-Mail-Adresse *", key="mm_contact_email")
    at_field("mm_contact_email")
    contact_phone = st.text_input("Telefon (freiwillig)", key="mm_contact_phone", max_chars=40)
    at_field("mm_contact_phone")

    st.markdown("**Ihr Interesse** (mindestens ein Thema oder ein Text)")
    interests: list[str] = []
    if context is not None and context.topics:
        labels = {t.id: t.label for t in context.topics}
        interests = st.multiselect(
            "Themen, die Sie interessieren",
            list(labels),
            format_func=labels.__getitem__,
            key="mm_interests",
            placeholder="Themen auswählen",
        )
        at_field("mm_interests")
    offer = st.text_area("Was wir anbieten", key="mm_offer", max_chars=MAX_TEXT)
    at_field("mm_offer")
    seek = st.text_area("Was wir suchen", key="mm_seek", max_chars=MAX_TEXT)
    at_field("mm_seek")
    at_field("")
    projects = st.text_area(
        "Aktuelle Projekte (freiwillig)", key="mm_projects", max_chars=MAX_PROJECTS
    )
    at_field("mm_projects")
    st.text_input("Website (dieses Feld bitte leer lassen)", key=HONEYPOT)

    with st.expander("Datenschutzhinweis lesen"):
        st.markdown(privacy_notice(controller))
    consent = st.checkbox(
        "Ich habe den Datenschutzhinweis gelesen und willige in die Verarbeitung der "
        "Angaben zu den dort genannten Zwecken ein. *",
        key="mm_consent",
    )
    at_field("mm_consent")
    submitted = st.form_submit_button("Registrierung absenden", type="primary")

if submitted:
    if st.session_state.get(HONEYPOT):
        # a bot: it gets what a person would see, and nothing is stored
        st.success("Vielen Dank! Ihre Registrierung ist eingegangen.")
        st.stop()
    found: dict[str, list[str]] = {}
    if chosen is not None:
        ags, name = chosen.key, chosen.name
    elif context is not None and context.has_directory:
        found["mm_choice"] = ["Bitte wählen Sie Ihre Kommune aus dem Gemeindeverzeichnis."]
        ags, name = "", ""
    else:
        ags, name = st.session_state.get("mm_ags", ""), st.session_state.get("mm_name", "")
    data = {
        "ags": ags,
        "municipality_name": name,
        "contact": {
            "name": contact_name,
            "function": contact_function,
            "email": contact_email,
            "phone": contact_phone,
        },
        "interests": interests,
        "offer": offer,
        "seek": seek,
        "projects": projects,
        "consent": consent,
    }
    try:
        try:
            form = validate_form(data)
        except ValidationFailed as exc:
            for p in exc.problems:
                widget = FIELD_WIDGETS.get(p.field or "", "")
                if widget in ("mm_ags", "mm_name") and "mm_choice" in found:
                    continue  # the choice is missing: that is the one thing to say
                found.setdefault(widget, []).append(
                    f"{p.field}: {p.message}" if p.field else p.message
                )
            if not says_something(interests, offer, seek):  # pydantic checks it only last
                found.setdefault("", [SAY_SOMETHING])
        if found:
            # every problem at once, each below its field: shown by the next run
            st.session_state["mm_problems"] = found
            st.rerun()
        # per client and per contact address, across sessions (graph/joining/limits.py)
        if (wait := submission_limits().admit(client_address(), form.contact.email)) > 0:
            later = (
                f"{minutes(wait)} Minuten" if wait < 7200 else f"{-(-int(wait) // 3600)} Stunden"
            )
            st.error(
                "Von dieser Adresse oder für diese Kontaktperson sind in kurzer Zeit mehrere "
                f"Registrierungen eingegangen. Bitte versuchen Sie es in {later} erneut."
            )
            st.stop()
        result = register(
            registration_store(store) if store is not None else None,
            form,
            waiting,
            controller=controller,
            context=context,
            confirm=True,
        )
        if not result.queued and store is not None:
            start_confirmation(registration_store(store), mailer(), result.reference.lower())
    except ValidationFailed as exc:  # what only the store can tell (already a member)
        lines = "\n".join(
            f"- {md(p.field + ': ' if p.field else '')}{md(p.message)}" for p in exc.problems
        )
        st.error(f"Bitte prüfen Sie Ihre Angaben:\n\n{lines}")
    except DuplicatePending as exc:
        st.error(md(str(exc)))
    except (OutboxError, LimitsUnavailable):
        st.error(
            "Ihre Registrierung konnte gerade nicht gespeichert werden. Bitte versuchen Sie "
            "es später noch einmal; es tut uns leid."
        )
    else:
        st.session_state["mm_sent"] = (result.reference, result.queued)
        st.rerun()
