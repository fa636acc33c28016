"""The spreadsheet (CSV) loader: the documented format, and what it says to bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.core.errors import ValidationFailed
from loaders.csv_table import read_csv, source_id_for_url

FIXTURES = Path(__file__).parent / "fixtures" / "csv"
HEADER = "id;titel;durchgefuehrt_von;quellen\n"


def _write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    f = tmp_path / "liste.csv"
    f.write_bytes(text.encode(encoding))
    return f


def _message(path: Path) -> str:
    with pytest.raises(ValidationFailed) as info:
        read_csv(path)
    return str(info.value)


def test_projects_fixture() -> None:
    batch = read_csv(FIXTURES / "projekte.csv")
    projects = {n.key: n.props for n in batch.nodes if n.label == "Project"}
    assert projects["p-test-portal"]["title"] == 'Serviceportal "Mein Rathaus"'
    assert projects["p-test-eakte"]["start"] == "2021"
    url_source = source_id_for_url("https://www.example.org/eakte")
    assert projects["p-test-eakte"]["sources"] == [url_source, "dn-city"]
    assert {n.key for n in batch.nodes if n.label == "Source"} == {url_source}
    runs = sorted((r.start.key, r.end.key) for r in batch.rels if r.type == "RUNS")
    assert runs == [
        ("05358008", "p-test-eakte"),
        ("05358008", "p-test-portal"),
        ("05754008", "p-test-portal"),
    ]
    partner = [r for r in batch.rels if r.type == "PARTNER_OF"]
    assert partner[0].start.label is None  # an id: resolved against the stored graph


def test_cooperations_fixture_with_commas() -> None:
    batch = read_csv(FIXTURES / "kooperationen.csv")
    coop = next(n for n in batch.nodes if n.label == "Cooperation")
    assert coop.props["title"] == "Gemeinsame E-Akte, Kreis Steinfurt"
    assert coop.props["goals"] == ["Beschaffung bündeln", "Wissen teilen"]
    assert len([r for r in batch.rels if r.type == "PARTY_TO"]) == 3


def test_missing_column(tmp_path: Path) -> None:
    msg = _message(_write(tmp_path, "id;titel;quellen\np-1;X;s1\n"))
    assert "liste.csv, Zeile 1, Feld „durchgefuehrt_von“: Pflichtspalte fehlt" in msg


def test_unknown_column(tmp_path: Path) -> None:
    msg = _message(_write(tmp_path, "id;titel;durchgefuehrt_von;quellen;Bemerkung\n"))
    assert "Zeile 1, Feld „Bemerkung“: unbekannte Spalte" in msg


def test_invalid_ags_names_row_and_column(tmp_path: Path) -> None:
    msg = _message(_write(tmp_path, HEADER + "p-1;X;05358008;s1\np-2;Y;5358008X;s1\n"))
    assert "liste.csv, Zeile 3, Feld „durchgefuehrt_von“" in msg


def test_duplicate_id(tmp_path: Path) -> None:
    msg = _message(_write(tmp_path, HEADER + "p-1;X;05358008;s1\n\np-1;Y;05358008;s1\n"))
    assert "liste.csv, Zeile 4, Feld „id“: „p-1“ steht schon in Zeile 2" in msg


def test_wrong_encoding(tmp_path: Path) -> None:
    msg = _message(_write(tmp_path, HEADER + "p-1;Bürgerbüro;05358008;s1\n", "cp1252"))
    assert "liste.csv, Zeile 2" in msg and "nicht UTF-8" in msg and "CSV UTF-8" in msg


def test_fact_without_source(tmp_path: Path) -> None:
    msg = _message(_write(tmp_path, HEADER + "p-1;X;05358008;\n"))
    assert "Zeile 2, Feld „quellen“: Pflichtangabe fehlt" in msg


def test_multiline_cell_keeps_line_numbers(tmp_path: Path) -> None:
    text = 'id;titel;durchgefuehrt_von;quellen;beschreibung\np-1;X;05358008;s1;"zwei\nZeilen"\n'
    text += "p-2;Y;bad ags;s1;\n"
    msg = _message(_write(tmp_path, text))
    assert "Zeile 4, Feld „durchgefuehrt_von“" in msg


def test_cooperation_needs_two_parties(tmp_path: Path) -> None:
    text = "id;titel;art;beteiligte;quellen\nc-1;K;interkommunal;05358008;s1\n"
    msg = _message(_write(tmp_path, text))
    assert "Zeile 2, Feld „beteiligte“: mindestens 2 Einträge nötig" in msg
