"""Who takes part in a programme — the one rule, used by the figures (`kommunetz stats`),
the explorer's programme and Staffel filters, the Start page and the recommendations.

**A participation is an ``IN_PROGRAMME`` relationship with a ``role`` (``Modellprojekt``,
``Modellregion``) from a project or a cooperation to a `Network`: the model project as the
programme selected it, with its ``staffel``, ``category`` and dates.** Its *Körperschaften*
are the actors that run the project (``RUNS``) or are party to the cooperation
(``PARTY_TO``, except its partners, role ``Partner``). A single municipality, a
Gemeindeverband or a Kreis runs its own model project; a joint project is a cooperation of
its members (`loaders.curated`, ``participants``). One Körperschaft stays one node in all
its programmes: Gütersloh is a Modellkommune (``MEMBER_OF`` the pilot) and a Smart City.

The pilot's Modellkommunen are members (`graph.core.membership`), not participations:
that rule is unchanged. `programme_scope` covers both, for a filter by programme.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from graph.core.model import ACTOR_LABELS
from graph.core.nodes import Entity, entity_from

#: Relationship types by which a Körperschaft takes part in a model project.
BODY_RELS: tuple[str, ...] = ("RUNS", "PARTY_TO")
#: The role of a non-municipal partner of a joint project: no Körperschaft of it.
PARTNER_ROLE = "Partner"


@dataclass(frozen=True)
class Participation:
    """``item`` (a project or cooperation) takes part in ``network``."""

    item: Entity
    network: Entity
    role: str
    staffel: int | None
    category: str | None
    since: str | None
    until: str | None
    bodies: tuple[Entity, ...]

    def order(self) -> tuple[object, ...]:
        return (self.network.sort_key(), self.staffel or 0, self.item.sort_key())


def participations(g: nx.MultiDiGraph) -> list[Participation]:
    """Every participation in ``g``, by network, Staffel and name."""
    node, succ, pred = g._node, g._succ, g._pred  # the plain dicts (Germany scale)
    out = []
    for item, nbrs in succ.items():
        for net, keys in nbrs.items():
            rel = keys.get("IN_PROGRAMME")
            if rel is None or not rel.get("role") or node[net]["type"] != "Network":
                continue
            bodies = sorted(
                (
                    entity_from(a, node[a])
                    for a, keys2 in pred[item].items()
                    if node[a]["type"] in ACTOR_LABELS
                    and any(t in keys2 and keys2[t].get("role") != PARTNER_ROLE for t in BODY_RELS)
                ),
                key=Entity.sort_key,
            )
            staffel = rel.get("staffel")
            out.append(
                Participation(
                    entity_from(item, node[item]),
                    entity_from(net, node[net]),
                    str(rel["role"]),
                    int(staffel) if isinstance(staffel, int) else None,
                    _text(rel.get("category")),
                    _text(rel.get("since")),
                    _text(rel.get("until")),
                    tuple(bodies),
                )
            )
    return sorted(out, key=Participation.order)


def programmes_of(g: nx.MultiDiGraph) -> dict[str, tuple[Participation, ...]]:
    """Actor id → its participations (only actors that take part in a programme)."""
    out: dict[str, list[Participation]] = {}
    for p in participations(g):
        for body in p.bodies:
            out.setdefault(body.id, []).append(p)
    return {a: tuple(ps) for a, ps in out.items()}


def programme_scope(
    g: nx.MultiDiGraph, network_ids: Iterable[str], staffeln: Iterable[int] = ()
) -> set[str]:
    """Node ids that belong to the given networks (ids ``Network:…``): the networks, what
    is ``MEMBER_OF`` or ``IN_PROGRAMME`` them, the actors that run, are party to or
    partner of those items, and the members of member organisations. With ``staffeln``,
    only memberships and items of those Staffeln (a relationship without a Staffel is
    then left out)."""
    nets = {n for n in network_ids if n in g}
    wanted = set(staffeln)
    node, pred = g._node, g._pred
    out: set[str] = set(nets)
    for net in nets:
        for x, keys in pred[net].items():
            rel = keys.get("MEMBER_OF") or keys.get("IN_PROGRAMME")
            if rel is None or (wanted and rel.get("staffel") not in wanted):
                continue
            out.add(x)
            for y, keys2 in pred[x].items():
                tied = ("RUNS", "PARTY_TO", "PARTNER_OF", "MEMBER_OF")
                if node[y]["type"] in ACTOR_LABELS and any(t in keys2 for t in tied):
                    out.add(y)
    return out


def _text(value: object) -> str | None:
    return str(value) if value not in (None, "") else None
