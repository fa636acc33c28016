"""What the registration tests share: a small public graph with the open network, forms
with recognisable personal data, and a scan of everything a store holds."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph.core.records import Batch, Node, Ref, Rel
from graph.core.store import GraphStore
from graph.joining.form import RegistrationForm, Submission, new_submission, validate_form
from graph.stores.neo4j.store import Neo4jStore
from graph.stores.sqlite.store import EmbeddedStore

SRC = ["src-test"]
NOW = datetime(2025, 6, 12, 8, 30, tzinfo=UTC)
LATER = datetime(2025, 6, 20, 22, 30, tzinfo=UTC)  # 21 June in Berlin
CONTROLLER = "Koordination Testnetzwerk, Musterstraße 1, 12345 Musterstadt"


def base_batch() -> Batch:
    """Land NRW with Kreis Düren and the Stadt Düren, the open network with one member
    (Gütersloh), two topics."""
    return Batch(
        "test",
        nodes=[
            Node("Source", "src-test", {"url": "https://example.org", "title": "Test"}),
            Node("State", "05", {"name": "Nordrhein-Westfalen", "sources": SRC}),
            Node("State", "09", {"name": "Bayern", "sources": SRC}),
            Node(
                "Municipality",
                "05358",
                {"name": "Düren", "kind": "Kreis", "level": "Kreis", "sources": SRC},
            ),
            Node(
                "Municipality",
                "05358008",
                {"name": "Düren", "kind": "Stadt", "level": "Gemeinde", "sources": SRC},
            ),
            Node(
                "Municipality",
                "05754008",
                {"name": "Gütersloh", "kind": "Stadt", "level": "Gemeinde", "sources": SRC},
            ),
            Node("Network", "net-offenes-netzwerk", {"name": "Offenes Netzwerk", "sources": SRC}),
            Node("Topic", "t-e-akte", {"name": "E-Akte", "facet": "Baustein", "sources": SRC}),
            Node(
                "Topic",
                "t-ozg-bauen-wohnen",
                {"name": "Bauen & Wohnen", "facet": "OZG-Themenfeld", "sources": SRC},
            ),
        ],
        rels=[
            Rel("IN_STATE", Ref("05358008", "Municipality"), Ref("05", "State"), {"sources": SRC}),
            Rel("PART_OF", Ref("05358008"), Ref("05358"), {"sources": SRC}),
            Rel(
                "MEMBER_OF",
                Ref("05754008", "Municipality"),
                Ref("net-offenes-netzwerk", "Network"),
                {"since": "2017-01-27", "sources": SRC},
            ),
        ],
    )


def form_data(**overrides: Any) -> dict[str, Any]:
    """A valid form for Düren; ``contact`` overrides merge into the contact."""
    contact = {
        "name": "Erika Mustermann",
        "function": "E-Government-Beauftragte",
        "email": "erika.mustermann@dueren.example",
        "phone": "+49 2421 25-0",
    }
    contact.update(overrides.pop("contact", {}))
    data: dict[str, Any] = {
        "ags": "05358008",
        "municipality_name": "Düren",
        "contact": contact,
        "interests": ["t-e-akte"],
        "offer": "Erfahrung mit der E-Akte",
        "seek": "Austausch zu Bauanträgen",
        "projects": None,
        "consent": True,
    }
    data.update(overrides)
    return data


def make_form(**overrides: Any) -> RegistrationForm:
    return validate_form(form_data(**overrides))


def make_submission(now: datetime = NOW, *, confirm: bool = False, **overrides: Any) -> Submission:
    return new_submission(make_form(**overrides), CONTROLLER, now, confirm=confirm)


def store_text(store: GraphStore) -> str:
    """Everything the store holds, as one text: every row of every SQLite table and the
    raw bytes of the database file and its WAL; every node and relationship with all
    their properties on Neo4j."""
    parts: list[str] = []
    if isinstance(store, EmbeddedStore):
        db: sqlite3.Connection = store.database.connection
        with store.database.lock:
            tables = [
                r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            ]
            for table in tables:
                parts.extend(repr(row) for row in db.execute(f'SELECT * FROM "{table}"'))
        for suffix in ("", "-wal"):
            path = Path(str(store.path) + suffix)
            if path.exists():
                parts.append(path.read_bytes().decode("utf-8", errors="replace"))
    elif isinstance(store, Neo4jStore):
        records, _, _ = store.driver.execute_query(
            "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props", database_="neo4j"
        )
        parts.extend(repr((r["labels"], r["props"])) for r in records)
        records, _, _ = store.driver.execute_query(
            "MATCH ()-[r]->() RETURN type(r) AS type, properties(r) AS props", database_="neo4j"
        )
        parts.extend(repr((r["type"], r["props"])) for r in records)
    else:
        raise TypeError(type(store))
    return "\n".join(parts)
