"""Reader for the Destatis **AuszugGV** workbook ("Alle politisch selbständigen Gemeinden
mit ausgewählten Merkmalen"), turning its data sheet into :class:`loaders.destatis_records.Parsed`.

The workbook is read with python-calamine: openpyxl needs several seconds for the 16,000
rows of a full edition, calamine a fraction of a second. Columns are taken by position
A–T, as Destatis has kept them stable; the header texts are only compared with the known
layout, and a difference becomes a notice (the population basis, for one, is announced to
change from Zensus 2011 to Zensus 2022), not an error.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from loaders.destatis_records import (
    PROGRESS_EVERY,
    SATZARTEN,
    GemeindeRecord,
    KreisRecord,
    LandRecord,
    Parsed,
    Problems,
    Progress,
    VerbandRecord,
    parse_german_date,
    valid_land,
)

SHEET_PREFIX = "Onlineprodukt_Gemeinden"
COLUMNS = "ABCDEFGHIJKLMNOPQRST"
N_COLUMNS = len(COLUMNS)

# Column positions (0-based) of the fields the loader uses.
SATZART, TK, LAND, RB, KREIS, VB, GEM, NAME = 0, 1, 2, 3, 4, 5, 6, 7
AREA, POPULATION, PLZ, LON, LAT = 8, 9, 13, 14, 15

#: Header texts of the known layout (2023 and 2024 editions), by (Excel row, column), after
#: collapsing whitespace. A cell may have several accepted spellings.
KNOWN_HEADER: dict[tuple[int, str], tuple[str, ...]] = {
    (3, "A"): ("Satz-art",),
    (3, "B"): ("Text-kenn-zeichen",),
    (3, "C"): ("Amtlicher Regionalschlüssel (ARS)",),
    (3, "H"): ("Gemeindename",),
    (3, "I"): ("Fläche km2 1)",),
    (3, "J"): ("Bevölkerung2)", "Bevölkerung auf Grundlage des Zensus 20112)"),
    (3, "N"): ("Postleit-zahl3)",),
    (3, "O"): ("Geografische Mittelpunktkoordinaten",),
    (4, "C"): ("Land",),
    (4, "D"): ("RB",),
    (4, "E"): ("Kreis",),
    (4, "F"): ("VB",),
    (4, "G"): ("Gem",),
    (4, "J"): ("insgesamt",),
    (4, "K"): ("männlich",),
    (4, "L"): ("weiblich",),
    (4, "M"): ("je km2",),
    (4, "O"): ("Längengrad",),
    (4, "P"): ("Breitengrad",),
}

_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


class _Codes:
    """Reads code cells as text with their leading zeros and remembers whether any were
    stored as numbers (what Excel does when a user re-saves the file), so the user hears
    about it once instead of getting "invalid key" for every row."""

    def __init__(self) -> None:
        self.numeric_cells = 0

    def __call__(self, value: Any, width: int) -> str:
        if isinstance(value, str):
            return value.strip()
        if value is None:
            return ""
        if (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and float(value).is_integer()
            and value >= 0
        ):
            self.numeric_cells += 1
            return f"{int(value):0{width}d}"
        return str(value)


def _text(value: Any) -> str:
    """A cell as stripped text; whole numbers lose their ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value: Any) -> float | None:
    """A numeric cell as float; ``None`` for an empty cell. Destatis writes numbers as
    numbers and coordinates as text with a decimal comma, and some empty cells as ``''``.

    Raises ``ValueError`` for anything else (text that is not a number, dates, booleans).
    """
    if value is None:
        return None
    if isinstance(value, bool | date | datetime):
        raise ValueError(value)
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if not text:
        return None
    if not _NUMBER.fullmatch(text):
        raise ValueError(text)
    return float(text.replace(",", "."))


def _norm(value: Any) -> str:
    return " ".join(_text(value).split())


def _choose_sheet(wb: CalamineWorkbook, problems: Problems, notices: list[str]) -> str | None:
    """The data sheet: by its name prefix (the suffix changes with each edition), else the
    second sheet, which is where every edition so far has put it."""
    names: list[str] = list(wb.sheet_names)
    for n in names:
        if n.startswith(SHEET_PREFIX):
            return n
    if len(names) > 1:
        notices.append(
            f"{problems.file}: kein Blatt „{SHEET_PREFIX}…“ gefunden; gelesen wird das zweite "
            f"Blatt „{names[1]}“."
        )
        return names[1]
    problems.add(
        None,
        None,
        f"keine Datentabelle gefunden: erwartet ein Blatt „{SHEET_PREFIX}…“ oder ein zweites "
        f"Blatt (vorhanden: {', '.join(names) or 'keins'})",
    )
    return None


