"""The registration workflow — submit, review, approve, reject, erase — written once, for
both stores, over their `RegistrationBackend` (`graph.joining.registration`).

Race-free rules, on either store:

* one registration per id: a second delivery of the same submission creates nothing
  (`SubmitReceipt.created` is False), a different submission under a taken id is refused
  (`ReferenceTaken`);
* one pending registration per AGS: the store's uniqueness rule decides (a unique index,
  a uniqueness constraint), not a prior read, so that two concurrent submissions cannot
  both succeed (`DuplicatePending`);
* a decision locks the registration first, then checks that it is still pending
  (`NotPending`), so two coordinators cannot both decide it;
* an approval writes its public facts (`admission_batch`) through the normal write path
  in the same transaction as the decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Final, Protocol, runtime_checkable

from graph.core.errors import KommunetzError, NotFound
from graph.core.model import BERLIN
from graph.core.records import Batch, Node, Ref, Rel
from graph.core.store import GraphStore
from graph.joining.form import Submission, check_reason, show_reference
from graph.joining.proposal import ERASED_ACTOR, AuditEntry, NotConfirmed, new_audit_id
from graph.joining.registration import (
    OPEN_NETWORK_ID,
    Admission,
    DuplicatePending,
    NetworkMissing,
    NotPending,
    ReferenceTaken,
    Registration,
    RegistrationBackend,
    RegistrationTx,
    Status,
    SubmitReceipt,
    UniqueClash,
)
from graph.joining.tokens import REFUSED, Purpose, TokenRefused, issue, token_hash
from graph.present.text import format_date, format_day


def sort_registrations(regs: Iterable[Registration]) -> list[Registration]:
    """Oldest first, so the coordinator works through them in order of arrival."""
    return sorted(regs, key=lambda r: (r.submitted_at, r.id))


def duplicate_message(sub: Submission) -> str:
    f = sub.form
    return (
        f"Für {f.municipality_name} (AGS {f.ags}) liegt bereits eine Registrierung vor, über "
        "die noch nicht entschieden ist. Eine weitere ist erst nach dieser Entscheidung "
        "möglich; bei Fragen wenden Sie sich bitte an die Koordination."
    )


def not_found_message(reg_id: str) -> str:
    return f"Registrierung {show_reference(reg_id)} gibt es nicht (mehr)."


def check_pending(reg: Registration) -> None:
    """Raise `NotPending` unless ``reg`` still waits for a decision."""
    if reg.status is not Status.PENDING:
        raise NotPending(
            f"Registrierung {reg.reference} ist bereits entschieden ({reg.status.german}"
            f"{', am ' + format_day(reg.decided_at) if reg.decided_at else ''})."
        )


#: How long a rejected registration is kept (the privacy notice promises six months).
KEEP_REJECTED_DAYS: Final[int] = 183


def erasure_due(reg: Registration, now: datetime) -> bool:
    """True for a rejected registration kept longer than the privacy notice allows."""
    if reg.status is not Status.REJECTED or not reg.decided_at:
        return False
    return (now - datetime.fromisoformat(reg.decided_at)).days >= KEEP_REJECTED_DAYS


def utc_text(now: datetime) -> str:
    return now.astimezone(UTC).isoformat(timespec="seconds")


# --------------------------------------------------------------------------- admission


def admission_source_id(reg_id: str) -> str:
    return f"reg-{reg_id}"


def admission_refs(reg: Registration) -> set[tuple[str, str]]:
    """The nodes an approval looks for before it builds its batch."""
    refs = {
        ("Municipality", reg.ags),
        ("State", reg.ags[:2]),
        ("Network", OPEN_NETWORK_ID),
    }
    if len(reg.ags) == 8:
        refs.add(("Municipality", reg.ags[:5]))
    return refs


def member_since(now: datetime) -> str:
    return now.astimezone(BERLIN).date().isoformat()


def admission_batch(
    reg: Registration, now: datetime, present: set[tuple[str, str]], was_member: bool
) -> Batch:
    """The public facts of an approval, none of them personal: a `Source` for this
    decision, the municipality if no directory knows it yet (name and AGS from the
    registration, linked to its Land and Kreis when those exist), and its ``MEMBER_OF``
    the open network with ``since`` — unless it was a member already, whose date stays.

    Raises `NetworkMissing` when the open network itself is missing from the graph."""
    if ("Network", OPEN_NETWORK_ID) not in present:
        raise NetworkMissing(
            f"Das offene Netzwerk ({OPEN_NETWORK_ID}) fehlt im Graphen, die Aufnahme ist "
            "nicht möglich. Laden Sie zuerst die kuratierten Daten: kommunetz load"
        )
    since = member_since(now)
    src = admission_source_id(reg.id)
    sources = [src]
    where = f"Registrierung {reg.reference}"
    batch = Batch(where)
    batch.nodes.append(
        Node(
            "Source",
            src,
            {
                "title": f"Registrierung {reg.reference}, geprüft und aufgenommen am "
                f"{format_date(since)}",
                "publisher": "Koordination des offenen Netzwerks",
                "date": since,
                "kind": "Registrierung",
            },
            where,
        )
    )
    this = Ref(reg.ags, "Municipality")
    if ("Municipality", reg.ags) not in present:
        props: dict[str, Any] = {
            "name": reg.municipality_name,
            "level": "Kreis" if len(reg.ags) == 5 else "Gemeinde",
            "state_code": reg.ags[:2],
            "sources": sources,
        }
        batch.nodes.append(Node("Municipality", reg.ags, props, where))
        if ("State", reg.ags[:2]) in present:
            batch.rels.append(
                Rel("IN_STATE", this, Ref(reg.ags[:2], "State"), {"sources": sources}, where)
            )
        kreis = reg.ags[:5]
        if len(reg.ags) == 8 and ("Municipality", kreis) in present:
            batch.rels.append(
                Rel("PART_OF", this, Ref(kreis, "Municipality"), {"sources": sources}, where)
            )
    if not was_member:
        batch.rels.append(
            Rel(
                "MEMBER_OF",
                this,
                Ref(OPEN_NETWORK_ID, "Network"),
                {"since": since, "role": "Mitglied", "sources": sources},
                where,
            )
        )
    return batch


# --------------------------------------------------------------------------- the workflow


class Registrations:
    """The registration workflow of one store (``store``, whose part is ``backend``).
    Every method is one transaction."""

    def __init__(self, store: GraphStore, backend: RegistrationBackend) -> None:
        self.store = store
        self.backend = backend

    def submit_registration(self, sub: Submission) -> SubmitReceipt:
        """Store ``sub`` as a pending registration with its contact kept apart.

        Idempotent on ``sub.id``: the same submission again creates nothing. Raises
        `DuplicatePending` (nothing stored) while another registration for the same AGS
        is pending, and `ReferenceTaken` if the id belongs to a different submission."""
        fingerprint = sub.fingerprint()

        def work(tx: RegistrationTx) -> SubmitReceipt:
            known = tx.fingerprint(sub.id)
            if known is not None:
                if known != fingerprint:
                    raise ReferenceTaken(f"Die Referenznummer {sub.reference} ist vergeben.")
                return SubmitReceipt(sub.id, created=False)
            tx.insert(sub)
            return SubmitReceipt(sub.id, created=True)

        try:
            return self.backend.transaction(work)
        except UniqueClash:
            # Either the same id arrived meanwhile (a second delivery: now answered as
            # "already there") or another pending registration holds this AGS.
            if self.backend.read(lambda tx: tx.fingerprint(sub.id)) is not None:
                return self.backend.transaction(work)
            raise DuplicatePending(duplicate_message(sub)) from None

    def registrations(self, status: Status | None = None) -> list[Registration]:
        """All registrations (or those of ``status``), oldest first, with contacts."""
        wanted = Status(status) if status is not None else None
        return sort_registrations(self.backend.read(lambda tx: tx.registrations(wanted)))

    def registration(self, reg_id: str) -> Registration | None:
        return self.backend.read(lambda tx: tx.registration(reg_id))

    def approve_registration(
        self, reg_id: str, *, now: datetime, decided_by: str | None = None
    ) -> Admission:
        """Admit the municipality: in one transaction, write the public facts of
        `admission_batch` through the normal write path and mark the registration
        approved. Raises `NotFound`, `NotPending` or `NetworkMissing`."""

        def work(tx: RegistrationTx) -> Admission:
            reg = _pending(tx, reg_id)
            if not reg.confirmed:
                raise NotConfirmed(
                    f"Registrierung {reg.reference}: Die E-Mail-Adresse ist noch nicht "
                    "bestätigt. Aufnehmen lässt sich erst eine bestätigte Registrierung."
                )
            present = tx.existing(admission_refs(reg))
            was_member = tx.is_member(reg.ags, OPEN_NETWORK_ID)
            tx.write(admission_batch(reg, now, present, was_member))
            tx.decide(reg_id, Status.APPROVED, utc_text(now), decided_by, None)
            audit(tx, now, decided_by, "Registrierung aufgenommen", reg.reference)
            return Admission(
                _decided(tx, reg_id),
                member_since(now),
                municipality_created=("Municipality", reg.ags) not in present,
                was_member=was_member,
            )

        return self.backend.transaction(work)

    def reject_registration(
        self, reg_id: str, reason: str, *, now: datetime, decided_by: str | None = None
    ) -> Registration:
        """Mark a pending registration rejected, with its reason (required)."""
        text = check_reason(reason)

        def work(tx: RegistrationTx) -> Registration:
            reg = _pending(tx, reg_id)
            tx.decide(reg_id, Status.REJECTED, utc_text(now), decided_by, text)
            audit(tx, now, decided_by, "Registrierung abgelehnt", reg.reference, text)
            return _decided(tx, reg_id)

        return self.backend.transaction(work)

    def erase_registration(self, reg_id: str) -> bool:
        """Delete the registration and its contact for good (Art. 17 DSGVO), with its
        tokens and undecided proposals; decided proposals and the audit log keep no trace
        of the contact. The public facts of an approval stay. False if there was nothing
        to erase."""

        def work(tx: RegistrationTx) -> bool:
            found = tx.erase(reg_id)
            tx.drop_tokens(reg_id)
            tx.erase_proposals(reg_id)
            tx.scrub_audit(reg_id, ERASED_ACTOR)
            return found

        found = self.backend.transaction(work)
        self.backend.erased()
        return found

    # -- double opt-in and signing in -----------------------------------------------------

    def issue_token(self, purpose: Purpose, reg_id: str, now: datetime) -> str:
        """A new token for ``reg_id``; only its hash is stored. The caller mails it."""
        issued = issue(purpose, reg_id, now.astimezone(UTC))
        self.backend.transaction(lambda tx: tx.put_token(issued.stored))
        return issued.token

    def confirm_address(self, token: str, *, now: datetime) -> tuple[Registration, bool]:
        """Confirm the address of the registration the token was mailed for (it is used
        up); the registration, and whether it was confirmed just now (not before, through
        another link). Raises `TokenRefused`."""

        def work(tx: RegistrationTx) -> tuple[Registration, bool]:
            reg = _redeem(tx, token, Purpose.CONFIRM, now)
            if reg.confirmed:
                return reg, False
            tx.confirm(reg.id, utc_text(now))
            audit(tx, now, applicant(reg), "Adresse bestätigt", reg.reference, ref=reg.id)
            return _decided(tx, reg.id), True

        return self.backend.transaction(work)

    def sign_in(self, token: str, *, now: datetime) -> Registration:
        """The registration of the member's contact the sign-in link was mailed to (the
        token is used up). Raises `TokenRefused` also when the municipality is no longer
        a member."""

        def work(tx: RegistrationTx) -> Registration:
            reg = _redeem(tx, token, Purpose.SIGN_IN, now)
            if reg.status is not Status.APPROVED or not tx.is_member(reg.ags, OPEN_NETWORK_ID):
                raise TokenRefused(REFUSED)
            audit(tx, now, applicant(reg), "angemeldet", reg.municipality_name, ref=reg.id)
            return reg

        return self.backend.transaction(work)

    def member_contact(self, email: str) -> Registration | None:
        """The admitted, confirmed registration with this contact address, if its
        municipality is still a member."""

        def work(tx: RegistrationTx) -> Registration | None:
            reg = tx.member_contact(email)
            if reg is None or not tx.is_member(reg.ags, OPEN_NETWORK_ID):
                return None
            return reg

        return self.backend.read(work)

    def unconfirmed_due(self, now: datetime) -> list[Registration]:
        """Unconfirmed registrations older than `KEEP_UNCONFIRMED`: to be erased."""

        def work(tx: RegistrationTx) -> list[Registration]:
            regs = (tx.registration(i) for i in tx.unconfirmed_due(utc_text(now)))
            return [r for r in regs if r is not None]

        return self.backend.read(work)

    def audit_log(self) -> list[AuditEntry]:
        """Every entry of the audit log, oldest first."""
        return self.backend.read(lambda tx: tx.audit())


def applicant(reg: Registration) -> str:
    """Who acted, as the audit log says it (no name, no address: the reference)."""
    return f"Kontakt von {reg.municipality_name} ({reg.reference})"


def audit(
    tx: RegistrationTx,
    now: datetime,
    actor: str | None,
    action: str,
    subject: str,
    detail: str | None = None,
    *,
    ref: str | None = None,
) -> None:
    """Add an entry to the audit log inside the transaction ``tx``."""
    at = utc_text(now)
    tx.add_audit(
        AuditEntry(new_audit_id(at), at, actor or "Koordination", action, subject, detail, ref)
    )


def _redeem(tx: RegistrationTx, token: str, purpose: Purpose, now: datetime) -> Registration:
    """Use up a token of ``purpose``; its registration. Raises `TokenRefused`."""
    digest = token_hash(token)
    stored = tx.take_token(digest)
    if stored is None or not stored.usable(purpose, now.astimezone(UTC)):
        raise TokenRefused(REFUSED)
    tx.use_token(digest, utc_text(now))
    reg = tx.lock(stored.subject)
    if reg is None:
        raise TokenRefused(REFUSED)
    return reg


def _pending(tx: RegistrationTx, reg_id: str) -> Registration:
    reg = tx.lock(reg_id)
    if reg is None:
        raise NotFound(not_found_message(reg_id))
    check_pending(reg)
    return reg


def _decided(tx: RegistrationTx, reg_id: str) -> Registration:
    reg = tx.registration(reg_id)
    if reg is None:  # decided in this very transaction: it cannot have gone
        raise NotFound(not_found_message(reg_id))
    return reg


@runtime_checkable
class HasRegistrations(Protocol):
    """A store with the registration workflow (both stores are)."""

    def registration_backend(self) -> RegistrationBackend: ...


def registration_store(store: GraphStore) -> Registrations:
    """The registration workflow of ``store`` (both stores have one; a third-party store
    may not: then a `KommunetzError` says so)."""
    if not isinstance(store, HasRegistrations):
        raise KommunetzError(f"Dieser Speicher ({store.kind}) kennt keine Registrierungen.")
    return Registrations(store, store.registration_backend())
