"""Guided questions over the cooperation network, answered the same way on both stores.

The questions a coordinator or a municipality asks ("who else works on E-Akte?", "how is
Norderstedt connected to the Ortenaukreis?") are functions here. Each one asks the store
for *raw rows* through the small `QueryStore` protocol — a graph traversal, written once
in Cypher (`graph.stores.neo4j.questions`) and once over networkx
(`graph.stores.sqlite.questions`) — and then
shapes, sorts and words the answer in this module, once. That split is what makes the
answers identical on Neo4j and on the embedded store: the stores only find facts; every
rule a person reads (which tie counts as what, the order of the rows, the German
sentences) lives here.

What the questions mean (the same definitions everywhere):

* An actor (`Municipality` or `Organisation`) **works on** a topic when it runs a project
  about it, is a partner of such a project, or is party to a cooperation about it.
* Two actors are **partners** when one is a member or partner of the other (direct), when
  both are members of the same organisation (a Bewerbergemeinschaft, a Zweckverband),
  party to the same cooperation, in the same project, or at the same workshop; working on
  the same topic makes them partners of the weakest kind. Network membership alone does
  not: a network with thousands of members would make everyone everyone's partner.
* A **member** is an actor with ``MEMBER_OF`` a `Network`, directly or through an
  organisation that is a member (the municipalities of the Bewerbergemeinschaft
  Ibbenbüren).
"""

from __future__ import annotations

import csv
import heapq
import io
import json
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from itertools import pairwise
from typing import Any, Protocol, TypeVar, cast, runtime_checkable

import networkx as nx

from graph.core.errors import KommunetzError, NotFound
from graph.core.model import (
    ACTOR_LABELS,
    ADMINISTRATIVE_RELS,
    NODE_TYPES,
    PRIVATE_RELS,
    REL_TYPES,
    STATES,
    node_id,
    split_node_id,
)
from graph.core.nxgraph import display_name
from graph.core.search import Hit, resolve
from graph.core.store import GraphStore

# -- what counts as what ----------------------------------------------------------------

#: Relationship types by which an actor works on a project or cooperation (→ its topics).
WORK_RELS: tuple[str, ...] = ("RUNS", "PARTNER_OF", "PARTY_TO")
WORK_ITEMS: tuple[str, ...] = ("Project", "Cooperation")
#: Relationship types by which an actor takes part in a shared item (a "hub"): two actors
#: at the same hub are partners.
HUB_RELS: tuple[str, ...] = ("RUNS", "PARTNER_OF", "PARTY_TO", "HOSTED", "ATTENDED")
HUB_ITEMS: tuple[str, ...] = ("Project", "Cooperation", "Workshop")
ACTORS: tuple[str, ...] = tuple(sorted(ACTOR_LABELS))

#: Relationship types a connection path may use: everything public, administrative links
#: only when asked for (a Land has up to ~2,000 members: a path through it says nothing).
PATH_RELS: tuple[str, ...] = tuple(
    sorted(t for t in REL_TYPES if t not in PRIVATE_RELS and t not in ADMINISTRATIVE_RELS)
)
PATH_RELS_ADMIN: tuple[str, ...] = tuple(sorted(t for t in REL_TYPES if t not in PRIVATE_RELS))
#: What an incidence (see `Incidence`) may be: these types, ending at these labels.
INCIDENCE_RELS: tuple[str, ...] = (*HUB_RELS, "MEMBER_OF")
INCIDENCE_HUBS: tuple[str, ...] = (*HUB_ITEMS, *ACTORS)
#: Properties `QueryStore.q_actor_facts` reads.
FACT_PROPS: tuple[str, ...] = ("level", "population", "lat", "lon")
#: Longest path a connection search looks for, and how many equally short paths it
#: collects before it stops (then the answer says that it is incomplete).
MAX_HOPS = 8
PATH_CAP = 2_000

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

