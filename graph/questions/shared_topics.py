"""Question 4: the topics two actors both work on, each with the projects and cooperations
of both sides, and the topics only one of them works on."""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from graph.core.errors import QueryError
from graph.core.nodes import Entity
from graph.core.store import GraphStore
from graph.present.text import type_name
from graph.questions.answer import (
    SOURCES_COLUMN,
    Answer,
    Involvement,
    Row,
    ViewBuilder,
    join,
    sources_cell,
)
from graph.questions.resolve import (
    find_actor,
)
from graph.questions.rows import question_reads


@dataclass(frozen=True)
class SharedTopic:
    topic: Entity
    a_items: tuple[Involvement, ...]
    b_items: tuple[Involvement, ...]


@dataclass
class SharedTopicsAnswer(Answer):
    a: Entity
    b: Entity
    topics: list[SharedTopic]
    only_a: list[Entity] = field(default_factory=list)
    only_b: list[Entity] = field(default_factory=list)

    def rows(self) -> list[Row]:
        rows = []
        for s in self.topics:
            for who, items in ((self.a, s.a_items), (self.b, s.b_items)):
                for i in items:
                    rows.append(
                        {
                            "Thema": s.topic.name,
                            "Akteur": who.name,
                            "Vorhaben": i.item.name,
                            "Vorhabenart": type_name(i.item.label),
                            "Rolle": i.role_text,
                            SOURCES_COLUMN: sources_cell(i.sources),
                        }
                    )
        return rows

    def lines(self) -> list[str]:
        out = [
            f"{self.a.describe()} und {self.b.describe()} arbeiten an "
            f"{len(self.topics)} gemeinsamen Themen."
        ]
        for s in self.topics:
            out.append(f"- {s.topic.name}")
            for who, items in ((self.a, s.a_items), (self.b, s.b_items)):
                out.append(f"    {who.name}: " + "; ".join(i.item.name for i in items))
        if self.only_a:
            out.append(f"Nur {self.a.name}: " + join(t.name for t in self.only_a))
        if self.only_b:
            out.append(f"Nur {self.b.name}: " + join(t.name for t in self.only_b))
        return out

    def view_graph(self) -> nx.MultiDiGraph:
        v = ViewBuilder()
        for s in self.topics:
            for who, items in ((self.a, s.a_items), (self.b, s.b_items)):
                for i in items:
                    v.edge(who, i.item, i.rel)
                    v.edge(i.item, s.topic, "ABOUT")
        return v.g


def shared_topics(store: GraphStore, a: str | Entity, b: str | Entity) -> SharedTopicsAnswer:
    """The topics both ``a`` and ``b`` work on (question 4), each with the projects and
    cooperations of both sides; also the topics only one of them works on."""
    qs = question_reads(store)
    ea, eb = find_actor(store, a), find_actor(store, b)
    if ea.id == eb.id:
        raise QueryError("Bitte zwei verschiedene Kommunen oder Organisationen angeben.")
    work: dict[str, dict[Entity, set[Involvement]]] = {ea.id: {}, eb.id: {}}
    for r in qs.q_actor_work([ea.id, eb.id], None):
        work[r.actor_id].setdefault(r.topic, set()).add(
            Involvement(r.item, r.rel, r.role, r.sources)
        )

    def items(s: set[Involvement]) -> tuple[Involvement, ...]:
        return tuple(sorted(s, key=lambda i: (i.item.sort_key(), i.rel)))

    wa, wb = work[ea.id], work[eb.id]
    common = sorted(set(wa) & set(wb), key=Entity.sort_key)
    return SharedTopicsAnswer(
        ea,
        eb,
        [SharedTopic(t, items(wa[t]), items(wb[t])) for t in common],
        sorted(set(wa) - set(wb), key=Entity.sort_key),
        sorted(set(wb) - set(wa), key=Entity.sort_key),
    )
