"""The embedded store's part of the registration workflow (`graph.joining.workflow`):
its tables and statements, and `RegistrationTx` / `RegistrationBackend` in SQL.

Registrations and contacts live in tables of their own, apart from the graph's ``nodes``
and ``rels``: nothing that reads the public graph can stumble on them. A partial unique
index allows one pending registration per AGS, so that the rule holds even when two
processes submit at the same moment; every write runs in one ``BEGIN IMMEDIATE``
transaction (which also serves as the decision lock). ``secure_delete`` overwrites erased
rows in the file, and an erase ends with a WAL checkpoint so the old pages leave the
write-ahead log too.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict
from typing import Any, TypeVar

from graph.core.errors import StoreUnavailable
from graph.core.membership import VIA_LABEL
from graph.core.records import Batch
from graph.core.store import WriteSummary
from graph.core.write import write_batch
from graph.joining.form import Submission
from graph.joining.proposal import (
    AUDIT_FIELDS,
    PROPOSAL_FIELDS,
    AuditEntry,
    Proposal,
    ProposalStatus,
    audit_from,
    audit_props,
    proposal_from,
    proposal_props,
)
from graph.joining.registration import (
    CONTACT_FIELDS,
    REGISTRATION_FIELDS,
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
from graph.stores.sqlite.transactions import Database, SqliteWriteTx, existing_in

T = TypeVar("T")

REGISTRATION_SCHEMA = """
PRAGMA secure_delete = ON;
CREATE TABLE IF NOT EXISTS registrations (
    id                TEXT PRIMARY KEY,
    status            TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    ags               TEXT NOT NULL,
    municipality_name TEXT NOT NULL,
    interests         TEXT NOT NULL,  -- JSON list of topic ids
    offer             TEXT,
    seek              TEXT,
    projects          TEXT,
    consent_version   TEXT NOT NULL,
    consent_digest    TEXT NOT NULL,
    submitted_at      TEXT NOT NULL,
    decided_at        TEXT,
    decided_by        TEXT,
    reason            TEXT,
    fingerprint       TEXT NOT NULL,
    confirm_by        TEXT,  -- set while the address is unconfirmed
    confirmed_at      TEXT
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS registrations_one_pending_per_ags
    ON registrations (ags) WHERE status = 'pending';
CREATE TABLE IF NOT EXISTS contacts (
    id              TEXT PRIMARY KEY,
    registration_id TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    function        TEXT NOT NULL,
    email           TEXT NOT NULL,
    phone           TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tokens (
    hash       TEXT PRIMARY KEY,  -- SHA-256 of the token; the token itself is never stored
    purpose    TEXT NOT NULL,
    subject    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tokens_by_subject ON tokens (subject);
CREATE TABLE IF NOT EXISTS proposals (
    id                   TEXT PRIMARY KEY,
    kind                 TEXT NOT NULL,
    ags                  TEXT NOT NULL,
    municipality_name    TEXT NOT NULL,
    author               TEXT,
    status               TEXT NOT NULL,
    change               TEXT NOT NULL,  -- JSON
    before               TEXT,           -- JSON
    target               TEXT,
    partner_ags          TEXT,
    partner_confirmed_at TEXT,
    submitted_at         TEXT NOT NULL,
    decided_at           TEXT,
    decided_by           TEXT,
    reason               TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit (
    id        TEXT PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    actor_ref TEXT,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    detail    TEXT
) WITHOUT ROWID;
"""
#: Columns added after the first release: an older file gets them on opening.
ADDED_COLUMNS = (("registrations", "confirm_by"), ("registrations", "confirmed_at"))

CLEAR_REGISTRATIONS = (
    "DELETE FROM contacts",
    "DELETE FROM registrations",
    "DELETE FROM tokens",
    "DELETE FROM proposals",
    "DELETE FROM audit",
)

INSERT_REGISTRATION = (
    f"INSERT INTO registrations ({', '.join(REGISTRATION_FIELDS)}) "
    f"VALUES ({', '.join(':' + f for f in REGISTRATION_FIELDS)})"
)
INSERT_CONTACT = (
    f"INSERT INTO contacts (id, registration_id, {', '.join(CONTACT_FIELDS)}) "
    f"VALUES (:id, :registration_id, {', '.join(':' + f for f in CONTACT_FIELDS)})"
)
SELECT_FINGERPRINT = "SELECT fingerprint FROM registrations WHERE id = ?"
_SELECT = (
    "SELECT r.*, c.name AS c_name, c.function AS c_function, c.email AS c_email, "
    "c.phone AS c_phone, c.id AS c_id "
    "FROM registrations r LEFT JOIN contacts c ON c.registration_id = r.id"
)
SELECT_ALL = _SELECT
SELECT_BY_STATUS = _SELECT + " WHERE r.status = ?"
SELECT_ONE = _SELECT + " WHERE r.id = ?"
#: The membership rule (`graph.core.membership`) for one municipality and one network:
#: ``MEMBER_OF`` the network, or ``MEMBER_OF`` an organisation that is.
IS_MEMBER = (
    "SELECT 1 FROM rels WHERE type = 'MEMBER_OF' AND start_label = 'Municipality' "
    "AND start_key = :ags AND end_label = 'Network' AND end_key = :network "
    "UNION ALL "
    "SELECT 1 FROM rels a JOIN rels b ON b.type = 'MEMBER_OF' AND b.start_label = a.end_label "
    "AND b.start_key = a.end_key AND b.end_label = 'Network' AND b.end_key = :network "
    "WHERE a.type = 'MEMBER_OF' AND a.start_label = 'Municipality' AND a.start_key = :ags "
    f"AND a.end_label = '{VIA_LABEL}' "
    "LIMIT 1"
)
DECIDE = (
    "UPDATE registrations SET status = ?, decided_at = ?, decided_by = ?, reason = ? "
    "WHERE id = ? AND status = 'pending'"
)
DELETE_CONTACT = "DELETE FROM contacts WHERE registration_id = ?"
CONFIRM = "UPDATE registrations SET confirm_by = NULL, confirmed_at = ? WHERE id = ?"
UNCONFIRMED_DUE = "SELECT id FROM registrations WHERE confirm_by IS NOT NULL AND confirm_by < ?"
MEMBER_CONTACT = (
    _SELECT + " WHERE r.status = 'approved' AND r.confirm_by IS NULL AND lower(c.email) = ? "
    "ORDER BY r.decided_at DESC LIMIT 1"
)
INSERT_TOKEN = (
    f"INSERT INTO tokens ({', '.join(TOKEN_FIELDS)}) "
    f"VALUES ({', '.join(':' + f for f in TOKEN_FIELDS)})"
)
SELECT_TOKEN = f"SELECT {', '.join(TOKEN_FIELDS)} FROM tokens WHERE hash = ?"
USE_TOKEN = "UPDATE tokens SET used_at = ? WHERE hash = ?"
DROP_TOKENS = "DELETE FROM tokens WHERE subject = ?"
INSERT_PROPOSAL = (
    f"INSERT INTO proposals ({', '.join(PROPOSAL_FIELDS)}) "
    f"VALUES ({', '.join(':' + f for f in PROPOSAL_FIELDS)})"
)
SELECT_PROPOSALS = f"SELECT {', '.join(PROPOSAL_FIELDS)} FROM proposals"
SELECT_PROPOSAL = SELECT_PROPOSALS + " WHERE id = ?"
SELECT_PROPOSALS_BY_STATUS = SELECT_PROPOSALS + " WHERE status = ?"
DELETE_OPEN_PROPOSALS = (
    "DELETE FROM proposals WHERE author = ? AND status IN ('pending', 'awaiting_partner')"
)
UNLINK_PROPOSALS = "UPDATE proposals SET author = NULL WHERE author = ?"
INSERT_AUDIT = (
    f"INSERT INTO audit ({', '.join(AUDIT_FIELDS)}) "
    f"VALUES ({', '.join(':' + f for f in AUDIT_FIELDS)})"
)
SELECT_AUDIT = f"SELECT {', '.join(AUDIT_FIELDS)} FROM audit ORDER BY at, id"
SCRUB_AUDIT = "UPDATE audit SET actor = ?, actor_ref = NULL WHERE actor_ref = ?"
DELETE_REGISTRATION = "DELETE FROM registrations WHERE id = ?"


def ensure_registration_schema(db: sqlite3.Connection) -> None:
    db.executescript(REGISTRATION_SCHEMA)
    for table, column in ADDED_COLUMNS:
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if column not in have:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")


def _named(cursor: sqlite3.Cursor) -> Iterator[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    for values in cursor:
        yield dict(zip(names, values, strict=True))


def _registration(row: Mapping[str, Any]) -> Registration:
    props = {k: row[k] for k in REGISTRATION_FIELDS}
    props["interests"] = json.loads(row["interests"])
    contact = {k: row[f"c_{k}"] for k in CONTACT_FIELDS} if row["c_id"] is not None else None
    return registration_from(props, contact)


class SqliteRegistrationTx:
    """`RegistrationTx` on one SQLite connection (inside ``BEGIN IMMEDIATE`` for writes)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def _rows(self, query: str, *params: Any) -> Iterator[Registration]:
        cursor = self.db.execute(query, params)
        names = [d[0] for d in cursor.description]
        for values in cursor:
            yield _registration(dict(zip(names, values, strict=True)))

    def fingerprint(self, reg_id: str) -> str | None:
        row = self.db.execute(SELECT_FINGERPRINT, (reg_id,)).fetchone()
        return None if row is None else str(row[0])

    def insert(self, sub: Submission) -> None:
        props = registration_props(sub)
        row = {f: props.get(f) for f in REGISTRATION_FIELDS}
        row["interests"] = json.dumps(props["interests"], ensure_ascii=False)
        contact = {f: None for f in CONTACT_FIELDS} | contact_props(sub)
        try:
            self.db.execute(INSERT_REGISTRATION, row)
        except sqlite3.IntegrityError:
            # the partial unique index: another registration for this AGS is pending
            raise UniqueClash(sub.id) from None
        self.db.execute(
            INSERT_CONTACT, {"id": contact_id(sub.id), "registration_id": sub.id, **contact}
        )

    def lock(self, reg_id: str) -> Registration | None:
        # BEGIN IMMEDIATE has taken the database's write lock already
        return self.registration(reg_id)

    def registration(self, reg_id: str) -> Registration | None:
        return next(self._rows(SELECT_ONE, reg_id), None)

    def registrations(self, status: Status | None) -> list[Registration]:
        if status is None:
            return list(self._rows(SELECT_ALL))
        return list(self._rows(SELECT_BY_STATUS, status.value))

    def existing(self, refs: set[tuple[str, str]]) -> set[tuple[str, str]]:
        return existing_in(self.db, refs)

    def is_member(self, ags: str, network_id: str) -> bool:
        row = self.db.execute(IS_MEMBER, {"ags": ags, "network": network_id}).fetchone()
        return row is not None

    def write(self, batch: Batch) -> WriteSummary:
        return write_batch(SqliteWriteTx(self.db), batch)

    def decide(
        self, reg_id: str, status: Status, at: str, by: str | None, reason: str | None
    ) -> None:
        self.db.execute(DECIDE, (status.value, at, by, reason, reg_id))

    def erase(self, reg_id: str) -> bool:
        self.db.execute(DELETE_CONTACT, (reg_id,))
        return int(self.db.execute(DELETE_REGISTRATION, (reg_id,)).rowcount) > 0

    def confirm(self, reg_id: str, at: str) -> None:
        self.db.execute(CONFIRM, (at, reg_id))

    def unconfirmed_due(self, now: str) -> list[str]:
        return [str(r[0]) for r in self.db.execute(UNCONFIRMED_DUE, (now,))]

    def member_contact(self, email: str) -> Registration | None:
        return next(self._rows(MEMBER_CONTACT, email.strip().lower()), None)

    def put_token(self, token: StoredToken) -> None:
        self.db.execute(INSERT_TOKEN, asdict(token))

    def take_token(self, token_hash: str) -> StoredToken | None:
        # BEGIN IMMEDIATE holds the write lock: no one else uses it meanwhile
        row = next(_named(self.db.execute(SELECT_TOKEN, (token_hash,))), None)
        return None if row is None else StoredToken(**row)

    def use_token(self, token_hash: str, at: str) -> None:
        self.db.execute(USE_TOKEN, (at, token_hash))

    def drop_tokens(self, subject: str) -> None:
        self.db.execute(DROP_TOKENS, (subject,))

    def insert_proposal(self, proposal: Proposal) -> None:
        props = proposal_props(proposal)
        self.db.execute(INSERT_PROPOSAL, {f: props.get(f) for f in PROPOSAL_FIELDS})

    def proposal(self, proposal_id: str, *, lock: bool = False) -> Proposal | None:
        row = next(_named(self.db.execute(SELECT_PROPOSAL, (proposal_id,))), None)
        return None if row is None else proposal_from(row)

    def proposals(self, status: ProposalStatus | None) -> list[Proposal]:
        if status is None:
            cursor = self.db.execute(SELECT_PROPOSALS)
        else:
            cursor = self.db.execute(SELECT_PROPOSALS_BY_STATUS, (status.value,))
        return [proposal_from(row) for row in _named(cursor)]

    def update_proposal(self, proposal_id: str, changes: Mapping[str, Any]) -> None:
        for name in changes:
            if name not in PROPOSAL_FIELDS:
                raise ValueError(name)
        assignments = ", ".join(f"{name} = :{name}" for name in changes)
        self.db.execute(
            f"UPDATE proposals SET {assignments} WHERE id = :_id", {**changes, "_id": proposal_id}
        )

    def erase_proposals(self, author: str) -> None:
        self.db.execute(DELETE_OPEN_PROPOSALS, (author,))
        self.db.execute(UNLINK_PROPOSALS, (author,))

    def add_audit(self, entry: AuditEntry) -> None:
        props = audit_props(entry)
        self.db.execute(INSERT_AUDIT, {f: props.get(f) for f in AUDIT_FIELDS})

    def audit(self) -> list[AuditEntry]:
        return [audit_from(row) for row in _named(self.db.execute(SELECT_AUDIT))]

    def scrub_audit(self, actor_ref: str, actor: str) -> None:
        self.db.execute(SCRUB_AUDIT, (actor, actor_ref))


class SqliteRegistrations:
    """`RegistrationBackend` of the embedded store."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def transaction(self, work: Callable[[RegistrationTx], T]) -> T:
        try:
            with self.database.write() as db:
                return work(SqliteRegistrationTx(db))
        except sqlite3.OperationalError as exc:
            # locked past the busy timeout, disk full, read-only: the caller keeps a
            # submission in the outbox rather than lose it
            raise StoreUnavailable(f"Die Datenbankdatei nimmt gerade nichts an ({exc}).") from exc

    def read(self, work: Callable[[RegistrationTx], T]) -> T:
        with self.database.read() as db:
            return work(SqliteRegistrationTx(db))

    def erased(self) -> None:
        """After an erase (outside its transaction): copy the overwritten pages into the
        database file and empty the WAL now, not at some later checkpoint, so the erased
        text is gone from both files. A reader holding an old snapshot in another process
        can delay this until it finishes (see docs/registrations.md)."""
        self.database.checkpoint()

    def clear(self, db: sqlite3.Connection) -> None:
        """Delete every registration inside the caller's transaction (`kommunetz reset`);
        not executescript: that would commit the caller's transaction first."""
        for statement in CLEAR_REGISTRATIONS:
            db.execute(statement)
