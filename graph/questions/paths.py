"""Question 3: how two actors are connected — the shortest paths between them, every
relationship on the way told as a numbered sentence with its sources."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import networkx as nx

from graph.core.errors import QueryError
from graph.core.nodes import Entity
from graph.core.store import GraphStore
from graph.present.text import relation_name
from graph.questions.answer import (
    SOURCES_COLUMN,
    Answer,
    Row,
    ViewBuilder,
    sentence,
    sources_cell,
)
from graph.questions.resolve import (
    find_actor,
)
from graph.questions.rows import (
    Step,
    question_reads,
)
from graph.questions.vocabulary import (
    MAX_HOPS,
    PATH_CAP,
)


@dataclass(frozen=True)
class PathStep:
    """A hop of a path: from ``a`` to ``b`` by one or more relationships (each told)."""

    a: Entity
    b: Entity
    rels: tuple[Step, ...]


@dataclass(frozen=True)
class Path:
    nodes: tuple[Entity, ...]
    steps: tuple[PathStep, ...]

    @property
    def hops(self) -> int:
        return len(self.steps)

    def told(self) -> list[tuple[str, tuple[str, ...]]]:
        """One German sentence (with full stop) per relationship on the way, with the ids
        of its sources — the page shows them as links."""
        by_id = {e.id: e for e in self.nodes}
        return [
            (sentence(rel.rel, by_id[rel.start_id], by_id[rel.end_id], rel.role) + ".", rel.sources)
            for step in self.steps
            for rel in step.rels
        ]

    def sentences(self, titles: Mapping[str, str] | None = None) -> list[str]:
        """Numbered German sentences, one per relationship on the way, each with its
        sources (titles where known)."""
        return [
            f"{n}. {text}{source_note(ids, titles)}"
            for n, (text, ids) in enumerate(self.told(), start=1)
        ]


def source_note(ids: Sequence[str], titles: Mapping[str, str] | None) -> str:
    """`` (Quelle: Titel)`` / `` (Quellen: A; B)`` — ids where no title is known."""
    if not ids:
        return ""
    names = [titles.get(s, s) if titles else s for s in ids]
    word = "Quelle" if len(ids) == 1 else "Quellen"
    return f" ({word}: {'; '.join(names)})"


@dataclass
class PathsAnswer(Answer):
    """The shortest connections from ``a`` to ``b``: ``total`` equally short paths exist
    (or more, when ``complete`` is false); the first ``k`` are in ``paths``."""

    a: Entity
    b: Entity
    total: int
    complete: bool
    paths: list[Path]
    include_admin: bool = False
    source_titles: dict[str, str] = field(default_factory=dict)
    max_hops: int = MAX_HOPS

    @property
    def hops(self) -> int | None:
        return self.paths[0].hops if self.paths else None

    def rows(self) -> list[Row]:
        rows = []
        for i, p in enumerate(self.paths, start=1):
            by_id = {e.id: e for e in p.nodes}
            n = 0
            for step in p.steps:
                for rel in step.rels:
                    n += 1
                    rows.append(
                        {
                            "Weg": i,
                            "Schritt": n,
                            "Von": by_id[rel.start_id].name,
                            "Beziehung": relation_name(rel.rel),
                            "Zu": by_id[rel.end_id].name,
                            "Satz": sentence(
                                rel.rel, by_id[rel.start_id], by_id[rel.end_id], rel.role
                            ),
                            SOURCES_COLUMN: sources_cell(rel.sources),
                        }
                    )
        return rows

    def summary(self) -> str:
        if not self.paths:
            return (
                f"Zwischen {self.a.quoted()} und {self.b.quoted()} gibt es keine Verbindung "
                f"über höchstens {self.max_hops} Schritte."
            )
        steps = "1 Schritt" if self.hops == 1 else f"{self.hops} Schritte"
        linked = f"{self.a.quoted()} und {self.b.quoted()} sind über {steps} verbunden"
        if self.total == 1 and self.complete:
            return linked + "; das ist der einzige so kurze Weg."
        more = "" if self.complete else " mindestens"
        return (
            f"{linked}; es gibt{more} {self.total} gleich kurze Wege, gezeigt werden "
            f"{len(self.paths)}."
        )

    def lines(self) -> list[str]:
        out = [self.summary()]
        for i, p in enumerate(self.paths, start=1):
            out.append(f"Weg {i}: " + " – ".join(e.name for e in p.nodes))
            out += ["    " + s for s in p.sentences(self.source_titles)]
        return out

    def view_graph(self) -> nx.MultiDiGraph:
        v = ViewBuilder()
        for p in self.paths:
            by_id = {e.id: e for e in p.nodes}
            for step in p.steps:
                for rel in step.rels:
                    v.edge(by_id[rel.start_id], by_id[rel.end_id], rel.rel)
        return v.g


def connections(
    store: GraphStore,
    a: str | Entity,
    b: str | Entity,
    *,
    k: int = 3,
    include_admin: bool = False,
    max_hops: int = MAX_HOPS,
) -> PathsAnswer:
    """How ``a`` and ``b`` are connected (question 3): the shortest paths between them,
    at most ``k`` of them (alphabetical by the names on the way), every relationship on
    each hop told as a sentence with its sources. Administrative links (``IN_STATE``,
    ``PART_OF``) are used only with ``include_admin``."""
    qs = question_reads(store)
    ea, eb = find_actor(store, a), find_actor(store, b)
    if ea.id == eb.id:
        raise QueryError("Bitte zwei verschiedene Kommunen oder Organisationen angeben.")
    raw = qs.q_paths(ea.id, eb.id, include_admin, PATH_CAP)
    found: dict[tuple[Entity, ...], set[Step]] = {}
    for rp in raw:
        if len(rp.nodes) - 1 <= max_hops:
            found.setdefault(rp.nodes, set()).update(rp.steps)
    ordered = sorted(found, key=lambda nodes: [e.sort_key() for e in nodes])
    paths = []
    for nodes in ordered[: max(0, k)]:
        hops = []
        for x, y in pairwise(nodes):
            ends = {x.id, y.id}
            rels = sorted(
                (s for s in found[nodes] if {s.start_id, s.end_id} == ends), key=_step_order
            )
            hops.append(PathStep(x, y, tuple(rels)))
        paths.append(Path(nodes, tuple(hops)))
    cited = sorted({s for p in paths for h in p.steps for r in h.rels for s in r.sources})
    return PathsAnswer(
        ea,
        eb,
        len(found),
        len(raw) < PATH_CAP,
        paths,
        include_admin,
        source_titles(store, cited),
        max_hops,
    )


def _step_order(s: Step) -> tuple[str, str, str]:
    return (s.rel, s.start_id, s.end_id)


def source_titles(store: GraphStore, ids: Iterable[str]) -> dict[str, str]:
    """Titles (with publisher and address) of the given Source ids."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    out = {}
    for sid, d in question_reads(store).q_nodes("Source", wanted).items():
        bits = [str(d.get("title") or sid)]
        if d.get("publisher"):
            bits.append(str(d["publisher"]))
        if d.get("url"):
            bits.append(str(d["url"]))
        out[sid] = ", ".join(bits)
    return out
