"""The write path, written once for both stores: check and resolve a batch
(`graph.core.prepare`), read what is stored, apply the upsert rule (`graph.core.merge`),
send only what changes, count it, and move the data version on.

A store takes part through `WriteTx`, a small interface over its open write transaction:
look keys up, read stored properties, write rows, bump the version. Everything between
those steps — and so "created / updated / unchanged", the counts of the summary and
"a file with any error writes nothing" — is this module's, the same on Neo4j and SQLite.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from graph.core.merge import upserts
from graph.core.prepare import prepare_batch
from graph.core.records import Batch, group_nodes, group_rels
from graph.core.store import WriteSummary

#: A relationship group: (type, start label, end label) — one statement each.
RelGroup = tuple[str, str, str]
#: A relationship within its group: (start key, end key).
Ends = tuple[str, str]


@dataclass(frozen=True)
class NodeChange:
    """A node to write: its properties after the upsert (``after``) and what differs from
    what is stored (``changes``, removed properties as ``None``)."""

    key: str
    after: dict[str, Any]
    changes: dict[str, Any]


@dataclass(frozen=True)
class RelChange:
    """A relationship to write, as `NodeChange`."""

    start: str
    end: str
    after: dict[str, Any]
    changes: dict[str, Any]


class WriteTx(Protocol):
    """What the write path needs from a store inside one open write transaction."""

    def existing(self, refs: set[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of these (label, key) pairs are stored."""
        ...

    def stored_nodes(self, label: str, keys: list[str]) -> Mapping[str, dict[str, Any]]:
        """Stored properties (without the key) of the nodes of ``label`` among ``keys``."""
        ...

    def put_nodes(self, label: str, rows: list[NodeChange]) -> None:
        """Create or update these nodes of ``label``."""
        ...

    def stored_rels(self, group: RelGroup, ends: list[Ends]) -> Mapping[Ends, dict[str, Any]]:
        """Stored properties of the relationships of ``group`` among ``ends``."""
        ...

    def put_rels(self, group: RelGroup, rows: list[RelChange]) -> None:
        """Create or update these relationships of ``group``."""
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
    created: set[tuple[str, str]] = set()  # a new node has no relationships to read
    for label, nodes in group_nodes(batch.nodes).items():
        stored = dict(tx.stored_nodes(label, [n.key for n in nodes]))
        rows = []
        for key, after, changes, is_new in upserts(((n.key, n.props) for n in nodes), stored):
            if is_new:
                summary.nodes_created[label] += 1
                created.add((label, key))
            else:
                summary.nodes_updated[label] += 1
            rows.append(NodeChange(key, after, changes))
        if rows:
            tx.put_nodes(label, rows)
    for group, rels in group_rels(batch.rels).items():
        rtype, start_label, end_label = group
        ends = [
            (r.start.key, r.end.key)
            for r in rels
            if (start_label, r.start.key) not in created and (end_label, r.end.key) not in created
        ]
        stored_rels = dict(tx.stored_rels(group, ends)) if ends else {}
        rel_rows = []
        records = (((r.start.key, r.end.key), r.props) for r in rels)
        for (start, end), after, changes, is_new in upserts(records, stored_rels):
            counter = summary.rels_created if is_new else summary.rels_updated
            counter[rtype] += 1
            rel_rows.append(RelChange(start, end, after, changes))
        if rel_rows:
            tx.put_rels(group, rel_rows)
    if summary.changed:
        tx.bump_version()
    return summary
