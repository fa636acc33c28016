"""Loader for projects and cooperations kept in a spreadsheet and saved as CSV.

The format (documented in ``docs/csv-format.md``) is what a coordinator can keep in Excel
or LibreOffice: one row per project or cooperation, a header row, ``;`` or ``,`` between
columns (detected), several values in one cell separated by ``|``. Municipalities are
named by their AGS, everything else by its id; sources are ids of known sources or web
addresses, which become Source nodes of their own.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from graph.core.errors import Problem, ValidationFailed
from graph.core.german import german_message
from graph.core.model import AGS_SHAPE, ID_KEY, WEB_ADDRESS
from graph.core.records import Batch, Node, Ref, Rel
from loaders.fields import DateText, Id, LongText, Text
from loaders.textfile import read_utf8

#: A reference: an AGS (digits) or an id, both of the id form.
RefText = Id
#: A source: the id of a Source node, or a web address (which becomes one).
SourceText = Annotated[
    str, StringConstraints(pattern=f"(?:{ID_KEY.pattern})|(?:{WEB_ADDRESS.pattern})")
]

LIST_SEPARATOR = "|"


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: Id
    title: Text
    summary: LongText | None = None
    topics: list[Id] = []
    sources: Annotated[list[SourceText], Field(min_length=1)]
    programme: Id | None = None


class ProjectRow(_Row):
    run_by: Annotated[list[RefText], Field(min_length=1)]
    partners: list[RefText] = []
    status: Text | None = None
    start: DateText | None = None
    end: DateText | None = None
    phase: Literal["Pilotvorhaben", "nach dem Pilotvorhaben"] | None = None


class CooperationRow(_Row):
    kind: Literal[
        "Kooperationsvereinbarung",
        "interkommunal",
        "ebenenübergreifend",
        "Dienstleistungspartnerschaft",
    ]
    parties: Annotated[list[RefText], Field(min_length=2)]
    since: DateText | None = None
    place: Text | None = None
    goals: list[LongText] = []


#: German column names (and English ones) → field. The first name is the documented one.
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "title": ("titel", "title"),
    "summary": ("beschreibung", "summary"),
    "topics": ("themen", "topics"),
    "sources": ("quellen", "sources"),
    "programme": ("programm", "programme"),
    "run_by": ("durchgefuehrt_von", "durchgeführt_von", "run_by"),
    "partners": ("partner", "partners"),
    "status": ("status",),
    "start": ("beginn", "start"),
    "end": ("ende", "end"),
    "phase": ("phase",),
    "kind": ("art", "kind"),
    "parties": ("beteiligte", "parties"),
    "since": ("seit", "since"),
    "place": ("ort", "place"),
    "goals": ("ziele", "goals"),
}
LIST_FIELDS = {"topics", "sources", "run_by", "partners", "parties", "goals"}
REQUIRED = {
    "Project": ("id", "title", "run_by", "sources"),
    "Cooperation": ("id", "title", "kind", "parties", "sources"),
}


def _column_map(header: list[str]) -> dict[int, str]:
    lookup = {name: fld for fld, names in COLUMNS.items() for name in names}
    return {i: lookup.get(h.strip().lower(), "") for i, h in enumerate(header)}


def source_id_for_url(url: str) -> str:
    """A stable Source id for a web address given in a spreadsheet."""
    return "src-" + hashlib.sha1(url.encode()).hexdigest()[:12]


def read_csv(path: str | Path) -> Batch:
    """Projects or cooperations from a CSV file (kind told by its columns).

    Raises `ValidationFailed` with file, line and column for every problem; returns
    nothing partial.
    """
    file = Path(path)
    name = str(file)
    text = read_utf8(file, name)
    if not text.strip():
        raise ValidationFailed([Problem(name, None, None, "Datei ist leer")])
    first_line = text.splitlines()[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader)
    columns = _column_map(header)
    problems: list[Problem] = []
    unknown = [header[i] for i, f in columns.items() if not f and header[i].strip()]
    for col in unknown:
        problems.append(Problem(name, 1, col, "unbekannte Spalte (siehe docs/csv-format.md)"))
    present = set(columns.values())
    label = "Cooperation" if "parties" in present else "Project"
    model: type[_Row] = CooperationRow if label == "Cooperation" else ProjectRow
    for fld in REQUIRED[label]:
        if fld not in present:
            problems.append(Problem(name, 1, COLUMNS[fld][0], "Pflichtspalte fehlt"))
    if problems:
        raise ValidationFailed(problems)

    batch = Batch(name)
    seen: dict[str, int] = {}
    url_sources: dict[str, str] = {}
    line = reader.line_num
    for cells in reader:
        row_line, line = line + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            problems.append(
                Problem(
                    name, row_line, None, f"{len(cells)} Zellen, aber nur {len(header)} Spalten"
                )
            )
            continue
        raw: dict[str, Any] = {}
        for i, cell in enumerate(cells):
            fld = columns.get(i, "")
            value = cell.strip()
            if not fld or not value:
                continue
            if fld in LIST_FIELDS:
                raw[fld] = [v.strip() for v in value.split(LIST_SEPARATOR) if v.strip()]
            else:
                raw[fld] = value
        try:
            row = model.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors():
                fld = str(err["loc"][0]) if err["loc"] else ""
                col = COLUMNS[fld][0] if fld in COLUMNS else fld
                problems.append(Problem(name, row_line, col or None, german_message(err)))
            continue
        if row.id in seen:
            problems.append(
                Problem(name, row_line, "id", f"„{row.id}“ steht schon in Zeile {seen[row.id]}")
            )
            continue
        seen[row.id] = row_line
        _add_row(batch, label, row, f"{name}:{row_line}", url_sources)
    if problems:
        raise ValidationFailed(problems)
    return batch


def _start(fld: str) -> tuple[str | None, str | None]:
    """The column a relationship's start came from (for messages about it)."""
    return (COLUMNS[fld][0], None)


