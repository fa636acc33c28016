"""Finding nodes by what people type: a name (or part of it), an AGS, an id.

Both stores search with `find_hits` over a `SearchIndex` of their candidate rows — they only
fetch the rows, the matching and ranking are this module's; `resolve` turns a typed text
into exactly one node or a German message that lists the candidates ("Neuenkirchen" exists
seven times in Germany).

People type places the way they say them, so a query is compared **folded** (`fold`):
case, umlauts (``Muenster`` = ``Münster``, ``ß`` = ``ss``), accents and punctuation
(``Halle/Saale`` = ``Halle (Saale)``) do not matter. A leading (or trailing) kind word —
``Landkreis``, ``Kreis``, ``LK``, ``Stadt``, ``Gemeinde`` — is read as a hint: ``Stadt
Düren`` is the town, ``Kreis Düren`` the district, both named ``Düren`` in the directory.
An AGS may lose its leading zero (``3353`` for ``03353``), and a name may carry one typo
(``Norderstet``) — such hits come last and only when nothing matches better.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from graph.core.errors import Ambiguous, NotFound
from graph.core.nodes import Entity, stored_entity

#: Properties a search looks at, besides the key.
NAME_PROPS: Final[tuple[str, ...]] = ("name", "title", "short_name", "full_name", "official_name")
#: What a store keeps of a node for searching and for showing a hit.
HIT_PROPS: Final[tuple[str, ...]] = (*NAME_PROPS, "kind", "state_code")

#: Ranks: the key or a name equals the query, a name starts with it, contains it, is
#: one typo away from it.
EXACT, PREFIX, CONTAINS, TYPO = 0, 1, 2, 3
#: Names shorter than this are not matched with a typo ("Au" is one letter from "Aue").
TYPO_MIN_LENGTH: Final = 5

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NON_WORD = re.compile(r"[^0-9a-z]+")

#: Kind words people put before (or after) a name, and the kinds (folded) they mean.
_KREIS = frozenset({"landkreis", "kreis", "regionalverband", "staedteregion"})
_STADT = frozenset({"stadt", "kreisfreie stadt", "grosse kreisstadt", "hansestadt"})
KIND_WORDS: Final[dict[str, frozenset[str]]] = {
    "landkreis": _KREIS,
    "lkr": _KREIS,
    "lk": _KREIS,
    "kreis": _KREIS,
    "kreisfreie stadt": _STADT,
    "stadt": _STADT,
    "gemeinde": frozenset({"gemeinde", "markt"}),
}
_KIND_PATTERN = "|".join(sorted((re.escape(w) for w in KIND_WORDS), key=len, reverse=True))
_LEADING_KIND = re.compile(rf"^({_KIND_PATTERN}) (.+)$")
_TRAILING_KIND = re.compile(rf"^(.+) ({_KIND_PATTERN})$")


def fold(text: str) -> str:
    """``text`` as the search compares it: lower case, umlauts as ``ae``/``oe``/``ue``,
    ``ß`` as ``ss``, other accents dropped, any run of punctuation or space as one space."""
    t = text.lower().translate(_UMLAUTS)
    t = "".join(c for c in unicodedata.normalize("NFKD", t) if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", t).strip()


@dataclass(frozen=True)
class Query:
    """A typed text, prepared once: the folded text, the name without a kind word and the
    kinds that word means (empty: no hint), the keys it may mean (an AGS without its
    leading zero)."""

    text: str
    bare: str
    kinds: frozenset[str]
    keys: frozenset[str]

    @classmethod
    def parse(cls, typed: str) -> Query:
        text = fold(typed)
        bare, kinds = text, frozenset[str]()
        m = _LEADING_KIND.match(text)
        if m:
            bare, kinds = m.group(2), KIND_WORDS[m.group(1)]
        elif m := _TRAILING_KIND.match(text):
            bare, kinds = m.group(1), KIND_WORDS[m.group(2)]
        raw = typed.strip().lower()
        keys = {raw}
        digits = raw.replace(" ", "")
        if digits.isdigit():
            keys.add(digits)
            if len(digits) in (4, 7):  # an AGS whose leading zero got lost (Excel does that)
                keys.add("0" + digits)
        return cls(text, bare, kinds, frozenset(keys))


@dataclass(frozen=True)
class Hit(Entity):
    """One search result: an `Entity` with how well it matched (0 best, see `rank`)."""

    rank: int = 2


def name_rank(q: str, names: Sequence[str]) -> int | None:
    """How well the folded query ``q`` matches the folded ``names`` (EXACT, PREFIX,
    CONTAINS), None for no match."""
    best: int | None = None
    for v in names:
        if v == q:
            return EXACT
        if v.startswith(q):
            best = PREFIX
        elif best is None and q in v:
            best = CONTAINS
    return best


def one_edit_apart(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with one letter changed, added, dropped, or two neighbours
    swapped (a typo)."""
    la, lb = len(a), len(b)
    if abs(la - lb) > 1 or a == b:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:
            return True
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    if la > lb:
        return a[i + 1 :] == b[i:]
    return a[i:] == b[i + 1 :]


