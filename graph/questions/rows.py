"""The raw rows a store answers for the guided questions, and the interface it answers
them through (`QuestionReads`).

Each question (`graph.questions.topic`, `.partners`, `.paths`, ...) asks the store for
*raw rows* — a graph traversal, written once in Cypher (`graph.stores.neo4j.questions`)
and once over networkx (`graph.stores.sqlite.questions`) — and then shapes, sorts and words
the answer itself, once. That split is what makes the answers identical on Neo4j and on
the embedded store: the stores only find facts; every rule a person reads (which tie counts
as what, the order of the rows, the German sentences) lives in the questions.

What the questions mean (the same definitions everywhere):

* An actor (`Municipality` or `Organisation`) **works on** a topic when it runs a project
  about it, is a partner of such a project, or is party to a cooperation about it.
* Two actors are **partners** when one is a member or partner of the other (direct), when
  both are members of the same organisation (a Bewerbergemeinschaft, a Zweckverband),
  party to the same cooperation, in the same project, or at the same workshop; working on
  the same topic makes them partners of the weakest kind. Network membership alone does
  not: a network with thousands of members would make everyone everyone's partner.
* A **member** is what `graph.core.membership` says: ``MEMBER_OF`` a `Network`, directly
  or through an organisation that is a member.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from graph.core.errors import KommunetzError
from graph.core.membership import Member
from graph.core.nodes import Entity
from graph.core.programmes import Participation as ProgrammeItem
from graph.core.store import GraphStore


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


class QuestionReads(Protocol):
    """The raw reads behind the guided questions, a store's part of them
    (``store.question_reads()``). `Neo4jStore` answers them in Cypher
    (`graph.stores.neo4j.questions.CypherQuestions`), `EmbeddedStore` over its cached
    networkx graph (`graph.stores.sqlite.questions.NxQuestions`);
    `tests/contract/test_queries.py` holds both to the same answers. Order of the returned
    lists does not matter unless stated; the questions sort."""

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
        """Ids of every actor that is a member of a network (`graph.core.membership`)."""
        ...

    def q_participations(self, when: str | None = None) -> list[ProgrammeItem]:
        """Every programme participation (`graph.core.programmes`), in its order; with
        ``when`` (a date or a year) those of the network as of then
        (`graph.core.validity.as_of`). Raises `QueryError` for a ``when`` that is no date."""
        ...

    def q_memberships(self, actor_ids: Sequence[str]) -> list[Member]:
        """The network memberships of the given actors (`graph.core.membership`)."""
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


@runtime_checkable
class HasQuestionReads(Protocol):
    """A store that can answer the guided questions (both stores can)."""

    def question_reads(self) -> QuestionReads: ...


def question_reads(store: GraphStore) -> QuestionReads:
    """The raw reads of ``store``, or a clear error for a store that cannot answer."""
    if not isinstance(store, HasQuestionReads):
        raise KommunetzError(f"Die Datenbank ({store.kind}) unterstützt keine Abfragen.")
    return store.question_reads()
