"""Tests for the Destatis Gemeindeverzeichnis loader (`loaders.destatis`).

The small fixtures (an AuszugGV-like workbook built here, `fixtures/destatis/gv100ad_tiny.txt`)
run everywhere; the tests on the full Destatis files use the `reference_dir` fixture and are
skipped in a clone without ../shared.
"""

from __future__ import annotations

import csv
import os
import zipfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from graph.core.errors import Problem, ValidationFailed
from graph.core.records import Batch, Node, check_batch
from loaders.destatis import read_directory

FIXTURES = Path(__file__).parent / "fixtures" / "destatis"
GV_TINY = FIXTURES / "gv100ad_tiny.txt"
SHEET = "Onlineprodukt_Gemeinden31122024"


# --------------------------------------------------------------------------- helpers


def _pad(row: Sequence[Any], n: int = 20) -> list[Any]:
    return list(row) + [None] * (n - len(row))


# Rows 1–6 as in the 2024 edition (texts copied from it).
HEADER: list[list[Any]] = [
    _pad(
        [
            "Gemeinden in Deutschland nach Fläche, Bevölkerung und Postleitzahl am 31.12.2024 "
            "(4. Quartal)"
        ]
    ),
    _pad([]),
    _pad(
        [
            "Satz-art",
            "Text-kenn-zeichen",
            "Amtlicher Regionalschlüssel (ARS)",
            None,
            None,
            None,
            None,
            "Gemeindename",
            "Fläche km2 1)",
            "Bevölkerung auf Grundlage des Zensus 20112)",
            None,
            None,
            None,
            "Postleit-zahl3)",
            "Geografische Mittelpunktkoordinaten",
            None,
            "Reisegebiete",
            None,
            "Grad der Verstädterung",
            None,
        ]
    ),
    _pad(
        [
            None,
            None,
            "Land",
            "RB",
            "Kreis",
            "VB",
            "Gem",
            None,
            None,
            "insgesamt",
            "männlich",
            "weiblich",
            "je km2",
            None,
            "Längengrad",
            "Breitengrad",
        ]
    ),
    _pad(
        [
            None,
            None,
            "Gebietsstand am 31.12.2024 (4. Quartal)",
            None,
            None,
            None,
            None,
            None,
            "31.12.2023 (Jahr)",
            "am 31.12.2023 (Jahr)",
            None,
            None,
            None,
            None,
            "Zuordnungsstand am 31.12.2023",
            None,
            "Schlüssel",
            "Bezeichnung",
            "Schlüssel",
            "Bezeichnung",
        ]
    ),
    _pad([]),
]
MERGES = [
    "A1:T1",
    "A3:A5",
    "B3:B5",
    "C3:G3",
    "H3:H4",
    "I3:I4",
    "J3:M3",
    "N3:N5",
    "O3:P3",
    "C5:H5",
    "J5:M5",
    "O5:P5",
]

_REST = ["T39", "Chiemsee-Chiemgau", "02", "mittlere Besiedlungsdichte"]


