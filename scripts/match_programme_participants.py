#!/usr/bin/env python3
"""Abgleich der Programmteilnehmer in ``data/programme/`` mit dem amtlichen
Gemeindeverzeichnis (Destatis GV-ISys) – und eine Prüfung der Daten selbst.

Aufruf (im Wurzelordner des Repositoriums)::

    python scripts/match_programme_participants.py [VERZEICHNIS] [--data ORDNER] [--output DATEI]

``VERZEICHNIS`` ist ein Ordner mit einer AuszugGV-Arbeitsmappe (``*Auszug*GV*.xlsx``)
und/oder einer GV100AD-Datei (``GV100AD_*.txt`` oder die ZIP-Datei von Destatis), oder
eine solche Datei. Standard: ``$KOMMUNETZ_SHARED/data/municipalities``, sonst
``../shared/data/municipalities`` neben dem Repositorium. Die neueste AuszugGV-Ausgabe ist
die Referenz; weitere Ausgaben dienen dem Vergleich.

Für jede Körperschaft, die ein Teilnehmer nennt, sucht das Skript den Namen aus den
Quellen (normalisiert) auf der angegebenen Ebene (Gemeinde, Gemeindeverband, Kreis) im
angegebenen Land und vergleicht das Ergebnis mit der Entscheidung, die in den Daten steht
(``ref`` und ``match``). Es gibt je Teilnehmer „zugeordnet“, „nicht zugeordnet“ oder
„mehrdeutig“ mit Begründung aus und am Ende den Anteil der Teilnehmer mit amtlichem
Schlüssel (Ziel: mindestens 95 %).

Exit-Code: 0 = alles in Ordnung, 1 = Fehler in den Daten oder Ziel verfehlt,
2 = Aufruf- oder Eingabefehler (z. B. kein Gemeindeverzeichnis gefunden; die Prüfung der
Daten wird trotzdem ausgegeben).

Bewusst eigenständig (nur Standardbibliothek, PyYAML und python-calamine) und ohne Import
aus ``loaders/``: Das Skript soll unabhängig vom Umbau der Lader laufen und in jedem Klon
funktionieren. Die Zuordnung der Textkennzeichen folgt deshalb hier eigens der
Destatis-Beschreibung.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
TARGET_SHARE = 0.95
DESTATIS_URL = (
    "https://www.destatis.de/DE/Themen/Laender-Regionen/Regionales/Gemeindeverzeichnis/"
    "Administrativ/Archiv/GVAuszugQ/AuszugGV4QAktuell.html"
)

GEMEINDE = "Gemeinde"
VERBAND = "Gemeindeverband"
KREIS = "Kreis"
LEVELS = (GEMEINDE, VERBAND, KREIS)
KEY_LENGTH = {GEMEINDE: 8, VERBAND: 9, KREIS: 5}

# Textkennzeichen → kind, per level (Destatis record description). Kreise with TK 41/42
# (kreisfreie Stadt, Stadtkreis) are the same place as their one Gemeinde and are matched
# at Gemeinde level; TK 65/66 are gemeindefreie Gebiete and TK 50 the pseudo-Verband of a
# verbandsfreie Gemeinde – none of them can be a participant.
KINDS: dict[str, dict[str, str]] = {
    KREIS: {"43": "Kreis", "44": "Landkreis", "45": "Regionalverband"},
    VERBAND: {
        "51": "Amt",
        "52": "Samtgemeinde",
        "53": "Verbandsgemeinde",
        "54": "Verwaltungsgemeinschaft",
        "55": "Kirchspielslandgemeinde",
        "56": "Verwaltungsverband",
        "57": "Verbandsgemeinde",
        "58": "Erfüllende Gemeinde",
    },
    GEMEINDE: {
        "60": "Markt",
        "61": "kreisfreie Stadt",
        "62": "Stadtkreis",
        "63": "Stadt",
        "64": "Gemeinde",
        "67": "Große Kreisstadt",
    },
}
CITY_KINDS = frozenset({"Stadt", "kreisfreie Stadt", "Stadtkreis", "Große Kreisstadt"})

STATUS_OK = "zugeordnet"
STATUS_NONE = "nicht zugeordnet"
STATUS_AMBIGUOUS = "mehrdeutig"
STATUS_ERROR = "Fehler"

HOW_TEXT = {
    "unique": "Name, Ebene und Land eindeutig",
    "by-level": "Name auf mehreren Ebenen vorhanden; die Ebene aus den Quellen entscheidet",
    "by-kreis": "Name im Land mehrdeutig; der Kreis entscheidet",
    "official-name": "Name der Quellen weicht vom amtlichen Namen ab; über den amtlichen Namen",
    "judgement": "Entscheidung der Redaktion (siehe Notiz)",
    "none": "kein Eintrag im Gemeindeverzeichnis",
}
ROLES = frozenset({"Federführung", "Mitglied", "Partner"})
FORMS = frozenset({"Gemeinde", "Gemeindeverband", "Kreis", "Verbund", "Organisation"})
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")

# Sections whose entries carry an ``id`` (ids are global across all curated files).
ID_SECTIONS = (
    "sources",
    "organisations",
    "networks",
    "topics",
    "projects",
    "workshops",
    "reports",
    "cooperations",
    "findings",
    "municipalities",
    "participants",
)


class InputError(Exception):
    """A problem with the command line or the input files (exit code 2)."""


# --------------------------------------------------------------------------- directory


@dataclass(frozen=True, slots=True)
class Entry:
    """One Gemeinde, Gemeindeverband or Kreis of a directory edition."""

    key: str
    level: str
    tk: str
    official_name: str
    lat: float | None = None
    lon: float | None = None
    verband: str | None = None  # 9-digit Verband key of a Gemeinde

    @property
    def kind(self) -> str:
        return KINDS[self.level][self.tk]

    @property
    def land(self) -> str:
        return self.key[:2]

    @property
    def kreis(self) -> str:
        return self.key[:5]


@dataclass
class Directory:
    """One edition of the Gemeindeverzeichnis, indexed by key and by normalised name."""

    label: str
    gebietsstand: str
    fmt: str = "xlsx"
    entries: dict[str, Entry] = field(default_factory=dict)
    by_name: dict[tuple[str, str], list[Entry]] = field(default_factory=dict)

    def add(self, entry: Entry) -> None:
        if entry.tk not in KINDS[entry.level]:
            return
        self.entries[entry.key] = entry
        for form in official_forms(entry.official_name):
            self.by_name.setdefault((entry.level, form), []).append(entry)

    def find(self, level: str, names: Iterable[str]) -> list[Entry]:
        """Entries of ``level`` that one of ``names`` (as the sources write them) denotes."""
        found: dict[str, Entry] = {}
        for name in names:
            for form in source_forms(name):
                for e in self.by_name.get((level, form), []):
                    found[e.key] = e
        return sorted(found.values(), key=lambda e: e.key)

    def members(self, key: str) -> list[Entry]:
        """The Gemeinden of a Verband (9 digits) or of a Kreis (5 digits)."""
        gemeinden = (e for e in self.entries.values() if e.level == GEMEINDE)
        if len(key) == KEY_LENGTH[VERBAND]:
            return [e for e in gemeinden if e.verband == key]
        return [e for e in gemeinden if e.kreis == key]

    def units(self, kreis: str) -> set[str]:
        """Keys of the real Gemeindeverbände and verbandsfreien Gemeinden of a Kreis."""
        verbaende = {e.key for e in self.entries.values() if e.level == VERBAND}
        return {k for k in verbaende if k.startswith(kreis)} | {
            e.key for e in self.members(kreis) if e.verband is not None and e.verband[5] == "0"
        }


def _text(value: Any) -> str:
    # The codes are text cells in AuszugGV (a numeric cell would have lost its leading
    # zeros anyway and then matches nothing).
    return "" if value is None else str(value).strip()


def _coord(value: Any) -> float | None:
    try:
        number = float(_text(value).replace(",", "."))
    except ValueError:
        return None
    return number or None


def read_xlsx(path: Path) -> Directory:
    """An AuszugGV workbook: data sheet = the one whose name starts with
    ``Onlineprodukt_Gemeinden`` (else the second), rows with Satzart 40/50/60."""
    from python_calamine import CalamineWorkbook  # only needed for this format

    wb = CalamineWorkbook.from_path(str(path))
    names = wb.sheet_names
    sheet = next((n for n in names if n.startswith("Onlineprodukt_Gemeinden")), None)
    if sheet is None:
        if len(names) < 2:
            raise InputError(f"{path.name}: kein Datenblatt „Onlineprodukt_Gemeinden…“ gefunden")
        sheet = names[1]
    rows = wb.get_sheet_by_name(sheet).to_python()
    stand = ""
    for row in rows[:8]:
        line = " ".join(_text(c) for c in row)
        m = re.search(r"Gebietsstand am (\d{2})\.(\d{2})\.(\d{4})", line)
        if m:
            stand = f"{m.group(3)}-{m.group(2)}-{m.group(1)}"
            break
    d = Directory(f"{path.name} (Gebietsstand {stand or 'unbekannt'})", stand)
    for row in rows:
        cells = [_text(c) for c in row[:16]] + [""] * max(0, 16 - len(row))
        satzart, tk, land, rb, kreis, vb, gem, name = cells[:8]
        if satzart == "40":
            d.add(Entry(land + rb + kreis, KREIS, tk, name))
        elif satzart == "50":
            d.add(Entry(land + rb + kreis + vb, VERBAND, tk, name))
        elif satzart == "60":
            lon, lat = _coord(cells[14]), _coord(cells[15])
            ags, verband = land + rb + kreis + gem, land + rb + kreis + vb
            d.add(Entry(ags, GEMEINDE, tk, name, lat, lon, verband))
    if not d.entries:
        raise InputError(f"{path.name}: keine Sätze der Satzarten 40, 50, 60 gefunden")
    return d


def read_gv100(path: Path) -> Directory:
    """A GV100AD fixed-width file (or the Destatis ZIP holding it). Positions are 1-based
    characters as in the Destatis record description; each line is decoded first."""
    data = path.read_bytes()
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            inner = [n for n in zf.namelist() if n.upper().endswith(".TXT")]
            if not inner:
                raise InputError(f"{path.name}: keine .txt-Datei im ZIP-Archiv")
            data = zf.read(inner[0])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("iso-8859-1")  # editions before about 2019
    d = Directory(path.name, "", "gv100")
    for line in text.splitlines():
        satzart, name, tk = line[0:2], line[22:72].strip(), line[122:124]
        if not d.gebietsstand and len(line) >= 10:
            g = line[2:10]
            d.gebietsstand = f"{g[:4]}-{g[4:6]}-{g[6:8]}"
        if satzart == "40":
            d.add(Entry(line[10:15], KREIS, tk, name))
        elif satzart == "50":
            d.add(Entry(line[10:15] + line[18:22], VERBAND, tk, name))
        elif satzart == "60":
            d.add(Entry(line[10:18], GEMEINDE, tk, name, verband=line[10:15] + line[18:22]))
    if not d.entries:
        raise InputError(f"{path.name}: keine Sätze der Satzarten 40, 50, 60 gefunden")
    d.label = f"{path.name} (Gebietsstand {d.gebietsstand})"
    return d


def read_directories(path: Path) -> list[Directory]:
    """All editions found at ``path``, the reference (newest AuszugGV, else newest
    GV100AD) first."""
    if path.is_file():
        files = [path]
    elif path.is_dir():
        files = sorted(
            p
            for p in path.iterdir()
            if re.search(r"auszug.?gv.*\.xlsx$", p.name, re.I)
            or re.match(r"gv100ad.*\.(txt|zip)$", p.name, re.I)
        )
        if not files:
            raise InputError(
                f"In {path} liegt keine AuszugGV-Datei (*Auszug*GV*.xlsx) und keine "
                "GV100AD-Datei (GV100AD_*.txt oder .zip)."
            )
    else:
        raise InputError(
            f"Gemeindeverzeichnis nicht gefunden: {path}\n"
            "Es liegt nur im Entwicklungs-Checkout unter ../shared. In einem gewöhnlichen "
            "Klon die AuszugGV-Datei bei Destatis herunterladen\n"
            f"  ({DESTATIS_URL})\n"
            "und ihren Pfad (oder ihren Ordner) angeben, z. B.\n"
            "  python scripts/match_programme_participants.py ~/Downloads/AuszugGV4QAktuell.xlsx"
        )
    dirs = [read_xlsx(f) if f.suffix.lower() == ".xlsx" else read_gv100(f) for f in files]
    newest_first = sorted(dirs, key=lambda d: d.gebietsstand, reverse=True)
    xlsx = [d for d in newest_first if d.fmt == "xlsx"]
    return xlsx + [d for d in newest_first if d.fmt != "xlsx"]


# --------------------------------------------------------------------------- names

_ABBREVIATIONS = ((r"\bi\.\s*", "im "), (r"\bb\.\s*", "bei "), (r"\ba\.\s*", "am "))
_DESIGNATIONS = (
    "alte hansestadt",
    "hansestadt",
    "landeshauptstadt",
    "universitätsstadt",
    "klingenstadt",
    "kreisstadt",
    "stadt",
    "gemeinde",
    "markt",
    "flecken",
    "landkreis",
    "kreis",
    "verbandsgemeinde",
    "samtgemeinde",
    "amt",
)
_CITY_DESIGNATIONS = (
    "stadt ",
    "landeshauptstadt ",
    "universitätsstadt ",
    "hansestadt ",
    "alte hansestadt ",
    "klingenstadt ",
    "kreisstadt ",
)


def normalise(name: str) -> str:
    text = name.casefold()
    for pattern, repl in _ABBREVIATIONS:
        text = re.sub(pattern, repl, text)
    return re.sub(r"\s+", " ", text).strip()


def official_forms(official: str) -> set[str]:
    """Forms under which a directory entry is found: the name before the designation
    Destatis appends after a comma, with and without a disambiguator in brackets."""
    base = normalise(official.split(",", 1)[0])
    bare = re.sub(r"\s+", " ", re.sub(r"\([^)]*\)", " ", base)).strip()
    return {base, bare} if bare else {base}


def source_forms(name: str) -> set[str]:
    """Forms of a name as the sources write it: as it is and without leading
    designations such as "Stadt", "Landkreis" or "Verbandsgemeinde"."""
    text = normalise(name)
    forms = {text}
    changed = True
    while changed:
        changed = False
        for d in _DESIGNATIONS:
            if text.startswith(d + " "):
                text = text[len(d) + 1 :]
                forms.add(text)
                changed = True
    return forms


def is_city(name: str) -> bool:
    """True if the sources call the body a Stadt ("Stadt Münster", "Landeshauptstadt …")."""
    return normalise(name).startswith(_CITY_DESIGNATIONS)


# --------------------------------------------------------------------------- data


@dataclass
class Body:
    """One reference to a Körperschaft inside a participant entry."""

    participant: str
    where: str  # "participant" or "members[3]"
    ref: str | None
    name: str
    level: str | None
    land: str | None
    land_stated: bool
    match: dict[str, Any]
    role: str | None = None
    variants: list[str] = field(default_factory=list)


@dataclass
class Result:
    body: Body
    status: str
    how: str | None
    reason: str
    warnings: list[str] = field(default_factory=list)


@dataclass
class Data:
    """The YAML files of ``data/programme/`` and, for references, of ``data/``."""

    files: list[Path]
    docs: dict[Path, dict[str, Any]]
    base_docs: dict[Path, dict[str, Any]]
    problems: list[str] = field(default_factory=list)

    def section(self, name: str, base: bool = False) -> Iterator[dict[str, Any]]:
        for doc in (self.base_docs if base else self.docs).values():
            for item in doc.get(name) or []:
                if isinstance(item, dict):
                    yield item

    def ids(self, section: str, base: bool = False) -> set[str]:
        return {str(e["id"]) for e in self.section(section, base) if "id" in e}

    @property
    def participants(self) -> list[dict[str, Any]]:
        return list(self.section("participants"))


def read_data(folder: Path) -> Data:
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise InputError(f"Keine .yaml-Dateien in {folder}")
    data = Data(files, {}, {})
    for path in files:
        data.docs[path] = _load_yaml(path, data)
    for path in sorted(folder.parent.glob("*.yaml")):
        data.base_docs[path] = _load_yaml(path, data)
    return data


def _load_yaml(path: Path, data: Data) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        data.problems.append(f"{_rel(path)}: YAML nicht lesbar: {exc}")
        return {}
    if not isinstance(doc, dict):
        data.problems.append(f"{_rel(path)}: oberste Ebene ist keine Zuordnung (Abschnitte)")
        return {}
    return doc


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def bodies_of(p: dict[str, Any]) -> list[Body]:
    """The Körperschaften a participant entry names: the single participant or the
    members of a joint project (partners are organisations and not matched)."""
    items: list[tuple[str, dict[str, Any]]] = []
    if isinstance(p.get("participant"), dict):
        items.append(("participant", p["participant"]))
    items += [(f"members[{i}]", m) for i, m in enumerate(p.get("members") or [])]
    return [
        Body(
            participant=str(p.get("id")),
            where=where,
            ref=item.get("ref"),
            name=str(item.get("name") or ""),
            level=item.get("level"),
            land=item.get("land"),
            land_stated=item.get("land_stated", True) is not False,
            match=item.get("match") or {},
            role=item.get("role"),
            variants=[str(v) for v in item.get("name_variants") or []],
        )
        for where, item in items
        if isinstance(item, dict)
    ]


def _source_lists(node: Any, loc: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], list[str]]]:
    """Every ``sources`` list of ids in a document, with its location."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "sources" and isinstance(v, list):
                if all(isinstance(s, str) for s in v):  # else: the section of source entries
                    yield (*loc, k), list(v)
            else:
                yield from _source_lists(v, (*loc, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _source_lists(v, (*loc, i))


# --------------------------------------------------------------------------- checks


def check_sources_and_ids(data: Data) -> list[str]:
    add = data.problems.append
    own = [str(s["id"]) for s in data.section("sources")]
    known = set(own) | data.ids("sources", base=True)
    for sid, n in Counter(own).items():
        if n > 1:
            add(f"Quelle „{sid}“ ist mehrfach definiert")
    own_ids: Counter[str] = Counter()
    for s in ID_SECTIONS:
        own_ids.update(str(e["id"]) for e in data.section(s) if "id" in e)
    base_ids = set().union(*(data.ids(s, base=True) for s in ID_SECTIONS))
    for i, n in own_ids.items():
        if n > 1:
            add(f"Id „{i}“ kommt in data/programme/ mehrfach vor")
    for i in sorted(set(own_ids) & base_ids):
        add(f"Id „{i}“ ist schon in data/*.yaml vergeben")
    refs = 0
    for path, doc in data.docs.items():
        for loc, sources in _source_lists(doc, ()):
            if not sources:
                add(f"{_rel(path)}: {'.'.join(map(str, loc))}: leere Quellenliste")
            for sid in sources:
                refs += 1
                if sid not in known:
                    add(f"{_rel(path)}: {'.'.join(map(str, loc))}: Quelle „{sid}“ ist unbekannt")
    return [
        f"Quellen: {len(own)} neu in data/programme/ (keine in data/quellen.yaml doppelt), "
        f"{refs} Quellenverweise geprüft"
    ]


def check_participants(data: Data) -> list[str]:
    add = data.problems.append
    topic_ids = data.ids("topics") | data.ids("topics", True)
    org_ids = data.ids("organisations") | data.ids("organisations", True)
    net_ids = data.ids("networks") | data.ids("networks", True)
    ags_known = {str(e["ags"]) for e in data.section("municipalities")} | {
        str(e["ags"]) for e in data.section("municipalities", True)
    }
    ars_known = {str(e["ars"]) for e in data.section("gemeindeverbaende")}
    participants = data.participants
    pids = {str(p.get("id")) for p in participants}

    def known(ref: str) -> bool:
        if not ref.isdigit():
            return ref in org_ids
        return ref in (ars_known if len(ref) == KEY_LENGTH[VERBAND] else ags_known)

    for p in participants:
        pid = p.get("id")
        if p.get("programme") not in net_ids:
            add(f"{pid}: Programm „{p.get('programme')}“ ist unbekannt")
        if p.get("form") not in FORMS:
            add(f"{pid}: Form „{p.get('form')}“ ist unbekannt")
        for t in p.get("topics") or []:
            if t not in topic_ids:
                add(f"{pid}: Thema „{t}“ ist unbekannt")
        if not p.get("topics") and p.get("topics_collected") is not False:
            add(f"{pid}: keine Themen, aber auch nicht als „nicht erhoben“ markiert")
        if not p.get("sources"):
            add(f"{pid}: keine Quellen")
        for fld in ("since", "until", "project_start"):
            value = p.get(fld)
            if value is not None and not (isinstance(value, str) and DATE.match(value)):
                add(f"{pid}: {fld} „{value}“ ist kein Datum (JJJJ, JJJJ-MM oder JJJJ-MM-TT)")
        if not p.get("since"):
            add(f"{pid}: since fehlt")
        if isinstance(p.get("until"), str) and str(p["until"]) < str(p.get("since"))[:4]:
            add(f"{pid}: until liegt vor since")
        single, members = isinstance(p.get("participant"), dict), bool(p.get("members"))
        if single == members:
            add(f"{pid}: genau eines von „participant“ oder „members“ erwartet")
        if members and sum(1 for m in p["members"] if m.get("role") == "Federführung") > 1:
            add(f"{pid}: mehr als ein Mitglied mit Federführung")
        for b in bodies_of(p):
            if members and b.role not in ROLES:
                add(f"{pid}.{b.where}: Rolle „{b.role}“ ist unbekannt")
            if b.ref is None or not known(b.ref):
                add(f"{pid}.{b.where}: Verweis „{b.ref}“ hat keinen Eintrag (Knoten)")
            if b.match.get("how") == "none" and not b.match.get("reason"):
                add(f"{pid}.{b.where}: nicht zugeordnet, aber ohne Begründung (match.reason)")
        for i, partner in enumerate(p.get("partners") or []):
            if partner.get("ref") not in org_ids:
                add(f"{pid}.partners[{i}]: Organisation „{partner.get('ref')}“ ist unbekannt")
            if partner.get("role") not in ROLES:
                add(f"{pid}.partners[{i}]: Rolle „{partner.get('role')}“ ist unbekannt")
        for other in p.get("also_in") or []:
            if other not in pids:
                add(f"{pid}: also_in „{other}“ ist kein Teilnehmer")
    for e in data.section("municipalities"):
        if e.get("part_of") and e["part_of"] not in ags_known:
            add(f"Kommune {e.get('ags')}: Kreis „{e['part_of']}“ hat keinen Eintrag")
    for e in data.section("gemeindeverbaende"):
        if e.get("part_of") not in ags_known:
            add(f"Gemeindeverband {e.get('ars')}: Kreis „{e.get('part_of')}“ hat keinen Eintrag")
    for o in data.section("organisations"):
        for i, m in enumerate(o.get("members") or []):
            ref = str(m.get("ref") if isinstance(m, dict) else m)
            if not known(ref):
                add(f"Organisation {o.get('id')}.members[{i}]: Verweis „{ref}“ ist unbekannt")
    joint = sum(1 for p in participants if p.get("members"))
    return [
        f"Verweise: {len(ags_known)} Kommunen und Kreise, {len(ars_known)} Gemeindeverbände, "
        f"{joint} Verbünde, {len(org_ids)} Organisationen, {len(topic_ids)} Themen – alle "
        "aufgelöst, soweit unten kein Fehler steht"
    ]


def check_counts(data: Data) -> list[str]:
    """Participants per programme, Staffel and category against the figures the
    programme entries state."""
    add = data.problems.append
    lines = []
    for net in data.section("networks"):
        mine = [p for p in data.participants if p.get("programme") == net["id"]]
        parts = []
        for s in net.get("staffeln") or []:
            in_staffel = [p for p in mine if p.get("staffel") == s["staffel"]]
            parts.append(f"{s['staffel']}: {len(in_staffel)}")
            if len(in_staffel) != s.get("count"):
                add(f"{net['id']} {s['staffel']}: {len(in_staffel)} statt {s.get('count')}")
            for cat in s.get("categories") or []:
                n = sum(1 for p in in_staffel if p.get("category") == cat["name"])
                if n != cat.get("count"):
                    add(f"{net['id']} {s['staffel']} „{cat['name']}“: {n} statt {cat.get('count')}")
        expected = net.get("participant_count")
        if expected is not None and expected != len(mine):
            add(f"{net['id']}: {len(mine)} Teilnehmer statt {expected}")
        detail = f" ({', '.join(parts)}; je Kategorie wie angegeben)" if parts else ""
        lines.append(f"{net['name']}: {len(mine)} Teilnehmer{detail}")
    return lines


# --------------------------------------------------------------------------- matching


def match_body(b: Body, d: Directory) -> Result:
    """Search the directory for ``b`` by name, level and Land and compare the result
    with the decision recorded in the data."""
    how = b.match.get("how")
    if b.ref is None or b.level not in LEVELS:
        reason = b.match.get("reason") or "kein Schlüssel angegeben"
        return Result(b, STATUS_NONE, "none", str(reason))
    if len(b.ref) != KEY_LENGTH[b.level]:
        return Result(b, STATUS_ERROR, how, f"Schlüssel {b.ref} passt nicht zur Ebene {b.level}")
    entry = d.entries.get(b.ref)
    if entry is None or entry.level != b.level:
        return Result(b, STATUS_ERROR, how, f"{b.level} {b.ref} fehlt in {d.label}")
    if b.land and b.land != entry.land:
        return Result(
            b, STATUS_ERROR, how, f"Land {b.land} laut Daten, {b.ref} liegt in {entry.land}"
        )
    kreis = b.match.get("kreis")
    if kreis and entry.kreis != kreis:
        return Result(
            b, STATUS_ERROR, how, f"Kreis {kreis} laut Daten, {b.ref} liegt in {entry.kreis}"
        )

    warnings = []
    official = b.match.get("official_name")
    if official is not None and official != entry.official_name:
        warnings.append(
            f"amtlicher Name „{official}“ in den Daten, „{entry.official_name}“ im Verzeichnis"
        )
    if b.match.get("kind") not in (None, entry.kind):
        warnings.append(f"Art „{b.match.get('kind')}“ in den Daten, „{entry.kind}“ im Verzeichnis")

    names = [b.name, *b.variants]
    in_land = [e for e in d.find(b.level, names) if b.land in (None, e.land)]
    namesakes = [
        e
        for level in LEVELS
        if level != b.level
        for e in d.find(level, names)
        if b.land in (None, e.land)
    ]
    label = f"{entry.key} {entry.official_name} ({entry.kind})"

    if not in_land:
        if official != entry.official_name:
            return Result(
                b,
                STATUS_AMBIGUOUS,
                how,
                f"Name „{b.name}“ nicht im Verzeichnis, amtlicher Name fehlt oder passt nicht",
            )
        computed, reason = "official-name", f"über den amtlichen Namen → {label}"
    elif len(in_land) == 1:
        if in_land[0].key != b.ref:
            found = f"{in_land[0].key} {in_land[0].official_name}"
            return Result(b, STATUS_ERROR, how, f"„{b.name}“ ergibt {found}, die Daten {b.ref}")
        computed, reason = ("by-level" if namesakes else "unique"), f"→ {label}"
        if namesakes:
            reason += "; gleichnamig auch " + ", ".join(
                f"{e.level} {e.key} ({e.kind})" for e in namesakes
            )
    else:
        others = ", ".join(f"{e.key} {e.official_name}" for e in in_land)
        chosen = [e for e in in_land if kreis and e.kreis == kreis]
        if len(chosen) != 1 or chosen[0].key != b.ref:
            hint = "" if kreis else "; kein Kreis angegeben"
            return Result(b, STATUS_AMBIGUOUS, how, f"{len(in_land)} Einträge: {others}{hint}")
        computed = "by-kreis"
        reason = f"→ {label}; Kreis {kreis} wählt unter {len(in_land)} Einträgen ({others})"

    if not b.land_stated:
        # The Land was inferred by the research, not stated: the match must not hinge on it.
        nationwide = d.find(b.level, names)
        towns = [e for e in nationwide if e.kind in CITY_KINDS] if is_city(b.name) else nationwide
        if len(towns) > 1:
            reason += f"; Land nur erschlossen – bundesweit {len(towns)} Einträge"
            warnings.append("Land nur erschlossen und Name bundesweit mehrdeutig")
        elif len(towns) < len(nationwide):
            reason += (
                f"; Land nur erschlossen – bundesweit {len(nationwide)} Einträge dieses Namens, "
                "aber nur eine Stadt"
            )
        else:
            reason += "; Land nur erschlossen – der Name ist bundesweit eindeutig"
    if how is None:
        warnings.append("keine Begründung (match.how) in den Daten")
    elif how not in HOW_TEXT:
        warnings.append(f"unbekannte Begründung „{how}“")
    elif how not in (computed, "judgement"):
        warnings.append(f"Begründung „{how}“ in den Daten, die Prüfung ergibt „{computed}“")
    if how in ("judgement", "official-name", "by-kreis") and not b.match.get("note"):
        warnings.append("Entscheidung ohne Notiz (match.note)")
    return Result(b, STATUS_OK, how if how == "judgement" else computed, reason, warnings)


def participant_status(results: list[Result]) -> str:
    statuses = {r.status for r in results}
    for s in (STATUS_ERROR, STATUS_AMBIGUOUS, STATUS_NONE):
        if s in statuses:
            return s
    return STATUS_OK


# --------------------------------------------------------------------------- report


@dataclass
class Report:
    data: Data
    ref: Directory
    others: list[Directory]
    results: dict[str, list[Result]]
    lines: list[str] = field(default_factory=list)

    def w(self, line: str = "") -> None:
        self.lines.append(line)

    def heading(self, title: str) -> None:
        self.w()
        self.w(title)
        self.w("-" * 72)

    @property
    def all_results(self) -> list[Result]:
        return [r for rs in self.results.values() for r in rs]

    @property
    def share(self) -> float:
        statuses = [participant_status(rs) for rs in self.results.values()]
        return statuses.count(STATUS_OK) / len(statuses) if statuses else 0.0


def section_participants(rep: Report) -> None:
    rep.heading("2. Abgleich je Teilnehmer")
    rep.w("  Begründungen:")
    for k, v in HOW_TEXT.items():
        rep.w(f"    {k}: {v}")
    for p in rep.data.participants:
        rs = rep.results[str(p["id"])]
        kind = f"{p.get('staffel') or 'NRW'}, {p.get('form')}"
        rep.w(f"  [{participant_status(rs)}] {p['id']} – {p.get('name')} ({kind})")
        for r in rs:
            role = f", {r.body.role}" if r.body.role else ""
            how = f" ({r.how})" if r.how else ""
            where = f"{r.body.level or 'keine Ebene'}{role}"
            rep.w(f"      {r.body.name} [{where}]: {r.status}{how} {r.reason}")
            for warning in r.warnings:
                rep.w(f"        Hinweis: {warning}")


def section_summary(rep: Report) -> None:
    rep.heading("3. Zusammenfassung")
    participants = rep.data.participants
    for prog in sorted({str(p.get("programme")) for p in participants}):
        mine = [str(p["id"]) for p in participants if p.get("programme") == prog]
        ok = sum(1 for pid in mine if participant_status(rep.results[pid]) == STATUS_OK)
        rep.w(f"  {prog}: {ok} von {len(mine)} Teilnehmern vollständig zugeordnet")
    tied = sum(1 for rs in rep.results.values() if participant_status(rs) == STATUS_OK)
    rep.w(
        f"  Teilnehmer mit amtlichem Schlüssel (alle genannten Körperschaften zugeordnet): "
        f"{tied} von {len(participants)} = {_pct(rep.share)} (Ziel ≥ {_pct(TARGET_SHARE)})"
    )
    results = rep.all_results
    ok_bodies = [r for r in results if r.status == STATUS_OK]
    rep.w(
        f"  Körperschaften (Einzelteilnehmer und Mitglieder von Verbünden): {len(ok_bodies)} "
        f"von {len(results)} = {_pct(len(ok_bodies) / len(results) if results else 0.0)}"
    )
    hows = Counter(str(r.how) for r in ok_bodies)
    rep.w("  Zuordnung nach Begründung: " + ", ".join(f"{k} {v}" for k, v in sorted(hows.items())))
    for status in (STATUS_NONE, STATUS_AMBIGUOUS, STATUS_ERROR):
        listed = [r for r in results if r.status == status]
        rep.w(f"  {status}: {len(listed)}")
        for r in listed:
            rep.w(f"    - {r.body.participant}: {r.body.name} – {_one_line(r.reason)}")
    rep.w(f"  Hinweise zu Zuordnungen: {sum(len(r.warnings) for r in results)}")
    review = [r for r in ok_bodies if r.how != "unique"]
    rep.w(
        f"  Nicht offensichtliche Zuordnungen (zur Durchsicht, Notiz aus den Daten): {len(review)}"
    )
    for r in review:
        rep.w(f"    - {r.body.participant}: {r.body.name} ({r.how}) {r.reason}")
        if r.body.match.get("note"):
            rep.w(f"        Notiz: {_one_line(r.body.match['note'])}")


def section_identity(rep: Report) -> None:
    rep.heading("4. Identität (eine Körperschaft = ein Knoten)")
    base = {str(e["ags"]): e for e in rep.data.section("municipalities", True)}
    for key in sorted({str(e["ags"]) for e in rep.data.section("municipalities")} & set(base)):
        rep.data.problems.append(
            f"Kommune {key} steht schon in data/kommunen.yaml – nicht erneut anlegen"
        )
    seen: dict[str, list[str]] = defaultdict(list)
    for r in rep.all_results:
        if r.body.ref and r.body.ref.isdigit():
            seen[r.body.ref].append(r.body.participant)
    for key, pids in sorted(seen.items()):
        if key in base:
            e = base[key]
            rep.w(
                f"  {key} {e.get('name')}: derselbe Knoten wie in data/kommunen.yaml "
                f"({e.get('id') or key}), hier in {', '.join(pids)}"
            )
    for key, pids in sorted(seen.items()):
        if len(pids) > 1:
            name = rep.ref.entries[key].official_name if key in rep.ref.entries else "?"
            rep.w(f"  {key} {name}: ein Knoten in {len(pids)} Teilnahmen ({', '.join(pids)})")


def section_members(rep: Report) -> None:
    rep.heading("5. Mitglieder aus den Quellen gegen das Verzeichnis")
    for p in rep.data.participants:
        body = p.get("participant")
        if p.get("member_count") is None or not isinstance(body, dict) or not body.get("ref"):
            continue
        n = len(rep.ref.members(str(body["ref"])))
        verdict = "stimmt" if n == p["member_count"] else "weicht ab"
        rep.w(
            f"  {p['id']}: {p['member_count']} laut Quellen, {n} Gemeinden in {body['ref']} "
            f"laut Verzeichnis – {verdict}"
        )
    # A joint project with a Kreis among its members: how many of the Kreis's units
    # (real Gemeindeverbände and verbandsfreie Gemeinden) are members too.
    for p in rep.data.participants:
        refs = [str(m.get("ref")) for m in p.get("members") or [] if str(m.get("ref")).isdigit()]
        for k in (k for k in refs if len(k) == KEY_LENGTH[KREIS]):
            units = rep.ref.units(k)
            inside = [x for x in refs if x in units]
            if inside:
                rep.w(
                    f"  {p['id']}: {len(inside)} von {len(units)} Gemeindeverbänden und "
                    f"verbandsfreien Gemeinden des Kreises {k} sind Mitglied"
                )


def section_nodes(rep: Report) -> None:
    rep.heading("6. Knoteneinträge in data/programme/ gegen das Verzeichnis")
    add = rep.data.problems.append
    checked = 0
    for section, key_field in (("municipalities", "ags"), ("gemeindeverbaende", "ars")):
        for e in rep.data.section(section):
            checked += 1
            key = str(e.get(key_field))
            entry = rep.ref.entries.get(key)
            if entry is None:
                add(f"{section} {key}: fehlt im Verzeichnis")
                continue
            if e.get("official_name") != entry.official_name:
                add(f"{section} {key}: amtlicher Name „{e.get('official_name')}“ weicht ab")
            if e.get("kind") != entry.kind:
                add(f"{section} {key}: Art „{e.get('kind')}“, Verzeichnis „{entry.kind}“")
            kreisfrei = entry.level == KREIS or entry.tk in ("61", "62")
            expected = None if kreisfrei else entry.kreis
            if e.get("part_of") != expected:
                add(f"{section} {key}: part_of „{e.get('part_of')}“, erwartet „{expected}“")
    rep.w(f"  {checked} Einträge geprüft (amtlicher Name, Art, Kreis)")


def section_editions(rep: Report) -> None:
    if not rep.others:
        return
    rep.heading("7. Andere Ausgaben des Verzeichnisses")
    keys = sorted({r.body.ref for r in rep.all_results if r.body.ref and r.body.ref.isdigit()})
    for other in rep.others:
        missing = [k for k in keys if k not in other.entries]
        rep.w(f"  {other.label}: {len(keys) - len(missing)} von {len(keys)} Schlüsseln vorhanden")
        for k in missing:
            entry = rep.ref.entries.get(k)
            rep.w(f"    - fehlt: {k} {entry.official_name if entry else ''}".rstrip())
        for k in keys:
            was, now = other.entries.get(k), rep.ref.entries.get(k)
            if was and now and was.official_name != now.official_name:
                rep.w(f"    - anderer Name: {k} „{was.official_name}“ statt „{now.official_name}“")


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())


def _pct(x: float) -> str:
    return f"{x * 100:.1f} %".replace(".", ",")


def report(data: Data, dirs: list[Directory] | None, command: str) -> tuple[list[str], int]:
    """The report as lines, and the exit code (0 fine, 1 problems, 2 no directory)."""
    head = [
        "Abgleich der Programmteilnehmer mit dem Gemeindeverzeichnis",
        "=" * 72,
        f"Erzeugt mit: {command}",
        "Daten: " + ", ".join(_rel(f) for f in data.files),
    ]
    if dirs:
        head.append(f"Referenz: {dirs[0].label}")
        head += [f"Vergleich: {d.label}" for d in dirs[1:]]
    head += ["", "1. Datenprüfung", "-" * 72]
    checks: list[Callable[[Data], list[str]]] = [
        check_sources_and_ids,
        check_participants,
        check_counts,
    ]
    head += ["  " + line for check in checks for line in check(data)]
    if not dirs:
        return head, 2

    results = {
        str(p["id"]): [match_body(b, dirs[0]) for b in bodies_of(p)] for p in data.participants
    }
    rep = Report(data, dirs[0], dirs[1:], results, head)
    for section in (
        section_participants,
        section_summary,
        section_identity,
        section_members,
        section_nodes,
        section_editions,
    ):
        section(rep)

    rep.heading("8. Ergebnis")
    errors = list(data.problems) + [
        f"{r.body.participant}: {r.body.name}: {r.reason}"
        for r in rep.all_results
        if r.status == STATUS_ERROR
    ]
    ambiguous = sum(1 for r in rep.all_results if r.status == STATUS_AMBIGUOUS)
    for e in errors:
        rep.w(f"  FEHLER: {e}")
    ok = not errors and not ambiguous and rep.share >= TARGET_SHARE
    verdict = "in Ordnung" if ok else "NICHT in Ordnung"
    rep.w(f"  {verdict}: {len(errors)} Fehler, {ambiguous} mehrdeutig, Anteil {_pct(rep.share)}")
    return rep.lines, 0 if ok else 1


def default_directory() -> Path:
    shared = os.environ.get("KOMMUNETZ_SHARED")
    return (Path(shared) if shared else REPO.parent / "shared") / "data" / "municipalities"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Programmteilnehmer (data/programme/) mit dem Gemeindeverzeichnis abgleichen"
    )
    parser.add_argument(
        "directory", nargs="?", type=Path, help="Ordner oder Datei des Verzeichnisses"
    )
    parser.add_argument("--data", type=Path, default=REPO / "data" / "programme")
    parser.add_argument("--output", type=Path, help="Bericht zusätzlich in diese Datei schreiben")
    args = parser.parse_args(argv)

    shown = ["python", "scripts/match_programme_participants.py"]
    if args.directory:
        shown.append(str(args.directory))
    if args.output:
        shown += ["--output", _rel(args.output)]
    try:
        data = read_data(args.data)
    except InputError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 2
    try:
        dirs: list[Directory] | None = read_directories(args.directory or default_directory())
        message = None
    except InputError as exc:
        dirs, message = None, str(exc)
    lines, code = report(data, dirs, " ".join(shown))
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if message:
        print(f"\nAbgleich nicht möglich: {message}", file=sys.stderr)
        return 2
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    return code


if __name__ == "__main__":
    sys.exit(main())
