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
from typing import Any, cast

from graph.core.cache import cached, per_version
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
    #: the actors with a partner, where ``partners`` holds only some of them (`around`)
    tied: frozenset[str] | None = None

    @property
    def active(self) -> list[str]:
        """Actors in the cooperation graph: members, and everyone with a tie or a topic."""
        ids = {a for a, info in self.actors.items() if info.member}
        ids.update(self.partners if self.tied is None else self.tied)
        ids.update(self.work)
        return sorted(i for i in ids if i in self.actors)


@dataclass(frozen=True)
class _Reads:
    """What the cooperation graph is computed from, read once per data version."""

    actors: dict[str, ActorInfo]
    groups: list[tuple[str, str, tuple[str, ...]]]
    work: dict[str, frozenset[str]]
    topics: dict[str, Entity]
    programmes: dict[str, tuple[ProgrammeItem, ...]]
    tied: frozenset[str]  # the actors with a partner (`_tied`)


def snapshot(store: GraphStore) -> Snapshot:
    """The cooperation graph of ``store``, cached until the data changes."""
    return per_version(store, "snapshot", _build_snapshot)


def around(store: GraphStore, actor_id: str) -> Snapshot:
    """What the suggestions for ``actor_id`` read of the cooperation graph: the whole
    `snapshot` where it is built already; else the same facts with the partner maps of
    the actor and of its partners only (``tied`` names everyone with a partner).

    Counting every tie of the network (200,000 at Germany scale) is most of the
    snapshot's cost, and one actor's suggestions need its partners and theirs (for the
    partners in common); everything they read is what the snapshot reads, by the same
    rules, so the suggestions are the same (`tests/contract/test_queries_synthetic.py`)."""
    version = store.version()
    found = cached(store, "snapshot", version)
    if found is not None:
        return cast(Snapshot, found)
    reads = _reads(store)
    mine = _partner_maps(reads.groups, reads.actors, {actor_id}).get(actor_id, {})
    partners = _partner_maps(reads.groups, reads.actors, set(mine))
    if mine:
        partners[actor_id] = mine
    return _snapshot_of(reads, version, partners, reads.tied)


def _reads(store: GraphStore) -> _Reads:
    return per_version(store, "cooperation_reads", _read)


def _read(store: GraphStore, version: int) -> _Reads:
    qs = question_reads(store)
    index = work_index(store)
    programmes: defaultdict[str, list[ProgrammeItem]] = defaultdict(list)
    for p in qs.q_participations():
        for body in p.bodies:
            programmes[body.id].append(p)
    actors = _actor_infos(qs.q_actor_facts(), index.members)
    groups = qs.q_tie_groups()
    return _Reads(
        actors,
        groups,
        {a: frozenset(ts) for a, ts in index.topics_of.items()},
        dict(index.topic_entities),
        {a: tuple(ps) for a, ps in programmes.items()},
        _tied(groups, actors),
    )


def _build_snapshot(store: GraphStore, version: int) -> Snapshot:
    reads = _reads(store)
    return _snapshot_of(reads, version, _partner_maps(reads.groups, reads.actors, None))


def _snapshot_of(
    reads: _Reads,
    version: int,
    partners: dict[str, dict[str, int]],
    tied: frozenset[str] | None = None,
) -> Snapshot:
    return Snapshot(
        version, reads.actors, partners, reads.work, reads.topics, reads.programmes, tied
    )


def _partner_maps(
    groups: list[tuple[str, str, tuple[str, ...]]],
    actors: dict[str, ActorInfo],
    only: set[str] | None,
) -> dict[str, dict[str, int]]:
    """Actor → partner → number of ties, for every actor (``only`` None) or for those of
    ``only`` (their maps are then the same as in the whole graph: every group that ties
    one of them is counted)."""
    # every tie as an ordered pair, counted in one C-level pass (`Counter.update`): a
    # Python call per tie cost a second at Germany scale (200,000 ties)
    pairs: Counter[tuple[str, str]] = Counter()
    for hub, kind, members in groups:
        if only is not None and hub not in only and only.isdisjoint(members):
            continue
        if kind != "partners":  # at the same item, or co-members of an organisation
            pairs.update(combinations(members, 2))  # members are sorted: (a, b) with a < b
        if kind != "item":  # a member or partner of the hub, itself an actor
            pairs.update((a, hub) if a < hub else (hub, a) for a in members)
    partners: defaultdict[str, dict[str, int]] = defaultdict(dict)
    for (a, b), n in pairs.items():
        if a != b and a in actors and b in actors:
            if only is None or a in only:
                partners[a][b] = n
            if only is None or b in only:
                partners[b][a] = n
    return dict(partners)


def _tied(
    groups: list[tuple[str, str, tuple[str, ...]]], actors: dict[str, ActorInfo]
) -> frozenset[str]:
    """The actors that `_partner_maps` gives a partner: a group ties each of its actors
    (the hub too, unless it is an item) to every other one."""
    out: set[str] = set()
    for hub, kind, members in groups:
        tied = {a for a in (members if kind == "item" else (*members, hub)) if a in actors}
        if len(tied) > 1:
            out |= tied
    return frozenset(out)


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
