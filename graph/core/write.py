"""The write path, written once for both stores: check and resolve a batch
(`graph.core.prepare`), read what is stored, apply the upsert rule (`graph.core.merge`),
send only what changes, count it, and move the data version on.

A store takes part through `WriteTx`, a small interface over its open write transaction:
look keys up, read stored properties, write rows, bump the version. Everything between
those steps — and so "created / updated / unchanged", the counts of the summary and
"a file with any error writes nothing" — is this module's, the same on Neo4j and SQLite.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

from graph.core.merge import older_edition, upserts
from graph.core.prepare import prepare_batch
from graph.core.records import Batch, Node, Rel, group_nodes, group_rels
from graph.core.store import WriteSummary

#: A relationship group: (type, start label, end label) — one statement each.
RelGroup = tuple[str, str, str]
#: A relationship within its group: (start key, end key).
Ends = tuple[str, str]


#: A node to write: ``(key, after, changes, created)`` — its properties after the upsert,
#: what differs from what is stored (removed properties as ``None``), and whether it is
#: not stored yet (a store may then create instead of merge). Plain tuples: a
#: Germany-scale load streams 280,000 of them.
NodeChange = tuple[str, dict[str, Any], dict[str, Any], bool]
#: A relationship to write: ``(start key, end key, after, changes, created)``.
RelChange = tuple[str, str, dict[str, Any], dict[str, Any], bool]


class WriteTx(Protocol):
    """What the write path needs from a store inside one open write transaction."""

    def existing(self, refs: set[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of these (label, key) pairs are stored."""
        ...

    def stored_nodes(self, label: str, keys: list[str]) -> Mapping[str, dict[str, Any]]:
        """Stored properties (without the key) of the nodes of ``label`` among ``keys``."""
        ...

    def put_nodes(self, label: str, rows: Iterable[NodeChange]) -> None:
        """Create or update these nodes of ``label`` (an iterator: consume it once, in
        order; a directory load streams 11,000 of them)."""
        ...

    def stored_rels(self, group: RelGroup, ends: list[Ends]) -> Mapping[Ends, dict[str, Any]]:
        """Stored properties of the relationships of ``group`` among ``ends``."""
        ...

    def put_rels(self, group: RelGroup, rows: Iterable[RelChange]) -> None:
        """Create or update these relationships of ``group`` (an iterator, as for
        `put_nodes`)."""
        ...

    def bump_version(self) -> None:
        """Move the data version on (called once, when anything changed)."""
        ...


def write_batch(tx: WriteTx, batch: Batch, *, require_sources: bool = True) -> WriteSummary:
    """Upsert ``batch`` inside the transaction ``tx``: all or nothing, idempotent (a reload
    of unchanged data writes nothing). Raises `ValidationFailed` / `MissingReference`
    before the first write when the batch breaks the model or points nowhere."""
    summary = WriteSummary(nodes_total=len(batch.nodes), rels_total=len(batch.rels))
    batch = prepare_batch(batch, tx.existing, require_sources=require_sources)
    created: dict[str, set[str]] = {}  # keys by label: a new node has no relationships to read
    kept: dict[str, set[str]] = {}  # keys by label stored from a newer edition: left alone

    # The changes are streamed to the store, counted as they pass: at Germany scale a
    # list of 200,000 change records would only feed the garbage collector.
    def node_changes(label: str, nodes: list[Node]) -> Iterator[NodeChange]:
        stored = dict(tx.stored_nodes(label, [n.key for n in nodes]))
        new = created.setdefault(label, set())
        older = kept.setdefault(label, set())

        def records() -> Iterator[tuple[str, Mapping[str, Any]]]:
            for n in nodes:
                if older_edition(stored.get(n.key), n.props):
                    summary.nodes_kept[label] += 1
                    older.add(n.key)
                yield n.key, n.props

        for key, after, changes, is_new in upserts(records(), stored):
            if is_new:
                summary.nodes_created[label] += 1
                new.add(key)
            else:
                summary.nodes_updated[label] += 1
            yield key, after, changes, is_new

    def rel_changes(group: RelGroup, rels: list[Rel]) -> Iterator[RelChange]:
        rtype, start_label, end_label = group
        older = kept.get(start_label, set())
        if older:  # an older edition's relationships go with its nodes
            summary.rels_kept[rtype] += sum(1 for r in rels if r.start.key in older)
            rels = [r for r in rels if r.start.key not in older]
        new_starts, new_ends = created.get(start_label, set()), created.get(end_label, set())
        ends = [
            (r.start.key, r.end.key)
            for r in rels
            if r.start.key not in new_starts and r.end.key not in new_ends
        ]
        stored = dict(tx.stored_rels(group, ends)) if ends else {}
        records = (((r.start.key, r.end.key), r.props) for r in rels)
        for (start, end), after, changes, is_new in upserts(records, stored):
            counter = summary.rels_created if is_new else summary.rels_updated
            counter[rtype] += 1
            yield start, end, after, changes, is_new

    for label, nodes in group_nodes(batch.nodes).items():
        tx.put_nodes(label, node_changes(label, nodes))
    for group, rels in group_rels(batch.rels).items():
        tx.put_rels(group, rel_changes(group, rels))
    if summary.changed:
        tx.bump_version()
    return summary
