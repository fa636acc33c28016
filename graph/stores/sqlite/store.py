"""`EmbeddedStore`: the graph in one SQLite file, for a newcomer who has no Neo4j.

Nodes and relationships are rows with their properties as JSON; reads go through a cached
networkx graph keyed on a version number that every write increments. SQLite runs in WAL
mode so that the app can read while the CLI loads.

The package's parts: `statements` (the SQL), `transactions` (the connection, write
transactions, the store's part of the write path), `questions` (the raw reads of the
guided questions over the cached graph), `reads` (those of them that a new store object
asks first, in SQL), `registrations` (the registration workflow's
per-store part, in tables of their own).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx

from graph.core.cache import VersionCache
from graph.core.errors import UnusableStoreFile
from graph.core.membership import VIA_LABEL
from graph.core.model import ACTOR_LABELS, PUBLIC_LABELS
from graph.core.nxgraph import NodeRow, RelRow, cached_graph
from graph.core.records import Batch
from graph.core.search import HIT_PROPS, Hit, SearchIndex, find_hits
from graph.core.stats import GraphStats, StatRows, store_stats
from graph.core.store import WriteSummary
from graph.core.write import write_batch
from graph.stores.sqlite import statements as sql
from graph.stores.sqlite.reads import SqlQuestions
from graph.stores.sqlite.registrations import SqliteRegistrations, ensure_registration_schema
from graph.stores.sqlite.transactions import Database, SqliteWriteTx, existing_in, loads

NameRow = tuple[str, str, dict[str, Any]]


class EmbeddedStore:
    """The graph in one SQLite file (created on first use)."""

    kind = "embedded"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.database = Database(self.path)
        self._graphs: VersionCache[nx.MultiDiGraph] = VersionCache()
        self._names: VersionCache[SearchIndex] = VersionCache()
        self._questions = SqlQuestions(self, self.database)
        self._registrations = SqliteRegistrations(self.database)
        try:
            self.ensure_schema()
        except sqlite3.DatabaseError as exc:  # "file is not a database", before any write
            self.database.close()
            raise UnusableStoreFile(
                f"{self.path} ist keine Datenbank von kommunetz (keine SQLite-Datei oder "
                "beschädigt); die Datei bleibt unverändert. Zeigt KOMMUNETZ_DB auf die "
                "richtige Datei?"
            ) from exc

    def ensure_schema(self) -> None:
        with self.database.read() as db:
            for pragma in sql.PRAGMAS:
                db.execute(pragma)
            db.executescript(sql.SCHEMA)
            ensure_registration_schema(db)

    def close(self) -> None:
        self.database.close()

    def version(self) -> int:
        with self.database.read() as db:
            return int(db.execute(sql.SELECT_VERSION).fetchone()[0])

    def question_reads(self) -> SqlQuestions:
        """The raw reads of the guided questions (`graph.questions.rows.QuestionReads`)."""
        return self._questions

    def registration_backend(self) -> SqliteRegistrations:
        """The registration workflow's part in this store (`graph.joining.registration`)."""
        return self._registrations

    # -- writing --------------------------------------------------------------------------

    def existing(self, refs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        with self.database.read() as db:
            return existing_in(db, refs)

    def write(self, batch: Batch, *, require_sources: bool = True) -> WriteSummary:
        with self.database.write() as db:
            return write_batch(SqliteWriteTx(db), batch, require_sources=require_sources)

    def clear(self) -> None:
        with self.database.write() as db:
            for statement in sql.CLEAR_GRAPH:
                db.execute(statement)
            self._registrations.clear(db)
            db.execute(sql.BUMP_VERSION)
        self.database.checkpoint()

    # -- reading --------------------------------------------------------------------------

    def stats(self) -> GraphStats:
        return store_stats(self, self._stat_rows)

    def _stat_rows(self) -> StatRows:
        labels = sorted(PUBLIC_LABELS)
        actors = sorted(ACTOR_LABELS)
        marks = sql.marks(len(actors))
        with self.database.read() as db:
            nodes = db.execute(sql.count_nodes(len(labels)), labels).fetchall()
            rels = db.execute(sql.count_rels(len(labels)), (*labels, *labels)).fetchall()
            levels = db.execute(sql.COUNT_LEVELS).fetchall()
            networks = db.execute(
                sql.NETWORK_MEMBERS.format(actors=marks), (*actors, *actors, VIA_LABEL)
            ).fetchall()
            partners = db.execute(sql.NETWORK_PARTNERS.format(actors=marks), actors).fetchall()
            groups = db.execute(sql.GROUP_MEMBERS, (VIA_LABEL,)).fetchall()
            kinds = db.execute(sql.COUNT_VERBAND_KINDS).fetchall()
            programmes = db.execute(sql.ANY_PARTICIPATION).fetchone() is not None
        return StatRows(
            dict(nodes),
            dict(rels),
            dict(levels),
            [(k, loads(p), n) for k, p, n in networks],
            [(k, role, n) for k, role, n in partners],
            [(k, loads(p), n) for k, p, n in groups],
            dict(kinds),
            # the programme rule walks a small graph of the programmes' relationships,
            # read only where there are programmes
            self._questions.q_participations() if programmes else [],
        )

    def is_empty(self) -> bool:
        with self.database.read() as db:
            return db.execute(sql.ANY_NODE).fetchone() is None

    def node(self, label: str, key: str) -> dict[str, Any] | None:
        with self.database.read() as db:
            row = db.execute(sql.SELECT_NODE, (label, key)).fetchone()
        return loads(row[0]) if row else None

    def graph(self, labels: Iterable[str] | None = None) -> nx.MultiDiGraph:
        return cached_graph(self._graphs, self.version(), labels, self._rows)

    def _rows(self, labels: list[str]) -> tuple[list[NodeRow], list[RelRow]]:
        with self.database.read() as db:
            node_rows = db.execute(sql.select_nodes(len(labels)), labels).fetchall()
            rel_rows = db.execute(sql.select_rels(len(labels)), (*labels, *labels)).fetchall()
        return (
            [(lb, k, loads(p)) for lb, k, p in node_rows],
            [(t, sl, sk, el, ek, loads(p)) for t, sl, sk, el, ek, p in rel_rows],
        )

    def search(self, text: str, labels: Iterable[str] | None = None, limit: int = 20) -> list[Hit]:
        chosen = tuple(sorted(frozenset(labels) & PUBLIC_LABELS if labels else PUBLIC_LABELS))
        index = self._names.get(
            self.version(), chosen, lambda: SearchIndex(self._name_rows(chosen))
        )
        return find_hits(text, index, limit)

    def _name_rows(self, labels: tuple[str, ...]) -> list[NameRow]:
        """(label, key, what a search reads) of every node of ``labels``: the candidates of
        every search, kept per data version."""
        with self.database.read() as db:
            rows = db.execute(sql.select_nodes(len(labels)), labels).fetchall()
        out = []
        for label, key, text in rows:
            props = loads(text)
            out.append((label, key, {k: props[k] for k in HIT_PROPS if k in props}))
        return out
