"""What the explorer shows: filtered views of the public graph, the neighbourhood of a
node, the text tables of a view, and the network's members and key figures (members by
the one membership rule, `graph.core.membership`).

Everything here is a pure function of ``store.graph()`` (plus a `GraphIndex` derived from
it once per data version), so both stores give the same views by construction.

Two rules keep views readable at Germany scale, where the Destatis directory adds ~11,000
municipalities tied together by ``IN_STATE`` and ``PART_OF`` only:

* A municipality that takes part in nothing but the administrative structure is shown only
  on request (``ViewFilter.whole_directory``) or as the Kreis of a shown Gemeinde.
* Administrative links are context, not paths: a neighbourhood shows a node's Kreis and
  Land but never expands through them (a Land has up to ~2,000 Gemeinden); downwards it
  lists only the municipalities that take part in the network.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.core.membership import Member, member_networks, memberships
from graph.core.model import ACTOR_LABELS, ADMINISTRATIVE_RELS
from graph.core.nodes import entity_from, node_state
from graph.present import text

#: Node types a view can show, in legend order. Sources are not nodes of the picture:
#: they back facts and appear as links in the details panel.
VIEW_LABELS: tuple[str, ...] = (
    "Municipality",
    "State",
    "Organisation",
    "Network",
    "Project",
    "Workshop",
    "Cooperation",
    "Report",
    "Finding",
    "Topic",
)

#: Types whose nodes are about topics (``ABOUT``); a topic filter keeps them by topic.
TOPICAL_LABELS = frozenset({"Project", "Workshop", "Finding", "Cooperation", "Report"})

#: Year properties of a node: (first year, last year). A missing last year with a known
#: first one means "still running".
YEAR_PROPS: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Project": (("start",), ("end",)),
    "Network": (("start",), ("end",)),
    "Workshop": (("date",), ("date_end", "date")),
    "Report": (("date",), ("date",)),
    "Cooperation": (("since",), ()),
}
OPEN_END = 9999

MAX_DEPTH = 3


@dataclass(frozen=True)
class ViewFilter:
    """What the user chose to see. The default is the whole network without the
    directory's background municipalities.

    * ``labels``: node types to show;
    * ``states``: Land codes; a node is kept if it lies in one of them, or has no Land of
      its own (a topic, a federal ministry) and is tied to something kept;
    * ``topics``: Topic node ids; keeps what is about them, the topics, and the actors and
      networks tied to those;
    * ``years``: (first, last) year; keeps dated nodes whose period overlaps it, and all
      undated ones;
    * ``members_only``: actors only if they are members of a network, and what is tied to
      such members (or to no actor at all);
    * ``whole_directory``: add every municipality of the directory as background (within
      the chosen Länder).
    """

    labels: frozenset[str] = frozenset(VIEW_LABELS)
    states: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    years: tuple[int, int] | None = None
    members_only: bool = False
    whole_directory: bool = False


@dataclass(frozen=True)
class GraphIndex:
    """Facts about every node that filters need, computed once per graph (one pass over
    nodes, one over relationships)."""

    participants: frozenset[str]
    """Nodes with at least one non-administrative relationship: the network proper."""
    members: Mapping[str, tuple[str, ...]]
    """Actor id → ids of the networks it is a member of (`graph.core.membership`)."""
    states: Mapping[str, frozenset[str]]
    """Node id → Land codes it lies in or works in (empty: überregional)."""
    years: Mapping[str, tuple[int, int]]
    """Node id → (first, last) year for dated nodes."""
    topics: Mapping[str, frozenset[str]]
    """Node id → Topic ids it is about."""
    neighbours: Mapping[str, frozenset[str]]
    """Node id → ends of its non-administrative relationships (both directions)."""
    year_range: tuple[int, int] | None = None
    directory_only: int = 0
    """How many municipalities take part in nothing (the directory's background)."""


def index(g: nx.MultiDiGraph) -> GraphIndex:
    """The `GraphIndex` of ``g``."""
    neighbours: dict[str, set[str]] = defaultdict(set)
    topics: dict[str, set[str]] = defaultdict(set)
    types = dict(g.nodes(data="type"))
    for a, b, rtype in g.edges(keys=True):
        if rtype in ADMINISTRATIVE_RELS:
            continue
        neighbours[a].add(b)
        neighbours[b].add(a)
        if rtype == "ABOUT":
            topics[a].add(b)

    states: dict[str, frozenset[str]] = {}
    years: dict[str, tuple[int, int]] = {}
    for nid, attrs in g.nodes(data=True):
        own = node_state(attrs)
        if own is not None:
            states[nid] = frozenset({own})
        span = _years(attrs)
        if span is not None:
            years[nid] = span
    # nodes without a Land of their own work where their actors are
    for nid, label in types.items():
        if nid in states or label in ("Topic", "Network"):
            continue
        found = {
            code
            for other in neighbours.get(nid, ())
            if types[other] in ACTOR_LABELS
            for code in states.get(other, ())
        }
        states[nid] = frozenset(found)
    participants = frozenset(neighbours)
    first = [a for a, _ in years.values()]
    last = [b for _, b in years.values() if b != OPEN_END] + first
    directory_only = sum(
        1 for nid, label in types.items() if label == "Municipality" and nid not in participants
    )
    return GraphIndex(
        participants=participants,
        members=member_networks(g),
        states=states,
        years=years,
        topics={k: frozenset(v) for k, v in topics.items()},
        neighbours={k: frozenset(v) for k, v in neighbours.items()},
        year_range=(min(first), max(last)) if first else None,
        directory_only=directory_only,
    )


def _years(attrs: Mapping[str, Any]) -> tuple[int, int] | None:
    props = YEAR_PROPS.get(str(attrs.get("type")))
    if props is None:
        return None
    starts, ends = props
    first = next((y for p in starts if (y := text.year_of(attrs.get(p))) is not None), None)
    last = next((y for p in ends if (y := text.year_of(attrs.get(p))) is not None), None)
    if first is None and last is None:
        return None
    return (first if first is not None else last or 0, last if last is not None else OPEN_END)


# -- filters --------------------------------------------------------------------------


def select(g: nx.MultiDiGraph, idx: GraphIndex, f: ViewFilter) -> set[str]:
    """Ids of the nodes a filter keeps (see `ViewFilter`), plus the Kreise and Länder of
    the kept municipalities as context."""
    types = g.nodes(data="type")
    kept: set[str] = set()
    floating: set[str] = set()  # no Land of their own: kept only if tied to a kept node
    for nid in idx.participants:
        label = types[nid]
        if label not in f.labels or label == "State":
            continue
        if f.years and nid in idx.years:
            first, last = idx.years[nid]
            if first > f.years[1] or last < f.years[0]:
                continue
        if f.members_only and label in ACTOR_LABELS and nid not in idx.members:
            continue
        if f.states:
            where = idx.states.get(nid, frozenset())
            if not where:
                floating.add(nid)
                continue
            if not where & f.states:
                continue
        kept.add(nid)
    if f.members_only:
        kept = {n for n in kept if _tied_to_member(n, types, idx)}
    if f.topics:
        kept = _about(kept | floating, types, idx, f.topics) & (kept | floating)
    elif floating:
        kept |= {n for n in floating if idx.neighbours.get(n, frozenset()) & kept}
    if f.whole_directory and "Municipality" in f.labels:
        kept.update(
            nid
            for nid, label in types
            if label == "Municipality"
            and nid not in idx.participants
            and (not f.states or idx.states.get(nid, frozenset()) & f.states)
        )
    return kept | _administrative_context(g, kept, f.labels)


def _tied_to_member(nid: str, types: Any, idx: GraphIndex) -> bool:
    if types[nid] in ACTOR_LABELS:
        return True
    actors = [n for n in idx.neighbours.get(nid, ()) if types[n] in ACTOR_LABELS]
    return not actors or any(a in idx.members for a in actors)


def _about(
    candidates: set[str], types: Any, idx: GraphIndex, topic_ids: frozenset[str]
) -> set[str]:
    """What a topic filter keeps: the chosen topics, the items about them, and the actors
    and networks tied to those items (not other items, not other topics)."""
    core = {
        n
        for n in candidates
        if n in topic_ids or (types[n] in TOPICAL_LABELS and idx.topics.get(n, set()) & topic_ids)
    }
    context = {
        m
        for n in core
        for m in idx.neighbours.get(n, ())
        if types[m] not in TOPICAL_LABELS and types[m] != "Topic"
    }
    return core | context


def _administrative_context(g: nx.MultiDiGraph, kept: set[str], labels: Iterable[str]) -> set[str]:
    """The Kreise (``PART_OF``) and Länder (``IN_STATE``) of kept municipalities."""
    wanted = {
        rtype
        for rtype, label in (("PART_OF", "Municipality"), ("IN_STATE", "State"))
        if label in labels
    }
    if not wanted:
        return set()
    return {
        b
        for a in kept
        if g.nodes[a]["type"] == "Municipality"
        for _, b, rtype in g.out_edges(a, keys=True)
        if rtype in wanted
    }


# -- neighbourhood --------------------------------------------------------------------


def neighbourhood(
    g: nx.MultiDiGraph,
    idx: GraphIndex,
    focus: str,
    depth: int = 1,
    allowed: set[str] | None = None,
) -> set[str]:
    """``focus`` and the nodes at most ``depth`` relationships away (either direction).

    Only nodes in ``allowed`` are entered (a filter's selection), except the Kreis and
    Land of a reached municipality, which are always shown. Those administrative nodes are
    ends, never passed through; from a Kreis or Land in the middle of a walk nothing is
    reached downwards, and from the focus only the municipalities that take part in the
    network — the others are counted in the details panel instead.
    """
    if focus not in g:
        return set()
    depth = max(1, min(MAX_DEPTH, depth))
    seen = {focus}
    frontier = [focus]
    for _ in range(depth):
        nxt: list[str] = []
        for n in frontier:
            for other, rtype, upward in _adjacent(g, n):
                if other in seen:
                    continue
                if rtype in ADMINISTRATIVE_RELS:
                    if upward:
                        seen.add(other)  # shown, but a Land/Kreis is never walked through
                        continue
                    if other not in idx.participants:
                        continue
                if allowed is not None and other not in allowed:
                    continue
                seen.add(other)
                nxt.append(other)
        frontier = nxt
    return seen


def _adjacent(g: nx.MultiDiGraph, n: str) -> Iterator[tuple[str, str, bool]]:
    """(other end, relationship type, ``n`` is the start) of every relationship of ``n``."""
    for _, b, rtype in g.out_edges(n, keys=True):
        yield b, rtype, True
    for a, _, rtype in g.in_edges(n, keys=True):
        yield a, rtype, False


# -- views ----------------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """What one screen shows: a subgraph of the public graph, maybe around a focus."""

    graph: nx.MultiDiGraph
    focus: str | None = None
    depth: int = 1
    filter: ViewFilter = field(default_factory=ViewFilter)

    @property
    def node_count(self) -> int:
        return int(self.graph.number_of_nodes())

    @property
    def edge_count(self) -> int:
        return count_edges(self.graph)

    def count(self, label: str) -> int:
        """How many nodes of ``label`` the view shows."""
        return count_label(self.graph, label)

    @property
    def types(self) -> set[str]:
        """The node types the view shows (for its legend)."""
        return {str(t) for _, t in self.graph.nodes(data="type")}

    @property
    def title(self) -> str:
        """``Umgebung von Düren (Tiefe 2)`` or ``Gesamtes Netzwerk``."""
        if self.focus is None or self.focus not in self.graph:
            return "Gesamtes Netzwerk" if self.filter == ViewFilter() else "Netzwerk (gefiltert)"
        name = self.graph.nodes[self.focus].get("name", self.focus)
        return f"Umgebung von {name} (Tiefe {self.depth})"


def build_view(
    g: nx.MultiDiGraph,
    idx: GraphIndex,
    f: ViewFilter | None = None,
    focus: str | None = None,
    depth: int = 1,
) -> View:
    """The view a user asked for: the filter's selection, or — with a ``focus`` — the
    focus's neighbourhood within that selection (the focus itself always shown)."""
    f = f or ViewFilter()
    allowed = select(g, idx, f)
    if focus is not None and focus in g:
        ids = neighbourhood(g, idx, focus, depth, allowed | {focus})
    else:
        focus = None
        ids = allowed
    return View(subgraph(g, ids), focus, depth, f)


def subgraph(g: nx.MultiDiGraph, ids: Iterable[str]) -> nx.MultiDiGraph:
    """The frozen subgraph of ``g`` on ``ids``, sharing ``g``'s attribute dicts.

    networkx's ``g.subgraph(ids)`` is a lazy view that filters on every access (about ten
    times slower to walk: 0.3 s per pass for the whole directory), and ``.copy()`` copies
    every attribute dict (0.2–0.3 s). The store's graph is frozen and never changed in
    place, so sharing its dicts is safe and takes a few milliseconds.
    """
    keep = set(ids)
    sub = nx.MultiDiGraph()
    node, succ, pred = sub._node, sub._succ, sub._pred
    for n in keep:
        if n in g._node:
            node[n] = g._node[n]
            succ[n] = {}
            pred[n] = {}
    for u in node:
        su = succ[u]
        for v, keydict in g._succ[u].items():
            if v in node:
                su[v] = keydict  # all relationships between u and v, as g holds them
                pred[v][u] = keydict
    return nx.freeze(sub)


def background(view: nx.MultiDiGraph, idx: GraphIndex | None = None) -> set[str]:
    """The municipalities of a view that take part in nothing (by ``idx``, else by the
    view's own relationships): drawn small, unlabelled until zoomed in, without their
    administrative links. A Kreis that a shown participant belongs to is not background:
    it is the context that participant is shown with."""
    if idx is not None:
        joined: set[str] | frozenset[str] = idx.participants
    else:
        joined = {
            n
            for a, nbrs in view._succ.items()
            for b, keydict in nbrs.items()
            if any(k not in ADMINISTRATIVE_RELS for k in keydict)
            for n in (a, b)
        }
    pred = view._pred  # the plain dicts: this runs for 11,000 nodes per view
    return {
        nid
        for nid, label in view.nodes(data="type")
        if label == "Municipality"
        and nid not in joined
        and not any("PART_OF" in kd and a in joined for a, kd in pred[nid].items())
    }


def describe(g: nx.MultiDiGraph, nid: str) -> str:
    """``Düren (Stadt, Nordrhein-Westfalen, AGS 05358008)``: a node told apart from its
    namesakes, as search results show it."""
    return entity_from(nid, g.nodes[nid]).describe()


def is_empty(g: nx.MultiDiGraph) -> bool:
    """Whether ``g`` has nothing a view could show (sources alone do not count)."""
    return not any(t in VIEW_LABELS for _, t in g.nodes(data="type"))


def has(g: nx.MultiDiGraph, nid: object) -> bool:
    """Whether ``nid`` (say, from an address or the session) names a node of ``g``."""
    return isinstance(nid, str) and nid in g


def count_edges(g: nx.MultiDiGraph) -> int:
    """``g.number_of_edges()`` without walking the degree view (20–60 ms at 10,000 nodes)."""
    return sum(len(kd) for nbrs in g._succ.values() for kd in nbrs.values())


def count_label(g: nx.MultiDiGraph, label: str) -> int:
    """How many nodes of ``label`` ``g`` has."""
    return sum(1 for _, t in g.nodes(data="type") if t == label)


def sorted_nodes(g: nx.MultiDiGraph) -> list[str]:
    """Node ids in reading order: by type (legend order), then by name."""
    return sorted(
        g.nodes,
        key=lambda n: (
            _type_rank(str(g.nodes[n].get("type"))),
            str(g.nodes[n].get("name", n)).lower(),
        ),
    )


# -- text equivalents -----------------------------------------------------------------


def _type_rank(label: str) -> int:
    return VIEW_LABELS.index(label) if label in VIEW_LABELS else len(VIEW_LABELS)


def node_rows(view: nx.MultiDiGraph) -> list[dict[str, str]]:
    """One row per shown node, in German: Name, Typ, Art, Land, Kennung, Hinweis (the
    text equivalent of the picture, BITV 2.0 / WCAG 1.1.1)."""
    rows = []
    for nid, attrs in view.nodes(data=True):
        label = str(attrs.get("type"))
        rows.append(
            (
                _type_rank(label),
                str(attrs.get("name", "")).lower(),
                {
                    "Name": str(attrs.get("name", "")),
                    "Typ": text.type_name(label),
                    "Art": text.kind_of(attrs),
                    "Land": text.state_name(node_state(attrs)) or "",
                    "Kennung": str(attrs.get("key", nid)),
                    "Hinweis": ", ".join(text.flags(attrs)),
                },
            )
        )
    rows.sort(key=lambda r: (r[0], r[1]))
    return [r[2] for r in rows]


def relation_rows(view: nx.MultiDiGraph) -> list[dict[str, str]]:
    """One row per shown relationship: Von, Beziehung, Nach, Angaben, Hinweis."""
    names = dict(view.nodes(data="name"))
    rows = [
        {
            "Von": str(names.get(a, a)),
            "Beziehung": text.relation_name(rtype),
            "Nach": str(names.get(b, b)),
            "Angaben": text.edge_details(attrs),
            "Hinweis": ", ".join(text.flags(attrs)),
        }
        for a, b, rtype, attrs in view.edges(keys=True, data=True)
    ]
    rows.sort(key=lambda r: (r["Von"].lower(), r["Beziehung"], r["Nach"].lower()))
    return rows


# -- the network's members ------------------------------------------------------------


def members(g: nx.MultiDiGraph) -> list[Member]:
    """Every membership in a network (`graph.core.membership`), by network (oldest first),
    then the actor's name (as the start page lists them)."""
    found = memberships(g)
    starts = {m.network.id: str(g.nodes[m.network.id].get("start", "")) for m in found}
    return sorted(found, key=lambda m: (starts[m.network.id], m.network.name, m.actor.name.lower()))


def member_name(m: Member) -> str:
    """A member's name as lists show it: ``Ibbenbüren (über Bewerbergemeinschaft
    Ibbenbüren)`` for a membership through an organisation."""
    return f"{m.actor.name} (über {m.via.name})" if m.via else m.actor.name


def member_facts(m: Member) -> list[str]:
    """What a list says about a member besides its name: kind, Land, role, since when."""
    facts = [text.entity_kind(m.actor), m.actor.state]
    if m.via:
        facts.append(f"über {m.via.name}")
    facts += [m.role or "", text.format_date(m.since) if m.since else ""]
    return [f for f in facts if f]


def networks(g: nx.MultiDiGraph) -> list[tuple[str, Mapping[str, Any]]]:
    """The networks (the pilot programme, the open network, follow-ups), oldest first."""
    found = [(nid, attrs) for nid, attrs in g.nodes(data=True) if attrs.get("type") == "Network"]
    return sorted(found, key=lambda na: (str(na[1].get("start", "")), str(na[1].get("name"))))


@dataclass(frozen=True)
class KeyFigures:
    """What the start page shows first."""

    members: int
    """Distinct actors that are members of at least one network."""
    member_states: int
    """Länder the members lie in."""
    networks: int
    counts: dict[str, int]
    """Nodes per label among the network's participants (directory background left out)."""


def key_figures(g: nx.MultiDiGraph, idx: GraphIndex) -> KeyFigures:
    """Counts a coordinator quotes: members, Länder, networks, projects, workshops…"""
    counts: dict[str, int] = defaultdict(int)
    for nid, label in g.nodes(data="type"):
        if label == "Municipality" and nid not in idx.participants:
            continue
        counts[label] += 1
    member_states = {code for actor in idx.members for code in idx.states.get(actor, frozenset())}
    return KeyFigures(
        members=len(idx.members),
        member_states=len(member_states),
        networks=counts.get("Network", 0),
        counts=dict(counts),
    )


def filter_choices(g: nx.MultiDiGraph, idx: GraphIndex) -> dict[str, list[tuple[str, str]]]:
    """The values a filter offers, as (value, German text), sorted for a menu: ``states``
    (Länder that have nodes), ``topics`` (by facet, then name)."""
    codes = {code for where in idx.states.values() for code in where}
    states = sorted(((c, text.state_name(c) or c) for c in codes), key=lambda s: s[1])
    topics = sorted(
        (
            (nid, str(attrs.get("name", nid)), str(attrs.get("facet", "")))
            for nid, attrs in g.nodes(data=True)
            if attrs.get("type") == "Topic"
        ),
        key=lambda t: (t[2], t[1].lower()),
    )
    return {
        "states": states,
        "topics": [(nid, f"{name} ({facet})" if facet else name) for nid, name, facet in topics],
    }
