"""`SqlQuestions`: the embedded store's raw reads (`NxQuestions`), with those that a new
store object asks first answered in SQL instead of over the whole graph.

A first partner suggestion or the first network metrics (`graph.questions.cooperation`)
read the actors, who works on which topic, the cooperation graph's tie groups, the
memberships and the programme participations — once per data version. Over
`EmbeddedStore.graph()` each of them first waited for the whole graph (62,000 nodes,
226,000 relationships at Germany scale: every property text parsed). Here they read only
the columns they need (labels and keys; properties only of the nodes they name), and the
membership and programme rules (`graph.core.membership`, `graph.core.programmes`) walk a
small graph of the relationships they follow — their one definition, not an SQL copy.
The questions that already have the whole graph keep reading it (`NxQuestions`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import networkx as nx

from graph.core.cache import VersionCache
from graph.core.membership import Member, member_networks, memberships
from graph.core.model import PUBLIC_LABELS
from graph.core.nodes import Entity, stored_entity
from graph.core.nxgraph import NodeRow, RelRow, build_graph
from graph.core.programmes import BODY_RELS, participations
from graph.core.programmes import Participation as ProgrammeItem
from graph.core.store import GraphStore
from graph.core.validity import as_of
from graph.questions.vocabulary import (
    ACTORS,
    FACT_PROPS,
    HUB_ITEMS,
    HUB_RELS,
    WORK_ITEMS,
    WORK_RELS,
)
from graph.stores.sqlite import statements as sql
from graph.stores.sqlite.questions import NxQuestions, tie_groups
from graph.stores.sqlite.transactions import Database, loads

_TIE_TYPES = tuple(sorted({*HUB_RELS, "MEMBER_OF"}))
_TIE_ENDS = tuple(sorted({*HUB_ITEMS, *ACTORS}))


class SqlQuestions(NxQuestions):
    """`NxQuestions` of ``store``, whose per-version reads go to ``database`` directly."""

    def __init__(self, store: GraphStore, database: Database) -> None:
        super().__init__(store)
        self.database = database
        self._small: VersionCache[nx.MultiDiGraph] = VersionCache()

    def _small_graph(self, name: str, query: str, params: Sequence[str] = ()) -> nx.MultiDiGraph:
        """The graph of the relationships ``query`` reads and the nodes at their ends (both
        public), built by the one builder (`graph.core.nxgraph.build_graph`), per version."""

        def build() -> nx.MultiDiGraph:
            with self.database.read() as db:
                rels = db.execute(query, params).fetchall()
                ends: dict[str, set[str]] = {}
                for _, sl, sk, el, ek, _ in rels:
                    ends.setdefault(sl, set()).add(sk)
                    ends.setdefault(el, set()).add(ek)
                nodes: list[NodeRow] = []
                for label in sorted(ends.keys() & PUBLIC_LABELS):
                    keys = sorted(ends[label])
                    for i in range(0, len(keys), sql.CHUNK):
                        chunk = keys[i : i + sql.CHUNK]
                        found = db.execute(sql.select_props(len(chunk)), (label, *chunk))
                        nodes += [(label, k, loads(p)) for k, p in found]
            rel_rows: list[RelRow] = [
                (t, sl, sk, el, ek, loads(p)) for t, sl, sk, el, ek, p in rels
            ]
            return build_graph(nodes, rel_rows)

        return self._small.get(self.store.version(), name, build)

    def _members_graph(self) -> nx.MultiDiGraph:
        return self._small_graph("members", sql.MEMBER_RELS)

    # -- reads by key -----------------------------------------------------------------------

    def q_by_key(self, labels: Sequence[str], key: str) -> list[Entity]:
        out = []
        for label in labels:
            if label in PUBLIC_LABELS:
                props = self.store.node(label, key)
                if props is not None:
                    out.append(stored_entity(label, key, props))
        return out

    def q_nodes(self, label: str, keys: Sequence[str] | None) -> dict[str, dict[str, Any]]:
        if label not in PUBLIC_LABELS or keys is not None:
            return super().q_nodes(label, keys)
        with self.database.read() as db:
            rows = db.execute(sql.SELECT_PROPS_OF_LABEL, (label,)).fetchall()
        return {k: loads(p) for k, p in rows}

    # -- once per data version: the work index and the cooperation graph ----------------------

    def q_work_index(self) -> list[tuple[Entity, tuple[tuple[str, int], ...]]]:
        query = sql.work_rows(len(WORK_RELS), len(ACTORS), len(WORK_ITEMS))
        with self.database.read() as db:
            counts = Counter(db.execute(query, (*WORK_RELS, *ACTORS, *WORK_ITEMS)).fetchall())
            nodes = db.execute(sql.select_nodes(len(ACTORS)), ACTORS).fetchall()
        topics: dict[tuple[str, str], list[tuple[str, int]]] = {}
        for (label, key, topic), n in counts.items():
            topics.setdefault((label, key), []).append((str(topic), n))
        return [
            (stored_entity(label, key, loads(props)), tuple(sorted(topics[(label, key)])))
            for label, key, props in nodes
            if (label, key) in topics
        ]

    def q_actor_facts(self) -> list[tuple[Entity, dict[str, Any]]]:
        with self.database.read() as db:
            rows = db.execute(sql.select_nodes(len(ACTORS)), ACTORS).fetchall()
        out = []
        for label, key, text in rows:
            props = loads(text)
            facts = {p: props[p] for p in FACT_PROPS if props.get(p) is not None}
            out.append((stored_entity(label, key, props), facts))
        return out

    def q_member_ids(self) -> list[str]:
        return sorted(member_networks(self._members_graph()))

    def q_memberships(self, actor_ids: Sequence[str]) -> list[Member]:
        return memberships(self._members_graph(), actor_ids)

    def q_participations(self, when: str | None = None) -> list[ProgrammeItem]:
        g = self._small_graph("programmes", sql.programme_rels(len(BODY_RELS)), BODY_RELS)
        return participations(g if when is None else as_of(g, when))

    def q_tie_groups(self) -> list[tuple[str, str, tuple[str, ...]]]:
        query = sql.tie_rows(len(_TIE_TYPES), len(ACTORS), len(_TIE_ENDS))
        with self.database.read() as db:
            rows = db.execute(query, (*_TIE_TYPES, *ACTORS, *_TIE_ENDS)).fetchall()
        return tie_groups(rows)
