"""Who works on which topic, and who is a member where: read once per data version and
shared by the topic question, the partners question and the cooperation graph."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

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

    # Orders the answers need, computed on first use (frozen dataclass without slots:
    # `cached_property` keeps them in the instance's dict), so that building the index —
    # part of every cold start — does not pay for them.

    @cached_property
    def by_rank(self) -> list[str]:
        """Every actor id in the tie-break order of the answers (`Entity.sort_key`)."""
        return sorted(self.actors, key=lambda a: self.actors[a].sort_key())

    @cached_property
    def rank(self) -> dict[str, int]:
        return {a: i for i, a in enumerate(self.by_rank)}

    @cached_property
    def ranked_on(self) -> dict[str, list[str]]:
        """Per topic its actors, most items first, then alphabetical: question 1 shows
        the first 50 of up to thousands, and a sort per request was most of its time."""
        rank = self.rank
        return {
            t: sorted(counts, key=lambda a: (-counts[a], rank[a]))
            for t, counts in self.actors_on.items()
        }

    @cached_property
    def rank_arrays(self) -> dict[str, np.ndarray]:
        """Per topic the ranks of its actors, for counting shared topics in C."""
        rank = self.rank
        return {
            t: np.fromiter((rank[a] for a in counts), dtype=np.int64, count=len(counts))
            for t, counts in self.actors_on.items()
        }


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


def topic_sharers(
    index: WorkIndex, actor_id: str, exclude: Collection[str], limit: int
) -> tuple[int, list[str]]:
    """How many other actors (not ``actor_id``, none of ``exclude``) share a topic with
    ``actor_id``, and the first ``limit`` of them: most shared topics first, then
    alphabetical.

    At Germany scale that is thousands of actors per request (question 2): counted with
    numpy over the topics' rank arrays (`WorkIndex.rank_arrays`) and the first ones
    picked by a partial sort, where a `Counter` and a sort key per candidate took 10 ms
    and more."""
    arrays = index.rank_arrays
    mine = [arrays[t] for t in index.topics_of.get(actor_id, {}) if t in arrays]
    if not mine:
        return 0, []
    size = len(index.by_rank)
    counts = np.bincount(np.concatenate(mine), minlength=size)
    rank = index.rank
    counts[[rank[x] for x in (actor_id, *exclude) if x in rank]] = 0
    found = np.flatnonzero(counts)
    if limit <= 0 or not len(found):
        return len(found), []
    # one integer per candidate: more shared topics first, then the alphabetical rank
    keys = found - counts[found] * size
    if len(found) > limit:
        first = np.argpartition(keys, limit - 1)[:limit]
        keys, chosen = keys[first], found[first]
    else:
        chosen = found
    by_rank = index.by_rank
    return len(found), [by_rank[i] for i in chosen[np.argsort(keys)]]
