"""`NxQuestions`: the embedded store's part of the guided questions — the raw reads of
`graph.questions.rows.QuestionReads` over its cached networkx graph (memberships by
`graph.core.membership`, the rule's own function over that graph).

`EmbeddedStore.graph()` is built once per data version; everything here walks it
directly (a dict lookup per hop), and the few helper structures a question needs — the
undirected adjacency for path search, the list of workshops — are cached beside that
graph object and vanish with it. The hot loops read networkx's adjacency dicts
(``g._succ``, ``g._pred``, ``g._node``) directly: its view objects cost more than the
work itself at Germany scale.
"""

from __future__ import annotations

import heapq
import weakref
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from itertools import islice, pairwise
from typing import Any

import networkx as nx

from graph.core.membership import Member, member_networks, memberships
from graph.core.model import ACTOR_LABELS, PUBLIC_LABELS, node_id
from graph.core.nodes import Entity, entity_from
from graph.core.programmes import Participation as ProgrammeItem
from graph.core.programmes import participations
from graph.core.store import GraphStore
from graph.core.validity import as_of
from graph.questions.rows import (
    Incidence,
    Participation,
    RawPath,
    Step,
    WorkRow,
    WorkshopRow,
    sources_of,
)
from graph.questions.vocabulary import (
    FACT_PROPS,
    HUB_ITEMS,
    HUB_RELS,
    INCIDENCE_HUBS,
    INCIDENCE_RELS,
    MAX_HOPS,
    PATH_RELS,
    PATH_RELS_ADMIN,
    WORK_ITEMS,
    WORK_RELS,
)

_ADJ_CACHE: weakref.WeakKeyDictionary[nx.MultiDiGraph, dict[str, Any]] = weakref.WeakKeyDictionary()


def _aux(g: nx.MultiDiGraph) -> dict[str, Any]:
    """Helper structures cached per graph object (so per data version)."""
    found = _ADJ_CACHE.get(g)
    if found is None:
        found = {}
        _ADJ_CACHE[g] = found
    return found


def _sources(d: dict[str, Any]) -> tuple[str, ...]:
    return sources_of(d.get("sources"))


