"""The SQL of the embedded store's graph: its schema and the statements that read and
write nodes and relationships. (The registration tables and their statements stand in
`graph.stores.sqlite.registrations`.) Labels and types travel as parameters; the few
statements built from a count of ``?`` marks take their values as parameters too."""

from __future__ import annotations

from typing import Final

SCHEMA: Final[str] = """
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
PRAGMAS: Final[tuple[str, ...]] = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")

#: Above this many keys a read takes the whole label (or relationship group) in one scan
#: instead of IN-lists: a directory load reads 11,000 Gemeinden at once.
SCAN_ABOVE: Final[int] = 2000
#: Keys per IN-list (SQLite's default limit of host parameters is far above).
CHUNK: Final[int] = 500


def marks(n: int) -> str:
    """``?,?,?`` for ``n`` parameters."""
    return ",".join("?" * n)


SELECT_PROPS_OF_LABEL = "SELECT key, props FROM nodes WHERE label = ?"


def select_keys(n: int) -> str:
    return f"SELECT key FROM nodes WHERE label = ? AND key IN ({marks(n)})"


def select_props(n: int) -> str:
    return f"SELECT key, props FROM nodes WHERE label = ? AND key IN ({marks(n)})"


SELECT_RELS_OF_GROUP = (
    "SELECT start_key, end_key, props FROM rels "
    "WHERE type = ? AND start_label = ? AND end_label = ?"
)
SELECT_REL = (
    "SELECT props FROM rels WHERE type = ? AND start_label = ? AND start_key = ? "
    "AND end_label = ? AND end_key = ?"
)
UPSERT_NODE = "INSERT OR REPLACE INTO nodes (label, key, props) VALUES (?, ?, ?)"
UPSERT_REL = (
    "INSERT OR REPLACE INTO rels (type, start_label, start_key, end_label, end_key, props) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
SELECT_NODE = "SELECT props FROM nodes WHERE label = ? AND key = ?"
ANY_NODE = "SELECT 1 FROM nodes LIMIT 1"
SELECT_VERSION = "SELECT value FROM meta WHERE name = 'version'"
BUMP_VERSION = "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE name = 'version'"
CLEAR_GRAPH: Final[tuple[str, ...]] = ("DELETE FROM rels", "DELETE FROM nodes")


def select_nodes(n_labels: int) -> str:
    return f"SELECT label, key, props FROM nodes WHERE label IN ({marks(n_labels)})"


def select_rels(n_labels: int) -> str:
    return (
        "SELECT type, start_label, start_key, end_label, end_key, props FROM rels "
        f"WHERE start_label IN ({marks(n_labels)}) AND end_label IN ({marks(n_labels)})"
    )
