"""`Neo4jStore`: the graph in a Neo4j server, reached over Bolt with the official driver.

The package's parts: `statements` (the Cypher of the graph: constraints, reads, writes),
`transactions` (the driver session, explicit and retried transactions, the store's part of
the write path), `questions` (the raw reads of the guided questions in Cypher),
`registrations` (the registration workflow's per-store part), `console` (the read-only
Cypher console).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx
from neo4j import Driver, GraphDatabase, NotificationMinimumSeverity
from neo4j.exceptions import DriverError, Neo4jError

from graph.core.cache import VersionCache
from graph.core.errors import StoreUnavailable
from graph.core.model import PUBLIC_LABELS, key_property
from graph.core.nxgraph import NodeRow, RelRow, cached_graph
from graph.core.records import Batch
from graph.core.search import Hit, SearchIndex, find_hits
from graph.core.stats import GraphStats, StatRows, store_stats
from graph.core.store import WriteSummary
from graph.core.write import write_batch
from graph.questions.console import ConsoleResult
from graph.stores.neo4j import statements as cypher
from graph.stores.neo4j.console import execute_read
from graph.stores.neo4j.questions import CypherQuestions
from graph.stores.neo4j.registrations import REGISTRATION_CONSTRAINTS, CypherRegistrations
from graph.stores.neo4j.transactions import (
    CypherWriteTx,
    Session,
    existing_in,
    unavailable_message,
)


class Neo4jStore:
    """The graph in a Neo4j database. The driver is passed in and closed by `close` only
    when this store created it (see `graph.stores.open.open_store`)."""

    kind = "neo4j"

    def __init__(self, driver: Driver, database: str = "neo4j", *, owns_driver: bool = False):
        self.driver = driver
        self.database = database
        self._owns_driver = owns_driver
        self.session = Session(driver, database)
        self._graphs: VersionCache[nx.MultiDiGraph] = VersionCache()
        self._names: VersionCache[SearchIndex] = VersionCache()
        self._questions = CypherQuestions(self.session.read)
        self._registrations = CypherRegistrations(self.session)
        self.ensure_schema()

    @classmethod
    def connect(
        cls, uri: str, user: str | None, password: str | None, database: str = "neo4j"
    ) -> Neo4jStore:
        """Open a driver for ``uri`` and check that the server answers."""
        auth = (user or "neo4j", password) if password else None
        try:
            # notifications off: "property does not exist" warnings are expected for optional
            # properties and would flood the log
            driver = GraphDatabase.driver(
                uri, auth=auth, notifications_min_severity=NotificationMinimumSeverity.OFF
            )
            driver.verify_connectivity()
        except (DriverError, Neo4jError, ValueError, OSError) as exc:
            raise StoreUnavailable(unavailable_message(uri, exc)) from exc
        return cls(driver, database, owns_driver=True)

    def ensure_schema(self) -> None:
        for statement in [*cypher.CONSTRAINTS, *REGISTRATION_CONSTRAINTS]:
            self.session.run(statement)

    def close(self) -> None:
        if self._owns_driver:
            self.driver.close()

    def version(self) -> int:
        rec = self.session.read(cypher.READ_VERSION)
        return int(rec[0]["version"] or 0) if rec else 0

    def question_reads(self) -> CypherQuestions:
        """The raw reads of the guided questions (`graph.questions.rows.QuestionReads`)."""
        return self._questions

    def registration_backend(self) -> CypherRegistrations:
        """The registration workflow's part in this store (`graph.joining.registration`)."""
        return self._registrations

    def read_only_cypher(self, text: str, *, timeout_s: float, row_limit: int) -> ConsoleResult:
        """The console's statement, run read-only (`graph.questions.console.run_console`
        checks it first)."""
        return execute_read(
            self.driver, self.database, text, timeout_s=timeout_s, row_limit=row_limit
        )

    # -- writing --------------------------------------------------------------------------

    def existing(self, refs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        return self.session.read_tx(lambda tx: existing_in(tx, refs))

    def write(self, batch: Batch, *, require_sources: bool = True) -> WriteSummary:
        return self.session.write(
            lambda tx: write_batch(CypherWriteTx(tx), batch, require_sources=require_sources)
        )

    def clear(self) -> None:
        self.session.autocommit(cypher.CLEAR, cypher.BUMP_VERSION)

    # -- reading --------------------------------------------------------------------------

    def stats(self) -> GraphStats:
        return store_stats(self, self._stat_rows)

    def _stat_rows(self) -> StatRows:
        counts: dict[str, dict[str, int]] = {"node": {}, "rel": {}}
        for rec in self.session.read(cypher.COUNTS):
            counts[rec["kind"]][rec["name"]] = int(rec["n"])
        return StatRows(
            counts["node"],
            counts["rel"],
            {r["level"]: int(r["n"]) for r in self.session.read(cypher.LEVELS)},
            [
                (r["key"], r["props"], int(r["n"]))
                for r in self.session.read(cypher.NETWORK_MEMBERS)
            ],
            [
                (r["key"], r["role"], int(r["n"]))
                for r in self.session.read(cypher.NETWORK_PARTNERS)
            ],
            [(r["key"], r["props"], int(r["n"])) for r in self.session.read(cypher.GROUP_MEMBERS)],
            {r["kind"]: int(r["n"]) for r in self.session.read(cypher.VERBAND_KINDS)},
            self._questions.q_participations(),  # only the programmes' items are read
        )

    def is_empty(self) -> bool:
        return not self.session.read(cypher.ANY_NODE, labels=sorted(PUBLIC_LABELS))

    def node(self, label: str, key: str) -> dict[str, Any] | None:
        if label not in PUBLIC_LABELS:  # registrations are read through their own methods
            return None
        rec = self.session.read(cypher.NODE_BY_KEY[label], key=key)
        if not rec:
            return None
        props = dict(rec[0]["props"])
        props.pop(key_property(label), None)
        return props

    def graph(self, labels: Iterable[str] | None = None) -> nx.MultiDiGraph:
        return cached_graph(self._graphs, self.version(), labels, self._rows)

    def _rows(self, labels: list[str]) -> tuple[list[NodeRow], list[RelRow]]:
        ids: dict[str, tuple[str, str]] = {}
        node_rows: list[NodeRow] = []
        for rec in self.session.read(cypher.READ_NODES, labels=labels):
            label = rec["label"]
            props = dict(rec["props"])
            key = props.pop(key_property(label))
            ids[rec["eid"]] = (label, key)
            node_rows.append((label, key, props))
        rel_rows: list[RelRow] = []
        for rec in self.session.read(cypher.READ_RELS, labels=labels):
            (sl, sk), (el, ek) = ids[rec["a"]], ids[rec["b"]]
            rel_rows.append((rec["type"], sl, sk, el, ek, dict(rec["props"])))
        return node_rows, rel_rows

    def search(self, text: str, labels: Iterable[str] | None = None, limit: int = 20) -> list[Hit]:
        chosen = sorted(frozenset(labels) & PUBLIC_LABELS if labels else PUBLIC_LABELS)
        if not text.strip():
            return []
        index = self._names.get(self.version(), tuple(chosen), lambda: self._search_index(chosen))
        return find_hits(text, index, limit)

    def _search_index(self, labels: list[str]) -> SearchIndex:
        """Every candidate of a search of ``labels``, kept per data version."""
        return SearchIndex(
            (rec["label"], rec["key"], {k: v for k, v in rec["props"].items() if v is not None})
            for rec in self.session.read(cypher.SEARCH_ROWS, labels=labels)
        )
