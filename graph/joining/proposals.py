"""Member self-service: a signed-in contact of a member proposes changes to its own
entries — a project, a cooperation with another member (the other side confirms first),
an event hosted or attended — and the coordinator approves or rejects each, with a
reason. Written once, for both stores, over their `RegistrationBackend`.

Nothing of a proposal is public before approval. An approval writes the change as
ordinary sourced facts through the normal write path (`graph.core.write`, in the same
transaction as the decision: all or nothing); the source is the municipality's own
statement with its date. Approving twice is refused (`ProposalNotPending`), and the batch
itself is idempotent: keys come from the proposal's id. Every step goes into the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import networkx as nx
from pydantic import ValidationError

from graph.core.errors import NotFound, Problem, StoreUnavailable, ValidationFailed
from graph.core.model import AGS_KEY, BERLIN, node_id
from graph.core.records import Batch, Node, Ref, Rel
from graph.core.store import GraphStore
from graph.joining.form import check_reason
from graph.joining.proposal import (
    CHANGE_LABELS,
    Proposal,
    ProposalKind,
    ProposalNotPending,
    ProposalStatus,
    new_proposal_id,
    parse_proposal_id,
    proposal_from,
    proposal_props,
    validate_change,
)
from graph.joining.registration import OPEN_NETWORK_ID, Registration, RegistrationTx
from graph.joining.spool import write_private
from graph.joining.workflow import Registrations, applicant, audit, registration_store, utc_text
from graph.present.text import format_date

#: The entry a kind changes, and how the member is tied to it.
TARGET_LABEL: Final[dict[ProposalKind, str]] = {
    ProposalKind.PROJECT: "Project",
    ProposalKind.EVENT: "Workshop",
    ProposalKind.COOPERATION: "Cooperation",
}
OWN_RELS: Final[dict[ProposalKind, tuple[str, ...]]] = {
    ProposalKind.PROJECT: ("RUNS",),
    ProposalKind.EVENT: ("HOSTED", "ATTENDED"),
    ProposalKind.COOPERATION: ("PARTY_TO",),
}
KEY_PREFIX: Final[dict[ProposalKind, str]] = {
    ProposalKind.PROJECT: "p",
    ProposalKind.EVENT: "w",
    ProposalKind.COOPERATION: "k",
}
NODE_FIELDS: Final[dict[ProposalKind, tuple[str, ...]]] = {
    ProposalKind.PROJECT: ("title", "summary", "status", "start", "end"),
    ProposalKind.EVENT: ("title", "summary", "date", "place"),
    ProposalKind.COOPERATION: ("title", "summary", "since"),
}


@dataclass(frozen=True)
class Entry:
    """One of a member's own entries, to choose from when proposing a change."""

    kind: ProposalKind
    key: str
    title: str


def _own(g: nx.MultiDiGraph, ags: str, kind: ProposalKind) -> Iterator[str]:
    me = node_id("Municipality", ags)
    if me not in g:
        return
    label = TARGET_LABEL[kind]
    for _, target, rtype in g.out_edges(me, keys=True):
        if rtype in OWN_RELS[kind] and g.nodes[target].get("type") == label:
            yield str(g.nodes[target]["key"])


def own_entries(store: GraphStore, ags: str) -> list[Entry]:
    """The member's projects, events and cooperations (as the public graph has them)."""
    g = store.graph()
    out = []
    for kind, label in TARGET_LABEL.items():
        for key in sorted(set(_own(g, ags, kind))):
            data = g.nodes[node_id(label, key)]
            out.append(Entry(kind, key, str(data.get("title") or data.get("name") or key)))
    return out


def entry_view(g: nx.MultiDiGraph, kind: ProposalKind, key: str, ags: str) -> dict[str, Any]:
    """An entry in the fields of a change (the "before" of a proposal)."""
    nid = node_id(TARGET_LABEL[kind], key)
    data = g.nodes[nid]
    view: dict[str, Any] = {f: data.get(f) for f in NODE_FIELDS[kind]}
    view["topics"] = sorted(
        str(g.nodes[t]["key"]) for _, t, r in g.out_edges(nid, keys=True) if r == "ABOUT"
    )
    if kind is ProposalKind.PROJECT:
        view["partners"] = sorted(
            str(g.nodes[a]["key"]) for a, _, r in g.in_edges(nid, keys=True) if r == "PARTNER_OF"
        )
    if kind is ProposalKind.EVENT:
        me = node_id("Municipality", ags)
        view["role"] = "hosted" if g.has_edge(me, nid, key="HOSTED") else "attended"
    return view


