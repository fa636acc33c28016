"""The one interface both stores implement, and the results they return.

`Neo4jStore` (Cypher over Bolt) and `EmbeddedStore` (one SQLite file) must give the same
answers; `tests/contract/` runs every contract test against both.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import networkx as nx

from graph.core.records import Batch
from graph.core.search import Hit


@dataclass
class WriteSummary:
    """What a write changed, per label and per relationship type."""

    nodes_created: Counter[str] = field(default_factory=Counter)
    nodes_updated: Counter[str] = field(default_factory=Counter)
    rels_created: Counter[str] = field(default_factory=Counter)
    rels_updated: Counter[str] = field(default_factory=Counter)
    nodes_total: int = 0
    rels_total: int = 0

    @property
    def changed(self) -> bool:
        return any((self.nodes_created, self.nodes_updated, self.rels_created, self.rels_updated))

    def as_dict(self) -> dict[str, Any]:
        return {
            "nodes": {
                "created": dict(self.nodes_created),
                "updated": dict(self.nodes_updated),
                "total": self.nodes_total,
            },
            "relationships": {
                "created": dict(self.rels_created),
                "updated": dict(self.rels_updated),
                "total": self.rels_total,
            },
        }


@dataclass(frozen=True)
class GraphStats:
    """Counts of nodes per label and relationships per type (labels with count 0 left out),
    plus what a coordinator checks first: municipalities by level (Gemeinde/Kreis), per
    network its members and its partners by role, and per organisation that has members
    (a Bewerbergemeinschaft, a Zweckverband) how many."""

    nodes: dict[str, int]
    relationships: dict[str, int]
    municipalities: dict[str, int] = field(default_factory=dict)
    networks: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: organisations that have members (the Bewerbergemeinschaft, Zweckverbände)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "nodes": dict(sorted(self.nodes.items())),
            "relationships": dict(sorted(self.relationships.items())),
            "municipalities": dict(
                sorted((k or "unbekannt", v) for k, v in self.municipalities.items())
            ),
            "networks": dict(sorted(self.networks.items())),
            "groups": dict(sorted(self.groups.items())),
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)


@runtime_checkable
class GraphStore(Protocol):
    """A place the graph lives. Every method is safe to call from several threads."""

    #: "neo4j" or "embedded"; shown in the app's footer and in CLI output.
    kind: str

    def ensure_schema(self) -> None:
        """Create constraints/tables if missing. Idempotent; called by every opener."""

    def write(self, batch: Batch) -> WriteSummary:
        """Validate ``batch`` against the model and the stored graph, then upsert it in one
        transaction: all or nothing. Raises `ValidationFailed` (nothing written) when a
        record is malformed or a relationship points to a node that exists nowhere."""
        ...

    def stats(self) -> GraphStats:
        """Node counts per label, relationship counts per type."""
        ...

    def graph(self, labels: Iterable[str] | None = None) -> nx.MultiDiGraph:
        """The public graph (or only the nodes of ``labels`` and the relationships between
        them) as a frozen networkx `MultiDiGraph`. Node ids are ``Label:key``; node
        attributes are ``type`` (the label), ``key``, ``name`` and the stored properties;
        edge keys and the ``type`` attribute are the relationship type. Registrations and
        contacts are never part of it. Cached until the data changes."""
        ...

    def node(self, label: str, key: str) -> dict[str, Any] | None:
        """Properties of one node, or None."""
        ...

    def existing(self, refs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of the given (label, key) pairs exist."""
        ...

    def search(self, text: str, labels: Iterable[str] | None = None, limit: int = 20) -> list[Hit]:
        """Public nodes whose key equals ``text`` or whose name contains it (case-blind),
        best first (see `graph.lookup.rank`)."""
        ...

    def version(self) -> int:
        """A number that grows with every committed write; caches key on it."""
        ...

    def is_empty(self) -> bool: ...

    def clear(self) -> None:
        """Delete everything (tests, `kommunetz reset`)."""

    def close(self) -> None: ...
