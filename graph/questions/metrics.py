"""Question 7: network metrics on the cooperation graph (`graph.questions.cooperation`):
who has the most partners, who connects groups, which groups there are, and the
coordinator's indicators (members without partners, topics with one municipality).

At Germany scale (≈11,000 actors, ≈200,000 ties) networkx's Louvain needs about 246 s
and exact betweenness hours on the project's machines, so the metrics run on igraph (C):
communities by the Leiden algorithm (modularity, fixed seed) and betweenness exactly up to
`EXACT_BETWEENNESS_LIMIT` actors, above that estimated from `BETWEENNESS_SAMPLE`
randomly drawn start points (fixed seed; the answer says so). Everything is computed once
per data version (`store.version()`) and kept until the data changes.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import igraph as ig
import networkx as nx

from graph.core.cache import per_version
from graph.core.model import split_node_id
from graph.core.nodes import Entity
from graph.core.store import GraphStore
from graph.questions.answer import Answer, Row, ViewBuilder
from graph.questions.cooperation import snapshot

EXACT_BETWEENNESS_LIMIT = 3_000
BETWEENNESS_SAMPLE = 400
SEED = 20140101
TOP = 15

EXPLAIN = {
    "degree": (
        "Partner: mit wie vielen anderen Kommunen und Organisationen ein Akteur direkt "
        "zusammenarbeitet (gemeinsame Projekte, Kooperationen, Veranstaltungen, "
        "Mitgliedschaften). Wer viele Partner hat, kennt viele Ansprechpersonen."
    ),
    "betweenness": (
        "Vermittlung (Betweenness): welcher Anteil der kürzesten Verbindungen zwischen "
        "anderen Akteuren über diesen Akteur läuft. Hohe Werte haben Akteure, die Gruppen "
        "verbinden, die sonst kaum miteinander zu tun hätten – gute Vermittler für "
        "Erfahrungsaustausch."
    ),
    "communities": (
        "Gruppen: Akteure, die untereinander deutlich enger zusammenarbeiten als mit dem "
        "Rest des Netzwerks (Leiden-Verfahren). Oft sind das Regionen oder "
        "Zweckverbände; sie zeigen, wo Wissen schon fließt."
    ),
    "bridges": (
        "Brücken: Akteure mit Partnern in anderen Gruppen als ihrer eigenen. Über sie "
        "erreichen Erfahrungen einer Gruppe die anderen."
    ),
    "isolated": (
        "Mitglieder ohne Partner: Mitglieder eines Netzwerks, die bisher mit niemandem "
        "gemeinsam an etwas arbeiten – Kandidaten für eine Einladung zu Workshops oder "
        "Partnervorschläge."
    ),
    "single_topics": (
        "Themen, an denen nur eine Kommune arbeitet: hier fehlt ein Gegenüber für den "
        "Erfahrungsaustausch; andere Kommunen könnten von ihr lernen."
    ),
}


#: The metrics' tables, in the order they are shown, with their German titles.
TITLES = {
    "degree": "Die meisten Partner",
    "betweenness": "Vermittler",
    "communities": "Gruppen",
    "bridges": "Brücken zwischen Gruppen",
    "isolated": "Mitglieder ohne Partner",
    "single_topics": "Themen mit nur einer Kommune",
}


# -- metrics ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    entity: Entity
    value: float


@dataclass(frozen=True)
class Community:
    number: int
    size: int
    members: tuple[Entity, ...]  # the best-connected first
    states: tuple[str, ...]  # most frequent Länder first


@dataclass
class Metrics(Answer):
    """Degree, betweenness, communities and the coordinator's indicators."""

    version: int
    actors: int
    ties: int
    degree: list[Score]
    betweenness: list[Score]
    betweenness_sampled: bool
    betweenness_sources: int
    communities: list[Community]
    community_count: int
    modularity: float
    bridges: list[tuple[Entity, int]]
    isolated_members: list[Entity]
    single_topics: list[tuple[Entity, Entity]]
    unused_topics: list[Entity]
    top_ties: list[tuple[Entity, Entity, int]] = field(default_factory=list)
    seconds: float = 0.0
    explain: dict[str, str] = field(default_factory=lambda: dict(EXPLAIN))

    @property
    def betweenness_note(self) -> str:
        if not self.betweenness_sampled:
            return "exakt berechnet"
        return (
            f"geschätzt aus {self.betweenness_sources} zufällig gewählten Startpunkten "
            f"(Stichprobe, fester Startwert {SEED}); Rangfolge und Größenordnung sind "
            "verlässlich, einzelne Werte nicht auf die Nachkommastelle"
        )

    def tables(self) -> dict[str, list[Row]]:
        """One table per metric, German column names (for the page and CSV)."""
        return {
            "degree": [
                {
                    "Rang": i,
                    "Akteur": s.entity.name,
                    "Land": s.entity.state,
                    "Partner": int(s.value),
                }
                for i, s in enumerate(self.degree, 1)
            ],
            "betweenness": [
                {
                    "Rang": i,
                    "Akteur": s.entity.name,
                    "Land": s.entity.state,
                    "Vermittlung (%)": round(100 * s.value, 3),
                }
                for i, s in enumerate(self.betweenness, 1)
            ],
            "communities": [
                {
                    "Gruppe": c.number,
                    "Akteure": c.size,
                    "Länder": ", ".join(c.states),
                    "Am stärksten vernetzt": ", ".join(e.name for e in c.members),
                }
                for c in self.communities
            ],
            "bridges": [
                {"Akteur": e.name, "Land": e.state, "Partner in anderen Gruppen": n}
                for e, n in self.bridges
            ],
            "isolated": [
                {"Mitglied": e.name, "Art": e.kind or "", "Land": e.state, "Schlüssel": e.key}
                for e in self.isolated_members
            ],
            "single_topics": [
                {"Thema": t.name, "Einzige Kommune": e.name, "Land": e.state}
                for t, e in self.single_topics
            ],
        }

    def rows(self) -> list[Row]:
        return [
            {"Kennzahl": TITLES[name], **row}
            for name, rows in self.tables().items()
            for row in rows
        ]

    def lines(self) -> list[str]:
        out = [
            f"Kooperationsgraph: {self.actors} Akteure, {self.ties} Partnerschaften "
            f"(berechnet in {self.seconds:.1f} s).",
            "",
            EXPLAIN["degree"],
        ]
        out += [f"  {i}. {s.entity.name}: {int(s.value)}" for i, s in enumerate(self.degree, 1)]
        out += ["", EXPLAIN["betweenness"], f"  ({self.betweenness_note})"]
        out += [
            f"  {i}. {s.entity.name}: {100 * s.value:.2f} %"
            for i, s in enumerate(self.betweenness, 1)
        ]
        out += [
            "",
            EXPLAIN["communities"],
            f"  {self.community_count} Gruppen, Modularität {self.modularity:.2f}",
        ]
        for c in self.communities:
            out.append(
                f"  Gruppe {c.number} ({c.size} Akteure; {', '.join(c.states)}): "
                + ", ".join(e.name for e in c.members)
            )
        out += ["", EXPLAIN["bridges"]]
        out += [f"  {e.name}: Partner in {n} anderen Gruppen" for e, n in self.bridges]
        out += ["", EXPLAIN["isolated"], f"  {len(self.isolated_members)} Mitglieder"]
        out += [f"  {e.describe()}" for e in self.isolated_members[:TOP]]
        out += ["", EXPLAIN["single_topics"]]
        out += [f"  {t.name}: {e.name}" for t, e in self.single_topics]
        if self.unused_topics:
            out.append("  Ohne Kommune: " + ", ".join(t.name for t in self.unused_topics))
        return out

    def view_graph(self) -> nx.MultiDiGraph:
        """The best-connected actors and the ties among them."""
        v = ViewBuilder()
        for s in self.degree:
            v.node(s.entity)
        for a, b, w in self.top_ties:
            v.edge(a, b, "PARTNER_OF", label=f"{w} gemeinsame Vorhaben")
        return v.g


