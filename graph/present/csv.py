"""The one CSV writer: every table kommunetz offers as CSV (an answer, the metrics, the
registrations) is written here, for a German spreadsheet.

* ``;`` between cells (a German Excel reads ``,`` as the decimal sign);
* UTF-8 with a byte-order mark, so that Excel reads umlauts right;
* ``\\r\\n`` after every row (RFC 4180; a line break inside a cell stays ``\\n`` and is
  quoted);
* a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets
  a leading apostrophe, so that a spreadsheet shows it as text instead of running it as a
  formula (CSV injection: the data holds what people typed). Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any, Final

SEPARATOR: Final[str] = ";"
LINE_END: Final[str] = "\r\n"
BOM: Final[str] = "\ufeff"
FORMULA_START: Final[tuple[str, ...]] = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """``value`` as a spreadsheet should see it (see the module docstring)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> bytes:
    """``rows`` as CSV bytes. The columns are ``columns`` (the header is written even
    without rows), else every key of the rows in the order first seen (rows may differ;
    a missing cell is empty)."""
    if columns is None:
        columns = list(dict.fromkeys(k for row in rows for k in row))
    out = io.StringIO()
    if columns:
        writer = csv.DictWriter(
            out, fieldnames=list(columns), delimiter=SEPARATOR, lineterminator=LINE_END
        )
        writer.writeheader()
        for row in rows:
            writer.writerow({k: cell(v) for k, v in row.items()})
    return (BOM + out.getvalue()).encode("utf-8")