def data_rows() -> list[list[Any]]:
    """Data rows from Excel row 7 on: Bayern, Oberbayern, kreisfreie Stadt München,
    Landkreis Traunstein (TK 44) with a Markt, a Große Kreisstadt, another Markt in a
    Verwaltungsgemeinschaft and one gemeindefreies Gebiet; then footnotes."""
    return [
        _pad(["10", "", "09", "", "", "", "", "Bayern"]),  # 7
        _pad(["20", "", "09", "1", "", "", "", "Oberbayern"]),  # 8
        _pad(["40", "41", "09", "1", "62", "", "", "München, Landeshauptstadt"]),  # 9
        _pad(["50", "50", "09", "1", "62", "0000", "", "München, Landeshauptstadt"]),  # 10
        [
            "60",
            "61",
            "09",
            "1",
            "62",
            "0000",
            "000",
            "München, Landeshauptstadt",
            310.7,
            1510378,
            734925,
            775453,
            4861,
            "80313",
            "11,575997",
            "48,137683",
            "T23",
            "Landeshauptstadt München",
            "01",
            "dicht besiedelt",
        ],  # 11
        _pad(["40", "44", "09", "1", "89", "", "", "Traunstein"]),  # 12
        _pad(["50", "50", "09", "1", "89", "0120", "", "Grassau, M"]),  # 13
        [
            "60",
            "60",
            "09",
            "1",
            "89",
            "0120",
            "120",
            "Grassau, M",
            35.78,
            7285,
            3556,
            3729,
            204,
            "83219",
            "12,451147",
            "47,779403",
            *_REST,
        ],  # 14
        _pad(["50", "50", "09", "1", "89", "0155", "", "Traunstein, GKSt"]),  # 15
        [
            "60",
            "67",
            "09",
            "1",
            "89",
            "0155",
            "155",
            "Traunstein, GKSt",
            48.57,
            21551,
            10444,
            11107,
            444,
            "83278",
            "12,632747",
            "47,866152",
            *_REST,
        ],  # 16
        _pad(["50", "54", "09", "1", "89", "5173", "", "Waging a.See"]),  # 17
        [
            "60",
            "60",
            "09",
            "1",
            "89",
            "5173",
            "162",
            "Waging a.See, M",
            48.86,
            7187,
            3546,
            3641,
            147,
            "83329",
            "12,734017",
            "47,933222",
            *_REST,
        ],  # 18
        _pad(["50", "50", "09", "1", "89", "9451", "", "Chiemsee (See)"]),  # 19
        [
            "60",
            "66",
            "09",
            "1",
            "89",
            "9451",
            "451",
            "Chiemsee (See)",
            77.76,
            0,
            0,
            0,
            0,
            "",
            "12,451653",
            "47,877175",
            *_REST,
        ],  # 20
        _pad([]),  # 21
        _pad(["Quelle: Gemeindeverzeichnis-Informationssytem GV-ISys"]),  # 22
        _pad([]),  # 23
        _pad(["1) Abweichungen bei den Flächenangaben sind durch Runden der Zahlen möglich."]),
        _pad(
            [
                "© Daten (im Auftrag der Herausgebergemeinschaft Statistische Ämter des Bundes "
                "und der Länder)"
            ]
        ),
    ]


def write_xlsx(
    path: Path,
    rows: list[list[Any]] | None = None,
    *,
    header: list[list[Any]] | None = None,
    sheet: str = SHEET,
    ncols: int = 20,
) -> Path:
    """An AuszugGV-like workbook: an "Inhalt" sheet and the data sheet with header rows
    1–6 (merged as in the original) and ``rows`` from row 7 on, cut to ``ncols`` columns."""
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    first.title = "Inhalt"
    first.append(["Statistisches Bundesamt"])
    first.append(["Gemeindeverzeichnis"])
    ws = wb.create_sheet(sheet)
    for row in (HEADER if header is None else header) + (data_rows() if rows is None else rows):
        ws.append(row[:ncols])
    if ncols == 20:
        for rng in MERGES:
            ws.merge_cells(rng)
    wb.save(path)
    return path


def munis(batch: Batch, digits: int = 8) -> dict[str, Node]:
    return {n.key: n for n in batch.nodes if n.label == "Municipality" and len(n.key) == digits}


def rels(batch: Batch, type_: str) -> dict[str, str]:
    return {r.start.key: r.end.key for r in batch.rels if r.type == type_}


def problems_of(exc: pytest.ExceptionInfo[ValidationFailed]) -> list[Problem]:
    return exc.value.problems


def only_problem(exc: pytest.ExceptionInfo[ValidationFailed]) -> Problem:
    probs = problems_of(exc)
    assert len(probs) == 1, probs
    return probs[0]


def gv_lines() -> list[str]:
    return GV_TINY.read_text(encoding="utf-8").splitlines()


def write_gv(path: Path, lines: list[str], encoding: str = "utf-8", newline: str = "\n") -> Path:
    path.write_bytes(newline.join(lines).encode(encoding))
    return path


# --------------------------------------------------------------------------- xlsx, small


@pytest.fixture
def tiny_xlsx(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "AuszugGV_tiny.xlsx")


