"""The registration workflow for `Neo4jStore` (Cypher over Bolt).

A registration is a ``Registration`` node with its ``Contact`` node apart (``CONTACT``),
linked ``FOR`` its municipality once that node exists. Neither label is public: the
store's graph, search and stats leave them out.

Race-free rules on Community edition, which has uniqueness constraints only:

* one pending registration per AGS: a pending registration carries ``pending_ags`` (removed
  when decided) under a uniqueness constraint, so the second of two concurrent
  submissions fails at commit and writes nothing;
* one registration per id: the id constraint makes a second delivery of the same
  submission a no-op;
* a decision first takes the registration's write lock (``SET r.decision_lock``), then
  reads its status, so two coordinators cannot both decide it.

Every method runs one explicit transaction. Deadlocks and other transient errors are
retried here; a lost connection is retried once (a restarted server leaves dead
connections in the pool), not for the driver's 30 s window: the caller falls back to the
outbox at once. Every transaction is safe to repeat — a submission by its id, a decision
by its status check.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, TypeVar

import neo4j
from neo4j.exceptions import (
    AuthError,
    ConstraintError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from graph.core.errors import NotFound, StoreUnavailable
from graph.core.records import Batch
from graph.joining.form import (
    OPEN_NETWORK_ID,
    Admission,
    DuplicatePending,
    ReferenceTaken,
    Registration,
    Status,
    Submission,
    SubmitReceipt,
    admission_batch,
    admission_refs,
    check_pending,
    check_reason,
    contact_id,
    contact_props,
    duplicate_message,
    member_since,
    not_found_message,
    registration_from,
    registration_props,
    sort_registrations,
    utc_text,
)

if TYPE_CHECKING:
    from graph.core.store import WriteSummary

T = TypeVar("T")

REGISTRATION_CONSTRAINTS: Final[list[str]] = [
    "CREATE CONSTRAINT registration_pending_ags_unique IF NOT EXISTS "
    "FOR (r:Registration) REQUIRE r.pending_ags IS UNIQUE"
]

FINGERPRINT = "MATCH (r:Registration {id: $id}) RETURN r.fingerprint AS fingerprint"
CREATE_REGISTRATION = (
    "CREATE (r:Registration) SET r = $props, r.pending_ags = $props.ags "
    "CREATE (c:Contact) SET c = $contact "
    "CREATE (r)-[:CONTACT]->(c) "
    "WITH r "
    "OPTIONAL MATCH (m:Municipality {ags: $props.ags}) "
    "FOREACH (_ IN CASE WHEN m IS NULL THEN [] ELSE [1] END | CREATE (r)-[:FOR]->(m))"
)
_RETURN = "RETURN r {.*} AS r, c {.*} AS c"
SELECT_ALL = f"MATCH (r:Registration) OPTIONAL MATCH (r)-[:CONTACT]->(c:Contact) {_RETURN}"
SELECT_BY_STATUS = (
    "MATCH (r:Registration {status: $status}) "
    f"OPTIONAL MATCH (r)-[:CONTACT]->(c:Contact) {_RETURN}"
)
SELECT_ONE = (
    f"MATCH (r:Registration {{id: $id}}) OPTIONAL MATCH (r)-[:CONTACT]->(c:Contact) {_RETURN}"
)
#: Taking the node's write lock before reading its status: Cypher reads what is committed
#: when it reads, so a decision made meanwhile by someone else is seen after the lock.
LOCK = "MATCH (r:Registration {id: $id}) SET r.decision_lock = true RETURN count(r) AS n"
IS_MEMBER = (
    "MATCH (:Municipality {ags: $ags})-[m:MEMBER_OF]->(:Network {id: $network}) "
    "RETURN count(m) > 0 AS member"
)
DECIDE = (
    "MATCH (r:Registration {id: $id}) "
    "SET r.status = $status, r.decided_at = $at, r.decided_by = $by, r.reason = $reason "
    "REMOVE r.pending_ags, r.decision_lock "
    "WITH r "
    "OPTIONAL MATCH (m:Municipality {ags: r.ags}) "
    "FOREACH (_ IN CASE WHEN m IS NULL THEN [] ELSE [1] END | MERGE (r)-[:FOR]->(m))"
)
ERASE = (
    "MATCH (r:Registration {id: $id}) "
    "OPTIONAL MATCH (r)-[:CONTACT]->(c:Contact) "
    "WITH r, c, r.id AS id "
    "DETACH DELETE r, c "
    "RETURN count(id) AS n"
)

#: Attempts for one transaction when Neo4j reports a transient error (a deadlock between
#: concurrent submissions, say). The work is repeated from the start each time.
ATTEMPTS = 8

_OUTAGE = (ServiceUnavailable, SessionExpired, AuthError)


class CypherRegistrations:
    """Mixin for `Neo4jStore`: the `RegistrationStore` methods in Cypher."""

    if TYPE_CHECKING:
        driver: neo4j.Driver
        database: str

        def _write(
            self, tx: neo4j.Transaction, batch: Batch, require_sources: bool
        ) -> WriteSummary: ...

    def _in_tx(self, work: Callable[[neo4j.Transaction], T]) -> T:
        """Run ``work`` in one explicit write transaction and commit it; retry transient
        errors; an outage becomes `StoreUnavailable` (the commit may or may not have
        happened — callers rely on ids being idempotent)."""
        for attempt in range(ATTEMPTS):
            try:
                with (
                    self.driver.session(database=self.database) as session,
                    session.begin_transaction() as tx,
                ):
                    result = work(tx)
                    tx.commit()
                    return result
            except TransientError:
                if attempt == ATTEMPTS - 1:
                    raise
                time.sleep(random.uniform(0.01, 0.05) * 2**attempt)
            except _OUTAGE as exc:
                # once more at once: after a server restart the pool may hand out a dead
                # connection, which the driver then drops; a server that is really down
                # refuses the second attempt just as fast
                if attempt == 0 and not isinstance(exc, AuthError):
                    continue
                raise StoreUnavailable(
                    f"Neo4j ist nicht erreichbar ({type(exc).__name__})."
                ) from exc
        raise AssertionError("unreachable")

    def _select(self, query: str, **params: Any) -> list[Registration]:
        def work(tx: neo4j.Transaction) -> list[Registration]:
            return [_registration(rec) for rec in tx.run(query, params)]

        return self._in_tx(work)

    def submit_registration(self, sub: Submission) -> SubmitReceipt:
        props = registration_props(sub)

        def work(tx: neo4j.Transaction) -> SubmitReceipt:
            known = tx.run(FINGERPRINT, id=sub.id).single()
            if known is not None:
                if known["fingerprint"] != props["fingerprint"]:
                    raise ReferenceTaken(f"Die Referenznummer {sub.reference} ist vergeben.")
                return SubmitReceipt(sub.id, created=False)
            tx.run(
                CREATE_REGISTRATION,
                props=props,
                contact={"id": contact_id(sub.id), **contact_props(sub)},
            ).consume()
            return SubmitReceipt(sub.id, created=True)

        try:
            return self._in_tx(work)
        except ConstraintError:
            # Either the same id arrived meanwhile (a second delivery: now answered as
            # "already there") or another pending registration holds this AGS.
            if self._known(sub.id):
                return self._in_tx(work)
            raise DuplicatePending(duplicate_message(sub)) from None

    def _known(self, reg_id: str) -> bool:
        return self._in_tx(lambda tx: tx.run(FINGERPRINT, id=reg_id).single() is not None)

    def registrations(self, status: Status | None = None) -> list[Registration]:
        if status is None:
            return sort_registrations(self._select(SELECT_ALL))
        return sort_registrations(self._select(SELECT_BY_STATUS, status=Status(status).value))

    def registration(self, reg_id: str) -> Registration | None:
        found = self._select(SELECT_ONE, id=reg_id)
        return found[0] if found else None

    def _lock_pending(self, tx: neo4j.Transaction, reg_id: str) -> Registration:
        if not tx.run(LOCK, id=reg_id).single(strict=True)["n"]:
            raise NotFound(not_found_message(reg_id))
        reg = _registration(tx.run(SELECT_ONE, id=reg_id).single(strict=True))
        check_pending(reg)
        return reg

    def approve_registration(
        self, reg_id: str, *, now: datetime, decided_by: str | None = None
    ) -> Admission:
        def work(tx: neo4j.Transaction) -> Admission:
            reg = self._lock_pending(tx, reg_id)
            present = _existing(tx, admission_refs(reg))
            was_member = bool(
                tx.run(IS_MEMBER, ags=reg.ags, network=OPEN_NETWORK_ID).single(strict=True)[
                    "member"
                ]
            )
            self._write(tx, admission_batch(reg, now, present, was_member), True)
            decided = _decide(tx, reg_id, Status.APPROVED, now, decided_by, None)
            return Admission(
                decided,
                member_since(now),
                municipality_created=("Municipality", reg.ags) not in present,
                was_member=was_member,
            )

        return self._in_tx(work)

    def reject_registration(
        self, reg_id: str, reason: str, *, now: datetime, decided_by: str | None = None
    ) -> Registration:
        text = check_reason(reason)

        def work(tx: neo4j.Transaction) -> Registration:
            self._lock_pending(tx, reg_id)
            return _decide(tx, reg_id, Status.REJECTED, now, decided_by, text)

        return self._in_tx(work)

    def erase_registration(self, reg_id: str) -> bool:
        return self._in_tx(lambda tx: bool(tx.run(ERASE, id=reg_id).single(strict=True)["n"]))


def _decide(
    tx: neo4j.Transaction,
    reg_id: str,
    status: Status,
    now: datetime,
    by: str | None,
    reason: str | None,
) -> Registration:
    tx.run(DECIDE, id=reg_id, status=status.value, at=utc_text(now), by=by, reason=reason).consume()
    return _registration(tx.run(SELECT_ONE, id=reg_id).single(strict=True))


def _registration(rec: neo4j.Record) -> Registration:
    props = dict(rec["r"])
    props.pop("pending_ags", None)
    props.pop("decision_lock", None)
    return registration_from(props, dict(rec["c"]) if rec["c"] else None)


def _existing(tx: neo4j.Transaction, refs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    # imported here: graph.stores.neo4j.store imports this module for its base class
    from graph.stores.neo4j.store import _existing as existing_in_tx

    return existing_in_tx(tx, refs)
