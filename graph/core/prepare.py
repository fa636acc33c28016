"""What both stores do before they write a batch: check it against the model and resolve
every relationship end against the batch itself and the stored graph.

Kept apart from the stores so that "a file with any error loads nothing" means the same on
Neo4j and SQLite: both call `prepare_batch` inside their write transaction, with their own
`exists` lookup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from graph.core.errors import MissingReference, Problem, ValidationFailed
from graph.core.model import NODE_TYPES, REL_TYPES, SOURCES_PROP
from graph.core.records import Batch, Node, Ref, Rel, check_batch

Exists = Callable[[set[tuple[str, str]]], set[tuple[str, str]]]


def _problem(where: str, origin: str, message: str, fld: str | None = None) -> Problem:
    file, _, line = where.rpartition(":")
    if file and line.isdigit():
        return Problem(file, int(line), fld, message)
    return Problem(where or origin, None, fld, message)


def _candidates(ref: Ref, allowed: frozenset[str]) -> list[str]:
    if ref.label is not None:
        return [ref.label]
    return sorted(label for label in allowed if NODE_TYPES[label].key_pattern.match(ref.key))


def _cited_sources(batch: Batch) -> dict[str, list[str]]:
    """Every source id the batch cites, with where it is cited."""
    cited: dict[str, list[str]] = {}
    records: list[Node | Rel] = [*batch.nodes, *batch.rels]
    for rec in records:
        for source_id in rec.props.get(SOURCES_PROP) or ():
            cited.setdefault(source_id, []).append(rec.where)
    return cited


def prepare_batch(batch: Batch, exists: Exists, *, require_sources: bool = True) -> Batch:
    """Return ``batch`` with every relationship end resolved to a label.

    Raises `ValidationFailed` if the batch breaks the model, `MissingReference` if an end
    names a node that is neither in the batch nor in the store (or could be several), or
    a fact cites a source id that no Source node has.
    """
    problems = check_batch(batch, require_sources=require_sources)
    if problems:
        raise ValidationFailed(problems)

    in_batch = {(n.label, n.key) for n in batch.nodes}
    wanted: set[tuple[str, str]] = set()
    cited = _cited_sources(batch)
    wanted.update(("Source", s) for s in cited if ("Source", s) not in in_batch)
    for r in batch.rels:
        rt = REL_TYPES[r.type]
        for ref, allowed in ((r.start, rt.starts), (r.end, rt.ends)):
            if ref.label is not None:
                if (ref.label, ref.key) not in in_batch:
                    wanted.add((ref.label, ref.key))
                continue
            for label in _candidates(ref, allowed):
                if (label, ref.key) not in in_batch:
                    wanted.add((label, ref.key))
    stored = exists(wanted) if wanted else set()
    known = in_batch | stored

    resolved: list[Rel] = []
    missing: list[Problem] = []
    for source_id, wheres in cited.items():
        if ("Source", source_id) not in known:
            missing.extend(
                Problem(p.file, p.line, SOURCES_PROP, f"Quelle „{source_id}“ ist unbekannt")
                for p in (_problem(w, batch.origin, "") for w in wheres[:3])
            )
    for r in batch.rels:
        s_, e_ = r.start, r.end
        if s_.label and e_.label and (s_.label, s_.key) in known and (e_.label, e_.key) in known:
            resolved.append(r)  # the common case (a directory load): nothing to resolve
            continue
        rt = REL_TYPES[r.type]
        ends: list[Ref] = []
        ends_of = ((r.start, rt.starts, r.fields[0]), (r.end, rt.ends, r.fields[1]))
        for ref, allowed, column in ends_of:
            # the column names the end when the input had one; else say which relationship
            about = "" if column else f" (Beziehung „{rt.description}“)"
            hits = [lb for lb in _candidates(ref, allowed) if (lb, ref.key) in known]
            if len(hits) == 1:
                ends.append(Ref(ref.key, hits[0]))
                continue
            if not hits:
                what = (
                    NODE_TYPES[ref.label].singular
                    if ref.label
                    else " oder ".join(NODE_TYPES[lb].singular for lb in sorted(allowed))
                )
                missing.append(
                    _problem(
                        r.where,
                        batch.origin,
                        f"{what} „{ref.key}“ gibt es weder in dieser Eingabe noch im "
                        f"Graphen{about}",
                        column,
                    )
                )
            else:
                kinds = ", ".join(NODE_TYPES[lb].singular for lb in hits)
                missing.append(
                    _problem(
                        r.where,
                        batch.origin,
                        f"„{ref.key}“ ist mehrdeutig ({kinds}){about}",
                        column,
                    )
                )
            ends.append(ref)
        resolved.append(replace(r, start=ends[0], end=ends[1]))
    if missing:
        raise MissingReference(missing)
    return Batch(batch.origin, list(batch.nodes), resolved, list(batch.notices))
