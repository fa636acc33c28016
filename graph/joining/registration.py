"""A registration as a store keeps it — `Registration` with its `Contact`, its `Status`
and the results and errors of the workflow — and the small interface through which the
workflow (`graph.joining.workflow`, written once) works in each store.

Both stores keep the same fields (`REGISTRATION_FIELDS`, `CONTACT_FIELDS`): SQLite as
columns of tables of their own, Neo4j as properties of non-public nodes. Each store
implements `RegistrationBackend` (how it runs a transaction, how it reads) and, inside a
transaction, `RegistrationTx` (what the workflow reads and writes); the rules — one
pending registration per AGS, a decision only on a pending one, what an approval writes —
are the workflow's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final, Protocol, TypeVar

from graph.core.errors import KommunetzError, Problem, ValidationFailed
from graph.core.records import Batch
from graph.core.store import WriteSummary
from graph.joining.form import Submission, show_reference
from graph.joining.proposal import AuditEntry, Proposal, ProposalStatus
from graph.joining.tokens import KEEP_UNCONFIRMED, StoredToken

T = TypeVar("T")

#: The open network municipalities join (curated in data/netzwerk.yaml).
OPEN_NETWORK_ID: Final[str] = "net-offenes-netzwerk"
#: The federal pilot programme whose members founded the open network.
PILOT_NETWORK_ID: Final[str] = "net-modellkommune"

# --------------------------------------------------------------------------- errors


class DuplicatePending(KommunetzError):
    """A registration for the same municipality is still waiting for a decision.

    The message names the municipality only — never who registered it — because anyone
    can try any AGS."""


class NotPending(KommunetzError):
    """An approval or rejection of a registration that has already been decided."""


class ReferenceTaken(KommunetzError):
    """A reference number is already used by a different registration (a random clash)."""


class NetworkMissing(KommunetzError):
    """An approval needs the open network's node, and the graph lacks it."""


# --------------------------------------------------------------------------- status


