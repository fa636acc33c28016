"""Broken inputs get a German message, never a traceback (issue 15, item 4): file, line
and column where there are some, exit code 2, and the store unchanged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from graph.stores.neo4j.transactions import unavailable_message
from kommunetz.cli import main

ENGLISH = ("Traceback", "Cannot", "Error:", "error", "Exception", "not a database", "refused")


def stats(capsys: pytest.CaptureFixture[str]) -> dict:
    capsys.readouterr()
    assert main(["stats", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run the CLI, expect exit 2 and one German message; return it."""
    before = stats(capsys)
    code = main(list(argv))
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("Fehler: ")
    assert not any(word in err for word in ENGLISH), err
    assert stats(capsys) == before
    return err


CSV_HEADER = "id;titel;durchgefuehrt_von;quellen;beginn\n"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "p-x;X;05358008;dn-city;2021-13",
            "Zeile 2, Feld „beginn“: „2021-13“ ist kein Datum: Monat 13",
        ),
        (
            "p-x;X;05358008;dn-city;2021-02-30",
            "Zeile 2, Feld „beginn“: „2021-02-30“ ist kein Datum",
        ),
        (
            "p-x;X;05358008;dn-city;2021-00",
            "Zeile 2, Feld „beginn“: „2021-00“ ist kein Datum: Monat 00",
        ),
        (
            "p-x;X;05999999;dn-city;2021",
            "Zeile 2, Feld „durchgefuehrt_von“: Kommune „05999999“ gibt es weder in dieser "
            "Eingabe noch im Graphen",
        ),
        (
            "p-x;X;org-nirgends;dn-city;2021",
            "Zeile 2, Feld „durchgefuehrt_von“: Gemeindeverband oder Kommune oder Organisation "
            "„org-nirgends“ gibt es weder",
        ),
    ],
)
def test_csv_rows(cli: Path, capsys: pytest.CaptureFixture[str], row: str, expected: str) -> None:
    f = cli / "liste.csv"
    f.write_text(CSV_HEADER + row + "\n", encoding="utf-8")
    err = refused(capsys, "load", str(f))
    assert f"{f}, {expected}" in err
    assert "RUNS" not in err


def test_csv_unknown_topic_names_its_column(cli: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = cli / "liste.csv"
    f.write_text(
        "id;titel;durchgefuehrt_von;quellen;themen\np-x;X;05358008;dn-city;t-nix\n",
        encoding="utf-8",
    )
    err = refused(capsys, "load", str(f))
    assert "Zeile 2, Feld „themen“: Thema „t-nix“ gibt es weder" in err


def test_renamed_xlsx_as_csv(cli: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = cli / "tabelle.csv"
    f.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    err = refused(capsys, "load", str(f))
    assert "keine Textdatei, sondern eine Excel- (.xlsx) oder ZIP-Datei" in err
    assert "UTF-8-kodiert" not in err


@pytest.mark.parametrize("content", [b"PK\x03\x04kaputt", b"das ist kein Excel", b""])
def test_fake_xlsx(cli: Path, capsys: pytest.CaptureFixture[str], content: bytes) -> None:
    f = cli / "AuszugGV.xlsx"
    f.write_bytes(content)
    err = refused(capsys, "load", str(f))
    assert "AuszugGV.xlsx" in err and "keine gültige xlsx-Datei" in err


def test_database_file_that_is_no_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("NEO4J_URI", raising=False)
    db = tmp_path / "kommunetz.sqlite"
    shutil.copy(Path(__file__).parent / "fixtures" / "csv" / "projekte.csv", db)
    original = db.read_bytes()
    monkeypatch.setenv("KOMMUNETZ_DB", str(db))
    for argv in (["stats"], ["load"], ["registrations", "list"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"Fehler: {db} ist keine Datenbank von kommunetz")
        assert "Traceback" not in err
    assert db.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kommunetz.sqlite"]


def test_neo4j_address_that_is_no_neo4j_address(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEO4J_URI", "http://127.0.0.1:9")
    monkeypatch.setenv("NEO4J_PASSWORD", "x")
    assert main(["stats"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Fehler: NEO4J_URI „http://127.0.0.1:9“ ist keine Neo4j-Adresse")


@pytest.mark.parametrize(
    ("uri", "reason"),
    [
        ("bolt://127.0.0.1:1", "die Verbindung wurde abgelehnt"),
        ("bolt://kein-rechner.invalid:7687", "der Rechnername ist unbekannt"),
    ],
)
def test_neo4j_unreachable_in_german(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], uri: str, reason: str
) -> None:
    monkeypatch.setenv("NEO4J_URI", uri)
    monkeypatch.setenv("NEO4J_PASSWORD", "x")
    assert main(["stats"]) == 3
    err = capsys.readouterr().err
    assert err.startswith(f"Fehler: Neo4j unter {uri} ist nicht erreichbar: {reason}")
    assert not any(word in err for word in ENGLISH), err


def test_driver_messages_become_german() -> None:
    from neo4j.exceptions import ServiceUnavailable, SessionExpired

    for exc in (
        ServiceUnavailable(
            "Couldn't connect to localhost:7687 (reason [Errno 111] Connection refused)"
        ),
        SessionExpired("Failed to read from defunct connection"),
        ServiceUnavailable("Something new the driver says"),
    ):
        text = unavailable_message("bolt://x:7687", exc)
        assert text.startswith("Neo4j unter bolt://x:7687 ist nicht erreichbar: ")
        assert "Couldn" not in text and "defunct" not in text and "Something" not in text
