"""Finding nodes by what people type: a name (or part of it), an AGS, an id.

Both stores search with `find_hits` — they only fetch the candidate rows, the ranking is
this module's; `resolve` turns a typed text into exactly one node or a German message
that lists the candidates ("Neuenkirchen" exists seven times in Germany).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from graph.core.errors import Ambiguous, NotFound
from graph.core.nodes import Entity, stored_entity

#: Properties a search looks at, besides the key.
NAME_PROPS: Final[tuple[str, ...]] = ("name", "title", "short_name", "full_name", "official_name")
#: What a store keeps of a node for searching and for showing a hit.
HIT_PROPS: Final[tuple[str, ...]] = (*NAME_PROPS, "kind", "state_code")


@dataclass(frozen=True)
class Hit(Entity):
    """One search result: an `Entity` with how well it matched (0 best, see `rank`)."""

    rank: int = 2


def rank(query: str, key: str, props: Mapping[str, Any]) -> int | None:
    """0 = the key or a name equals the query, 1 = a name starts with it, 2 = contains it,
    None = no match. Case-insensitive (``str.lower``, as Cypher's ``toLower``)."""
    q = query.strip().lower()
    if not q:
        return None
    if key.lower() == q:
        return 0
    best: int | None = None
    for prop in NAME_PROPS:
        value = props.get(prop)
        if not isinstance(value, str):
            continue
        v = value.lower()
        if v == q:
            return 0
        if v.startswith(q):
            best = 1
        elif q in v and best is None:
            best = 2
    return best


def make_hit(label: str, key: str, props: Mapping[str, Any], r: int) -> Hit:
    e = stored_entity(label, key, props)
    return Hit(e.label, e.key, e.name, e.kind, e.state_code, r)


def order(hits: Iterable[Hit], limit: int) -> list[Hit]:
    """Best matches first; among equals, short names (the place itself) before long ones."""
    return sorted(hits, key=lambda h: (h.rank, len(h.name), h.name, h.label, h.key))[:limit]


def find_hits(
    text: str, rows: Iterable[tuple[str, str, Mapping[str, Any]]], limit: int
) -> list[Hit]:
    """The search itself, the same for both stores: every (label, key, props) candidate
    ranked against ``text``, the best ``limit`` of them (see `GraphStore.search`)."""
    hits = []
    for label, key, props in rows:
        r = rank(text, key, props)
        if r is not None:
            hits.append(make_hit(label, key, props, r))
    return order(hits, limit)


def resolve(hits: list[Hit], query: str, what: str = "Kommune oder Organisation") -> Hit:
    """The one node ``query`` means. ``hits`` come from ``store.search``.

    Raises `NotFound` or `Ambiguous` (with the candidates in the message and attribute).
    """
    if not hits:
        raise NotFound(f"Keine {what} gefunden für „{query}“.")
    exact = [h for h in hits if h.rank == 0]
    if len(exact) == 1:
        return exact[0]
    candidates = exact or hits
    if len(candidates) == 1:
        return candidates[0]
    listing = "\n".join(f"  - {h.describe()}" for h in candidates[:10])
    raise Ambiguous(
        f"„{query}“ ist mehrdeutig. Bitte genauer angeben, z. B. mit dem AGS:\n{listing}",
        [(h.label, h.key) for h in candidates],
    )
