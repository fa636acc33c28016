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


# -- the store figures (`graph.core.stats.StatRows`), by the primary key and indexes ------


def count_nodes(n_labels: int) -> str:
    return f"SELECT label, count(*) FROM nodes WHERE label IN ({marks(n_labels)}) GROUP BY label"


def count_rels(n_labels: int) -> str:
    return (
        "SELECT type, count(*) FROM rels "
        f"WHERE start_label IN ({marks(n_labels)}) AND end_label IN ({marks(n_labels)}) "
        "GROUP BY type"
    )


COUNT_LEVELS = (
    "SELECT json_extract(props, '$.level'), count(*) FROM nodes "
    "WHERE label = 'Municipality' GROUP BY 1"
)
COUNT_VERBAND_KINDS = (
    "SELECT json_extract(props, '$.kind'), count(*) FROM nodes "
    "WHERE label = 'Gemeindeverband' GROUP BY 1"
)
ANY_PARTICIPATION = "SELECT 1 FROM rels WHERE type = 'IN_PROGRAMME' LIMIT 1"
#: Members per network by the membership rule (`graph.core.membership`): ``MEMBER_OF``
#: the network, or ``MEMBER_OF`` an organisation that is; actors only. Parameters: the
#: actor labels (twice), then the organisation label (twice).
NETWORK_MEMBERS = """
SELECT n.key, n.props, (
    SELECT count(*) FROM (
        SELECT m.start_label, m.start_key FROM rels m
        WHERE m.type = 'MEMBER_OF' AND m.end_label = 'Network' AND m.end_key = n.key
          AND m.start_label IN ({actors})
        UNION
        SELECT m1.start_label, m1.start_key FROM rels m2
        JOIN rels m1 ON m1.type = 'MEMBER_OF' AND m1.end_label = m2.start_label
                    AND m1.end_key = m2.start_key AND m1.start_label IN ({actors})
        WHERE m2.type = 'MEMBER_OF' AND m2.end_label = 'Network' AND m2.end_key = n.key
          AND m2.start_label = ?
    )
) FROM nodes n WHERE n.label = 'Network'
"""
NETWORK_PARTNERS = (
    "SELECT end_key, json_extract(props, '$.role'), count(*) FROM rels "
    "WHERE type = 'PARTNER_OF' AND end_label = 'Network' AND start_label IN ({actors}) "
    "GROUP BY 1, 2"
)
GROUP_MEMBERS = (
    "SELECT o.key, o.props, count(*) FROM rels m JOIN nodes o "
    "ON o.label = m.end_label AND o.key = m.end_key "
    "WHERE m.type = 'MEMBER_OF' AND m.end_label = ? GROUP BY o.key"
)
