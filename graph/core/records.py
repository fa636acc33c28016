"""What a loader hands to a store: plain, already validated node and relationship records.

Loaders know file formats, stores know databases; these records are the only thing they
share. A relationship end may name its label or leave it open (``label=None``) when the
loader only knows a key, e.g. a CSV cell ``05358008`` or ``org-bmi``; the store resolves
such ends against the batch and the stored graph before it writes anything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graph.core.errors import Problem, SchemaError
from graph.core.model import (
    DATED_PROPS,
    NODE_TYPES,
    PRIVATE_RELS,
    REL_TYPES,
    SOURCES_PROP,
    UNSOURCED_LABELS,
    node_id,
)
from graph.core.text_rules import is_multiline_prop, problem_of


@dataclass(frozen=True)
class Ref:
    """A node by label and key; ``label`` is ``None`` while unresolved."""

    key: str
    label: str | None = None

    @property
    def id(self) -> str:
        if self.label is None:
            raise SchemaError(f"Verweis „{self.key}“ ist noch nicht aufgelöst")
        return node_id(self.label, self.key)


@dataclass(frozen=True)
class Node:
    """One node to upsert. ``props`` never holds the key; ``where`` says where it came from
    (``file:line``) so that a store can point at the input line when it refuses it."""

    label: str
    key: str
    props: Mapping[str, Any]
    where: str = ""

    @property
    def id(self) -> str:
        return node_id(self.label, self.key)


@dataclass(frozen=True)
class Rel:
    """One relationship to upsert; at most one per (type, start, end)."""

    type: str
    start: Ref
    end: Ref
    props: Mapping[str, Any]
    where: str = ""
    #: The input's field (column) for each end, when they came from one: so a message
    #: about an end that points nowhere can name the column (``durchgefuehrt_von``).
    fields: tuple[str | None, str | None] = (None, None)


@dataclass
class Batch:
    """Everything one input (a file or a directory of curated files) contributes.

    A store writes a batch all or nothing.
    """

    origin: str
    nodes: list[Node] = field(default_factory=list)
    rels: list[Rel] = field(default_factory=list)
    #: Non-fatal remarks for the user (e.g. "header text differs from the known layout").
    notices: list[str] = field(default_factory=list)

    def extend(self, other: Batch) -> None:
        self.nodes.extend(other.nodes)
        self.rels.extend(other.rels)
        self.notices.extend(other.notices)

    def counts(self) -> dict[str, Counter[str]]:
        return {
            "nodes": Counter(n.label for n in self.nodes),
            "relationships": Counter(r.type for r in self.rels),
        }


def _has_sources(props: Mapping[str, Any]) -> bool:
    value = props.get(SOURCES_PROP)
    return (
        isinstance(value, list | tuple)
        and len(value) > 0
        and all(isinstance(s, str) and s for s in value)
    )


def _text_problems(props: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    """(property, German reason) for each text that breaks `graph.core.text_rules`."""
    for prop, value in props.items():
        values = value if isinstance(value, list | tuple) else (value,)
        for v in values:
            if isinstance(v, str):
                reason = problem_of(v, multiline=is_multiline_prop(prop))
                if reason is not None:
                    yield prop, reason
                    break


def check_batch(batch: Batch, *, require_sources: bool = True) -> list[Problem]:
    """Check a batch against the model: known labels and types, keys of the right form,
    allowed ends, no duplicate keys, and a non-empty ``sources`` list on every public fact.

    Returns the problems found (empty if the batch is fine). Loaders validate their own
    input with file and line first; this is the last line of defence before a store writes.
    """
    problems: list[Problem] = []

    def add(where: str, fld: str | None, msg: str) -> None:
        file, _, line = where.rpartition(":")
        if file and line.isdigit():
            problems.append(Problem(file, int(line), fld, msg))
        else:
            problems.append(Problem(where or batch.origin, None, fld, msg))

    seen: set[str] = set()
    for n in batch.nodes:
        t = NODE_TYPES.get(n.label)
        if t is None:
            add(n.where, None, f"unbekannter Knotentyp „{n.label}“")
            continue
        if not t.key_pattern.match(n.key):
            add(n.where, t.key, f"ungültiger Schlüssel „{n.key}“ für {t.singular}")
        if n.id in seen:
            add(n.where, t.key, f"{t.singular} „{n.key}“ kommt mehrfach vor")
        seen.add(n.id)
        if t.key in n.props:
            add(n.where, t.key, "der Schlüssel gehört nicht in die Eigenschaften")
        if require_sources and n.label not in UNSOURCED_LABELS and not _has_sources(n.props):
            add(n.where, SOURCES_PROP, "keine Quelle angegeben (jede Aussage braucht eine)")
        for prop, date_prop in DATED_PROPS.items():
            if prop in n.props and date_prop not in n.props:
                add(n.where, date_prop, f"„{prop}“ ohne Stichtag „{date_prop}“")
        for prop, reason in _text_problems(n.props):
            add(n.where, prop, reason)

    seen_rels: set[tuple[str, str, str]] = set()
    for r in batch.rels:
        rt = REL_TYPES.get(r.type)
        if rt is None:
            add(r.where, None, f"unbekannter Beziehungstyp „{r.type}“")
            continue
        if r.start.label is not None and r.start.label not in rt.starts:
            add(r.where, None, f"{r.type} darf nicht bei {r.start.label} beginnen")
        if r.end.label is not None and r.end.label not in rt.ends:
            add(r.where, None, f"{r.type} darf nicht bei {r.end.label} enden")
        if require_sources and r.type not in PRIVATE_RELS and not _has_sources(r.props):
            add(r.where, SOURCES_PROP, f"Beziehung {r.type} ohne Quelle")
        for prop, reason in _text_problems(r.props):
            add(r.where, prop, reason)
        ident = (r.type, f"{r.start.label}:{r.start.key}", f"{r.end.label}:{r.end.key}")
        if ident in seen_rels:
            add(r.where, None, f"Beziehung {r.type} {r.start.key} → {r.end.key} doppelt")
        seen_rels.add(ident)
    return problems


def group_refs(refs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """(label, key) pairs as keys by label: one look-up statement per label."""
    out: dict[str, list[str]] = {}
    for label, key in refs:
        out.setdefault(label, []).append(key)
    return out


def group_nodes(nodes: Iterable[Node]) -> dict[str, list[Node]]:
    """Nodes by label, in input order: one write statement per label."""
    out: dict[str, list[Node]] = {}
    for n in nodes:
        out.setdefault(n.label, []).append(n)
    return out


def group_rels(rels: Iterable[Rel]) -> dict[tuple[str, str, str], list[Rel]]:
    """Resolved relationships by (type, start label, end label): one statement per group."""
    out: dict[tuple[str, str, str], list[Rel]] = {}
    for r in rels:
        if r.start.label is None or r.end.label is None:
            raise SchemaError(f"unaufgelöster Verweis in {r.where or r.type}")
        out.setdefault((r.type, r.start.label, r.end.label), []).append(r)
    return out
