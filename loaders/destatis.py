"""Loader for the official Destatis municipality directory (Gemeindeverzeichnis, GV-ISys).

Two formats are accepted, both as Destatis publishes them:

* the **AuszugGV** workbook (``.xlsx``), read with python-calamine (see
  :mod:`loaders.destatis_xlsx`), and
* the fixed-width **GV100AD** text file (``.txt``, or the ``.zip`` Destatis ships it in; see
  :mod:`loaders.destatis_gv100`).

Both readers turn their format into the same plain records
(:class:`loaders.destatis_records.Parsed`); this module
checks what only the whole file can tell (duplicate keys, a Gemeinde without its Kreis) and
builds the :class:`~graph.records.Batch`: one ``Source`` for the edition, the Länder, the
Kreise that are not kreisfreie Städte, the Gemeindeverbände (Satzart 50 without the
pseudo-records of verbandsfreie Gemeinden), and every Gemeinde except the gemeindefreie
Gebiete, tied together with ``IN_STATE``, ``PART_OF`` and ``IN_VERBAND``.

Every problem is collected with file, row or line and field, and the load fails with
:class:`~graph.core.errors.ValidationFailed` listing all of them, so that a user fixes a broken
download in one round instead of one error at a time.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from graph.core.errors import ValidationFailed
from graph.core.model import SOURCES_PROP, STATES
from graph.core.records import Batch, Node, Ref, Rel
from loaders.destatis_gv100 import read_gv100
from loaders.destatis_records import (
    GEMEINDE_KINDS,
    KREIS_KINDS,
    SATZARTEN,
    VERBAND_KINDS,
    KreisRecord,
    LandRecord,
    Parsed,
    Problems,
    Progress,
)
from loaders.destatis_xlsx import read_xlsx

SOURCE_URL = (
    "https://www.destatis.de/DE/Themen/Laender-Regionen/Regionales/Gemeindeverzeichnis/_inhalt.html"
)
PUBLISHER = "Statistisches Bundesamt (Destatis)"
LICENCE = "Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0)"


def _parse_date_argument(value: str) -> date | None:
    """``population_date`` as a user types it: ISO ``2022-12-31`` or German ``31.12.2022``."""
    text = value.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.strptime(text, "%d.%m.%Y").date()
    except ValueError:
        return None


def short_name(official: str) -> str:
    """The name people use: the official name up to its first comma, which is where
    Destatis appends the designation ("Düren, Stadt" → "Düren", "Halle (Saale), Stadt" →
    "Halle (Saale)")."""
    return official.split(",", 1)[0].strip()


# --------------------------------------------------------------------------- public API


def read_directory(
    path: str | Path,
    *,
    population_date: str | None = None,
    progress: Progress | None = None,
) -> Batch:
    """Read a Destatis Gemeindeverzeichnis file and return its records as one batch.

    ``path`` is an AuszugGV ``.xlsx``, a GV100AD ``.txt`` or a ``.zip`` holding the GV100AD
    text. ``population_date`` (``JJJJ-MM-TT`` or ``TT.MM.JJJJ``) is the reference date of the
    population figures: GV100AD does not state it, so without it the figures are stored as
    ``population_unknown_date`` (never overriding a dated value) and a notice asks for it.
    For an xlsx the date in header row 5 is used; a given ``population_date`` wins, with a
    notice if the two differ. ``progress(done, total)`` is called about every 1000 rows.

    Raises :class:`~graph.core.errors.ValidationFailed` listing every problem found (file, row
    or line, field, German message); nothing is returned from a file with errors.
    """
    p = Path(path)
    name = p.name or str(p)
    problems = Problems(name)

    pop_date_arg: date | None = None
    if population_date is not None:
        pop_date_arg = _parse_date_argument(population_date)
        if pop_date_arg is None:
            problems.add(
                None,
                "population_date",
                f"Stichtag „{population_date}“ ist kein gültiges Datum "
                "(erwartet JJJJ-MM-TT oder TT.MM.JJJJ)",
            )

    data = _read_bytes(p, problems)
    if data is None:
        raise ValidationFailed(problems.items)

    parsed, display = _parse(p, data, problems, progress)
    if parsed is None:
        raise ValidationFailed(problems.items)

    batch = _build(p, display, parsed, pop_date_arg, problems)
    if problems:
        raise ValidationFailed(problems.items)
    return batch


# --------------------------------------------------------------------------- input


def _read_bytes(p: Path, problems: Problems) -> bytes | None:
    """The file's bytes, or ``None`` with a problem saying why it cannot be read.

    Reading it whole is cheap (a few MB) and gives one place for the OS errors instead of
    one per library that opens the file.
    """
    try:
        return p.read_bytes()
    except FileNotFoundError:
        problems.add(None, None, f"Datei nicht gefunden: {p}")
    except IsADirectoryError:
        problems.add(None, None, f"{p} ist ein Ordner, keine Datei")
    except PermissionError:
        problems.add(None, None, f"Datei kann nicht gelesen werden (keine Leserechte): {p}")
    except OSError as e:
        problems.add(None, None, f"Datei kann nicht gelesen werden: {e.strerror or e}")
    return None


def _is_xlsx_zip(zf: zipfile.ZipFile) -> bool:
    names = set(zf.namelist())
    return "xl/workbook.xml" in names or "[Content_Types].xml" in names


def _parse(
    p: Path, data: bytes, problems: Problems, progress: Progress | None
) -> tuple[Parsed | None, str]:
    """Pick the reader by file name, falling back on the first bytes, and run it.

    Returns the parsed records (``None`` if the file could not be read at all) and the name
    to use in ``where`` (``archive.zip/member.txt`` for a GV100AD inside a ZIP).
    """
    suffix = p.suffix.lower()
    name = problems.file
    if suffix == ".xlsx":
        return read_xlsx(data, problems, progress), name
    if suffix == ".txt":
        return read_gv100(data, problems, progress), name
    if suffix == ".zip" or data[:4] == b"PK\x03\x04":
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, OSError):
            problems.add(None, None, "keine gültige ZIP-Datei (beschädigt oder unvollständig)")
            return None, name
        with zf:
            if _is_xlsx_zip(zf):
                return read_xlsx(data, problems, progress), name
            texts = [n for n in zf.namelist() if n.lower().endswith(".txt")]
            gv = [n for n in texts if Path(n).name.upper().startswith("GV100")]
            chosen = gv or texts
            if len(chosen) != 1:
                found = ", ".join(zf.namelist()) or "nichts"
                problems.add(
                    None,
                    None,
                    "ZIP enthält keine eindeutige GV100AD-Textdatei (gefunden: " + found + ")",
                )
                return None, name
            member = chosen[0]
            try:
                inner = zf.read(member)
            except (zipfile.BadZipFile, OSError, RuntimeError) as e:
                problems.add(None, None, f"„{member}“ im ZIP ist nicht lesbar: {e}")
                return None, name
        display = f"{name}/{Path(member).name}"
        inner_problems = Problems(display)
        parsed = read_gv100(inner, inner_problems, progress)
        problems.items.extend(inner_problems.items)
        return parsed, display
    if data[:2].decode("ascii", "replace") in SATZARTEN:
        return read_gv100(data, problems, progress), name
    problems.add(
        None,
        None,
        "Format nicht erkannt: erwartet wird das Destatis-Gemeindeverzeichnis als .xlsx "
        "(AuszugGV), GV100AD-Textdatei (.txt) oder ZIP mit der GV100AD-Textdatei",
    )
    return None, name


# --------------------------------------------------------------------------- batch


def _build(
    p: Path,
    display: str,
    parsed: Parsed,
    pop_date_arg: date | None,
    problems: Problems,
) -> Batch:
    """Check what needs the whole file and turn the records into nodes and relationships.

    Problems found here are added to ``problems``; the caller raises if there are any, so
    the returned batch only matters when there are none.
    """
    batch = Batch(origin=str(p))
    batch.notices.extend(parsed.notices)
    where_file = display.replace("\\", "/")

    def where(line: int) -> str:
        return f"{where_file}:{line}"

    if parsed.gebietsstand is None:
        # The reader has already said where it looked; without the edition there is no
        # Source node to hang everything on.
        return batch
    gs = parsed.gebietsstand
    gs_iso = gs.isoformat()

    pop_date = parsed.population_date
    if pop_date_arg is not None:
        if pop_date is not None and pop_date != pop_date_arg:
            batch.notices.append(
                f"{display}: Die Datei nennt {pop_date:%d.%m.%Y} als Stichtag der "
                f"Bevölkerung; verwendet wird der angegebene Stichtag {pop_date_arg:%d.%m.%Y}."
            )
        pop_date = pop_date_arg

    source_key = f"destatis-gv-{gs:%Y%m%d}"
    sources = [source_key]
    batch.nodes.append(
        Node(
            "Source",
            source_key,
            {
                "url": SOURCE_URL,
                "title": f"Destatis Gemeindeverzeichnis (GV-ISys), Gebietsstand {gs:%d.%m.%Y}",
                "publisher": PUBLISHER,
                "date": gs_iso,
                "licence": LICENCE,
                "file": p.name,
            },
            where(1),
        )
    )

    # Länder
    lands: dict[str, LandRecord] = {}
    for land in parsed.lands:
        first = lands.get(land.code)
        if first is not None:
            problems.add(
                land.line,
                "Land",
                f"Land „{land.code}“ kommt doppelt vor (zuerst in Zeile {first.line})",
            )
            continue
        lands[land.code] = land
        state_name, abbr = STATES[land.code]
        batch.nodes.append(
            Node(
                "State",
                land.code,
                {"name": state_name, "abbr": abbr, "gebietsstand": gs_iso, SOURCES_PROP: sources},
                where(land.line),
            )
        )

    def check_land(code: str, line: int, what: str) -> bool:
        if code in lands:
            return True
        problems.add(
            line,
            "Land",
            f"Land „{code}“ von {what} fehlt in der Datei (kein Satz der Satzart 10)",
        )
        return False

    rel_props = {SOURCES_PROP: sources}

    # Kreise
    kreise: dict[str, KreisRecord] = {}
    kreis_nodes: set[str] = set()
    for k in parsed.kreise:
        first_k = kreise.get(k.key)
        if first_k is not None:
            problems.add(
                k.line,
                "Kreis",
                f"Kreis „{k.key}“ kommt doppelt vor (zuerst in Zeile {first_k.line})",
            )
            continue
        kreise[k.key] = k
        if k.tk not in KREIS_KINDS:
            problems.add(
                k.line,
                "Textkennzeichen",
                f"Textkennzeichen „{k.tk}“ für Kreis „{k.key}“ ist unbekannt (erwartet 41 bis 45)",
            )
            continue
        land_ok = check_land(k.key[:2], k.line, f"Kreis „{k.key}“")
        kind = KREIS_KINDS[k.tk]
        if kind is None or not land_ok:
            continue
        props: dict[str, Any] = {
            "name": short_name(k.official_name),
            "official_name": k.official_name,
            "kind": kind,
            "level": "Kreis",
            "state_code": k.key[:2],
            "gebietsstand": gs_iso,
        }
        if k.seat:
            props["seat"] = k.seat
        props[SOURCES_PROP] = sources
        batch.nodes.append(Node("Municipality", k.key, props, where(k.line)))
        batch.rels.append(
            Rel(
                "IN_STATE",
                Ref(k.key, "Municipality"),
                Ref(k.key[:2], "State"),
                rel_props,
                where(k.line),
            )
        )
        kreis_nodes.add(k.key)

    verband_nodes = _verbaende(parsed, kreise, kreis_nodes, gs_iso, sources, batch, where, problems)

    # Gemeinden
    seen_ags: dict[str, int] = {}
    pop_iso = pop_date.isoformat() if pop_date is not None else None
    for g in parsed.gemeinden:
        first_line = seen_ags.get(g.ags)
        if first_line is not None:
            problems.add(
                g.line,
                "AGS",
                f"AGS „{g.ags}“ kommt doppelt vor (zuerst in Zeile {first_line})",
            )
            continue
        seen_ags[g.ags] = g.line
        if g.tk not in GEMEINDE_KINDS:
            problems.add(
                g.line,
                "Textkennzeichen",
                f"Textkennzeichen „{g.tk}“ für Gemeinde „{g.ags}“ ist unbekannt "
                "(erwartet 60 bis 67)",
            )
            continue
        kind = GEMEINDE_KINDS[g.tk]
        if kind is None:
            continue  # gemeindefreies Gebiet: not a municipality
        kreis_key = g.ags[:5]
        if kreis_key not in kreise:
            problems.add(
                g.line,
                "Kreis",
                f"Kreis „{kreis_key}“ der Gemeinde „{g.ags}“ ({g.official_name}) fehlt in "
                "der Datei (kein Satz der Satzart 40)",
            )
            continue
        if not check_land(g.ags[:2], g.line, f"Gemeinde „{g.ags}“"):
            continue
        props = {
            "name": short_name(g.official_name),
            "official_name": g.official_name,
            "kind": kind,
            "level": "Gemeinde",
            "state_code": g.ags[:2],
        }
        if g.population is not None:
            if pop_iso is None:
                # check_batch refuses a population without its date, and an undated
                # figure must never displace a dated one in the store.
                props["population_unknown_date"] = g.population
            else:
                props["population"] = g.population
                props["population_date"] = pop_iso
        if g.area_km2 is not None:
            props["area_km2"] = g.area_km2
        if g.lat is not None and g.lon is not None:
            props["lat"] = g.lat
            props["lon"] = g.lon
        if g.plz:
            props["plz"] = g.plz
        props["gebietsstand"] = gs_iso
        props[SOURCES_PROP] = sources
        w = where(g.line)
        batch.nodes.append(Node("Municipality", g.ags, props, w))
        batch.rels.append(
            Rel(
                "IN_STATE",
                Ref(g.ags, "Municipality"),
                Ref(g.ags[:2], "State"),
                rel_props,
                w,
            )
        )
        if kreis_key in kreis_nodes:
            batch.rels.append(
                Rel(
                    "PART_OF",
                    Ref(g.ags, "Municipality"),
                    Ref(kreis_key, "Municipality"),
                    rel_props,
                    w,
                )
            )
        if g.verband in verband_nodes:
            verband_nodes[g.verband]["member_count"] += 1
            batch.rels.append(
                Rel(
                    "IN_VERBAND",
                    Ref(g.ags, "Municipality"),
                    Ref(g.verband, "Gemeindeverband"),
                    rel_props,
                    w,
                )
            )

    if pop_iso is None and any("population_unknown_date" in n.props for n in batch.nodes):
        batch.notices.append(
            f"{display}: Die Datei nennt keinen Stichtag für die Bevölkerungszahlen. Sie "
            "wurden als „population_unknown_date“ gespeichert und ersetzen keine datierten "
            "Werte. Bitte den Stichtag beim Laden angeben (population_date, z. B. "
            "2022-12-31); Destatis nennt ihn in der Beschreibung zur GV100AD-Ausgabe."
        )
    if not parsed.gemeinden and not problems:
        problems.add(None, None, "keine Gemeinden gefunden (kein Satz der Satzart 60)")
    return batch


def _verbaende(
    parsed: Parsed,
    kreise: dict[str, KreisRecord],
    kreis_nodes: set[str],
    gs_iso: str,
    sources: list[str],
    batch: Batch,
    where: Any,
    problems: Problems,
) -> dict[str, dict[str, Any]]:
    """The Gemeindeverband nodes (with ``IN_STATE`` and ``PART_OF`` their Kreis) added to
    ``batch``, and their properties by key: ``member_count`` starts at 0 and is counted up
    by the Gemeinden. The pseudo-records of
    verbandsfreie Gemeinden (TK 50) are no associations and are left out."""
    out: dict[str, dict[str, Any]] = {}
    seen: dict[str, int] = {}
    for v in parsed.verbaende:
        first = seen.get(v.key)
        if first is not None:
            problems.add(
                v.line,
                "Gemeindeverband",
                f"Gemeindeverband „{v.key}“ kommt doppelt vor (zuerst in Zeile {first})",
            )
            continue
        seen[v.key] = v.line
        if v.tk not in VERBAND_KINDS:
            problems.add(
                v.line,
                "Textkennzeichen",
                f"Textkennzeichen „{v.tk}“ für Gemeindeverband „{v.key}“ ist unbekannt "
                "(erwartet 50 bis 58)",
            )
            continue
        kind = VERBAND_KINDS[v.tk]
        if kind is None:
            continue
        if v.key[:5] not in kreise:
            problems.add(
                v.line,
                "Kreis",
                f"Kreis „{v.key[:5]}“ des Gemeindeverbands „{v.key}“ ({v.official_name}) "
                "fehlt in der Datei (kein Satz der Satzart 40)",
            )
            continue
        name = short_name(v.official_name)
        props: dict[str, Any] = {
            "name": name,
            "official_name": v.official_name,
            "kind": kind,
            "state_code": v.key[:2],
            "member_count": 0,
            "gebietsstand": gs_iso,
        }
        if v.tk != "58":  # an erfüllende Gemeinde is named after the Gemeinde itself
            props["full_name"] = f"{kind} {name}"
        if v.seat:
            props["seat"] = v.seat
        props[SOURCES_PROP] = sources
        w = where(v.line)
        out[v.key] = props
        batch.nodes.append(Node("Gemeindeverband", v.key, props, w))
        ref = Ref(v.key, "Gemeindeverband")
        rel_props = {SOURCES_PROP: sources}
        batch.rels.append(Rel("IN_STATE", ref, Ref(v.key[:2], "State"), rel_props, w))
        if v.key[:5] in kreis_nodes:
            batch.rels.append(Rel("PART_OF", ref, Ref(v.key[:5], "Municipality"), rel_props, w))
    return out