#: How each relationship type reads as a German sentence: start, verb phrase, end.
_SENTENCES: dict[str, str] = {
    "IN_STATE": "{a} liegt im Land {b}",
    "PART_OF": "{a} gehört zum Kreis {b}",
    "MEMBER_OF": "{a} ist Mitglied von {b}",
    "PARTNER_OF": "{a} ist Partner von {b}",
    "RUNS": "{a} führt das Projekt {b} durch",
    "ABOUT": "{a} behandelt das Thema {b}",
    "HOSTED": "{a} richtete die Veranstaltung {b} aus",
    "ATTENDED": "{a} nahm an der Veranstaltung {b} teil",
    "AUTHORED": "{a} verfasste den Bericht {b}",
    "PARTY_TO": "{a} ist an der Kooperation {b} beteiligt",
    "IN_PROGRAMME": "{a} gehört zum Programm {b}",
    "CONCERNS": "{a} betrifft {b}",
}
#: A relationship as a short role word in tables ("Rolle").
ROLE_WORDS: dict[str, str] = {
    "RUNS": "führt durch",
    "PARTNER_OF": "Partner",
    "PARTY_TO": "beteiligt",
    "HOSTED": "Gastgeber",
    "ATTENDED": "Teilnahme",
    "MEMBER_OF": "Mitglied",
}


class QueryError(KommunetzError):
    """A question cannot be answered as asked (same place twice, unknown topic...)."""


# -- result building blocks -----------------------------------------------------------


@dataclass(frozen=True, order=True)
class Entity:
    """A node as answers show it: enough to name it and to tell it from its namesakes."""

    label: str
    key: str
    name: str
    kind: str | None = None
    state_code: str | None = None

    @property
    def id(self) -> str:
        return node_id(self.label, self.key)

    @property
    def state(self) -> str:
        """The Land's name, or an empty string."""
        return STATES[self.state_code][0] if self.state_code in STATES else ""

    def describe(self) -> str:
        """``Neuenkirchen (Gemeinde, Nordrhein-Westfalen, AGS 05566060)``, as a search
        result describes itself."""
        return Hit(self.label, self.key, self.name, self.kind, self.state_code).describe()

    def quoted(self) -> str:
        return f"„{self.name}“"

    def sort_key(self) -> tuple[str, str, str]:
        """Alphabetical, then by label and key: the tie-break every answer uses."""
        return (self.name, self.label, self.key)


def entity_from(nid: str, attrs: Mapping[str, Any]) -> Entity:
    """The `Entity` of a node of a `store.graph()` networkx graph."""
    label, key = split_node_id(nid)
    kind = attrs.get("kind")
    state = attrs.get("state_code")
    return Entity(
        label,
        key,
        str(attrs.get("name") or key),
        kind if isinstance(kind, str) else None,
        state if isinstance(state, str) else None,
    )


def stored_entity(label: str, key: str, props: Mapping[str, Any]) -> Entity:
    """The `Entity` of a node from its stored properties (as `GraphStore.node` gives them)."""
    return entity_from(node_id(label, key), {**props, "name": display_name(label, key, props)})


def sources_of(*lists: Iterable[str] | None) -> tuple[str, ...]:
    """The union of source-id lists, sorted (so both stores give the same tuple)."""
    out: set[str] = set()
    for ids in lists:
        out.update(ids or ())
    return tuple(sorted(out))


@dataclass(frozen=True)
class Incidence:
    """``actor`` —``rel``→ ``hub``: an actor's part in a project, cooperation, workshop
    or organisation, or a direct partnership (then ``hub`` is an actor)."""

    actor: Entity
    hub: Entity
    rel: str
    sources: tuple[str, ...] = ()
    role: str | None = None


@dataclass(frozen=True)
class WorkRow:
    """The actor ``actor_id`` works on ``topic`` through ``item`` (a project or
    cooperation)."""

    actor_id: str
    item: Entity
    rel: str
    topic: Entity
    sources: tuple[str, ...] = ()
    role: str | None = None


@dataclass(frozen=True)
class Membership:
    """``actor`` is a member of ``network``, directly or ``via`` an organisation."""

    actor_id: str
    network: Entity
    via: Entity | None
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """One stored relationship on a path, in its stored direction."""

    rel: str
    start_id: str
    end_id: str
    sources: tuple[str, ...] = ()
    role: str | None = None


@dataclass(frozen=True)
class RawPath:
    """A path as a store finds it: its nodes, and relationships between neighbours."""

    nodes: tuple[Entity, ...]
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Participation:
    """An actor's part in a workshop (``HOSTED`` or ``ATTENDED``)."""

    actor: Entity
    rel: str
    role: str | None
    sources: tuple[str, ...]


