"""Für Mitglieder: the contact of a member asks for a sign-in link by mail, signs in with
it (a button: a GET alone never signs in), and proposes changes to its municipality's
own entries — projects, cooperations with other members, events — which the
coordination reviews before anything is public.

While the store is unreachable a proposal waits in the outbox (nothing is lost).
Everything typed is shown through `md` (escaped).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import streamlit as st

from graph.core.errors import KommunetzError, StoreUnavailable, ValidationFailed
from graph.core.membership import members
from graph.core.store import GraphStore
from graph.joining.notify import tell_coordinator_proposal
from graph.joining.proposal import ProposalKind, ProposalStatus
from graph.joining.proposals import (
    Entry,
    Proposals,
    entry_view,
    own_entries,
    send_proposal,
)
from graph.joining.registration import OPEN_NETWORK_ID, Registration
from graph.joining.service import form_context, request_sign_in
from graph.joining.tokens import TokenRefused
from graph.joining.workflow import registration_store
from graph.present.text import format_timestamp
from kommunetz.auth import minutes
from kommunetz.safe_text import md
from kommunetz.ui import (
    active_session,
    client_key,
    mail_limits,
    mailer,
    proposal_outbox,
    try_store,
)

T = TypeVar("T")

st.title("Für Mitglieder")

SENT_NOTE = (
    "Wenn diese Adresse als Kontakt eines Mitglieds bestätigt ist, ist ein Anmeldelink "
    "unterwegs. Er gilt 30 Minuten und nur einmal."
)
ROLE_NAMES = {"attended": "teilgenommen", "hosted": "ausgerichtet"}


def _signed_in() -> Registration | None:
    reg = active_session(
        "member", "Ihre Sitzung ist abgelaufen. Bitte fordern Sie einen neuen Anmeldelink an."
    )
    return reg if isinstance(reg, Registration) else None


def _ask_for_link(store: GraphStore | None) -> None:
    st.markdown(
        "Kontaktpersonen von Mitgliedern pflegen hier die Einträge ihrer Kommune: Projekte, "
        "Kooperationen und Veranstaltungen. Jede Änderung prüft die Koordination, bevor "
        "sie öffentlich wird. Zum Anmelden schicken wir Ihnen einen Link an die "
        "Adresse, die Sie bei der Registrierung angegeben haben."
    )
    if note := st.session_state.get("mg_sent"):
        st.success(note)
    with st.form("mg_link", enter_to_submit=False):
        email = st.text_input("Ihre dienstliche E-Mail-Adresse", key="mg_email", max_chars=254)
        asked = st.form_submit_button("Anmeldelink anfordern", type="primary")
    if not asked:
        return
    if "@" not in email:
        st.error("Bitte geben Sie Ihre E-Mail-Adresse an.")
        return
    limits, client = mail_limits(), client_key()
    if (wait := limits.wait(email, client)) > 0:
        st.error(
            "Es wurden in kurzer Zeit mehrere Links angefordert. Bitte versuchen Sie es in "
            f"{minutes(wait)} Minuten erneut."
        )
        return
    if store is None:
        st.error("Die Datenbank ist gerade nicht erreichbar. Bitte versuchen Sie es später.")
        return
    limits.record(email, client)
    try:
        request_sign_in(registration_store(store), mailer(), email)
    except StoreUnavailable:
        st.error("Die Datenbank ist gerade nicht erreichbar. Bitte versuchen Sie es später.")
        return
    st.session_state["mg_sent"] = SENT_NOTE  # the same answer for every address
    st.rerun()


def _sign_in(store: GraphStore | None, token: str) -> None:
    st.markdown("Sie haben einen Anmeldelink geöffnet. Melden Sie sich mit einem Klick an.")
    if not st.button("Anmelden", type="primary", key="mg_sign_in"):
        return
    if store is None:
        st.error("Die Datenbank ist gerade nicht erreichbar. Bitte versuchen Sie es später.")
        return
    try:
        reg = registration_store(store).sign_in(token, now=datetime.now(UTC))
    except TokenRefused as exc:
        st.error(md(str(exc)))
        return
    st.query_params.clear()
    st.session_state["member"] = (reg, time.monotonic())
    st.rerun()


def _my_proposals(ps: Proposals, member: Registration) -> None:
    mine = ps.of_member(member.ags)
    to_confirm = [
        p
        for p in mine
        if p.partner_ags == member.ags and p.status is ProposalStatus.AWAITING_PARTNER
    ]
    for p in to_confirm:
        with st.container(border=True):
            st.markdown(
                f"**{md(p.municipality_name)}** schlägt eine Kooperation vor: "
                f"„{md(p.title)}“ ({p.reference}). Bestätigen Sie, dass Ihre Kommune beteiligt ist?"
            )
            if st.button("Kooperation bestätigen", key=f"mg_confirm_{p.id}"):
                ps.confirm_partner(member, p.id, now=datetime.now(UTC))
                st.session_state["mg_flash"] = f"{p.reference} bestätigt."
                st.rerun()
    if mine:
        st.table(
            [
                {
                    "Vorschlag": p.reference,
                    "Art": p.kind.german,
                    "Titel": md(p.title),
                    "Stand": p.status.german,
                    "Eingereicht": format_timestamp(p.submitted_at),
                    "Begründung": md(p.reason or "–"),
                }
                for p in reversed(mine)
            ],
            hide_index=True,
            alt="Ihre Vorschläge",
        )
    else:
        st.markdown("Noch keine Vorschläge.")


def _choices(store: GraphStore, member: Registration) -> tuple[dict[str, str], dict[str, str]]:
    """Topics, and partners (members of the open network and organisations) by key."""
    topics = {t.id: t.label for t in form_context(store).topics}
    g = store.graph()
    partners = {
        m.actor.key: m.actor.name
        for m in members(g, OPEN_NETWORK_ID)
        if m.actor.key != member.ags and m.actor.label == "Municipality"
    }
    for _, d in g.nodes(data=True):
        if d.get("type") == "Organisation":
            partners.setdefault(str(d["key"]), str(d.get("name") or d["key"]))
    return topics, dict(sorted(partners.items(), key=lambda kv: kv[1].casefold()))


def _kept(key: str, read: Callable[[], T], default: T) -> T:
    """``read()``, kept in the session; the kept value (or ``default``) while the store
    is unreachable."""
    try:
        st.session_state[key] = value = read()
    except StoreUnavailable:
        return st.session_state.get(key, default)
    return value


def _propose(store: GraphStore, ps: Proposals, member: Registration) -> None:
    kinds = {k.german: k for k in ProposalKind}
    kind = kinds[
        st.radio("Was möchten Sie vorschlagen?", list(kinds), horizontal=True, key="mg_kind")
    ]
    # what the form offers is kept in the session: while the store is down the form still
    # works, and a proposal sent then waits in the outbox
    no_entries: list[Entry] = []
    kept = _kept("mg_entries", lambda: own_entries(store, member.ags), no_entries)
    entries = [e for e in kept if e.kind is kind]
    options: dict[str, str | None] = {"Neu anlegen": None}
    options.update({f"{e.title} ({e.key})": e.key for e in entries})
    target = options[st.selectbox("Eintrag", list(options), key=f"mg_target_{kind.value}")]
    no_before: dict[str, Any] = {}
    before: dict[str, Any] = (
        _kept(
            f"mg_before_{kind.value}_{target}",
            lambda: entry_view(store.graph(), kind, target or "", member.ags),
            no_before,
        )
        if target
        else {}
    )
    nothing: tuple[dict[str, str], dict[str, str]] = ({}, {})
    topics, partners = _kept("mg_choices", lambda: _choices(store, member), nothing)
    k = f"{kind.value}_{target or 'neu'}"
    with st.form(f"mg_form_{k}", enter_to_submit=False):
        data: dict[str, Any] = {
            "title": st.text_input("Titel *", value=before.get("title") or "", key=f"mg_title_{k}"),
            "summary": st.text_area(
                "Kurzbeschreibung", value=before.get("summary") or "", key=f"mg_summary_{k}"
            ),
            "topics": st.multiselect(
                "Themen",
                list(topics),
                default=[t for t in before.get("topics") or () if t in topics],
                format_func=lambda t: topics.get(t, t),
                key=f"mg_topics_{k}",
                placeholder="Themen auswählen",
            ),
        }
        partner_ags = None
        if kind is ProposalKind.PROJECT:
            data["status"] = st.text_input(
                "Stand",
                value=before.get("status") or "",
                key=f"mg_status_{k}",
                placeholder="z. B. in Planung, läuft, abgeschlossen",
            )
            data["start"] = st.text_input(
                "Beginn (Jahr, Monat oder Tag)",
                value=before.get("start") or "",
                key=f"mg_start_{k}",
                placeholder="z. B. 2025 oder 2025-03",
            )
            data["end"] = st.text_input("Ende", value=before.get("end") or "", key=f"mg_end_{k}")
            data["partners"] = st.multiselect(
                "Partner",
                list(partners),
                default=[p for p in before.get("partners") or () if p in partners],
                format_func=lambda p: partners.get(p, p),
                key=f"mg_partners_{k}",
                placeholder="Kommunen oder Organisationen auswählen",
            )
        elif kind is ProposalKind.EVENT:
            data["date"] = st.text_input(
                "Datum",
                value=before.get("date") or "",
                key=f"mg_date_{k}",
                placeholder="z. B. 2025-09-22",
            )
            data["place"] = st.text_input(
                "Ort", value=before.get("place") or "", key=f"mg_place_{k}"
            )
            roles = list(ROLE_NAMES)
            data["role"] = st.radio(
                "Ihre Kommune hat …",
                roles,
                format_func=ROLE_NAMES.__getitem__,
                index=roles.index(before.get("role") or "attended"),
                key=f"mg_role_{k}",
            )
        else:
            data["since"] = st.text_input(
                "seit", value=before.get("since") or "", key=f"mg_since_{k}"
            )
            if target is None:
                municipalities = {a: n for a, n in partners.items() if a.isdigit()}
                partner_ags = st.selectbox(
                    "Partnerkommune (bestätigt die Kooperation, bevor die Koordination prüft) *",
                    list(municipalities),
                    format_func=lambda a: municipalities.get(a, a),
                    index=None,
                    key=f"mg_partner_{k}",
                    placeholder="Mitglied auswählen",
                )
        sent = st.form_submit_button("Vorschlag einreichen", type="primary")
    if not sent:
        return
    try:
        draft = ps.draft(
            member, kind, data, target=target, partner_ags=partner_ags, now=datetime.now(UTC)
        )
        result = send_proposal(ps, draft, proposal_outbox(), now=datetime.now(UTC))
    except ValidationFailed as exc:
        lines = "\n".join(
            f"- {md(p.field + ': ' if p.field else '')}{md(p.message)}" for p in exc.problems
        )
        st.error(f"Bitte prüfen Sie Ihre Angaben:\n\n{lines}")
        return
    message = f"Vielen Dank! Ihr Vorschlag {result.reference} liegt der Koordination vor."
    if result.queued:
        message += (
            " (Die Datenbank ist gerade nicht erreichbar: Er ist sicher zwischengespeichert "
            "und wird übermittelt, sobald sie wieder erreichbar ist.)"
        )
    else:
        tell_coordinator_proposal(mailer(), draft)
    st.session_state["mg_flash"] = message
    st.rerun()


store = try_store()
member = _signed_in()
token = st.query_params.get("t", "")
if member is None:
    if token:
        _sign_in(store, token)
    else:
        _ask_for_link(store)
    st.stop()

top = st.columns([4, 1])
top[0].markdown(f"Angemeldet als Kontakt von **{md(member.municipality_name)}**.")
if top[1].button("Abmelden", key="mg_logout"):
    del st.session_state["member"]
    st.rerun()
if flash := st.session_state.pop("mg_flash", None):
    st.success(md(flash))

ps = Proposals(registration_store(store)) if store is not None else None
if store is None or ps is None:
    st.warning("Die Datenbank ist gerade nicht erreichbar. Bitte versuchen Sie es später.")
    st.stop()
st.header("Ihre Vorschläge")
try:
    _my_proposals(ps, member)
except StoreUnavailable:
    st.warning(
        "Die Datenbank ist gerade nicht erreichbar: Ihre Vorschläge lassen sich nicht "
        "anzeigen. Neue Vorschläge können Sie trotzdem einreichen."
    )
except KommunetzError as exc:
    st.error(md(str(exc)))
st.header("Neuer Vorschlag")
_propose(store, ps, member)
