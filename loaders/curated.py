"""Loader for the curated YAML files in ``data/`` (format: ``data/README.md``).

Every entry is validated with pydantic before anything is returned; all problems of all
files are collected and raised together, each with file, line and field, so that a
curator fixes them in one go. Relationships written inside an entry inherit the entry's
sources unless they name their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from graph.core.errors import Problem, ValidationFailed
from graph.core.german import field_path, german_message
from graph.core.model import AGS_SHAPE, ARS_SHAPE
from graph.core.records import Batch, Node, Ref, Rel
from loaders import yaml_lines
from loaders.fields import Ags, Ars, DateText, Id, LongText, StateCode, Text, Url
from loaders.textfile import read_utf8

Sources = Annotated[list[Id], Field(min_length=1)]
Confidence = Literal["low", "medium"]

MUNICIPALITY_KINDS = Literal[
    "Gemeinde",
    "Stadt",
    "Große Kreisstadt",
    "Markt",
    "kreisfreie Stadt",
    "Stadtkreis",
    "Kreis",
    "Landkreis",
    "Regionalverband",
]

VERBAND_KINDS = Literal[
    "Amt",
    "Samtgemeinde",
    "Verbandsgemeinde",
    "Verwaltungsgemeinschaft",
    "Kirchspielslandgemeinde",
    "Verwaltungsverband",
    "Erfüllende Gemeinde",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


class _Fact(_Strict):
    sources: Sources
    confidence: Confidence | None = None
    note: LongText | None = None


class RefItem(_Strict):
    """A reference with details of its own (role, dates, sources)."""

    ref: Text
    role: Text | None = None
    since: DateText | None = None
    #: the last day the relationship held (a membership that ended); unknown: left out
    until: DateText | None = None
    staffel: int | None = None
    funding_eur: int | None = None
    funding_note: LongText | None = None
    confidence: Confidence | None = None
    note: LongText | None = None
    sources: Sources | None = None


RefList = list[Text | RefItem]


class Dated(_Strict):
    value: int
    date: DateText
    sources: Sources


class Location(_Strict):
    lat: float = Field(ge=47.0, le=55.5)
    lon: float = Field(ge=5.5, le=15.5)
    sources: Sources
    note: LongText | None = None


class Website(_Strict):
    url: Url
    title: Text | None = None


class InferredSections(_Strict):
    sections: Annotated[list[Text], Field(min_length=1)]
    note: LongText | None = None
    sources: Sources


class SourceEntry(_Strict):
    id: Id
    url: Url
    title: Text
    publisher: Text | None = None
    date: DateText | None = None
    note: LongText | None = None


class StateEntry(_Fact):
    code: StateCode
    name: Text
    abbr: Text


class MunicipalityEntry(_Fact):
    ags: Ags
    id: Id | None = None
    name: Text
    full_name: Text | None = None
    official_name: Text | None = None
    kind: MUNICIPALITY_KINDS
    part_of: Ags | None = None
    population: Dated | None = None
    location: Location | None = None
    seat: Text | None = None
    summary: LongText | None = None
    websites: list[Website] = []


class GemeindeverbandEntry(_Fact):
    """A Gemeindeverband as the directory has it (its members come from the directory)."""

    ars: Ars
    name: Text
    full_name: Text | None = None
    official_name: Text | None = None
    kind: VERBAND_KINDS
    part_of: Ags
    seat: Text | None = None
    location: Location | None = None
    member_count: int | None = None


class OrganisationEntry(_Fact):
    id: Id
    name: Text
    short_name: Text | None = None
    kind: Text
    summary: LongText | None = None
    seat: Text | None = None
    founded: DateText | None = None
    state: StateCode | None = None
    websites: list[Website] = []
    members: RefList = []


class CategoryCount(_Strict):
    name: Text
    count: int


class StaffelEntry(_Strict):
    """One call of a programme (the Smart Cities Staffeln 2019, 2020, 2021)."""

    staffel: int
    call_published: DateText | None = None
    deadline: DateText | None = None
    selected: DateText | None = None
    count: int
    applications: int | None = None
    applications_approximate: bool = False
    motto: Text | None = None
    categories: list[CategoryCount] = []
    kickoff: DateText | None = None
    summary: LongText | None = None
    budget_note: LongText | None = None
    note: LongText | None = None
    sources: Sources


class NetworkEntry(_Fact):
    id: Id
    name: Text
    kind: Literal["Pilotvorhaben", "Netzwerk", "Folgeprogramm", "Förderprogramm"]
    level: Text | None = None
    name_variants: list[Text] = []
    start: DateText | None = None
    end: DateText | None = None
    end_note: LongText | None = None
    summary: LongText | None = None
    eligibility: LongText | None = None
    funding_note: LongText | None = None
    participant_count: int | None = None
    goals: list[LongText] = []
    website: Url | None = None
    partners: RefList = []
    members: RefList = []
    staffeln: list[StaffelEntry] = []


class TopicEntry(_Fact):
    id: Id
    name: Text
    facet: Literal["Baustein", "OZG-Themenfeld", "Smart-City-Handlungsfeld"]
    summary: LongText | None = None


class ProjectEntry(_Fact):
    id: Id
    title: Text
    summary: LongText | None = None
    run_by: Annotated[RefList, Field(min_length=1)]
    partners: RefList = []
    topics: list[Id] = []
    programme: Id | None = None
    phase: Literal["Pilotvorhaben", "nach dem Pilotvorhaben"] | None = None
    status: Text | None = None
    start: DateText | None = None
    end: DateText | None = None
    egovg_sections: list[Text] | None = None
    egovg_sections_inferred: InferredSections | None = None
    websites: list[Website] = []


class WorkshopEntry(_Fact):
    id: Id
    kind: Literal["Workshop", "Auftakt", "Roundtable", "Abschlussveranstaltung", "Barcamp"]
    title: Text
    date: DateText | None = None
    date_end: DateText | None = None
    place: Text | None = None
    summary: LongText | None = None
    host: Text | RefItem | None = None
    co_hosts: RefList = []
    attendees: RefList = []
    attendees_note: LongText | None = None
    topics: list[Id] = []
    programme: Id | None = None
    inferred: bool = False


class ReportEntry(_Fact):
    id: Id
    kind: Literal[
        "Sachstandsbericht",
        "Konzept",
        "Umsetzungsbericht",
        "Ergebnisbeitrag",
        "Zwischenbericht",
        "Projektbericht",
        "Leitfaden",
    ]
    title: Text
    date: DateText | None = None
    url: Url | None = None
    located: bool | None = None
    publisher: Text | None = None
    pages: Text | None = None
    summary: LongText | None = None
    authors: RefList = []
    concerns: RefList = []
    topics: list[Id] = []
    programme: Id | None = None


class CooperationEntry(_Fact):
    id: Id
    kind: Literal[
        "Kooperationsvereinbarung",
        "interkommunal",
        "ebenenübergreifend",
        "Dienstleistungspartnerschaft",
    ]
    title: Text
    since: DateText | None = None
    place: Text | None = None
    summary: LongText | None = None
    goals: list[LongText] = []
    parties: Annotated[RefList, Field(min_length=1)]
    topics: list[Id] = []
    programme: Id | None = None


class FindingEntry(_Fact):
    id: Id
    kind: Literal[
        "Hindernis",
        "Erfolgsfaktor",
        "Rahmenbedingung",
        "Methode",
        "Grundsatz",
        "Empfehlung",
        "Ergebnis",
        "Gesamtbewertung",
    ]
    title: Text
    statement: LongText
    concerns: RefList = []
    topics: list[Id] = []


class Match(_Strict):
    """How a participant was tied to the directory (data/programme/README.md, Matching)."""

    how: Literal["unique", "by-level", "by-kreis", "official-name", "judgement", "none"]
    official_name: Text | None = None
    kind: Text | None = None
    kreis: Ags | None = None
    note: LongText | None = None
    reason: Text | None = None


class Body(_Strict):
    """A Körperschaft taking part: by its directory key (or an organisation's id)."""

    ref: Text
    name: Text
    name_variants: list[Text] = []
    role: Literal["Federführung", "Mitglied"] | None = None
    level: Literal["Gemeinde", "Gemeindeverband", "Kreis"] | None
    land: StateCode | None
    land_stated: bool | None = None
    match: Match
    confidence: Confidence | None = None
    note: LongText | None = None
    sources: Sources | None = None


class ProgrammePartner(_Strict):
    ref: Text
    name: Text
    role: Literal["Partner"]
    since: DateText | None = None
    note: LongText | None = None
    sources: Sources | None = None


class ParticipantEntry(_Fact):
    """One participation in a programme: a single Körperschaft (→ its model project, a
    `Project`) or a joint project with members (→ a `Cooperation`)."""

    id: Id
    programme: Id
    staffel: int | None = None
    category: Text
    regierungsbezirk: Text | None = None
    role: Literal["Modellprojekt", "Modellregion"]
    form: Literal["Gemeinde", "Gemeindeverband", "Kreis", "Verbund", "Organisation"]
    name: Text
    name_in_list: Text | None = None
    project_title: Text | None = None
    name_variants: list[Text] = []
    since: DateText
    project_start: DateText | None = None
    until: DateText | None
    participant: Body | None = None
    members: list[Body] = []
    partners: list[ProgrammePartner] = []
    member_count: int | None = None
    member_count_note: LongText | None = None
    topics: list[Id] = []
    keywords: list[Text] = []
    topics_collected: bool | None = None
    summary: LongText | None = None
    funding_note: LongText | None = None
    also_in: list[Id] = []

    @model_validator(mode="after")
    def _one_kind(self) -> ParticipantEntry:
        if (self.participant is None) == (not self.members):
            raise ValueError("genau eines von „participant“ oder „members“ angeben")
        return self


SECTIONS: dict[str, tuple[type[_Strict], str]] = {
    "sources": (SourceEntry, "Source"),
    "states": (StateEntry, "State"),
    "municipalities": (MunicipalityEntry, "Municipality"),
    "gemeindeverbaende": (GemeindeverbandEntry, "Gemeindeverband"),
    "organisations": (OrganisationEntry, "Organisation"),
    "networks": (NetworkEntry, "Network"),
    "topics": (TopicEntry, "Topic"),
    "projects": (ProjectEntry, "Project"),
    "workshops": (WorkshopEntry, "Workshop"),
    "reports": (ReportEntry, "Report"),
    "cooperations": (CooperationEntry, "Cooperation"),
    "findings": (FindingEntry, "Finding"),
    # a participation's node: a Project, or a Cooperation for a joint one (`_label`)
    "participants": (ParticipantEntry, "Project"),
}


def _label(section: str, entry: _Strict) -> str:
    """The node label of an entry: a joint participation is a Cooperation."""
    if isinstance(entry, ParticipantEntry) and entry.members:
        return "Cooperation"
    return SECTIONS[section][1]


def read_curated(path: str | Path, *, subfolders: bool = True) -> Batch:
    """All curated facts in ``path`` (a directory of ``*.yaml`` files, with those of its
    sub-folders — ``data/programme/`` — unless ``subfolders`` is false, or one file).

    Raises `ValidationFailed` listing every problem found; returns nothing partial.
    """
    root = Path(path)
    pattern = root.rglob if subfolders else root.glob
    files = sorted(pattern("*.yaml")) if root.is_dir() else [root]
    if root.is_dir() and not files:
        raise ValidationFailed([Problem(str(root), None, None, "keine .yaml-Dateien gefunden")])
    builder = _Builder(str(root))
    for file in files:
        builder.read_file(file)
    return builder.finish()


class _Builder:
    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.problems: list[Problem] = []
        # (entry, section, file, raw) for the second pass, once all ids are known
        self.entries: list[tuple[_Strict, str, str, yaml_lines.LineDict]] = []
        self.ids: dict[str, tuple[str, str]] = {}  # id or alias -> (label, key)
        self.id_where: dict[str, str] = {}
        self.defined: dict[tuple[str, str], str] = {}
        self.batch = Batch(origin)

    def read_file(self, file: Path) -> None:
        name = str(file)
        try:
            text = read_utf8(file, name)
        except ValidationFailed as exc:
            self.problems.extend(exc.problems)
            return
        try:
            doc = yaml_lines.load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            what = getattr(exc, "problem", None) or str(exc)
            self.problems.append(Problem(name, line, None, f"YAML-Syntaxfehler: {what}"))
            return
        if doc is None:
            self.problems.append(Problem(name, None, None, "Datei ist leer"))
            return
        if not isinstance(doc, yaml_lines.LineDict):
            self.problems.append(
                Problem(
                    name, 1, None, "oberste Ebene muss Abschnitte enthalten (z. B. „projects:“)"
                )
            )
            return
        for section, items in doc.items():
            line = doc.lines[section]
            if section not in SECTIONS:
                known = ", ".join(SECTIONS)
                self.problems.append(
                    Problem(name, line, section, f"unbekannter Abschnitt (erlaubt: {known})")
                )
                continue
            if not isinstance(items, yaml_lines.LineList):
                self.problems.append(Problem(name, line, section, "Liste von Einträgen erwartet"))
                continue
            for raw, item_line in zip(items, items.lines, strict=True):
                self._validate(name, section, raw, item_line)

    def _validate(self, file: str, section: str, raw: Any, line: int) -> None:
        model = SECTIONS[section][0]
        if not isinstance(raw, yaml_lines.LineDict):
            self.problems.append(Problem(file, line, section, "Eintrag mit Feldern erwartet"))
            return
        try:
            entry = model.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(err["loc"])
                self.problems.append(
                    Problem(
                        file,
                        yaml_lines.line_of(raw, loc, line),
                        field_path(loc) or None,
                        german_message(err),
                    )
                )
            return
        label = _label(section, entry)
        key = str(
            next(v for v in (getattr(entry, f, None) for f in ("code", "ags", "ars", "id")) if v)
        )
        where = f"{file}:{line}"
        if (label, key) in self.defined:
            self.problems.append(
                Problem(
                    file, line, "id", f"„{key}“ ist schon definiert ({self.defined[(label, key)]})"
                )
            )
            return
        self.defined[(label, key)] = where
        for ident in (key, getattr(entry, "id", None)):
            if ident is None:
                continue
            if ident in self.ids and self.ids[ident] != (label, key):
                self.problems.append(
                    Problem(
                        file, line, "id", f"„{ident}“ ist schon vergeben ({self.id_where[ident]})"
                    )
                )
                return
            self.ids[ident] = (label, key)
            self.id_where[ident] = where
        self.entries.append((entry, section, file, raw))

    # -- second pass: records ---------------------------------------------------------------

    def finish(self) -> Batch:
        build = self._builders()
        for entry, section, file, raw in self.entries:
            build[section](entry, file, raw)
        if self.problems:
            raise ValidationFailed(self.problems)
        return self.batch

    def _builders(self) -> dict[str, Callable[[Any, str, yaml_lines.LineDict], None]]:
        """The record builder of each section (one per key of `SECTIONS`)."""
        return {
            "sources": self._sources,
            "states": self._states,
            "municipalities": self._municipalities,
            "gemeindeverbaende": self._gemeindeverbaende,
            "organisations": self._organisations,
            "networks": self._networks,
            "topics": self._topics,
            "projects": self._projects,
            "workshops": self._workshops,
            "reports": self._reports,
            "cooperations": self._cooperations,
            "findings": self._findings,
            "participants": self._participants,
        }

    def _ref(self, text: str) -> Ref:
        if AGS_SHAPE.match(text):
            return Ref(text, "Municipality")
        if ARS_SHAPE.match(text):
            return Ref(text, "Gemeindeverband")
        if text in self.ids:
            label, key = self.ids[text]
            return Ref(key, label)
        return Ref(text)  # resolved against the stored graph, or refused with file:line

    def _where(self, file: str, raw: yaml_lines.LineDict, *loc: int | str) -> str:
        return f"{file}:{yaml_lines.line_of(raw, loc, raw.line)}"

    def _node(self, label: str, key: str, props: dict[str, Any], where: str) -> None:
        clean = {k: v for k, v in props.items() if v is not None and v != []}
        self.batch.nodes.append(Node(label, key, clean, where))

    def _rels(
        self,
        rtype: str,
        field: str,
        items: Iterable[str | RefItem],
        this: Ref,
        outgoing: bool,
        entry: _Fact,
        file: str,
        raw: yaml_lines.LineDict,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Relationships from a list field; ``outgoing`` = this entry is the start."""
        for i, item in enumerate(items):
            if isinstance(item, RefItem):
                other = self._ref(item.ref)
                props = item.model_dump(exclude={"ref"}, exclude_none=True)
                props.setdefault("sources", list(entry.sources))
            else:
                other = self._ref(item)
                props = {"sources": list(entry.sources)}
            props = {**(extra or {}), **props}
            where = self._where(file, raw, field, i)
            start, end = (this, other) if outgoing else (other, this)
            self.batch.rels.append(Rel(rtype, start, end, props, where))

    @staticmethod
    def _fact_props(entry: _Fact) -> dict[str, Any]:
        return {"sources": list(entry.sources), "confidence": entry.confidence, "note": entry.note}

    @staticmethod
    def _websites(sites: list[Website]) -> dict[str, Any]:
        return {
            "websites": [w.url for w in sites],
            "website_titles": [w.title or w.url for w in sites],
        }

    @staticmethod
    def _location(loc: Location) -> dict[str, Any]:
        return {
            "lat": loc.lat,
            "lon": loc.lon,
            "location_sources": list(loc.sources),
            "location_note": loc.note,
        }

    def _sources(self, e: SourceEntry, file: str, raw: yaml_lines.LineDict) -> None:
        props = e.model_dump(exclude={"id"}, exclude_none=True)
        self._node("Source", e.id, props, self._where(file, raw))

    def _states(self, e: StateEntry, file: str, raw: yaml_lines.LineDict) -> None:
        self._node(
            "State",
            e.code,
            {"name": e.name, "abbr": e.abbr, **self._fact_props(e)},
            self._where(file, raw),
        )

    def _municipalities(self, e: MunicipalityEntry, file: str, raw: yaml_lines.LineDict) -> None:
        sources = list(e.sources)
        props: dict[str, Any] = {
            "name": e.name,
            "full_name": e.full_name,
            "official_name": e.official_name,
            "kind": e.kind,
            "level": "Kreis" if len(e.ags) == 5 else "Gemeinde",
            "state_code": e.ags[:2],
            "alias": e.id,
            "seat": e.seat,
            "summary": e.summary,
            **self._websites(e.websites),
            **self._fact_props(e),
        }
        if e.population:
            props |= {
                "population": e.population.value,
                "population_date": e.population.date,
                "population_sources": list(e.population.sources),
            }
            sources += [s for s in e.population.sources if s not in sources]
        if e.location:
            props |= self._location(e.location)
            sources += [s for s in e.location.sources if s not in sources]
        props["sources"] = sources
        where = self._where(file, raw)
        self._node("Municipality", e.ags, props, where)
        this = Ref(e.ags, "Municipality")
        self.batch.rels.append(
            Rel("IN_STATE", this, Ref(e.ags[:2], "State"), {"sources": list(e.sources)}, where)
        )
        if e.part_of:
            self.batch.rels.append(
                Rel(
                    "PART_OF",
                    this,
                    Ref(e.part_of, "Municipality"),
                    {"sources": list(e.sources)},
                    self._where(file, raw, "part_of"),
                )
            )

    def _organisations(self, e: OrganisationEntry, file: str, raw: yaml_lines.LineDict) -> None:
        self._node(
            "Organisation",
            e.id,
            {
                "name": e.name,
                "short_name": e.short_name,
                "kind": e.kind,
                "summary": e.summary,
                "seat": e.seat,
                "founded": e.founded,
                "state_code": e.state,
                **self._websites(e.websites),
                **self._fact_props(e),
            },
            self._where(file, raw),
        )
        this = Ref(e.id, "Organisation")
        self._rels("MEMBER_OF", "members", e.members, this, False, e, file, raw)

    def _gemeindeverbaende(
        self, e: GemeindeverbandEntry, file: str, raw: yaml_lines.LineDict
    ) -> None:
        props: dict[str, Any] = {
            "name": e.name,
            "full_name": e.full_name,
            "official_name": e.official_name,
            "kind": e.kind,
            "state_code": e.ars[:2],
            "seat": e.seat,
            "member_count": e.member_count,
            **self._fact_props(e),
        }
        if e.location:
            props |= self._location(e.location)
        where = self._where(file, raw)
        self._node("Gemeindeverband", e.ars, props, where)
        this = Ref(e.ars, "Gemeindeverband")
        rel = {"sources": list(e.sources)}
        self.batch.rels.append(Rel("IN_STATE", this, Ref(e.ars[:2], "State"), rel, where))
        self.batch.rels.append(
            Rel(
                "PART_OF",
                this,
                Ref(e.part_of, "Municipality"),
                rel,
                self._where(file, raw, "part_of"),
            )
        )

    def _networks(self, e: NetworkEntry, file: str, raw: yaml_lines.LineDict) -> None:
        st = e.staffeln
        self._node(
            "Network",
            e.id,
            {
                "name": e.name,
                "kind": e.kind,
                "level": e.level,
                "name_variants": e.name_variants,
                "start": e.start,
                "end": e.end,
                "end_note": e.end_note,
                "summary": e.summary,
                "eligibility": e.eligibility,
                "funding_note": e.funding_note,
                "participant_count": e.participant_count,
                "goals": e.goals,
                "website": e.website,
                # Staffeln as parallel lists (a store property holds no maps); "" = unknown
                "staffeln": [s.staffel for s in st],
                "staffel_selected": [s.selected or "" for s in st],
                "staffel_counts": [s.count for s in st],
                "staffel_applications": [s.applications or 0 for s in st],
                "staffel_mottos": [s.motto or "" for s in st],
                "staffel_summaries": [s.summary or "" for s in st],
                "staffel_notes": [s.note or "" for s in st],
                "staffel_sources": sorted({x for s in st for x in s.sources}),
                **self._fact_props(e),
            },
            self._where(file, raw),
        )
        this = Ref(e.id, "Network")
        self._rels("PARTNER_OF", "partners", e.partners, this, False, e, file, raw)
        self._rels("MEMBER_OF", "members", e.members, this, False, e, file, raw)

    def _topics(self, e: TopicEntry, file: str, raw: yaml_lines.LineDict) -> None:
        self._node(
            "Topic",
            e.id,
            {"name": e.name, "facet": e.facet, "summary": e.summary, **self._fact_props(e)},
            self._where(file, raw),
        )

    def _common_links(self, e: Any, this: Ref, file: str, raw: yaml_lines.LineDict) -> None:
        self._rels("ABOUT", "topics", e.topics, this, True, e, file, raw)
        if getattr(e, "programme", None):
            self._rels("IN_PROGRAMME", "programme", [e.programme], this, True, e, file, raw)

    def _projects(self, e: ProjectEntry, file: str, raw: yaml_lines.LineDict) -> None:
        inferred = e.egovg_sections_inferred
        self._node(
            "Project",
            e.id,
            {
                "title": e.title,
                "summary": e.summary,
                "status": e.status,
                "phase": e.phase,
                "start": e.start,
                "end": e.end,
                "egovg_sections": e.egovg_sections,
                "egovg_sections_inferred": inferred.sections if inferred else None,
                "egovg_inferred_note": inferred.note if inferred else None,
                "egovg_inferred_sources": list(inferred.sources) if inferred else None,
                **self._websites(e.websites),
                **self._fact_props(e),
            },
            self._where(file, raw),
        )
        this = Ref(e.id, "Project")
        self._rels("RUNS", "run_by", e.run_by, this, False, e, file, raw)
        self._rels(
            "PARTNER_OF",
            "partners",
            e.partners,
            this,
            False,
            e,
            file,
            raw,
            {"role": "Projektpartner"},
        )
        self._common_links(e, this, file, raw)

    def _workshops(self, e: WorkshopEntry, file: str, raw: yaml_lines.LineDict) -> None:
        self._node(
            "Workshop",
            e.id,
            {
                "kind": e.kind,
                "title": e.title,
                "date": e.date,
                "date_end": e.date_end,
                "place": e.place,
                "summary": e.summary,
                "attendees_note": e.attendees_note,
                "inferred": e.inferred or None,
                **self._fact_props(e),
            },
            self._where(file, raw),
        )
        this = Ref(e.id, "Workshop")
        if e.host is not None:
            self._rels("HOSTED", "host", [e.host], this, False, e, file, raw, {"role": "Gastgeber"})
        self._rels(
            "HOSTED", "co_hosts", e.co_hosts, this, False, e, file, raw, {"role": "Mitveranstalter"}
        )
        self._rels("ATTENDED", "attendees", e.attendees, this, False, e, file, raw)
        self._common_links(e, this, file, raw)

    def _reports(self, e: ReportEntry, file: str, raw: yaml_lines.LineDict) -> None:
        self._node(
            "Report",
            e.id,
            {
                "kind": e.kind,
                "title": e.title,
                "date": e.date,
                "url": e.url,
                "located": e.located,
                "publisher": e.publisher,
                "pages": e.pages,
                "summary": e.summary,
                **self._fact_props(e),
            },
            self._where(file, raw),
        )
        this = Ref(e.id, "Report")
        self._rels("AUTHORED", "authors", e.authors, this, False, e, file, raw)
        self._rels("CONCERNS", "concerns", e.concerns, this, True, e, file, raw)
        self._common_links(e, this, file, raw)

    def _cooperations(self, e: CooperationEntry, file: str, raw: yaml_lines.LineDict) -> None:
        self._node(
            "Cooperation",
            e.id,
            {
                "kind": e.kind,
                "title": e.title,
                "since": e.since,
                "place": e.place,
                "summary": e.summary,
                "goals": e.goals,
                **self._fact_props(e),
            },
            self._where(file, raw),
        )
        this = Ref(e.id, "Cooperation")
        self._rels("PARTY_TO", "parties", e.parties, this, False, e, file, raw)
        self._common_links(e, this, file, raw)

    def _findings(self, e: FindingEntry, file: str, raw: yaml_lines.LineDict) -> None:
        self._node(
            "Finding",
            e.id,
            {
                "kind": e.kind,
                "title": e.title,
                "statement": e.statement,
                **self._fact_props(e),
            },
            self._where(file, raw),
        )
        this = Ref(e.id, "Finding")
        self._rels("CONCERNS", "concerns", e.concerns, this, True, e, file, raw)
        self._rels("ABOUT", "topics", e.topics, this, True, e, file, raw)

    # -- programmes (data/programme/README.md) ----------------------------------------------

    def _rel(self, rtype: str, start: Ref, end: Ref, props: dict[str, Any], where: str) -> None:
        clean = {k: v for k, v in props.items() if v is not None and v != []}
        self.batch.rels.append(Rel(rtype, start, end, clean, where))

    def _participants(self, e: ParticipantEntry, file: str, raw: yaml_lines.LineDict) -> None:
        """A single participant runs its model project (a `Project`); a joint one is a
        `Cooperation` of its members. Either is ``IN_PROGRAMME`` with the participation's
        role, Staffel, category and dates; topics are ``ABOUT`` it."""
        label = _label("participants", e)
        title = e.project_title if label == "Project" and e.project_title else e.name
        if label == "Project" and not e.project_title:
            title = f"{e.role} {e.name}"
        props: dict[str, Any] = {
            "title": title,
            "name_in_list": e.name_in_list,
            "project_title": e.project_title,
            "name_variants": e.name_variants,
            "summary": e.summary,
            "since": e.since,
            "start": e.project_start or e.since,
            "end": e.until,
            "staffel": e.staffel,
            "category": e.category,
            "programme_role": e.role,
            "regierungsbezirk": e.regierungsbezirk,
            "member_count": e.member_count,
            "member_count_note": e.member_count_note,
            "keywords": e.keywords,
            "topics_collected": e.topics_collected,
            "funding_note": e.funding_note,
            **self._fact_props(e),
        }
        if label == "Cooperation":
            props["kind"] = "interkommunal"
        where = self._where(file, raw)
        self._node(label, e.id, props, where)
        this = Ref(e.id, label)
        self._rel(
            "IN_PROGRAMME",
            this,
            self._ref(e.programme),
            {
                "role": e.role,
                "staffel": e.staffel,
                "category": e.category,
                "since": e.since,
                "until": e.until,
                "project_start": e.project_start,
                "sources": list(e.sources),
            },
            self._where(file, raw, "programme"),
        )
        if e.participant is not None:
            bodies: list[tuple[str, int | None, Body]] = [("participant", None, e.participant)]
            rtype = "RUNS"
        else:
            bodies = [("members", i, m) for i, m in enumerate(e.members)]
            rtype = "PARTY_TO"
        for fld, i, body in bodies:
            loc = (fld,) if i is None else (fld, i)
            self._rel(
                rtype,
                self._ref(body.ref),
                this,
                {
                    "role": body.role or ("Träger" if rtype == "RUNS" else None),
                    "confidence": body.confidence,
                    "note": body.note,
                    "match": body.match.how,
                    "match_note": body.match.note or body.match.reason,
                    "sources": list(body.sources or e.sources),
                },
                self._where(file, raw, *loc),
            )
        for i, partner in enumerate(e.partners):
            self._rel(
                "PARTY_TO" if label == "Cooperation" else "PARTNER_OF",
                self._ref(partner.ref),
                this,
                {
                    "role": partner.role,
                    "since": partner.since,
                    "note": partner.note,
                    "sources": list(partner.sources or e.sources),
                },
                self._where(file, raw, "partners", i),
            )
        self._rels("ABOUT", "topics", e.topics, this, True, e, file, raw)