class NxQuestions:
    """The guided questions' raw reads, over ``store``'s public interface only: its
    cached `graph()` and `node()`."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store

    def graph(self, labels: Iterable[str] | None = None) -> nx.MultiDiGraph:
        return self.store.graph(labels)

    # -- helpers --------------------------------------------------------------------------

    @staticmethod
    def _e(g: nx.MultiDiGraph, nid: str) -> Entity:
        return entity_from(nid, g._node[nid])

    @staticmethod
    def _type(g: nx.MultiDiGraph, nid: str) -> str:
        return str(g._node[nid]["type"])

    def _work_items(self, g: nx.MultiDiGraph, actor: str) -> Iterator[tuple[str, str, dict]]:
        """(item, rel, edge data) of the projects and cooperations ``actor`` works on."""
        node = g._node
        for item, keys in g._succ[actor].items():
            if node[item]["type"] in WORK_ITEMS:
                for rel, d in keys.items():
                    if rel in WORK_RELS:
                        yield item, rel, d

    def _workers(self, g: nx.MultiDiGraph, item: str) -> Iterator[tuple[str, str, dict]]:
        """(actor, rel, edge data) of everyone who works on ``item``."""
        node = g._node
        for actor, keys in g._pred[item].items():
            if node[actor]["type"] in ACTOR_LABELS:
                for rel, d in keys.items():
                    if rel in WORK_RELS:
                        yield actor, rel, d

    def _topics_of(self, g: nx.MultiDiGraph, item: str) -> Iterator[str]:
        node = g._node
        for t, keys in g._succ[item].items():
            if "ABOUT" in keys and node[t]["type"] == "Topic":
                yield t

    def _items_about(self, g: nx.MultiDiGraph, topic: str, labels: Iterable[str]) -> list[str]:
        wanted = set(labels)
        node = g._node
        return [
            i for i, keys in g._pred[topic].items() if "ABOUT" in keys and node[i]["type"] in wanted
        ]

    # -- (1) ------------------------------------------------------------------------------

    def q_work_index(self) -> list[tuple[Entity, tuple[tuple[str, int], ...]]]:
        g = self.graph()
        counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for t, d in g._node.items():
            if d["type"] != "Topic":
                continue
            for item in self._items_about(g, t, WORK_ITEMS):
                for actor, _, _ in self._workers(g, item):
                    counts[actor][str(d["key"])] += 1
        return [(self._e(g, a), tuple(sorted(c.items()))) for a, c in counts.items()]

    def q_actor_facts(self) -> list[tuple[Entity, dict[str, Any]]]:
        g = self.graph()
        return [
            (self._e(g, n), {p: d[p] for p in FACT_PROPS if d.get(p) is not None})
            for n, d in g._node.items()
            if d["type"] in ACTOR_LABELS
        ]

    def q_member_ids(self) -> list[str]:
        return sorted(member_networks(self.graph()))

    def q_participations(self, when: str | None = None) -> list[ProgrammeItem]:
        g = self.graph()
        return participations(g if when is None else as_of(g, when))

    def q_by_key(self, labels: Sequence[str], key: str) -> list[Entity]:
        g = self.graph()
        ids = [node_id(label, key) for label in labels if label in PUBLIC_LABELS]
        return [self._e(g, n) for n in ids if n in g]

    def q_nodes(self, label: str, keys: Sequence[str] | None) -> dict[str, dict[str, Any]]:
        if label not in PUBLIC_LABELS:
            return {}
        if keys is None:
            g = self.graph([label])
            keys = [str(d["key"]) for d in g._node.values()]
        return {k: props for k in keys if (props := self.store.node(label, k)) is not None}

    def q_memberships(self, actor_ids: Sequence[str]) -> list[Member]:
        return memberships(self.graph(), actor_ids)

    # -- (2) ------------------------------------------------------------------------------

    def _incidences_at(self, g: nx.MultiDiGraph, hub: str) -> Iterator[Incidence]:
        if self._type(g, hub) not in INCIDENCE_HUBS:
            return
        h = self._e(g, hub)
        for x, _, rel, d in g.in_edges(hub, keys=True, data=True):
            if rel in INCIDENCE_RELS and self._type(g, x) in ACTOR_LABELS:
                yield Incidence(self._e(g, x), h, rel, _sources(d), d.get("role"))

    def q_incidences(self, actor_id: str) -> list[Incidence]:
        g = self.graph()
        if actor_id not in g:
            return []
        hubs = {actor_id}
        for _, h, rel in g.out_edges(actor_id, keys=True):
            if rel in INCIDENCE_RELS and self._type(g, h) in INCIDENCE_HUBS:
                hubs.add(h)
        return [inc for h in sorted(hubs) for inc in self._incidences_at(g, h)]

    # -- (3) ------------------------------------------------------------------------------

    def _adjacency(self, g: nx.MultiDiGraph, include_admin: bool) -> dict[str, list[str]]:
        """Undirected neighbours over the path relationship types, cached per graph."""
        aux = _aux(g)
        name = "adj_admin" if include_admin else "adj"
        adj = aux.get(name)
        if adj is None:
            allowed = set(PATH_RELS_ADMIN if include_admin else PATH_RELS)
            sets: dict[str, set[str]] = {}
            for u, v, rel in g.edges(keys=True):
                if rel in allowed and u != v:
                    sets.setdefault(u, set()).add(v)
                    sets.setdefault(v, set()).add(u)
            adj = {u: sorted(vs) for u, vs in sets.items()}
            aux[name] = adj
        return adj

    def q_paths(self, a_id: str, b_id: str, include_admin: bool, cap: int) -> list[RawPath]:
        g = self.graph()
        adj = self._adjacency(g, include_admin)
        allowed = set(PATH_RELS_ADMIN if include_admin else PATH_RELS)
        out = []
        for ids in all_shortest_paths(adj, a_id, b_id, MAX_HOPS, cap):
            steps = []
            for x, y in pairwise(ids):
                for s, e in ((x, y), (y, x)):
                    for rel, d in g.get_edge_data(s, e, default={}).items():
                        if rel in allowed:
                            steps.append(Step(rel, s, e, _sources(d), d.get("role")))
            out.append(RawPath(tuple(self._e(g, n) for n in ids), tuple(steps)))
        return out

    # -- (4) ------------------------------------------------------------------------------

    def q_actor_work(self, actor_ids: Sequence[str], topic_key: str | None) -> list[WorkRow]:
        g = self.graph()
        wanted = [a for a in actor_ids if a in g]
        if topic_key is not None:
            return self._actor_work_on(g, wanted, node_id("Topic", topic_key))
        return [
            WorkRow(a, self._e(g, item), rel, self._e(g, t), _sources(d), d.get("role"))
            for a in wanted
            for item, rel, d in self._work_items(g, a)
            for t in self._topics_of(g, item)
        ]

    def _actor_work_on(self, g: nx.MultiDiGraph, actor_ids: list[str], topic: str) -> list[WorkRow]:
        """What the actors do about ``topic``, from the topic's work (`_work_on`)."""
        if topic not in g:
            return []
        te = self._e(g, topic)
        work = self._work_on(g, topic)
        return [
            WorkRow(a, self._e(g, item), rel, te, _sources(d), d.get("role"))
            for a in dict.fromkeys(actor_ids)
            for item, rel, d in work.get(a, ())
        ]

    def _work_on(self, g: nx.MultiDiGraph, topic: str) -> dict[str, list[tuple[str, str, dict]]]:
        """Actor id → (item, rel, edge data) of its work about ``topic``. Walked for every
        topic at once, the first time one is asked for, and kept beside the graph: the 50
        busiest actors of a popular topic (question 1) have a thousand relationships each,
        the topic a few thousand items; walking either per request was most of the
        question's time."""
        aux = _aux(g)
        by_topic: dict[str, dict[str, list[tuple[str, str, dict]]]] | None = aux.get("work_on")
        if by_topic is None:
            by_topic = {}
            for t, d in g._node.items():
                if d["type"] == "Topic":
                    found: dict[str, list[tuple[str, str, dict]]] = {}
                    by_topic[t] = found
                    for item in self._items_about(g, t, WORK_ITEMS):
                        for a, rel, e in self._workers(g, item):
                            found.setdefault(a, []).append((item, rel, e))
            aux["work_on"] = by_topic
        return by_topic.get(topic, {})

    # -- (5) ------------------------------------------------------------------------------

    def q_workshops(
        self, actor_id: str | None, topic_key: str | None, limit: int
    ) -> tuple[int, list[WorkshopRow]]:
        g = self.graph()
        rank = self._workshop_ranks(g)
        about = self._workshops_about(g, topic_key) if topic_key is not None else None
        if actor_id is not None:
            if actor_id not in g:
                return 0, []
            chosen: Collection[str] = {
                w
                for _, w, rel in g.out_edges(actor_id, keys=True)
                if rel in ("HOSTED", "ATTENDED")
                and self._type(g, w) == "Workshop"
                and (about is None or w in about)
            }
        elif about is not None:
            chosen = about
        else:  # every workshop: the ranks are in answer order already
            chosen = rank
        if chosen is rank:
            top = list(islice(rank, max(0, limit)))
        else:
            top = heapq.nsmallest(max(0, limit), chosen, key=rank.__getitem__)
        rows: dict[str, WorkshopRow] = _aux(g).setdefault("workshop_rows", {})
        out = []
        for w in top:
            # a row is the same for every request of this graph (frozen), and the newest
            # workshops are in most answers: built once each
            row = rows.get(w)
            if row is None:
                row = rows[w] = self._workshop_row(g, w)
            out.append(row)
        return len(chosen), out

    def _workshops_about(self, g: nx.MultiDiGraph, topic_key: str) -> set[str]:
        """The workshops about a topic, once per topic and graph: a topic has thousands of
        items, few of them workshops."""
        t = node_id("Topic", topic_key)
        about: dict[str, set[str]] = _aux(g).setdefault("workshops_about", {})
        if t not in about:
            about[t] = set(self._items_about(g, t, ["Workshop"])) if t in g else set()
        return about[t]

    def _workshop_ranks(self, g: nx.MultiDiGraph) -> dict[str, int]:
        """Every workshop's place in the answer order (newest first, undated last, then
        id), computed once per graph: a request then sorts by a number."""
        aux = _aux(g)
        if "workshop_ranks" not in aux:
            ordered = sorted(n for n, d in g._node.items() if d["type"] == "Workshop")
            ordered.sort(key=lambda w: str(g._node[w].get("date") or ""), reverse=True)
            aux["workshop_ranks"] = {w: i for i, w in enumerate(ordered)}
        ranks: dict[str, int] = aux["workshop_ranks"]
        return ranks

    def _workshop_row(self, g: nx.MultiDiGraph, w: str) -> WorkshopRow:
        d = g.nodes[w]
        participants = tuple(
            Participation(self._e(g, a), rel, e.get("role"), _sources(e))
            for a, _, rel, e in g.in_edges(w, keys=True, data=True)
            if rel in ("HOSTED", "ATTENDED") and self._type(g, a) in ACTOR_LABELS
        )
        return WorkshopRow(
            self._e(g, w),
            d.get("date"),
            d.get("date_end"),
            d.get("place"),
            bool(d.get("inferred")),
            participants,
            tuple(self._e(g, t) for t in self._topics_of(g, w)),
            _sources(d),
        )

    # -- (6), (7): the whole cooperation graph ---------------------------------------------

    def q_tie_groups(self) -> list[tuple[str, str, tuple[str, ...]]]:
        g = self.graph()
        node = g._node
        return tie_groups(
            (h, d["type"], rel, x)
            for h, d in node.items()
            if d["type"] in HUB_ITEMS or d["type"] in ACTOR_LABELS
            for x, keys in g._pred[h].items()
            if node[x]["type"] in ACTOR_LABELS
            for rel in keys
        )


