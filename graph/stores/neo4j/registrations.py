"""The Neo4j store's part of the registration workflow (`graph.joining.workflow`): its
statements, and `RegistrationTx` / `RegistrationBackend` in Cypher.

A registration is a ``Registration`` node with its ``Contact`` node apart (``CONTACT``),
linked ``FOR`` its municipality once that node exists. Neither label is public: the
store's graph, search and stats leave them out.

Race-free rules on Community edition, which has uniqueness constraints only:

* one pending registration per AGS: a pending registration carries ``pending_ags`` (removed
  when decided) under a uniqueness constraint, so the second of two concurrent
  submissions fails at commit and writes nothing (`UniqueClash` to the workflow);
* one registration per id: the id constraint makes a second delivery of the same
  submission a no-op;
* a decision first takes the registration's write lock (``SET r.decision_lock``), then
  reads its status, so two coordinators cannot both decide it.

Every transaction runs through `Session.retrying` (transient errors retried, a lost
connection once) and is safe to repeat — a submission by its id, a decision by its status
check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeVar

import neo4j
from neo4j.exceptions import ConstraintError, ResultFailedError

from graph.core.membership import VIA_LABEL
from graph.core.records import Batch
from graph.core.store import WriteSummary
from graph.core.write import write_batch
from graph.joining.form import Submission
from graph.joining.registration import (
    Registration,
    RegistrationTx,
    Status,
    UniqueClash,
    contact_id,
    contact_props,
    registration_from,
    registration_props,
)
from graph.stores.neo4j.transactions import CypherWriteTx, Session, existing_in

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
#: The membership rule (`graph.core.membership`) for one municipality and one network:
#: ``MEMBER_OF`` the network, or ``MEMBER_OF`` an organisation that is.
IS_MEMBER = (
    "RETURN EXISTS { (:Municipality {ags: $ags})-[:MEMBER_OF]->(:Network {id: $network}) } "
    f"OR EXISTS {{ (:Municipality {{ags: $ags}})-[:MEMBER_OF]->(:{VIA_LABEL})"
    "-[:MEMBER_OF]->(:Network {id: $network}) } AS member"
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


def _registration(rec: neo4j.Record) -> Registration:
    props = dict(rec["r"])
    props.pop("pending_ags", None)
    props.pop("decision_lock", None)
    return registration_from(props, dict(rec["c"]) if rec["c"] else None)


class CypherRegistrationTx:
    """`RegistrationTx` inside one explicit Neo4j transaction."""

    def __init__(self, tx: neo4j.Transaction) -> None:
        self.tx = tx

    def fingerprint(self, reg_id: str) -> str | None:
        rec = self.tx.run(FINGERPRINT, id=reg_id).single()
        return None if rec is None else str(rec["fingerprint"])

    def insert(self, sub: Submission) -> None:
        self.tx.run(
            CREATE_REGISTRATION,
            props=registration_props(sub),
            contact={"id": contact_id(sub.id), **contact_props(sub)},
        ).consume()

    def lock(self, reg_id: str) -> Registration | None:
        if not self.tx.run(LOCK, id=reg_id).single(strict=True)["n"]:
            return None
        return self.registration(reg_id)

    def registration(self, reg_id: str) -> Registration | None:
        rec = self.tx.run(SELECT_ONE, id=reg_id).single()
        return None if rec is None else _registration(rec)

    def registrations(self, status: Status | None) -> list[Registration]:
        if status is None:
            return [_registration(rec) for rec in self.tx.run(SELECT_ALL)]
        return [_registration(rec) for rec in self.tx.run(SELECT_BY_STATUS, status=status.value)]

    def existing(self, refs: set[tuple[str, str]]) -> set[tuple[str, str]]:
        return existing_in(self.tx, refs)

    def is_member(self, ags: str, network_id: str) -> bool:
        rec = self.tx.run(IS_MEMBER, ags=ags, network=network_id).single(strict=True)
        return bool(rec["member"])

    def write(self, batch: Batch) -> WriteSummary:
        return write_batch(CypherWriteTx(self.tx), batch)

    def decide(
        self, reg_id: str, status: Status, at: str, by: str | None, reason: str | None
    ) -> None:
        self.tx.run(DECIDE, id=reg_id, status=status.value, at=at, by=by, reason=reason).consume()

    def erase(self, reg_id: str) -> bool:
        return bool(self.tx.run(ERASE, id=reg_id).single(strict=True)["n"])


class CypherRegistrations:
    """`RegistrationBackend` of the Neo4j store: every transaction retried on transient
    errors (reads too: they see committed data only)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def transaction(self, work: Callable[[RegistrationTx], T]) -> T:
        try:
            return self.session.retrying(lambda tx: work(CypherRegistrationTx(tx)))
        except (ConstraintError, ResultFailedError) as exc:
            # the pending_ags or the id constraint, at the statement or at commit; when the
            # statement failed, the driver's rollback may report it as the failed result
            if isinstance(exc, ConstraintError) or isinstance(exc.__cause__, ConstraintError):
                raise UniqueClash() from None
            raise

    def read(self, work: Callable[[RegistrationTx], T]) -> T:
        return self.session.retrying(lambda tx: work(CypherRegistrationTx(tx)))

    def erased(self) -> None:
        """Nothing to do: Neo4j has no file of erased text to empty."""
