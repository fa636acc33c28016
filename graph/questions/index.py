"""Who works on which topic, and who is a member where: read once per data version and
shared by the topic question, the partners question and the cooperation graph."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from graph.core.cache import per_version
from graph.core.membership import Member
from graph.core.nodes import Entity, stored_entity
from graph.core.store import GraphStore
from graph.questions.rows import QuestionReads, question_reads


@dataclass(frozen=True)
class WorkIndex:
    """Who works on which topic (and through how many projects and cooperations), and
    who is a member of which network: small (≈50,000 pairs and ≈2,500 members at Germany
    scale) and asked for by every topic question, so it is read once per data version
    instead of walking thousands of projects per request."""

    actors: dict[str, Entity]
    topics_of: dict[str, dict[str, int]]  # actor id → topic key → items
    actors_on: dict[str, dict[str, int]]  # topic key → actor id → items
    members: frozenset[str]
    topic_entities: dict[str, Entity]
    memberships: dict[str, tuple[Member, ...]]  # of every member


def work_index(store: GraphStore) -> WorkIndex:
    """The `WorkIndex` of ``store`` at its current data version."""
    return per_version(store, "work_index", _build_work_index)


def _build_work_index(store: GraphStore, version: int) -> WorkIndex:
    qs = question_reads(store)
    actors: dict[str, Entity] = {}
    topics_of: dict[str, dict[str, int]] = {}
    actors_on: dict[str, dict[str, int]] = {}
    for actor, counts in qs.q_work_index():
        actors[actor.id] = actor
        topics_of[actor.id] = dict(counts)
        for t, n in counts:
            actors_on.setdefault(t, {})[actor.id] = n
    topics = {key: stored_entity("Topic", key, p) for key, p in qs.q_nodes("Topic", None).items()}
    members = qs.q_member_ids()
    return WorkIndex(
        actors,
        topics_of,
        actors_on,
        frozenset(members),
        topics,
        _memberships_by_actor(qs, members),
    )


def _memberships_by_actor(
    qs: QuestionReads, actor_ids: Sequence[str]
) -> dict[str, tuple[Member, ...]]:
    if not actor_ids:
        return {}
    out: dict[str, set[Member]] = {}
    for m in qs.q_memberships(actor_ids):
        out.setdefault(m.actor.id, set()).add(m)
    return {k: tuple(sorted(v, key=Member.order)) for k, v in out.items()}


def topic_sharers(index: WorkIndex, actor_id: str) -> Counter[str]:
    """How many topics each other actor shares with ``actor_id`` (only those sharing one)."""
    counts: Counter[str] = Counter()
    for t in index.topics_of.get(actor_id, {}):
        counts.update(index.actors_on.get(t, {}).keys())
    counts.pop(actor_id, None)
    return counts