def test_xlsx_tiny_nodes(tiny_xlsx: Path) -> None:
    batch = read_directory(tiny_xlsx)
    assert batch.origin == str(tiny_xlsx)
    assert check_batch(batch) == []
    assert batch.notices == []

    (source,) = [n for n in batch.nodes if n.label == "Source"]
    assert source.key == "destatis-gv-20241231"
    assert source.props["title"] == (
        "Destatis Gemeindeverzeichnis (GV-ISys), Gebietsstand 31.12.2024"
    )
    assert source.props["publisher"] == "Statistisches Bundesamt (Destatis)"
    assert source.props["licence"] == (
        "Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0)"
    )
    assert source.props["file"] == "AuszugGV_tiny.xlsx"
    assert source.props["url"].startswith("https://www.destatis.de/")
    assert "sources" not in source.props

    (state,) = [n for n in batch.nodes if n.label == "State"]
    assert (state.key, state.props["name"], state.props["abbr"]) == ("09", "Bayern", "BY")
    assert state.props["sources"] == ["destatis-gv-20241231"]

    # Only the Landkreis gets a Kreis node; the kreisfreie Stadt is its Gemeinde record.
    assert list(munis(batch, 5)) == ["09189"]
    kreis = munis(batch, 5)["09189"]
    assert kreis.props["kind"] == "Landkreis"
    assert kreis.props["level"] == "Kreis"
    assert kreis.props["name"] == "Traunstein"
    assert kreis.where == "AuszugGV_tiny.xlsx:12"

    gemeinden = munis(batch)
    assert sorted(gemeinden) == ["09162000", "09189120", "09189155", "09189162"]
    assert "09189451" not in gemeinden  # gemeindefreies Gebiet Chiemsee
    assert {k: g.props["kind"] for k, g in gemeinden.items()} == {
        "09162000": "kreisfreie Stadt",
        "09189120": "Markt",
        "09189155": "Große Kreisstadt",
        "09189162": "Markt",
    }
    ts = gemeinden["09189155"]
    assert ts.where == "AuszugGV_tiny.xlsx:16"
    assert ts.props["name"] == "Traunstein"
    assert ts.props["official_name"] == "Traunstein, GKSt"
    assert ts.props["level"] == "Gemeinde"
    assert ts.props["state_code"] == "09"
    assert ts.props["population"] == 21551
    assert isinstance(ts.props["population"], int)
    assert ts.props["population_date"] == "2023-12-31"
    assert ts.props["area_km2"] == pytest.approx(48.57)
    assert ts.props["lat"] == pytest.approx(47.866152)
    assert ts.props["lon"] == pytest.approx(12.632747)
    assert ts.props["plz"] == "83278"
    assert ts.props["gebietsstand"] == "2024-12-31"
    assert ts.props["sources"] == ["destatis-gv-20241231"]
    assert gemeinden["09162000"].props["name"] == "München"


def test_xlsx_tiny_relationships(tiny_xlsx: Path) -> None:
    batch = read_directory(tiny_xlsx)
    assert rels(batch, "IN_STATE") == {
        "09189": "09",
        "091895173": "09",
        "09162000": "09",
        "09189120": "09",
        "09189155": "09",
        "09189162": "09",
    }
    # The kreisfreie Stadt belongs to no Kreis node; the Verwaltungsgemeinschaft to its Kreis.
    assert rels(batch, "PART_OF") == {
        "091895173": "09189",
        "09189120": "09189",
        "09189155": "09189",
        "09189162": "09189",
    }
    # Only the Gemeinde of a real Verband is IN_VERBAND (not the verbandsfreie ones).
    assert rels(batch, "IN_VERBAND") == {"09189162": "091895173"}
    ends = {"IN_STATE": "State", "PART_OF": "Municipality", "IN_VERBAND": "Gemeindeverband"}
    for r in batch.rels:
        verband = r.start.key == "091895173"
        assert r.start.label == ("Gemeindeverband" if verband else "Municipality")
        assert r.end.label == ends[r.type]
        assert r.props == {"sources": ["destatis-gv-20241231"]}
        assert r.where.startswith("AuszugGV_tiny.xlsx:")


def test_xlsx_tiny_gemeindeverband(tiny_xlsx: Path) -> None:
    """Satzart 50 with a real Textkennzeichen is a Gemeindeverband of its own; the
    pseudo-records (TK 50) of verbandsfreie Gemeinden and gemeindefreie Gebiete are not."""
    batch = read_directory(tiny_xlsx)
    (vg,) = [n for n in batch.nodes if n.label == "Gemeindeverband"]
    assert vg.key == "091895173"
    assert vg.where == "AuszugGV_tiny.xlsx:17"
    assert vg.props["name"] == "Waging a.See"
    assert vg.props["full_name"] == "Verwaltungsgemeinschaft Waging a.See"
    assert vg.props["kind"] == "Verwaltungsgemeinschaft"
    assert vg.props["state_code"] == "09"
    assert vg.props["member_count"] == 1
    assert vg.props["sources"] == ["destatis-gv-20241231"]


def test_xlsx_progress_is_reported(tiny_xlsx: Path) -> None:
    calls: list[tuple[int, int]] = []
    read_directory(tiny_xlsx, progress=lambda done, total: calls.append((done, total)))
    assert calls[0][0] == 0
    assert calls[-1][0] == calls[-1][1] > 0


