"""The figures a map shows, as pure functions of ``store.graph()``: per municipality what it
takes part in (member of a network, programme participant, projects it runs), and per
Kreis or Land the sums of those — with the population to put them per 100,000
inhabitants.

Where a municipality lies is read from its key, the official one: a Gemeinde's AGS
(8 digits) begins with its Kreis (5) and its Land (2); a Kreis is its own Kreis; a
Gemeindeverband's key (the Verband part of the ARS, 9 digits) begins with its Kreis too.
So the figures need no ``PART_OF`` relationship and agree with the boundaries, whose
areas carry the same keys.

**Members** and **programme participants** follow the one rule each:
`graph.core.membership` (``MEMBER_OF`` a network, directly or through an organisation) and
`graph.core.programmes` (running or party to a model project that is ``IN_PROGRAMME``).
Whatever participations the graph holds are counted; without any programme loaded the
figure is 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

import networkx as nx

from graph.core.membership import memberships
from graph.core.model import DIRECTORY_LABELS
from graph.core.nodes import display_name
from graph.core.programmes import programmes_of
from graph.present import text

#: Node types that are places on the map.
PLACE_LABELS: Final[frozenset[str]] = DIRECTORY_LABELS

#: The measures a map can show: key → German name (legend, choice, table column).
MEASURES: Final[dict[str, str]] = {
    "members": "Mitglieder",
    "projects": "Projekte",
    "participants": "Programmteilnehmer",
}
#: Area levels: name → length of the key prefix that names the area.
LEVELS: Final[dict[str, int]] = {"Kreis": 5, "Land": 2}
PER = 100_000


@dataclass(frozen=True)
class Place:
    """One municipality (or Gemeindeverband) and what it takes part in."""

    id: str
    key: str
    name: str
    kind: str
    population: int | None
    lat: float | None
    lon: float | None
    networks: tuple[str, ...] = ()
    """Names of the networks (other than programmes) it is a member of."""
    programmes: tuple[str, ...] = ()
    """Names of the programmes it takes part in."""
    projects: frozenset[str] = frozenset()
    """Ids of the projects it runs."""

    @property
    def is_gemeinde(self) -> bool:
        return len(self.key) == 8


@dataclass
class Area:
    """The figures of one Kreis or Land."""

    key: str
    name: str
    population: int | None = None
    members: int = 0
    participants: int = 0
    projects: int = 0
    project_ids: set[str] = field(default_factory=set)

    def value(self, measure: str, per_capita: bool = False) -> float | None:
        """The figure ``measure`` (a key of `MEASURES`), or per 100,000 inhabitants (None
        where the population is unknown)."""
        n = float(getattr(self, measure))
        if not per_capita:
            return n
        if not self.population:
            return None
        return round(n * PER / self.population, 2)


@dataclass(frozen=True)
class MapFigures:
    """What every map of one graph needs: the places and the figures per level."""

    places: dict[str, Place]
    areas: dict[str, dict[str, Area]]
    """Level (``Kreis``/``Land``) → area key → figures."""
    programmes: tuple[str, ...]
    """Names of the programmes in the graph (empty: none loaded)."""


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and value > 0 else None


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def map_figures(g: nx.MultiDiGraph) -> MapFigures:
    """The `MapFigures` of ``g``."""
    nodes = g.nodes
    networks = {
        nid: display_name("Network", str(d.get("key", "")), d)
        for nid, d in nodes(data=True)
        if d.get("type") == "Network"
    }
    takes_part = {a: {p.network.id for p in ps} for a, ps in programmes_of(g).items()}
    programmes = {n for nets in takes_part.values() for n in nets}
    member_of: dict[str, set[str]] = defaultdict(set)
    for m in memberships(g):
        member_of[m.actor.id].add(m.network.id)

    places: dict[str, Place] = {}
    for nid, d in nodes(data=True):
        key = str(d.get("key", ""))
        if d.get("type") not in PLACE_LABELS or not key.isdigit() or len(key) < 5:
            continue
        runs = frozenset(b for _, b, rel in g.out_edges(nid, keys=True) if rel == "RUNS")
        places[nid] = Place(
            id=nid,
            key=key,
            name=display_name(str(d["type"]), key, d),
            kind=text.kind_of(d),
            population=_int(d.get("population")),
            lat=_float(d.get("lat")),
            lon=_float(d.get("lon")),
            networks=tuple(sorted(networks[n] for n in member_of.get(nid, ()))),
            programmes=tuple(sorted(networks[n] for n in takes_part.get(nid, ()))),
            projects=runs,
        )

    areas: dict[str, dict[str, Area]] = {}
    for level, digits in LEVELS.items():
        found: dict[str, Area] = {}
        inhabitants: dict[str, int] = defaultdict(int)
        for p in places.values():
            area = found.setdefault(p.key[:digits], Area(p.key[:digits], ""))
            area.members += bool(p.networks)
            area.participants += bool(p.programmes)
            area.project_ids |= p.projects
            if p.is_gemeinde:
                inhabitants[area.key] += p.population or 0
        for key, area in found.items():
            area.projects = len(area.project_ids)
            own = places.get(f"Municipality:{key}")
            # the sum over its Gemeinden, or the area's own figure (a Kreis of the curated
            # data without its Gemeinden) where that is larger
            area.population = max(inhabitants[key], (own.population or 0) if own else 0) or None
            area.name = _area_name(g, level, key)
        areas[level] = found
    return MapFigures(places, areas, tuple(sorted(networks[n] for n in programmes)))


def _area_name(g: nx.MultiDiGraph, level: str, key: str) -> str:
    nid = f"State:{key}" if level == "Land" else f"Municipality:{key}"
    if nid in g:
        return display_name(level, key, g.nodes[nid])
    return text.state_name(key) or key if level == "Land" else key


def place_ids_of(answer_graph: nx.MultiDiGraph) -> list[str]:
    """The places (municipalities) in an answer's small graph (`Answer.view_graph`):
    what a map marks for that answer."""
    return sorted(
        nid
        for nid, d in answer_graph.nodes(data=True)
        if d.get("type") in PLACE_LABELS and str(d.get("key", "")).isdigit()
    )


def keys_of(ids: Iterable[str]) -> set[str]:
    """The official keys of node ids ``Label:key``."""
    return {nid.partition(":")[2] for nid in ids}
