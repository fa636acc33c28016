"""The registrations as CSV for the coordinator's spreadsheet (with personal data: for the
coordinator only), written by the one CSV writer (`graph.present.csv`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from graph.joining.registration import Registration
from graph.present.csv import to_csv
from graph.present.text import format_timestamp

CSV_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("reference", "Referenz"),
    ("status_de", "Status"),
    ("submitted", "Eingegangen"),
    ("decided", "Entschieden"),
    ("decided_by", "Entschieden von"),
    ("municipality_name", "Kommune"),
    ("ags", "AGS"),
    ("contact_name", "Kontaktperson"),
    ("contact_function", "Funktion"),
    ("contact_email", "E-Mail"),
    ("contact_phone", "Telefon"),
    ("interests", "Themen"),
    ("offer", "Was wir anbieten"),
    ("seek", "Was wir suchen"),
    ("projects", "Aktuelle Projekte"),
    ("reason", "Begründung der Ablehnung"),
    ("consent_version", "Datenschutzhinweis (Fassung)"),
)


def registrations_csv(regs: Sequence[Registration], topic_names: Mapping[str, str]) -> bytes:
    """The registrations as CSV (see `graph.present.csv`): German headers, local times,
    topic names instead of ids. Holds personal data: for the coordinator only."""
    rows = []
    for reg in regs:
        c = reg.contact
        row = {
            **reg.as_dict(),
            "submitted": format_timestamp(reg.submitted_at),
            "decided": format_timestamp(reg.decided_at) if reg.decided_at else "",
            "contact_name": c.name if c else "",
            "contact_function": c.function if c else "",
            "contact_email": c.email if c else "",
            "contact_phone": (c.phone or "") if c else "",
            "interests": ", ".join(topic_names.get(t, t) for t in reg.interests),
        }
        rows.append({title: row.get(key) for key, title in CSV_COLUMNS})
    return to_csv(rows, [title for _, title in CSV_COLUMNS])
