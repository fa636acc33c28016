"""Question 2: the partners of a municipality or organisation, each with every reason
(`REASONS`), strongest tie first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from graph.core.model import ACTOR_LABELS
from graph.core.nodes import Entity
from graph.core.store import GraphStore
from graph.present.text import type_name
from graph.questions.answer import (
    ROLE_WORDS,
    SOURCES_COLUMN,
    Answer,
    Row,
    ViewBuilder,
    actor_cells,
    join,
    sentence,
    sources_cell,
)
from graph.questions.index import (
    topic_sharers,
    work_index,
)
from graph.questions.resolve import (
    find_actor,
)
from graph.questions.rows import (
    Incidence,
    question_reads,
    sources_of,
)
from graph.questions.vocabulary import (
    HUB_ITEMS,
)

#: Partner reasons, strongest first; the order ranks partners.
REASONS: dict[str, str] = {
    "direct": "direkt verbunden",
    "organisation": "gemeinsame Organisation",
    "cooperation": "gemeinsame Kooperation",
    "project": "gemeinsames Projekt",
    "workshop": "gemeinsame Veranstaltung",
    "topic": "gemeinsames Thema",
}
_REASON_RANK = {kind: i for i, kind in enumerate(REASONS)}
_HUB_REASON = {"Project": "project", "Cooperation": "cooperation", "Workshop": "workshop"}


@dataclass(frozen=True)
class Reason:
    """Why two actors are partners: a kind from `REASONS`, the shared thing (``via``) and
    a sentence a person can check, with the sources of both sides."""

    kind: str
    via: Entity | None
    text: str
    sources: tuple[str, ...]

    @property
    def label(self) -> str:
        return REASONS[self.kind]


@dataclass(frozen=True)
class Partner:
    """A partner with every reason; ``topics`` are the topics both work on."""

    partner: Entity
    reasons: tuple[Reason, ...]
    topics: tuple[Entity, ...] = ()

    def sort_key(self) -> tuple[int, int, int, tuple[str, str, str]]:
        """Strongest kind of tie first, then more ties, more shared topics, the name."""
        best = min((_REASON_RANK[r.kind] for r in self.reasons), default=_REASON_RANK["topic"])
        return (best, -len(self.reasons), -len(self.topics), self.partner.sort_key())

    @property
    def strongest(self) -> str:
        return REASONS[min((r.kind for r in self.all_reasons), key=_REASON_RANK.__getitem__)]

    @property
    def all_reasons(self) -> tuple[Reason, ...]:
        """The reasons, the shared topics as one reason at the end."""
        if not self.topics:
            return self.reasons
        n = len(self.topics)
        names = join(t.quoted() for t in self.topics)
        text = f"beide arbeiten am Thema {names}" if n == 1 else f"{n} gemeinsame Themen: {names}"
        return (*self.reasons, Reason("topic", None, text, ()))


@dataclass
class PartnersAnswer(Answer):
    """The partners of ``actor``, strongest tie first; ``total`` counts all of them."""

    actor: Entity
    total: int
    partners: list[Partner]

    def rows(self) -> list[Row]:
        return [
            {
                **actor_cells("Partner", p.partner),
                "Grund": p.strongest,
                "Begründung": "; ".join(r.text for r in p.all_reasons),
                SOURCES_COLUMN: sources_cell(s for r in p.all_reasons for s in r.sources),
            }
            for p in self.partners
        ]

    def lines(self) -> list[str]:
        out = [f"Partner von {self.actor.describe()}: {self.total}"]
        if len(self.partners) < self.total:
            out.append(f"Gezeigt werden die ersten {len(self.partners)}.")
        for p in self.partners:
            out.append(f"- {p.partner.describe()} – {p.strongest}")
            for r in p.all_reasons:
                src = f" [{join(r.sources)}]" if r.sources else ""
                out.append(f"    {r.text}{src}")
        return out

    def view_graph(self) -> nx.MultiDiGraph:
        v = ViewBuilder()
        v.node(self.actor)
        for p in self.partners:
            if p.topics and not p.reasons:
                v.edge(self.actor, p.partner, "PARTNER_OF", label=REASONS["topic"])
            for r in p.reasons:
                if r.via is None:
                    v.edge(self.actor, p.partner, "PARTNER_OF", label=r.label)
                else:
                    v.edge(self.actor, r.via, r.kind)
                    v.edge(p.partner, r.via, r.kind)
        return v.g


def partners(store: GraphStore, actor: str | Entity, *, limit: int = 50) -> PartnersAnswer:
    """The partners of ``actor`` (question 2), each with every reason: direct
    membership or partnership, a shared organisation, cooperation, project or workshop,
    and the topics both work on. Strongest ties first; partners that only share topics
    last, most shared topics first; ``limit`` partners at most."""
    qs = question_reads(store)
    a = find_actor(store, actor)
    reasons = partner_reasons(a.id, qs.q_incidences(a.id))
    entities = {e.id: e for e, _ in reasons.values()}
    index = work_index(store)
    # partners by topic only: thousands at Germany scale, so only the first ``limit``
    weak, top = topic_sharers(index, a.id, reasons.keys(), max(0, limit))
    for b in top:
        entities[b] = index.actors[b]
    mine = index.topics_of.get(a.id, {})
    found = [
        Partner(
            entities[pid],
            tuple(sorted(reasons[pid][1], key=_reason_order)) if pid in reasons else (),
            tuple(
                sorted(
                    (
                        index.topic_entities[t]
                        for t in index.topics_of.get(pid, {})
                        if t in mine and t in index.topic_entities
                    ),
                    key=Entity.sort_key,
                )
            ),
        )
        for pid in entities
    ]
    found.sort(key=Partner.sort_key)
    return PartnersAnswer(a, len(reasons) + weak, found[: max(0, limit)])


def _reason_order(r: Reason) -> tuple[int, str, tuple[str, ...]]:
    return (_REASON_RANK[r.kind], r.text, r.via.sort_key() if r.via else ())


def _roles(incs: Iterable[Incidence]) -> str:
    return "/".join(sorted({i.role or ROLE_WORDS.get(i.rel, i.rel) for i in incs}))


def partner_reasons(
    actor_id: str, incidences: Iterable[Incidence]
) -> dict[str, tuple[Entity, set[Reason]]]:
    """Partners of ``actor_id`` and their reasons (one per shared hub, one per direct
    tie), from the incidences around it (see `QuestionReads.q_incidences`). Topics are not
    looked at here."""
    incidences = list(incidences)
    mine: dict[str, list[Incidence]] = {}
    for inc in incidences:
        if inc.actor.id == actor_id:
            mine.setdefault(inc.hub.id, []).append(inc)
    out: dict[str, tuple[Entity, set[Reason]]] = {}
    shared: dict[tuple[Entity, Entity], list[Incidence]] = {}

    def add(partner: Entity, reason: Reason) -> None:
        out.setdefault(partner.id, (partner, set()))[1].add(reason)

    for inc in incidences:
        text = sentence(inc.rel, inc.actor, inc.hub, inc.role)
        if inc.actor.id == actor_id:
            if inc.hub.label in ACTOR_LABELS:  # the actor is a member or partner of hub
                add(inc.hub, Reason("direct", None, text, inc.sources))
        elif inc.hub.id == actor_id:  # a member or partner of the actor itself
            add(inc.actor, Reason("direct", None, text, inc.sources))
        elif inc.hub.id in mine:
            shared.setdefault((inc.actor, inc.hub), []).append(inc)
    for (partner, hub), theirs in shared.items():
        own = mine[hub.id]
        srcs = sources_of(*(i.sources for i in own), *(i.sources for i in theirs))
        if hub.label == "Organisation":
            # co-members of an organisation are partners; co-partners of one are not
            if any(i.rel == "MEMBER_OF" for i in own) and any(i.rel == "MEMBER_OF" for i in theirs):
                add(
                    partner, Reason("organisation", hub, f"beide Mitglied von {hub.quoted()}", srcs)
                )
        elif hub.label in HUB_ITEMS:
            us = own[0].actor
            text = (
                f"{type_name(hub.label)} {hub.quoted()}: "
                f"{us.name} {_roles(own)}, {partner.name} {_roles(theirs)}"
            )
            add(partner, Reason(_HUB_REASON[hub.label], hub, text, srcs))
    return out
