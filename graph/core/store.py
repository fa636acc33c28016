"""The one interface both stores implement, and what a write returns.

`Neo4jStore` (Cypher over Bolt, `graph.stores.neo4j`) and `EmbeddedStore` (one SQLite
file, `graph.stores.sqlite`) must give the same answers; `tests/contract/` runs every
contract test against both. What the two stores share is written once: the write path
(`graph.core.write`), the graph cache (`graph.core.nxgraph.cached_graph`), the search
(`graph.core.search.find_hits`) and the figures (`graph.core.stats.graph_stats`).
Beside this protocol a store offers the raw reads of the guided questions
(`question_reads()`, `graph.questions.rows`) and the registration workflow's
per-store part (`registration_backend()`, `graph.joining.registration`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import networkx as nx

from graph.core.records import Batch
from graph.core.search import Hit
from graph.core.stats import GraphStats


@dataclass
class WriteSummary:
    """What a write changed, per label and per relationship type."""

    nodes_created: Counter[str] = field(default_factory=Counter)
    nodes_updated: Counter[str] = field(default_factory=Counter)
    rels_created: Counter[str] = field(default_factory=Counter)
    rels_updated: Counter[str] = field(default_factory=Counter)
    #: Left alone because the store holds them from a newer edition (`merge.older_edition`).
    nodes_kept: Counter[str] = field(default_factory=Counter)
    rels_kept: Counter[str] = field(default_factory=Counter)
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
                "kept_newer_edition": dict(self.nodes_kept),
                "total": self.nodes_total,
            },
            "relationships": {
                "created": dict(self.rels_created),
                "updated": dict(self.rels_updated),
                "kept_newer_edition": dict(self.rels_kept),
                "total": self.rels_total,
            },
        }


@runtime_checkable
class GraphStore(Protocol):
    """A place the graph lives. Every method is safe to call from several threads."""

    #: "neo4j" or "embedded"; shown in the app's footer and in CLI output.
    kind: str

    def ensure_schema(self) -> None:
        """Create constraints/tables if missing. Idempotent; called by every opener."""

    def write(self, batch: Batch, *, require_sources: bool = True) -> WriteSummary:
        """Validate ``batch`` against the model and the stored graph, then upsert it in one
        transaction: all or nothing. Raises `ValidationFailed` (nothing written) when a
        record is malformed or a relationship points to a node that exists nowhere."""
        ...

    def stats(self) -> GraphStats:
        """Node counts per label, relationship counts per type, members per network:
        `graph.core.stats.graph_stats` of `graph`."""
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
        best first (see `graph.core.search`)."""
        ...

    def version(self) -> int:
        """A number that grows with every committed write; caches key on it."""
        ...

    def is_empty(self) -> bool: ...

    def clear(self) -> None:
        """Delete everything (tests, `kommunetz reset`)."""

    def close(self) -> None: ...
