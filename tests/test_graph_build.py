"""`build_graph` fills networkx's dicts itself (for speed): the graph must be the one
networkx's own ``add_nodes_from``/``add_edges_from`` give, and the garbage collector pause
of the caches must leave the collector as it found it."""

from __future__ import annotations

import gc
import threading
from typing import Any

import networkx as nx
import pytest

from graph.core.cache import VersionCache, gc_paused, per_version
from graph.core.model import node_id
from graph.core.nodes import display_name
from graph.core.nxgraph import NodeRow, RelRow, build_graph

NODES: list[NodeRow] = [
    ("Municipality", "05358008", {"name": "Düren", "kind": "Stadt", "population": 90_000}),
    ("Municipality", "05358", {"name": "Düren", "kind": "Kreis"}),
    ("Project", "p1", {"name": "E-Akte", "sources": ["s1"]}),
    ("Topic", "e-akte", {}),  # no name: the display name rule applies
    ("Project", "p1", {"status": "laufend"}),  # the same node again: updates the first
]
RELS: list[RelRow] = [
    ("PART_OF", "Municipality", "05358008", "Municipality", "05358", {}),
    ("RUNS", "Municipality", "05358008", "Project", "p1", {"since": "2019"}),
    ("PARTNER_OF", "Municipality", "05358008", "Project", "p1", {"role": "Partner"}),
    ("ABOUT", "Project", "p1", "Topic", "e-akte", {"sources": ["s2"]}),
    ("RUNS", "Municipality", "05358008", "Project", "p1", {"role": "Lead"}),  # again
    ("ABOUT", "Project", "p1", "Topic", "unknown", {}),  # an end not among the nodes
    ("RUNS", "Municipality", "00000000", "Project", "p1", {}),  # the other end missing
    ("RELATED", "Project", "p1", "Project", "p1", {}),  # a self-loop
]


def networkx_way(nodes: list[NodeRow], rels: list[RelRow]) -> nx.MultiDiGraph:
    """The graph as networkx's own methods build it: the reference."""
    g = nx.MultiDiGraph()
    g.add_nodes_from(
        (
            node_id(label, key),
            {**props, "type": label, "key": key, "name": display_name(label, key, props)},
        )
        for label, key, props in nodes
    )
    g.add_edges_from(
        (a, b, rtype, {**props, "type": rtype})
        for rtype, sl, sk, el, ek, props in rels
        if (a := node_id(sl, sk)) in g and (b := node_id(el, ek)) in g
    )
    return g


def as_data(g: nx.MultiDiGraph) -> tuple[list[Any], list[Any], list[Any]]:
    """Everything a reader can see of ``g``, in its orders."""
    return (
        list(g.nodes(data=True)),
        list(g.edges(keys=True, data=True)),
        [(n, list(g.predecessors(n)), list(g.successors(n))) for n in g],
    )


def test_the_graph_is_networkx_own() -> None:
    ours, reference = build_graph(NODES, RELS), networkx_way(NODES, RELS)
    assert as_data(ours) == as_data(reference)
    assert nx.is_frozen(ours)
    assert ours.nodes["Project:p1"]["status"] == "laufend"
    # the second row updates the first, its display name (the key) included
    assert ours.nodes["Project:p1"]["name"] == "p1"
    runs = ours.edges["Municipality:05358008", "Project:p1", "RUNS"]
    assert runs == {"since": "2019", "role": "Lead", "type": "RUNS"}
    assert ours.number_of_edges() == 5
    # the two directions share one dict, as networkx keeps them
    assert ours._succ["Project:p1"]["Topic:e-akte"] is ours._pred["Topic:e-akte"]["Project:p1"]
    assert ours.in_degree("Project:p1") == 3  # two from Düren, one from itself


def test_the_collector_is_paused_while_building_and_as_it_was_after() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():  # nested (the snapshot asks for the graph)
            assert not gc.isenabled()
        assert not gc.isenabled(), "the outer build is still running"
    assert gc.isenabled()
    with pytest.raises(ValueError), gc_paused():
        raise ValueError("a build that fails")
    assert gc.isenabled(), "a failed build leaves the collector running"
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled(), "switched off before: stays off"
    finally:
        gc.enable()


def test_the_caches_build_with_the_collector_paused() -> None:
    seen: list[bool] = []

    def build() -> int:
        seen.append(gc.isenabled())
        return 1

    VersionCache[int]().get(1, "k", build)

    class Store:
        def version(self) -> int:
            return 1

    per_version(Store(), "name", lambda store, version: build())
    assert seen == [False, False]
    assert gc.isenabled()


def test_builders_in_two_threads_leave_it_running() -> None:
    inside = threading.Barrier(2)
    leave = threading.Event()

    def builder() -> None:
        with gc_paused():
            inside.wait()
            leave.wait(5)

    threads = [threading.Thread(target=builder) for _ in range(2)]
    for t in threads:
        t.start()
    leave.set()
    for t in threads:
        t.join()
    assert gc.isenabled()


def test_a_large_build_leaves_no_young_objects_for_the_next_request() -> None:
    """After a build of many objects the collector has already moved them on: the next
    request does not pay for walking them (a 0.2 s pause at Germany scale)."""
    from graph.core import cache

    built = VersionCache[list[dict[str, int]]]().get(
        1, "big", lambda: [{"i": i} for i in range(3 * cache._COLLECT_AFTER)]
    )
    assert len(built) == 3 * cache._COLLECT_AFTER
    assert gc.get_count()[0] < cache._COLLECT_AFTER // 10
