"""`Neo4jStore`: the graph in a Neo4j server, reached over Bolt with the official driver.

Writes follow the pattern that makes Neo4j loads fast and safe: uniqueness constraints on
every key, one ``UNWIND $rows … MERGE`` statement per label and per relationship group
(both ends matched by key first), all statements of a batch in one explicit transaction,
and the database name passed on every call. Every statement text below is a constant
built from the model once; values always travel as parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import neo4j
import networkx as nx
from neo4j import Driver, GraphDatabase, NotificationMinimumSeverity, RoutingControl
from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable

from graph.core.errors import StoreUnavailable
from graph.core.merge import upserts
from graph.core.model import (
    NODE_TYPES,
    PRIVATE_RELS,
    PUBLIC_LABELS,
    REL_TYPES,
    key_property,
)
from graph.core.nxgraph import build_graph
from graph.core.prepare import prepare_batch
from graph.core.records import Batch, group_nodes, group_rels
from graph.core.search import NAME_PROPS, Hit, make_hit, order, rank
from graph.core.store import GraphStats, WriteSummary
from graph.stores.neo4j.questions import CypherQueries
from graph.stores.neo4j.registrations import REGISTRATION_CONSTRAINTS, CypherRegistrations

#: Rows per UNWIND statement: large enough to amortise the round trip, small enough to
#: keep each statement's parameter map modest. All chunks share one transaction.
CHUNK = 10_000

META_LABEL = "KommunetzMeta"


def _constraint(label: str) -> str:
    key = key_property(label)
    return (
        f"CREATE CONSTRAINT {label.lower()}_{key}_unique IF NOT EXISTS "
        f"FOR (n:{label}) REQUIRE n.{key} IS UNIQUE"
    )


def _seek(var: str, label: str, value: str) -> str:
    """``MATCH`` one node by its key, pinned to the uniqueness index: the plan stays a seek
    however small the label was when the statement was first planned (see `REPLAN_SKIP`)."""
    key = key_property(label)
    return f"MATCH ({var}:{label} {{{key}: {value}}}) USING INDEX {var}:{label}({key}) "


def _read_nodes(label: str) -> str:
    return f"UNWIND $keys AS k {_seek('n', label, 'k')}RETURN k, properties(n) AS props"


def _existing_keys(label: str) -> str:
    return f"UNWIND $keys AS k {_seek('n', label, 'k')}RETURN k"


def _write_nodes(label: str) -> str:
    # MERGE on a uniquely constrained key always seeks; hints are not allowed in MERGE
    key = key_property(label)
    return f"UNWIND $rows AS row MERGE (n:{label} {{{key}: row.key}}) SET n += row.props"


def _read_rels(rtype: str, start: str, end: str) -> str:
    return (
        f"UNWIND $rows AS row {_seek('a', start, 'row.start')}{_seek('b', end, 'row.end')}"
        # a pattern between two bound ends is checked by Expand(Into), never by walking
        # all 2,000 IN_STATE links of a Land; the list holds at most one map
        f"WITH row, [(a)-[r:{rtype}]->(b) | properties(r)] AS found WHERE size(found) > 0 "
        "RETURN row.start AS start, row.end AS end, found[0] AS props"
    )


def _write_rels(rtype: str, start: str, end: str) -> str:
    return (
        f"UNWIND $rows AS row {_seek('a', start, 'row.start')}{_seek('b', end, 'row.end')}"
        f"MERGE (a)-[r:{rtype}]->(b) SET r += row.props"
    )


#: Without this, Neo4j re-plans a statement whenever a load has changed the counts much —
#: on a young database after nearly every write (measured: the curated data written in
#: 6.8 s instead of 0.3 s). Safe only because every statement below is pinned to index
#: seeks (`_seek`); a plan made on an almost empty database stays right at Germany scale.
REPLAN_SKIP = "CYPHER replan=skip "

CONSTRAINTS = [_constraint(label) for label in NODE_TYPES] + [
    f"CREATE CONSTRAINT kommunetzmeta_id_unique IF NOT EXISTS "
    f"FOR (n:{META_LABEL}) REQUIRE n.id IS UNIQUE",
    *REGISTRATION_CONSTRAINTS,
]
_GROUPS = [(t, s, e) for t, rt in REL_TYPES.items() for s in rt.starts for e in rt.ends]
READ_NODES_BY_KEY = {label: REPLAN_SKIP + _read_nodes(label) for label in NODE_TYPES}
WRITE_NODES = {label: REPLAN_SKIP + _write_nodes(label) for label in NODE_TYPES}
READ_RELS_BY_ENDS = {g: REPLAN_SKIP + _read_rels(*g) for g in _GROUPS}
WRITE_RELS = {g: REPLAN_SKIP + _write_rels(*g) for g in _GROUPS}
EXISTING = {label: REPLAN_SKIP + _existing_keys(label) for label in NODE_TYPES}
NODE_BY_KEY = {
    label: f"MATCH (n:{label} {{{key_property(label)}: $key}}) RETURN properties(n) AS props"
    for label in NODE_TYPES
}
BUMP_VERSION = (
    f"MERGE (m:{META_LABEL} {{id: 'meta'}}) "
    "SET m.version = coalesce(m.version, 0) + 1 RETURN m.version AS version"
)
READ_VERSION = f"OPTIONAL MATCH (m:{META_LABEL} {{id: 'meta'}}) RETURN m.version AS version"
COUNT_NODES = (
    "MATCH (n) WITH labels(n)[0] AS label WHERE label IN $labels RETURN label, count(*) AS n"
)
COUNT_RELS = "MATCH ()-[r]->() WHERE NOT type(r) IN $private RETURN type(r) AS type, count(*) AS n"
COUNT_LEVELS = "MATCH (m:Municipality) RETURN m.level AS level, count(*) AS n"
NETWORKS = (
    "MATCH (net:Network) "
    "CALL (net) { OPTIONAL MATCH (x)-[:MEMBER_OF]->(net) RETURN count(x) AS members } "
    "CALL (net) { OPTIONAL MATCH (o)-[p:PARTNER_OF]->(net) "
    "  WITH p.role AS role, count(o) AS n RETURN collect({role: role, n: n}) AS partners } "
    "RETURN net.id AS id, net.name AS name, members, partners"
)
GROUPS = (
    "MATCH (x)-[:MEMBER_OF]->(o:Organisation) "
    "RETURN o.id AS id, o.name AS name, count(x) AS members"
)
ANY_NODE = "MATCH (n) WHERE labels(n)[0] IN $labels RETURN n LIMIT 1"
READ_NODES = (
    "MATCH (n) WHERE labels(n)[0] IN $labels "
    "RETURN elementId(n) AS eid, labels(n)[0] AS label, properties(n) AS props"
)
READ_RELS = (
    "MATCH (a)-[r]->(b) WHERE labels(a)[0] IN $labels AND labels(b)[0] IN $labels "
    "RETURN elementId(a) AS a, type(r) AS type, elementId(b) AS b, properties(r) AS props"
)
_KEY_EXPR = " ".join(f"WHEN '{label}' THEN n.{key_property(label)}" for label in sorted(NODE_TYPES))
SEARCH = (
    "MATCH (n) WHERE labels(n)[0] IN $labels "
    f"WITH n, CASE labels(n)[0] {_KEY_EXPR} END AS key "
    "WHERE toLower(key) = $q OR any(p IN [" + ", ".join(f"n.{p}" for p in NAME_PROPS) + "] "
    "WHERE p IS NOT NULL AND toLower(p) CONTAINS $q) "
    "RETURN labels(n)[0] AS label, n {.*} AS props"
)
CLEAR = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"


class Neo4jStore(CypherQueries, CypherRegistrations):
    """The graph in a Neo4j database. The driver is passed in and closed by `close` only
    when this store created it (see `graph.connect.open_store`)."""

    kind = "neo4j"

    def __init__(self, driver: Driver, database: str = "neo4j", *, owns_driver: bool = False):
        self.driver = driver
        self.database = database
        self._owns_driver = owns_driver
        self._cache: dict[tuple[int, frozenset[str] | None], nx.MultiDiGraph] = {}
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
            raise StoreUnavailable(_unavailable_message(uri, exc)) from exc
        return cls(driver, database, owns_driver=True)

    # -- plumbing -------------------------------------------------------------------------

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except (ServiceUnavailable, AuthError) as exc:
            raise StoreUnavailable(_unavailable_message("Neo4j", exc)) from exc

    def _read(self, query: str, **params: Any) -> list[neo4j.Record]:
        with self._errors():
            records, _, _ = self.driver.execute_query(
                query, params, database_=self.database, routing_=RoutingControl.READ
            )
        return list(records)

    def ensure_schema(self) -> None:
        with self._errors():
            for statement in CONSTRAINTS:
                self.driver.execute_query(statement, database_=self.database)

    def close(self) -> None:
        if self._owns_driver:
            self.driver.close()

    def version(self) -> int:
        rec = self._read(READ_VERSION)
        return int(rec[0]["version"] or 0) if rec else 0

    # -- writing --------------------------------------------------------------------------

    def existing(self, refs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        with self._errors(), self.driver.session(database=self.database) as session:
            return session.execute_read(lambda tx: _existing(tx, refs))

    def write(self, batch: Batch, *, require_sources: bool = True) -> WriteSummary:
        # one explicit transaction, no automatic retry: a half-failed load must not be
        # replayed behind the user's back, and a failure rolls everything back
        with (
            self._errors(),
            self.driver.session(database=self.database) as session,
            session.begin_transaction() as tx,
        ):
            summary = self._write(tx, batch, require_sources)
            tx.commit()
        return summary

    def _write(self, tx: neo4j.Transaction, batch: Batch, require_sources: bool) -> WriteSummary:
        """Upsert ``batch`` inside ``tx``: read what is stored, apply `graph.core.merge` (the rule
        the embedded store follows too), and send only what changes — a reload of unchanged
        data writes nothing."""
        summary = WriteSummary(nodes_total=len(batch.nodes), rels_total=len(batch.rels))
        batch = prepare_batch(
            batch, lambda refs: _existing(tx, refs), require_sources=require_sources
        )
        created: set[tuple[str, str]] = set()  # a new node has no relationships to read
        for label, nodes in group_nodes(batch.nodes).items():
            key_prop = key_property(label)
            stored: dict[str, dict[str, Any]] = {}
            keys = [n.key for n in nodes]
            for i in range(0, len(keys), CHUNK):
                for rec in tx.run(READ_NODES_BY_KEY[label], keys=keys[i : i + CHUNK]):
                    props = dict(rec["props"])
                    props.pop(key_prop, None)
                    stored[rec["k"]] = props
            rows = []
            for key, _, changes, is_new in upserts(((n.key, n.props) for n in nodes), stored):
                if is_new:
                    summary.nodes_created[label] += 1
                    created.add((label, key))
                else:
                    summary.nodes_updated[label] += 1
                rows.append({"key": key, "props": changes})
            _run_chunks(tx, WRITE_NODES[label], rows)
        for group, rels in group_rels(batch.rels).items():
            _, start_label, end_label = group
            ends = [
                {"start": r.start.key, "end": r.end.key}
                for r in rels
                if (start_label, r.start.key) not in created
                and (end_label, r.end.key) not in created
            ]
            stored_rels: dict[tuple[str, str], dict[str, Any]] = {}
            for i in range(0, len(ends), CHUNK):
                for rec in tx.run(READ_RELS_BY_ENDS[group], rows=ends[i : i + CHUNK]):
                    stored_rels[(rec["start"], rec["end"])] = dict(rec["props"])
            rows = []
            records = (((r.start.key, r.end.key), r.props) for r in rels)
            for (start, end), _, changes, is_new in upserts(records, stored_rels):
                counter = summary.rels_created if is_new else summary.rels_updated
                counter[group[0]] += 1
                rows.append({"start": start, "end": end, "props": changes})
            _run_chunks(tx, WRITE_RELS[group], rows)
        if summary.changed:
            tx.run(BUMP_VERSION).consume()
        return summary

    # -- reading --------------------------------------------------------------------------

    def stats(self) -> GraphStats:
        # public figures only, as the embedded store (registrations live apart there)
        labels = sorted(PUBLIC_LABELS)
        nodes = {r["label"]: r["n"] for r in self._read(COUNT_NODES, labels=labels)}
        rels = {r["type"]: r["n"] for r in self._read(COUNT_RELS, private=sorted(PRIVATE_RELS))}
        levels = {r["level"]: r["n"] for r in self._read(COUNT_LEVELS)}
        networks = {
            r["id"]: {
                "name": r["name"],
                "members": r["members"],
                "partners": {p["role"] or "Partner": p["n"] for p in r["partners"] if p["n"]},
            }
            for r in self._read(NETWORKS)
        }
        groups = {r["id"]: {"name": r["name"], "members": r["members"]} for r in self._read(GROUPS)}
        return GraphStats(nodes, rels, levels, networks, groups)

    def is_empty(self) -> bool:
        return not self._read(ANY_NODE, labels=sorted(PUBLIC_LABELS))

    def node(self, label: str, key: str) -> dict[str, Any] | None:
        if label not in PUBLIC_LABELS:  # registrations are read through their own methods
            return None
        rec = self._read(NODE_BY_KEY[label], key=key)
        if not rec:
            return None
        props = dict(rec[0]["props"])
        props.pop(key_property(label), None)
        return props

    def graph(self, labels: Iterable[str] | None = None) -> nx.MultiDiGraph:
        wanted = frozenset(labels) & PUBLIC_LABELS if labels is not None else None
        version = self.version()
        cached = self._cache.get((version, wanted))
        if cached is not None:
            return cached
        chosen = sorted(wanted if wanted is not None else PUBLIC_LABELS)
        ids: dict[str, tuple[str, str]] = {}
        node_rows = []
        for rec in self._read(READ_NODES, labels=chosen):
            label = rec["label"]
            props = dict(rec["props"])
            key = props.pop(key_property(label))
            ids[rec["eid"]] = (label, key)
            node_rows.append((label, key, props))
        rel_rows = []
        for rec in self._read(READ_RELS, labels=chosen):
            (sl, sk), (el, ek) = ids[rec["a"]], ids[rec["b"]]
            rel_rows.append((rec["type"], sl, sk, el, ek, dict(rec["props"])))
        g = build_graph(node_rows, rel_rows)
        self._cache = {k: v for k, v in self._cache.items() if k[0] == version}
        self._cache[(version, wanted)] = g
        return g

    def search(self, text: str, labels: Iterable[str] | None = None, limit: int = 20) -> list[Hit]:
        chosen = sorted(frozenset(labels) & PUBLIC_LABELS if labels else PUBLIC_LABELS)
        q = text.strip().lower()
        if not q:
            return []
        hits = []
        for rec in self._read(SEARCH, labels=chosen, q=q):
            props = dict(rec["props"])
            label = rec["label"]
            key = props.pop(key_property(label))
            r = rank(text, key, props)
            if r is not None:
                hits.append(make_hit(label, key, props, r))
        return order(hits, limit)

    def clear(self) -> None:
        with self._errors(), self.driver.session(database=self.database) as session:
            session.run(CLEAR).consume()
            session.run(BUMP_VERSION).consume()


def _existing(
    tx: neo4j.ManagedTransaction | neo4j.Transaction, refs: Iterable[tuple[str, str]]
) -> set[tuple[str, str]]:
    by_label: dict[str, list[str]] = {}
    for label, key in refs:
        by_label.setdefault(label, []).append(key)
    found: set[tuple[str, str]] = set()
    for label, keys in by_label.items():
        for rec in tx.run(EXISTING[label], keys=keys):
            found.add((label, rec["k"]))
    return found


def _run_chunks(tx: neo4j.Transaction, query: str, rows: list[dict[str, Any]]) -> None:
    """Run ``query`` over ``rows`` in chunks of `CHUNK` rows."""
    for i in range(0, len(rows), CHUNK):
        tx.run(query, rows=rows[i : i + CHUNK]).consume()


def _unavailable_message(uri: str, exc: BaseException) -> str:
    if isinstance(exc, AuthError):
        return (
            f"Anmeldung bei Neo4j ({uri}) abgelehnt. Prüfen Sie NEO4J_USERNAME und NEO4J_PASSWORD."
        )
    return (
        f"Neo4j unter {uri} ist nicht erreichbar ({type(exc).__name__}: {exc}). Läuft der "
        "Server? Ohne NEO4J_URI nutzt kommunetz die eingebettete Datenbank."
    )
