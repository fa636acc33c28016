"""Question 1: who works on a topic — most involved first, each with the projects and
cooperations through which they do and their network memberships."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from graph.core.membership import Member
from graph.core.nodes import Entity, stored_entity
from graph.core.store import GraphStore
from graph.present.text import type_name
from graph.questions.answer import (
    SOURCES_COLUMN,
    Answer,
    Involvement,
    Row,
    ViewBuilder,
    actor_cells,
    join,
    sources_cell,
)
from graph.questions.index import (
    work_index,
)
from graph.questions.resolve import (
    find_topic,
)
from graph.questions.rows import question_reads


@dataclass(frozen=True)
class TopicWorker:
    actor: Entity
    memberships: tuple[Member, ...]
    items: tuple[Involvement, ...]

    @property
    def member_text(self) -> str:
        return membership_text(self.memberships)


def membership_text(memberships: Iterable[Member]) -> str:
    """``Netz A; Netz B (über Bewerbergemeinschaft Ibbenbüren)`` or ``–``."""
    parts = [m.network.name + (f" (über {m.via.name})" if m.via else "") for m in memberships]
    return "; ".join(dict.fromkeys(parts)) or "–"


@dataclass
class TopicAnswer(Answer):
    """Who works on ``topic``: ``total`` actors, the first ones with their projects."""

    topic: Entity
    total: int
    workers: list[TopicWorker]
    members_only: bool = False

    def rows(self) -> list[Row]:
        return [
            {
                **actor_cells("Akteur", w.actor),
                "Mitglied in": w.member_text,
                "Vorhaben": "; ".join(
                    f"{i.item.name} ({type_name(i.item.label)}, {i.role_text})" for i in w.items
                ),
                SOURCES_COLUMN: sources_cell(s for i in w.items for s in i.sources),
            }
            for w in self.workers
        ]

    def lines(self) -> list[str]:
        who = "Mitglieder" if self.members_only else "Akteure"
        out = [f"Thema {self.topic.quoted()}: {self.total} {who} arbeiten daran."]
        if len(self.workers) < self.total:
            out.append(f"Gezeigt werden die ersten {len(self.workers)}.")
        for w in self.workers:
            out.append(f"- {w.actor.describe()} – Mitglied in: {w.member_text}")
            for i in w.items:
                out.append(f"    {i.role_text}: {i.item.name} [{join(i.sources)}]")
        return out

    def view_graph(self) -> nx.MultiDiGraph:
        v = ViewBuilder()
        v.node(self.topic)
        for w in self.workers:
            for i in w.items:
                v.edge(w.actor, i.item, i.rel)
                v.edge(i.item, self.topic, "ABOUT")
        return v.g


def topic_members(
    store: GraphStore, topic: str | Entity, *, members_only: bool = False, limit: int = 50
) -> TopicAnswer:
    """Who works on ``topic`` (question 1), most involved first, each with the projects
    and cooperations through which they do and their network memberships."""
    qs = question_reads(store)
    index = work_index(store)
    # a topic key needs no look-up: the index knows every topic
    known = index.topic_entities.get(topic) if isinstance(topic, str) else None
    t = known or find_topic(store, topic)
    # the first ``limit`` of thousands (a popular topic at Germany scale), in the
    # index's order: most items first, then alphabetical
    ranked = index.ranked_on.get(t.key, [])
    ids = [a for a in ranked if a in index.members] if members_only else ranked
    top = ids[: max(0, limit)]
    by_actor: dict[str, set[Involvement]] = {a: set() for a in top}
    for r in qs.q_actor_work(top, t.key) if top else []:
        by_actor[r.actor_id].add(Involvement(r.item, r.rel, r.role, r.sources))
    workers = [
        TopicWorker(
            index.actors[a],
            index.memberships.get(a, ()),
            tuple(sorted(by_actor[a], key=lambda i: (i.item.sort_key(), i.rel))),
        )
        for a in top
    ]
    return TopicAnswer(t, len(ids), workers, members_only)


def topic_choices(store: GraphStore) -> list[Entity]:
    """Every topic, alphabetical (for a selection list)."""
    nodes = question_reads(store).q_nodes("Topic", None)
    return sorted((stored_entity("Topic", k, p) for k, p in nodes.items()), key=Entity.sort_key)
