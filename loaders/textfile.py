"""Reading a text input file strictly as UTF-8, with a message that names the line of the
first byte that is not — the usual cause being a spreadsheet saved as "CSV (Windows)"."""

from __future__ import annotations

from pathlib import Path

from graph.core.errors import Problem, ValidationFailed

#: First bytes of files that are no text, and what they are (a renamed download, say).
BINARY_FORMATS: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "eine Excel- (.xlsx) oder ZIP-Datei"),
    (b"\xd0\xcf\x11\xe0", "eine alte Excel-Datei (.xls)"),
    (b"%PDF", "eine PDF-Datei"),
    (b"SQLite format 3\x00", "eine SQLite-Datenbank"),
)


def read_utf8(path: Path, display: str | None = None) -> str:
    """The file's text (a UTF-8 byte-order mark is dropped). Raises `ValidationFailed`."""
    name = display or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ValidationFailed([Problem(name, None, None, "Datei nicht gefunden")]) from None
    except OSError as exc:
        raise ValidationFailed(
            [Problem(name, None, None, f"Datei kann nicht gelesen werden ({exc.strerror})")]
        ) from None
    for magic, what in BINARY_FORMATS:
        if data.startswith(magic):
            raise ValidationFailed(
                [
                    Problem(
                        name,
                        None,
                        None,
                        f"Die Datei ist keine Textdatei, sondern {what} (umbenannt?). Ein "
                        "Gemeindeverzeichnis als .xlsx laden, eine Tabelle in Excel als „CSV "
                        "UTF-8 (durch Trennzeichen getrennt)“ speichern.",
                    )
                ]
            )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start]
        raise ValidationFailed(
            [
                Problem(
                    name,
                    line,
                    None,
                    f"Die Datei ist nicht UTF-8-kodiert (Byte 0x{byte:02X}). Bitte als UTF-8 "
                    "speichern, z. B. in Excel „CSV UTF-8 (durch Trennzeichen getrennt)“.",
                )
            ]
        ) from None