def test_xlsx_population_date_argument_wins_with_notice(tiny_xlsx: Path) -> None:
    batch = read_directory(tiny_xlsx, population_date="2024-06-30")
    assert munis(batch)["09189155"].props["population_date"] == "2024-06-30"
    assert any("31.12.2023" in n and "30.06.2024" in n for n in batch.notices)


def test_xlsx_header_difference_is_a_notice(tmp_path: Path) -> None:
    header = [list(r) for r in HEADER]
    header[2][9] = "Bevölkerung auf Grundlage des Zensus 20222)"
    batch = read_directory(write_xlsx(tmp_path / "neu.xlsx", header=header))
    assert len(munis(batch)) == 4
    (notice,) = batch.notices
    assert "J3" in notice and "Zensus 2022" in notice


def test_xlsx_sheet_found_by_index_when_renamed(tmp_path: Path) -> None:
    batch = read_directory(write_xlsx(tmp_path / "x.xlsx", sheet="Daten"))
    assert len(munis(batch)) == 4
    assert any("Daten" in n for n in batch.notices)


def test_xlsx_codes_stored_as_numbers_get_their_zeros_back(tmp_path: Path) -> None:
    rows = data_rows()
    rows[4][2], rows[4][4], rows[4][6] = 9, 62, 0  # München as Excel would re-save it
    batch = read_directory(write_xlsx(tmp_path / "x.xlsx", rows))
    assert "09162000" in munis(batch)
    assert any("führenden Nullen" in n for n in batch.notices)


# --------------------------------------------------------------------------- xlsx, bad input


def test_xlsx_missing_column(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "schmal.xlsx", ncols=18)
    with pytest.raises(ValidationFailed) as exc:
        read_directory(path)
    p = only_problem(exc)
    assert (p.file, p.line, p.field) == ("schmal.xlsx", 7, "Spalte S")
    assert "zu wenige Spalten: 18 statt 20" in p.message
    assert "schmal.xlsx, Zeile 7, Feld „Spalte S“" in str(exc.value)


def test_xlsx_invalid_ags(tmp_path: Path) -> None:
    rows = data_rows()
    rows[7][6] = "12X"
    with pytest.raises(ValidationFailed) as exc:
        read_directory(write_xlsx(tmp_path / "x.xlsx", rows))
    p = only_problem(exc)
    assert (p.file, p.line, p.field) == ("x.xlsx", 14, "AGS")
    assert p.message.startswith("AGS „0918912X“ ist ungültig: 8 Ziffern erwartet")


def test_xlsx_invalid_land(tmp_path: Path) -> None:
    rows = data_rows()
    rows[0][2] = "17"
    with pytest.raises(ValidationFailed) as exc:
        read_directory(write_xlsx(tmp_path / "x.xlsx", rows))
    probs = problems_of(exc)
    assert (probs[0].line, probs[0].field) == (7, "Land")
    assert "Land „17“ ist ungültig" in probs[0].message


def test_xlsx_duplicate_ags(tmp_path: Path) -> None:
    rows = data_rows()
    rows.insert(10, list(rows[9]))  # Traunstein twice: rows 16 and 17
    with pytest.raises(ValidationFailed) as exc:
        read_directory(write_xlsx(tmp_path / "x.xlsx", rows))
    p = only_problem(exc)
    assert (p.file, p.line, p.field) == ("x.xlsx", 17, "AGS")
    assert p.message == "AGS „09189155“ kommt doppelt vor (zuerst in Zeile 16)"


def test_xlsx_duplicate_kreis(tmp_path: Path) -> None:
    rows = data_rows()
    rows.insert(6, list(rows[5]))  # Kreis Traunstein in rows 12 and 13
    with pytest.raises(ValidationFailed) as exc:
        read_directory(write_xlsx(tmp_path / "x.xlsx", rows))
    p = only_problem(exc)
    assert (p.line, p.field) == (13, "Kreis")
    assert "Kreis „09189“ kommt doppelt vor" in p.message


def test_xlsx_missing_kreis(tmp_path: Path) -> None:
    rows = data_rows()
    del rows[5]  # the Landkreis Traunstein record; its Gemeinden move up one row
    with pytest.raises(ValidationFailed) as exc:
        read_directory(write_xlsx(tmp_path / "x.xlsx", rows))
    probs = problems_of(exc)
    # the three Gemeinden and the Verwaltungsgemeinschaft (row 16); the gemeindefreie
    # Gebiet is dropped and needs no Kreis
    assert sorted((p.line, p.field) for p in probs) == [
        (13, "Kreis"),
        (15, "Kreis"),
        (16, "Kreis"),
        (17, "Kreis"),
    ]
    by_line = {p.line: p.message for p in probs}
    assert by_line[13].startswith("Kreis „09189“ der Gemeinde „09189120“")
    assert "fehlt" in by_line[13]
    assert by_line[16].startswith("Kreis „09189“ des Gemeindeverbands „091895173“")


