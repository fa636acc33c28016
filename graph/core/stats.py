"""The store figures `kommunetz stats` prints, counted the same way on both stores
(registrations and contacts are never part of them, members by the one membership rule).

`graph_stats` is the definition: a pure function of the public graph. A store does not
build that graph to count (at Germany scale 4 s on the embedded store and 15 s on Neo4j
for a page that shows a few numbers); it answers a few small count reads (`StatRows`:
Neo4j's count store, SQLite's indexes) that `stats_from` turns into the same
`GraphStats`, and `tests/contract/test_store_basics.py` holds the two equal. Kept per
data version (`store_stats`)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.core.cache import per_version
from graph.core.membership import VIA_LABEL, memberships
from graph.core.nodes import display_name
from graph.core.programmes import Participation, participations


@dataclass(frozen=True)
class GraphStats:
    """Counts of nodes per label and relationships per type (labels with count 0 left out),
    plus what a coordinator checks first: municipalities by level (Gemeinde/Kreis), per
    network its members (by the one membership rule, `graph.core.membership`) and its
    partners by role, and per organisation that has members (a Bewerbergemeinschaft, a
    Zweckverband) how many."""

    nodes: dict[str, int]
    relationships: dict[str, int]
    municipalities: dict[str | None, int] = field(default_factory=dict)
    networks: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: organisations that have members (the Bewerbergemeinschaft, Zweckverbände)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: per programme its participations (`graph.core.programmes`): in all, per Staffel,
    #: per category, and how many Körperschaften take part
    programmes: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: the Gemeindeverbände: how many, by kind, and their member Gemeinden (``IN_VERBAND``)
    gemeindeverbaende: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "nodes": dict(sorted(self.nodes.items())),
            "relationships": dict(sorted(self.relationships.items())),
            "municipalities": dict(
                sorted((k or "unbekannt", v) for k, v in self.municipalities.items())
            ),
            "networks": dict(sorted(self.networks.items())),
            "groups": dict(sorted(self.groups.items())),
            "programmes": dict(sorted(self.programmes.items())),
            "gemeindeverbaende": self.gemeindeverbaende,
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)


#: A named node and a count: (key, properties the name is read from, count).
Counted = tuple[str, Mapping[str, Any], int]


@dataclass(frozen=True)
class StatRows:
    """What a store counts for `GraphStats` (public nodes and relationships only)."""

    nodes: Mapping[str, int]  # label → count
    relationships: Mapping[str, int]  # type → count
    levels: Mapping[str | None, int]  # Municipality.level → count
    networks: Iterable[Counted]  # every Network with its members (the membership rule)
    partners: Iterable[tuple[str, str | None, int]]  # network key, PARTNER_OF role, count
    groups: Iterable[Counted]  # organisations with MEMBER_OF relationships into them
    verband_kinds: Mapping[str | None, int]  # Gemeindeverband.kind → count
    participations: Iterable[Participation]  # every programme participation


def _verbaende(kinds: Mapping[str | None, int], memberships: int) -> dict[str, Any]:
    return {
        "count": sum(kinds.values()),
        "by_kind": dict(sorted((k or "unbekannt", v) for k, v in kinds.items() if v)),
        "memberships": memberships,
    }


def stats_from(rows: StatRows) -> GraphStats:
    """The `GraphStats` of a store's `StatRows` (equal to `graph_stats` of its graph)."""
    partners: dict[str, Counter[str]] = {}
    for net, role, n in rows.partners:
        partners.setdefault(net, Counter())[role or "Partner"] += n
    networks = {
        key: {
            "name": display_name("Network", key, props),
            "members": n,
            "partners": dict(partners.get(key, {})),
        }
        for key, props, n in rows.networks
    }
    groups = {
        key: {"name": display_name(VIA_LABEL, key, props), "members": n}
        for key, props, n in rows.groups
        if n
    }
    return GraphStats(
        {k: n for k, n in rows.nodes.items() if n},
        {k: n for k, n in rows.relationships.items() if n},
        {k: n for k, n in rows.levels.items() if n},
        networks,
        groups,
        programme_figures(rows.participations),
        _verbaende(rows.verband_kinds, rows.relationships.get("IN_VERBAND", 0)),
    )


def store_stats(store: Any, count: Callable[[], StatRows]) -> GraphStats:
    """`GraphStore.stats` for both stores: `stats_from` the store's ``count``, kept until
    the data changes."""
    return per_version(store, "stats", lambda _s, _version: stats_from(count()))


def graph_stats(g: nx.MultiDiGraph) -> GraphStats:
    """The `GraphStats` of a `store.graph()` graph."""
    node = g._node
    nodes = Counter(d["type"] for d in node.values())
    levels = Counter(d.get("level") for d in node.values() if d["type"] == "Municipality")
    rels: Counter[str] = Counter()
    partners: dict[str, Counter[str]] = {}
    group_members: Counter[str] = Counter()
    for nbrs in g._succ.values():  # the plain dicts: 200,000 relationships at Germany scale
        for b, keydict in nbrs.items():
            end = node[b]["type"]
            for rtype, attrs in keydict.items():
                rels[rtype] += 1
                if rtype == "PARTNER_OF" and end == "Network":
                    partners.setdefault(b, Counter())[attrs.get("role") or "Partner"] += 1
                elif rtype == "MEMBER_OF" and end == VIA_LABEL:
                    group_members[b] += 1
    member_sets: dict[str, set[str]] = {}
    for m in memberships(g):
        member_sets.setdefault(m.network.id, set()).add(m.actor.id)
    networks = {
        str(d["key"]): {
            "name": d.get("name"),
            "members": len(member_sets.get(nid, ())),
            "partners": dict(partners.get(nid, {})),
        }
        for nid, d in node.items()
        if d["type"] == "Network"
    }
    groups = {
        str(node[o]["key"]): {"name": node[o].get("name"), "members": n}
        for o, n in group_members.items()
    }
    verbaende = Counter(d.get("kind") for d in node.values() if d["type"] == "Gemeindeverband")
    return GraphStats(
        dict(nodes),
        dict(rels),
        dict(levels),
        networks,
        groups,
        programme_figures(participations(g)),
        _verbaende(verbaende, rels.get("IN_VERBAND", 0)),
    )


def programme_figures(items: Iterable[Participation]) -> dict[str, dict[str, Any]]:
    """Per network with participations: their number, per Staffel and per category, and
    the number of Körperschaften (each counted once, however often it takes part)."""
    out: dict[str, dict[str, Any]] = {}
    bodies: dict[str, set[str]] = {}
    for p in items:
        fig = out.setdefault(
            p.network.key,
            {"name": p.network.name, "participants": 0, "by_staffel": {}, "by_category": {}},
        )
        fig["participants"] += 1
        if p.staffel is not None:
            fig["by_staffel"][str(p.staffel)] = fig["by_staffel"].get(str(p.staffel), 0) + 1
        if p.category:
            fig["by_category"][p.category] = fig["by_category"].get(p.category, 0) + 1
        bodies.setdefault(p.network.key, set()).update(b.id for b in p.bodies)
    for key, fig in out.items():
        fig["by_staffel"] = dict(sorted(fig["by_staffel"].items()))
        fig["by_category"] = dict(sorted(fig["by_category"].items()))
        fig["koerperschaften"] = len(bodies.get(key, ()))
    return out
