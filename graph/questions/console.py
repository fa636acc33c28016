"""A read-only Cypher console for power users (Neo4j only).

Two independent locks keep it read-only, so that a gap in one is caught by the other:

1. `check_statement` reads the statement (strings, comments and quoted names removed) and
   refuses every clause that writes or administers — ``CREATE``, ``MERGE``, ``DELETE``,
   ``SET``, ``REMOVE``, ``DROP``, ``LOAD CSV``, ``FOREACH``, ``USE``, ``SHOW``, ``GRANT`` …
   — and every ``CALL`` of a procedure that is not on a short list of schema look-ups
   (so no ``dbms.*`` and no writing procedure), with a German message saying why.
2. The Neo4j store runs what passes (`graph.stores.neo4j.console.execute_read`) in a
   transaction opened in the driver's READ access mode: the server itself refuses any
   write in it. The transaction also has a timeout (the server stops the query), and at
   most ``row_limit`` rows are read.

Registrations and contacts hold personal data. The check refuses statements that name
their labels or relationship types, and nodes, relationships and paths of theirs that a
label-blind pattern returns are withheld from the result. Property values read through a
label-blind pattern cannot be told apart, which is why the app offers the console only
when the operator switches it on (``KOMMUNETZ_CYPHER_CONSOLE=1``) for trusted users.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import networkx as nx

from graph.core.errors import KommunetzError
from graph.core.model import NODE_TYPES, PRIVATE_RELS, PUBLIC_LABELS
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


@runtime_checkable
class ReadOnlyCypher(Protocol):
    """A store that runs Cypher read-only (the Neo4j store)."""

    def read_only_cypher(self, text: str, *, timeout_s: float, row_limit: int) -> ConsoleResult:
        """Run ``text`` in a READ transaction with a server-side timeout; read at most
        ``row_limit`` rows; withhold what holds personal data."""
        ...


def run_console(
    store: GraphStore,
    text: str,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    row_limit: int = DEFAULT_ROW_LIMIT,
) -> ConsoleResult:
    """Check ``text`` and run it read-only on ``store`` (the Neo4j store)."""
    if not isinstance(store, ReadOnlyCypher):
        raise ConsoleUnavailable(
            "Die Cypher-Konsole gibt es nur mit Neo4j; die eingebettete Datenbank versteht "
            "kein Cypher. Die geführten Abfragen funktionieren mit beiden."
        )
    check_statement(text)
    return store.read_only_cypher(text, timeout_s=timeout_s, row_limit=row_limit)
