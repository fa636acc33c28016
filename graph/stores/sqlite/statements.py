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


# -- the guided questions' reads that need no whole graph (`graph.stores.sqlite.reads`) ---
# No end check: every relationship's ends are stored (`graph.core.prepare` resolves them
# before a write; nodes go only with all relationships, in `CLEAR_GRAPH`). A node's id is
# `graph.core.model.node_id`'s ``Label:key``, built here to spare a Python call per row.


def tie_rows(n_types: int, n_starts: int, n_ends: int) -> str:
    """(end id, end label, type, start id) of the relationships of the given types, start
    labels and end labels. Parameters in that order."""
    return (
        "SELECT r.end_label || ':' || r.end_key, r.end_label, r.type, "
        "r.start_label || ':' || r.start_key FROM rels r "
        f"WHERE r.type IN ({marks(n_types)}) AND r.start_label IN ({marks(n_starts)}) "
        f"AND r.end_label IN ({marks(n_ends)})"
    )


def work_rows(n_types: int, n_actors: int, n_items: int) -> str:
    """(actor label, actor key, topic key) once per relationship of the given types from an
    actor to an item of the given labels and per topic that item is ``ABOUT``
    (`QuestionReads.q_work_index` counts them). Parameters: the types, the actor labels,
    the item labels. ``CROSS JOIN`` keeps SQLite to this order (the relationships into the
    items by the end index, then each item's topics by the primary key): starting from the
    topics it took five times as long."""
    return (
        "SELECT r.start_label, r.start_key, a.end_key FROM rels r CROSS JOIN rels a "
        "ON a.type = 'ABOUT' AND a.start_label = r.end_label AND a.start_key = r.end_key "
        f"AND a.end_label = 'Topic' WHERE r.type IN ({marks(n_types)}) "
        f"AND r.start_label IN ({marks(n_actors)}) AND r.end_label IN ({marks(n_items)})"
    )


#: The relationships of the small graphs that the membership and programme rules walk
#: (`graph.core.membership`, `graph.core.programmes`): every ``MEMBER_OF``; every
#: ``IN_PROGRAMME`` with a role (the rule takes no other) and the relationships of the
#: given types (the parameters) into the items that have one.
_REL_COLUMNS = "SELECT r.type, r.start_label, r.start_key, r.end_label, r.end_key, r.props"
MEMBER_RELS: Final[str] = f"{_REL_COLUMNS} FROM rels r WHERE r.type = 'MEMBER_OF'"


def _with_role(v: str) -> str:
    return f"json_extract({v}.props, '$.role') IS NOT NULL"


def programme_rels(n_types: int) -> str:
    return (
        f"{_REL_COLUMNS} FROM rels r WHERE r.type = 'IN_PROGRAMME' AND {_with_role('r')} "
        "UNION ALL "
        f"{_REL_COLUMNS} FROM rels r WHERE r.type IN ({marks(n_types)}) AND EXISTS ("
        "SELECT 1 FROM rels p WHERE p.type = 'IN_PROGRAMME' AND p.start_label = r.end_label "
        f"AND p.start_key = r.end_key AND {_with_role('p')})"
    )
