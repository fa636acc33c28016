"""The Cypher of the Neo4j store's graph: its constraints and the statements that read
and write nodes and relationships. (The questions' statements stand in
`graph.stores.neo4j.questions`, the registrations' in `graph.stores.neo4j.registrations`.)

Every statement text is a constant built from the model once (labels, types and key
properties come from `graph.core.model`, never from input); values always travel as
parameters. Writes follow the pattern that makes Neo4j loads fast and safe: uniqueness
constraints on every key, one ``UNWIND $rows … MERGE`` statement per label and per
relationship group with both ends matched by key first.
"""

from __future__ import annotations

from graph.core.membership import VIA_LABEL
from graph.core.model import ACTOR_LABELS, NODE_TYPES, PUBLIC_LABELS, REL_TYPES, key_property
from graph.core.search import HIT_PROPS

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


def _create_nodes(label: str) -> str:
    # for keys the write path has just read and not found: no MERGE needed
    key = key_property(label)
    return f"UNWIND $rows AS row CREATE (n:{label} {{{key}: row.key}}) SET n += row.props"


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


def _create_rels(rtype: str, start: str, end: str) -> str:
    return (
        f"UNWIND $rows AS row {_seek('a', start, 'row.start')}{_seek('b', end, 'row.end')}"
        f"CREATE (a)-[r:{rtype}]->(b) SET r += row.props"
    )


#: Without this, Neo4j re-plans a statement whenever a load has changed the counts much —
#: on a young database after nearly every write (measured: the curated data written in
#: 6.8 s instead of 0.3 s). Safe only because every statement below is pinned to index
#: seeks (`_seek`); a plan made on an almost empty database stays right at Germany scale.
REPLAN_SKIP = "CYPHER replan=skip "

CONSTRAINTS = [_constraint(label) for label in NODE_TYPES] + [
    f"CREATE CONSTRAINT kommunetzmeta_id_unique IF NOT EXISTS "
    f"FOR (n:{META_LABEL}) REQUIRE n.id IS UNIQUE",
]
_GROUPS = [(t, s, e) for t, rt in REL_TYPES.items() for s in rt.starts for e in rt.ends]
READ_NODES_BY_KEY = {label: REPLAN_SKIP + _read_nodes(label) for label in NODE_TYPES}
WRITE_NODES = {label: REPLAN_SKIP + _write_nodes(label) for label in NODE_TYPES}
READ_RELS_BY_ENDS = {g: REPLAN_SKIP + _read_rels(*g) for g in _GROUPS}
WRITE_RELS = {g: REPLAN_SKIP + _write_rels(*g) for g in _GROUPS}
CREATE_NODES = {label: REPLAN_SKIP + _create_nodes(label) for label in NODE_TYPES}
CREATE_RELS = {g: REPLAN_SKIP + _create_rels(*g) for g in _GROUPS}
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
#: Every candidate of a search (the matching is `graph.core.search`'s, in Python, so that
#: folded names, kind words and typos match alike in both stores); read once per version.
SEARCH_ROWS = (
    "MATCH (n) WHERE labels(n)[0] IN $labels "
    f"WITH n, CASE labels(n)[0] {_KEY_EXPR} END AS key "
    "RETURN labels(n)[0] AS label, n {" + ", ".join("." + p for p in HIT_PROPS) + "} AS props, "
    "key"
)
CLEAR = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"

# -- the store figures (`graph.core.stats.StatRows`): count-store reads and small scans ----

#: Node counts per public label and relationship counts per public type, from the count
#: store in one statement (no node or relationship is read; a relationship type of the
#: model connects public labels only, or private ones only — see `REL_TYPES`).
_PUBLIC_TYPES = sorted(t for t, rt in REL_TYPES.items() if (rt.starts | rt.ends) <= PUBLIC_LABELS)
COUNTS = (
    "CALL () { "
    + " UNION ALL ".join(
        [
            f"MATCH (n:{label}) RETURN 'node' AS kind, '{label}' AS name, count(n) AS n"
            for label in sorted(PUBLIC_LABELS)
        ]
        + [
            f"MATCH ()-[r:{t}]->() RETURN 'rel' AS kind, '{t}' AS name, count(r) AS n"
            for t in _PUBLIC_TYPES
        ]
    )
    + " } RETURN kind, name, n"
)
LEVELS = "MATCH (m:Municipality) RETURN m.level AS level, count(*) AS n"
VERBAND_KINDS = "MATCH (v:Gemeindeverband) RETURN v.kind AS kind, count(*) AS n"
_ACTOR = "|".join(sorted(ACTOR_LABELS))
#: Members per network by the membership rule (`graph.core.membership`).
NETWORK_MEMBERS = (
    "MATCH (n:Network) RETURN n.id AS key, properties(n) AS props, COUNT { "
    f"MATCH (x:{_ACTOR})-[:MEMBER_OF]->(n) RETURN x "
    f"UNION MATCH (x:{_ACTOR})-[:MEMBER_OF]->(:{VIA_LABEL})-[:MEMBER_OF]->(n) RETURN x }} AS n"
)
NETWORK_PARTNERS = (
    f"MATCH (:{_ACTOR})-[r:PARTNER_OF]->(n:Network) "
    "RETURN n.id AS key, r.role AS role, count(*) AS n"
)
GROUP_MEMBERS = (
    f"MATCH (x)-[:MEMBER_OF]->(o:{VIA_LABEL}) "
    f"RETURN o.id AS key, properties(o) AS props, count(x) AS n"
)