def comparison(p: Proposal) -> list[tuple[str, str, str]]:
    """(field, before, after) for every field of the change — the readable before/after
    the coordinator reviews; "–" for nothing."""

    def show(value: Any) -> str:
        if value is None or value == [] or value == "":
            return "–"
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        if value in ("hosted", "attended"):
            return "ausgerichtet" if value == "hosted" else "teilgenommen"
        return str(value)

    before = p.before or {}
    return [(CHANGE_LABELS.get(k, k), show(before.get(k)), show(v)) for k, v in p.change.items()]


def source_id(p: Proposal) -> str:
    return f"src-{p.id}"


def target_key(p: Proposal) -> str:
    return p.target or f"{KEY_PREFIX[p.kind]}-{p.id}"


def proposal_batch(p: Proposal) -> Batch:
    """The public facts of an approved proposal, sourced by the municipality's own
    statement (no person named)."""
    where = f"Vorschlag {p.reference}"
    src = source_id(p)
    sources = [src]
    day = datetime.fromisoformat(p.submitted_at).astimezone(BERLIN).date().isoformat()
    batch = Batch(where)
    batch.nodes.append(
        Node(
            "Source",
            src,
            {
                "title": f"Angaben von {p.municipality_name} über kommunetz, eingereicht am "
                f"{format_date(day)} ({p.reference})",
                "publisher": p.municipality_name,
                "date": day,
                "kind": "Angabe der Kommune",
            },
            where,
        )
    )
    label = TARGET_LABEL[p.kind]
    key = target_key(p)
    props = {f: p.change[f] for f in NODE_FIELDS[p.kind] if p.change.get(f) is not None}
    if p.kind is ProposalKind.EVENT:
        props.setdefault("kind", "Workshop")
    batch.nodes.append(Node(label, key, {**props, "sources": sources}, where))
    this = Ref(key, label)
    me = Ref(p.ags, "Municipality")
    rel = {"sources": sources}
    if p.kind is ProposalKind.PROJECT:
        batch.rels.append(Rel("RUNS", me, this, rel, where))
        for partner in p.change.get("partners") or ():
            partner_label = "Municipality" if AGS_KEY.match(partner) else "Organisation"
            batch.rels.append(
                Rel(
                    "PARTNER_OF",
                    Ref(partner, partner_label),
                    this,
                    {"role": "Projektpartner", **rel},
                    where,
                )
            )
    elif p.kind is ProposalKind.EVENT:
        rtype = "HOSTED" if p.change.get("role") == "hosted" else "ATTENDED"
        batch.rels.append(Rel(rtype, me, this, rel, where))
    else:
        batch.rels.append(Rel("PARTY_TO", me, this, rel, where))
        if p.partner_ags:
            batch.rels.append(Rel("PARTY_TO", Ref(p.partner_ags, "Municipality"), this, rel, where))
    for topic in p.change.get("topics") or ():
        batch.rels.append(Rel("ABOUT", this, Ref(topic, "Topic"), rel, where))
    return batch


def sort_proposals(ps: Iterable[Proposal]) -> list[Proposal]:
    return sorted(ps, key=lambda p: (p.submitted_at, p.id))


def _not_found(pid: str) -> NotFound:
    return NotFound(f"Vorschlag {pid.upper()} gibt es nicht (mehr).")