#: (hub id, hub label, relationship type, actor id): an actor's relationship to a hub.
TieRow = tuple[str, str, str, str]


def tie_groups(rows: Iterable[TieRow]) -> list[tuple[str, str, tuple[str, ...]]]:
    """`QuestionReads.q_tie_groups` of the actors' relationships to hubs (those to other
    nodes are left out): at an item, a member of an organisation, a partner of an actor."""
    at: dict[tuple[str, str], set[str]] = {}
    for hub, kind, rel, actor in rows:
        if kind in HUB_ITEMS and rel in HUB_RELS:
            group = "item"
        elif kind == "Organisation" and rel == "MEMBER_OF":
            group = "members"
        elif kind in ACTOR_LABELS and rel == "PARTNER_OF":
            group = "partners"
        else:
            continue
        at.setdefault((hub, group), set()).add(actor)
    return [
        (hub, group, tuple(sorted(actors)))
        for (hub, group), actors in at.items()
        if group != "item" or len(actors) > 1
    ]


def all_shortest_paths(
    adj: dict[str, list[str]], source: str, target: str, max_hops: int, cap: int
) -> list[list[str]]:
    """Every shortest path from ``source`` to ``target`` in the undirected graph ``adj``
    (at most ``max_hops`` hops; at most ``cap`` paths), by a breadth-first search from
    both ends that always grows the smaller side.

    Growing the smaller side keeps the search local when one end is a hub; a one-sided
    search (networkx's `all_shortest_paths`) walks most of a Germany-scale graph for two
    municipalities four hops apart."""
    if source not in adj or target not in adj or source == target:
        return []
    pred: list[dict[str, list[str]]] = [{source: []}, {target: []}]
    fronts = [[source], [target]]
    depth = [0, 0]
    meet: list[str] = []
    while fronts[0] and fronts[1] and depth[0] + depth[1] < max_hops and not meet:
        side = 0 if len(fronts[0]) <= len(fronts[1]) else 1
        seen, other = pred[side], pred[1 - side]
        layer: dict[str, list[str]] = {}
        for u in fronts[side]:
            for v in adj[u]:
                if v not in seen:
                    layer.setdefault(v, []).append(u)
        seen.update(layer)
        fronts[side] = sorted(layer)
        depth[side] += 1
        # the two sides were disjoint before this layer, so a and b are more than
        # depth[0] + depth[1] - 1 hops apart; a node of this layer that the other side
        # has seen lies on a path of exactly that length, and every shortest path passes
        # through one such node
        meet = [v for v in fronts[side] if v in other]
    out: list[list[str]] = []
    for m in meet:
        for left in _walk(pred[0], m, cap):
            for right in _walk(pred[1], m, cap):
                out.append(left[::-1] + right[1:])
                if len(out) >= cap:
                    return out
    return out


def _walk(pred: dict[str, list[str]], start: str, cap: int) -> Iterator[list[str]]:
    """Paths from ``start`` back to the root of ``pred`` (at most ``cap``)."""
    n = 0
    stack = [[start]]
    while stack and n < cap:
        path = stack.pop()
        parents = pred[path[-1]]
        if not parents:
            n += 1
            yield path
            continue
        for p in reversed(parents):
            stack.append([*path, p])
