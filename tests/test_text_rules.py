"""Hostile text (issue 15, item 1): invisible and direction-changing characters are
refused in one-line fields by the form, every loader and the write path; text is NFC."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.core.errors import ValidationFailed
from graph.core.records import Batch, Node, check_batch
from graph.core.text_rules import TextRefused, clean_text
from graph.joining.form import validate_form
from loaders.csv_table import read_csv
from loaders.curated import read_curated
from tests.registration_helpers import form_data

HOSTILE = {
    "U+202E RIGHT-TO-LEFT OVERRIDE": "\u202e",
    "U+202D LEFT-TO-RIGHT OVERRIDE": "\u202d",
    "U+2066 LEFT-TO-RIGHT ISOLATE": "\u2066",
    "U+200E LEFT-TO-RIGHT MARK": "\u200e",
    "U+0085 NEXT LINE": "\x85",
    "U+2028 LINE SEPARATOR": "\u2028",
    "U+2029 PARAGRAPH SEPARATOR": "\u2029",
    "U+FEFF ZERO WIDTH NO-BREAK SPACE": "\ufeff",
    "U+200B ZERO WIDTH SPACE": "\u200b",
    "U+00AD SOFT HYPHEN": "\xad",
    "U+2060 WORD JOINER": "\u2060",
    "U+0000 NUL": "\x00",
    "U+001B ESC": "\x1b",
    "U+007F DEL": "\x7f",
}


@pytest.mark.parametrize("char", HOSTILE.values(), ids=HOSTILE.keys())
def test_the_rule_refuses_hidden_characters(char: str) -> None:
    with pytest.raises(TextRefused) as info:
        clean_text(f"Max{char}fdp.exe")
    assert f"U+{ord(char):04X}" in str(info.value)
    if char not in "\x85\u2028\u2029":  # line breaks are fine in a multi-line text
        with pytest.raises(TextRefused):
            clean_text(f"Max{char}fdp.exe", multiline=True)


def test_what_languages_need_is_kept() -> None:
    # ZWNJ in Persian (می‌خواهم), ZWJ in Devanagari and emoji sequences
    for text in ("می\u200cخواهم", "क्\u200dष", "👩\u200d💻", "Düren\u00a0Stadt"):
        assert clean_text(text) == text
    assert clean_text("Zeile 1\r\nZeile 2\tTab", multiline=True) == "Zeile 1\nZeile 2\tTab"


def test_text_is_nfc() -> None:
    assert clean_text("Du\u0308ren") == "Düren"


@pytest.mark.parametrize("char", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize(
    ("field", "label"),
    [
        ({"municipality_name": "Max{c}fdp.exe"}, "Name der Kommune"),
        ({"contact": {"name": "Max{c}fdp.exe"}}, "Name der Kontaktperson"),
        ({"contact": {"function": "Lei{c}tung"}}, "Funktion"),
        ({"contact": {"email": "max{c}@dueren.example"}}, "E-Mail"),
    ],
)
def test_the_form_refuses_them_in_one_line_fields(
    char: str, field: dict[str, object], label: str
) -> None:
    def fill(value: object) -> object:
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return str(value).replace("{c}", char)

    with pytest.raises(ValidationFailed) as info:
        validate_form(form_data(**fill(field)))  # type: ignore[arg-type]
    assert any(p.field == label for p in info.value.problems), info.value.problems


def test_free_texts_keep_their_lines_but_not_hidden_characters() -> None:
    form = validate_form(form_data(offer="Erstens\nZweitens", seek="Du\u0308ren"))
    assert form.offer == "Erstens\nZweitens"
    assert form.seek == "Düren"
    with pytest.raises(ValidationFailed) as info:
        validate_form(form_data(offer="Angebot\u202etxt.exe"))
    assert "U+202E" in str(info.value)


def test_the_form_normalises_to_nfc() -> None:
    form = validate_form(form_data(municipality_name="Du\u0308ren"))
    assert form.municipality_name == "Düren"


def test_csv_loader_names_line_and_column(tmp_path: Path) -> None:
    f = tmp_path / "liste.csv"
    f.write_text(
        "id;titel;durchgefuehrt_von;quellen\np-1;E-Akte\u202ecod.exe;05358008;s1\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed) as info:
        read_csv(f)
    msg = str(info.value)
    assert "liste.csv, Zeile 2, Feld „titel“" in msg and "U+202E" in msg


def test_csv_loader_normalises_to_nfc(tmp_path: Path) -> None:
    f = tmp_path / "liste.csv"
    f.write_text(
        "id;titel;durchgefuehrt_von;quellen\np-1;Du\u0308ren digital;05358008;s1\n",
        encoding="utf-8",
    )
    project = next(n for n in read_csv(f).nodes if n.label == "Project")
    assert project.props["title"] == "Düren digital"


def test_curated_loader_refuses_them(tmp_path: Path) -> None:
    (tmp_path / "quellen.yaml").write_text(
        'sources:\n  - id: s1\n    url: https://example.org\n    title: "Bericht\\u2028zwei"\n',
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed) as info:
        read_curated(tmp_path)
    assert "U+2028" in str(info.value)


def test_the_write_path_refuses_them_from_any_loader() -> None:
    batch = Batch(
        "x.xlsx",
        nodes=[Node("Source", "s1", {"url": "https://e.org", "title": "T\ufeff"}, "x.xlsx:7")],
    )
    [problem] = check_batch(batch)
    assert (problem.file, problem.line, problem.field) == ("x.xlsx", 7, "title")
    assert "U+FEFF" in problem.message


def test_heute_is_the_date_in_berlin_also_after_midnight_there(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At 23:30 UTC it is already the next day in Berlin, the date a new membership's
    ``since`` gets: "heute" must mean that day, or the member is missing from today."""
    from datetime import UTC, datetime, tzinfo

    from graph.core import validity
    from graph.joining.workflow import member_since

    now = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)

    class Clock(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
            return now.astimezone(tz) if tz else now.replace(tzinfo=None)

    monkeypatch.setattr(validity, "datetime", Clock)
    assert validity.resolve_stand("heute") == "2026-12-05" == member_since(now)
    from kommunetz.ui import stand_name, stand_note

    shown = validity.resolve_stand("heute")
    assert stand_name(shown) == "Stand heute (05.12.2026)", "the page says heute, not a date"
    assert "wie es heute ist" in stand_note(shown)