def test_xlsx_population_and_area_not_numbers(tmp_path: Path) -> None:
    rows = data_rows()
    rows[7][9] = "viele"
    rows[9][8] = "groß"
    with pytest.raises(ValidationFailed) as exc:
        read_directory(write_xlsx(tmp_path / "x.xlsx", rows))
    assert [(p.line, p.field) for p in problems_of(exc)] == [
        (14, "Bevölkerung"),
        (16, "Fläche"),
    ]
    assert "Bevölkerung „viele“ ist keine ganze Zahl" in problems_of(exc)[0].message


def test_xlsx_all_problems_are_collected(tmp_path: Path) -> None:
    rows = data_rows()
    rows[7][6] = "12X"
    rows[9][9] = "viele"
    with pytest.raises(ValidationFailed) as exc:
        read_directory(write_xlsx(tmp_path / "x.xlsx", rows))
    assert [p.line for p in problems_of(exc)] == [14, 16]
    assert str(exc.value).startswith("2 Fehler in der Eingabe")


def test_xlsx_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "kaputt.xlsx"
    path.write_bytes(os.urandom(4096))
    with pytest.raises(ValidationFailed) as exc:
        read_directory(path)
    p = only_problem(exc)
    assert p.file == "kaputt.xlsx"
    assert "keine gültige xlsx-Datei" in p.message


def test_xlsx_truncated(tiny_xlsx: Path, tmp_path: Path) -> None:
    data = tiny_xlsx.read_bytes()
    path = tmp_path / "halb.xlsx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValidationFailed) as exc:
        read_directory(path)
    p = only_problem(exc)
    assert p.file == "halb.xlsx"
    assert "keine gültige xlsx-Datei" in p.message


def test_xlsx_without_data_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Inhalt"
    ws.append(["Gemeindeverzeichnis"])
    wb.save(tmp_path / "nur_inhalt.xlsx")
    with pytest.raises(ValidationFailed) as exc:
        read_directory(tmp_path / "nur_inhalt.xlsx")
    p = only_problem(exc)
    assert "keine Datentabelle gefunden" in p.message
    assert "Inhalt" in p.message


def test_xlsx_without_gebietsstand(tmp_path: Path) -> None:
    header = [[None] * 20 for _ in range(6)]
    with pytest.raises(ValidationFailed) as exc:
        read_directory(write_xlsx(tmp_path / "x.xlsx", header=header))
    p = only_problem(exc)
    assert (p.line, p.field) == (5, "Gebietsstand")


def test_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as exc:
        read_directory(tmp_path / "fehlt.xlsx")
    p = only_problem(exc)
    assert p.file == "fehlt.xlsx"
    assert p.message.startswith("Datei nicht gefunden")


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as exc:
        read_directory(tmp_path)
    assert "Ordner" in only_problem(exc).message


def test_bad_population_date_argument(tiny_xlsx: Path) -> None:
    with pytest.raises(ValidationFailed) as exc:
        read_directory(tiny_xlsx, population_date="Silvester")
    p = only_problem(exc)
    assert p.field == "population_date"
    assert "kein gültiges Datum" in p.message


# --------------------------------------------------------------------------- GV100AD, small


def test_gv100_tiny_without_population_date() -> None:
    batch = read_directory(GV_TINY)
    assert check_batch(batch) == []
    assert [n.key for n in batch.nodes if n.label == "Source"] == ["destatis-gv-20231130"]
    assert [n.key for n in batch.nodes if n.label == "State"] == ["09"]
    assert list(munis(batch, 5)) == ["09184"]
    kreis = munis(batch, 5)["09184"]
    assert kreis.props["kind"] == "Landkreis"
    assert kreis.props["seat"] == "München"
    assert kreis.where == "gv100ad_tiny.txt:6"

    gemeinden = munis(batch)
    assert sorted(gemeinden) == ["09162000", "09184112", "09184119", "09184122"]
    garching = gemeinden["09184119"]
    assert garching.where == "gv100ad_tiny.txt:12"
    assert garching.props["name"] == "Garching b.München"
    assert garching.props["kind"] == "Stadt"
    assert garching.props["area_km2"] == pytest.approx(28.17)  # 2817 ha
    assert garching.props["plz"] == "85748"
    assert garching.props["population_unknown_date"] == 17526
    assert "population" not in garching.props
    assert "lat" not in garching.props
    assert rels(batch, "PART_OF") == {k: "09184" for k in ("09184112", "09184119", "09184122")}
    assert rels(batch, "IN_STATE")["09162000"] == "09"
    (notice,) = batch.notices
    assert "population_date" in notice and "Stichtag" in notice


