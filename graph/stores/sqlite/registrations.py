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
from typing import Any, TypeVar

from graph.core.errors import StoreUnavailable
from graph.core.membership import VIA_LABEL
from graph.core.records import Batch
from graph.core.store import WriteSummary
from graph.core.write import write_batch
from graph.joining.form import Submission
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
    fingerprint       TEXT NOT NULL
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
"""

CLEAR_REGISTRATIONS = ("DELETE FROM contacts", "DELETE FROM registrations")

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
DELETE_REGISTRATION = "DELETE FROM registrations WHERE id = ?"


def ensure_registration_schema(db: sqlite3.Connection) -> None:
    db.executescript(REGISTRATION_SCHEMA)


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
