"""Contract: double opt-in, sign-in tokens, proposals, the audit log and the erase of a
contact give the same answers on both stores."""

from __future__ import annotations

from datetime import timedelta

import pytest

from graph.core.errors import NotFound, StoreUnavailable, ValidationFailed
from graph.core.store import GraphStore
from graph.joining.export import audit_csv
from graph.joining.proposal import (
    ERASED_ACTOR,
    NotConfirmed,
    ProposalKind,
    ProposalNotPending,
    ProposalStatus,
)
from graph.joining.proposals import Proposals, comparison, own_entries, proposal_store
from graph.joining.registration import OPEN_NETWORK_ID, Registration
from graph.joining.tokens import Purpose, TokenRefused, token_hash
from graph.joining.workflow import Registrations, registration_store
from graph.present.export import export_graph
from tests.registration_helpers import NOW, base_batch, make_submission, store_text

EMAIL = "erika.mustermann@dueren.example"
PROJECT = {
    "title": "Digitale Bauakte",
    "summary": "Bauanträge <b>vollständig</b> digital",
    "topics": ["t-e-akte", "t-ozg-bauen-wohnen"],
    "status": "läuft",
    "start": "2025",
    "partners": ["05358"],
}


@pytest.fixture
def rs(store: GraphStore) -> Registrations:
    store.write(base_batch())
    return registration_store(store)


def admitted(rs: Registrations, **overrides: object) -> Registration:
    """A registration sent through the form, confirmed by its link and approved."""
    sub = make_submission(confirm=True, **overrides)  # type: ignore[arg-type]
    rs.submit_registration(sub)
    token = rs.issue_token(Purpose.CONFIRM, sub.id, NOW)
    rs.confirm_address(token, now=NOW + timedelta(hours=1))
    return rs.approve_registration(sub.id, now=NOW + timedelta(hours=2)).registration


def test_double_opt_in(rs: Registrations) -> None:
    sub = make_submission(confirm=True)
    rs.submit_registration(sub)
    [reg] = rs.registrations()
    assert not reg.confirmed and reg.confirm_by == "2025-06-19T08:30:00+00:00"
    with pytest.raises(NotConfirmed):
        rs.approve_registration(sub.id, now=NOW)

    token = rs.issue_token(Purpose.CONFIRM, sub.id, NOW)
    assert len(token) >= 43  # 256 bits, URL-safe
    assert token not in store_text(rs.store), "only the hash is stored"
    assert token_hash(token) in store_text(rs.store)
    with pytest.raises(TokenRefused):  # a confirm token cannot sign in
        rs.sign_in(token, now=NOW)
    reg, newly = rs.confirm_address(token, now=NOW + timedelta(hours=71))
    assert newly and reg.confirmed and reg.confirmed_at == "2025-06-15T07:30:00+00:00"
    with pytest.raises(TokenRefused, match="nicht \\(mehr\\) gültig"):  # single use
        rs.confirm_address(token, now=NOW + timedelta(hours=71))
    rs.approve_registration(sub.id, now=NOW + timedelta(days=3))

    # registrations entered by the coordinator (consent on paper) need no confirmation
    paper = make_submission(ags="05358", municipality_name="Kreis Düren")
    rs.submit_registration(paper)
    assert rs.registration(paper.id).confirmed  # type: ignore[union-attr]


def test_expired_and_unknown_tokens_are_refused(rs: Registrations) -> None:
    sub = make_submission(confirm=True)
    rs.submit_registration(sub)
    token = rs.issue_token(Purpose.CONFIRM, sub.id, NOW)
    with pytest.raises(TokenRefused):
        rs.confirm_address(token, now=NOW + timedelta(hours=72))
    with pytest.raises(TokenRefused):
        rs.confirm_address("x" * 43, now=NOW)
    assert not rs.registration(sub.id).confirmed  # type: ignore[union-attr]


def test_unconfirmed_registrations_are_due_for_erasure_after_seven_days(
    rs: Registrations,
) -> None:
    sub = make_submission(confirm=True)
    rs.submit_registration(sub)
    assert rs.unconfirmed_due(NOW + timedelta(days=6, hours=23)) == []
    [due] = rs.unconfirmed_due(NOW + timedelta(days=7, seconds=1))
    assert due.id == sub.id


