"""German wording of what the graph holds: type names, dates, periods, numbers, Länder,
and the marks for uncertain facts ("vermutet", "unsicher").

The view's tooltips, the text tables, the details panel, the answers to the questions and
every page say the same things in the same words, so the words live here. Every function
returns plain text; escaping is the job of whoever renders it (HTML, Markdown, JSON in a
script).

**Dates** read as Germans write them, always the same way: a day ``22.09.2016``, a month
``September 2014``, a year ``2014`` (`format_date`); a span ``2014 – 2016`` or ``seit
2017`` (`format_period`); a moment ``12.06.2025, 10:00 Uhr`` in German local time
(`format_timestamp`). **Numbers** have a point between thousands: ``10.752``
(`format_int`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from graph.core.model import BERLIN, NODE_TYPES, PARTIAL_DATE, REL_TYPES, STATES
from graph.core.nodes import Entity

MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)

_YEAR = re.compile(r"^(\d{4})")

#: What a ``confidence`` value means for a reader.
CONFIDENCE = {"low": "unsicher", "medium": "teilweise unsicher"}
INFERRED = "vermutet"


def type_name(label: str, plural: bool = False) -> str:
    """``Kommune``/``Kommunen`` for ``Municipality``; the label itself if unknown."""
    t = NODE_TYPES.get(label)
    if t is None:
        return label
    return t.plural if plural else t.singular


def relation_name(rtype: str) -> str:
    """``führt durch`` for ``RUNS``."""
    r = REL_TYPES.get(rtype)
    return r.description if r else rtype


def state_name(code: object) -> str | None:
    """``Nordrhein-Westfalen`` for ``05``."""
    entry = STATES.get(str(code)) if code is not None else None
    return entry[0] if entry else None


def year_of(value: object) -> int | None:
    """The year of a date as the data writes it (``2014``, ``2014-09``, ``2014-09-22``)."""
    m = _YEAR.match(str(value)) if value is not None else None
    return int(m.group(1)) if m else None


def format_date(value: object) -> str:
    """``22.09.2016``, ``September 2014`` or ``2014``; other text unchanged."""
    text = str(value)
    m = PARTIAL_DATE.fullmatch(text)
    if not m:
        return text
    year, month, day = m.groups()
    if day:
        return f"{day}.{month}.{year}"
    if month and 1 <= int(month) <= 12:
        return f"{MONTHS[int(month) - 1]} {year}"
    return year


def format_timestamp(stamp: str) -> str:
    """``2025-06-12T08:00:00+00:00`` → ``12.06.2025, 10:00 Uhr`` (German local time)."""
    return datetime.fromisoformat(stamp).astimezone(BERLIN).strftime("%d.%m.%Y, %H:%M Uhr")


def format_day(stamp: str) -> str:
    """The German local date of a moment: ``2025-06-20T22:30:00+00:00`` → ``21.06.2025``."""
    return format_date(datetime.fromisoformat(stamp).astimezone(BERLIN).date().isoformat())


def format_int(n: int | float | str) -> str:
    """German thousands separator: 10752 → ``10.752``."""
    return f"{int(n):,}".replace(",", ".")


def format_decimal(x: float, digits: int = 1) -> str:
    """German decimal comma and thousands separator: 1234.5 → ``1.234,5``."""
    return f"{x:,.{digits}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def format_period(start: object, end: object) -> str | None:
    """``2014–2016``, ``seit 2017``, ``bis 2016``; None when neither is known."""
    if start and end:
        a, b = format_date(start), format_date(end)
        return a if a == b else f"{a} – {b}"
    if start:
        return f"seit {format_date(start)}"
    if end:
        return f"bis {format_date(end)}"
    return None


def when(attrs: Mapping[str, Any]) -> tuple[str, str] | None:
    """When a node happened, as (German label, text): a workshop's or report's date (or
    dates), a cooperation's start, a project's or network's period (``seit 2019`` while
    it runs). None when the node has no date."""
    if attrs.get("date"):
        return "Datum", format_period(attrs["date"], attrs.get("date_end") or attrs["date"]) or ""
    if attrs.get("since"):
        return "Seit", format_date(attrs["since"])
    period = format_period(attrs.get("start"), attrs.get("end"))
    return ("Zeitraum", period) if period else None


def flags(attrs: Mapping[str, Any]) -> list[str]:
    """The marks a fact carries: ``vermutet`` for placeholders that exist only because a
    rule says so, ``unsicher``/``teilweise unsicher`` for facts the sources state vaguely."""
    if "inferred" not in attrs and "confidence" not in attrs:
        return []  # the common case, asked 40,000 times per large view
    out = []
    if attrs.get("inferred"):
        out.append(INFERRED)
    confidence = CONFIDENCE.get(str(attrs.get("confidence")))
    if confidence:
        out.append(confidence)
    return out


def entity_kind(e: Entity) -> str:
    """What an `Entity` is, as shown beside its name: its kind, else its type."""
    return e.kind or type_name(e.label)


def kind_of(attrs: Mapping[str, Any]) -> str:
    """The kind shown beside a name: ``Stadt``, ``Workshop``, ``Zweckverband``; for nodes
    without a kind, their type (``Thema``)."""
    kind = attrs.get("kind")
    return str(kind) if kind else type_name(str(attrs.get("type", "")))


def edge_details(attrs: Mapping[str, Any]) -> str:
    """Role and date of a relationship: ``Modellkommune (1. Staffel), seit 12.12.2013``."""
    bits = []
    if attrs.get("role"):
        bits.append(str(attrs["role"]))
    if attrs.get("since"):
        bits.append(f"seit {format_date(attrs['since'])}")
    return ", ".join(bits)


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut.rstrip(" ,;:–-") + "…"


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def format_number(value: float, digits: int = 3) -> str:
    """German decimals: 41.848 → ``41,848``; thousands grouped: 12345.5 → ``12.345,5``.
    Trailing zeros are dropped (``0,5``, not ``0,500``)."""
    text = f"{value:,.{digits}f}".rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def format_cell(value: object) -> str:
    """A table cell as a German reader expects it: numbers of five digits and more
    grouped (``10.752``; DIN 5008 leaves ``2014`` alone), decimals with a comma, ISO days
    as ``22.09.2016``, nothing for None; other text unchanged."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int):
        return format_int(value) if abs(value) >= 10_000 else str(value)
    if isinstance(value, float):
        return format_number(value)
    text = str(value)
    return format_date(text) if _ISO_DAY.match(text) else text
