"""Reader for the Destatis **GV100AD** fixed-width text file, turning its records into
:class:`loaders.destatis_records.Parsed`.

Each record is one line of 220 characters; fields sit at fixed character positions (not
byte positions, so a line is decoded before it is sliced). The file has been UTF-8 since
about 2019; older editions are ISO-8859-1, which is accepted with a notice. It has neither
coordinates nor the population's reference date (see :func:`loaders.destatis.read_directory`).
"""

from __future__ import annotations

import re
from datetime import date

from loaders.destatis_records import (
    GEMEINDE_KINDS,
    PROGRESS_EVERY,
    SATZARTEN,
    GemeindeRecord,
    KreisRecord,
    LandRecord,
    Parsed,
    Problems,
    Progress,
    VerbandRecord,
    valid_land,
)

# Fields as (German name, first position, last position), 1-based and inclusive as in the
# Destatis record description, so they can be checked against it at a glance.
Field = tuple[str, int, int]
SATZART: Field = ("Satzart", 1, 2)
GEBIETSSTAND: Field = ("Gebietsstand", 3, 10)
LAND: Field = ("Land", 11, 12)
KREIS: Field = ("Kreis", 11, 15)
AGS: Field = ("AGS", 11, 18)
VERBAND: Field = ("Gemeindeverband", 19, 22)
NAME: Field = ("Name", 23, 72)
SEAT: Field = ("Sitz der Verwaltung", 73, 122)
TK: Field = ("Textkennzeichen", 123, 124)
AREA: Field = ("Fläche", 129, 139)  # hectares
POPULATION: Field = ("Bevölkerung", 140, 150)
PLZ: Field = ("Postleitzahl", 166, 170)

#: Fields a line must reach, by Satzart (a Gemeinde additionally needs GEMEINDE_FIELDS).
#: The name and seat may be cut short by an editor that strips trailing blanks, so only
#: fields that lie before a later required one are implied.
REQUIRED: dict[str, tuple[Field, ...]] = {
    "10": (GEBIETSSTAND, LAND),
    "20": (GEBIETSSTAND,),
    "30": (GEBIETSSTAND,),
    "40": (GEBIETSSTAND, KREIS, TK),
    "50": (GEBIETSSTAND, KREIS, VERBAND, TK),
    "60": (GEBIETSSTAND, AGS, TK),
}
GEMEINDE_FIELDS: tuple[Field, ...] = (AREA, POPULATION, PLZ)

# C0 control characters other than LF and CR. A NUL in particular means UTF-16 (every
# ASCII character followed by a zero byte), which would otherwise decode as "valid" UTF-8.
_CONTROL = re.compile(rb"[\x00-\x09\x0b\x0c\x0e-\x1f]")


def _get(line: str, f: Field) -> str:
    return line[f[1] - 1 : f[2]]


def _line_of(data: bytes, pos: int) -> tuple[int, int]:
    """1-based (line, byte column) of byte offset ``pos``."""
    start = data.rfind(b"\n", 0, pos) + 1
    return data.count(b"\n", 0, pos) + 1, pos - start + 1