def test_sign_in_for_the_contact_of_a_member_only(rs: Registrations) -> None:
    member = admitted(rs)
    assert rs.member_contact(EMAIL.upper()) == member
    assert rs.member_contact("someone@else.example") is None
    token = rs.issue_token(Purpose.SIGN_IN, member.id, NOW)
    with pytest.raises(TokenRefused):  # 30 minutes
        rs.sign_in(token, now=NOW + timedelta(minutes=30))
    token = rs.issue_token(Purpose.SIGN_IN, member.id, NOW)
    assert rs.sign_in(token, now=NOW + timedelta(minutes=29)).id == member.id
    with pytest.raises(TokenRefused):
        rs.sign_in(token, now=NOW + timedelta(minutes=29))


def test_a_project_proposal_approved_becomes_sourced_facts(rs: Registrations) -> None:
    store = rs.store
    member = admitted(rs)
    ps = Proposals(rs)
    p = ps.draft(member, ProposalKind.PROJECT, PROJECT, now=NOW)
    assert ps.submit(p, now=NOW) is True
    assert ps.submit(p, now=NOW) is False  # delivered twice: once
    before = store.graph()
    assert f"Project:p-{p.id}" not in before  # nothing public before review
    [pending] = ps.proposals(ProposalStatus.PENDING)
    assert pending.change["title"] == "Digitale Bauakte"
    assert ("Titel", "–", "Digitale Bauakte") in comparison(pending)

    done = ps.approve(p.id, now=NOW + timedelta(days=1), decided_by="koordination")
    assert done.status is ProposalStatus.APPROVED and done.target == f"p-{p.id}"
    g = store.graph()
    nid = f"Project:p-{p.id}"
    assert g.nodes[nid]["title"] == "Digitale Bauakte"
    assert g.nodes[nid]["summary"] == "Bauanträge <b>vollständig</b> digital"
    src = f"src-{p.id}"
    assert g.nodes[nid]["sources"] == [src]
    source = g.nodes[f"Source:{src}"]
    assert source["publisher"] == "Düren" and source["date"] == "2025-06-12"
    assert g.has_edge("Municipality:05358008", nid, key="RUNS")
    assert g.has_edge("Municipality:05358", nid, key="PARTNER_OF")
    assert g.has_edge(nid, "Topic:t-ozg-bauen-wohnen", key="ABOUT")
    with pytest.raises(ProposalNotPending):  # idempotent: a second approval is refused
        ps.approve(p.id, now=NOW, decided_by="koordination")
    assert store.graph().number_of_edges() == g.number_of_edges()

    # the member changes its own project: before/after
    assert [e.key for e in own_entries(store, "05358008")] == [f"p-{p.id}"]
    edit = ps.draft(
        member,
        ProposalKind.PROJECT,
        {**PROJECT, "status": "abgeschlossen", "end": "2026"},
        target=f"p-{p.id}",
        now=NOW + timedelta(days=2),
    )
    ps.submit(edit, now=NOW)
    stored_edit = ps.proposal(edit.id)
    assert stored_edit is not None and stored_edit.before is not None
    assert ("Stand", "läuft", "abgeschlossen") in comparison(stored_edit)
    ps.reject(edit.id, "Bitte mit Quelle", now=NOW, decided_by="koordination")
    assert store.graph().nodes[nid]["status"] == "läuft"

    actions = [(e.action, e.subject) for e in rs.audit_log()]
    assert ("Vorschlag übernommen", p.reference) in actions
    assert ("Vorschlag abgelehnt", edit.reference) in actions
    assert ("Adresse bestätigt", member.reference) in actions


def test_proposals_are_checked_against_the_graph(rs: Registrations) -> None:
    member = admitted(rs)
    ps = Proposals(rs)
    with pytest.raises(ValidationFailed):
        ps.draft(member, ProposalKind.PROJECT, {"title": ""}, now=NOW)
    bad = ps.draft(member, ProposalKind.PROJECT, {"title": "X", "topics": ["t-nope"]}, now=NOW)
    with pytest.raises(ValidationFailed, match="unbekannte Themen"):
        ps.submit(bad, now=NOW)
    foreign = ps.draft(member, ProposalKind.PROJECT, {"title": "X"}, target="p-other", now=NOW)
    with pytest.raises(ValidationFailed, match="kein Eintrag"):
        ps.submit(foreign, now=NOW)
    with pytest.raises(NotFound):
        ps.approve("v-2025-00000000", now=NOW, decided_by=None)


