"""A read-only Cypher console for power users (Neo4j only).

Two independent locks keep it read-only, so that a gap in one is caught by the other:

1. `check_statement` reads the statement (strings, comments and quoted names removed) and
   refuses every clause that writes or administers — ``CREATE``, ``MERGE``, ``DELETE``,
   ``SET``, ``REMOVE``, ``DROP``, ``LOAD CSV``, ``FOREACH``, ``USE``, ``SHOW``, ``GRANT`` …
   — and every ``CALL`` of a procedure that is not on a short list of schema look-ups
   (so no ``dbms.*`` and no writing procedure), with a German message saying why.
2. `execute_read` runs what passes in a transaction opened in the driver's READ access
   mode: the server itself refuses any write in it. The transaction also has a timeout
   (the server stops the query), and at most ``row_limit`` rows are read.

Registrations and contacts hold personal data. The check refuses statements that name
their labels or relationship types, and nodes, relationships and paths of theirs that a
label-blind pattern returns are withheld from the result. Property values read through a
label-blind pattern cannot be told apart, which is why the app offers the console only
when the operator switches it on (``KOMMUNETZ_CYPHER_CONSOLE=1``) for trusted users.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import neo4j
import networkx as nx
from neo4j.exceptions import ClientError, CypherSyntaxError, Neo4jError
from neo4j.graph import Node, Path, Relationship

from graph.core.errors import KommunetzError
from graph.core.model import NODE_TYPES, PRIVATE_RELS, PUBLIC_LABELS, node_id
from graph.core.nxgraph import display_name
from graph.core.store import GraphStore

DEFAULT_TIMEOUT_S = 10.0
DEFAULT_ROW_LIMIT = 1_000
MAX_ROW_LIMIT = 10_000
#: What the console offers to start from: a read that shows a table and a graph.
EXAMPLE_QUERY = "MATCH (m:Municipality)-[r:RUNS]->(p:Project) RETURN m, r, p LIMIT 25"

#: Keywords that start a writing or administrative clause (or belong only to one).
FORBIDDEN: dict[str, str] = {
    "CREATE": "legt Daten oder Schemaelemente an",
    "MERGE": "legt Daten an oder ändert sie",
    "DELETE": "löscht Daten",
    "DETACH": "löscht Daten",
    "SET": "ändert Daten",
    "REMOVE": "entfernt Eigenschaften oder Labels",
    "DROP": "löscht Schemaelemente",
    "LOAD": "lädt Dateien (LOAD CSV)",
    "FOREACH": "dient nur zum Schreiben",
    "USE": "wechselt die Datenbank",
    "SHOW": "ist ein Verwaltungsbefehl",
    "GRANT": "ist ein Verwaltungsbefehl",
    "REVOKE": "ist ein Verwaltungsbefehl",
    "DENY": "ist ein Verwaltungsbefehl",
    "ALTER": "ist ein Verwaltungsbefehl",
    "RENAME": "ist ein Verwaltungsbefehl",
    "START": "ist ein Verwaltungsbefehl",
    "STOP": "ist ein Verwaltungsbefehl",
    "TERMINATE": "ist ein Verwaltungsbefehl",
    "ENABLE": "ist ein Verwaltungsbefehl",
    "DEALLOCATE": "ist ein Verwaltungsbefehl",
    "REALLOCATE": "ist ein Verwaltungsbefehl",
    "TRANSACTIONS": "schreibt in Teiltransaktionen (CALL … IN TRANSACTIONS)",
    "PERIODIC": "schreibt in Teiltransaktionen",
}
#: Of these, the ones that are also ordinary names (``p.start``, ``… AS start``): they
#: count as keywords only where a name follows them (``START DATABASE``, ``USE system``,
#: ``IN TRANSACTIONS`` is caught by its ``IN``).
CONTEXTUAL = frozenset(
    {
        "START",
        "STOP",
        "USE",
        "SHOW",
        "TERMINATE",
        "ENABLE",
        "RENAME",
        "DEALLOCATE",
        "REALLOCATE",
        "TRANSACTIONS",
    }
)
#: Procedures that only read the schema; every other CALL is refused.
ALLOWED_PROCEDURES: frozenset[str] = frozenset(
    {
        "db.labels",
        "db.relationshiptypes",
        "db.propertykeys",
        "db.schema.visualization",
        "db.schema.nodetypeproperties",
        "db.schema.reltypeproperties",
    }
)
PRIVATE_NAMES: frozenset[str] = frozenset(set(NODE_TYPES) - set(PUBLIC_LABELS)) | PRIVATE_RELS
WITHHELD = "[geschützt]"

_STRIP = re.compile(
    r"""
      '(?:[^'\\]|\\.)*'        # 'string'
    | "(?:[^"\\]|\\.)*"        # "string"
    | //[^\n]*                 # // comment
    | /\*.*?\*/                # /* comment */
    """,
    re.VERBOSE | re.DOTALL,
)
_TOKEN = re.compile(r"`(?:[^`]|``)*`|[A-Za-z_][A-Za-z0-9_]*|\S")


class ConsoleError(KommunetzError):
    """A console statement failed (syntax, timeout, server message), in German."""


class ConsoleRefused(ConsoleError):
    """The statement would write or administer, or touches personal data: not run."""


class ConsoleUnavailable(ConsoleError):
    """The store is not Neo4j: there is no Cypher to run."""


def _tokens(text: str) -> list[str]:
    # strings and comments become a neutral placeholder so that "SET" in a string or a
    # comment is no keyword, while the statement's structure stays intact
    return _TOKEN.findall(_STRIP.sub(" 0 ", text))


def check_statement(text: str) -> None:
    """Refuse a statement that writes, administers or names personal data.

    Raises `ConsoleRefused` with the reason; returns quietly for a read statement."""
    tokens = _tokens(text)
    if not tokens:
        raise ConsoleRefused("Bitte eine Cypher-Abfrage eingeben.")
    for i, tok in enumerate(tokens):
        prev = tokens[i - 1] if i else ""
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        name = tok.strip("`")
        if prev in (":", "|", "&", "!") and name in PRIVATE_NAMES:
            raise ConsoleRefused(
                f"„{name}“ enthält personenbezogene Daten und ist in der Konsole nicht abfragbar."
            )
        if tok.startswith("`") or prev in (".", ":", "$") or prev.upper() == "AS" or nxt == ":":
            continue  # a property, label, type, parameter, alias or map key: no keyword
        word = tok.upper()
        if word == "IN" and nxt.upper() == "TRANSACTIONS":
            word = "TRANSACTIONS"
        elif word in CONTEXTUAL and not (nxt[:1].isalpha() or nxt[:1] in "_`"):
            continue
        if word in FORBIDDEN:
            raise ConsoleRefused(
                f"Die Konsole ist schreibgeschützt: „{word}“ {FORBIDDEN[word]} und ist hier "
                "nicht erlaubt. Es wurde nichts ausgeführt."
            )
        if word == "CALL" and nxt not in ("{", "("):
            proc = _procedure(tokens, i + 1)
            if proc.lower() not in ALLOWED_PROCEDURES:
                allowed = ", ".join(sorted(ALLOWED_PROCEDURES))
                raise ConsoleRefused(
                    f"Die Prozedur „{proc}“ ist in der Konsole nicht erlaubt (erlaubt sind "
                    f"nur lesende Schema-Abfragen: {allowed}). Es wurde nichts ausgeführt."
                )


def _procedure(tokens: list[str], start: int) -> str:
    parts = []
    i = start
    while i < len(tokens) and (
        tokens[i] == "." or tokens[i][:1].isalpha() or tokens[i][:1] in "_`"
    ):
        parts.append(tokens[i].strip("`"))
        i += 1
    return "".join(parts) or "?"


@dataclass
class ConsoleResult:
    """Columns, rows (display values), whether rows were cut at the limit, and the
    nodes and relationships the result holds as a graph."""

    columns: list[str]
    values: list[list[Any]]
    truncated: bool
    row_limit: int
    graph: nx.MultiDiGraph = field(default_factory=nx.MultiDiGraph)
    withheld: int = 0

    def rows(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, v, strict=True)) for v in self.values]


def run_console(
    store: GraphStore,
    text: str,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    row_limit: int = DEFAULT_ROW_LIMIT,
) -> ConsoleResult:
    """Check ``text`` and run it read-only on ``store`` (a `Neo4jStore`)."""
    driver = getattr(store, "driver", None)
    if store.kind != "neo4j" or not isinstance(driver, neo4j.Driver):
        raise ConsoleUnavailable(
            "Die Cypher-Konsole gibt es nur mit Neo4j; die eingebettete Datenbank versteht "
            "kein Cypher. Die geführten Abfragen funktionieren mit beiden."
        )
    check_statement(text)
    database = str(getattr(store, "database", "neo4j"))
    return execute_read(driver, database, text, timeout_s=timeout_s, row_limit=row_limit)


def execute_read(
    driver: neo4j.Driver,
    database: str,
    text: str,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    row_limit: int = DEFAULT_ROW_LIMIT,
) -> ConsoleResult:
    """Run ``text`` in a READ transaction with a server-side timeout; read at most
    ``row_limit`` rows. The transaction is rolled back, never committed."""
    row_limit = max(1, min(int(row_limit), MAX_ROW_LIMIT))
    out = ConsoleResult([], [], False, row_limit)
    try:
        with (
            driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session,
            session.begin_transaction(timeout=timeout_s) as tx,
        ):
            result = tx.run(text)
            out.columns = list(result.keys())
            for record in result:
                if len(out.values) >= row_limit:
                    out.truncated = True
                    break
                out.values.append([_display(v, out) for v in record.values()])
            tx.rollback()
    except CypherSyntaxError as exc:
        raise ConsoleError(f"Syntaxfehler in der Abfrage: {exc.message}") from exc
    except ClientError as exc:
        raise _client_error(exc, timeout_s) from exc
    except Neo4jError as exc:
        raise ConsoleError(f"Neo4j meldet einen Fehler: {exc.message}") from exc
    return out


def _client_error(exc: ClientError, timeout_s: float) -> ConsoleError:
    code = exc.code or ""
    if "AccessMode" in code or "Forbidden" in code or "Security" in code:
        return ConsoleRefused(
            "Die Konsole ist schreibgeschützt: der Server hat die Abfrage abgelehnt, weil sie "
            f"schreiben oder verwalten würde. Es wurde nichts geändert. ({exc.message})"
        )
    if "TransactionTimedOut" in code or "Terminated" in code:
        return ConsoleError(
            f"Die Abfrage dauerte länger als {timeout_s:g} s und wurde abgebrochen. Bitte "
            "die Abfrage einschränken (z. B. mit LIMIT oder Labels)."
        )
    return ConsoleError(f"Neo4j lehnt die Abfrage ab: {exc.message}")


def _is_private(node: Node) -> bool:
    return not (set(node.labels) & PUBLIC_LABELS) or bool(set(node.labels) - PUBLIC_LABELS)


def _node_name(node: Node) -> tuple[str, str]:
    label = sorted(node.labels)[0] if node.labels else "?"
    props = dict(node.items())
    key = str(props.get(NODE_TYPES[label].key, node.element_id)) if label in NODE_TYPES else ""
    return label, key


def _add_node(node: Node, out: ConsoleResult) -> str:
    label, key = _node_name(node)
    nid = node_id(label, key) if key else node.element_id
    if nid not in out.graph:
        props = dict(node.items())
        out.graph.add_node(nid, type=label, key=key, name=display_name(label, key, props))
    return nid


def _display(value: Any, out: ConsoleResult) -> Any:
    """A result value as a table shows it; nodes, relationships and paths also go into
    the result graph, unless they hold personal data."""
    if isinstance(value, Node):
        if _is_private(value):
            out.withheld += 1
            return WITHHELD
        nid = _add_node(value, out)
        return f"{out.graph.nodes[nid]['name']} ({out.graph.nodes[nid]['type']})"
    if isinstance(value, Relationship):
        if value.type in PRIVATE_RELS or any(
            n is not None and _is_private(n) for n in (value.start_node, value.end_node)
        ):
            out.withheld += 1
            return WITHHELD
        ends = [_add_node(n, out) if n is not None else "?" for n in value.nodes]
        if value.start_node is not None and value.end_node is not None:
            out.graph.add_edge(ends[0], ends[1], key=value.type, type=value.type)
        return f"{value.type}"
    if isinstance(value, Path):
        if any(_is_private(n) for n in value.nodes) or any(
            r.type in PRIVATE_RELS for r in value.relationships
        ):
            out.withheld += 1
            return WITHHELD
        for r in value.relationships:
            _display(r, out)
        return " – ".join(out.graph.nodes[_add_node(n, out)]["name"] for n in value.nodes)
    if isinstance(value, list):
        return "[" + ", ".join(str(_display(v, out)) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_display(v, out)}" for k, v in value.items()) + "}"
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
