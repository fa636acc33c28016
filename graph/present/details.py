"""The details panel of one node: its facts, what it is tied to (projects, workshops,
partners, memberships…), and its sources as links.

A pure function of the public graph (which holds the ``Source`` nodes that ``sources``
ids point to). Everything returned is plain text and checked URLs; the page escapes it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import networkx as nx

from graph.core.model import ADMINISTRATIVE_RELS, SOURCES_PROP, node_id
from graph.core.nodes import node_state
from graph.present import text
from graph.present.explore import VIEW_LABELS, GraphIndex


@dataclass(frozen=True)
class Link:
    """A link a page may render: ``url`` is http(s) only (anything else is dropped)."""

    title: str
    url: str
    note: str = ""


@dataclass(frozen=True)
class Related:
    """A node tied to the one shown, and how."""

    node: str
    name: str
    type_name: str
    relation: str
    """``führt durch``, ``nahm teil an``…, seen from the start of the relationship."""
    outgoing: bool
    """True: the shown node is the start (``Düren führt durch …``)."""
    details: str = ""
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Details:
    node: str
    name: str
    type_name: str
    kind: str
    flags: tuple[str, ...]
    note: str
    facts: list[tuple[str, str]]
    sections: list[tuple[str, list[Related]]]
    websites: list[Link]
    sources: list[Link]
    unknown_sources: list[str] = field(default_factory=list)
    not_in_network: int = 0
    """Municipalities of this Kreis/Land that take part in nothing (not listed)."""


def _plain(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return str(value)


def _population(attrs: Mapping[str, Any]) -> str:
    value = attrs.get("population")
    if value is None:
        return ""
    figure = text.format_int(value)
    date = attrs.get("population_date")
    return f"{figure} (Stand {text.format_date(date)})" if date else figure


def _date(prop: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda a: text.format_date(a[prop]) if a.get(prop) else ""


def _egovg(attrs: Mapping[str, Any]) -> str:
    inferred = attrs.get("egovg_sections_inferred")
    if not inferred:
        return ""
    note = attrs.get("egovg_inferred_note") or "eigene Zuordnung, nicht aus den Quellen"
    return f"{_plain(inferred)} – {text.INFERRED} ({note})"


#: How a key is introduced: an AGS, an ARS (Gemeindeverband), else just the key.
_KEY_NAMES: Mapping[str, str] = {"Municipality": "AGS ", "Gemeindeverband": "ARS "}


#: The facts a panel lists, in order: (property it needs, German label, formatter). A
#: fact appears when its property is set. Formatters return plain text.
FACTS: list[tuple[str, str, Callable[[Mapping[str, Any]], str]]] = [
    ("full_name", "Vollständiger Name", lambda a: str(a["full_name"])),
    ("short_name", "Kurzname", lambda a: str(a["short_name"])),
    ("level", "Ebene", lambda a: str(a["level"])),
    ("key", "Kennung", lambda a: _KEY_NAMES.get(a["type"], "") + a["key"]),
    ("population", "Einwohner", _population),
    ("area_km2", "Fläche", lambda a: f"{float(a['area_km2']):.2f} km²".replace(".", ",")),
    ("seat", "Sitz", lambda a: str(a["seat"])),
    ("member_count", "Mitgliedsgemeinden", lambda a: str(a["member_count"])),
    ("staffel", "Staffel", lambda a: str(a["staffel"])),
    ("category", "Kategorie", lambda a: str(a["category"])),
    ("founded", "Gegründet", _date("founded")),
    ("facet", "Facette", lambda a: str(a["facet"])),
    ("place", "Ort", lambda a: str(a["place"])),
    ("status", "Status", lambda a: str(a["status"])),
    ("phase", "Phase", lambda a: str(a["phase"])),
    ("publisher", "Herausgeber", lambda a: str(a["publisher"])),
    ("pages", "Seiten", lambda a: str(a["pages"])),
    ("egovg_sections", "EGovG-Paragraphen", lambda a: _plain(a["egovg_sections"])),
    ("egovg_sections_inferred", "EGovG-Paragraphen", _egovg),
    ("attendees_note", "Teilnehmende", lambda a: str(a["attendees_note"])),
    ("statement", "Aussage", lambda a: str(a["statement"])),
    ("summary", "Beschreibung", lambda a: str(a["summary"])),
    ("goals", "Ziele", lambda a: _plain(a["goals"])),
]

#: Section headings by (relationship type, the shown node is the start); the rest is
#: grouped by the other node's type.
SECTION_BY_REL: Mapping[tuple[str, bool], str] = {
    ("PARTNER_OF", True): "Partner",
    ("PARTNER_OF", False): "Partner",
    ("MEMBER_OF", True): "Mitglied von",
    ("MEMBER_OF", False): "Mitglieder",
    ("IN_STATE", True): "Verwaltungsgliederung",
    ("PART_OF", True): "Verwaltungsgliederung",
    ("IN_VERBAND", True): "Verwaltungsgliederung",
    ("IN_VERBAND", False): "Kommunen im Netzwerk",
    ("IN_STATE", False): "Kommunen im Netzwerk",
    ("PART_OF", False): "Kommunen im Netzwerk",
    ("IN_PROGRAMME", True): "Programm",
}
SECTION_ORDER = (
    "Verwaltungsgliederung",
    "Mitglied von",
    "Mitglieder",
    "Partner",
    "Programm",
    "Projekte",
    "Veranstaltungen",
    "Kooperationen",
    "Berichte",
    "Erkenntnisse",
    "Themen",
    "Kommunen im Netzwerk",
)


def safe_url(url: object) -> str | None:
    """``url`` if it is an http(s) address with a host, else None: a link in the panel
    must never be ``javascript:`` or ``data:``, whatever was loaded."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def details(g: nx.MultiDiGraph, idx: GraphIndex, nid: str) -> Details | None:
    """The panel for node ``nid`` of the public graph ``g``; None if there is no such node."""
    if nid not in g:
        return None
    attrs = g.nodes[nid]
    facts = []
    for prop, label, fmt in FACTS:
        if attrs.get(prop) in (None, "", []):
            continue
        value = fmt(attrs)
        if value:
            facts.append((label, value))
    state = text.state_name(node_state(attrs))
    if state and attrs.get("type") != "State":
        facts.insert(1, ("Land", state))
    time = text.when(attrs)
    if time is not None:
        facts.insert(2, time)
    if attrs.get("located") is False:
        facts.append(("Dokument", "bekannt, aber nicht aufgefunden"))

    sources, unknown = source_links(g, attrs.get(SOURCES_PROP))
    sections, hidden = _sections(g, idx, nid)
    return Details(
        node=nid,
        name=str(attrs.get("name", nid)),
        type_name=text.type_name(str(attrs.get("type"))),
        kind=text.kind_of(attrs),
        flags=tuple(text.flags(attrs)),
        note=str(attrs.get("note") or ""),
        facts=facts,
        sections=sections,
        websites=_websites(attrs),
        sources=sources,
        unknown_sources=unknown,
        not_in_network=hidden,
    )


