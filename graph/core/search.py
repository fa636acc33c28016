"""Finding nodes by what people type: a name (or part of it), an AGS, an id.

Both stores implement `search` with the same ranking (`rank`); `resolve` turns a typed
text into exactly one node or a German message that lists the candidates ("Neuenkirchen"
exists seven times in Germany).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graph.core.errors import Ambiguous, NotFound
from graph.core.model import NODE_TYPES, STATES, node_id

#: Properties a search looks at, besides the key.
NAME_PROPS = ("name", "title", "short_name", "full_name", "official_name")


@dataclass(frozen=True)
class Hit:
    """One search result, enough to show it and to tell it from its namesakes."""

    label: str
    key: str
    name: str
    kind: str | None = None
    state_code: str | None = None
    rank: int = 2

    @property
    def id(self) -> str:
        return node_id(self.label, self.key)

    def describe(self) -> str:
        """``Neuenkirchen (Gemeinde, Nordrhein-Westfalen, AGS 05566060)``."""
        bits = [self.kind or NODE_TYPES[self.label].singular]
        if self.state_code in STATES:
            bits.append(STATES[self.state_code][0])
        bits.append(f"AGS {self.key}" if self.label == "Municipality" else self.key)
        return f"{self.name} ({', '.join(bits)})"


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
    name = next((props[p] for p in ("name", "title") if isinstance(props.get(p), str)), key)
    state = props.get("state_code") or (key[:2] if label == "Municipality" else None)
    return Hit(label, key, str(name), props.get("kind"), state, r)


def order(hits: Iterable[Hit], limit: int) -> list[Hit]:
    """Best matches first; among equals, short names (the place itself) before long ones."""
    return sorted(hits, key=lambda h: (h.rank, len(h.name), h.name, h.label, h.key))[:limit]


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
