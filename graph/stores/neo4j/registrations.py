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

from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any, Final, TypeVar

import neo4j
from neo4j.exceptions import ConstraintError, ResultFailedError

from graph.core.membership import VIA_LABEL
from graph.core.records import Batch
from graph.core.store import WriteSummary
from graph.core.write import write_batch
from graph.joining.form import Submission
from graph.joining.proposal import (
    AuditEntry,
    Proposal,
    ProposalStatus,
    audit_from,
    audit_props,
    proposal_from,
    proposal_props,
)
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
from graph.joining.tokens import TOKEN_FIELDS, StoredToken
from graph.stores.neo4j.transactions import CypherWriteTx, Session, existing_in

T = TypeVar("T")

REGISTRATION_CONSTRAINTS: Final[list[str]] = [
    "CREATE CONSTRAINT registration_pending_ags_unique IF NOT EXISTS "
    "FOR (r:Registration) REQUIRE r.pending_ags IS UNIQUE",
    "CREATE CONSTRAINT token_hash_unique IF NOT EXISTS FOR (t:Token) REQUIRE t.hash IS UNIQUE",
    "CREATE INDEX token_subject IF NOT EXISTS FOR (t:Token) ON (t.subject)",
    "CREATE CONSTRAINT proposal_id_unique IF NOT EXISTS FOR (p:Proposal) REQUIRE p.id IS UNIQUE",
    "CREATE CONSTRAINT audit_id_unique IF NOT EXISTS FOR (a:AuditEntry) REQUIRE a.id IS UNIQUE",
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


CONFIRM = "MATCH (r:Registration {id: $id}) REMOVE r.confirm_by SET r.confirmed_at = $at"
UNCONFIRMED_DUE = (
    "MATCH (r:Registration) WHERE r.confirm_by IS NOT NULL AND r.confirm_by < $now "
    "RETURN r.id AS id"
)
MEMBER_CONTACT = (
    "MATCH (r:Registration {status: 'approved'})-[:CONTACT]->(c:Contact) "
    "WHERE r.confirm_by IS NULL AND toLower(c.email) = $email "
    f"WITH r, c ORDER BY r.decided_at DESC LIMIT 1 {_RETURN}"
)
PUT_TOKEN = "CREATE (t:Token) SET t = $props"
#: the write lock first (as for a decision), then the read
TAKE_TOKEN = "MATCH (t:Token {hash: $hash}) SET t.lock = true RETURN t {.*} AS t"
USE_TOKEN = "MATCH (t:Token {hash: $hash}) SET t.used_at = $at REMOVE t.lock"
DROP_TOKENS = "MATCH (t:Token {subject: $subject}) DELETE t"
PUT_PROPOSAL = "CREATE (p:Proposal) SET p = $props"
LOCK_PROPOSAL = "MATCH (p:Proposal {id: $id}) SET p.lock = true RETURN p {.*} AS p"
SELECT_PROPOSAL = "MATCH (p:Proposal {id: $id}) RETURN p {.*} AS p"
SELECT_PROPOSALS = "MATCH (p:Proposal) RETURN p {.*} AS p"
SELECT_PROPOSALS_BY_STATUS = "MATCH (p:Proposal {status: $status}) RETURN p {.*} AS p"
UPDATE_PROPOSAL = "MATCH (p:Proposal {id: $id}) SET p += $changes REMOVE p.lock"
ERASE_PROPOSALS = (
    "MATCH (p:Proposal {author: $author}) "
    "WITH p, p.status IN ['pending', 'awaiting_partner'] AS open "
    "FOREACH (_ IN CASE WHEN open THEN [1] ELSE [] END | DELETE p) "
    "FOREACH (_ IN CASE WHEN open THEN [] ELSE [1] END | REMOVE p.author)"
)
PUT_AUDIT = "CREATE (a:AuditEntry) SET a = $props"
SELECT_AUDIT = "MATCH (a:AuditEntry) RETURN a {.*} AS a ORDER BY a.at, a.id"
SCRUB_AUDIT = "MATCH (a:AuditEntry {actor_ref: $ref}) SET a.actor = $actor REMOVE a.actor_ref"


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

    def confirm(self, reg_id: str, at: str) -> None:
        self.tx.run(CONFIRM, id=reg_id, at=at).consume()

    def unconfirmed_due(self, now: str) -> list[str]:
        return [str(rec["id"]) for rec in self.tx.run(UNCONFIRMED_DUE, now=now)]

    def member_contact(self, email: str) -> Registration | None:
        rec = self.tx.run(MEMBER_CONTACT, email=email.strip().lower()).single()
        return None if rec is None else _registration(rec)

    def put_token(self, token: StoredToken) -> None:
        props = {k: v for k, v in asdict(token).items() if v is not None}
        self.tx.run(PUT_TOKEN, props=props).consume()

    def take_token(self, token_hash: str) -> StoredToken | None:
        rec = self.tx.run(TAKE_TOKEN, hash=token_hash).single()
        if rec is None:
            return None
        props = {k: rec["t"].get(k) for k in TOKEN_FIELDS}
        return StoredToken(**props)

    def use_token(self, token_hash: str, at: str) -> None:
        self.tx.run(USE_TOKEN, hash=token_hash, at=at).consume()

    def drop_tokens(self, subject: str) -> None:
        self.tx.run(DROP_TOKENS, subject=subject).consume()

    def insert_proposal(self, proposal: Proposal) -> None:
        self.tx.run(PUT_PROPOSAL, props=proposal_props(proposal)).consume()

    def proposal(self, proposal_id: str, *, lock: bool = False) -> Proposal | None:
        rec = self.tx.run(LOCK_PROPOSAL if lock else SELECT_PROPOSAL, id=proposal_id).single()
        return None if rec is None else _proposal(rec)

    def proposals(self, status: ProposalStatus | None) -> list[Proposal]:
        if status is None:
            return [_proposal(rec) for rec in self.tx.run(SELECT_PROPOSALS)]
        return [
            _proposal(rec) for rec in self.tx.run(SELECT_PROPOSALS_BY_STATUS, status=status.value)
        ]

    def update_proposal(self, proposal_id: str, changes: Mapping[str, Any]) -> None:
        self.tx.run(UPDATE_PROPOSAL, id=proposal_id, changes=dict(changes)).consume()

    def erase_proposals(self, author: str) -> None:
        self.tx.run(ERASE_PROPOSALS, author=author).consume()

    def add_audit(self, entry: AuditEntry) -> None:
        self.tx.run(PUT_AUDIT, props=audit_props(entry)).consume()

    def audit(self) -> list[AuditEntry]:
        return [audit_from(dict(rec["a"])) for rec in self.tx.run(SELECT_AUDIT)]

    def scrub_audit(self, actor_ref: str, actor: str) -> None:
        self.tx.run(SCRUB_AUDIT, ref=actor_ref, actor=actor).consume()


def _proposal(rec: neo4j.Record) -> Proposal:
    props = dict(rec["p"])
    props.pop("lock", None)
    return proposal_from(props)


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