def _websites(attrs: Mapping[str, Any]) -> list[Link]:
    """A node's own addresses: ``websites`` (with ``website_titles``), a network's
    ``website``, a report's ``url``."""
    urls = _list(attrs.get("websites"))
    titles = _list(attrs.get("website_titles"))
    pairs = [(u, titles[i] if i < len(titles) else u) for i, u in enumerate(urls)]
    pairs += [(u, "Website") for u in _list(attrs.get("website"))]
    pairs += [(u, "Dokument") for u in _list(attrs.get("url"))]
    return [Link(str(title), url) for raw, title in pairs if (url := safe_url(raw))]


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def source_links(g: nx.MultiDiGraph, ids: Any) -> tuple[list[Link], list[str]]:
    """Source ids resolved to links (title, url, publisher and date as note), in the
    given order; and the ids that name no Source node."""
    links, unknown = [], []
    for sid in _list(ids):
        src = g.nodes.get(node_id("Source", str(sid)))
        if src is None:
            unknown.append(str(sid))
            continue
        url = safe_url(src.get("url"))
        date = text.format_date(src["date"]) if src.get("date") else None
        note = ", ".join(str(v) for v in (src.get("publisher"), date) if v)
        title = str(src.get("title") or sid)
        links.append(Link(title, url or "", note))
    return links, unknown


def _sections(
    g: nx.MultiDiGraph, idx: GraphIndex, nid: str
) -> tuple[list[tuple[str, list[Related]]], int]:
    grouped: dict[str, list[Related]] = {}
    hidden = 0
    for other, rtype, outgoing, eattrs in _relationships(g, nid):
        if rtype in ADMINISTRATIVE_RELS and not outgoing and other not in idx.participants:
            hidden += 1  # the ~2,000 Gemeinden of a Land are counted, not listed
            continue
        oattrs = g.nodes[other]
        label = str(oattrs.get("type"))
        heading = SECTION_BY_REL.get((rtype, outgoing)) or text.type_name(label, plural=True)
        grouped.setdefault(heading, []).append(
            Related(
                node=other,
                name=str(oattrs.get("name", other)),
                type_name=text.kind_of(oattrs),
                relation=text.relation_name(rtype),
                outgoing=outgoing,
                details=text.edge_details(eattrs),
                flags=tuple(text.flags(eattrs)) + tuple(text.flags(oattrs)),
            )
        )
    order = {h: i for i, h in enumerate(SECTION_ORDER)}
    sections = sorted(grouped.items(), key=lambda s: (order.get(s[0], len(order)), s[0]))
    for _, items in sections:
        items.sort(key=lambda r: (_rank(g, r.node), r.name.lower()))
    return sections, hidden


def _rank(g: nx.MultiDiGraph, nid: str) -> int:
    label = g.nodes[nid].get("type")
    return VIEW_LABELS.index(label) if label in VIEW_LABELS else len(VIEW_LABELS)


def _relationships(g: nx.MultiDiGraph, nid: str) -> list[tuple[str, str, bool, dict[str, Any]]]:
    out = [(b, t, True, d) for _, b, t, d in g.out_edges(nid, keys=True, data=True)]
    out += [(a, t, False, d) for a, _, t, d in g.in_edges(nid, keys=True, data=True)]
    return out
