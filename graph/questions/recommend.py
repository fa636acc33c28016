"""Question 6: partner recommendations with scores a person can follow.

A coordinator has to be able to say *why* a municipality was suggested, so the score is a
sum of a few points that each come with a sentence, never a learned weight:

========================  ===================================================  ==========
part                      rule                                                 points
========================  ===================================================  ==========
Themen                    per topic of interest the candidate works on          3 (max 15)
Art                       same kind (Stadt, Gemeinde, Landkreis…) / level       2 / 1
Größe                     population within ×1.5 / ×3 / ×6                      3 / 2 / 1
Nähe                      distance ≤ 25 / 50 / 100 / 200 km                     4/3/2/1
Land                      same Bundesland                                       2
Netzwerk                  per partner both already have                         2 (max 6)
Mitglied                  the candidate is a member of a network                1
========================  ===================================================  ==========

Candidates are the actors of the cooperation graph (`graph.questions.cooperation`): network
members and everyone who works with others or on a topic; existing partners are left out,
and a candidate needs more than the member point.
The target may be a member, or any municipality of the loaded directory (by AGS): a
newcomer has no partners and no projects yet, so its interests can be given as topics.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx

from graph.core.errors import QueryError
from graph.core.nodes import Entity
from graph.core.store import GraphStore
from graph.present.text import format_int
from graph.questions.answer import Answer, Row, ViewBuilder
from graph.questions.cooperation import ActorInfo, Snapshot, snapshot
from graph.questions.resolve import find_actor, find_topic

TOPIC_POINTS, TOPIC_MAX = 3, 5
SAME_KIND, SAME_LEVEL = 2, 1
SIZE_STEPS = (
    (1.5, 3, "ähnlich groß"),
    (3.0, 2, "vergleichbar groß"),
    (6.0, 1, "gleiche Größenordnung"),
)
DISTANCE_STEPS = ((25, 4), (50, 3), (100, 2), (200, 1))
SAME_STATE = 2
COMMON_PARTNER_POINTS, COMMON_PARTNER_MAX = 2, 3
MEMBER_POINTS = 1


@dataclass(frozen=True)
class Part:
    """One reason for a recommendation: what, how many points, and the sentence."""

    name: str
    points: int
    text: str


@dataclass(frozen=True)
class Recommendation:
    candidate: Entity
    score: int
    parts: tuple[Part, ...]
    distance_km: float | None = None

    @property
    def explanation(self) -> str:
        return "; ".join(f"{p.name} +{p.points}: {p.text}" for p in self.parts)


@dataclass
class RecommendAnswer(Answer):
    target: Entity
    interests: list[Entity]
    interests_given: bool
    recommendations: list[Recommendation]
    candidates: int
    existing_partners: int

    def rows(self) -> list[Row]:
        return [
            {
                "Rang": i,
                "Vorschlag": r.candidate.name,
                "Art": r.candidate.kind or "",
                "Land": r.candidate.state,
                "Schlüssel": r.candidate.key,
                "Punkte": r.score,
                "Entfernung (km)": round(r.distance_km) if r.distance_km is not None else "",
                "Begründung": r.explanation,
            }
            for i, r in enumerate(self.recommendations, 1)
        ]

    def lines(self) -> list[str]:
        source = "angegeben" if self.interests_given else "aus den eigenen Vorhaben"
        topics = ", ".join(t.name for t in self.interests) or "keine"
        out = [
            f"Partnervorschläge für {self.target.describe()}",
            f"Themen ({source}): {topics}",
            f"{self.candidates} Kandidaten geprüft, {self.existing_partners} bestehende "
            "Partner ausgelassen.",
        ]
        for i, r in enumerate(self.recommendations, 1):
            out.append(f"{i}. {r.candidate.describe()} – {r.score} Punkte")
            out += [f"     {p.name} +{p.points}: {p.text}" for p in r.parts]
        return out

    def view_graph(self) -> nx.MultiDiGraph:
        v = ViewBuilder()
        v.node(self.target)
        for r in self.recommendations:
            v.edge(self.target, r.candidate, "PARTNER_OF", label=f"{r.score} Punkte")
        return v.g


def recommend(
    store: GraphStore,
    actor: str | Entity,
    *,
    topics: Sequence[str | Entity] | None = None,
    limit: int = 10,
) -> RecommendAnswer:
    """Ranked partner suggestions for ``actor`` with an explanation per candidate.

    ``topics`` are the interests to match (a newcomer names them); without them the
    topics the actor already works on are used."""
    target = find_actor(store, actor)
    snap = snapshot(store)
    me = snap.actors.get(target.id)
    if me is None:
        raise QueryError(f"{target.describe()} ist nicht im Kooperationsgraphen.")
    given = bool(topics)
    if topics:
        interests = {find_topic(store, t).key for t in topics}
    else:
        interests = set(snap.work.get(target.id, ()))
    partners = snap.partners.get(target.id, {})
    pool = [a for a in snap.active if a != target.id and a not in partners]
    scored = []
    for cid in pool:
        rec = _score(snap, me, snap.actors[cid], interests, partners)
        if rec is not None:
            scored.append(rec)
    scored.sort(key=lambda r: (-r.score, r.candidate.sort_key()))
    return RecommendAnswer(
        target,
        sorted((snap.topics[t] for t in interests if t in snap.topics), key=Entity.sort_key),
        given,
        scored[: max(0, limit)],
        len(pool),
        len(partners),
    )


def _score(
    snap: Snapshot,
    me: ActorInfo,
    other: ActorInfo,
    interests: set[str],
    my_partners: dict[str, int],
) -> Recommendation | None:
    parts: list[Part] = []
    shared = sorted(
        (snap.topics[t] for t in interests & snap.work.get(other.entity.id, frozenset())),
        key=Entity.sort_key,
    )
    if shared:
        n = min(len(shared), TOPIC_MAX)
        names = ", ".join(t.name for t in shared)
        parts.append(Part("Themen", n * TOPIC_POINTS, f"arbeitet auch an {names}"))
    mine, theirs = me.entity, other.entity
    if mine.label == theirs.label == "Municipality":
        if mine.kind and mine.kind == theirs.kind:
            parts.append(Part("Art", SAME_KIND, f"ebenfalls {theirs.kind}"))
        elif me.level and me.level == other.level:
            level = {"Gemeinde": "Gemeindeebene", "Kreis": "Kreisebene"}.get(other.level, "")
            parts.append(Part("Art", SAME_LEVEL, f"ebenfalls auf {level or other.level}"))
        size = _size_part(me.population, other.population) if me.level == other.level else None
        if size:
            parts.append(size)
    km = _distance(me, other)
    for limit_km, pts in DISTANCE_STEPS:
        if km is not None and km <= limit_km:
            parts.append(Part("Nähe", pts, f"{_km(km)} km entfernt"))
            break
    if mine.state_code and mine.state_code == theirs.state_code:
        parts.append(Part("Land", SAME_STATE, f"ebenfalls in {theirs.state}"))
    common = sorted(
        (snap.actors[p].entity for p in snap.partners.get(theirs.id, {}) if p in my_partners),
        key=Entity.sort_key,
    )
    if common:
        n = min(len(common), COMMON_PARTNER_MAX)
        names = ", ".join(e.name for e in common[:5]) + (" …" if len(common) > 5 else "")
        word = "gemeinsamer Partner" if len(common) == 1 else "gemeinsame Partner"
        parts.append(Part("Netzwerk", n * COMMON_PARTNER_POINTS, f"{len(common)} {word}: {names}"))
    if other.member:
        parts.append(Part("Mitglied", MEMBER_POINTS, "im Netzwerk und damit ansprechbar"))
    score = sum(p.points for p in parts)
    if score <= MEMBER_POINTS:  # being in the network alone says nothing about the fit
        return None
    return Recommendation(theirs, score, tuple(parts), round(km, 1) if km is not None else None)


def _size_part(a: int | None, b: int | None) -> Part | None:
    if not a or not b:
        return None
    ratio = max(a, b) / min(a, b)
    for limit, pts, words in SIZE_STEPS:
        if ratio <= limit:
            return Part("Größe", pts, f"{words} ({format_int(b)} zu {format_int(a)} Einwohnern)")
    return None


def _distance(a: ActorInfo, b: ActorInfo) -> float | None:
    """Great-circle distance in km (haversine), or None without coordinates."""
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _km(km: float) -> str:
    return str(round(km)) if km >= 10 else f"{km:.1f}".replace(".", ",")
