"""`CypherQuestions`: the Neo4j store's part of the guided questions — the raw reads of
`graph.questions.rows.QuestionReads` in Cypher.

Every statement is a constant built once from the model (labels, relationship types and
key properties come from `graph.core.model` and `graph.questions.vocabulary`, never from
input) and runs with parameters in a read transaction. Where a node is looked up by key,
the statement is chosen per label so that the uniqueness constraint's index serves the
lookup. A node comes back as a small map (`_ent`) that Python turns into an `Entity` by
the one naming rule (`graph.core.nodes`); a membership comes back as its relationships'
properties, which `graph.core.membership.member` combines by the one membership rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import combinations
from typing import Any

import neo4j

from graph.core.membership import VIA_LABEL, Member, member
from graph.core.model import NODE_TYPES, PUBLIC_LABELS, key_property, split_node_id
from graph.core.nodes import Entity, stored_entity
from graph.core.programmes import BODY_RELS, PARTNER_ROLE
from graph.core.programmes import Participation as ProgrammeItem
from graph.core.validity import NODE_FROM, NODE_TO, REL_FROM, REL_TO, stand
from graph.questions.rows import (
    Incidence,
    Participation,
    RawPath,
    Step,
    WorkRow,
    WorkshopRow,
    sources_of,
)
from graph.questions.vocabulary import (
    ACTORS,
    FACT_PROPS,
    HUB_ITEMS,
    HUB_RELS,
    INCIDENCE_HUBS,
    INCIDENCE_RELS,
    MAX_HOPS,
    PATH_RELS,
    PATH_RELS_ADMIN,
    WORK_ITEMS,
    WORK_RELS,
)

Read = Callable[..., list[neo4j.Record]]

_KEY_PROPS = sorted({key_property(label) for label in NODE_TYPES})  # ags, code, id


def _key(v: str) -> str:
    return f"coalesce({', '.join(f'{v}.{p}' for p in _KEY_PROPS)})"


def _ent(v: str) -> str:
    """A node as the map `_entity` reads: label, key and what the naming rule reads."""
    return (
        f"{{label: labels({v})[0], key: {_key(v)}, name: {v}.name, title: {v}.title, "
        f"kind: {v}.kind, state_code: {v}.state_code}}"
    )


def _id(v: str) -> str:
    return f"labels({v})[0] + ':' + {_key(v)}"


def _opt_ent(v: str) -> str:
    return f"CASE WHEN {v} IS NULL THEN null ELSE {_ent(v)} END"


def _types(types: Sequence[str]) -> str:
    return "|".join(types)


def _labels(labels: Sequence[str]) -> str:
    return "|".join(labels)


def _match(var: str, label: str, param: str) -> str:
    return f"({var}:{label} {{{key_property(label)}: ${param}}})"


_WORK = f"[:{_types(WORK_RELS)}]"
_ITEM = f":{_labels(WORK_ITEMS)}"
_ACTOR = f":{_labels(ACTORS)}"

#: The actors of ``$munis`` (AGS), ``$verbaende`` (ARS) and ``$orgs`` (ids), by their
#: indexes.
_ACTORS_BY_KEYS = (
    "CALL () { UNWIND $munis AS k MATCH (a:Municipality {ags: k}) RETURN a "
    "UNION UNWIND $verbaende AS k MATCH (a:Gemeindeverband {ars: k}) RETURN a "
    "UNION UNWIND $orgs AS k MATCH (a:Organisation {id: k}) RETURN a } "
)

WORK_INDEX = (
    f"MATCH (x{_ACTOR})-{_WORK}->({_ITEM})-[:ABOUT]->(t:Topic) "
    "WITH x, t.id AS topic, count(*) AS n "
    f"WITH x, collect([topic, n]) AS topics RETURN {_ent('x')} AS actor, topics"
)
ACTOR_FACTS = f"MATCH (x{_ACTOR}) RETURN {_ent('x')} AS actor, " + ", ".join(
    f"x.{p} AS {p}" for p in FACT_PROPS
)
#: The membership rule (`graph.core.membership`): ``MEMBER_OF`` a network, or ``MEMBER_OF``
#: an organisation that is.
MEMBER_IDS = (
    f"MATCH (x{_ACTOR}) WHERE EXISTS {{ (x)-[:MEMBER_OF]->(:Network) }} "
    f"OR EXISTS {{ (x)-[:MEMBER_OF]->(:{VIA_LABEL})-[:MEMBER_OF]->(:Network) }} "
    f"RETURN {_id('x')} AS id"
)


def _valid(v: str, first: Sequence[str], last: Sequence[str]) -> str:
    """Cypher for `graph.core.validity.overlaps` of ``v`` with ``$from``–``$to`` (ISO days;
    both null: no condition). Partial dates compare as text: ``2014`` ≤ ``2014-06-30``, and
    a last day ``2016`` is padded to ``2016-99-99`` so that it covers all of 2016."""
    start = f"coalesce({', '.join(f'{v}.{p}' for p in first)})" if first else "null"
    end = f"coalesce({', '.join(f'{v}.{p}' for p in last)})" if last else "null"
    return (
        f"($to IS NULL OR (({start} IS NULL OR {start} <= $to) AND "
        f"({end} IS NULL OR left({end} + '-99-99', 10) >= $from)))"
    )


def _valid_node(v: str, label: str) -> str:
    return _valid(v, NODE_FROM.get(label, ()), NODE_TO.get(label, ()))


#: The participations (`graph.core.programmes`): an ``IN_PROGRAMME`` with a role, and the
#: Körperschaften of its item (not its partners); as of ``$from``–``$to`` if given
#: (`graph.core.validity`: the relationships and the item and network by their dates).
PARTICIPATIONS = (
    f"MATCH (i:{_labels(WORK_ITEMS)})-[r:IN_PROGRAMME]->(n:Network) WHERE r.role IS NOT NULL "
    f"AND {_valid('r', REL_FROM, REL_TO)} AND {_valid_node('n', 'Network')} "
    f"AND CASE WHEN i:Project THEN {_valid_node('i', 'Project')} "
    f"ELSE {_valid_node('i', 'Cooperation')} END "
    f"OPTIONAL MATCH (x{_ACTOR})-[b:{_types(BODY_RELS)}]->(i) "
    f"WHERE coalesce(b.role, '') <> $partner AND {_valid('b', REL_FROM, REL_TO)} "
    f"RETURN {_ent('i')} AS item, {_ent('n')} AS network, r.role AS role, "
    "r.staffel AS staffel, r.category AS category, r.since AS since, r.until AS until, "
    f"collect(DISTINCT {_opt_ent('x')}) AS bodies"
)


def _by_key(labels: Sequence[str]) -> str:
    found = " UNION ".join(f"MATCH {_match('n', label, 'key')} RETURN n" for label in labels)
    return f"CALL () {{ {found} }} RETURN {_ent('n')} AS node"


#: A node by key: one statement per label and per combination of actor labels (an AGS
#: could in principle also be an organisation's id, so a key is looked for under every
#: label whose pattern it fits — in one round trip, not one per label).
BY_KEY = {(label,): _by_key([label]) for label in PUBLIC_LABELS} | {
    combo: _by_key(combo) for n in range(2, len(ACTORS) + 1) for combo in combinations(ACTORS, n)
}

#: Nodes of a label: all of them (False), or those of ``$keys`` by the index (True).
NODES = {
    (label, by_key): (
        (
            f"UNWIND $keys AS k MATCH (n:{label} {{{key_property(label)}: k}}) "
            if by_key
            else f"MATCH (n:{label}) "
        )
        + f"RETURN n.{key_property(label)} AS key, properties(n) AS props"
    )
    for label in PUBLIC_LABELS
    for by_key in (False, True)
}

#: The memberships of the given actors by the same rule, with both relationships'
#: properties for `graph.core.membership.member`.
MEMBERSHIPS = (
    _ACTORS_BY_KEYS + "CALL (a) { "
    "MATCH (a)-[m:MEMBER_OF]->(n:Network) "
    "RETURN n, null AS o, properties(m) AS r1, null AS r2 "
    "UNION ALL "
    f"MATCH (a)-[m1:MEMBER_OF]->(o:{VIA_LABEL})-[m2:MEMBER_OF]->(n:Network) "
    "RETURN n, o, properties(m1) AS r1, properties(m2) AS r2 } "
    f"RETURN {_ent('a')} AS actor, {_ent('n')} AS network, {_opt_ent('o')} AS via, r1, r2"
)

_INCIDENCE = f"[r:{_types(INCIDENCE_RELS)}]"
_HUB = _labels(INCIDENCE_HUBS)
#: The incidences around an actor in one row: each as the ids of its actor and hub with
#: the relationship's type, sources and role, and every node on them once (a hub has many
#: actors, an actor many hubs: a row per incidence sent the same nodes again and again).
INCIDENCES = {
    label: (
        f"MATCH {_match('a', label, 'key')} "
        "CALL (a) { "
        f"MATCH (a)-[:{_types(INCIDENCE_RELS)}]->(h:{_HUB}) RETURN h "
        "UNION RETURN a AS h } "
        f"MATCH (x{_ACTOR})-{_INCIDENCE}->(h) "
        "WITH collect({x: x, h: h, rel: type(r), sources: r.sources, role: r.role}) AS rows "
        "CALL (rows) { UNWIND rows AS row UNWIND [row.x, row.h] AS n WITH DISTINCT n "
        f"RETURN collect({{id: {_id('n')}, node: {_ent('n')}}}) AS nodes }} "
        f"RETURN [row IN rows | [{_id('row.x')}, {_id('row.h')}, row.rel, row.sources, "
        "row.role]] AS incidences, nodes"
    )
    for label in ACTORS
}


def _paths(la: str, lb: str, types: Sequence[str]) -> str:
    """All shortest paths (up to ``$cap``) in one row: each path as its node ids and
    relationship refs, and every node and relationship on them once. Equally short paths
    share most of their nodes and steps — at Germany scale hundreds of paths over a few
    dozen nodes — and a row per path sent them all again: most of the question's time."""
    return (
        f"MATCH {_match('a', la, 'a')}, {_match('b', lb, 'b')} "
        f"MATCH p = allShortestPaths((a)-[:{_types(types)}*..{MAX_HOPS}]-(b)) "
        "WITH p LIMIT $cap WITH collect(p) AS ps "
        "CALL (ps) { UNWIND ps AS p UNWIND nodes(p) AS n WITH DISTINCT n "
        f"RETURN collect({{id: {_id('n')}, node: {_ent('n')}}}) AS nodes }} "
        "CALL (ps) { UNWIND ps AS p UNWIND relationships(p) AS r WITH DISTINCT r "
        f"RETURN collect({{ref: elementId(r), rel: type(r), start: {_id('startNode(r)')}, "
        f"end: {_id('endNode(r)')}, sources: r.sources, role: r.role}}) AS steps }} "
        f"RETURN [p IN ps | [n IN nodes(p) | {_id('n')}]] AS paths, "
        "[p IN ps | [r IN relationships(p) | elementId(r)]] AS refs, nodes, steps"
    )


