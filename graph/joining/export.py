"""The registrations as CSV for the coordinator's spreadsheet (with personal data: for the
coordinator only), written by the one CSV writer (`graph.present.csv`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from graph.joining.proposal import AuditEntry
from graph.joining.registration import Registration
from graph.present.csv import to_csv
from graph.present.text import format_timestamp

CSV_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("reference", "Referenz"),
    ("status_de", "Status"),
    ("submitted", "Eingegangen"),
    ("confirmed_de", "Adresse bestätigt"),
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
            "confirmed_de": (
                format_timestamp(reg.confirmed_at)
                if reg.confirmed_at
                else ("ohne Link" if reg.confirmed else "nein")
            ),
            "decided": format_timestamp(reg.decided_at) if reg.decided_at else "",
            "contact_name": c.name if c else "",
            "contact_function": c.function if c else "",
            "contact_email": c.email if c else "",
            "contact_phone": (c.phone or "") if c else "",
            "interests": ", ".join(topic_names.get(t, t) for t in reg.interests),
        }
        rows.append({title: row.get(key) for key, title in CSV_COLUMNS})
    return to_csv(rows, [title for _, title in CSV_COLUMNS])


AUDIT_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("at", "Zeitpunkt"),
    ("actor", "Wer"),
    ("action", "Was"),
    ("subject", "Betrifft"),
    ("detail", "Einzelheiten"),
)


def audit_csv(entries: Sequence[AuditEntry]) -> bytes:
    """The audit log as CSV (who, when, what, decision), oldest first, local times."""
    rows = [
        {
            "Zeitpunkt": format_timestamp(e.at),
            "Wer": e.actor,
            "Was": e.action,
            "Betrifft": e.subject,
            "Einzelheiten": e.detail or "",
        }
        for e in entries
    ]
    return to_csv(rows, [title for _, title in AUDIT_COLUMNS])
