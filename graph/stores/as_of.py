"""`StoreAsOf`: a store as it was on a date (the "Stand"), for the guided questions.

The questions ask a store (`graph.questions`); to answer them as of a date they ask this
read-only store instead, which holds the network of that date
(`graph.core.validity.as_of` over the store's own graph) and answers the raw reads over
it in networkx (`graph.stores.sqlite.questions.NxQuestions`, the embedded store's reads,
held equal to the Cypher reads by the contract tests). So both stores answer a question
as of a date by one rule, the one the explorer and the map apply;
`tests/contract/test_stand.py` holds them to the same answers.

A `StoreAsOf` is cheap to keep: its as-of graph is built once per data version of the
underlying store, and the questions' own caches (`graph.core.cache.per_version`) live
on this object, apart from those of the whole store.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx

from graph.core.cache import VersionCache
from graph.core.errors import InvalidInput
from graph.core.model import node_id
from graph.core.records import Batch
from graph.core.search import Hit
from graph.core.stats import GraphStats, graph_stats
from graph.core.store import GraphStore, WriteSummary
from graph.core.validity import as_of, stand
from graph.stores.sqlite.questions import NxQuestions

READ_ONLY = "Ein Stand zeigt das Netzwerk, wie es war; geschrieben wird in die Datenbank selbst."


class StoreAsOf:
    """``store`` as of ``when`` (a date or a year); read-only. Raises `QueryError` at once
    for a ``when`` that is no date."""

    def __init__(self, store: GraphStore, when: str) -> None:
        stand(when)  # a clear message now, not at the first question
        self.store, self.when = store, when
        self.kind = store.kind
        self._graphs: VersionCache[nx.MultiDiGraph] = VersionCache()
        self._questions = NxQuestions(self)

    # -- what the questions read ----------------------------------------------------------

    def version(self) -> int:
        return self.store.version()

    def graph(self, labels: Iterable[str] | None = None) -> nx.MultiDiGraph:
        wanted = None if labels is None else tuple(sorted(labels))
        return self._graphs.get(
            self.store.version(), wanted, lambda: as_of(self.store.graph(wanted), self.when)
        )

    def node(self, label: str, key: str) -> dict[str, Any] | None:
        return self.store.node(label, key) if node_id(label, key) in self.graph() else None

    def existing(self, refs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        g = self.graph()
        return {r for r in self.store.existing(refs) if node_id(*r) in g}

    def search(self, text: str, labels: Iterable[str] | None = None, limit: int = 20) -> list[Hit]:
        """The store's hits that existed then (asked for more, so that ``limit`` of them
        remain where the store has that many)."""
        g = self.graph()
        hits = self.store.search(text, labels, limit=limit * 4)
        return [h for h in hits if h.id in g][:limit]

    def stats(self) -> GraphStats:
        return graph_stats(self.graph())

    def is_empty(self) -> bool:
        return self.graph().number_of_nodes() == 0

    def question_reads(self) -> NxQuestions:
        return self._questions

    # -- no writes --------------------------------------------------------------------------

    def ensure_schema(self) -> None:
        raise InvalidInput(READ_ONLY)

    def write(self, batch: Batch, *, require_sources: bool = True) -> WriteSummary:
        raise InvalidInput(READ_ONLY)

    def clear(self) -> None:
        raise InvalidInput(READ_ONLY)

    def close(self) -> None:
        """Nothing to close: the underlying store belongs to whoever opened it."""