def test_gv100_tiny_with_population_date() -> None:
    batch = read_directory(GV_TINY, population_date="31.12.2022")
    assert check_batch(batch) == []
    props = munis(batch)["09162000"].props
    assert props["population"] == 1512491
    assert props["population_date"] == "2022-12-31"
    assert "population_unknown_date" not in props
    assert batch.notices == []


def test_gv100_crlf_and_zip_give_the_same_records(tmp_path: Path) -> None:
    plain = read_directory(GV_TINY, population_date="2022-12-31")
    crlf = read_directory(
        write_gv(tmp_path / "GV100AD_crlf.txt", gv_lines(), newline="\r\n"),
        population_date="2022-12-31",
    )
    zpath = tmp_path / "GV100AD_301123.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.write(GV_TINY, "GV100AD_301123.txt")
        zf.writestr("GV100AD_301123.pdf", b"%PDF-1.4")
    zipped = read_directory(zpath, population_date="2022-12-31")
    assert [(n.key, dict(n.props)) for n in crlf.nodes][1:] == [
        (n.key, dict(n.props)) for n in plain.nodes
    ][1:]
    assert [(n.key, dict(n.props)) for n in zipped.nodes][1:] == [
        (n.key, dict(n.props)) for n in plain.nodes
    ][1:]
    assert munis(zipped)["09184122"].where == "GV100AD_301123.zip/GV100AD_301123.txt:13"


def test_gv100_latin1_is_read_with_notice(tmp_path: Path) -> None:
    batch = read_directory(write_gv(tmp_path / "alt.txt", gv_lines(), encoding="iso-8859-1"))
    assert munis(batch)["09184122"].props["name"] == "Grünwald"
    assert any("ISO-8859-1" in n for n in batch.notices)


def test_gv100_utf16_is_an_encoding_error(tmp_path: Path) -> None:
    for name, encoding in (("utf16.txt", "utf-16"), ("utf16le.txt", "utf-16-le")):
        with pytest.raises(ValidationFailed) as exc:
            read_directory(write_gv(tmp_path / name, gv_lines(), encoding=encoding))
        p = only_problem(exc)
        assert (p.file, p.line, p.field) == (name, 1, "Kodierung")
        assert "UTF-8" in p.message


def test_gv100_short_line(tmp_path: Path) -> None:
    lines = gv_lines()
    lines[12] = lines[12][:145]  # Grünwald, cut inside the population field
    with pytest.raises(ValidationFailed) as exc:
        read_directory(write_gv(tmp_path / "kurz.txt", lines))
    p = only_problem(exc)
    assert (p.file, p.line, p.field) == ("kurz.txt", 13, "Bevölkerung")
    assert p.message.startswith("Zeile zu kurz (145 Zeichen)")


def test_gv100_invalid_ags(tmp_path: Path) -> None:
    lines = gv_lines()
    lines[10] = lines[10][:17] + "X" + lines[10][18:]
    with pytest.raises(ValidationFailed) as exc:
        read_directory(write_gv(tmp_path / "x.txt", lines))
    p = only_problem(exc)
    assert (p.line, p.field) == (11, "AGS")
    assert p.message.startswith("AGS „0918411X“ ist ungültig: 8 Ziffern erwartet")


def test_gv100_duplicate_and_missing_kreis(tmp_path: Path) -> None:
    lines = gv_lines()
    lines.append(lines[11])  # Garching again, line 15
    del lines[5]  # Landkreis München: its three Gemeinden lose their Kreis
    with pytest.raises(ValidationFailed) as exc:
        read_directory(write_gv(tmp_path / "x.txt", lines))
    found = [(p.line, p.field, p.message.split(" ")[1]) for p in problems_of(exc)]
    assert found == [
        (10, "Kreis", "„09184“"),
        (11, "Kreis", "„09184“"),
        (12, "Kreis", "„09184“"),
        (14, "AGS", "„09184119“"),
    ]
    assert problems_of(exc)[3].message == ("AGS „09184119“ kommt doppelt vor (zuerst in Zeile 11)")


