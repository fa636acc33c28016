"""Open the store the settings ask for: Neo4j when a URI is configured, else the embedded
SQLite file. The only place that decides between the two."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from graph.core.errors import InvalidInput
from graph.core.paths import default_db_path
from graph.core.store import GraphStore


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


#: The address schemes of the Bolt protocol (the only one kommunetz speaks).
NEO4J_SCHEMES = frozenset({"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"})


def open_store(settings: StoreSettings) -> GraphStore:
    """The configured store, schema ensured. Raises `StoreUnavailable` with a message, or
    `InvalidInput` for a setting that cannot work (an address that is no Neo4j address,
    a ``KOMMUNETZ_DB`` file that is no database)."""
    if settings.neo4j_uri:
        scheme = settings.neo4j_uri.partition("://")[0].lower()
        if scheme not in NEO4J_SCHEMES:
            raise InvalidInput(
                f"NEO4J_URI „{settings.neo4j_uri}“ ist keine Neo4j-Adresse (erwartet z. B. "
                "bolt://localhost:7687 oder neo4j+s://xxxx.databases.neo4j.io)."
            )
        # imported here: the Neo4j driver alone takes ~0.6 s to import, which the first
        # page of a fresh app server (and every CLI call on the embedded store) would wait for
        from graph.stores.neo4j.store import Neo4jStore

        return Neo4jStore.connect(
            settings.neo4j_uri,
            settings.neo4j_username,
            settings.neo4j_password,
            settings.neo4j_database,
        )
    from graph.stores.sqlite.store import EmbeddedStore

    return EmbeddedStore(settings.db_path or default_db_path())