class Proposals:
    """The proposal workflow of one store (through its registration backend)."""

    def __init__(self, registrations: Registrations) -> None:
        self.registrations = registrations
        self.store = registrations.store
        self.backend = registrations.backend

    # -- a member proposes ---------------------------------------------------------------

    def draft(
        self,
        member: Registration,
        kind: ProposalKind,
        data: Mapping[str, Any],
        *,
        target: str | None = None,
        partner_ags: str | None = None,
        now: datetime,
    ) -> Proposal:
        """A checked proposal of ``member`` (not stored yet: `submit` stores it, or it
        waits in the proposal outbox). Raises `ValidationFailed`."""
        change = validate_change(kind, data)
        problems: list[Problem] = []
        if kind is ProposalKind.COOPERATION:
            if not partner_ags:
                problems.append(
                    Problem("Vorschlag", None, "Partner", "Bitte eine Partnerkommune wählen")
                )
            elif partner_ags == member.ags:
                problems.append(Problem("Vorschlag", None, "Partner", "nicht die eigene Kommune"))
        if problems:
            raise ValidationFailed(problems)
        year = now.astimezone(BERLIN).year
        awaiting = kind is ProposalKind.COOPERATION and target is None
        return Proposal(
            id=new_proposal_id(year),
            kind=kind,
            ags=member.ags,
            municipality_name=member.municipality_name,
            author=member.id,
            status=ProposalStatus.AWAITING_PARTNER if awaiting else ProposalStatus.PENDING,
            change=change,
            before=None,
            target=target,
            partner_ags=partner_ags if kind is ProposalKind.COOPERATION else None,
            partner_confirmed_at=None,
            submitted_at=utc_text(now),
            decided_at=None,
            decided_by=None,
            reason=None,
        )

    def check(self, p: Proposal) -> Proposal:
        """What only the graph can tell: the target is the member's own entry, topics and
        partners exist, the partner of a cooperation is a member. Returns the proposal
        with its ``before``. Raises `ValidationFailed`."""
        g = self.store.graph()
        problems: list[Problem] = []

        def problem(fld: str, msg: str) -> None:
            problems.append(Problem("Vorschlag", None, fld, msg))

        before = None
        if p.target is not None:
            if p.target not in set(_own(g, p.ags, p.kind)):
                problem("Eintrag", f"„{p.target}“ ist kein Eintrag von {p.municipality_name}")
            else:
                before = entry_view(g, p.kind, p.target, p.ags)
        unknown = [t for t in p.change.get("topics") or () if node_id("Topic", t) not in g]
        if unknown:
            problem("Themen", f"unbekannte Themen: {', '.join(unknown)}")
        for partner in p.change.get("partners") or ():
            label = "Municipality" if AGS_KEY.match(partner) else "Organisation"
            if node_id(label, partner) not in g:
                problem("Partner", f"„{partner}“ ist im Graphen nicht bekannt")
        if p.partner_ags is not None and not self.backend.read(
            lambda tx: tx.is_member(p.partner_ags or "", OPEN_NETWORK_ID)
        ):
            problem("Partner", f"AGS {p.partner_ags} ist kein Mitglied des offenen Netzwerks")
        if problems:
            raise ValidationFailed(problems)
        return replace(p, before=before)

    def submit(self, p: Proposal, *, now: datetime) -> bool:
        """Store a checked proposal; False if it was stored before (a second delivery
        from the outbox: nothing happens)."""
        # first a short read: an unreachable store answers it at once (the graph read of
        # `check` would wait for the driver's retries), and a second delivery ends here
        if self.backend.read(lambda tx: tx.proposal(p.id)) is not None:
            return False
        p = self.check(p) if p.before is None else p

        def work(tx: RegistrationTx) -> bool:
            if tx.proposal(p.id) is not None:
                return False
            tx.insert_proposal(p)
            detail = f"{p.kind.german} „{p.title}“"
            actor = _actor(tx, p)
            audit(tx, now, actor, "Vorschlag eingereicht", p.reference, detail, ref=p.author)
            return True

        return self.backend.transaction(work)

    def confirm_partner(self, member: Registration, proposal_id: str, *, now: datetime) -> Proposal:
        """The other member confirms a cooperation: it goes to the coordinator."""

        def work(tx: RegistrationTx) -> Proposal:
            p = tx.proposal(proposal_id, lock=True)
            if p is None or p.partner_ags != member.ags:
                raise _not_found(proposal_id)
            if p.status is not ProposalStatus.AWAITING_PARTNER:
                raise ProposalNotPending(f"Vorschlag {p.reference} ist schon bestätigt.")
            at = utc_text(now)
            tx.update_proposal(
                p.id, {"status": ProposalStatus.PENDING.value, "partner_confirmed_at": at}
            )
            audit(tx, now, applicant(member), "Kooperation bestätigt", p.reference, ref=member.id)
            return _stored(tx, p.id)

        return self.backend.transaction(work)

    # -- reading ----------------------------------------------------------------------

    def proposals(self, status: ProposalStatus | None = None) -> list[Proposal]:
        return sort_proposals(self.backend.read(lambda tx: tx.proposals(status)))

    def proposal(self, proposal_id: str) -> Proposal | None:
        return self.backend.read(lambda tx: tx.proposal(proposal_id))

    def of_member(self, ags: str) -> list[Proposal]:
        """The member's own proposals and the cooperations it is asked to confirm."""
        return [p for p in self.proposals() if ags in (p.ags, p.partner_ags)]

    # -- the coordinator decides ----------------------------------------------------------

    def approve(self, proposal_id: str, *, now: datetime, decided_by: str | None) -> Proposal:
        """Write the change as sourced facts and mark the proposal approved, in one
        transaction. Raises `NotFound`, `ProposalNotPending`, and (nothing written) the
        write path's errors when the graph no longer fits the change."""

        def work(tx: RegistrationTx) -> Proposal:
            p = _pending(tx, proposal_id)
            tx.write(proposal_batch(p))
            tx.update_proposal(
                p.id,
                {
                    "status": ProposalStatus.APPROVED.value,
                    "decided_at": utc_text(now),
                    "decided_by": decided_by,
                    "target": target_key(p),
                },
            )
            audit(tx, now, decided_by, "Vorschlag übernommen", p.reference, p.title)
            return _stored(tx, p.id)

        return self.backend.transaction(work)

    def reject(
        self, proposal_id: str, reason: str, *, now: datetime, decided_by: str | None
    ) -> Proposal:
        text = check_reason(reason)

        def work(tx: RegistrationTx) -> Proposal:
            p = _pending(tx, proposal_id)
            tx.update_proposal(
                p.id,
                {
                    "status": ProposalStatus.REJECTED.value,
                    "decided_at": utc_text(now),
                    "decided_by": decided_by,
                    "reason": text,
                },
            )
            audit(tx, now, decided_by, "Vorschlag abgelehnt", p.reference, text)
            return _stored(tx, p.id)

        return self.backend.transaction(work)

    def author_address(self, p: Proposal) -> str | None:
        """Where to tell the author of a decision (None once the contact is erased)."""
        if p.author is None:
            return None
        reg = self.registrations.registration(p.author)
        return reg.contact.email if reg and reg.contact else None


