"""The read-only Cypher console on a real Neo4j: every writing or administering statement
is refused with a German message and changes nothing — by the statement check, and, where
the check is bypassed, by the server's read access mode."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.core.records import Batch, Node, Ref, Rel
from graph.questions.console import (
    ConsoleError,
    ConsoleRefused,
    ConsoleUnavailable,
    check_statement,
    run_console,
)
from graph.stores.neo4j.console import execute_read
from graph.stores.neo4j.store import Neo4jStore
from graph.stores.sqlite.store import EmbeddedStore
from loaders.curated import read_curated
from tests.neo4j_server.server import Server

DATA = Path(__file__).resolve().parents[1] / "data"
pytestmark = pytest.mark.neo4j

WRITES = {
    "CREATE": "CREATE (n:Topic {id: 't-x', name: 'X'})",
    "MERGE": "MERGE (n:Topic {id: 't-e-akte'}) RETURN n",
    "DELETE": "MATCH (n:Topic {id: 't-e-akte'}) DELETE n",
    "DETACH DELETE": "MATCH (n) DETACH DELETE n",
    "SET": "MATCH (n:Topic) SET n.name = 'X'",
    "SET label": "MATCH (n:Topic) SET n:Hacked",
    "REMOVE": "MATCH (n:Topic) REMOVE n.name",
    "LOAD CSV": "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "FOREACH": "MATCH (n:Topic) FOREACH (x IN [1] | SET n.x = x)",
    "CREATE INDEX": "CREATE INDEX topic_name FOR (n:Topic) ON (n.name)",
    "DROP CONSTRAINT": "DROP CONSTRAINT topic_id_unique",
    "IN TRANSACTIONS": "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS",
    "writing procedure": "CALL db.createLabel('Hacked')",
    "dbms procedure": "CALL dbms.components()",
    "security procedure": "CALL dbms.security.createUser('x', 'y', false)",
    "apoc": "CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DELETE n', {})",
    "USE": "USE system SHOW USERS",
    "SHOW": "SHOW USERS",
    "ALTER": "ALTER USER neo4j SET PASSWORD 'x'",
    "CREATE USER": "CREATE USER eve SET PASSWORD 'secret123'",
    "GRANT": "GRANT ROLE admin TO eve",
    "STOP DATABASE": "STOP DATABASE neo4j",
    "lower case": "match (n:Topic) set n.name = 'x'",
    "after a comment": "MATCH (n) // harmless\nDETACH DELETE n",
}

#: Statements the server itself refuses in READ mode when the check is bypassed.
SERVER_REFUSES = ["CREATE", "MERGE", "DELETE", "SET", "REMOVE", "writing procedure"]


@pytest.fixture(scope="module")
def neo(neo4j_server: Server) -> Iterator[Neo4jStore]:
    store = Neo4jStore.connect(neo4j_server.uri, neo4j_server.user, neo4j_server.password)
    store.clear()
    store.write(read_curated(DATA))
    # a registration with a contact: personal data the console must not show
    store.write(
        Batch(
            "registrierung",
            nodes=[
                Node("Registration", "reg-1", {"status": "pending"}),
                Node("Contact", "c-1", {"name": "Erika Mustermann", "email": "e@example.org"}),
            ],
            rels=[
                Rel("FOR", Ref("reg-1", "Registration"), Ref("05358008", "Municipality"), {}),
                Rel("CONTACT", Ref("reg-1", "Registration"), Ref("c-1", "Contact"), {}),
            ],
        )
    )
    yield store
    store.clear()
    store.close()


def snapshot(store: Neo4jStore) -> tuple[object, ...]:
    constraints = store.session.read("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names")
    return (store.stats(), store.version(), sorted(constraints[0]["names"]))


@pytest.mark.parametrize("what", sorted(WRITES))
def test_writing_statement_is_refused_and_changes_nothing(neo: Neo4jStore, what: str) -> None:
    before = snapshot(neo)
    with pytest.raises(ConsoleRefused) as info:
        run_console(neo, WRITES[what])
    message = str(info.value)
    assert "nicht erlaubt" in message or "schreibgeschützt" in message
    assert "Es wurde nichts ausgeführt." in message
    assert snapshot(neo) == before


@pytest.mark.parametrize("what", SERVER_REFUSES)
def test_server_read_mode_refuses_when_the_check_is_bypassed(neo: Neo4jStore, what: str) -> None:
    before = snapshot(neo)
    with pytest.raises(ConsoleRefused) as info:
        execute_read(neo.driver, neo.database, WRITES[what])
    assert "schreibgeschützt" in str(info.value)
    assert "nichts geändert" in str(info.value)
    assert snapshot(neo) == before


def test_read_statement_gives_table_and_graph(neo: Neo4jStore) -> None:
    result = run_console(
        neo,
        "MATCH (m:Municipality)-[r:RUNS]->(p:Project) WHERE m.ags = $x RETURN m, r, p "
        "ORDER BY p.id LIMIT 3".replace("$x", "'05358008'"),
    )
    assert result.columns == ["m", "r", "p"]
    assert len(result.values) == 3
    assert result.values[0][0] == "Düren (Municipality)"
    assert result.values[0][1] == "RUNS"
    assert "Municipality:05358008" in result.graph
    assert result.graph.number_of_edges() == 3
    assert not result.truncated


def test_row_limit_and_keywords_inside_strings(neo: Neo4jStore) -> None:
    result = run_console(neo, "UNWIND range(1, 50) AS x RETURN x", row_limit=10)
    assert [v[0] for v in result.values] == list(range(1, 11))
    assert result.truncated
    text = run_console(neo, "RETURN 'CREATE (n) DELETE n' AS word // SET x = 1")
    assert text.values == [["CREATE (n) DELETE n"]]
    # properties and map keys that look like keywords are fine
    start = run_console(neo, "MATCH (n:Network {id: 'net-modellkommune'}) RETURN n.start AS start")
    assert start.values == [["2014"]]
    labels = run_console(neo, "CALL db.labels() YIELD label RETURN label ORDER BY label")
    assert ["Municipality"] in labels.values


def test_timeout_stops_a_long_query(neo: Neo4jStore) -> None:
    with pytest.raises(ConsoleError) as info:
        run_console(
            neo,
            "UNWIND range(1, 200000000) AS x WITH x WHERE x % 7 = 99 RETURN count(x)",
            timeout_s=1,
        )
    assert "länger als 1 s" in str(info.value)


def test_syntax_error_is_german(neo: Neo4jStore) -> None:
    with pytest.raises(ConsoleError) as info:
        run_console(neo, "MATCH (n RETURN n")
    assert str(info.value).startswith("Syntaxfehler in der Abfrage")


def test_personal_data_is_not_shown(neo: Neo4jStore) -> None:
    with pytest.raises(ConsoleRefused) as info:
        run_console(neo, "MATCH (c:Contact) RETURN c.email")
    assert "personenbezogene Daten" in str(info.value)
    with pytest.raises(ConsoleRefused):
        run_console(neo, "MATCH (m)<-[:FOR]-(r) RETURN r")
    with pytest.raises(ConsoleRefused):
        run_console(neo, "MATCH (n:Municipality|Registration) RETURN n")
    everything = run_console(neo, "MATCH (n) RETURN n", row_limit=10_000)
    shown = " ".join(str(v[0]) for v in everything.values)
    assert "Mustermann" not in shown
    assert everything.withheld >= 2
    assert all(
        d["type"] not in ("Contact", "Registration") for _, d in everything.graph.nodes(data=True)
    )


def test_check_accepts_reads_and_subqueries() -> None:
    check_statement("MATCH (n:Topic) RETURN n.name AS name ORDER BY name")
    check_statement("CALL () { MATCH (n:Topic) RETURN n } RETURN count(n)")
    check_statement("MATCH (n) WHERE n.name STARTS WITH 'D' RETURN n")
    with pytest.raises(ConsoleRefused):
        check_statement("   ")


def test_embedded_store_has_no_console(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "x.sqlite")
    with pytest.raises(ConsoleUnavailable) as info:
        run_console(store, "MATCH (n) RETURN n")
    assert "nur mit Neo4j" in str(info.value)
