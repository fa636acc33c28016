"""Open the store the settings ask for: Neo4j when a URI is configured, else the embedded
SQLite file. The only place that decides between the two."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from graph.core.paths import default_db_path
from graph.core.store import GraphStore
from graph.stores.neo4j.store import Neo4jStore
from graph.stores.sqlite.store import EmbeddedStore


@dataclass(frozen=True)
class StoreSettings:
    """Connection settings, named as in the Neo4j ecosystem. Read them at the edge (CLI,
    app) with `from_env` and pass them in."""

    neo4j_uri: str | None = None
    neo4j_username: str | None = None
    neo4j_password: str | None = None
    neo4j_database: str = "neo4j"
    db_path: Path | None = None

    @classmethod
    def from_mapping(cls, env: dict[str, str]) -> StoreSettings:
        return cls(
            neo4j_uri=env.get("NEO4J_URI") or None,
            neo4j_username=env.get("NEO4J_USERNAME") or env.get("NEO4J_USER") or None,
            neo4j_password=env.get("NEO4J_PASSWORD") or None,
            neo4j_database=env.get("NEO4J_DATABASE") or "neo4j",
            db_path=Path(env["KOMMUNETZ_DB"]) if env.get("KOMMUNETZ_DB") else None,
        )

    @classmethod
    def from_env(cls) -> StoreSettings:
        return cls.from_mapping(dict(os.environ))

    def describe(self) -> str:
        """One German line saying where the data lives (no password)."""
        if self.neo4j_uri:
            return f"Neo4j {self.neo4j_uri} (Datenbank {self.neo4j_database})"
        return f"eingebettete Datenbank {self.db_path or default_db_path()}"


def open_store(settings: StoreSettings) -> GraphStore:
    """The configured store, schema ensured. Raises `StoreUnavailable` with a message."""
    if settings.neo4j_uri:
        return Neo4jStore.connect(
            settings.neo4j_uri,
            settings.neo4j_username,
            settings.neo4j_password,
            settings.neo4j_database,
        )
    return EmbeddedStore(settings.db_path or default_db_path())