PATHS = {
    (la, lb, admin): _paths(la, lb, PATH_RELS_ADMIN if admin else PATH_RELS)
    for la in ACTORS
    for lb in ACTORS
    for admin in (False, True)
}


def _actor_work_rows(topic: str) -> str:
    return (
        f"RETURN {_id('a')} AS actor, {_ent('i')} AS item, type(r) AS rel, r.role AS role, "
        f"r.sources AS sources, {topic} AS topic"
    )


#: What the given actors work on: all of it, or (the topic matched first, so that the
#: expansion ends at it) about one topic.
ACTOR_WORK = {
    False: _ACTORS_BY_KEYS
    + f"MATCH (a)-[r:{_types(WORK_RELS)}]->(i{_ITEM})-[:ABOUT]->(t:Topic) "
    + _actor_work_rows(_ent("t")),
    True: f"MATCH (t:Topic {{id: $topic}}) WITH t, {_ent('t')} AS topic "
    + _ACTORS_BY_KEYS
    + f"MATCH (a)-[r:{_types(WORK_RELS)}]->(i{_ITEM})-[:ABOUT]->(t) "
    + _actor_work_rows("topic"),
}

#: Workshops: count them, then read the newest ``$limit`` (a top-k sort, not a full one).
_WORKSHOP_ROWS = (
    "WITH DISTINCT total, w ORDER BY coalesce(w.date, '') DESC, w.id LIMIT $limit "
    "CALL (w) { "
    f"MATCH (p{_ACTOR})-[r:HOSTED|ATTENDED]->(w) "
    f"RETURN collect({{actor: {_ent('p')}, rel: type(r), role: r.role, sources: r.sources}}) "
    "AS participants } "
    f"CALL (w) {{ MATCH (w)-[:ABOUT]->(t:Topic) RETURN collect({_ent('t')}) AS topics }} "
    f"RETURN total, {_ent('w')} AS workshop, w.date AS date, w.date_end AS date_end, "
    "w.place AS place, w.inferred AS inferred, w.sources AS sources, participants, topics"
)
_BY_TOPIC = "WHERE $topic IS NULL OR EXISTS { (w)-[:ABOUT]->(:Topic {id: $topic}) } "


