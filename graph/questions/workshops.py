"""Question 5: workshops and events — who hosted, who attended, on what; newest first."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from graph.core.nodes import Entity
from graph.core.store import GraphStore
from graph.present.text import format_period
from graph.questions.answer import (
    SOURCES_COLUMN,
    Answer,
    Row,
    ViewBuilder,
    join,
    sources_cell,
)
from graph.questions.resolve import (
    find_actor,
    find_topic,
)
from graph.questions.rows import (
    Participation,
    WorkshopRow,
    question_reads,
)


@dataclass
class WorkshopsAnswer(Answer):
    total: int
    workshops: list[WorkshopRow]
    actor: Entity | None = None
    topic: Entity | None = None

    def rows(self) -> list[Row]:
        rows = []
        for w in self.workshops:
            hosts = [p for p in w.participants if p.rel == "HOSTED"]
            guests = [p for p in w.participants if p.rel == "ATTENDED"]
            rows.append(
                {
                    "Veranstaltung": w.workshop.name,
                    "Art": w.workshop.kind or "",
                    "Datum": _dates(w),
                    "Ort": w.place or "",
                    "Ausgerichtet von": join(_participant(p) for p in hosts),
                    "Teilnehmende": join(p.actor.name for p in guests),
                    "Themen": join(t.name for t in w.topics),
                    "Vermutet": "ja" if w.inferred else "",
                    SOURCES_COLUMN: sources_cell(w.sources),
                }
            )
        return rows

    def lines(self) -> list[str]:
        scope = []
        if self.actor:
            scope.append(f"mit {self.actor.name}")
        if self.topic:
            scope.append(f"zum Thema {self.topic.quoted()}")
        out = [f"Veranstaltungen {' '.join(scope)}: {self.total}".replace("  ", " ")]
        if len(self.workshops) < self.total:
            out.append(f"Gezeigt werden die {len(self.workshops)} neuesten.")
        for row in self.rows():
            out.append(f"- {row['Veranstaltung']} ({row['Datum'] or 'ohne Datum'})")
            for k in ("Ausgerichtet von", "Teilnehmende", "Themen"):
                if row[k]:
                    out.append(f"    {k}: {row[k]}")
            if row["Vermutet"]:
                out.append("    (vermutet, nicht belegt)")
        return out

    def view_graph(self) -> nx.MultiDiGraph:
        v = ViewBuilder()
        for w in self.workshops:
            v.node(w.workshop)
            for p in w.participants:
                v.edge(p.actor, w.workshop, p.rel)
            for t in w.topics:
                v.edge(w.workshop, t, "ABOUT")
        return v.g


def _dates(w: WorkshopRow) -> str:
    """``18.11.2015``, ``18.11.2015 – 19.11.2015``, or empty (`graph.present.text`)."""
    if not w.date:
        return ""
    return format_period(w.date, w.date_end or w.date) or ""


def _participant(p: Participation) -> str:
    return f"{p.actor.name} ({p.role})" if p.role and p.role != "Gastgeber" else p.actor.name


def workshops(
    store: GraphStore,
    *,
    actor: str | Entity | None = None,
    topic: str | Entity | None = None,
    limit: int = 50,
) -> WorkshopsAnswer:
    """Workshops (question 5): who hosted, who attended, on what — all of them, those of
    one actor, on one topic, or both; newest first."""
    qs = question_reads(store)
    ea = find_actor(store, actor) if actor else None
    et = find_topic(store, topic) if topic else None
    total, rows = qs.q_workshops(ea.id if ea else None, et.key if et else None, max(1, limit))
    shaped = [
        WorkshopRow(
            w.workshop,
            w.date,
            w.date_end,
            w.place,
            w.inferred,
            tuple(sorted(set(w.participants), key=_participation_order)),
            tuple(sorted(set(w.topics), key=Entity.sort_key)),
            w.sources,
        )
        for w in rows
    ]
    shaped.sort(key=lambda w: w.workshop.key)
    shaped.sort(key=lambda w: w.date or "", reverse=True)
    return WorkshopsAnswer(total, shaped, ea, et)


def _participation_order(p: Participation) -> tuple[int, int, tuple[str, str, str]]:
    return (0 if p.rel == "HOSTED" else 1, 0 if p.role == "Gastgeber" else 1, p.actor.sort_key())
