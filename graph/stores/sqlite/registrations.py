"""The registration workflow for `EmbeddedStore` (SQLite).

Registrations and contacts live in tables of their own, apart from the graph's ``nodes``
and ``rels``: nothing that reads the public graph can stumble on them. A partial unique
index allows one pending registration per AGS, so that the rule holds even when two
processes submit at the same moment; every method runs in one ``BEGIN IMMEDIATE``
transaction. ``secure_delete`` overwrites erased rows in the file, and an erase ends with a
WAL checkpoint so the old pages leave the write-ahead log too.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from graph.core.errors import NotFound, StoreUnavailable
from graph.core.records import Batch
from graph.joining.form import (
    CONTACT_FIELDS,
    OPEN_NETWORK_ID,
    REGISTRATION_FIELDS,
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
IS_MEMBER = (
    "SELECT 1 FROM rels WHERE type = 'MEMBER_OF' AND start_label = 'Municipality' "
    "AND start_key = ? AND end_label = 'Network' AND end_key = ?"
)
DECIDE = (
    "UPDATE registrations SET status = ?, decided_at = ?, decided_by = ?, reason = ? "
    "WHERE id = ? AND status = 'pending'"
)
DELETE_CONTACT = "DELETE FROM contacts WHERE registration_id = ?"
DELETE_REGISTRATION = "DELETE FROM registrations WHERE id = ?"
CHECKPOINT = "PRAGMA wal_checkpoint(TRUNCATE)"


def _registration(row: Mapping[str, Any]) -> Registration:
    props = {k: row[k] for k in REGISTRATION_FIELDS}
    props["interests"] = json.loads(row["interests"])
    contact = {k: row[f"c_{k}"] for k in CONTACT_FIELDS} if row["c_id"] is not None else None
    return registration_from(props, contact)


class SqliteRegistrations:
    """Mixin for `EmbeddedStore`: the `RegistrationStore` methods in SQL."""

    if TYPE_CHECKING:
        _db: sqlite3.Connection
        _lock: threading.RLock

        def _tx(self) -> AbstractContextManager[sqlite3.Connection]: ...

        def _write_in(
            self, db: sqlite3.Connection, batch: Batch, require_sources: bool = True
        ) -> WriteSummary: ...

        def existing(self, refs: Any) -> set[tuple[str, str]]: ...

    def _ensure_registration_schema(self, db: sqlite3.Connection) -> None:
        db.executescript(REGISTRATION_SCHEMA)

    def _clear_registrations(self, db: sqlite3.Connection) -> None:
        # not executescript: that would commit the caller's transaction first
        for statement in CLEAR_REGISTRATIONS:
            db.execute(statement)

    def _rows(self, db: sqlite3.Connection, query: str, *params: Any) -> Iterator[Registration]:
        cursor = db.execute(query, params)
        names = [d[0] for d in cursor.description]
        for values in cursor:
            yield _registration(dict(zip(names, values, strict=True)))

    def submit_registration(self, sub: Submission) -> SubmitReceipt:
        try:
            return self._submit(sub)
        except sqlite3.OperationalError as exc:
            # locked past the busy timeout, disk full, read-only: the caller keeps the
            # submission in the outbox rather than lose it
            raise StoreUnavailable(f"Die Datenbankdatei nimmt gerade nichts an ({exc}).") from exc

    def _submit(self, sub: Submission) -> SubmitReceipt:
        props = registration_props(sub)
        row = {f: props.get(f) for f in REGISTRATION_FIELDS}
        row["interests"] = json.dumps(props["interests"], ensure_ascii=False)
        contact = {f: None for f in CONTACT_FIELDS} | contact_props(sub)
        with self._tx() as db:
            known = db.execute(SELECT_FINGERPRINT, (sub.id,)).fetchone()
            if known is not None:
                if known[0] != props["fingerprint"]:
                    raise ReferenceTaken(f"Die Referenznummer {sub.reference} ist vergeben.")
                return SubmitReceipt(sub.id, created=False)
            try:
                db.execute(INSERT_REGISTRATION, row)
            except sqlite3.IntegrityError:
                # the partial unique index: another registration for this AGS is pending
                raise DuplicatePending(duplicate_message(sub)) from None
            db.execute(
                INSERT_CONTACT, {"id": contact_id(sub.id), "registration_id": sub.id, **contact}
            )
        return SubmitReceipt(sub.id, created=True)

    def registrations(self, status: Status | None = None) -> list[Registration]:
        with self._lock:
            if status is None:
                found = list(self._rows(self._db, SELECT_ALL))
            else:
                found = list(self._rows(self._db, SELECT_BY_STATUS, Status(status).value))
        return sort_registrations(found)

    def registration(self, reg_id: str) -> Registration | None:
        with self._lock:
            return next(self._rows(self._db, SELECT_ONE, reg_id), None)

    def _pending(self, db: sqlite3.Connection, reg_id: str) -> Registration:
        reg = next(self._rows(db, SELECT_ONE, reg_id), None)
        if reg is None:
            raise NotFound(not_found_message(reg_id))
        check_pending(reg)
        return reg

    def approve_registration(
        self, reg_id: str, *, now: datetime, decided_by: str | None = None
    ) -> Admission:
        with self._tx() as db:
            reg = self._pending(db, reg_id)
            present = self.existing(admission_refs(reg))
            was_member = db.execute(IS_MEMBER, (reg.ags, OPEN_NETWORK_ID)).fetchone() is not None
            self._write_in(db, admission_batch(reg, now, present, was_member))
            db.execute(DECIDE, (Status.APPROVED.value, utc_text(now), decided_by, None, reg_id))
            decided = next(self._rows(db, SELECT_ONE, reg_id))
        return Admission(
            decided,
            member_since(now),
            municipality_created=("Municipality", reg.ags) not in present,
            was_member=was_member,
        )

    def reject_registration(
        self, reg_id: str, reason: str, *, now: datetime, decided_by: str | None = None
    ) -> Registration:
        text = check_reason(reason)
        with self._tx() as db:
            self._pending(db, reg_id)
            db.execute(DECIDE, (Status.REJECTED.value, utc_text(now), decided_by, text, reg_id))
            return next(self._rows(db, SELECT_ONE, reg_id))

    def erase_registration(self, reg_id: str) -> bool:
        with self._tx() as db:
            db.execute(DELETE_CONTACT, (reg_id,))
            found = db.execute(DELETE_REGISTRATION, (reg_id,)).rowcount > 0
        self._wipe_wal()
        return found

    def _wipe_wal(self) -> None:
        """After an erase (outside its transaction): copy the overwritten pages into the
        database file and empty the WAL now, not at some later checkpoint, so the erased
        text is gone from both files. A reader holding an old snapshot in another process
        can delay this until it finishes (see docs/registrations.md)."""
        with self._lock:
            self._db.execute(CHECKPOINT)