def _decode(data: bytes, problems: Problems, notices: list[str]) -> str | None:
    """The file as text: UTF-8, or ISO-8859-1 (older editions) with a notice. Anything
    with NUL or other control characters is refused, naming the first such line."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.add(
            1,
            "Kodierung",
            "Die Datei ist UTF-16-kodiert; erwartet wird UTF-8 (ältere Ausgaben: ISO-8859-1). "
            "Bitte die Originaldatei von Destatis verwenden oder als UTF-8 speichern.",
        )
        return None
    m = _CONTROL.search(data)
    if m is not None:
        line, col = _line_of(data, m.start())
        problems.add(
            line,
            "Kodierung",
            f"Zeile {line} enthält ein Steuerzeichen (Byte 0x{data[m.start()]:02X} an Stelle "
            f"{col}); erwartet wird UTF-8-Text (ältere Ausgaben: ISO-8859-1) – ist die Datei "
            "vielleicht UTF-16-kodiert oder gar kein Text?",
        )
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line, _ = _line_of(data, e.start)
        notices.append(
            f"{problems.file}: Die Datei ist nicht UTF-8-kodiert (erstes fremdes Byte in "
            f"Zeile {line}); sie wurde als ISO-8859-1 gelesen, wie ältere GV100AD-Ausgaben "
            "kodiert sind. Bitte Umlaute in den Namen prüfen."
        )
        return data.decode("iso-8859-1")


def _long_enough(
    line: str, n: int, satzart: str, fields: tuple[Field, ...], problems: Problems
) -> bool:
    """True if ``line`` reaches every field in ``fields``; else one problem naming the
    first field that is cut off."""
    need = max(f[2] for f in fields)
    if len(line) >= need:
        return True
    missing = next(f for f in fields if len(line) < f[2])
    problems.add(
        n,
        missing[0],
        f"Zeile zu kurz ({len(line)} Zeichen): Feld „{missing[0]}“ (Stellen "
        f"{missing[1]}–{missing[2]}) fehlt; Satzart {satzart} braucht mindestens {need} "
        "Zeichen",
    )
    return False


def _digits(text: str) -> int | None:
    """A right-aligned, zero-padded number field; ``None`` if blank.

    Raises ``ValueError`` if it holds anything but digits.
    """
    t = text.strip()
    if not t:
        return None
    if not (t.isascii() and t.isdigit()):
        raise ValueError(t)
    return int(t)


def read_gv100(data: bytes, problems: Problems, progress: Progress | None) -> Parsed | None:
    """Parse GV100AD text. Line-level problems go to ``problems`` (1-based line numbers);
    returns ``None`` only when the bytes cannot be decoded as text."""
    parsed = Parsed()
    text = _decode(data, problems, parsed.notices)
    if text is None:
        return None
    lines = text.split("\n")
    total = len(lines)
    first_gs: tuple[str, int] | None = None

    for i, raw in enumerate(lines):
        if progress is not None and i % PROGRESS_EVERY == 0:
            progress(i, total)
        line = raw[:-1] if raw.endswith("\r") else raw  # CRLF in fresh downloads
        if not line.strip():
            continue
        n = i + 1
        satzart = _get(line, SATZART)
        if satzart not in SATZARTEN:
            problems.add(
                n,
                "Satzart",
                f"Satzart „{satzart}“ ist unbekannt (erwartet 10, 20, 30, 40, 50 oder 60 in "
                "den Stellen 1–2)",
            )
            continue
        if not _long_enough(line, n, satzart, REQUIRED[satzart], problems):
            continue

        gs_text = _get(line, GEBIETSSTAND)
        if first_gs is None:
            first_gs = (gs_text, n)
            parsed.gebietsstand = _gebietsstand(gs_text, n, problems)
        elif gs_text != first_gs[0]:
            problems.add(
                n,
                "Gebietsstand",
                f"Gebietsstand „{gs_text}“ weicht vom ersten Satz ab („{first_gs[0]}“ in "
                f"Zeile {first_gs[1]}); eine Datei gehört zu genau einem Gebietsstand",
            )

        if satzart == "10":
            land = _get(line, LAND)
            if _check_land(land, n, problems):
                parsed.lands.append(LandRecord(land, n))
        elif satzart == "40":
            key = _get(line, KREIS)
            if not (key.isascii() and key.isdigit()):
                problems.add(
                    n, "Kreis", f"Kreis „{key}“ ist ungültig: 5 Ziffern erwartet (Stellen 11–15)"
                )
            elif _check_land(key[:2], n, problems):
                parsed.kreise.append(
                    KreisRecord(
                        key,
                        _get(line, TK).strip(),
                        _get(line, NAME).strip(),
                        _get(line, SEAT).strip() or None,
                        n,
                    )
                )
        elif satzart == "50":
            _verband(line, n, parsed, problems)
        elif satzart == "60":
            _gemeinde(line, n, parsed, problems)

    if progress is not None:
        progress(total, total)
    if first_gs is None:
        problems.add(None, None, "keine Datensätze gefunden (leere Datei?)")
    return parsed


def _gebietsstand(text: str, n: int, problems: Problems) -> date | None:
    try:
        if text.isascii() and text.isdigit():
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        pass
    problems.add(
        n,
        "Gebietsstand",
        f"Gebietsstand „{text}“ ist kein Datum (erwartet JJJJMMTT in den Stellen 3–10)",
    )
    return None


def _check_land(land: str, n: int, problems: Problems) -> bool:
    if valid_land(land):
        return True
    problems.add(n, "Land", f"Land „{land}“ ist ungültig: 01 bis 16 erwartet (Stellen 11–12)")
    return False


def _verband_key(line: str) -> str:
    """Kreis (11–15) + Verband (19–22): the 9-digit ``ARS[0:9]``."""
    return _get(line, KREIS) + _get(line, VERBAND)


def _verband(line: str, n: int, parsed: Parsed, problems: Problems) -> None:
    key = _verband_key(line)
    if not (key.isascii() and key.isdigit() and len(key) == 9):
        problems.add(
            n,
            "Gemeindeverband",
            f"Gemeindeverband „{key}“ ist ungültig: 9 Ziffern erwartet (Stellen 11–15 und 19–22)",
        )
    elif _check_land(key[:2], n, problems):
        parsed.verbaende.append(
            VerbandRecord(
                key,
                _get(line, TK).strip(),
                _get(line, NAME).strip(),
                _get(line, SEAT).strip() or None,
                n,
            )
        )


def _gemeinde(line: str, n: int, parsed: Parsed, problems: Problems) -> None:
    ags = _get(line, AGS)
    if not (ags.isascii() and ags.isdigit()):
        problems.add(n, "AGS", f"AGS „{ags}“ ist ungültig: 8 Ziffern erwartet (Stellen 11–18)")
        return
    if not _check_land(ags[:2], n, problems):
        return
    verband = _verband_key(line)
    rec = GemeindeRecord(
        ags,
        _get(line, TK).strip(),
        _get(line, NAME).strip(),
        n,
        verband if verband.isascii() and verband.isdigit() and len(verband) == 9 else None,
    )
    parsed.gemeinden.append(rec)
    if GEMEINDE_KINDS.get(rec.tk, "") is None:
        return  # gemeindefreies Gebiet: dropped later, its figures are not needed
    if not _long_enough(line, n, "60", GEMEINDE_FIELDS, problems):
        return
    try:
        hectares = _digits(_get(line, AREA))
        rec.area_km2 = None if hectares is None else round(hectares / 100, 2)
    except ValueError:
        problems.add(
            n,
            "Fläche",
            f"Fläche „{_get(line, AREA).strip()}“ ist keine Zahl (Stellen 129–139, Hektar)",
        )
    try:
        rec.population = _digits(_get(line, POPULATION))
    except ValueError:
        problems.add(
            n,
            "Bevölkerung",
            f"Bevölkerung „{_get(line, POPULATION).strip()}“ ist keine Zahl (Stellen 140–150)",
        )
    rec.plz = _get(line, PLZ).strip() or None