@dataclass(frozen=True)
class WorkshopRow:
    """A workshop with everyone who hosted or attended it and its topics."""

    workshop: Entity
    date: str | None
    date_end: str | None
    place: str | None
    inferred: bool
    participants: tuple[Participation, ...]
    topics: tuple[Entity, ...]
    sources: tuple[str, ...]


@runtime_checkable
class QueryStore(GraphStore, Protocol):
    """The raw reads behind the guided questions. `Neo4jStore` answers them in Cypher
    (`graph.queries_cypher.CypherQueries`), `EmbeddedStore` over its cached networkx
    graph (`graph.queries_nx.NxQueries`); `tests/contract/test_queries.py` holds both to
    the same answers. Order of the returned lists does not matter unless stated; the
    functions of this module sort."""

    def q_work_index(self) -> list[tuple[Entity, tuple[tuple[str, int], ...]]]:
        """Every actor that works on a topic, with (topic key, number of its projects and
        cooperations about it) per topic."""
        ...

    def q_by_key(self, labels: Sequence[str], key: str) -> list[Entity]:
        """The public nodes of ``labels`` (sorted label names) whose key is ``key``."""
        ...

    def q_nodes(self, label: str, keys: Sequence[str] | None) -> dict[str, dict[str, Any]]:
        """Properties of the public nodes of ``label`` with the given keys (all when None),
        by key; nothing for a label that holds personal data."""
        ...

    def q_actor_facts(self) -> list[tuple[Entity, dict[str, Any]]]:
        """Every municipality and organisation with ``level``, ``population``, ``lat``,
        ``lon`` (each may be missing): what recommendations compare."""
        ...

    def q_member_ids(self) -> list[str]:
        """Ids of every actor that is a member of a network (directly or via an
        organisation)."""
        ...

    def q_memberships(self, actor_ids: Sequence[str]) -> list[Membership]:
        """The network memberships of the given actors, direct and via an organisation."""
        ...

    def q_incidences(self, actor_id: str) -> list[Incidence]:
        """Every incidence of every hub the actor is at (its own included), and every
        incidence that ends at the actor itself (its members and partners)."""
        ...

    def q_paths(self, a_id: str, b_id: str, include_admin: bool, cap: int) -> list[RawPath]:
        """The shortest paths from a to b, ignoring direction, over `PATH_RELS` (or
        `PATH_RELS_ADMIN`), at most `MAX_HOPS` hops; at most ``cap`` of them. A path may
        come once per choice of parallel relationships or once with all of them."""
        ...

    def q_actor_work(self, actor_ids: Sequence[str], topic_key: str | None) -> list[WorkRow]:
        """Everything the given actors work on (about ``topic_key`` only, if given)."""
        ...

    def q_workshops(
        self, actor_id: str | None, topic_key: str | None, limit: int
    ) -> tuple[int, list[WorkshopRow]]:
        """Workshops the actor hosted or attended and/or that are about the topic (all if
        neither): how many, and the first ``limit`` by date (newest first, undated last),
        then key."""
        ...

    def q_tie_groups(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """The cooperation graph in groups: (hub id, kind, sorted actor ids) where kind is
        ``item`` (a project, cooperation or workshop with two or more actors),
        ``members`` (the members of an organisation) or ``partners`` (the actors that are
        ``PARTNER_OF`` the hub, itself an actor)."""
        ...


def as_query_store(store: GraphStore) -> QueryStore:
    """``store`` as a `QueryStore`, or a clear error for a store that cannot answer."""
    if not isinstance(store, QueryStore):
        raise QueryError(f"Die Datenbank ({store.kind}) unterstützt keine Abfragen.")
    return store


# -- per data version -------------------------------------------------------------------

_CACHE: weakref.WeakKeyDictionary[Any, dict[str, tuple[int, Any]]] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()
T = TypeVar("T")


def per_version(store: GraphStore, name: str, build: Callable[[GraphStore, int], T]) -> T:
    """``build(store, version)``, computed once per store object and data version
    (`GraphStore.version`) and kept until the data changes."""
    version = store.version()
    with _CACHE_LOCK:
        hit = _CACHE.setdefault(store, {}).get(name)
        if hit is not None and hit[0] == version:
            return cast(T, hit[1])
    value = build(store, version)
    with _CACHE_LOCK:
        _CACHE.setdefault(store, {})[name] = (version, value)
    return value


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
    memberships: dict[str, tuple[Membership, ...]]  # of every member


def work_index(store: GraphStore) -> WorkIndex:
    """The `WorkIndex` of ``store`` at its current data version."""
    return per_version(store, "work_index", _build_work_index)


def _build_work_index(store: GraphStore, version: int) -> WorkIndex:
    qs = as_query_store(store)
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


def topic_choices(store: GraphStore) -> list[Entity]:
    """Every topic, alphabetical (for a selection list)."""
    nodes = as_query_store(store).q_nodes("Topic", None)
    return sorted((stored_entity("Topic", k, p) for k, p in nodes.items()), key=Entity.sort_key)


# -- finding what the user means -------------------------------------------------------


def find_entity(
    store: GraphStore, text: str | Entity, labels: Iterable[str], what: tuple[str, str]
) -> Entity:
    """The one node of ``labels`` that ``text`` (a name, an AGS or an id) means; ``what``
    names the kind for messages (``("ein Thema", "Kein Thema")``).

    Raises `graph.errors.NotFound` or `graph.errors.Ambiguous`, whose message lists the
    candidates with Land and AGS ("Neuenkirchen" exists seven times in Germany)."""
    if isinstance(text, Entity):
        return text
    query = text.strip()
    if not query:
        raise QueryError(f"Bitte {what[0]} angeben.")
    by_key = _by_key(store, query, labels)
    if by_key is not None:
        return by_key
    hits = store.search(query, list(labels), limit=50)
    if not hits:
        raise NotFound(f"{what[1]} gefunden für „{query}“.")
    hit = resolve(hits, query)
    return Entity(hit.label, hit.key, hit.name, hit.kind, hit.state_code)


def _by_key(store: GraphStore, key: str, labels: Iterable[str]) -> Entity | None:
    """The node whose key is ``key`` (an AGS, an id), if exactly one label has it.

    A key is what scripts pass; looking it up directly spares the name search (which
    ranks every municipality) and means the same: an exact key is the best search hit."""
    fitting = sorted(label for label in labels if NODE_TYPES[label].key_pattern.match(key))
    found = as_query_store(store).q_by_key(fitting, key) if fitting else []
    if len(found) != 1:
        return None
    e = found[0]
    if e.label == "Municipality" and e.state_code is None:  # as `graph.lookup.make_hit`
        return Entity(e.label, e.key, e.name, e.kind, key[:2])
    return e


def find_actor(store: GraphStore, text: str | Entity) -> Entity:
    """A municipality (name or AGS) or an organisation (name or id)."""
    what = ("eine Kommune oder Organisation", "Keine Kommune oder Organisation")
    return find_entity(store, text, ACTORS, what)


def find_topic(store: GraphStore, text: str | Entity) -> Entity:
    """A topic by name (or part of it) or id."""
    return find_entity(store, text, ["Topic"], ("ein Thema", "Kein Thema"))


# -- tables, CSV, JSON: what every answer offers ------------------------------------------

Row = dict[str, Any]


class Answer:
    """What every answer offers the CLI and the page: rows for a table and CSV, a JSON
    form, plain German lines, and a small graph to draw."""

    def rows(self) -> list[Row]:
        raise NotImplementedError

    def lines(self) -> list[str]:
        raise NotImplementedError

    def view_graph(self) -> nx.MultiDiGraph:
        raise NotImplementedError

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)


