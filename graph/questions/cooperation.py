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
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from graph.core.cache import per_version
from graph.core.nodes import Entity
from graph.core.programmes import Participation as ProgrammeItem
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
    #: actor id → its programme participations (`graph.core.programmes`)
    programmes: dict[str, tuple[ProgrammeItem, ...]] = field(default_factory=dict)

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
    programmes: defaultdict[str, list[ProgrammeItem]] = defaultdict(list)
    for p in qs.q_participations():
        for body in p.bodies:
            programmes[body.id].append(p)
    # every tie as an ordered pair, counted in one C-level pass (`Counter.update`): a
    # Python call per tie cost a second at Germany scale (200,000 ties)
    pairs: Counter[tuple[str, str]] = Counter()
    for hub, kind, members in qs.q_tie_groups():
        if kind != "partners":  # at the same item, or co-members of an organisation
            pairs.update(combinations(members, 2))  # members are sorted: (a, b) with a < b
        if kind != "item":  # a member or partner of the hub, itself an actor
            pairs.update((a, hub) if a < hub else (hub, a) for a in members)
    partners: defaultdict[str, dict[str, int]] = defaultdict(dict)
    for (a, b), n in pairs.items():
        if a != b and a in actors and b in actors:
            partners[a][b] = n
            partners[b][a] = n
    return Snapshot(
        version,
        actors,
        dict(partners),
        {a: frozenset(ts) for a, ts in index.topics_of.items()},
        dict(index.topic_entities),
        {a: tuple(ps) for a, ps in programmes.items()},
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
