"""Turn stored rows into the networkx graph every part of kommunetz reads.

Both stores feed the same rows into `build_graph` and cache the result the same way
(`cached_graph`), so a view, a query or an export cannot tell which store it came from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import networkx as nx

from graph.core.cache import VersionCache
from graph.core.model import PUBLIC_LABELS, node_id
from graph.core.nodes import display_name

NodeRow = tuple[str, str, Mapping[str, Any]]
RelRow = tuple[str, str, str, str, str, Mapping[str, Any]]
#: What a store reads for `cached_graph`: the node and relationship rows of these labels.
ReadRows = Callable[[list[str]], tuple[Iterable[NodeRow], Iterable[RelRow]]]


def build_graph(nodes: Iterable[NodeRow], rels: Iterable[RelRow]) -> nx.MultiDiGraph:
    """A frozen `MultiDiGraph` of the given rows (see `GraphStore.graph` for the layout).

    Relationships whose ends are not among ``nodes`` are dropped, so that a label filter
    yields a consistent subgraph.
    """
    g = nx.MultiDiGraph()
    g.add_nodes_from(
        (
            node_id(label, key),
            {**props, "type": label, "key": key, "name": display_name(label, key, props)},
        )
        for label, key, props in nodes
    )
    present = g._node  # direct dict lookup: this loop runs 200k times at Germany scale
    g.add_edges_from(
        (a, b, rtype, {**props, "type": rtype})
        for rtype, sl, sk, el, ek, props in rels
        if (a := node_id(sl, sk)) in present and (b := node_id(el, ek)) in present
    )
    return nx.freeze(g)


def cached_graph(
    cache: VersionCache[nx.MultiDiGraph],
    version: int,
    labels: Iterable[str] | None,
    read_rows: ReadRows,
) -> nx.MultiDiGraph:
    """`GraphStore.graph` for both stores: the public graph (or the public ``labels`` of
    it) at ``version``, built from ``read_rows`` once per version and label set."""
    wanted = frozenset(labels) & PUBLIC_LABELS if labels is not None else None
    chosen = sorted(wanted if wanted is not None else PUBLIC_LABELS)
    return cache.get(version, wanted, lambda: build_graph(*read_rows(chosen)))
