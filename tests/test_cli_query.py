"""``kommunetz query …`` as a user runs it, on both stores (curated data)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kommunetz.cli import main
from tests.test_cli import cli_store  # noqa: F401  (the fixture: a store of each kind)


@pytest.fixture
def loaded(cli_store: str, capsys: pytest.CaptureFixture[str]) -> str:  # noqa: F811
    assert main(["load"]) == 0
    capsys.readouterr()
    return cli_store


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["query", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_topic_json_and_text(loaded: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "topic", "E-Akte", "--json")
    assert code == 0
    answer = json.loads(out)
    # 7 of the pilot and its network; 11 members and partners of the NRW regions OWL
    # (Paderborn) and Bergisches Städtedreieck (Wuppertal), whose topics include the E-Akte
    assert answer["total"] == 7 + 11
    assert answer["workers"][0]["actor"]["name"] == "Halle (Saale)"
    code, out, _ = run(capsys, "topic", "E-Akte", "--members-only")
    assert out.splitlines()[0] == "Thema „E-Akte“: 5 Mitglieder arbeiten daran."


def test_ambiguous_name_lists_candidates(loaded: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "partners", "Steinfurt")
    assert code == 2  # the typed name is unusable input: same code as any invalid input
    assert out == ""
    assert err.startswith("Fehler: „Steinfurt“ ist mehrdeutig.")
    assert "Steinfurt (Stadt, Nordrhein-Westfalen, AGS 05566084)" in err
    assert "Traceback" not in err
    code, _, err = run(capsys, "topic", "Raumfahrt")
    assert code == 2
    assert err.strip() == "Fehler: Kein Thema gefunden für „Raumfahrt“."
    # a question that cannot be asked that way is invalid input too (README: exit 2)
    code, _, err = run(capsys, "path", "05358008", "05358008")
    assert code == 2
    assert err.strip() == "Fehler: Bitte zwei verschiedene Kommunen oder Organisationen angeben."


def test_path_sentences(loaded: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "path", "Norderstedt", "Ortenaukreis", "-k", "2")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("„Norderstedt“ und „Ortenaukreis“ sind über 2 Schritte verbunden")
    assert lines[1] == "Weg 1: Norderstedt – Barcamp „Digitale Familie 2017“ – Ortenaukreis"
    assert lines[2].startswith("    1. „Norderstedt“ richtete die Veranstaltung")
    code, out, _ = run(capsys, "path", "05358", "Norderstedt", "--json")
    assert json.loads(out)["paths"] == []
    code, out, _ = run(capsys, "path", "05358", "Norderstedt", "--with-admin", "--json")
    assert len(json.loads(out)["paths"][0]["steps"]) == 3


def test_shared_topics_csv(loaded: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_file = tmp_path / "themen.csv"
    code, out, _ = run(capsys, "shared-topics", "05358008", "05754008", "--csv", str(out_file))
    assert code == 0
    assert f"Tabelle geschrieben: {out_file}" in out
    text = out_file.read_bytes().decode("utf-8")
    assert text.startswith("\ufeffThema;Akteur;Vorhaben;Vorhabenart;Rolle;Quellen\r\n")
    assert "Portal (Bürger-/Serviceportal);Gütersloh;" in text


def test_workshops_recommend_metrics(
    loaded: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "workshops", "--actor", "Ortenaukreis", "--json")
    assert code == 0
    assert json.loads(out)["total"] == 3
    code, out, _ = run(capsys, "recommend", "05566028", "--topic", "E-Akte", "--json")
    assert code == 0
    recs = json.loads(out)["recommendations"]
    assert recs and all(r["score"] == sum(p["points"] for p in r["parts"]) for r in recs)
    table = tmp_path / "kennzahlen.csv"
    code, out, _ = run(capsys, "metrics", "--csv", str(table))
    assert code == 0
    assert "Vermittlung (Betweenness)" in out
    assert "(exakt berechnet)" in out
    # one CSV for all the metrics' tables, whose columns differ
    lines = table.read_bytes().decode("utf-8").splitlines()
    assert lines[0].startswith("\ufeffKennzahl;Rang;Akteur;Land;Partner;")
    assert lines[1].startswith("Die meisten Partner;1;Bewerbergemeinschaft Ibbenbüren;")
    assert any(line.startswith("Themen mit nur einer Kommune;") for line in lines)


def test_a_question_as_of_a_stand(loaded: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "topic", "E-Akte", "--json", "--stand", "2022")
    assert code == 0
    in_2022 = json.loads(out)
    assert in_2022["stand"] == "2022"
    code, out, _ = run(capsys, "topic", "E-Akte", "--json", "--stand", "2016-06-30")
    in_2016 = json.loads(out)
    assert in_2016["total"] == 7 < in_2022["total"]  # the NRW regions came in 2018
    code, out, _ = run(capsys, "topic", "E-Akte", "--stand", "2016-06-30")
    assert out.startswith("Stand 2016-06-30: das Netzwerk, wie es damals war")
    code, _, err = run(capsys, "partners", "Norderstedt", "--stand", "gestern")
    assert code == 2 and "„gestern“ ist kein Datum" in err
