"""Who belongs to a network: the members of the open network and of the pilot programme,
as the Mitmachen page lists them. A pure function of the public graph, so both stores give
the same list."""

from __future__ import annotations

from dataclasses import dataclass

from graph.core.model import NODE_TYPES, STATES, node_id
from graph.core.store import GraphStore


@dataclass(frozen=True)
class Member:
    """One member as shown in a list: name, what it is, its Land, since when, in what role."""

    label: str
    key: str
    name: str
    kind: str
    state: str
    since: str | None
    role: str | None

    @property
    def since_text(self) -> str:
        """The date as written in German: ``27.01.2017``, ``08/2014``, ``2017``."""
        if not self.since:
            return "unbekannt"
        parts = self.since.split("-")
        return ".".join(reversed(parts)) if len(parts) == 3 else "/".join(reversed(parts))


def members(store: GraphStore, network_id: str) -> list[Member]:
    """The members (``MEMBER_OF``) of the network ``network_id``, sorted by the date they
    joined (unknown last), then by name. Empty if the network is not in the graph."""
    g = store.graph()
    net = node_id("Network", network_id)
    if net not in g:
        return []
    out = []
    for start, _, key, rel in g.in_edges(net, keys=True, data=True):
        if key != "MEMBER_OF":
            continue
        d = g.nodes[start]
        label = str(d["type"])
        state_code = d.get("state_code") or d.get("state")
        if not state_code and label == "Municipality":
            state_code = str(d["key"])[:2]
        out.append(
            Member(
                label=label,
                key=str(d["key"]),
                name=str(d["name"]),
                kind=str(d.get("kind") or NODE_TYPES[label].singular),
                state=STATES.get(str(state_code), ("", ""))[0] if state_code else "",
                since=str(rel["since"]) if rel.get("since") else None,
                role=str(rel["role"]) if rel.get("role") else None,
            )
        )
    return sorted(out, key=lambda m: (m.since is None, m.since or "", m.name.lower()))
