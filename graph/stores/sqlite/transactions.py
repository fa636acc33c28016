"""The embedded store's connection and transactions, and its part of the write path.

One connection per store object, shared by threads under a lock; a write runs in one
``BEGIN IMMEDIATE`` transaction (committed whole or rolled back), so that a second process
waits for it (up to the busy timeout) instead of failing half-way. `SqliteWriteTx` gives
the one write path (`graph.core.write`) what it needs inside such a transaction.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from graph.core.errors import StoreUnavailable
from graph.core.records import group_refs
from graph.core.write import Ends, NodeChange, RelChange, RelGroup
from graph.stores.sqlite import statements as sql

CHECKPOINT = "PRAGMA wal_checkpoint(TRUNCATE)"


def dumps(props: Mapping[str, Any]) -> str:
    # sort_keys: equal property maps give equal text, so "unchanged" is a string compare
    return json.dumps(props, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def loads(text: str) -> Any:
    """What `dumps` wrote. By orjson, four times faster than the standard library (290,000
    rows are read to build the graph at Germany scale); the standard library for what
    orjson refuses and `dumps` may have written (``NaN``, integers beyond 64 bits)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


class Database:
    """One SQLite file: its connection, the lock that serialises its use, and
    transactions. Raises `StoreUnavailable` when the file cannot be opened."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.connection = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, timeout=30
            )
        except (OSError, sqlite3.Error) as exc:
            raise StoreUnavailable(
                f"Die Datenbankdatei {self.path} kann nicht geöffnet werden: {exc}. "
                "Prüfen Sie KOMMUNETZ_DB und die Schreibrechte."
            ) from exc
        self.lock = threading.RLock()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; the whole block is committed or nothing is."""
        with self.lock:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield self.connection
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            else:
                self.connection.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """The connection for reads (each statement sees committed data)."""
        with self.lock:
            yield self.connection

    def checkpoint(self) -> None:
        """Copy the WAL into the database file and empty it now (after an erase, so that
        erased text is gone from both files)."""
        with self.lock:
            self.connection.execute(CHECKPOINT)

    def close(self) -> None:
        with self.lock:
            self.connection.close()


def existing_in(db: sqlite3.Connection, refs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of the (label, key) pairs are stored."""
    found: set[tuple[str, str]] = set()
    for label, keys in group_refs(refs).items():
        for i in range(0, len(keys), sql.CHUNK):
            chunk = keys[i : i + sql.CHUNK]
            rows = db.execute(sql.select_keys(len(chunk)), (label, *chunk))
            found.update((label, k) for (k,) in rows)
    return found


class SqliteWriteTx:
    """`graph.core.write.WriteTx` inside an open SQLite write transaction. Nodes and
    relationships are stored whole (all properties as JSON), so it writes ``after``."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def existing(self, refs: set[tuple[str, str]]) -> set[tuple[str, str]]:
        return existing_in(self.db, refs)

    def stored_nodes(self, label: str, keys: list[str]) -> dict[str, dict[str, Any]]:
        if len(keys) > sql.SCAN_ABOVE:
            rows = self.db.execute(sql.SELECT_PROPS_OF_LABEL, (label,)).fetchall()
        else:
            rows = []
            for i in range(0, len(keys), sql.CHUNK):
                chunk = keys[i : i + sql.CHUNK]
                rows += self.db.execute(sql.select_props(len(chunk)), (label, *chunk)).fetchall()
        return {k: loads(v) for k, v in rows}

    def put_nodes(self, label: str, rows: Iterable[NodeChange]) -> None:
        self.db.executemany(sql.UPSERT_NODE, [(label, k, dumps(after)) for k, after, _, _ in rows])

    def stored_rels(self, group: RelGroup, ends: list[Ends]) -> dict[Ends, dict[str, Any]]:
        rtype, sl, el = group
        if len(ends) > sql.SCAN_ABOVE:
            rows = self.db.execute(sql.SELECT_RELS_OF_GROUP, group).fetchall()
            return {(sk, ek): loads(props) for sk, ek, props in rows}
        out: dict[Ends, dict[str, Any]] = {}
        for sk, ek in ends:
            row = self.db.execute(sql.SELECT_REL, (rtype, sl, sk, el, ek)).fetchone()
            if row is not None:
                out[(sk, ek)] = loads(row[0])
        return out

    def put_rels(self, group: RelGroup, rows: Iterable[RelChange]) -> None:
        rtype, sl, el = group
        self.db.executemany(
            sql.UPSERT_REL, [(rtype, sl, s, el, e, dumps(after)) for s, e, after, _, _ in rows]
        )

    def bump_version(self) -> None:
        self.db.execute(sql.BUMP_VERSION)