def _workshops(match: str) -> str:
    """The workshops ``match`` finds, counted and the newest of them read in one pass (it
    was matched twice: once to count, once to sort)."""
    return (
        f"{match} {_BY_TOPIC} WITH collect(DISTINCT w) AS ws "
        "UNWIND ws AS w WITH size(ws) AS total, w "  # none found: no row, and total 0
        + _WORKSHOP_ROWS
    )


#: By actor label (or None) and whether a topic is given: each variant starts from what
#: is given, so that an index finds the first node.
WORKSHOPS: dict[tuple[str | None, bool], str] = {
    (label, topic): _workshops(
        f"MATCH {_match('x', label, 'actor')}-[:HOSTED|ATTENDED]->(w:Workshop)"
    )
    for label in ACTORS
    for topic in (False, True)  # the actor comes first either way; the topic filters
}
WORKSHOPS[(None, True)] = _workshops("MATCH (:Topic {id: $topic})<-[:ABOUT]-(w:Workshop)")
WORKSHOPS[(None, False)] = _workshops("MATCH (w:Workshop)")

#: The cooperation graph in groups, aggregated on the server: a project run by one
#: municipality ties nobody, so only hubs with two or more actors come back.
TIE_GROUPS = (
    f"MATCH (h:{_labels(HUB_ITEMS)})<-[:{_types(HUB_RELS)}]-(x{_ACTOR}) "
    f"WITH h, collect(DISTINCT {_id('x')}) AS actors WHERE size(actors) > 1 "
    f"RETURN {_id('h')} AS hub, 'item' AS kind, actors "
    "UNION ALL "
    f"MATCH (h:Organisation)<-[:MEMBER_OF]-(x{_ACTOR}) "
    f"WITH h, collect(DISTINCT {_id('x')}) AS actors "
    f"RETURN {_id('h')} AS hub, 'members' AS kind, actors "
    "UNION ALL "
    f"MATCH (h{_ACTOR})<-[:PARTNER_OF]-(x{_ACTOR}) "
    f"WITH h, collect(DISTINCT {_id('x')}) AS actors "
    f"RETURN {_id('h')} AS hub, 'partners' AS kind, actors"
)