def to_csv(rows: Sequence[Row]) -> bytes:
    """Rows as CSV the way German spreadsheets open it: ``;`` as separator, UTF-8 with BOM.

    Cells that start with ``=``, ``+``, ``-`` or ``@`` get a leading apostrophe so that a
    spreadsheet does not run text from the data as a formula."""
    out = io.StringIO()
    if rows:
        columns = list(dict.fromkeys(k for row in rows for k in row))  # rows may differ
        writer = csv.DictWriter(out, fieldnames=columns, delimiter=";", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_cell(v) for k, v in row.items()})
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


class ViewBuilder:
    """A small networkx graph for `graph.view.render_html`, with the node attributes the
    stores' graphs have (``type``, ``key``, ``name``)."""

    def __init__(self) -> None:
        self.g = nx.MultiDiGraph()

    def node(self, e: Entity) -> str:
        if e.id not in self.g:
            self.g.add_node(e.id, type=e.label, key=e.key, name=e.name, kind=e.kind or "")
        return e.id

    def edge(self, a: Entity, b: Entity, rel: str, **attrs: Any) -> None:
        self.g.add_edge(self.node(a), self.node(b), key=rel, type=rel, **attrs)


def _join(values: Iterable[str]) -> str:
    return ", ".join(values)


# -- (1) who works on a topic -------------------------------------------------------------


