"""The registration form's validation (German messages a person can act on), reference
numbers, the privacy notice record and the coordinator's CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest

from graph.core.errors import NotFound, ValidationFailed
from graph.joining.export import registrations_csv
from graph.joining.form import MAX_TEXT, new_submission, parse_reference, validate_form
from graph.joining.privacy import CONTROLLER_MISSING, NOTICE_VERSION, notice_digest, privacy_notice
from graph.joining.registration import Contact, Registration, Status
from tests.registration_helpers import CONTROLLER, NOW, form_data


def problems(**overrides: Any) -> list[str]:
    """The problems of a form with ``overrides``, as ``field: message`` lines."""
    with pytest.raises(ValidationFailed) as info:
        validate_form(form_data(**overrides))
    return [f"{p.field}: {p.message}" for p in info.value.problems]


def test_a_valid_form_is_normalised() -> None:
    form = validate_form(
        form_data(
            municipality_name="  Düren ",
            contact={"email": "Erika.Mustermann@Dueren.Example", "phone": "  "},
            interests=["t-e-akte", "t-e-akte", "t-ozg-bauen-wohnen"],
            projects="",
        )
    )
    assert form.municipality_name == "Düren"
    assert form.contact.email == "erika.mustermann@dueren.example"
    assert form.contact.phone is None
    assert form.interests == ("t-e-akte", "t-ozg-bauen-wohnen")
    assert form.projects is None


def test_html_is_kept_as_text() -> None:
    evil = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    form = validate_form(form_data(offer=evil, municipality_name="<b>Düren</b>"))
    assert form.offer == evil
    assert form.municipality_name == "<b>Düren</b>"


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"ags": "5358008"}, "Gemeindeschlüssel (AGS): Der Gemeindeschlüssel (AGS) hat 8 Ziffern"),
        ({"ags": "17358008"}, "Länderschlüssel 01–16"),
        ({"municipality_name": ""}, "Name der Kommune: darf nicht leer sein"),
        ({"municipality_name": "A\nB"}, "Name der Kommune: darf nur eine Zeile umfassen"),
        ({"contact": {"email": "erika@"}}, "E-Mail: ist keine gültige E-Mail-Adresse"),
        ({"contact": {"email": "<b>@x.de"}}, "E-Mail: ist keine gültige E-Mail-Adresse"),
        ({"contact": {"phone": "ruf mich an"}}, "Telefon: ist keine Telefonnummer"),
        ({"contact": {"name": "x" * 121}}, "Name der Kontaktperson: ist zu lang (höchstens 120"),
        ({"contact": {"function": None}}, "Funktion: Text erwartet"),
        ({"offer": "x" * (MAX_TEXT + 1)}, "Was wir anbieten: ist zu lang (höchstens 1000"),
        ({"seek": "a\x00b"}, "Was wir suchen: enthält unzulässige Steuerzeichen"),
        ({"consent": False}, "Einwilligung: Ohne Einwilligung in den Datenschutzhinweis"),
        ({"interests": ["E-Akte"]}, "Themen: „E-Akte“ ist keine Themen-Kennung"),
        ({"extra": 1}, "extra: unbekanntes Feld"),
    ],
)
def test_each_field_gets_a_german_message(overrides: dict[str, Any], expected: str) -> None:
    found = problems(**overrides)
    assert any(expected in p for p in found), found


def test_missing_fields_are_named() -> None:
    with pytest.raises(ValidationFailed) as info:
        validate_form({"contact": {}}, where="anmeldungen.json, Eintrag 2")
    text = str(info.value)
    for name in ("Gemeindeschlüssel (AGS)", "Name der Kommune", "E-Mail", "Einwilligung"):
        assert f"Feld „{name}“: Pflichtangabe fehlt" in text
    assert "anmeldungen.json, Eintrag 2" in text


def test_a_form_must_say_what_it_wants() -> None:
    found = problems(interests=[], offer=None, seek=" ")
    assert any("mindestens ein Thema" in p for p in found), found


def test_reference_numbers() -> None:
    sub = new_submission(validate_form(form_data()), CONTROLLER, NOW)
    assert sub.id.startswith("r-2025-") and len(sub.id) == 16
    assert sub.reference == sub.id.upper()
    assert parse_reference(f"  {sub.reference} ") == sub.id
    with pytest.raises(NotFound) as info:
        parse_reference("R-2025-ILOU-0000")  # letters left out of the alphabet
    assert "Form: R-2025-ABCD-EFGH" in str(info.value)
    others = {new_submission(sub.form, CONTROLLER, NOW).id for _ in range(200)}
    assert len(others) == 200


def test_the_consent_records_the_notice_as_shown() -> None:
    sub = new_submission(validate_form(form_data()), CONTROLLER, NOW)
    text = privacy_notice(CONTROLLER)
    assert sub.consent_version == NOTICE_VERSION
    assert sub.consent_digest == notice_digest(text)
    for needed in ("Art. 6 Abs. 1 Buchst. a DSGVO", "Speicherdauer", "Art. 17", CONTROLLER):
        assert needed in text
    assert CONTROLLER_MISSING in privacy_notice(None)
    assert notice_digest(privacy_notice(None)) != sub.consent_digest


def _registration(**changes: Any) -> Registration:
    values: dict[str, Any] = {
        "id": "r-2025-abcd-efgh",
        "status": Status.REJECTED,
        "ags": "05358008",
        "municipality_name": "Düren",
        "interests": ("t-e-akte", "t-unbekannt"),
        "offer": '=HYPERLINK("http://evil")',
        "seek": "Austausch; Beratung",
        "projects": None,
        "consent_version": NOTICE_VERSION,
        "consent_digest": "0" * 64,
        "submitted_at": "2025-06-12T08:30:00+00:00",
        "decided_at": "2025-06-20T22:30:00+00:00",
        "decided_by": "koordination",
        "reason": "+ kein Bedarf",
        "contact": Contact("Erika Mustermann", "CDO", "erika@dueren.example", None),
    }
    values.update(changes)
    return Registration(**values)


def test_csv_export_for_a_german_spreadsheet() -> None:
    text = registrations_csv([_registration()], {"t-e-akte": "E-Akte"}).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    header, row = rows
    record = dict(zip(header, row, strict=True))
    assert record["Referenz"] == "R-2025-ABCD-EFGH"
    assert record["Status"] == "abgelehnt"
    assert record["Eingegangen"] == "12.06.2025, 10:30 Uhr"
    assert record["Entschieden"] == "21.06.2025, 00:30 Uhr"
    assert record["E-Mail"] == "erika@dueren.example"
    assert record["Themen"] == "E-Akte, t-unbekannt"
    assert record["Was wir suchen"] == "Austausch; Beratung"
    # cells a spreadsheet would run as formulas start with a quote
    assert record["Was wir anbieten"] == '\'=HYPERLINK("http://evil")'
    assert record["Begründung der Ablehnung"] == "'+ kein Bedarf"
    assert record["Telefon"] == ""


def test_now_defaults_to_utc() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    sub = new_submission(validate_form(form_data()), None)
    assert datetime.fromisoformat(sub.submitted_at) >= before


def test_rejected_registrations_are_due_for_erasure_after_six_months() -> None:
    from datetime import timedelta

    from graph.joining.workflow import erasure_due

    decided = datetime(2025, 1, 10, 12, tzinfo=UTC)
    reg = _registration(decided_at=decided.isoformat())
    assert not erasure_due(reg, decided + timedelta(days=182))
    assert erasure_due(reg, decided + timedelta(days=183))
    approved = _registration(status=Status.APPROVED, decided_at=decided.isoformat())
    assert not erasure_due(approved, decided + timedelta(days=999))
