"""``kommunetz registrations …`` as a coordinator runs it, on both stores."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from graph.joining.outbox import Outbox
from graph.stores.open import StoreSettings, open_store
from kommunetz.auth import Credentials
from kommunetz.cli import main
from tests.registration_helpers import form_data, make_submission, store_text
from tests.test_cli import cli_store  # noqa: F401  (the fixture: both stores, by environment)

EMAIL = "erika.mustermann@dueren.example"


@pytest.fixture
def outbox_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "outbox"
    monkeypatch.setenv("KOMMUNETZ_OUTBOX", str(path))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def listed(capsys: pytest.CaptureFixture[str], *extra: str) -> list[dict[str, Any]]:
    code, out, _ = run(capsys, "registrations", "list", "--json", *extra)
    assert code == 0
    return json.loads(out)


@pytest.mark.usefixtures("outbox_dir")
def test_the_whole_workflow(
    cli_store: str,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["load"]) == 0
    members_before = json.loads(run(capsys, "stats", "--json")[1])["networks"][
        "net-offenes-netzwerk"
    ]["members"]
    file = write_json(
        tmp_path / "veranstaltung.json",
        [
            form_data(),
            form_data(
                ags="05358999",
                municipality_name="Musterdorf <b>am See</b>",
                contact={"name": "Max Muster", "email": "max@musterdorf.example"},
                interests=["t-e-akte", "t-ozg-bauen-wohnen"],
            ),
        ],
    )
    code, out, _ = run(capsys, "registrations", "submit", str(file))
    assert code == 0, out
    assert "Düren (AGS 05358008): eingegangen" in out
    assert "2 von 2 Registrierungen angenommen." in out

    regs = listed(capsys)
    assert sorted((r["ags"], r["status"], r["status_de"]) for r in regs) == [
        ("05358008", "pending", "offen"),
        ("05358999", "pending", "offen"),
    ]
    by_ags = {r["ags"]: r for r in regs}
    dueren, dorf = by_ags["05358008"], by_ags["05358999"]
    assert dueren["contact"]["email"] == EMAIL
    assert dueren["reference"].startswith("R-")
    code, out, _ = run(capsys, "registrations", "list", "--status", "offen")
    assert f"{dueren['reference']}  offen" in out and "Erika Mustermann <" in out

    code, out, _ = run(capsys, "registrations", "approve", dueren["reference"].lower())
    assert code == 0
    assert f"{dueren['reference']} aufgenommen: Düren (AGS 05358008) ist Mitglied" in out
    code, out, _ = run(capsys, "registrations", "approve", dorf["reference"])
    assert "(neu im Graphen angelegt)" in out
    stats = json.loads(run(capsys, "stats", "--json")[1])
    assert stats["networks"]["net-offenes-netzwerk"]["members"] == members_before + 2
    code, _, err = run(capsys, "registrations", "reject", dorf["reference"], "--reason", "x")
    assert code == 1 and "bereits entschieden (aufgenommen" in err

    out_csv = tmp_path / "registrierungen.csv"
    assert run(capsys, "registrations", "export", str(out_csv))[0] == 0
    assert stat.S_IMODE(os.stat(out_csv).st_mode) == 0o600
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text("utf-8-sig")), delimiter=";"))
    assert {r["E-Mail"] for r in rows} == {EMAIL, "max@musterdorf.example"}
    assert {r["Status"] for r in rows} == {"aufgenommen"}
    assert "E-Akte" in {r["Themen"] for r in rows}

    code, out, _ = run(capsys, "registrations", "erase", dueren["reference"])
    assert code == 0 and "gelöscht" in out
    code, _, err = run(capsys, "registrations", "erase", dueren["reference"])
    assert code == 1 and "gibt es nicht (mehr)" in err
    graph_file = tmp_path / "graph.json"
    assert run(capsys, "export", "--format", "json", str(graph_file))[0] == 0
    assert EMAIL not in graph_file.read_text(encoding="utf-8")
    assert "Musterdorf <b>am See</b>" in graph_file.read_text(encoding="utf-8")
    assert run(capsys, "registrations", "export", str(out_csv))[0] == 0
    assert EMAIL not in out_csv.read_text("utf-8-sig")
    store = open_store(StoreSettings.from_env())
    try:
        assert EMAIL not in store_text(store)
    finally:
        store.close()


@pytest.mark.usefixtures("outbox_dir")
def test_a_bad_file_submits_nothing(
    cli_store: str,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["load"]) == 0
    file = write_json(
        tmp_path / "liste.json",
        [form_data(), form_data(ags="0535", contact={"email": "kein-at"}, consent=False)],
    )
    code, _, err = run(capsys, "registrations", "submit", str(file))
    assert code == 2
    assert "nichts wurde gespeichert" in err
    assert f"{file}, Eintrag 2, Feld „Gemeindeschlüssel (AGS)“" in err
    assert f"{file}, Eintrag 2, Feld „E-Mail“: ist keine gültige E-Mail-Adresse" in err
    assert "Feld „Einwilligung“" in err
    assert listed(capsys) == []

    broken = tmp_path / "kaputt.json"
    broken.write_text('{"ags": ', encoding="utf-8")
    code, _, err = run(capsys, "registrations", "submit", str(broken))
    assert code == 2 and "kein gültiges JSON" in err


@pytest.mark.usefixtures("outbox_dir")
def test_refused_entries_are_named_and_the_rest_goes_in(
    cli_store: str,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["load"]) == 0
    file = write_json(
        tmp_path / "liste.json",
        [
            form_data(),
            form_data(contact={"email": "zweite@dueren.example"}),
            form_data(ags="08317", municipality_name="Ortenaukreis"),  # a member already
        ],
    )
    code, out, err = run(capsys, "registrations", "submit", str(file))
    assert code == 2
    assert "1 von 3 Registrierungen angenommen." in out
    assert "abgelehnt: Düren (AGS 05358008): Für Düren (AGS 05358008) liegt bereits" in err
    assert "Ortenaukreis (AGS 08317) ist bereits Mitglied" in err
    assert len(listed(capsys, "--status", "pending")) == 1


def test_deliver_hands_over_the_outbox(
    cli_store: str,  # noqa: F811
    outbox_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["load"]) == 0
    sub = make_submission()
    Outbox(outbox_dir).put(sub)
    code, out, _ = run(capsys, "registrations", "deliver")
    assert code == 0 and out.startswith("1 übermittelt.")
    assert [r["reference"] for r in listed(capsys)] == [sub.reference]
    assert list(outbox_dir.iterdir()) == []


@pytest.mark.usefixtures("outbox_dir")
def test_unknown_references_and_statuses(
    cli_store: str,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "registrations", "approve", "Düren")
    assert code == 2 and "„Düren“ ist keine Referenznummer" in err
    code, _, err = run(capsys, "registrations", "approve", "R-2025-AAAA-BBBB")
    assert code == 2 and "R-2025-AAAA-BBBB gibt es nicht" in err
    code, _, err = run(capsys, "registrations", "list", "--status", "fertig")
    assert code == 2 and "erlaubt sind offen, aufgenommen, abgelehnt" in err
    code, _, err = run(capsys, "registrations", "reject", "R-2025-AAAA-BBBB", "--reason", " ")
    assert code == 2 and "Grund für die Ablehnung" in err


def test_hash_password_needs_no_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:9")  # nothing listens there
    monkeypatch.setattr(sys, "stdin", io.StringIO("ein langes Passwort\n"))
    code, out, _ = run(capsys, "registrations", "hash-password")
    assert code == 0
    name, _, value = out.strip().partition("=")
    assert name == "KOMMUNETZ_ADMIN_PASSWORD_HASH" and value.startswith("scrypt$")
    settings = {"KOMMUNETZ_ADMIN_USER": "koordination", "KOMMUNETZ_ADMIN_PASSWORD_HASH": value}
    creds = Credentials.from_settings(settings.get)
    assert creds.check("koordination", "ein langes Passwort")
    assert not creds.check("koordination", "ein langes Passwort!")

    monkeypatch.setattr(sys, "stdin", io.StringIO("kurz\n"))
    code, _, err = run(capsys, "registrations", "hash-password")
    assert code == 2 and "mindestens 12 Zeichen" in err