@dataclass(frozen=True)
class Involvement:
    """One project or cooperation an actor works on, and how."""

    item: Entity
    rel: str
    role: str | None
    sources: tuple[str, ...]

    @property
    def role_text(self) -> str:
        return self.role or ROLE_WORDS.get(self.rel, self.rel)


@dataclass(frozen=True)
class TopicWorker:
    actor: Entity
    memberships: tuple[Membership, ...]
    items: tuple[Involvement, ...]

    @property
    def member_text(self) -> str:
        return membership_text(self.memberships)


def membership_text(memberships: Iterable[Membership]) -> str:
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
                "Akteur": w.actor.name,
                "Art": w.actor.kind or NODE_TYPES[w.actor.label].singular,
                "Land": w.actor.state,
                "Schlüssel": w.actor.key,
                "Mitglied in": w.member_text,
                "Vorhaben": i.item.name,
                "Vorhabenart": NODE_TYPES[i.item.label].singular,
                "Rolle": i.role_text,
                "Quellen": _join(i.sources),
            }
            for w in self.workers
            for i in w.items
        ]

    def lines(self) -> list[str]:
        who = "Mitglieder" if self.members_only else "Akteure"
        out = [f"Thema {self.topic.quoted()}: {self.total} {who} arbeiten daran."]
        if len(self.workers) < self.total:
            out.append(f"Gezeigt werden die ersten {len(self.workers)}.")
        for w in self.workers:
            out.append(f"- {w.actor.describe()} – Mitglied in: {w.member_text}")
            for i in w.items:
                out.append(f"    {i.role_text}: {i.item.name} [{_join(i.sources)}]")
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
    qs = as_query_store(store)
    index = work_index(store)
    # a topic key needs no look-up: the index knows every topic
    known = index.topic_entities.get(topic) if isinstance(topic, str) else None
    t = known or find_topic(store, topic)
    counts = index.actors_on.get(t.key, {})
    ids = [a for a in counts if not members_only or a in index.members]
    ids.sort(key=lambda a: (-counts[a], index.actors[a].sort_key()))
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


def _memberships_by_actor(
    qs: QueryStore, actor_ids: Sequence[str]
) -> dict[str, tuple[Membership, ...]]:
    if not actor_ids:
        return {}
    out: dict[str, set[Membership]] = {}
    for m in qs.q_memberships(actor_ids):
        out.setdefault(m.actor_id, set()).add(m)
    return {k: tuple(sorted(v, key=_membership_order)) for k, v in out.items()}


def _membership_order(m: Membership) -> tuple[tuple[str, ...], ...]:
    return (m.network.sort_key(), m.via.sort_key() if m.via else ())


# -- (2) partners -------------------------------------------------------------------------


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
        names = _join(t.quoted() for t in self.topics)
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
                "Partner": p.partner.name,
                "Art": p.partner.kind or NODE_TYPES[p.partner.label].singular,
                "Land": p.partner.state,
                "Schlüssel": p.partner.key,
                "Grund": r.label,
                "Über": r.via.name if r.via else "",
                "Erläuterung": r.text,
                "Quellen": _join(r.sources),
            }
            for p in self.partners
            for r in p.all_reasons
        ]

    def lines(self) -> list[str]:
        out = [f"Partner von {self.actor.describe()}: {self.total}"]
        if len(self.partners) < self.total:
            out.append(f"Gezeigt werden die ersten {len(self.partners)}.")
        for p in self.partners:
            out.append(f"- {p.partner.describe()} – {p.strongest}")
            for r in p.all_reasons:
                src = f" [{_join(r.sources)}]" if r.sources else ""
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
    qs = as_query_store(store)
    a = find_actor(store, actor)
    reasons = partner_reasons(a.id, qs.q_incidences(a.id))
    entities = {e.id: e for e, _ in reasons.values()}
    index = work_index(store)
    shared = topic_sharers(index, a.id)
    # partners by topic only: thousands at Germany scale, so only the first ``limit``
    weak = [b for b in shared if b not in reasons]
    top = heapq.nsmallest(
        max(0, limit), weak, key=lambda b: (-shared[b], index.actors[b].sort_key())
    )
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
    return PartnersAnswer(a, len(reasons) + len(weak), found[: max(0, limit)])