def _cell(rows: Sequence[Sequence[Any]], row: int, col: int) -> Any:
    """Value at 0-based (row, col), or ``None`` outside the sheet."""
    if row < len(rows) and col < len(rows[row]):
        return rows[row][col]
    return None


def _merged_value(
    rows: Sequence[Sequence[Any]],
    merged: Sequence[tuple[tuple[int, int], tuple[int, int]]],
    row: int,
    col: int,
) -> Any:
    """The value shown at (row, col): a merged cell shows its top-left cell's value."""
    for (r0, c0), (r1, c1) in merged:
        if r0 <= row <= r1 and c0 <= col <= c1:
            return _cell(rows, r0, c0)
    return _cell(rows, row, col)


def _header(
    rows: Sequence[Sequence[Any]],
    merged: Sequence[tuple[tuple[int, int], tuple[int, int]]],
    parsed: Parsed,
    problems: Problems,
) -> None:
    """Gebietsstand and population date from header row 5, plus a notice if the header
    texts differ from the known layout."""
    differing: list[str] = []
    for (row, col), accepted in KNOWN_HEADER.items():
        found = _norm(_cell(rows, row - 1, COLUMNS.index(col)))
        if found not in accepted:
            differing.append(f"{col}{row} „{found}“ (bekannt: „{accepted[-1]}“)")
    if differing:
        parsed.notices.append(
            f"{problems.file}: Die Kopfzeilen weichen vom bekannten Aufbau ab – bitte prüfen, "
            "ob die Spalten A–T noch dasselbe bedeuten: " + "; ".join(differing)
        )

    # "Gebietsstand am 31.12.2024 (4. Quartal)" in C5; the title in row 1 says it too.
    gs = parse_german_date(_text(_cell(rows, 4, LAND)))
    if gs is None:
        gs = parse_german_date(_text(_cell(rows, 0, 0)))
    if gs is None:
        problems.add(
            5,
            "Gebietsstand",
            "Gebietsstand nicht gefunden: erwartet „Gebietsstand am TT.MM.JJJJ“ in Zeile 5, "
            "Spalte C, oder ein Datum im Titel in Zeile 1",
        )
    parsed.gebietsstand = gs

    # Population date above column J. In 2024 J5:M5 are merged ("am 31.12.2023 (Jahr)"),
    # in 2023 I5:M5 ("31.12.2023 (Jahr)"), hence the merged-cell lookup; I5 alone is the
    # fallback for a copy that lost its merges.
    pop = parse_german_date(_text(_merged_value(rows, merged, 4, POPULATION)))
    if pop is None and not _text(_cell(rows, 4, POPULATION)):
        pop = parse_german_date(_text(_cell(rows, 4, AREA)))
    parsed.population_date = pop


def read_xlsx(data: bytes, problems: Problems, progress: Progress | None) -> Parsed | None:
    """Parse an AuszugGV workbook. Row-level problems go to ``problems`` (Excel row
    numbers); returns ``None`` only when the workbook or its data sheet cannot be read."""
    parsed = Parsed()
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except CalamineError:  # its message is English ("Cannot detect file format")
        problems.add(
            None,
            None,
            "keine gültige xlsx-Datei (beschädigt, unvollständig oder kein Excel)",
        )
        return None
    sheet_name = _choose_sheet(wb, problems, parsed.notices)
    if sheet_name is None:
        return None
    try:
        sheet = wb.get_sheet_by_name(sheet_name)
        # skip_empty_area=False: row i of the list is Excel row i + 1 even if the sheet
        # starts with blank rows, so that every message names the row Excel shows.
        rows: list[list[Any]] = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
    except CalamineError as e:
        problems.add(None, None, f"Blatt „{sheet_name}“ ist nicht lesbar: {e}")
        return None

    _header(rows, merged, parsed, problems)

    total = len(rows)
    width = max((len(r) for r in rows), default=0)
    code = _Codes()
    for i, row in enumerate(rows):
        if progress is not None and i % PROGRESS_EVERY == 0:
            progress(i, total)
        # _text, not code(): a footnote cell must not count as a re-saved key
        satzart = _text(row[SATZART]) if row else ""
        if satzart not in SATZARTEN:
            continue  # title, header, footnotes, copyright block, blank rows
        line = i + 1
        if width < N_COLUMNS:
            # calamine pads every row to the sheet's width, so one message says it all.
            problems.add(
                line,
                f"Spalte {COLUMNS[width]}",
                f"zu wenige Spalten: {width} statt {N_COLUMNS} (A–T); es fehlen die Spalten "
                f"{COLUMNS[width]}–T",
            )
            return parsed
        if satzart == "10":
            _land(row, line, code, parsed, problems)
        elif satzart == "40":
            _kreis(row, line, code, parsed, problems)
        elif satzart == "50":
            _verband(row, line, code, parsed, problems)
        elif satzart == "60":
            _gemeinde(row, line, code, parsed, problems)
    if progress is not None:
        progress(total, total)

    if code.numeric_cells:
        parsed.notices.append(
            f"{problems.file}: {code.numeric_cells} Schlüsselzellen waren als Zahl statt als "
            "Text gespeichert (die Datei wurde wohl in Excel neu gespeichert); die führenden "
            "Nullen wurden ergänzt."
        )
    return parsed