@dataclass(frozen=True)
class Candidate:
    """A node a search can find, prepared once per data version."""

    label: str
    key: str
    props: Mapping[str, Any]
    names: tuple[str, ...]
    kind: str


class SearchIndex:
    """The candidate rows of a store, folded once (a store keeps it per data version)."""

    def __init__(self, rows: Iterable[tuple[str, str, Mapping[str, Any]]]) -> None:
        self.candidates = [
            Candidate(
                label,
                key,
                props,
                tuple(
                    dict.fromkeys(fold(v) for p in NAME_PROPS if isinstance(v := props.get(p), str))
                ),
                fold(str(props.get("kind") or "")),
            )
            for label, key, props in rows
        ]

    def ranked(self, query: Query) -> list[tuple[Candidate, int]]:
        """Every candidate that matches ``query``, with its rank: the full text as typed,
        or the name without its kind word (behind the hinted kind when it is another);
        one typo only when nothing else matched."""
        out = []
        hinted = bool(query.kinds) and query.bare != query.text
        for c in self.candidates:
            if c.key.lower() in query.keys:
                out.append((c, EXACT))
                continue
            r = name_rank(query.text, c.names) if query.text else None
            if hinted:
                rb = name_rank(query.bare, c.names)
                if rb is not None and c.kind not in query.kinds:
                    rb += 1
                if rb is not None and (r is None or rb < r):
                    r = rb
            if r is not None:
                out.append((c, r))
        if out or len(query.bare) < TYPO_MIN_LENGTH:
            return out
        for c in self.candidates:
            if any(len(v) >= TYPO_MIN_LENGTH and one_edit_apart(query.bare, v) for v in c.names):
                out.append((c, TYPO + (hinted and c.kind not in query.kinds)))
        return out


def rank(query: str, key: str, props: Mapping[str, Any]) -> int | None:
    """The rank of one node for ``query`` (see `SearchIndex.ranked`), None = no match."""
    found = SearchIndex([("", key, props)]).ranked(Query.parse(query))
    return found[0][1] if found else None


def make_hit(label: str, key: str, props: Mapping[str, Any], r: int) -> Hit:
    e = stored_entity(label, key, props)
    return Hit(e.label, e.key, e.name, e.kind, e.state_code, r)


def order(hits: Iterable[Hit], limit: int) -> list[Hit]:
    """Best matches first; among equals, short names (the place itself) before long ones."""
    return sorted(hits, key=lambda h: (h.rank, len(h.name), h.name, h.label, h.key))[:limit]


def find_hits(
    text: str,
    rows: SearchIndex | Iterable[tuple[str, str, Mapping[str, Any]]],
    limit: int,
    labels: Iterable[str] | None = None,
) -> list[Hit]:
    """The search itself, the same for both stores: every candidate (an index, or
    (label, key, props) rows) of ``labels`` (None: all) ranked against ``text``, the best
    ``limit`` of them (see `GraphStore.search`)."""
    if not text.strip():
        return []
    index = rows if isinstance(rows, SearchIndex) else SearchIndex(rows)
    wanted = None if labels is None else frozenset(labels)
    hits = [
        make_hit(c.label, c.key, c.props, r)
        for c, r in index.ranked(Query.parse(text))
        if wanted is None or c.label in wanted
    ]
    return order(hits, limit)


def meant(hits: Sequence[Hit]) -> Hit | None:
    """The one hit the query clearly means, or None: the only hit, or the only exact one
    (``LK Harburg`` is the Landkreis, though ``Harburg (Schwaben)`` is found too)."""
    if len(hits) == 1:
        return hits[0]
    exact = [h for h in hits if h.rank == EXACT]
    return exact[0] if len(exact) == 1 else None


def resolve(hits: list[Hit], query: str, what: str = "Kommune oder Organisation") -> Hit:
    """The one node ``query`` means. ``hits`` come from ``store.search``.

    Raises `NotFound` or `Ambiguous` (with the candidates in the message and attribute).
    """
    if not hits:
        raise NotFound(f"Keine {what} gefunden für „{query}“.")
    one = meant(hits)
    if one is not None:
        return one
    candidates = [h for h in hits if h.rank == EXACT] or hits
    listing = "\n".join(f"  - {h.describe()}" for h in candidates[:10])
    raise Ambiguous(
        f"„{query}“ ist mehrdeutig. Bitte genauer angeben, z. B. mit dem AGS:\n{listing}",
        [(h.label, h.key) for h in candidates],
    )
