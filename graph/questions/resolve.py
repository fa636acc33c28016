"""Finding what the user means: a municipality, an organisation or a topic by name, AGS or
id — exactly one, or a German message that lists the candidates."""

from __future__ import annotations

from collections.abc import Iterable

from graph.core.errors import NotFound, QueryError
from graph.core.model import NODE_TYPES
from graph.core.nodes import Entity
from graph.core.search import resolve
from graph.core.store import GraphStore
from graph.questions.rows import question_reads
from graph.questions.vocabulary import (
    ACTORS,
)


def find_entity(
    store: GraphStore, text: str | Entity, labels: Iterable[str], what: tuple[str, str]
) -> Entity:
    """The one node of ``labels`` that ``text`` (a name, an AGS or an id) means; ``what``
    names the kind for messages (``("ein Thema", "Kein Thema")``).

    Raises `graph.core.errors.NotFound` or `Ambiguous`, whose message lists the
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
    found = question_reads(store).q_by_key(fitting, key) if fitting else []
    return found[0] if len(found) == 1 else None


def find_actor(store: GraphStore, text: str | Entity) -> Entity:
    """A municipality (name or AGS) or an organisation (name or id)."""
    what = ("eine Kommune oder Organisation", "Keine Kommune oder Organisation")
    return find_entity(store, text, ACTORS, what)


def find_topic(store: GraphStore, text: str | Entity) -> Entity:
    """A topic by name (or part of it) or id."""
    return find_entity(store, text, ["Topic"], ("ein Thema", "Kein Thema"))
