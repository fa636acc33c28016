"""Where each node sits in the network view: a map of Germany with everything else beside
what it belongs to.

Force layouts are no option at Germany scale (pyvis defaults need ~41 s to first draw 500
nodes in Chromium, networkx ``spring_layout`` ~230 s for 10,000 nodes), and a geographic
picture is what people expect of a municipal network anyway. So:

* Gemeinden are placed by their coordinates (every Gemeinde of the Destatis directory has
  them), Kreise without coordinates at the mean of their Gemeinden, Länder at fixed centres;
* projects, workshops, reports, cooperations and findings sit on a small spiral around
  the actor they belong to (who runs, hosts, authors, takes part, or what they concern);
* things that belong to no place (topics, networks, federal organisations) stand in
  columns beside the map, so that they do not pile up in the middle of Germany.

Positions are computed on the whole graph, so a node keeps its place in every view.
Everything is a plain function of the graph; nothing is random.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping

import networkx as nx

from graph.core.nodes import node_state

Point = tuple[float, float]

#: Canvas units per degree of latitude. Chosen with the node sizes of `graph.present.view` so that
#: at the zoom that fits Germany (about 770 units tall) a network member is still a
#: visible dot, while 11,000 Gemeinden do not cover each other completely.
SCALE = 100.0
LAT0, LON0 = 51.1634, 10.4477  # the geographic centre of Germany
_COS_LAT0 = math.cos(math.radians(LAT0))

#: Approximate geographic centres of the Länder (WGS84), by Land code.
STATE_CENTRES: Mapping[str, tuple[float, float]] = {
    "01": (54.19, 9.82),
    "02": (53.55, 10.00),
    "03": (52.76, 9.39),
    "04": (53.08, 8.81),
    "05": (51.48, 7.55),
    "06": (50.61, 9.03),
    "07": (49.91, 7.45),
    "08": (48.54, 9.04),
    "09": (48.95, 11.40),
    "10": (49.38, 6.95),
    "11": (52.50, 13.40),
    "12": (52.47, 13.40),
    "13": (53.77, 12.58),
    "14": (51.03, 13.36),
    "15": (52.01, 11.70),
    "16": (50.90, 11.03),
}

#: Germany's bounding box (south, west, north, east); the side columns stand outside it.
BOUNDS = (47.27, 5.87, 55.06, 15.04)

#: Relationships that tie a node to the actor it belongs to, by the node's label, as
#: (relationship type, the actor is the relationship's start). The first that leads to a
#: placed node wins, so that a workshop sits at its host, not between all its guests.
OWNERS: Mapping[str, tuple[tuple[str, bool], ...]] = {
    "Project": (("RUNS", True), ("PARTNER_OF", True)),
    "Workshop": (("HOSTED", True), ("ATTENDED", True)),
    "Report": (("AUTHORED", True), ("CONCERNS", False)),
    "Cooperation": (("PARTY_TO", True),),
    "Finding": (("CONCERNS", False),),
    "Organisation": (("MEMBER_OF", True),),
}

#: Labels that stand in the columns beside the map when nothing ties them to a place.
#: Topics and networks always do: they connect to everything, their mean is meaningless.
COLUMN_ALWAYS = frozenset({"Topic", "Network"})

SPIRAL_START = 16.0  # canvas units from the anchor to the first satellite
SPIRAL_STEP = 9.0  # growth of the radius per sqrt(satellite number)
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
COLUMN_GAP = 220.0  # distance of a column from the map, and between columns (label width)
ROW_SPACING = 40.0  # vertical distance of two nodes in a column (node and label)


def project(lat: float, lon: float) -> Point:
    """Canvas coordinates of a WGS84 point (equirectangular around Germany's centre;
    y grows southwards as on a screen)."""
    return ((lon - LON0) * _COS_LAT0 * SCALE, (LAT0 - lat) * SCALE)


def _mean(points: Iterable[Point]) -> Point | None:
    xs = ys = 0.0
    n = 0
    for x, y in points:
        xs += x
        ys += y
        n += 1
    return (xs / n, ys / n) if n else None


def _coordinates(attrs: Mapping[str, object]) -> Point | None:
    lat, lon = attrs.get("lat"), attrs.get("lon")
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        return project(float(lat), float(lon))
    return None


def geographic_positions(g: nx.MultiDiGraph) -> dict[str, Point]:
    """Positions of municipalities and Länder: coordinates where known, else the mean of
    the Gemeinden that are part of them (Kreise), else the centre of their Land."""
    pos: dict[str, Point] = {}
    unplaced: list[str] = []
    for nid, attrs in g.nodes(data=True):
        label = attrs.get("type")
        if label == "State":
            centre = STATE_CENTRES.get(str(attrs.get("key")))
            if centre is not None:
                pos[nid] = project(*centre)
        elif label in ("Municipality", "Gemeindeverband"):
            point = _coordinates(attrs)
            if point is not None:
                pos[nid] = point
            else:
                unplaced.append(nid)
    for nid in unplaced:
        parts = (
            pos[a]
            for a, _, key in g.in_edges(nid, keys=True)
            if key in ("PART_OF", "IN_VERBAND") and a in pos
        )
        mean = _mean(parts)
        if mean is None:
            kreis = next(
                (b for _, b, key in g.out_edges(nid, keys=True) if key == "PART_OF" and b in pos),
                None,
            )
            if kreis is not None:
                mean = pos[kreis]
            else:
                centre = STATE_CENTRES.get(node_state(g.nodes[nid]) or "")
                mean = project(*centre) if centre else None
        if mean is not None:
            pos[nid] = mean
    return pos


def _owner_anchor(
    g: nx.MultiDiGraph, nid: str, label: str, pos: Mapping[str, Point]
) -> Point | None:
    """The mean position of the placed actors ``nid`` belongs to, by the first owner
    relationship that has any; None when no owner is placed. An organisation's owners are
    its members (a Bewerbergemeinschaft sits amid its towns); without any, its Land."""
    for rtype, actor_is_start in OWNERS.get(label, ()):
        # the plain adjacency dicts: this runs for every satellite of an 11,000-node graph
        adjacent = g._pred[nid] if actor_is_start else g._succ[nid]
        mean = _mean(pos[o] for o, keydict in adjacent.items() if rtype in keydict and o in pos)
        if mean is not None:
            return mean
    if label == "Organisation":
        centre = STATE_CENTRES.get(node_state(g.nodes[nid]) or "")
        if centre is not None:
            return project(*centre)
    return None


def _spiral(anchor: Point, i: int) -> Point:
    """The ``i``-th place on a sunflower spiral around ``anchor``: evenly filled, no two
    satellites on top of each other, and the same place for the same ``i`` every time."""
    r = SPIRAL_START + SPIRAL_STEP * math.sqrt(i)
    a = i * GOLDEN_ANGLE
    return (anchor[0] + r * math.cos(a), anchor[1] + r * math.sin(a))


def _columns(
    g: nx.MultiDiGraph, left: list[str], right: list[str], top: list[str]
) -> dict[str, Point]:
    """Column places beside the map: ``left`` (organisations and anything without a
    place), ``right`` (topics, grouped by facet), ``top`` (networks, in one row)."""
    south, west, north, east = BOUNDS
    x_min, y_min = project(north, west)
    x_max, y_max = project(south, east)
    out: dict[str, Point] = {}

    def name(nid: str) -> str:
        return str(g.nodes[nid].get("name", nid)).lower()

    def column(ids: list[str], x: float, direction: float) -> None:
        per_column = max(1, int((y_max - y_min) / ROW_SPACING))
        for i, nid in enumerate(ids):
            col, row = divmod(i, per_column)
            out[nid] = (x + direction * col * COLUMN_GAP, y_min + row * ROW_SPACING)

    column(sorted(left, key=name), x_min - COLUMN_GAP, -1)
    right.sort(key=lambda n: (str(g.nodes[n].get("facet", "")), name(n)))
    column(right, x_max + COLUMN_GAP, 1)
    width = (x_max - x_min) / max(1, len(top))
    for i, nid in enumerate(sorted(top, key=name)):
        out[nid] = (x_min + (i + 0.5) * width, y_min - COLUMN_GAP)
    return out


def positions(g: nx.MultiDiGraph, *, rounds: int = 3) -> dict[str, Point]:
    """A position for every node of ``g`` (see the module docstring for the rules).

    Satellites are placed in up to ``rounds`` rounds, so that a finding about a project sits
    beside that project, which sits beside the town that runs it. Nodes a round cannot
    tie to a placed owner fall back to the columns.
    """
    pos = geographic_positions(g)
    pending = [
        nid
        for nid, label in g.nodes(data="type")
        if nid not in pos and label not in COLUMN_ALWAYS and label in OWNERS
    ]
    used: dict[Point, int] = defaultdict(int)  # satellites per anchor over all rounds
    for _ in range(rounds):
        by_anchor: dict[Point, list[str]] = defaultdict(list)
        still: list[str] = []
        for nid in pending:
            anchor = _owner_anchor(g, nid, g.nodes[nid]["type"], pos)
            if anchor is None:
                still.append(nid)
            else:
                by_anchor[(round(anchor[0], 1), round(anchor[1], 1))].append(nid)
        if not by_anchor:
            break
        for anchor, ids in by_anchor.items():
            for nid in sorted(ids):
                pos[nid] = _spiral(anchor, used[anchor])
                used[anchor] += 1
        pending = still
    left, right, top = [], [], []
    for nid, label in g.nodes(data="type"):
        if nid in pos:
            continue
        if label == "Topic":
            right.append(nid)
        elif label == "Network":
            top.append(nid)
        else:
            left.append(nid)
    pos.update(_columns(g, left, right, top))
    return pos
