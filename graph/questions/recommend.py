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
Programm                  per programme both take part in (Smart Cities…)       2 (max 4)
Vorbild                   the candidate is a model project ≤ 50 km away         3
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
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import networkx as nx

from graph.core.errors import QueryError
from graph.core.nodes import Entity
from graph.core.store import GraphStore
from graph.present.text import format_int
from graph.questions.answer import Answer, Row, ViewBuilder
from graph.questions.cooperation import ActorInfo, Snapshot, around, snapshot
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
PROGRAMME_POINTS, PROGRAMME_MAX = 2, 2
NEARBY_MODEL_POINTS, NEARBY_MODEL_KM = 3, 50


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


def prepare(store: GraphStore) -> None:
    """Compute what the suggestions need (the cooperation graph and the work index, once
    per data version) ahead of the first question: at Germany scale that is seconds, and
    the app does it in its warm-up after a start rather than in a person's first answer."""
    snapshot(store)


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
    snap = around(store, target.id)
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
    # shared partners of every candidate at once: through my partners' partners (a tie is
    # stored both ways), instead of walking every candidate's partners
    common: Counter[str] = Counter()
    for p in partners:
        common.update(snap.partners.get(p, {}).keys())
    # points for every candidate, sentences only for those shown: at Germany scale
    # 10,000 candidates are scored and 10 explained
    points = []
    for cid in pool:
        n = _score(snap, me, snap.actors[cid], interests, common.get(cid, 0))
        if n > MEMBER_POINTS:  # being in the network alone says nothing about the fit
            points.append((n, cid))
    points.sort(key=lambda p: -p[0])
    if len(points) > limit > 0:
        cutoff = points[limit - 1][0]
        points = [p for p in points if p[0] >= cutoff]  # ties at the cut are ranked by name
    chosen = sorted(points, key=lambda p: (-p[0], snap.actors[p[1]].entity.sort_key()))
    scored = [
        _explain(snap, me, snap.actors[cid], interests, partners)
        for _, cid in chosen[: max(0, limit)]
    ]
    return RecommendAnswer(
        target,
        sorted((snap.topics[t] for t in interests if t in snap.topics), key=Entity.sort_key),
        given,
        scored,
        len(pool),
        len(partners),
    )


def _score(
    snap: Snapshot, me: ActorInfo, other: ActorInfo, interests: set[str], common: int
) -> int:
    """The points of ``other`` for ``me``: the sum of `_parts` without their sentences."""
    return sum(points for _, points, _ in _parts(snap, me, other, interests, common, None))


def _explain(
    snap: Snapshot,
    me: ActorInfo,
    other: ActorInfo,
    interests: set[str],
    my_partners: dict[str, int],
) -> Recommendation:
    # my partners that are theirs (a tie is stored both ways): `around` holds the partner
    # maps of my partners, not of every candidate
    common = sorted(
        (snap.actors[p].entity for p in my_partners if other.entity.id in snap.partners.get(p, {})),
        key=Entity.sort_key,
    )
    parts = tuple(
        Part(name, points, text())
        for name, points, text in _parts(snap, me, other, interests, len(common), common)
    )
    km = _distance(me, other)
    return Recommendation(
        other.entity, sum(p.points for p in parts), parts, round(km, 1) if km is not None else None
    )


#: A part before its sentence is needed: (name, points, how to word it).
LazyPart = tuple[str, int, Callable[[], str]]


def _parts(
    snap: Snapshot,
    me: ActorInfo,
    other: ActorInfo,
    interests: set[str],
    n_common: int,
    common: list[Entity] | None,
) -> list[LazyPart]:
    """The parts of the score (the table in the module docstring), each with a function
    that words it (called only for the recommendations shown)."""
    parts: list[LazyPart] = []
    shared_keys = interests & snap.work.get(other.entity.id, frozenset())
    if shared_keys:

        def topics_text() -> str:
            shared = sorted((snap.topics[t] for t in shared_keys), key=Entity.sort_key)
            return f"arbeitet auch an {', '.join(t.name for t in shared)}"

        parts.append(("Themen", min(len(shared_keys), TOPIC_MAX) * TOPIC_POINTS, topics_text))
    mine, theirs = me.entity, other.entity
    if mine.label == theirs.label == "Municipality":
        if mine.kind and mine.kind == theirs.kind:
            parts.append(("Art", SAME_KIND, lambda: f"ebenfalls {theirs.kind}"))
        elif me.level and me.level == other.level:
            level = {"Gemeinde": "Gemeindeebene", "Kreis": "Kreisebene"}.get(other.level or "", "")
            parts.append(("Art", SAME_LEVEL, lambda: f"ebenfalls auf {level or other.level}"))
        size = _size_part(me.population, other.population) if me.level == other.level else None
        if size:
            parts.append(size)
    km = _distance(me, other)
    if km is not None:
        for limit_km, pts in DISTANCE_STEPS:
            if km <= limit_km:
                parts.append(("Nähe", pts, lambda: f"{_km(km)} km entfernt"))
                break
    if mine.state_code and mine.state_code == theirs.state_code:
        parts.append(("Land", SAME_STATE, lambda: f"ebenfalls in {theirs.state}"))
    if n_common:

        def common_text() -> str:
            names = [e.name for e in common or ()]
            listed = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
            word = "gemeinsamer Partner" if n_common == 1 else "gemeinsame Partner"
            return f"{n_common} {word}: {listed}"

        parts.append(
            ("Netzwerk", min(n_common, COMMON_PARTNER_MAX) * COMMON_PARTNER_POINTS, common_text)
        )
    if snap.programmes:
        parts += _programme_parts(snap, mine, theirs, km)
    if other.member:
        parts.append(("Mitglied", MEMBER_POINTS, lambda: "im Netzwerk und damit ansprechbar"))
    return parts


def _programme_parts(
    snap: Snapshot, mine: Entity, theirs: Entity, km: float | None
) -> list[LazyPart]:
    """Shared programmes, and a model project nearby (`graph.core.programmes`): what a
    Kreis next to a Smart City learns from it."""
    parts: list[LazyPart] = []
    their_items = snap.programmes.get(theirs.id, ())
    if not their_items:
        return parts
    my_nets = {p.network.id for p in snap.programmes.get(mine.id, ())}
    shared = sorted(
        {p.network for p in their_items if p.network.id in my_nets}, key=Entity.sort_key
    )
    if shared:
        n = min(len(shared), PROGRAMME_MAX)
        names = ", ".join(e.name for e in shared)
        parts.append(("Programm", n * PROGRAMME_POINTS, lambda: f"ebenfalls in {names}"))
    if km is not None and km <= NEARBY_MODEL_KM:

        def nearby_text() -> str:
            named = "; ".join(
                f"{p.network.name}"
                + (f", Staffel {p.staffel}" if p.staffel else "")
                + f": {p.item.name}"
                for p in their_items
            )
            return f"Modellprojekt in der Nähe – {named}"

        parts.append(("Vorbild", NEARBY_MODEL_POINTS, nearby_text))
    return parts


def _size_part(a: int | None, b: int | None) -> LazyPart | None:
    if not a or not b:
        return None
    ratio = max(a, b) / min(a, b)
    for limit, pts, words in SIZE_STEPS:
        if ratio <= limit:
            return (
                "Größe",
                pts,
                lambda w=words: f"{w} ({format_int(b)} zu {format_int(a)} Einwohnern)",
            )
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