class Status(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def german(self) -> str:
        return STATUS_GERMAN[self]


STATUS_GERMAN: Final[dict[Status, str]] = {
    Status.PENDING: "offen",
    Status.APPROVED: "aufgenommen",
    Status.REJECTED: "abgelehnt",
}


def parse_status(text: str) -> Status:
    """``pending``/``offen``, ``approved``/``aufgenommen``, ``rejected``/``abgelehnt``."""
    t = text.strip().lower()
    for status, german in STATUS_GERMAN.items():
        if t in (status.value, german):
            return status
    allowed = ", ".join(STATUS_GERMAN.values())
    raise ValidationFailed([Problem("--status", None, None, f"„{text}“: erlaubt sind {allowed}")])


class UniqueClash(Exception):
    """Raised by a store when its uniqueness rule refused a new registration: either the
    same id arrived meanwhile, or another pending registration holds the AGS. The
    workflow tells the two apart; nobody else sees this exception."""


# --------------------------------------------------------------------------- stored view


@dataclass(frozen=True)
class Contact:
    name: str
    function: str
    email: str
    phone: str | None = None


@dataclass(frozen=True)
class Registration:
    """A registration as stored, with its contact (``None`` only if the store lost it)."""

    id: str
    status: Status
    ags: str
    municipality_name: str
    interests: tuple[str, ...]
    offer: str | None
    seek: str | None
    projects: str | None
    consent_version: str
    consent_digest: str
    submitted_at: str
    decided_at: str | None
    decided_by: str | None
    reason: str | None
    contact: Contact | None
    #: while the address is unconfirmed: when the registration is erased unless confirmed
    confirm_by: str | None = None
    confirmed_at: str | None = None

    @property
    def reference(self) -> str:
        return show_reference(self.id)

    @property
    def confirmed(self) -> bool:
        """Whether the address is confirmed (or needed no confirmation)."""
        return self.confirm_by is None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the reference as shown and the status in English and German."""
        out = asdict(self)
        out["reference"] = self.reference
        out["status"] = self.status.value
        out["status_de"] = self.status.german
        out["interests"] = list(self.interests)
        out["confirmed"] = self.confirmed
        return out


@dataclass(frozen=True)
class SubmitReceipt:
    """What a store answers to a submission: ``created`` is False when the very same
    submission was delivered before (the outbox delivering twice creates nothing)."""

    id: str
    created: bool

    @property
    def reference(self) -> str:
        return show_reference(self.id)


@dataclass(frozen=True)
class Admission:
    """The result of an approval: the decided registration, since when the municipality is
    a member, and whether its node had to be created (no directory loaded)."""

    registration: Registration
    since: str
    municipality_created: bool
    was_member: bool


# Registration and Contact properties as both stores keep them (SQLite columns, Neo4j
# properties): one list, so the two stores cannot drift apart.
REGISTRATION_FIELDS: Final[tuple[str, ...]] = (
    "id",
    "status",
    "ags",
    "municipality_name",
    "interests",
    "offer",
    "seek",
    "projects",
    "consent_version",
    "consent_digest",
    "submitted_at",
    "decided_at",
    "decided_by",
    "reason",
    "fingerprint",
    "confirm_by",
    "confirmed_at",
)
CONTACT_FIELDS: Final[tuple[str, ...]] = ("name", "function", "email", "phone")


def contact_id(reg_id: str) -> str:
    """The Contact key of a registration (one contact per registration)."""
    return f"c-{reg_id}"


def registration_props(sub: Submission) -> dict[str, Any]:
    """The stored properties of a new, pending registration (absent values left out)."""
    f = sub.form
    props: dict[str, Any] = {
        "id": sub.id,
        "status": Status.PENDING.value,
        "ags": f.ags,
        "municipality_name": f.municipality_name,
        "interests": list(f.interests),
        "offer": f.offer,
        "seek": f.seek,
        "projects": f.projects,
        "consent_version": sub.consent_version,
        "consent_digest": sub.consent_digest,
        "submitted_at": sub.submitted_at,
        "fingerprint": sub.fingerprint(),
        "confirm_by": confirm_deadline(sub.submitted_at) if sub.confirm else None,
    }
    return {k: v for k, v in props.items() if v is not None}


def confirm_deadline(submitted_at: str) -> str:
    """When an unconfirmed registration is erased: `KEEP_UNCONFIRMED` after it was sent."""
    return (datetime.fromisoformat(submitted_at) + KEEP_UNCONFIRMED).isoformat(timespec="seconds")


def contact_props(sub: Submission) -> dict[str, Any]:
    c = sub.form.contact
    props = {"name": c.name, "function": c.function, "email": c.email, "phone": c.phone}
    return {k: v for k, v in props.items() if v is not None}


def registration_from(props: Mapping[str, Any], contact: Mapping[str, Any] | None) -> Registration:
    """The stored view from a store's row/property map (both stores use the same names)."""
    return Registration(
        id=props["id"],
        status=Status(props["status"]),
        ags=props["ags"],
        municipality_name=props["municipality_name"],
        interests=tuple(props.get("interests") or ()),
        offer=props.get("offer"),
        seek=props.get("seek"),
        projects=props.get("projects"),
        consent_version=props["consent_version"],
        consent_digest=props["consent_digest"],
        submitted_at=props["submitted_at"],
        decided_at=props.get("decided_at"),
        decided_by=props.get("decided_by"),
        reason=props.get("reason"),
        contact=Contact(
            contact["name"], contact["function"], contact["email"], contact.get("phone")
        )
        if contact
        else None,
        confirm_by=props.get("confirm_by"),
        confirmed_at=props.get("confirmed_at"),
    )


class RegistrationTx(Protocol):
    """What the workflow reads and writes inside one store transaction."""

    def fingerprint(self, reg_id: str) -> str | None:
        """The stored submission's fingerprint, or None if there is no such id."""
        ...

    def insert(self, sub: Submission) -> None:
        """Store ``sub`` as pending, its contact apart. Raises `UniqueClash` when the
        store's rule of one pending registration per AGS (or one per id) refuses it."""
        ...

    def lock(self, reg_id: str) -> Registration | None:
        """The registration, locked against a concurrent decision until the transaction
        ends; None if there is none."""
        ...

    def registration(self, reg_id: str) -> Registration | None: ...

    def registrations(self, status: Status | None) -> list[Registration]:
        """All registrations (or those of ``status``), in no particular order."""
        ...

    def existing(self, refs: set[tuple[str, str]]) -> set[tuple[str, str]]: ...

    def is_member(self, ags: str, network_id: str) -> bool:
        """Whether the municipality is a member of the network (`graph.core.membership`)."""
        ...

    def write(self, batch: Batch) -> WriteSummary:
        """The normal write path (`graph.core.write`), inside this transaction."""
        ...

    def decide(
        self, reg_id: str, status: Status, at: str, by: str | None, reason: str | None
    ) -> None:
        """Record the decision (the registration is no longer pending)."""
        ...

    def erase(self, reg_id: str) -> bool:
        """Delete the registration and its contact; False if there was none."""
        ...

    # -- double opt-in and signing in (graph.joining.tokens)

    def confirm(self, reg_id: str, at: str) -> None:
        """Mark the registration's address confirmed (``confirm_by`` removed)."""
        ...

    def unconfirmed_due(self, now: str) -> list[str]:
        """Ids of unconfirmed registrations whose ``confirm_by`` is before ``now``."""
        ...

    def member_contact(self, email: str) -> Registration | None:
        """The newest approved, confirmed registration whose contact has this address
        (compared in lower case)."""
        ...

    def put_token(self, token: StoredToken) -> None: ...

    def take_token(self, token_hash: str) -> StoredToken | None:
        """The token, locked against a concurrent use until the transaction ends."""
        ...

    def use_token(self, token_hash: str, at: str) -> None: ...

    def drop_tokens(self, subject: str) -> None:
        """Delete every token for ``subject`` (a registration id)."""
        ...

    # -- proposals and the audit log (graph.joining.proposals)

    def insert_proposal(self, proposal: Proposal) -> None: ...

    def proposal(self, proposal_id: str, *, lock: bool = False) -> Proposal | None:
        """The proposal; with ``lock``, locked against a concurrent decision."""
        ...

    def proposals(self, status: ProposalStatus | None) -> list[Proposal]: ...

    def update_proposal(self, proposal_id: str, changes: Mapping[str, Any]) -> None:
        """Set these stored fields (a value ``None`` removes the field)."""
        ...

    def erase_proposals(self, author: str) -> None:
        """Delete the undecided proposals of ``author``; remove it from the others."""
        ...

    def add_audit(self, entry: AuditEntry) -> None: ...

    def audit(self) -> list[AuditEntry]: ...

    def scrub_audit(self, actor_ref: str, actor: str) -> None:
        """Replace who ``actor_ref`` was by ``actor`` and drop the reference."""
        ...


class RegistrationBackend(Protocol):
    """How a store runs the workflow's transactions."""

    def transaction(self, work: Callable[[RegistrationTx], T]) -> T:
        """Run ``work`` in one write transaction and commit it (a store may repeat it on a
        transient error: ``work`` must be safe to repeat). Raises `StoreUnavailable`
        when the store cannot be reached."""
        ...

    def read(self, work: Callable[[RegistrationTx], T]) -> T:
        """Run ``work`` for reading only."""
        ...

    def erased(self) -> None:
        """Called after an erase has committed (SQLite empties its write-ahead log)."""
        ...