def test_a_cooperation_waits_for_the_other_member(rs: Registrations) -> None:
    member = admitted(rs)
    other = admitted(
        rs,
        ags="05754008",
        municipality_name="Gütersloh",
        contact={"email": "kontakt@guetersloh.example"},
    )
    ps = Proposals(rs)
    p = ps.draft(
        member,
        ProposalKind.COOPERATION,
        {"title": "Gemeinsame E-Akte", "since": "2025-05"},
        partner_ags="05754008",
        now=NOW,
    )
    ps.submit(p, now=NOW)
    assert ps.proposal(p.id).status is ProposalStatus.AWAITING_PARTNER  # type: ignore[union-attr]
    with pytest.raises(ProposalNotPending):
        ps.approve(p.id, now=NOW, decided_by=None)
    with pytest.raises(NotFound):  # only the partner confirms
        ps.confirm_partner(member, p.id, now=NOW)
    ps.confirm_partner(other, p.id, now=NOW)
    ps.approve(p.id, now=NOW, decided_by="koordination")
    g = rs.store.graph()
    coop = f"Cooperation:k-{p.id}"
    assert g.has_edge("Municipality:05358008", coop, key="PARTY_TO")
    assert g.has_edge("Municipality:05754008", coop, key="PARTY_TO")


def test_an_event_attended(rs: Registrations) -> None:
    member = admitted(rs)
    ps = Proposals(rs)
    p = ps.draft(
        member,
        ProposalKind.EVENT,
        {"title": "Barcamp Digitale Verwaltung", "date": "2025-09-22", "role": "hosted"},
        now=NOW,
    )
    ps.submit(p, now=NOW)
    ps.approve(p.id, now=NOW, decided_by=None)
    assert rs.store.graph().has_edge("Municipality:05358008", f"Workshop:w-{p.id}", key="HOSTED")


class Failing:
    """A store transaction that fails at its end, as when the server goes away."""

    def __init__(self, rs: Registrations) -> None:
        self.inner = rs.backend

    def transaction(self, work):  # type: ignore[no-untyped-def]
        def failing(tx):  # type: ignore[no-untyped-def]
            work(tx)
            raise StoreUnavailable("weg")

        return self.inner.transaction(failing)

    def read(self, work):  # type: ignore[no-untyped-def]
        return self.inner.read(work)


def test_an_approval_is_all_or_nothing(rs: Registrations) -> None:
    member = admitted(rs)
    ps = Proposals(rs)
    p = ps.draft(member, ProposalKind.PROJECT, PROJECT, now=NOW)
    ps.submit(p, now=NOW)
    before = rs.store.graph()
    broken = Proposals(Registrations(rs.store, Failing(rs)))  # type: ignore[arg-type]
    with pytest.raises(StoreUnavailable):
        broken.approve(p.id, now=NOW, decided_by="koordination")
    assert set(rs.store.graph().nodes) == set(before.nodes)
    assert ps.proposal(p.id).status is ProposalStatus.PENDING  # type: ignore[union-attr]
    ps.approve(p.id, now=NOW, decided_by="koordination")  # the retry succeeds
    assert f"Project:p-{p.id}" in rs.store.graph()


def test_erase_removes_the_contact_from_proposals_and_audit(
    rs: Registrations, tmp_path: object
) -> None:
    member = admitted(rs)
    ps = proposal_store(rs.store)
    done = ps.draft(member, ProposalKind.PROJECT, PROJECT, now=NOW)
    ps.submit(done, now=NOW)
    ps.approve(done.id, now=NOW, decided_by="koordination")
    waiting = ps.draft(member, ProposalKind.PROJECT, {"title": "Noch offen"}, now=NOW)
    ps.submit(waiting, now=NOW)
    rs.issue_token(Purpose.SIGN_IN, member.id, NOW)

    assert rs.erase_registration(member.id)
    text = store_text(rs.store)
    for secret in (EMAIL, "Erika Mustermann", "+49 2421 25-0", "Kontakt von Düren"):
        assert secret not in text, f"{secret!r} still in the store after erase"
    # (the reference stays only in the public source of the approval: not personal)
    assert ps.proposal(waiting.id) is None  # undecided: gone
    kept = ps.proposal(done.id)
    assert kept is not None and kept.author is None  # decided: the contact unlinked
    assert any(e.actor == ERASED_ACTOR for e in rs.audit_log())
    csv_text = audit_csv(rs.audit_log()).decode("utf-8-sig")
    assert EMAIL not in csv_text and "Erika" not in csv_text
    assert f"Kontakt von Düren ({member.reference})" not in csv_text
    # the approved facts stay, sourced by the municipality
    g = rs.store.graph()
    assert f"Project:p-{done.id}" in g
    assert g.has_edge("Municipality:05358008", f"Network:{OPEN_NETWORK_ID}", key="MEMBER_OF")
    export_graph(g, "json", tmp_path / "g.json")  # type: ignore[operator]
    assert EMAIL not in (tmp_path / "g.json").read_text()  # type: ignore[operator]
    assert rs.registration(member.id) is None
