"""Contract at scale: on a small seeded synthetic network, both stores give identical
answers to every question, and those answers agree with an oracle computed straight from
the generated records (not through either store)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from graph.core.cache import cached
from graph.core.model import ADMINISTRATIVE_RELS, node_id
from graph.core.records import Batch
from graph.core.stats import graph_stats
from graph.core.store import GraphStore
from graph.questions.cooperation import around, snapshot
from graph.questions.metrics import network_metrics
from graph.questions.partners import partners
from graph.questions.paths import connections
from graph.questions.recommend import recommend
from graph.questions.resolve import find_actor
from graph.questions.shared_topics import shared_topics
from graph.questions.topic import topic_members
from graph.questions.workshops import workshops
from graph.stores.neo4j.store import Neo4jStore
from graph.stores.sqlite.store import EmbeddedStore
from loaders.synthetic import synthetic_batch
from tests.neo4j_server.server import Server

SEED = 7
pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def batch() -> Batch:
    return synthetic_batch(SEED, scale=0.01)


@pytest.fixture(scope="module")
def stores(
    batch: Batch, neo4j_server: Server, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[GraphStore, GraphStore]]:
    embedded = EmbeddedStore(tmp_path_factory.mktemp("syn") / "syn.sqlite")
    neo = Neo4jStore.connect(neo4j_server.uri, neo4j_server.user, neo4j_server.password)
    neo.clear()
    embedded.write(batch)
    neo.write(batch)
    yield embedded, neo
    embedded.close()
    neo.clear()
    neo.close()


def _rels(batch: Batch, *types: str) -> list[tuple[str, str, str]]:
    return [(r.type, r.start.id, r.end.id) for r in batch.rels if r.type in types]


def _actors(batch: Batch) -> list[str]:
    """Actors that take part in anything (sorted), from the records."""
    ids = {
        s
        for t, s, _ in _rels(batch, "RUNS", "PARTNER_OF", "PARTY_TO", "HOSTED", "ATTENDED")
        if s.startswith(("Municipality:", "Organisation:"))
    }
    return sorted(ids)


def oracle_partners(batch: Batch, actor: str) -> set[str]:
    """Direct ties, co-members of an organisation, and actors at the same project,
    cooperation or workshop — computed from the records alone."""
    at: dict[str, set[str]] = {}
    out: set[str] = set()
    for t, s, e in _rels(
        batch, "RUNS", "PARTNER_OF", "PARTY_TO", "HOSTED", "ATTENDED", "MEMBER_OF"
    ):
        if not s.startswith(("Municipality:", "Organisation:")):
            continue
        if e.startswith(("Project:", "Cooperation:", "Workshop:")) or (
            t == "MEMBER_OF" and e.startswith("Organisation:")
        ):
            at.setdefault(e, set()).add(s)
        if e.startswith(("Municipality:", "Organisation:")):
            if s == actor:
                out.add(e)
            if e == actor:
                out.add(s)
    for members in at.values():
        if actor in members:
            out |= members
    out.discard(actor)
    return out


def oracle_topics(batch: Batch, actor: str) -> set[str]:
    items = {e for t, s, e in _rels(batch, "RUNS", "PARTNER_OF", "PARTY_TO") if s == actor}
    return {
        e
        for t, s, e in _rels(batch, "ABOUT")
        if s in items and s.startswith(("Project:", "Cooperation:"))
    }


def oracle_distance(batch: Batch, a: str, b: str, admin: bool) -> int | None:
    g = nx.Graph()
    for r in batch.rels:
        if admin or r.type not in ADMINISTRATIVE_RELS:
            g.add_edge(r.start.id, r.end.id)
    try:
        return int(nx.shortest_path_length(g, a, b))
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return None


def same(embedded: Any, neo: Any) -> Any:
    assert embedded.as_dict() == neo.as_dict()
    return embedded


@pytest.fixture(scope="module")
def sample(batch: Batch) -> dict[str, Any]:
    rng = random.Random(SEED)
    actors = _actors(batch)
    chosen = rng.sample(actors, 12)
    return {
        "actors": chosen,
        "pairs": rng.sample(list(combinations(actors, 2)), 12),
        "topics": sorted({n.key for n in batch.nodes if n.label == "Topic"})[:8],
    }


def key(nid: str) -> str:
    return nid.split(":", 1)[1]


def test_topic_workers(stores: tuple[GraphStore, GraphStore], batch: Batch, sample: dict) -> None:
    for topic in sample["topics"]:
        answer = same(*(topic_members(s, topic, limit=1000) for s in stores))
        expected = {
            s
            for t, s, e in _rels(batch, "RUNS", "PARTNER_OF", "PARTY_TO")
            if node_id("Topic", topic) in oracle_topics(batch, s)
            and s.startswith(("Municipality:", "Organisation:"))
        }
        assert {w.actor.id for w in answer.workers} == expected
        assert answer.total == len(expected)
        same(*(topic_members(s, topic, members_only=True, limit=5) for s in stores))


def test_partners(stores: tuple[GraphStore, GraphStore], batch: Batch, sample: dict) -> None:
    for actor in sample["actors"]:
        answer = same(*(partners(s, key(actor), limit=10_000) for s in stores))
        strong = {p.partner.id for p in answer.partners if p.reasons}
        assert strong == oracle_partners(batch, actor)
        mine = oracle_topics(batch, actor)
        for p in answer.partners:
            assert {t.id for t in p.topics} == mine & oracle_topics(batch, p.partner.id)
        same(*(partners(s, key(actor), limit=5) for s in stores))


def test_connections(stores: tuple[GraphStore, GraphStore], batch: Batch, sample: dict) -> None:
    for a, b in sample["pairs"]:
        for admin in (False, True):
            answer = same(
                *(connections(s, key(a), key(b), k=3, include_admin=admin) for s in stores)
            )
            assert answer.hops == oracle_distance(batch, a, b, admin)
            for p in answer.paths:
                assert p.nodes[0].id == a and p.nodes[-1].id == b
                assert all(h.rels for h in p.steps)


def test_shared_topics(stores: tuple[GraphStore, GraphStore], batch: Batch, sample: dict) -> None:
    for a, b in sample["pairs"]:
        answer = same(*(shared_topics(s, key(a), key(b)) for s in stores))
        expected = oracle_topics(batch, a) & oracle_topics(batch, b)
        assert {t.topic.id for t in answer.topics} == expected


def test_workshops(stores: tuple[GraphStore, GraphStore], batch: Batch, sample: dict) -> None:
    every = same(*(workshops(s, limit=1000) for s in stores))
    assert every.total == sum(1 for n in batch.nodes if n.label == "Workshop")
    dates = [w.date or "" for w in every.workshops]
    assert dates == sorted(dates, reverse=True)
    for actor in sample["actors"]:
        answer = same(*(workshops(s, actor=key(actor)) for s in stores))
        expected = {e for t, s, e in _rels(batch, "HOSTED", "ATTENDED") if s == actor}
        assert {w.workshop.id for w in answer.workshops} == expected
    for topic in sample["topics"][:3]:
        same(*(workshops(s, topic=topic, limit=3) for s in stores))


def test_recommendations_and_metrics(stores: tuple[GraphStore, GraphStore], sample: dict) -> None:
    for actor in sample["actors"][:6]:
        same(*(recommend(s, key(actor)) for s in stores))
    embedded, neo = (network_metrics(s).as_dict() for s in stores)
    for volatile in ("seconds", "version"):  # timing, and each store's own counter
        embedded.pop(volatile)
        neo.pop(volatile)
    assert embedded == neo
    assert embedded["actors"] > 50


def _fresh(store: GraphStore) -> GraphStore:
    """A new object for ``store``'s data: nothing cached, as in a new process."""
    if isinstance(store, EmbeddedStore):
        return EmbeddedStore(store.path)
    assert isinstance(store, Neo4jStore)
    return Neo4jStore(store.driver, store.database)


