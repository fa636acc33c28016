"""The Neo4j store's part of the read-only Cypher console (`graph.questions.console`,
which checks a statement before it comes here): run it in a READ transaction with a
server-side timeout, read at most so many rows, and turn the values into what a table and
a small graph show — withholding every node, relationship and path of a registration or
contact."""

from __future__ import annotations

from typing import Any

import neo4j
from neo4j.exceptions import ClientError, CypherSyntaxError, Neo4jError
from neo4j.graph import Node, Path, Relationship

from graph.core.model import NODE_TYPES, PRIVATE_RELS, PUBLIC_LABELS, node_id
from graph.core.nodes import display_name
from graph.questions.console import (
    DEFAULT_ROW_LIMIT,
    DEFAULT_TIMEOUT_S,
    MAX_ROW_LIMIT,
    WITHHELD,
    ConsoleError,
    ConsoleRefused,
    ConsoleResult,
)


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
