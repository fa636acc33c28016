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
from dataclasses import dataclass, field, replace
from typing import Any

import networkx as nx

from graph.core.membership import Member, member_networks, memberships
from graph.core.model import ACTOR_LABELS, ADMINISTRATIVE_RELS
from graph.core.nodes import entity_from, node_state
from graph.core.programmes import participations, programme_scope
from graph.core.validity import change_marks, changes, timeline, today
from graph.present import text

#: Node types a view can show, in legend order. Sources are not nodes of the picture:
#: they back facts and appear as links in the details panel.
VIEW_LABELS: tuple[str, ...] = (
    "Municipality",
    "Gemeindeverband",
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
      the chosen Länder);
    * ``programmes``: Network ids; keeps what belongs to those programmes
      (`graph.core.programmes.programme_scope`) and the topics of what is kept;
    * ``staffeln``: (Network id, Staffel) pairs; for those programmes only the members and
      model projects of those Staffeln.
    """

    labels: frozenset[str] = frozenset(VIEW_LABELS)
    states: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    years: tuple[int, int] | None = None
    members_only: bool = False
    whole_directory: bool = False
    programmes: frozenset[str] = frozenset()
    staffeln: frozenset[tuple[str, int]] = frozenset()

    @property
    def narrows(self) -> bool:
        """Whether the filter leaves something out (adding the directory does not)."""
        return replace(self, whole_directory=False) != ViewFilter()

    def lines(self, g: nx.MultiDiGraph) -> list[str]:
        """The active filter in German, one line per choice (empty: nothing chosen), so
        that a view never hides what it leaves out."""
        out = []
        if self.labels != frozenset(VIEW_LABELS):
            chosen = [text.type_name(la, plural=True) for la in VIEW_LABELS if la in self.labels]
            out.append("Knotentypen: " + (", ".join(chosen) or "keine"))
        if self.states:
            out.append(
                "Bundesland: " + ", ".join(sorted(text.state_name(c) or c for c in self.states))
            )
        if self.topics:
            names = sorted(str(g.nodes[t].get("name", t)) for t in self.topics if t in g)
            out.append("Thema: " + ", ".join(names))
        if self.programmes:
            names = sorted(str(g.nodes[n].get("name", n)) for n in self.programmes if n in g)
            out.append("Programm: " + ", ".join(names))
        if self.staffeln:
            chosen = sorted(
                f"{g.nodes[n].get('name', n) if n in g else n} – Staffel {s}"
                for n, s in self.staffeln
            )
            out.append("Staffel: " + ", ".join(chosen))
        if self.years:
            out.append(f"Zeitraum: {self.years[0]}–{self.years[1]}")
        if self.members_only:
            out.append("nur Mitglieder von Netzwerken")
        if self.whole_directory:
            out.append("dazu alle Kommunen des Gemeindeverzeichnisses")
        return out


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
    if f.programmes or f.staffeln:
        scope = _programme_scope(g, f)
        kept = {
            n
            for n in kept
            if n in scope or (types[n] == "Topic" and idx.neighbours.get(n, frozenset()) & scope)
        }
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


def _programme_scope(g: nx.MultiDiGraph, f: ViewFilter) -> set[str]:
    """What the programme and Staffel filters keep: a programme with chosen Staffeln is
    limited to them, a programme without to none."""
    by_net: dict[str, set[int]] = defaultdict(set)
    for net, staffel in f.staffeln:
        by_net[net].add(staffel)
    scope: set[str] = set()
    for net in f.programmes | set(by_net):
        scope |= programme_scope(g, [net], by_net.get(net, ()))
    return scope


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
    selected: int | None = None
    """How many nodes the filter (and focus) selected, when the view shows only the most
    important of them (`trim`); None when it shows all."""

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
        """What the view shows, in a heading: ``Umgebung von Düren (Tiefe 2)``,
        ``Umgebung von Düren (Tiefe 1, gefiltert)``, ``Gesamtes Netzwerk``, ``Netzwerk
        (gefiltert)``, ``Gesamtes Netzwerk mit allen Kommunen des
        Gemeindeverzeichnisses``."""
        narrowed = self.filter.narrows
        if self.focus is None or self.focus not in self.graph:
            title = "Netzwerk (gefiltert)" if narrowed else "Gesamtes Netzwerk"
            if self.filter.whole_directory:
                title += " mit allen Kommunen des Gemeindeverzeichnisses"
            return title
        name = self.graph.nodes[self.focus].get("name", self.focus)
        return f"Umgebung von {name} (Tiefe {self.depth}{', gefiltert' if narrowed else ''})"


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


#: A picture shows at most this many nodes besides the directory's background dots: at
#: Germany scale the whole network has some 60,000, which no person reads in one picture
#: and no browser draws in a second.
MAX_SHOWN = 1500

#: Which nodes a crowded picture keeps first (and labels first): who takes part and what
#: ties them together.
TYPE_IMPORTANCE: Mapping[str, int] = {
    "Network": 6,
    "State": 5,
    "Municipality": 4,
    "Organisation": 4,
    "Gemeindeverband": 3,
    "Topic": 3,
    "Cooperation": 2,
    "Project": 1,
    "Workshop": 1,
    "Report": 0,
    "Finding": 0,
}


def importance(g: nx.MultiDiGraph, nid: str, focus: str | None = None) -> int:
    """The rank of ``nid`` in ``g``: the focus first, then its direct neighbours, then by
    type (`TYPE_IMPORTANCE`) and by how many nodes it is tied to."""
    if nid == focus:
        return 10_000_000
    degree = min(len(g._succ[nid]) + len(g._pred[nid]), 999)
    near = focus is not None and (nid in g._succ[focus] or nid in g._pred[focus])
    rank = 1000 * (1 + TYPE_IMPORTANCE.get(str(g._node[nid].get("type")), 0)) + degree
    return rank + (100_000 if near else 0)


def trim(view: View, background: set[str], limit: int = MAX_SHOWN) -> View:
    """``view`` itself when it has at most ``limit`` nodes besides ``background``; else a
    view of its ``limit`` most important ones (`importance`) and the background, which
    records how many were selected (``View.selected``)."""
    g = view.graph
    wanted = [n for n in g._node if n not in background]
    if len(wanted) <= limit:
        return view
    # ties broken by id: the order of ``g``'s nodes may differ between processes (a
    # filter's sets), and the cut must not (the same view showed 4,868 relationships in
    # one server and 4,907 in the next)
    ranked = sorted(wanted, key=lambda n: (-importance(g, n, view.focus), n))
    kept = set(ranked[:limit]) | (background & g._node.keys())
    return View(subgraph(g, kept), view.focus, view.depth, view.filter, len(wanted))


def subgraph(g: nx.MultiDiGraph, ids: Iterable[str]) -> nx.MultiDiGraph:
    """The frozen subgraph of ``g`` on ``ids``, sharing ``g``'s attribute dicts.

    networkx's ``g.subgraph(ids)`` is a lazy view that filters on every access (about ten
    times slower to walk: 0.3 s per pass for the whole directory), and ``.copy()`` copies
    every attribute dict (0.2–0.3 s). The store's graph is frozen and never changed in
    place, so sharing its dicts is safe and takes a few milliseconds. The nodes keep
    ``g``'s order.
    """
    keep = set(ids)
    sub = nx.MultiDiGraph()
    node, succ, pred = sub._node, sub._succ, sub._pred
    # in ``g``'s order, never the set's: a set of strings iterates in an order that changes
    # with every process (hash randomisation), and the order of the nodes is the order in
    # which the picture draws them on top of each other — what a click hits
    for n in g._node:
        if n in keep:
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
        # a pair takes part unless all its relationships are administrative: one C-level
        # subset test per pair (a generator per pair cost 60 ms at 10,000 nodes)
        admin = ADMINISTRATIVE_RELS.issuperset
        joined = set()
        for a, nbrs in view._succ.items():
            for b, keydict in nbrs.items():
                if not admin(keydict):
                    joined.add(a)
                    joined.add(b)
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


@dataclass(frozen=True)
class ProgrammeFigures:
    """A programme's model projects as the Start page shows them."""

    network_id: str
    name: str
    period: str
    participants: int
    by_staffel: tuple[tuple[int, int], ...]
    koerperschaften: int

    @property
    def staffel_text(self) -> str:
        """``13 / 32 / 28 in den Staffeln 2019, 2020, 2021`` or empty."""
        if not self.by_staffel:
            return ""
        counts = " / ".join(str(n) for _, n in self.by_staffel)
        years = ", ".join(str(s) for s, _ in self.by_staffel)
        return f"{counts} in den Staffeln {years}"