def test_gv100_population_not_a_number(tmp_path: Path) -> None:
    lines = gv_lines()
    lines[12] = lines[12][:139] + "000000I3820" + lines[12][150:]
    with pytest.raises(ValidationFailed) as exc:
        read_directory(write_gv(tmp_path / "x.txt", lines))
    p = only_problem(exc)
    assert (p.line, p.field) == (13, "Bevölkerung")


def test_gv100_unknown_satzart(tmp_path: Path) -> None:
    lines = [*gv_lines(), "", "99 keine Satzart"]
    with pytest.raises(ValidationFailed) as exc:
        read_directory(write_gv(tmp_path / "x.txt", lines))
    p = only_problem(exc)
    assert (p.line, p.field) == (16, "Satzart")


def test_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "liste.csv"
    path.write_text("ags;name\n05358008;Düren\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as exc:
        read_directory(path)
    assert "Format nicht erkannt" in only_problem(exc).message


# --------------------------------------------------------------------------- reference files


reference_data = pytest.mark.reference_data


@pytest.fixture(scope="module")
def full_2024(reference_dir: Path) -> Batch:
    return read_directory(reference_dir / "AuszugGV4QAktuell_2024.xlsx")


@pytest.fixture(scope="module")
def full_2024_csv(reference_dir: Path) -> list[dict[str, str]]:
    with open(reference_dir / "derived" / "gemeinden_31122024.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@reference_data
def test_full_2024_counts(full_2024: Batch) -> None:
    gemeinden = munis(full_2024)
    assert len(gemeinden) == 10_752
    assert all(len(k) == 8 and k.isdigit() for k in gemeinden)
    assert sorted(n.key for n in full_2024.nodes if n.label == "State") == [
        f"{i:02d}" for i in range(1, 17)
    ]
    kinds = [n.props["kind"] for n in munis(full_2024, 5).values()]
    assert (kinds.count("Landkreis"), kinds.count("Kreis"), kinds.count("Regionalverband")) == (
        251,
        42,
        1,
    )
    assert len(rels(full_2024, "IN_STATE")) == 10_752 + 294 + 1_203
    assert full_2024.notices == []


@reference_data
def test_full_2024_gemeindeverbaende(
    full_2024: Batch, reference_dir: Path, full_2024_csv: list[dict[str, str]]
) -> None:
    """The 1,203 associations of the 2024 edition by kind with their 7,566 member
    Gemeinden, as `derived/gemeindeverbaende_31122024.csv` counts them; the 3,393
    verbandsfreie Gemeinden are none."""
    verbaende = {n.key: n for n in full_2024.nodes if n.label == "Gemeindeverband"}
    assert len(verbaende) == 1_203
    assert Counter(v.props["kind"] for v in verbaende.values()) == {
        "Verwaltungsgemeinschaft": 573,
        "Amt": 207,
        "Verbandsgemeinde": 148,
        "Verwaltungsverband": 120,
        "Samtgemeinde": 114,
        "Erfüllende Gemeinde": 39,
        "Kirchspielslandgemeinde": 2,
    }
    in_verband = rels(full_2024, "IN_VERBAND")
    assert len(in_verband) == 7_566
    with open(reference_dir / "derived" / "gemeindeverbaende_31122024.csv", encoding="utf-8") as f:
        expected = {r["verband_ars"]: r for r in csv.DictReader(f) if r["verband_tk"] != "50"}
    assert set(verbaende) == set(expected)
    for key, row in expected.items():
        assert verbaende[key].props["official_name"] == row["name"]
        assert verbaende[key].props["member_count"] == int(row["n_mitglieder"])
    members = {r["ags"]: r["verband_ars"] for r in full_2024_csv if r["verband_tk"] != "50"}
    assert in_verband == members
    part_of = rels(full_2024, "PART_OF")
    assert all(part_of[k] == k[:5] for k in verbaende)
    amt = verbaende["010595974"].props
    assert (amt["name"], amt["kind"], amt["full_name"]) == ("Süderbrarup", "Amt", "Amt Süderbrarup")


@reference_data
def test_gemeindeverbaende_same_in_both_formats(reference_dir: Path) -> None:
    """GV100AD 30.11.2023 and the AuszugGV 31.12.2023 give the same associations with the
    same members (one name was corrected and Schwedt/Oder's Textkennzeichen differs)."""
    xlsx = read_directory(reference_dir / "31122023_Auszug_GV.xlsx")
    gv = read_directory(reference_dir / "GV100AD_301123.txt", population_date="2022-12-31")
    keys = [{n.key for n in b.nodes if n.label == "Gemeindeverband"} for b in (xlsx, gv)]
    assert keys[0] == keys[1]
    assert len(keys[0]) == 1_205
    assert rels(xlsx, "IN_VERBAND") == rels(gv, "IN_VERBAND")
    assert len(rels(gv, "IN_VERBAND")) == 7_589


@reference_data
def test_full_2024_passes_check_batch(full_2024: Batch) -> None:
    assert check_batch(full_2024) == []


@reference_data
def test_full_2024_matches_derived_csv(
    full_2024: Batch, full_2024_csv: list[dict[str, str]]
) -> None:
    expected = {r["ags"]: r for r in full_2024_csv if r["is_gemeindefrei"] == "false"}
    gemeinden = munis(full_2024)
    assert set(gemeinden) == set(expected)
    for ags, row in expected.items():
        props = gemeinden[ags].props
        assert props["official_name"] == row["name"]
        assert props["population"] == int(row["population"])
        assert props["plz"] == row["plz"]
        assert props["lat"] == pytest.approx(float(row["lat"]))
    # All municipalities together: the official total minus the two inhabited
    # gemeindefreie Gebiete (Lohheide, Osterheide).
    inhabited_free = sum(int(r["population"]) for r in full_2024_csv if r["gemeinde_tk"] == "65")
    total = sum(g.props["population"] for g in gemeinden.values())
    assert total == 84_669_326 - inhabited_free


@reference_data
def test_full_2024_spot_checks(full_2024: Batch) -> None:
    gemeinden = munis(full_2024)
    part_of = rels(full_2024, "PART_OF")
    in_state = rels(full_2024, "IN_STATE")

    dueren = gemeinden["05358008"].props
    assert (dueren["name"], dueren["kind"], dueren["official_name"]) == (
        "Düren",
        "Stadt",
        "Düren, Stadt",
    )
    assert part_of["05358008"] == "05358"
    assert munis(full_2024, 5)["05358"].props["kind"] == "Kreis"

    halle = gemeinden["15002000"].props
    assert (halle["name"], halle["kind"]) == ("Halle (Saale)", "kreisfreie Stadt")
    assert "15002000" not in part_of
    assert "15002" not in munis(full_2024, 5)
    assert in_state["15002000"] == "15"

    assert gemeinden["11000000"].props["name"] == "Berlin"
    assert gemeinden["02000000"].props["name"] == "Hamburg"
    assert "11000000" not in part_of

    # gemeindefreie Gebiete, inhabited (TK 65) and not, some with Kreis "00"
    for ags in ("03351501", "03358501", "09184452", "07000999", "13000999", "10042999"):
        assert ags not in gemeinden

    assert isinstance(dueren["lat"], float) and isinstance(dueren["lon"], float)
    assert dueren["lat"] == pytest.approx(50.80, abs=0.01)
    assert dueren["lon"] == pytest.approx(6.48, abs=0.01)
    assert dueren["population_date"] == "2023-12-31"
    assert dueren["gebietsstand"] == "2024-12-31"

    ortenau = munis(full_2024, 5)["08317"].props
    assert (ortenau["name"], ortenau["kind"], ortenau["level"]) == (
        "Ortenaukreis",
        "Landkreis",
        "Kreis",
    )
    assert in_state["08317"] == "08"


@reference_data
def test_samples_hold_the_same_municipalities(reference_dir: Path) -> None:
    xlsx = read_directory(reference_dir / "samples" / "AuszugGV4QAktuell_2024_SAMPLE.xlsx")
    gv = read_directory(
        reference_dir / "samples" / "GV100AD_301123_SAMPLE.txt", population_date="2022-12-31"
    )
    assert check_batch(xlsx) == [] and check_batch(gv) == []
    assert len(munis(xlsx)) == 416
    assert set(munis(xlsx)) == set(munis(gv))
    assert set(munis(xlsx, 5)) == set(munis(gv, 5))
    assert munis(xlsx, 5)["10041"].props["kind"] == "Regionalverband"
    assert munis(gv, 5)["10041"].props["seat"] == "Saarbrücken, Landeshauptstadt"


@reference_data
def test_2023_xlsx_and_gv100ad_hold_the_same_municipalities(reference_dir: Path) -> None:
    xlsx = read_directory(reference_dir / "31122023_Auszug_GV.xlsx")
    gv = read_directory(reference_dir / "GV100AD_301123.txt", population_date="2022-12-31")
    assert len(munis(xlsx)) == 10_773
    assert set(munis(xlsx)) == set(munis(gv))
    assert check_batch(gv) == []
    assert munis(gv)["05358008"].props["population_date"] == "2022-12-31"
