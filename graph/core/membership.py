"""Who is a member of a network — the one rule, used by the explorer's "Nur Mitglieder"
filter, the start page, the Mitmachen page, the registration form, the guided questions
and the store figures.

**An actor (a municipality or an organisation) is a member of a network when it has a
``MEMBER_OF`` relationship to the network (directly), or a ``MEMBER_OF`` relationship to an
organisation that itself has one to the network (through the organisation).** So the nine
municipalities and the KAAW that form the Bewerbergemeinschaft Ibbenbüren are members of
the pilot programme through it. One step only: an organisation in an organisation in a
network does not make its members members. Partners (``PARTNER_OF``) are not members.

A membership through an organisation carries the role its actor has in the organisation,
the date it began — the later of the two dates where both are known, else the one that is
known — and the sources of both relationships.

`memberships` applies the rule to a `store.graph()` graph; the Neo4j store's raw reads
for the guided questions apply it in Cypher (`graph.stores.neo4j.questions`), combined
into the same `Member` by `member`, and the contract tests hold the two together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from graph.core.model import ACTOR_LABELS, SOURCES_PROP, node_id
from graph.core.nodes import Entity, entity_from

#: The label of the nodes through which an actor can be a member.
VIA_LABEL = "Organisation"


@dataclass(frozen=True)
class Member:
    """``actor`` is a member of ``network``, directly or ``via`` an organisation."""

    actor: Entity
    network: Entity
    via: Entity | None = None
    role: str | None = None
    since: str | None = None
    sources: tuple[str, ...] = ()

    def order(self) -> tuple[tuple[str, ...], ...]:
        """By network, then directly before through an organisation, then by name."""
        return (
            self.network.sort_key(),
            self.via.sort_key() if self.via else (),
            self.actor.sort_key(),
        )


def member(
    actor: Entity,
    network: Entity,
    rel: Mapping[str, Any],
    via: Entity | None = None,
    via_rel: Mapping[str, Any] | None = None,
) -> Member:
    """The `Member` for ``actor —rel→ network``, or — with ``via`` — for ``actor —rel→ via
    —via_rel→ network`` (see the module docstring for role, date and sources)."""
    sources = set(rel.get(SOURCES_PROP) or ())
    since = rel.get("since")
    if via_rel is not None:
        sources.update(via_rel.get(SOURCES_PROP) or ())
        dates = [d for d in (since, via_rel.get("since")) if d]
        since = max(dates) if dates else None
    role = rel.get("role")
    return Member(
        actor,
        network,
        via,
        str(role) if role else None,
        str(since) if since else None,
        tuple(sorted(sources)),
    )


def memberships(g: nx.MultiDiGraph, actor_ids: Iterable[str] | None = None) -> list[Member]:
    """Every membership of the given actors (all actors when None) in ``g``, in
    `Member.order`. Walks the ``MEMBER_OF`` relationships into networks (and into their
    member organisations) only: a few thousand at Germany scale, not every actor."""
    node, pred = g._node, g._pred  # the plain dicts: g has 60,000 nodes at Germany scale
    wanted = set(actor_ids) if actor_ids is not None else None
    out = []
    for net, d in node.items():
        if d["type"] != "Network":
            continue
        network = entity_from(net, d)
        for a, keys in pred[net].items():
            rel = keys.get("MEMBER_OF")
            if rel is None or node[a]["type"] not in ACTOR_LABELS:
                continue
            if wanted is None or a in wanted:
                out.append(member(entity_from(a, node[a]), network, rel))
            if node[a]["type"] != VIA_LABEL:
                continue
            via = entity_from(a, node[a])
            for x, keys2 in pred[a].items():
                rel2 = keys2.get("MEMBER_OF")
                if rel2 is None or node[x]["type"] not in ACTOR_LABELS:
                    continue
                if wanted is None or x in wanted:
                    out.append(member(entity_from(x, node[x]), network, rel2, via, rel))
    return sorted(out, key=Member.order)


def members(g: nx.MultiDiGraph, network_id: str) -> list[Member]:
    """The members of the network ``network_id`` (its key), each once (directly before
    through an organisation), by the date they joined (unknown last), then by name; empty
    if the network is not in ``g``."""
    net = node_id("Network", network_id)
    if net not in g:
        return []
    found: dict[str, Member] = {}
    for m in memberships(g):
        if m.network.id == net and (m.actor.id not in found or m.via is None):
            found[m.actor.id] = m
    return sorted(
        found.values(), key=lambda m: (m.since is None, m.since or "", m.actor.name.lower())
    )


def member_networks(g: nx.MultiDiGraph) -> dict[str, tuple[str, ...]]:
    """Actor id → ids of the networks it is a member of (only actors that are members)."""
    out: dict[str, set[str]] = {}
    for m in memberships(g):
        out.setdefault(m.actor.id, set()).add(m.network.id)
    return {a: tuple(sorted(ns)) for a, ns in out.items()}
