"""`EmbeddedStore`: the graph in one SQLite file, for a newcomer who has no Neo4j.

Nodes and relationships are rows with their properties as JSON; reads go through a cached
networkx graph keyed on a version number that every write increments. SQLite runs in WAL
mode so that the app can read while the CLI loads.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import networkx as nx

from graph.core.errors import StoreUnavailable
from graph.core.merge import upserts
from graph.core.model import PUBLIC_LABELS
from graph.core.nxgraph import build_graph
from graph.core.prepare import prepare_batch
from graph.core.records import Batch, group_nodes, group_rels
from graph.core.search import NAME_PROPS, Hit, make_hit, order, rank
from graph.core.store import GraphStats, WriteSummary
from graph.stores.sqlite.questions import NxQueries
from graph.stores.sqlite.registrations import SqliteRegistrations

SCHEMA = """
CREATE TABLE IF NOT EXISTS nodes (
    label TEXT NOT NULL,
    key   TEXT NOT NULL,
    props TEXT NOT NULL,
    PRIMARY KEY (label, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rels (
    type        TEXT NOT NULL,
    start_label TEXT NOT NULL,
    start_key   TEXT NOT NULL,
    end_label   TEXT NOT NULL,
    end_key     TEXT NOT NULL,
    props       TEXT NOT NULL,
    PRIMARY KEY (type, start_label, start_key, end_label, end_key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rels_by_start ON rels (start_label, start_key);
CREATE INDEX IF NOT EXISTS rels_by_end ON rels (end_label, end_key);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta (name, value) VALUES ('version', '0');
"""

SELECT_PROPS_OF_LABEL = "SELECT key, props FROM nodes WHERE label = ?"
SELECT_RELS_OF_TYPE = (
    "SELECT start_label, start_key, end_label, end_key, props FROM rels WHERE type = ?"
)
UPSERT_NODE = "INSERT OR REPLACE INTO nodes (label, key, props) VALUES (?, ?, ?)"
UPSERT_REL = (
    "INSERT OR REPLACE INTO rels (type, start_label, start_key, end_label, end_key, props) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
SELECT_NODE = "SELECT props FROM nodes WHERE label = ? AND key = ?"
COUNT_NODES = "SELECT label, count(*) FROM nodes GROUP BY label"
COUNT_RELS = "SELECT type, count(*) FROM rels GROUP BY type"
COUNT_LEVELS = (
    "SELECT json_extract(props, '$.level'), count(*) FROM nodes "
    "WHERE label = 'Municipality' GROUP BY 1"
)
NETWORKS = "SELECT key, json_extract(props, '$.name') FROM nodes WHERE label = 'Network'"
NETWORK_MEMBERS = (
    "SELECT end_key, count(*) FROM rels WHERE type = 'MEMBER_OF' AND end_label = 'Network' "
    "GROUP BY end_key"
)
GROUP_MEMBERS = (
    "SELECT o.key, json_extract(o.props, '$.name'), count(*) FROM rels r "
    "JOIN nodes o ON o.label = r.end_label AND o.key = r.end_key "
    "WHERE r.type = 'MEMBER_OF' AND r.end_label = 'Organisation' GROUP BY o.key"
)
NETWORK_PARTNERS = (
    "SELECT end_key, json_extract(props, '$.role'), count(*) FROM rels "
    "WHERE type = 'PARTNER_OF' AND end_label = 'Network' GROUP BY 1, 2"
)
SELECT_VERSION = "SELECT value FROM meta WHERE name = 'version'"
BUMP_VERSION = "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE name = 'version'"


def _dumps(props: dict[str, Any]) -> str:
    # sort_keys: equal property maps give equal text, so "unchanged" is a string compare
    return json.dumps(props, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class EmbeddedStore(NxQueries, SqliteRegistrations):
    """The graph in one SQLite file (created on first use)."""

    kind = "embedded"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, timeout=30
            )
        except (OSError, sqlite3.Error) as exc:
            raise StoreUnavailable(
                f"Die Datenbankdatei {self.path} kann nicht geöffnet werden: {exc}. "
                "Prüfen Sie KOMMUNETZ_DB und die Schreibrechte."
            ) from exc
        self._lock = threading.RLock()
        self._cache: dict[tuple[int, frozenset[str] | None], nx.MultiDiGraph] = {}
        self._names: dict[tuple[int, tuple[str, ...]], list[tuple[str, str, dict[str, Any]]]] = {}
        self.ensure_schema()

    # -- plumbing -------------------------------------------------------------------------

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; the whole block is committed or nothing is."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")

    def ensure_schema(self) -> None:
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)
            self._ensure_registration_schema(self._db)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def version(self) -> int:
        with self._lock:
            return int(self._db.execute(SELECT_VERSION).fetchone()[0])

    # -- writing --------------------------------------------------------------------------

    def existing(self, refs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        by_label: dict[str, list[str]] = {}
        for label, key in refs:
            by_label.setdefault(label, []).append(key)
        found: set[tuple[str, str]] = set()
        with self._lock:
            for label, keys in by_label.items():
                for i in range(0, len(keys), 500):
                    chunk = keys[i : i + 500]
                    marks = ",".join("?" * len(chunk))
                    rows = self._db.execute(
                        f"SELECT key FROM nodes WHERE label = ? AND key IN ({marks})",
                        (label, *chunk),
                    )
                    found.update((label, k) for (k,) in rows)
        return found

    def _stored_props(self, db: sqlite3.Connection, label: str, keys: list[str]) -> dict[str, str]:
        if len(keys) > 2000:  # a directory load: one scan beats 20 IN-lists
            return dict(db.execute(SELECT_PROPS_OF_LABEL, (label,)).fetchall())
        out: dict[str, str] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            out.update(
                db.execute(
                    f"SELECT key, props FROM nodes WHERE label = ? AND key IN ({marks})",
                    (label, *chunk),
                ).fetchall()
            )
        return out

    def write(self, batch: Batch, *, require_sources: bool = True) -> WriteSummary:
        with self._tx() as db:
            return self._write_in(db, batch, require_sources)

    def _write_in(
        self, db: sqlite3.Connection, batch: Batch, require_sources: bool = True
    ) -> WriteSummary:
        """`write` inside the caller's transaction (an approval adds its own statements)."""
        summary = WriteSummary(nodes_total=len(batch.nodes), rels_total=len(batch.rels))
        batch = prepare_batch(batch, self.existing, require_sources=require_sources)
        for label, nodes in group_nodes(batch.nodes).items():
            stored = {
                k: json.loads(v)
                for k, v in self._stored_props(db, label, [n.key for n in nodes]).items()
            }
            rows = []
            for key, after, _, created in upserts(((n.key, n.props) for n in nodes), stored):
                counter = summary.nodes_created if created else summary.nodes_updated
                counter[label] += 1
                rows.append((label, key, _dumps(after)))
            db.executemany(UPSERT_NODE, rows)
        for (rtype, sl, el), rels in group_rels(batch.rels).items():
            stored_rels = {
                k: json.loads(v) for k, v in self._stored_rels(db, rtype, sl, el, rels).items()
            }
            rel_rows = []
            records = (((r.start.key, r.end.key), r.props) for r in rels)
            for (sk, ek), after, _, created in upserts(records, stored_rels):
                counter = summary.rels_created if created else summary.rels_updated
                counter[rtype] += 1
                rel_rows.append((rtype, sl, sk, el, ek, _dumps(after)))
            db.executemany(UPSERT_REL, rel_rows)
        if summary.changed:
            db.execute(BUMP_VERSION)
        return summary

    def _stored_rels(
        self, db: sqlite3.Connection, rtype: str, sl: str, el: str, rels: list[Any]
    ) -> dict[tuple[str, str], str]:
        if len(rels) > 2000:
            rows = db.execute(
                SELECT_RELS_OF_TYPE + " AND start_label = ? AND end_label = ?", (rtype, sl, el)
            ).fetchall()
            return {(sk, ek): props for _sl, sk, _el, ek, props in rows}
        out: dict[tuple[str, str], str] = {}
        for r in rels:
            row = db.execute(
                "SELECT props FROM rels WHERE type = ? AND start_label = ? AND start_key = ? "
                "AND end_label = ? AND end_key = ?",
                (rtype, sl, r.start.key, el, r.end.key),
            ).fetchone()
            if row is not None:
                out[(r.start.key, r.end.key)] = row[0]
        return out

    # -- reading --------------------------------------------------------------------------

    def stats(self) -> GraphStats:
        with self._lock:
            nodes = dict(self._db.execute(COUNT_NODES).fetchall())
            rels = dict(self._db.execute(COUNT_RELS).fetchall())
            levels = dict(self._db.execute(COUNT_LEVELS).fetchall())
            networks = {
                key: {"name": name, "members": 0, "partners": {}}
                for key, name in self._db.execute(NETWORKS).fetchall()
            }
            for key, n in self._db.execute(NETWORK_MEMBERS).fetchall():
                networks[key]["members"] = n
            for key, role, n in self._db.execute(NETWORK_PARTNERS).fetchall():
                networks[key]["partners"][role or "Partner"] = n
            groups = {
                key: {"name": name, "members": n}
                for key, name, n in self._db.execute(GROUP_MEMBERS).fetchall()
            }
        return GraphStats(nodes, rels, levels, networks, groups)

    def is_empty(self) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM nodes LIMIT 1").fetchone() is None

    def node(self, label: str, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(SELECT_NODE, (label, key)).fetchone()
        return json.loads(row[0]) if row else None

    def graph(self, labels: Iterable[str] | None = None) -> nx.MultiDiGraph:
        wanted = frozenset(labels) & PUBLIC_LABELS if labels is not None else None
        with self._lock:
            version = self.version()
            cache_key = (version, wanted)
            cached = self._cache.get(cache_key)
            if cached is not None:
                return cached
            chosen = sorted(wanted if wanted is not None else PUBLIC_LABELS)
            marks = ",".join("?" * len(chosen))
            node_rows = self._db.execute(
                f"SELECT label, key, props FROM nodes WHERE label IN ({marks})", chosen
            ).fetchall()
            rel_rows = self._db.execute(
                "SELECT type, start_label, start_key, end_label, end_key, props FROM rels "
                f"WHERE start_label IN ({marks}) AND end_label IN ({marks})",
                (*chosen, *chosen),
            ).fetchall()
            g = build_graph(
                ((lb, k, json.loads(p)) for lb, k, p in node_rows),
                ((t, sl, sk, el, ek, json.loads(p)) for t, sl, sk, el, ek, p in rel_rows),
            )
            # keep the newest version's graphs only: old ones are never asked for again
            self._cache = {k: v for k, v in self._cache.items() if k[0] == version}
            self._cache[cache_key] = g
            return g

    def search(self, text: str, labels: Iterable[str] | None = None, limit: int = 20) -> list[Hit]:
        chosen = sorted(frozenset(labels) & PUBLIC_LABELS if labels else PUBLIC_LABELS)
        with self._lock:
            index = self._name_index(tuple(chosen))
        hits = []
        for label, key, props in index:
            r = rank(text, key, props)
            if r is not None:
                hits.append(make_hit(label, key, props, r))
        return order(hits, limit)

    def _name_index(self, labels: tuple[str, ...]) -> list[tuple[str, str, dict[str, Any]]]:
        """(label, key, name-ish props) of every node of ``labels``, cached per version."""
        version = self.version()
        cached = self._names.get((version, labels))
        if cached is None:
            marks = ",".join("?" * len(labels))
            rows = self._db.execute(
                f"SELECT label, key, props FROM nodes WHERE label IN ({marks})", labels
            ).fetchall()
            keep = (*NAME_PROPS, "kind", "state_code")
            cached = []
            for label, key, text in rows:
                props = json.loads(text)
                cached.append((label, key, {k: props[k] for k in keep if k in props}))
            self._names = {k: v for k, v in self._names.items() if k[0] == version}
            self._names[(version, labels)] = cached
        return cached

    def clear(self) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM rels")
            db.execute("DELETE FROM nodes")
            self._clear_registrations(db)
            db.execute(BUMP_VERSION)
        self._wipe_wal()