def _check_land(land: str, line: int, problems: Problems) -> bool:
    if valid_land(land):
        return True
    problems.add(line, "Land", f"Land „{land}“ ist ungültig: 01 bis 16 erwartet (Spalte C)")
    return False


def _land(row: Sequence[Any], line: int, code: _Codes, parsed: Parsed, p: Problems) -> None:
    land = code(row[LAND], 2)
    if _check_land(land, line, p):
        parsed.lands.append(LandRecord(land, line))


def _kreis(row: Sequence[Any], line: int, code: _Codes, parsed: Parsed, p: Problems) -> None:
    land = code(row[LAND], 2)
    key = land + code(row[RB], 1) + code(row[KREIS], 2)
    if not (len(key) == 5 and key.isascii() and key.isdigit()):
        p.add(line, "Kreis", f"Kreis „{key}“ ist ungültig: 5 Ziffern erwartet (Spalten C–E)")
        return
    if not _check_land(land, line, p):
        return
    parsed.kreise.append(KreisRecord(key, code(row[TK], 2), _text(row[NAME]), None, line))


def _verband_key(row: Sequence[Any], code: _Codes) -> str:
    """Land + RB + Kreis + VB (columns C–F): the 9-digit ``ARS[0:9]``."""
    return code(row[LAND], 2) + code(row[RB], 1) + code(row[KREIS], 2) + code(row[VB], 4)


def _verband(row: Sequence[Any], line: int, code: _Codes, parsed: Parsed, p: Problems) -> None:
    key = _verband_key(row, code)
    if not (len(key) == 9 and key.isascii() and key.isdigit()):
        p.add(
            line,
            "Gemeindeverband",
            f"Gemeindeverband „{key}“ ist ungültig: 9 Ziffern erwartet (Spalten C–F)",
        )
        return
    if not _check_land(key[:2], line, p):
        return
    parsed.verbaende.append(VerbandRecord(key, code(row[TK], 2), _text(row[NAME]), None, line))


def _gemeinde(row: Sequence[Any], line: int, code: _Codes, parsed: Parsed, p: Problems) -> None:
    land = code(row[LAND], 2)
    ags = land + code(row[RB], 1) + code(row[KREIS], 2) + code(row[GEM], 3)
    if not (len(ags) == 8 and ags.isascii() and ags.isdigit()):
        p.add(line, "AGS", f"AGS „{ags}“ ist ungültig: 8 Ziffern erwartet (Spalten C–E und G)")
        return
    if not _check_land(land, line, p):
        return
    verband = _verband_key(row, code)
    rec = GemeindeRecord(
        ags,
        code(row[TK], 2),
        _text(row[NAME]),
        line,
        verband if len(verband) == 9 and verband.isascii() and verband.isdigit() else None,
    )
    parsed.gemeinden.append(rec)
    if rec.tk in ("65", "66"):
        return  # gemeindefreies Gebiet: dropped later, its figures are not needed

    try:
        area = _number(row[AREA])
        if area is not None and area < 0:
            raise ValueError(area)
        rec.area_km2 = area
    except ValueError:
        p.add(line, "Fläche", f"Fläche „{_text(row[AREA])}“ ist keine Zahl (Spalte I, km²)")
    try:
        pop = _number(row[POPULATION])
        if pop is not None and (pop < 0 or not pop.is_integer()):
            raise ValueError(pop)
        rec.population = None if pop is None else int(pop)
    except ValueError:
        p.add(
            line,
            "Bevölkerung",
            f"Bevölkerung „{_text(row[POPULATION])}“ ist keine ganze Zahl (Spalte J)",
        )
    rec.plz = code(row[PLZ], 5) or None
    try:
        lon, lat = _number(row[LON]), _number(row[LAT])
        # Empty or "0" means "no coordinates" (07000999 has "0","0"); keep both or neither.
        if lon and lat:
            rec.lon, rec.lat = lon, lat
    except ValueError:
        p.add(
            line,
            "Koordinaten",
            f"Koordinaten „{_text(row[LON])}“, „{_text(row[LAT])}“ sind keine Zahlen "
            "(Spalten O und P, z. B. „9,43751“)",
        )