def test_recommendations_before_the_cooperation_graph_are_those_after_it(
    stores: tuple[GraphStore, GraphStore], sample: dict
) -> None:
    """Without the snapshot a suggestion reads only the actor's partners and theirs
    (`cooperation.around`): the same answers and the same candidates as with it."""
    actors = [key(a) for a in sample["actors"]]
    for store in stores:
        fresh = _fresh(store)
        before = [recommend(fresh, a).as_dict() for a in actors]
        assert cached(fresh, "snapshot", fresh.version()) is None  # answered around them
        ids = [a.id for a in (find_actor(fresh, k) for k in actors)]
        ego = [around(fresh, i) for i in ids]
        whole = snapshot(fresh)
        assert [recommend(fresh, a).as_dict() for a in actors] == before
        for i, snap in zip(ids, ego, strict=True):
            assert snap.active == whole.active
            assert snap.partners.get(i) == whole.partners.get(i)
        assert any(whole.partners.get(i) for i in ids)  # the sample has actors with partners
        if isinstance(fresh, EmbeddedStore):
            fresh.close()


def test_generator_is_seeded() -> None:
    a, b = synthetic_batch(3, scale=0.005), synthetic_batch(3, scale=0.005)
    assert a.nodes == b.nodes and a.rels == b.rels
    assert synthetic_batch(4, scale=0.005).rels != a.rels


