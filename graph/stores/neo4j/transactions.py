"""The Neo4j store's transactions, and its part of the write path.

`Session` holds the driver and the database name (passed on every call: it saves a round
trip) and runs three kinds of work: a read (`read`, routed to a reader), a load
(`write`: one explicit transaction and no automatic retry — a half-failed load must not be
replayed behind the user's back, and a failure rolls everything back), and a short
workflow transaction (`retrying`: deadlocks and other transient errors are retried, a
lost connection once). `CypherWriteTx` gives the one write path (`graph.core.write`) what
it needs inside an open transaction: it sends only what changes (``SET x += changes``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

import neo4j
from neo4j import Driver
from neo4j.exceptions import (
    AuthError,
    ConnectionPoolError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from graph.core.errors import StoreUnavailable
from graph.core.model import key_property
from graph.core.records import group_refs
from graph.core.write import Ends, NodeChange, RelChange, RelGroup
from graph.stores.neo4j import statements as cypher

T = TypeVar("T")
Tx = neo4j.Transaction | neo4j.ManagedTransaction

#: Attempts for one workflow transaction when Neo4j reports a transient error (a deadlock
#: between concurrent submissions, say). The work is repeated from the start each time.
ATTEMPTS = 8

#: Attempts for one read (`Session.read`).
READ_ATTEMPTS = 3

#: What the driver raises when the store cannot be used now. A pool error too: right
#: after a server restart, with many visitors at once, the driver may find no connection
#: within its acquisition timeout (seen in the many-users outage run) — for the visitor
#: that is the same "nicht erreichbar", not a traceback.
_OUTAGE = (ServiceUnavailable, SessionExpired, AuthError, ConnectionPoolError)


#: Words in the driver's (English) messages → the German reason a coordinator reads.
_REASONS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("connection refused", "errno 111", "[errno 61]"),
        "die Verbindung wurde abgelehnt – dort läuft kein Server",
    ),
    (
        ("resolve", "name or service not known", "nodename nor servname"),
        "der Rechnername ist unbekannt",
    ),
    (
        ("connection from the pool",),
        "keine Verbindung wurde rechtzeitig frei (der Server ist überlastet oder startet neu)",
    ),
    (("timed out", "timeout"), "der Server hat nicht rechtzeitig geantwortet"),
    (
        ("ssl", "certificate", "tls"),
        "die verschlüsselte Verbindung kam nicht zustande (Zertifikat, TLS)",
    ),
    (("defunct", "connection reset", "broken pipe", "closed"), "die Verbindung ist abgebrochen"),
    (("scheme", "uri"), "die Adresse ist keine Neo4j-Adresse (bolt://, neo4j://, neo4j+s://)"),
    (
        ("databasenotfound", "database does not exist", "graph reference"),
        "die Datenbank (NEO4J_DATABASE) gibt es dort nicht",
    ),
)


def _reason(exc: BaseException) -> str:
    """Why the driver failed, in German (the driver speaks English)."""
    text = f"{type(exc).__name__} {getattr(exc, 'code', '') or ''} {exc}".lower()
    for words, reason in _REASONS:
        if any(w in text for w in words):
            return reason
    return "der Server antwortet nicht"


def unavailable_message(uri: str, exc: BaseException) -> str:
    """A German sentence for a failed connection (never the driver's English)."""
    if isinstance(exc, AuthError):
        return (
            f"Anmeldung bei Neo4j ({uri}) abgelehnt. Prüfen Sie NEO4J_USERNAME und NEO4J_PASSWORD."
        )
    return (
        f"Neo4j unter {uri} ist nicht erreichbar: {_reason(exc)}. Läuft der Server? Ohne "
        "NEO4J_URI nutzt kommunetz die eingebettete Datenbank."
    )


class Session:
    """The driver and database of one store, and the ways to run work on them."""

    def __init__(self, driver: Driver, database: str) -> None:
        self.driver = driver
        self.database = database

    @contextmanager
    def errors(self) -> Iterator[None]:
        """An outage or a refused login becomes `StoreUnavailable`."""
        try:
            yield
        except _OUTAGE as exc:
            raise StoreUnavailable(unavailable_message("Neo4j", exc)) from exc

    def _session(self, *, read: bool = False) -> neo4j.Session:
        """A session on the store's database; all of them share the driver's bookmark
        manager, so a read sees the write before it also on a cluster."""
        return self.driver.session(
            database=self.database,
            default_access_mode=neo4j.READ_ACCESS if read else neo4j.WRITE_ACCESS,
            bookmark_manager=self.driver.execute_query_bookmark_manager,
        )

    def read(self, query: str, **params: Any) -> list[neo4j.Record]:
        """One read statement in an auto-commit transaction: one round trip (RUN and PULL
        together) where a managed transaction (``execute_query``) needs BEGIN and COMMIT
        too: a trivial read took 1.85 ms p50 / 4.96 ms p95 that way on the test server,
        1.10 / 2.27 ms in auto-commit (docs/performance.md), at three reads per
        question. The driver retries no auto-commit transaction, so this does it: a
        transient error a few times, a lost connection once (a restarted server leaves
        dead connections in the pool) — not for the driver's 30 s window: a visitor gets
        "nicht erreichbar" at once when the server is down."""

        def once() -> list[neo4j.Record]:
            with self._session(read=True) as session:
                return list(session.run(query, params))

        return self._retried(READ_ATTEMPTS, once)

    def read_tx(self, work: Callable[[neo4j.ManagedTransaction], T]) -> T:
        """``work`` in a managed read transaction (retried by the driver)."""
        with self.errors(), self._session(read=True) as session:
            return session.execute_read(work)

    def run(self, query: str) -> None:
        """One statement in its own managed transaction (the schema)."""
        with self.errors():
            self.driver.execute_query(query, database_=self.database)

    def autocommit(self, *queries: str) -> None:
        """Statements in auto-commit transactions, one after the other (what ``CALL … IN
        TRANSACTIONS`` needs)."""
        with self.errors(), self._session() as session:
            for query in queries:
                session.run(query).consume()

    def write(self, work: Callable[[neo4j.Transaction], T]) -> T:
        """``work`` in one explicit transaction, committed at its end; no retry."""
        with (
            self.errors(),
            self._session() as session,
            session.begin_transaction() as tx,
        ):
            result = work(tx)
            tx.commit()
        return result

    def retrying(self, work: Callable[[neo4j.Transaction], T]) -> T:
        """``work`` in one explicit write transaction, committed; transient errors are
        retried, a lost connection once (a restarted server leaves dead connections in the
        pool), not for the driver's 30 s window: the caller falls back to the outbox at
        once. An outage becomes `StoreUnavailable` (the commit may or may not have
        happened — callers rely on ids being idempotent)."""

        def once() -> T:
            with self._session() as session, session.begin_transaction() as tx:
                result = work(tx)
                tx.commit()
                return result

        return self._retried(ATTEMPTS, once)

    def _retried(self, attempts: int, once: Callable[[], T]) -> T:
        """``once()`` again after a transient error (up to ``attempts`` in all, with a
        growing pause) and after a lost connection once, at once: after a server restart
        the pool may hand out a dead connection, which the driver then drops; a server
        that is really down refuses the second attempt just as fast (a refused login is
        no dead connection; a pool that had no connection free has already waited its
        timeout). An outage becomes `StoreUnavailable`."""
        for attempt in range(attempts):
            try:
                return once()
            except TransientError:
                if attempt == attempts - 1:
                    raise
                time.sleep(random.uniform(0.01, 0.05) * 2**attempt)
            except _OUTAGE as exc:
                if attempt == 0 and not isinstance(exc, AuthError | ConnectionPoolError):
                    continue
                raise StoreUnavailable(unavailable_message("Neo4j", exc)) from exc
        raise AssertionError("unreachable")


def existing_in(tx: Tx, refs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of the (label, key) pairs are stored, by the key indexes."""
    found: set[tuple[str, str]] = set()
    for label, keys in group_refs(refs).items():
        for rec in tx.run(cypher.EXISTING[label], keys=keys):
            found.add((label, rec["k"]))
    return found


def run_split(
    tx: neo4j.Transaction,
    create: str,
    merge: str,
    rows: Iterable[tuple[bool, dict[str, Any]]],
) -> None:
    """Run ``create`` over the rows marked new and ``merge`` over the others, in chunks of
    `statements.CHUNK`, keeping their order (a key may come twice in a batch: created
    first, then updated)."""
    chunk: list[dict[str, Any]] = []
    kind = True
    for created, row in rows:
        if chunk and (created != kind or len(chunk) >= cypher.CHUNK):
            tx.run(create if kind else merge, rows=chunk).consume()
            chunk = []
        kind = created
        chunk.append(row)
    if chunk:
        tx.run(create if kind else merge, rows=chunk).consume()


class CypherWriteTx:
    """`graph.core.write.WriteTx` inside an open Neo4j transaction: reads by the key
    indexes, writes ``changes`` only."""

    def __init__(self, tx: neo4j.Transaction) -> None:
        self.tx = tx

    def existing(self, refs: set[tuple[str, str]]) -> set[tuple[str, str]]:
        return existing_in(self.tx, refs)

    def stored_nodes(self, label: str, keys: list[str]) -> dict[str, dict[str, Any]]:
        key_prop = key_property(label)
        stored: dict[str, dict[str, Any]] = {}
        for i in range(0, len(keys), cypher.CHUNK):
            for rec in self.tx.run(
                cypher.READ_NODES_BY_KEY[label], keys=keys[i : i + cypher.CHUNK]
            ):
                props = dict(rec["props"])
                props.pop(key_prop, None)
                stored[rec["k"]] = props
        return stored

    def put_nodes(self, label: str, rows: Iterable[NodeChange]) -> None:
        # a node not stored yet is created (no index seek, no lock on the key); the
        # uniqueness constraint still guards against a concurrent load of the same key
        run_split(
            self.tx,
            cypher.CREATE_NODES[label],
            cypher.WRITE_NODES[label],
            ((new, {"key": k, "props": ch}) for k, _, ch, new in rows),
        )

    def stored_rels(self, group: RelGroup, ends: list[Ends]) -> Mapping[Ends, dict[str, Any]]:
        rows = [{"start": s, "end": e} for s, e in ends]
        stored: dict[Ends, dict[str, Any]] = {}
        for i in range(0, len(rows), cypher.CHUNK):
            for rec in self.tx.run(
                cypher.READ_RELS_BY_ENDS[group], rows=rows[i : i + cypher.CHUNK]
            ):
                stored[(rec["start"], rec["end"])] = dict(rec["props"])
        return stored

    def put_rels(self, group: RelGroup, rows: Iterable[RelChange]) -> None:
        run_split(
            self.tx,
            cypher.CREATE_RELS[group],
            cypher.WRITE_RELS[group],
            ((new, {"start": s, "end": e, "props": ch}) for s, e, _, ch, new in rows),
        )

    def bump_version(self) -> None:
        self.tx.run(cypher.BUMP_VERSION).consume()