def _end(fld: str) -> tuple[str | None, str | None]:
    return (None, COLUMNS[fld][0])


def _ref(text: str) -> Ref:
    return Ref(text, "Municipality") if AGS_SHAPE.match(text) else Ref(text)


def _add_row(batch: Batch, label: str, row: _Row, where: str, url_sources: dict[str, str]) -> None:
    sources: list[str] = []
    for s in row.sources:
        if s.startswith(("http://", "https://")):
            sid = source_id_for_url(s)
            if s not in url_sources:
                url_sources[s] = sid
                batch.nodes.append(Node("Source", sid, {"url": s, "title": s}, where))
            sources.append(sid)
        else:
            sources.append(s)
    fact = {"sources": sources}
    data = row.model_dump(exclude_none=True)
    props = {
        k: v
        for k, v in data.items()
        if k not in ("id", "topics", "sources", "programme", "run_by", "partners", "parties")
        and v != []
    }
    batch.nodes.append(Node(label, row.id, {**props, **fact}, where))
    this = Ref(row.id, label)
    for topic in row.topics:
        batch.rels.append(
            Rel("ABOUT", this, Ref(topic, "Topic"), dict(fact), where, _end("topics"))
        )
    if row.programme:
        batch.rels.append(
            Rel(
                "IN_PROGRAMME",
                this,
                Ref(row.programme, "Network"),
                dict(fact),
                where,
                _end("programme"),
            )
        )
    if isinstance(row, ProjectRow):
        for actor in row.run_by:
            batch.rels.append(Rel("RUNS", _ref(actor), this, dict(fact), where, _start("run_by")))
        for partner in row.partners:
            batch.rels.append(
                Rel(
                    "PARTNER_OF",
                    _ref(partner),
                    this,
                    {**fact, "role": "Projektpartner"},
                    where,
                    _start("partners"),
                )
            )
    elif isinstance(row, CooperationRow):
        for party in row.parties:
            batch.rels.append(
                Rel("PARTY_TO", _ref(party), this, dict(fact), where, _start("parties"))
            )