def programme_figures(g: nx.MultiDiGraph) -> list[ProgrammeFigures]:
    """Per programme with participations (`graph.core.programmes`): how many model
    projects, per Staffel, and how many Körperschaften take part; by name."""
    by_net: dict[str, list[Any]] = defaultdict(list)
    for p in participations(g):
        by_net[p.network.id].append(p)
    out = []
    for nid, items in by_net.items():
        attrs = g.nodes[nid]
        staffeln: dict[int, int] = defaultdict(int)
        for p in items:
            if p.staffel is not None:
                staffeln[p.staffel] += 1
        out.append(
            ProgrammeFigures(
                nid,
                str(attrs.get("name", nid)),
                text.format_period(attrs.get("start"), attrs.get("end")) or "",
                len(items),
                tuple(sorted(staffeln.items())),
                len({b.id for p in items for b in p.bodies}),
            )
        )
    return sorted(out, key=lambda f: f.name.lower())


def change_rows(g: nx.MultiDiGraph, first: str, second: str) -> list[dict[str, str]]:
    """What changed from ``first`` to ``second`` (`graph.core.validity.changes`) as table
    rows: Änderung (neu/beendet), Art, Eintrag, and for a relationship the other end."""

    def name(nid: str | None) -> str:
        return str(g.nodes[nid].get("name") or g.nodes[nid].get("title") or nid) if nid else ""

    return [
        {
            "Änderung": c.kind,
            "Art": text.relation_name(c.what) if c.end else text.type_name(c.what),
            "Eintrag": name(c.start),
            "mit": name(c.end),
        }
        for c in changes(g, first, second)
    ]