def _actor(tx: RegistrationTx, p: Proposal) -> str:
    reg = tx.registration(p.author) if p.author else None
    return applicant(reg) if reg else f"Kontakt von {p.municipality_name}"


def _pending(tx: RegistrationTx, proposal_id: str) -> Proposal:
    p = tx.proposal(proposal_id, lock=True)
    if p is None:
        raise _not_found(proposal_id)
    if p.status is not ProposalStatus.PENDING:
        raise ProposalNotPending(
            f"Vorschlag {p.reference} ist nicht zur Prüfung offen ({p.status.german})."
        )
    return p


def _stored(tx: RegistrationTx, proposal_id: str) -> Proposal:
    p = tx.proposal(proposal_id)
    if p is None:  # changed in this very transaction: it cannot have gone
        raise _not_found(proposal_id)
    return p


def proposal_store(store: GraphStore) -> Proposals:
    return Proposals(registration_store(store))


# --------------------------------------------------------------------------- the outbox


class ProposalOutbox:
    """Proposals sent while the store was unreachable, one ``v-….json`` file each, until
    `deliver_proposals` hands them over (a proposal's id makes that idempotent)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def put(self, p: Proposal) -> Path:
        data = json.dumps(proposal_props(p), ensure_ascii=False, indent=1).encode("utf-8")
        return write_private(self.directory, f"{p.id}.json", data)

    def __iter__(self) -> Iterator[Proposal]:
        if not self.directory.is_dir():
            return
        for path in sorted(self.directory.glob("v-*.json")):
            try:
                yield proposal_from(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, ValidationError):
                continue

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def remove(self, proposal_id: str) -> bool:
        try:
            (self.directory / f"{parse_proposal_id(proposal_id)}.json").unlink()
        except FileNotFoundError:
            return False
        return True

    def erase_author(self, author: str) -> int:
        return sum(self.remove(p.id) for p in list(self) if p.author == author)


@dataclass(frozen=True)
class ProposalSent:
    reference: str
    queued: bool


def send_proposal(
    proposals: Proposals | None, p: Proposal, outbox: ProposalOutbox, *, now: datetime
) -> ProposalSent:
    """Store ``p``, or keep it in the outbox while the store is unreachable (nothing is
    lost; the member is told)."""
    if proposals is not None:
        try:
            proposals.submit(p, now=now)
            return ProposalSent(p.reference, queued=False)
        except StoreUnavailable:
            pass
    outbox.put(p)
    return ProposalSent(p.reference, queued=True)


def deliver_proposals(proposals: Proposals, outbox: ProposalOutbox) -> int:
    """Hand the waiting proposals over; a file goes once the store has the proposal. A
    proposal the graph no longer allows waits (the coordinator sees it). How many."""
    delivered = 0
    for p in outbox:
        try:
            proposals.submit(p, now=datetime.now(UTC))
        except StoreUnavailable:
            break
        except ValidationFailed:
            continue
        outbox.remove(p.id)
        delivered += 1
    return delivered