def network_metrics(store: GraphStore) -> Metrics:
    """The metrics of the cooperation graph (question 7), cached per data version."""
    return per_version(store, "metrics", _compute_metrics)


def _compute_metrics(store: GraphStore, version: int) -> Metrics:
    t0 = time.perf_counter()
    snap = snapshot(store)
    ids = snap.active
    index = {a: i for i, a in enumerate(ids)}
    # edges in a fixed order: Leiden's result may depend on it, and both stores must agree
    ties = sorted(
        (index[a], index[b], w)
        for a, nbrs in snap.partners.items()
        for b, w in nbrs.items()
        if a < b and a in index and b in index
    )
    edges = [(i, j) for i, j, _ in ties]
    weights = [w for _, _, w in ties]
    g = ig.Graph(n=len(ids), edges=edges)
    n = len(ids)
    ent = [snap.actors[a].entity for a in ids]

    degree = g.degree()
    between, sampled, n_sources = _betweenness(g)

    membership = _leiden(g, weights) if n else []
    modularity = g.modularity(membership, weights=weights) if edges else 0.0
    comm_members: dict[int, list[int]] = {}
    for i, c in enumerate(membership):
        comm_members.setdefault(c, []).append(i)
    # number communities by size (largest first), ties by their first member's id
    ordered = sorted(comm_members.values(), key=lambda ms: (-len(ms), ids[min(ms)]))
    number = {}
    for k, ms in enumerate(ordered, 1):
        for i in ms:
            number[i] = k
    communities = [
        Community(
            k,
            len(ms),
            tuple(ent[i] for i in sorted(ms, key=lambda i: (-degree[i], ent[i].sort_key()))[:8]),
            tuple(s for s, _ in Counter(ent[i].state for i in ms if ent[i].state).most_common(3)),
        )
        for k, ms in enumerate(ordered, 1)
        if len(ms) > 1
    ][:TOP]

    reach = []
    for i in range(n):
        others = {number[j] for j in g.neighbors(i)} - {number[i]}
        if others:
            reach.append((ent[i], len(others), between[i]))
    reach.sort(key=lambda r: (-r[1], -r[2], r[0].sort_key()))

    isolated = sorted(
        (ent[i] for i in range(n) if degree[i] == 0 and snap.actors[ids[i]].member),
        key=Entity.sort_key,
    )
    by_topic: dict[str, list[str]] = {t: [] for t in snap.topics}
    for a, ts in snap.work.items():
        if split_node_id(a)[0] == "Municipality":
            for t in ts:
                by_topic.setdefault(t, []).append(a)
    single = sorted(
        (
            (snap.topics[t], snap.actors[ms[0]].entity)
            for t, ms in by_topic.items()
            if len(ms) == 1 and t in snap.topics and ms[0] in snap.actors
        ),
        key=lambda p: p[0].sort_key(),
    )
    unused = sorted((snap.topics[t] for t, ms in by_topic.items() if not ms), key=Entity.sort_key)

    top = {ids[i] for i in sorted(range(n), key=lambda i: (-degree[i], ent[i].sort_key()))[:TOP]}
    top_ties = [
        (snap.actors[a].entity, snap.actors[b].entity, w)
        for a in sorted(top)
        for b, w in sorted(snap.partners.get(a, {}).items())
        if b in top and a < b
    ]
    return Metrics(
        version=version,
        actors=n,
        ties=len(edges),
        degree=_top(ent, [float(d) for d in degree]),
        betweenness=_top(ent, between),
        betweenness_sampled=sampled,
        betweenness_sources=n_sources,
        communities=communities,
        community_count=sum(1 for ms in ordered if len(ms) > 1),
        modularity=float(modularity),
        bridges=[(e, k) for e, k, _ in reach[:TOP]],
        isolated_members=isolated,
        single_topics=single,
        unused_topics=unused,
        top_ties=top_ties,
        seconds=time.perf_counter() - t0,
    )