def topic_sharers(index: WorkIndex, actor_id: str) -> Counter[str]:
    """How many topics each other actor shares with ``actor_id`` (only those sharing one)."""
    counts: Counter[str] = Counter()
    for t in index.topics_of.get(actor_id, {}):
        counts.update(index.actors_on.get(t, {}).keys())
    counts.pop(actor_id, None)
    return counts


def _reason_order(r: Reason) -> tuple[int, str, tuple[str, ...]]:
    return (_REASON_RANK[r.kind], r.text, r.via.sort_key() if r.via else ())


def _roles(incs: Iterable[Incidence]) -> str:
    return "/".join(sorted({i.role or ROLE_WORDS.get(i.rel, i.rel) for i in incs}))


def partner_reasons(
    actor_id: str, incidences: Iterable[Incidence]
) -> dict[str, tuple[Entity, set[Reason]]]:
    """Partners of ``actor_id`` and their reasons (one per shared hub, one per direct
    tie), from the incidences around it (see `QueryStore.q_incidences`). Topics are not
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
                f"{NODE_TYPES[hub.label].singular} {hub.quoted()}: "
                f"{us.name} {_roles(own)}, {partner.name} {_roles(theirs)}"
            )
            add(partner, Reason(_HUB_REASON[hub.label], hub, text, srcs))
    return out


# -- (3) how two actors are connected ----------------------------------------------------


def sentence(rel: str, start: Entity, end: Entity, role: str | None = None) -> str:
    """A stored relationship as a German sentence (without full stop)."""
    text = _SENTENCES.get(rel, "{a} –" + rel + "→ {b}").format(a=start.quoted(), b=end.quoted())
    return f"{text} ({role})" if role and rel in ("PARTNER_OF", "HOSTED", "MEMBER_OF") else text


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

    def sentences(self, titles: Mapping[str, str] | None = None) -> list[str]:
        """Numbered German sentences, one per relationship on the way, each with its
        sources (titles where known)."""
        by_id = {e.id: e for e in self.nodes}
        out: list[str] = []
        for step in self.steps:
            for rel in step.rels:
                text = sentence(rel.rel, by_id[rel.start_id], by_id[rel.end_id], rel.role)
                out.append(f"{len(out) + 1}. {text}.{source_note(rel.sources, titles)}")
        return out


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
                            "Beziehung": rel.rel,
                            "Zu": by_id[rel.end_id].name,
                            "Satz": sentence(
                                rel.rel, by_id[rel.start_id], by_id[rel.end_id], rel.role
                            ),
                            "Quellen": _join(self.source_titles.get(s, s) for s in rel.sources),
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
    qs = as_query_store(store)
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
    for sid, d in as_query_store(store).q_nodes("Source", wanted).items():
        bits = [str(d.get("title") or sid)]
        if d.get("publisher"):
            bits.append(str(d["publisher"]))
        if d.get("url"):
            bits.append(str(d["url"]))
        out[sid] = ", ".join(bits)
    return out


# -- (4) shared topics -------------------------------------------------------------------


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
                            "Vorhabenart": NODE_TYPES[i.item.label].singular,
                            "Rolle": i.role_text,
                            "Quellen": _join(i.sources),
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
            out.append(f"Nur {self.a.name}: " + _join(t.name for t in self.only_a))
        if self.only_b:
            out.append(f"Nur {self.b.name}: " + _join(t.name for t in self.only_b))
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
    qs = as_query_store(store)
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


# -- (5) workshops -----------------------------------------------------------------------


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
                    "Ausgerichtet von": _join(_participant(p) for p in hosts),
                    "Teilnehmende": _join(p.actor.name for p in guests),
                    "Themen": _join(t.name for t in w.topics),
                    "Vermutet": "ja" if w.inferred else "",
                    "Quellen": _join(w.sources),
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
    if w.date and w.date_end and w.date_end != w.date:
        return f"{w.date} bis {w.date_end}"
    return w.date or ""


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
    qs = as_query_store(store)
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
