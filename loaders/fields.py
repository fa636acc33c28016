"""The field types every loader's records share: keys, dates, addresses and text, each
checked once, with German messages (`graph.core.german` passes validator texts through).

Text follows `graph.core.text_rules`: NFC, stripped, no invisible or direction-changing
characters; `Text` is one line, `LongText` may hold several. Dates are real calendar
dates in the data's partial form (``2014``, ``2014-09``, ``2014-09-22``): ``2021-13`` or
``2021-02-30`` are refused, not only oddly shaped ones.
"""

from __future__ import annotations

import calendar
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from graph.core.model import AGS_KEY, ARS_KEY, ID_KEY, PARTIAL_DATE, STATE_KEY, WEB_ADDRESS
from graph.core.text_rules import clean_text


def _line(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


def _lines(value: Any) -> Any:
    return clean_text(value, multiline=True) if isinstance(value, str) else value


def check_partial_date(value: str) -> str:
    """``value`` if it is a real year, month or day; else `ValueError` (German)."""
    m = PARTIAL_DATE.match(value)
    if m is None:
        raise ValueError(f"„{value}“ ist kein Datum (Form JJJJ, JJJJ-MM oder JJJJ-MM-TT)")
    year, month, day = m.group(1), m.group(2), m.group(3)
    if month is not None and not 1 <= int(month) <= 12:
        raise ValueError(f"„{value}“ ist kein Datum: Monat {month} gibt es nicht")
    if day is not None:
        last = calendar.monthrange(int(year), int(month))[1]
        if not 1 <= int(day) <= last:
            raise ValueError(
                f"„{value}“ ist kein Datum: der {int(month)}. Monat {year} hat {last} Tage"
            )
    return value


# key and date formats: graph.core.model's, nowhere else
Id = Annotated[str, StringConstraints(pattern=ID_KEY.pattern)]
Ags = Annotated[str, StringConstraints(pattern=AGS_KEY.pattern)]
Ars = Annotated[str, StringConstraints(pattern=ARS_KEY.pattern)]
StateCode = Annotated[str, StringConstraints(pattern=STATE_KEY.pattern)]
Url = Annotated[str, StringConstraints(pattern=WEB_ADDRESS.pattern)]
DateText = Annotated[str, BeforeValidator(_line), AfterValidator(check_partial_date)]
#: One line of text (a name, a title, a place): at least one character.
Text = Annotated[str, BeforeValidator(_line), Field(min_length=1)]
#: Free text that may run over several lines (a summary, a note).
LongText = Annotated[str, BeforeValidator(_lines), Field(min_length=1)]
