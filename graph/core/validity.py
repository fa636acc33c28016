"""When a fact holds — the one rule for "Stand" (as of a date), used by the explorer, the
questions and the exports of a past network.

* **Partial dates are ranges.** ``2014`` is 01.01.–31.12.2014, ``2014-09`` the month,
  ``2014-09-22`` the day (`period`).
* **A fact's validity** runs from its first day to its last: relationships by ``since`` and
  ``until``; nodes by ``start``/``end`` (projects, networks), ``since``/``until``/``end``
  (cooperations). A missing start means "since always" as far as we know, a missing end
  means **unknown**, never "laufend": the fact is kept as long as nothing says it ended.
  Events and documents (workshops, reports) happened on their date and stay part of the
  network's history after it.
* **As of a date or a year** (`as_of`) the network holds the nodes and relationships whose
  validity overlaps that day or year, and only relationships between nodes it holds: a
  model project of 2019 is not in the network of 2016, and neither is its ``RUNS``.
  Nodes without dates (municipalities, topics, Länder, organisations) are always there.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import networkx as nx

from graph.core.errors import QueryError
from graph.core.model import BERLIN, PARTIAL_DATE

Period = tuple[date, date]

#: Properties that hold a fact's first and last day, by node label; relationships use
#: `REL_FROM`/`REL_TO`.
NODE_FROM: Mapping[str, tuple[str, ...]] = {
    "Project": ("start", "since"),
    "Network": ("start",),
    "Cooperation": ("since", "start"),
}
NODE_TO: Mapping[str, tuple[str, ...]] = {
    "Project": ("end", "until"),
    "Network": ("end",),
    "Cooperation": ("until", "end"),
}
#: Events and documents: they happened on a date and stay in the history after it.
EVENT_DATES: Mapping[str, str] = {"Workshop": "date", "Report": "date"}
REL_FROM: tuple[str, ...] = ("since",)
REL_TO: tuple[str, ...] = ("until",)


def period(value: object) -> Period | None:
    """The days a date as the data writes it covers: ``2014`` → 01.01.–31.12.2014; None
    for anything that is not ``JJJJ``, ``JJJJ-MM`` or ``JJJJ-MM-TT``."""
    m = PARTIAL_DATE.match(str(value)) if isinstance(value, str | int) else None
    if m is None:
        return None
    y = int(m.group(1))
    try:
        if m.group(3):
            d = date(y, int(m.group(2)), int(m.group(3)))
            return d, d
        if m.group(2):
            month = int(m.group(2))
            return date(y, month, 1), date(y, month, calendar.monthrange(y, month)[1])
        return date(y, 1, 1), date(y, 12, 31)
    except ValueError:
        return None


#: The word a user types for today's date in a "Stand" field or ``--stand``.
TODAY = "heute"


def today() -> date:
    """Today in Germany: the date a membership's ``since`` is written with and "heute"
    means (the server's clock runs on UTC, a day behind between midnight and 01:00/02:00
    in Berlin)."""
    return datetime.now(BERLIN).date()


def resolve_stand(text: str) -> str:
    """A "Stand" as typed, with "heute" turned into today's date (``JJJJ-MM-TT``): the
    date, not the word, goes into cache keys and titles, so a page open over midnight does
    not keep yesterday's network under "heute"."""
    text = text.strip()
    return today().isoformat() if text.casefold() == TODAY else text


def stand(when: str) -> Period:
    """The days of a "Stand" as a user gives it (a date, a month or a year); raises
    `QueryError` with a German message for anything else."""
    span = period(when.strip()) if isinstance(when, str) else None
    if span is None:
        raise QueryError(f"„{when}“ ist kein Datum (JJJJ, JJJJ-MM oder JJJJ-MM-TT).")
    return span


def _first(attrs: Mapping[str, Any], props: tuple[str, ...], end: bool) -> date | None:
    for prop in props:
        p = period(attrs.get(prop))
        if p is not None:
            return p[1] if end else p[0]
    return None


