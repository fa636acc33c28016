"""What the two Destatis readers (`loaders.destatis_xlsx`, `loaders.destatis_gv100`) and
the directory builder (`loaders.destatis`) share: the directory's codes, the plain records
a reader makes of one file, the problem collector, and small parsing helpers.

Kept apart from `loaders.destatis` so that the readers need not import the module that
imports them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from graph.core.errors import Problem
from graph.core.model import STATES

Progress = Callable[[int, int], None]

#: Satzarten of the directory: Land, Regierungsbezirk, Region (BW), Kreis, Verband, Gemeinde.
SATZARTEN = frozenset({"10", "20", "30", "40", "50", "60"})

#: Kreis Textkennzeichen → ``kind``. 41/42 (kreisfreie Stadt, Stadtkreis) map to ``None``:
#: such a Kreis is the same place as its one Gemeinde, whose node represents it.
KREIS_KINDS: dict[str, str | None] = {
    "41": None,
    "42": None,
    "43": "Kreis",
    "44": "Landkreis",
    "45": "Regionalverband",
}

#: Gemeinde Textkennzeichen → ``kind``; 65/66 (gemeindefreie Gebiete) map to ``None``
#: because forests, lakes and military areas are not municipalities.
GEMEINDE_KINDS: dict[str, str | None] = {
    "60": "Markt",
    "61": "kreisfreie Stadt",
    "62": "Stadtkreis",
    "63": "Stadt",
    "64": "Gemeinde",
    "65": None,
    "66": None,
    "67": "Große Kreisstadt",
}

#: Gemeindeverband Textkennzeichen → ``kind``. 50 maps to ``None``: the pseudo-record of a
#: verbandsfreie Gemeinde, which is no association. 57 (Verwaltungsgemeinschaft, Träger-
#: modell) is in the record description but in no edition here.
VERBAND_KINDS: dict[str, str | None] = {
    "50": None,
    "51": "Amt",
    "52": "Samtgemeinde",
    "53": "Verbandsgemeinde",
    "54": "Verwaltungsgemeinschaft",
    "55": "Kirchspielslandgemeinde",
    "56": "Verwaltungsverband",
    "57": "Verwaltungsgemeinschaft",
    "58": "Erfüllende Gemeinde",
}

PROGRESS_EVERY = 1000

_DATE_DE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


# --------------------------------------------------------------------------- records


@dataclass(slots=True)
class LandRecord:
    """A Satzart-10 record whose code the reader has checked (01–16)."""

    code: str
    line: int


@dataclass(slots=True)
class KreisRecord:
    """A Satzart-40 record with a checked 5-digit key; ``tk`` is not checked yet."""

    key: str
    tk: str
    official_name: str
    seat: str | None
    line: int


@dataclass(slots=True)
class VerbandRecord:
    """A Satzart-50 record with a checked 9-digit key (Kreis + Verband, ``ARS[0:9]``)."""

    key: str
    tk: str
    official_name: str
    seat: str | None
    line: int


@dataclass(slots=True)
class GemeindeRecord:
    """A Satzart-60 record with a checked 8-digit AGS; numbers are already parsed.
    ``verband`` is the 9-digit key of its Gemeindeverband record (``ARS[0:9]``), if given."""

    ags: str
    tk: str
    official_name: str
    line: int
    verband: str | None = None
    area_km2: float | None = None
    population: int | None = None
    plz: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass
class Parsed:
    """What a reader found in one file, before the checks that need the whole file."""

    gebietsstand: date | None = None
    population_date: date | None = None
    lands: list[LandRecord] = field(default_factory=list)
    kreise: list[KreisRecord] = field(default_factory=list)
    verbaende: list[VerbandRecord] = field(default_factory=list)
    gemeinden: list[GemeindeRecord] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


class Problems:
    """Collects problems for one input file, so that all of them can be reported at once."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[Problem] = []

    def add(self, line: int | None, fld: str | None, message: str) -> None:
        self.items.append(Problem(self.file, line, fld, message))

    def __bool__(self) -> bool:
        return bool(self.items)


# --------------------------------------------------------------------------- helpers


def parse_german_date(text: str) -> date | None:
    """The first ``TT.MM.JJJJ`` date in ``text`` (header cells read "Gebietsstand am
    31.12.2024 (4. Quartal)"), or ``None`` if there is none or it is not a real date."""
    m = _DATE_DE.search(text)
    if m is None:
        return None
    try:
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


def valid_land(code: str) -> bool:
    """True for the 16 Land codes 01–16."""
    return code in STATES