@pytest.mark.reference_data
def test_germany_scale_network_has_the_promised_size(reference_dir: Path) -> None:
    from loaders.detect import read_any

    directory = read_any(reference_dir / "AuszugGV4QAktuell_2024.xlsx")
    full = synthetic_batch(1, directory=directory)
    counts = full.counts()
    assert counts["nodes"]["Municipality"] == 11_046  # every Gemeinde and Kreis
    items = sum(counts["nodes"][k] for k in ("Project", "Workshop", "Cooperation", "Topic"))
    assert 45_000 <= items <= 55_000
    assert 180_000 <= len(full.rels) <= 240_000


def test_germany_scale_without_directory() -> None:
    full = synthetic_batch(1)
    counts = full.counts()
    assert counts["nodes"]["Municipality"] == 10_752 + 400
    assert 180_000 <= len(full.rels) <= 240_000


def test_sampled_betweenness_scales_like_the_exact_one(
    batch: Batch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the size limit betweenness is estimated from sampled start points; drawing
    every node as a start point must give the exact values back (the scaling is right),
    and the answer says that the figure is sampled."""
    import graph.questions.metrics as analytics

    store = EmbeddedStore(tmp_path / "syn.sqlite")
    store.write(batch)
    exact = network_metrics(store)
    assert not exact.betweenness_sampled
    monkeypatch.setattr(analytics, "EXACT_BETWEENNESS_LIMIT", 10)
    monkeypatch.setattr(analytics, "BETWEENNESS_SAMPLE", exact.actors)
    store.write(synthetic_batch(SEED, scale=0.01))  # same data: the cached answer is reused
    cached = network_metrics(store)
    assert cached is exact
    store.clear()
    store.write(batch)  # new data version: computed again, now "sampled"
    sampled = network_metrics(store)
    assert sampled.betweenness_sampled
    assert "Stichprobe" in sampled.betweenness_note
    assert [s.entity for s in sampled.betweenness] == [s.entity for s in exact.betweenness]
    for a, b in zip(sampled.betweenness, exact.betweenness, strict=True):
        assert a.value == pytest.approx(b.value)
    store.close()


def test_stats_equal_the_figures_of_the_graph(stores: tuple[GraphStore, GraphStore]) -> None:
    """`stats()` (count reads, no graph) on both stores is `graph_stats` of the graph."""
    embedded, neo = stores
    assert embedded.stats() == graph_stats(embedded.graph())
    assert neo.stats() == embedded.stats()
