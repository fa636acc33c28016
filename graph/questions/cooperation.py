"""The cooperation graph and the actors' facts at one data version: what the network
metrics (`graph.questions.metrics`) and the partner recommendations
(`graph.questions.recommend`) share.

The **cooperation graph** has the actors (municipalities and organisations) as nodes and
an edge between two actors who are partners in the sense of `graph.questions.rows`: a
direct membership or partnership, or a shared organisation, cooperation, project or
workshop. The edge weight counts those ties. Topics are not edges (everyone shares a
topic with nearly everyone), and neither are networks. Computed once per data version.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from graph.core.cache import per_version
from graph.core.nodes import Entity
from graph.core.store import GraphStore
from graph.questions.index import work_index
from graph.questions.rows import question_reads


@dataclass(frozen=True)
class ActorInfo:
    """What the recommendations need to know of an actor."""

    entity: Entity
    level: str | None
    population: int | None
    lat: float | None
    lon: float | None
    member: bool


@dataclass
class Snapshot:
    """The cooperation graph and the actors' facts at one data version."""

    version: int
    actors: dict[str, ActorInfo]
    partners: dict[str, dict[str, int]]
    work: dict[str, frozenset[str]]
    topics: dict[str, Entity]

    @property
    def active(self) -> list[str]:
        """Actors in the cooperation graph: members, and everyone with a tie or a topic."""
        ids = {a for a, info in self.actors.items() if info.member}
        ids.update(self.partners)
        ids.update(self.work)
        return sorted(i for i in ids if i in self.actors)


def snapshot(store: GraphStore) -> Snapshot:
    """The cooperation graph of ``store``, cached until the data changes."""
    return per_version(store, "snapshot", _build_snapshot)


def _build_snapshot(store: GraphStore, version: int) -> Snapshot:
    qs = question_reads(store)
    index = work_index(store)
    actors = _actor_infos(qs.q_actor_facts(), index.members)
    partners: defaultdict[str, Counter[str]] = defaultdict(Counter)

    def tie(a: str, b: str) -> None:
        if a != b and a in actors and b in actors:
            partners[a][b] += 1
            partners[b][a] += 1

    for hub, kind, members in qs.q_tie_groups():
        if kind != "partners":  # at the same item, or co-members of an organisation
            for a, b in combinations(members, 2):
                tie(a, b)
        if kind != "item":  # a member or partner of the hub, itself an actor
            for a in members:
                tie(a, hub)
    return Snapshot(
        version,
        actors,
        {a: dict(c) for a, c in partners.items()},
        {a: frozenset(ts) for a, ts in index.topics_of.items()},
        dict(index.topic_entities),
    )


def _actor_infos(
    facts: list[tuple[Entity, dict[str, Any]]], members: frozenset[str]
) -> dict[str, ActorInfo]:
    """Facts of every actor; a Kreis without coordinates gets the mean of its Gemeinden's
    (the directory gives coordinates for Gemeinden only)."""
    coords: dict[str, list[tuple[float, float]]] = {}
    for e, f in facts:
        lat, lon = _float(f.get("lat")), _float(f.get("lon"))
        if e.label == "Municipality" and len(e.key) == 8 and lat is not None and lon is not None:
            coords.setdefault(e.key[:5], []).append((lat, lon))
    out = {}
    for e, f in facts:
        lat, lon = _float(f.get("lat")), _float(f.get("lon"))
        if (lat is None or lon is None) and e.label == "Municipality" and len(e.key) == 5:
            # sorted: the sum must not depend on the order the store returned the rows in
            pts = sorted(coords.get(e.key, ()))
            if pts:
                lat = sum(p[0] for p in pts) / len(pts)
                lon = sum(p[1] for p in pts) / len(pts)
        pop = _float(f.get("population"))
        out[e.id] = ActorInfo(
            e, f.get("level"), int(pop) if pop is not None else None, lat, lon, e.id in members
        )
    return out


def _float(x: Any) -> float | None:
    """A finite number as float, else None (a property may be missing or text)."""
    if isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x):
        return float(x)
    return None
