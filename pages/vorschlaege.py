"""Vorschläge prüfen: the coordinator reviews what members proposed — each as a
before/after comparison — approves (written to the graph as facts sourced by the
municipality's own statement) or rejects with a reason, and exports the audit log.

Only for the coordinator signed in on the Verwaltung page (same browser session).
Everything members typed is shown through `md` (escaped).
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from graph.core.errors import KommunetzError, StoreUnavailable
from graph.core.validity import today
from graph.joining.export import audit_csv
from graph.joining.form import MAX_REASON
from graph.joining.notify import tell_proposal_decision
from graph.joining.proposal import Proposal, ProposalStatus
from graph.joining.proposals import Proposals, comparison
from graph.joining.workflow import registration_store
from graph.present.text import format_timestamp
from kommunetz.safe_text import md
from kommunetz.ui import active_session, get_store, mailer

st.title("Vorschläge der Mitglieder prüfen")

coordinator = active_session(
    "coordinator", "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an."
)
if coordinator is None:
    st.info("Bitte melden Sie sich zuerst in der Verwaltung an.")
    st.page_link("pages/verwaltung.py", label="Zur Verwaltung")
    st.stop()
user = str(coordinator)
st.markdown(f"Angemeldet als **{md(user)}**.")


def _tell(ps: Proposals, p: Proposal) -> None:
    if (to := ps.author_address(p)) is not None:
        tell_proposal_decision(mailer(), p, to)


def _proposal(ps: Proposals, p: Proposal) -> None:
    what = "Änderung" if p.target else "neu"
    label = (
        f"{p.reference} · {md(p.municipality_name)} · {p.kind.german} ({what}): "
        f"{md(p.title)} · eingereicht {format_timestamp(p.submitted_at)}"
    )
    with st.expander(label):
        st.table(
            [
                {
                    "Feld": field,
                    "vorher": md(before),
                    "nachher": md(after),
                    "geändert": "ja" if before != after else "",
                }
                for field, before, after in comparison(p)
            ],
            hide_index=True,
            alt=f"Vorher und nachher: Vorschlag {p.reference}",
        )
        if p.partner_ags:
            confirmed = (
                f"bestätigt am {format_timestamp(p.partner_confirmed_at)}"
                if p.partner_confirmed_at
                else "noch nicht bestätigt"
            )
            st.markdown(f"Partnerkommune: AGS {md(p.partner_ags)}, {confirmed}.")
        if p.status is not ProposalStatus.PENDING:
            if p.decided_at:
                st.markdown(
                    f"{p.status.german} am {format_timestamp(p.decided_at)}"
                    f"{' durch ' + md(p.decided_by) if p.decided_by else ''}"
                    f"{': ' + md(p.reason) if p.reason else ''}"
                )
            return
        try:
            if st.button("Übernehmen", key=f"vs_approve_{p.id}", type="primary"):
                done = ps.approve(p.id, now=datetime.now(UTC), decided_by=user)
                _tell(ps, done)
                st.session_state["vs_flash"] = (
                    f"{done.reference} übernommen: „{md(done.title)}“ steht jetzt im Netzwerk."
                )
                st.rerun()
            reason = st.text_area(
                "Begründung der Ablehnung", key=f"vs_reason_{p.id}", max_chars=MAX_REASON
            )
            if st.button("Ablehnen", key=f"vs_reject_{p.id}"):
                done = ps.reject(p.id, reason, now=datetime.now(UTC), decided_by=user)
                _tell(ps, done)
                st.session_state["vs_flash"] = f"{done.reference} abgelehnt."
                st.rerun()
        except KommunetzError as exc:
            st.error(md(str(exc)))


store = get_store()
rs = registration_store(store)
ps = Proposals(rs)
try:
    proposals = ps.proposals()
    log = rs.audit_log()
except StoreUnavailable as exc:
    st.error(f"Die Datenbank ist nicht erreichbar. {md(str(exc))}")
    st.stop()

if flash := st.session_state.pop("vs_flash", None):
    st.success(flash)
pending = [p for p in proposals if p.status is ProposalStatus.PENDING]
waiting = [p for p in proposals if p.status is ProposalStatus.AWAITING_PARTNER]
decided = [p for p in proposals if p.status in (ProposalStatus.APPROVED, ProposalStatus.REJECTED)]
tab_open, tab_wait, tab_done, tab_log = st.tabs(
    [
        f"Zur Prüfung ({len(pending)})",
        f"Warten auf Partner ({len(waiting)})",
        f"Entschieden ({len(decided)})",
        "Protokoll",
    ]
)
with tab_open:
    if not pending:
        st.markdown("Keine offenen Vorschläge.")
    for p in pending:
        _proposal(ps, p)
with tab_wait:
    if not waiting:
        st.markdown("Keine Kooperation wartet auf die Bestätigung einer Partnerkommune.")
    for p in waiting:
        _proposal(ps, p)
with tab_done:
    if not decided:
        st.markdown("Noch keine Entscheidungen.")
    for p in reversed(decided):
        _proposal(ps, p)
with tab_log:
    st.markdown("Wer hat wann was getan, mit der Entscheidung – neueste zuerst.")
    st.download_button(
        "Protokoll als CSV herunterladen",
        audit_csv(log),
        file_name=f"protokoll-{today().isoformat()}.csv",
        mime="text/csv",
        key="vs_audit",
    )
    st.table(
        [
            {
                "Zeitpunkt": format_timestamp(e.at),
                "Wer": md(e.actor),
                "Was": md(e.action),
                "Betrifft": md(e.subject),
                "Einzelheiten": md(e.detail or ""),
            }
            for e in reversed(log)
        ],
        hide_index=True,
        alt="Protokoll",
    )