def _betweenness(g: ig.Graph) -> tuple[list[float], bool, int]:
    """Normalised betweenness (share of the shortest paths between other pairs), whether
    it is an estimate, and how many start points it was computed from: all up to
    `EXACT_BETWEENNESS_LIMIT` actors, else `BETWEENNESS_SAMPLE` drawn with a fixed seed
    and scaled up (Brandes–Pich)."""
    n = g.vcount()
    sampled = n > EXACT_BETWEENNESS_LIMIT
    if sampled:
        sources = sorted(random.Random(SEED).sample(range(n), min(n, BETWEENNESS_SAMPLE)))
        raw = g.betweenness(directed=False, sources=sources)
        scale = n / len(sources)
    else:
        sources = list(range(n))
        raw = g.betweenness(directed=False) if n else []
        scale = 1.0
    pairs = (n - 1) * (n - 2) / 2 if n > 2 else 1.0
    return [b * scale / pairs for b in raw], sampled, len(sources)


def _top(entities: list[Entity], values: Iterable[float]) -> list[Score]:
    ranked = sorted(zip(entities, values, strict=True), key=lambda p: (-p[1], p[0].sort_key()))
    return [Score(e, v) for e, v in ranked[:TOP] if v > 0]


_IG_LOCK = threading.Lock()


def _leiden(g: ig.Graph, weights: list[int]) -> list[int]:
    """Leiden communities with a fixed seed: igraph draws from a global generator, so it is
    set (under a lock) for the run and restored afterwards."""
    with _IG_LOCK:
        ig.set_random_number_generator(random.Random(SEED))
        try:
            parts = g.community_leiden(
                objective_function="modularity", weights=weights or None, n_iterations=-1
            )
        finally:
            ig.set_random_number_generator(random)
    return list(parts.membership)
