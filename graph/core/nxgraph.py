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

    The adjacency dicts are filled directly, as ``add_nodes_from``/``add_edges_from``
    would leave them (a row that comes twice updates the first, as there): those go
    through networkx's view objects for every edge, 0.5 s of the 226,000 at Germany
    scale, where the dicts take a tenth of that. The result is an ordinary graph
    (``tests/test_graph_build.py`` holds it equal to networkx's own way).
    """
    g = nx.MultiDiGraph()
    node, succ, pred = g._node, g._succ, g._pred
    for label, key, props in nodes:
        nid = node_id(label, key)
        attrs = {**props, "type": label, "key": key, "name": display_name(label, key, props)}
        if nid in node:
            node[nid].update(attrs)
        else:
            node[nid] = attrs
            succ[nid] = {}
            pred[nid] = {}
    for rtype, sl, sk, el, ek, props in rels:
        a = node_id(sl, sk)
        b = node_id(el, ek)
        if a not in node or b not in node:
            continue
        keydict = succ[a].get(b)
        if keydict is None:
            keydict = succ[a][b] = pred[b][a] = {}
        found = keydict.get(rtype)
        if found is None:
            keydict[rtype] = {**props, "type": rtype}
        else:
            found.update(props, type=rtype)
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