def changed_nodes(g: nx.MultiDiGraph, first: str, second: str) -> dict[str, str]:
    """The nodes that changed from ``first`` to ``second``, for marking them in a view:
    node id → ``neu``, ``beendet`` or ``neu und beendet`` (`graph.core.validity`)."""
    return change_marks(changes(g, first, second))


def timeline_rows(g: nx.MultiDiGraph) -> list[dict[str, int]]:
    """Members and model projects per year (`graph.core.validity.timeline`), from the
    first year with either to the current one."""
    first = min(
        (
            y
            for _, d in g.nodes(data=True)
            if d.get("type") in ("Network", "Project", "Cooperation")
            and (y := text.year_of(d.get("start") or d.get("since"))) is not None
        ),
        default=today().year,
    )
    return timeline(g, range(first, today().year + 1))


def filter_choices(g: nx.MultiDiGraph, idx: GraphIndex) -> dict[str, list[tuple[str, str]]]:
    """The values a filter offers, as (value, German text), sorted for a menu: ``states``
    (Länder that have nodes), ``topics`` (by facet, then name), ``programmes`` (the
    networks) and ``staffeln`` (`staffel_choices`)."""
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
        "programmes": sorted(
            (
                (nid, str(attrs.get("name", nid)))
                for nid, attrs in g.nodes(data=True)
                if attrs.get("type") == "Network"
            ),
            key=lambda p: p[1].lower(),
        ),
        "staffeln": staffel_choices(g),
    }


def staffel_value(network_id: str, staffel: int) -> str:
    """A Staffel as a filter value: ``Network:net-mpsc|2019`` (see `parse_staffel`)."""
    return f"{network_id}|{staffel}"


def parse_staffel(value: str) -> tuple[str, int]:
    """Inverse of `staffel_value`."""
    net, _, staffel = value.rpartition("|")
    return net, int(staffel)


def staffel_choices(g: nx.MultiDiGraph) -> list[tuple[str, str]]:
    """The Staffeln of each network (on its ``MEMBER_OF`` or ``IN_PROGRAMME``
    relationships), as (`staffel_value`, ``Modellprojekte Smart Cities – Staffel 2019``)."""
    found: set[tuple[str, str, int]] = set()
    for _a, b, rtype, d in g.edges(keys=True, data=True):
        staffel = d.get("staffel")
        network = g.nodes[b].get("type") == "Network"
        if network and rtype in ("MEMBER_OF", "IN_PROGRAMME") and isinstance(staffel, int):
            found.add((str(g.nodes[b].get("name", b)), b, staffel))
    return [
        (staffel_value(net, staffel), f"{name} – Staffel {staffel}")
        for name, net, staffel in sorted(found)
    ]