def _period(when: str | None) -> dict[str, str | None]:
    """``from``/``to`` parameters (ISO days) for `_valid`; None for "today, all"."""
    if when is None:
        return {"from": None, "to": None}
    span = stand(when)
    return {"from": span[0].isoformat(), "to": span[1].isoformat()}


def _entity(m: Mapping[str, Any]) -> Entity:
    return stored_entity(str(m["label"]), str(m["key"]), m)


def _keys_by_label(actor_ids: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"munis": [], "verbaende": [], "orgs": []}
    param = {"Municipality": "munis", "Gemeindeverband": "verbaende", "Organisation": "orgs"}
    for nid in actor_ids:
        label, key = split_node_id(nid)
        if label in param:
            out[param[label]].append(key)
    return out


class CypherQuestions:
    """The guided questions' raw reads, through ``read`` (a statement with its
    parameters, run in a read transaction: `transactions.Session.read`)."""

    def __init__(self, read: Read) -> None:
        self._read = read

    def q_work_index(self) -> list[tuple[Entity, tuple[tuple[str, int], ...]]]:
        return [
            (_entity(r["actor"]), tuple(sorted((str(t), int(n)) for t, n in r["topics"])))
            for r in self._read(WORK_INDEX)
        ]

    def q_actor_facts(self) -> list[tuple[Entity, dict[str, Any]]]:
        return [
            (_entity(r["actor"]), {p: r[p] for p in FACT_PROPS if r[p] is not None})
            for r in self._read(ACTOR_FACTS)
        ]

    def q_member_ids(self) -> list[str]:
        return sorted(r["id"] for r in self._read(MEMBER_IDS))

    def q_participations(self, when: str | None = None) -> list[ProgrammeItem]:
        return sorted(
            (
                ProgrammeItem(
                    _entity(r["item"]),
                    _entity(r["network"]),
                    str(r["role"]),
                    r["staffel"] if isinstance(r["staffel"], int) else None,
                    r["category"] or None,
                    r["since"] or None,
                    r["until"] or None,
                    tuple(sorted((_entity(b) for b in r["bodies"]), key=Entity.sort_key)),
                )
                for r in self._read(PARTICIPATIONS, partner=PARTNER_ROLE, **_period(when))
            ),
            key=ProgrammeItem.order,
        )

    def q_by_key(self, labels: Sequence[str], key: str) -> list[Entity]:
        query = BY_KEY.get(tuple(labels))
        if query is not None:
            return [_entity(r["node"]) for r in self._read(query, key=key)]
        return [  # other combinations: one statement per label (private ones: none)
            _entity(r["node"])
            for label in labels
            if (label,) in BY_KEY
            for r in self._read(BY_KEY[(label,)], key=key)
        ]

    def q_nodes(self, label: str, keys: Sequence[str] | None) -> dict[str, dict[str, Any]]:
        query = NODES.get((label, keys is not None))
        if query is None:
            return {}
        key_prop = key_property(label)
        out = {}
        for r in self._read(query, keys=list(keys or ())):
            props = dict(r["props"])
            props.pop(key_prop, None)
            out[str(r["key"])] = props
        return out

    def q_memberships(self, actor_ids: Sequence[str]) -> list[Member]:
        return [
            member(
                _entity(r["actor"]),
                _entity(r["network"]),
                r["r1"],
                _entity(r["via"]) if r["via"] is not None else None,
                r["r2"],
            )
            for r in self._read(MEMBERSHIPS, **_keys_by_label(actor_ids))
        ]

    def q_incidences(self, actor_id: str) -> list[Incidence]:
        label, key = split_node_id(actor_id)
        if label not in INCIDENCES:
            return []
        found = self._read(INCIDENCES[label], key=key)
        if not found:
            return []
        nodes = {n["id"]: _entity(n["node"]) for n in found[0]["nodes"]}
        return [
            Incidence(nodes[x], nodes[h], rel, sources_of(sources), role)
            for x, h, rel, sources, role in found[0]["incidences"]
        ]

    def q_paths(self, a_id: str, b_id: str, include_admin: bool, cap: int) -> list[RawPath]:
        la, ka = split_node_id(a_id)
        lb, kb = split_node_id(b_id)
        query = PATHS.get((la, lb, include_admin))
        if query is None or a_id == b_id:
            return []
        found = self._read(query, a=ka, b=kb, cap=cap)
        if not found:
            return []
        r = found[0]
        nodes = {n["id"]: _entity(n["node"]) for n in r["nodes"]}
        steps = {
            s["ref"]: Step(s["rel"], s["start"], s["end"], sources_of(s["sources"]), s["role"])
            for s in r["steps"]
        }
        return [
            RawPath(tuple(nodes[n] for n in ns), tuple(steps[ref] for ref in refs))
            for ns, refs in zip(r["paths"], r["refs"], strict=True)
        ]

    def q_actor_work(self, actor_ids: Sequence[str], topic_key: str | None) -> list[WorkRow]:
        recs = self._read(
            ACTOR_WORK[topic_key is not None], topic=topic_key, **_keys_by_label(actor_ids)
        )
        # about one topic, every row names the same one: made into an entity once
        one = _entity(recs[0]["topic"]) if topic_key is not None and recs else None
        return [
            WorkRow(
                r["actor"],
                _entity(r["item"]),
                r["rel"],
                one or _entity(r["topic"]),
                sources_of(r["sources"]),
                r["role"],
            )
            for r in recs
        ]

    def q_workshops(
        self, actor_id: str | None, topic_key: str | None, limit: int
    ) -> tuple[int, list[WorkshopRow]]:
        params: dict[str, Any] = {"topic": topic_key, "limit": limit}
        label = None
        if actor_id is not None:
            label, params["actor"] = split_node_id(actor_id)
        query = WORKSHOPS.get((label, topic_key is not None))
        if query is None:
            return 0, []
        recs = self._read(query, **params)
        total = int(recs[0]["total"]) if recs else 0
        rows = [
            WorkshopRow(
                _entity(r["workshop"]),
                r["date"],
                r["date_end"],
                r["place"],
                bool(r["inferred"]),
                tuple(
                    Participation(
                        _entity(p["actor"]), p["rel"], p["role"], sources_of(p["sources"])
                    )
                    for p in r["participants"]
                ),
                tuple(_entity(t) for t in r["topics"]),
                sources_of(r["sources"]),
            )
            for r in recs
            if r["workshop"] is not None
        ]
        return total, rows

    def q_tie_groups(self) -> list[tuple[str, str, tuple[str, ...]]]:
        return [(r["hub"], r["kind"], tuple(sorted(r["actors"]))) for r in self._read(TIE_GROUPS)]