def node_validity(attrs: Mapping[str, Any]) -> tuple[date | None, date | None]:
    """(first day, last day) of a node of a `store.graph()` graph; None = not known."""
    label = str(attrs.get("type", ""))
    event = EVENT_DATES.get(label)
    if event is not None:
        return _first(attrs, (event,), False), None
    return (
        _first(attrs, NODE_FROM.get(label, ()), False),
        _first(attrs, NODE_TO.get(label, ()), True),
    )


def rel_validity(attrs: Mapping[str, Any]) -> tuple[date | None, date | None]:
    """(first day, last day) of a relationship; None = not known."""
    return _first(attrs, REL_FROM, False), _first(attrs, REL_TO, True)


def overlaps(validity: tuple[date | None, date | None], when: Period) -> bool:
    """True if a validity overlaps ``when`` (an unknown start or end does not end it)."""
    first, last = validity
    return (first is None or first <= when[1]) and (last is None or last >= when[0])


def as_of(g: nx.MultiDiGraph, when: str) -> nx.MultiDiGraph:
    """The network of ``g`` as of ``when`` (a date or a year, see the module docstring), a
    frozen graph sharing ``g``'s attribute dicts. Raises `QueryError` for no date."""
    span = stand(when)
    nodes = {n for n, d in g._node.items() if overlaps(node_validity(d), span)}
    edges = [
        (a, b, k)
        for a, nbrs in g._succ.items()
        if a in nodes
        for b, keys in nbrs.items()
        if b in nodes
        for k, d in keys.items()
        if overlaps(rel_validity(d), span)
    ]
    out = nx.MultiDiGraph()
    out.add_nodes_from((n, g._node[n]) for n in nodes)
    out.add_edges_from((a, b, k, g._succ[a][b][k]) for a, b, k in edges)
    return nx.freeze(out)


@dataclass(frozen=True)
class Change:
    """One fact that began or ended between two dates: a membership or participation
    (a relationship), or a project, cooperation or network (a node)."""

    kind: str  # "neu" or "beendet"
    what: str  # node label or relationship type
    start: str  # node id (the start of a relationship)
    end: str | None = None  # the end of a relationship


#: What a change list reports: these relationships and these nodes.
CHANGE_RELS: tuple[str, ...] = ("MEMBER_OF", "IN_PROGRAMME", "PARTY_TO")
CHANGE_NODES: tuple[str, ...] = ("Network", "Project", "Cooperation")


def changes(g: nx.MultiDiGraph, first: str, second: str) -> list[Change]:
    """What changed from ``first`` to ``second`` (dates or years): memberships,
    participations and parties that began (``neu``) or ended (``beendet``), and networks,
    projects and cooperations that began or ended; by kind, type and id."""
    a, b = as_of(g, first), as_of(g, second)
    out = []
    for kind, old, new in (("neu", a, b), ("beendet", b, a)):
        out += [
            Change(kind, str(d["type"]), n)
            for n, d in new.nodes(data=True)
            if d["type"] in CHANGE_NODES and n not in old
        ]
        out += [
            Change(kind, k, x, y)
            for x, y, k in new.edges(keys=True)
            if k in CHANGE_RELS and not old.has_edge(x, y, k)
        ]
    return sorted(out, key=lambda c: (c.kind != "neu", c.what, c.start, c.end or ""))


def change_marks(found: Iterable[Change]) -> dict[str, str]:
    """Per node, how it changed (``neu``, ``beendet``, or ``neu und beendet``): a
    project, cooperation or network itself; for a membership, participation or party the
    one that joined or left (the relationship's start)."""
    kinds: dict[str, set[str]] = {}
    for c in found:
        kinds.setdefault(c.start, set()).add(c.kind)
    return {nid: "neu und beendet" if len(ks) > 1 else next(iter(ks)) for nid, ks in kinds.items()}


def timeline(g: nx.MultiDiGraph, years: range) -> list[dict[str, int]]:
    """Per year: how many actors were members of a network and how many model projects
    took part in a programme (`graph.core.membership`, `graph.core.programmes`)."""
    from graph.core.membership import member_networks
    from graph.core.programmes import participations

    rows = []
    for year in years:
        h = as_of(g, str(year))
        rows.append(
            {
                "Jahr": year,
                "Mitglieder": len(member_networks(h)),
                "Modellprojekte": len(participations(h)),
            }
        )
    return rows
