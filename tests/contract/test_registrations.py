"""Contract: the registration workflow gives the same answers on both stores — submit,
the one-pending-per-AGS rule, approve, reject, erase — and never leaks into the public
graph."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from graph.core.errors import NotFound, ValidationFailed
from graph.core.records import Batch, Node, Ref, Rel
from graph.core.store import GraphStore
from graph.joining.registration import (
    OPEN_NETWORK_ID,
    DuplicatePending,
    NetworkMissing,
    NotPending,
    ReferenceTaken,
    Status,
)
from graph.joining.workflow import registration_store
from graph.present.export import export_graph
from tests.registration_helpers import (
    LATER,
    NOW,
    SRC,
    base_batch,
    make_submission,
    store_text,
)

EMAIL = "erika.mustermann@dueren.example"
MEMBER_EDGE = ("Municipality:05358008", f"Network:{OPEN_NETWORK_ID}", "MEMBER_OF")


@pytest.fixture
def reg_store(store: GraphStore) -> GraphStore:
    store.write(base_batch())
    return store


def test_submit_keeps_registration_and_contact_apart_from_the_public_graph(
    reg_store: GraphStore,
) -> None:
    rs = registration_store(reg_store)
    before_graph = reg_store.graph()
    stats = reg_store.stats()
    sub = make_submission(offer="<script>alert('x')</script> & <b>fett</b>")
    receipt = rs.submit_registration(sub)
    assert receipt.created and receipt.reference == sub.reference
    assert sub.reference.startswith("R-2025-")

    [reg] = rs.registrations()
    assert reg.id == sub.id
    assert reg.status is Status.PENDING
    assert (reg.ags, reg.municipality_name) == ("05358008", "Düren")
    assert reg.interests == ("t-e-akte",)
    assert reg.offer == "<script>alert('x')</script> & <b>fett</b>"  # text, as typed
    assert reg.projects is None
    assert reg.contact is not None
    assert (reg.contact.name, reg.contact.email, reg.contact.phone) == (
        "Erika Mustermann",
        EMAIL,
        "+49 2421 25-0",
    )
    assert reg.consent_version == sub.consent_version
    assert reg.consent_digest == sub.consent_digest
    assert reg.submitted_at == "2025-06-12T08:30:00+00:00"
    assert reg.decided_at is None
    assert rs.registration(sub.id) == reg

    # nothing of it in the public graph, its figures, its search
    g = reg_store.graph()
    assert set(g.nodes) == set(before_graph.nodes)
    assert reg_store.stats() == stats
    assert reg_store.search("Mustermann") == []
    assert EMAIL not in repr(list(g.nodes(data=True))) + repr(list(g.edges(data=True)))


def test_the_same_submission_twice_creates_one_registration(reg_store: GraphStore) -> None:
    rs = registration_store(reg_store)
    sub = make_submission()
    assert rs.submit_registration(sub).created
    again = rs.submit_registration(sub)
    assert not again.created and again.id == sub.id
    assert len(rs.registrations()) == 1


def test_a_reference_of_another_submission_is_refused(reg_store: GraphStore) -> None:
    rs = registration_store(reg_store)
    sub = make_submission()
    rs.submit_registration(sub)
    other = make_submission(ags="05754008", municipality_name="Gütersloh")
    clash = other.model_copy(update={"id": sub.id})
    with pytest.raises(ReferenceTaken):
        rs.submit_registration(clash)
    assert [r.ags for r in rs.registrations()] == ["05358008"]


def test_second_pending_registration_for_the_same_ags_creates_nothing(
    reg_store: GraphStore,
) -> None:
    rs = registration_store(reg_store)
    rs.submit_registration(make_submission())
    second = make_submission(LATER, contact={"name": "Max Muster", "email": "max@dueren.example"})
    with pytest.raises(DuplicatePending) as info:
        rs.submit_registration(second)
    message = str(info.value)
    assert "Düren (AGS 05358008)" in message and "noch nicht entschieden" in message
    assert "Erika" not in message  # whoever asks learns nothing about the first applicant
    assert len(rs.registrations()) == 1
    assert "max@dueren.example" not in store_text(reg_store)

    # once the first is decided, the municipality may register again
    first = rs.registrations()[0]
    rs.reject_registration(first.id, "Bitte über den Kreis", now=LATER)
    assert rs.submit_registration(second).created
    assert [r.status for r in rs.registrations()] == [Status.REJECTED, Status.PENDING]


def test_concurrent_registrations_for_one_ags_create_exactly_one(reg_store: GraphStore) -> None:
    rs = registration_store(reg_store)
    subs = [make_submission(contact={"email": f"person{i}@dueren.example"}) for i in range(12)]
    start = threading.Barrier(len(subs))

    def submit(sub):  # type: ignore[no-untyped-def]
        start.wait()
        try:
            rs.submit_registration(sub)
            return "created"
        except DuplicatePending:
            return "refused"

    with ThreadPoolExecutor(len(subs)) as pool:
        outcomes = list(pool.map(submit, subs))
    assert sorted(outcomes) == ["created"] + ["refused"] * 11
    assert len(rs.registrations(Status.PENDING)) == 1


def test_approve_makes_the_municipality_a_member_since_the_decision(
    reg_store: GraphStore,
) -> None:
    rs = registration_store(reg_store)
    sub = make_submission()
    rs.submit_registration(sub)
    admission = rs.approve_registration(sub.id, now=LATER, decided_by="koordination")
    assert admission.since == "2025-06-21"  # the date in Berlin
    assert not admission.municipality_created and not admission.was_member
    reg = admission.registration
    assert reg.status is Status.APPROVED
    assert reg.decided_at == "2025-06-20T22:30:00+00:00"
    assert reg.decided_by == "koordination"
    assert rs.registration(sub.id) == reg

    g = reg_store.graph()
    assert g.has_edge(*MEMBER_EDGE)
    edge = g.edges[MEMBER_EDGE]
    assert edge["since"] == "2025-06-21"
    source = f"Source:reg-{sub.id}"
    assert edge["sources"] == [f"reg-{sub.id}"]
    assert g.nodes[source]["title"] == (
        f"Registrierung {sub.reference}, geprüft und aufgenommen am 21.06.2025"
    )
    assert EMAIL not in repr(dict(g.nodes[source]))
    assert g.nodes["Municipality:05358008"]["name"] == "Düren"  # the directory's name stays
    assert reg_store.stats().networks[OPEN_NETWORK_ID]["members"] == 2

    with pytest.raises(NotPending) as info:
        rs.approve_registration(sub.id, now=LATER)
    assert "bereits entschieden (aufgenommen, am 21.06.2025)" in str(info.value)
    with pytest.raises(NotPending):
        rs.reject_registration(sub.id, "zu spät", now=LATER)


def test_approve_creates_a_municipality_no_directory_knows(reg_store: GraphStore) -> None:
    rs = registration_store(reg_store)
    sub = make_submission(ags="05358012", municipality_name="Neu-<Dorf> & Co")
    rs.submit_registration(sub)
    admission = rs.approve_registration(sub.id, now=NOW)
    assert admission.municipality_created
    g = reg_store.graph()
    node = g.nodes["Municipality:05358012"]
    assert node["name"] == "Neu-<Dorf> & Co"
    assert node["level"] == "Gemeinde"
    assert node["sources"] == [f"reg-{sub.id}"]
    assert g.has_edge("Municipality:05358012", "State:05", key="IN_STATE")
    assert g.has_edge("Municipality:05358012", "Municipality:05358", key="PART_OF")
    assert g.edges["Municipality:05358012", f"Network:{OPEN_NETWORK_ID}", "MEMBER_OF"]["since"] == (
        "2025-06-12"
    )
    assert [h.key for h in reg_store.search("Neu-<Dorf>", ["Municipality"])] == ["05358012"]


def test_approve_of_a_member_keeps_its_date(reg_store: GraphStore) -> None:
    rs = registration_store(reg_store)
    sub = make_submission(ags="05754008", municipality_name="Gütersloh")
    rs.submit_registration(sub)
    admission = rs.approve_registration(sub.id, now=NOW)
    assert admission.was_member
    edge = reg_store.graph().edges[
        "Municipality:05754008", f"Network:{OPEN_NETWORK_ID}", "MEMBER_OF"
    ]
    assert edge["since"] == "2017-01-27"


def test_approve_of_a_member_through_an_organisation(reg_store: GraphStore) -> None:
    """The one membership rule: Düren is a member of the open network through an
    organisation that is one, so an approval adds no membership of its own."""
    reg_store.write(
        Batch(
            "org",
            nodes=[Node("Organisation", "org-verband", {"name": "Verband", "sources": SRC})],
            rels=[
                Rel("MEMBER_OF", Ref("org-verband"), Ref(OPEN_NETWORK_ID), {"sources": SRC}),
                Rel("MEMBER_OF", Ref("05358008"), Ref("org-verband"), {"sources": SRC}),
            ],
        )
    )
    rs = registration_store(reg_store)
    sub = make_submission()
    rs.submit_registration(sub)
    admission = rs.approve_registration(sub.id, now=NOW)
    assert admission.was_member and admission.registration.status is Status.APPROVED
    g = reg_store.graph()
    assert not g.has_edge("Municipality:05358008", f"Network:{OPEN_NETWORK_ID}", "MEMBER_OF")
    assert reg_store.stats().networks[OPEN_NETWORK_ID]["members"] == 3  # Gütersloh, both


def test_approve_without_the_open_network_changes_nothing(store: GraphStore) -> None:
    batch = base_batch()
    batch.nodes = [n for n in batch.nodes if n.label != "Network"]
    batch.rels = [r for r in batch.rels if r.type != "MEMBER_OF"]
    store.write(batch)
    rs = registration_store(store)
    sub = make_submission()
    rs.submit_registration(sub)
    version = store.version()
    with pytest.raises(NetworkMissing) as info:
        rs.approve_registration(sub.id, now=NOW)
    assert "kommunetz load" in str(info.value)
    assert store.version() == version
    assert f"Source:reg-{sub.id}" not in store.graph()
    assert rs.registrations()[0].status is Status.PENDING


def test_reject_needs_a_reason_and_keeps_it(reg_store: GraphStore) -> None:
    rs = registration_store(reg_store)
    sub = make_submission()
    rs.submit_registration(sub)
    with pytest.raises(ValidationFailed) as info:
        rs.reject_registration(sub.id, "   ", now=NOW)
    assert "Grund" in str(info.value)
    reg = rs.reject_registration(sub.id, "Keine Kommune <i>aus</i> Deutschland", now=NOW)
    assert reg.status is Status.REJECTED
    assert reg.reason == "Keine Kommune <i>aus</i> Deutschland"
    assert not reg_store.graph().has_edge(*MEMBER_EDGE)
    assert [r.id for r in rs.registrations(Status.REJECTED)] == [sub.id]
    assert rs.registrations(Status.PENDING) == []


def test_unknown_reference(reg_store: GraphStore) -> None:
    rs = registration_store(reg_store)
    with pytest.raises(NotFound) as info:
        rs.approve_registration("r-2025-0000-0000", now=NOW)
    assert "R-2025-0000-0000 gibt es nicht" in str(info.value)
    with pytest.raises(NotFound):
        rs.reject_registration("r-2025-0000-0000", "x", now=NOW)
    assert rs.registration("r-2025-0000-0000") is None
    assert rs.erase_registration("r-2025-0000-0000") is False


def test_erase_leaves_no_trace_of_the_contact(
    reg_store: GraphStore, tmp_path: pytest.TempPathFactory
) -> None:
    rs = registration_store(reg_store)
    kept = make_submission(
        ags="05754008",
        municipality_name="Gütersloh",
        contact={"name": "Bleibt Hier", "email": "bleibt@guetersloh.example", "phone": None},
    )
    rs.submit_registration(kept)
    sub = make_submission(projects="Projekt Musterakte 4711")
    rs.submit_registration(sub)
    rs.approve_registration(sub.id, now=NOW)
    assert EMAIL in store_text(reg_store)

    assert rs.erase_registration(sub.id) is True
    text = store_text(reg_store)
    for secret in (EMAIL, "Erika Mustermann", "+49 2421 25-0", "Projekt Musterakte 4711"):
        assert secret not in text, f"{secret!r} still in the store after erase"
    assert rs.registration(sub.id) is None
    assert [r.id for r in rs.registrations()] == [kept.id]  # the other one is untouched
    assert "bleibt@guetersloh.example" in text
    # the public facts of the approval stay: membership is not personal data
    assert reg_store.graph().has_edge(*MEMBER_EDGE)
    for fmt in ("graphml", "gexf", "json"):
        out = tmp_path / f"export.{fmt}"  # type: ignore[operator]
        export_graph(reg_store.graph(), fmt, out)
        exported = out.read_text(encoding="utf-8")
        assert EMAIL not in exported and "bleibt@guetersloh.example" not in exported
    assert rs.erase_registration(sub.id) is False


def test_clear_removes_registrations(reg_store: GraphStore) -> None:
    rs = registration_store(reg_store)
    rs.submit_registration(make_submission())
    reg_store.clear()
    assert rs.registrations() == []
    assert EMAIL not in store_text(reg_store)


def test_typed_html_reaches_the_explorer_as_text_only(
    reg_store: GraphStore, tmp_path: pytest.TempPathFactory
) -> None:
    """The explorer (graph/view.py) escapes every text it shows, tooltips included: a
    municipality named in HTML by its registration stays text there."""
    from graph.present.view import export_html, render_html
    from tests.test_view import payload

    evil = "<img src=x onerror=alert(1)>Dorf"
    rs = registration_store(reg_store)
    sub = make_submission(ags="05358013", municipality_name=evil)
    rs.submit_registration(sub)
    rs.approve_registration(sub.id, now=NOW)
    page = render_html(reg_store.graph(), title=evil)
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;Dorf" in page, "the title is HTML-escaped"
    labels = [n["label"] for n in payload(page)["nodes"]]
    assert evil in labels, "the data block carries the name as typed, for text display"
    out = tmp_path / "graph.html"  # type: ignore[operator]
    export_html(reg_store, out)
    assert "<img src=x" not in out.read_text(encoding="utf-8")


def test_public_reads_and_exports_never_contain_contact_data(
    reg_store: GraphStore, tmp_path: pytest.TempPathFactory
) -> None:
    from graph.joining.registration import contact_id
    from graph.present.view import export_html

    rs = registration_store(reg_store)
    pending = make_submission(ags="05754008", municipality_name="Gütersloh")
    approved = make_submission(ags="05358012", municipality_name="Neudorf")
    for sub in (pending, approved):
        rs.submit_registration(sub)
    rs.approve_registration(approved.id, now=NOW)
    assert EMAIL in store_text(reg_store)  # it is there, and must not come out:

    assert reg_store.node("Contact", contact_id(pending.id)) is None
    assert reg_store.node("Registration", pending.id) is None
    assert reg_store.search(EMAIL) == [] and reg_store.search("Erika") == []
    assert EMAIL not in reg_store.stats().to_json()
    for fmt in ("graphml", "gexf", "json"):
        out = tmp_path / f"export.{fmt}"  # type: ignore[operator]
        export_graph(reg_store.graph(), fmt, out)
        text = out.read_text(encoding="utf-8")
        assert "Neudorf" in text  # the approval is public ...
        for secret in (EMAIL, "Erika Mustermann", "+49 2421 25-0", "E-Government-Beauftragte"):
            assert secret not in text, f"{secret} in the {fmt} export"  # ... its contact not
    html_out = tmp_path / "export.html"  # type: ignore[operator]
    export_html(reg_store, html_out)
    assert EMAIL not in html_out.read_text(encoding="utf-8")
