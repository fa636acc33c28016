"""The `kommunetz` command as a user runs it, on both stores: load, stats, export."""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pytest

from graph.stores.neo4j.store import Neo4jStore
from graph.stores.open import StoreSettings, open_store
from kommunetz.cli import main
from tests.conftest import STORE_KINDS

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(params=STORE_KINDS)
def cli_store(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> str:
    """Point the CLI at an empty store of each kind, the way a user would: by environment."""
    for var in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("KOMMUNETZ_DB", str(tmp_path / "cli.sqlite"))
    if request.param == "neo4j":
        server = request.getfixturevalue("neo4j_server")
        monkeypatch.setenv("NEO4J_URI", server.uri)
        monkeypatch.setenv("NEO4J_USERNAME", server.user)
        monkeypatch.setenv("NEO4J_PASSWORD", server.password)
        store = Neo4jStore.connect(server.uri, server.user, server.password)
        store.clear()
        store.close()
    return str(request.param)


def stats(capsys: pytest.CaptureFixture[str]) -> dict:
    capsys.readouterr()
    assert main(["stats", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_load_curated_then_stats_then_reload(
    cli_store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["load"]) == 0
    out = capsys.readouterr().out
    assert "Knoten neu:" in out
    first = stats(capsys)
    # 7 Modellkommunen, 9 BG members, 5 Kreise; 156 of the programmes (data/programme/)
    assert first["nodes"]["Municipality"] == 21 + 156
    assert first["nodes"]["Gemeindeverband"] == 19
    assert first["nodes"]["Workshop"] == 13
    # 40 of the pilot and its network, 56 model projects of single participants
    assert first["nodes"]["Project"] == 40 + 56
    assert first["nodes"]["Source"] >= 118 + 181
    mpsc = first["programmes"]["net-mpsc"]
    assert (mpsc["participants"], mpsc["by_staffel"]) == (73, {"2019": 13, "2020": 32, "2021": 28})
    assert first["programmes"]["net-dmr-nrw"]["participants"] == 5
    programme = first["networks"]["net-modellkommune"]
    # 8 Modellkommunen, and through the Bewerbergemeinschaft (one of them) its 9 + KAAW
    assert programme["members"] == 18
    assert first["networks"]["net-offenes-netzwerk"]["members"] == 14  # 4 + the same 10
    assert programme["partners"]["Projektpartner"] == 3  # DST, DLT, DStGB
    assert programme["partners"]["Initiator, Förderer und Leitung"] == 1  # BMI
    bg = first["groups"]["mk-ibbenbueren-bg"]
    assert bg == {"name": "Bewerbergemeinschaft Ibbenbüren", "members": 10}  # 9 + KAAW
    assert main(["load"]) == 0
    assert "keine Änderungen" in capsys.readouterr().out
    assert stats(capsys) == first


def test_stats_as_of_a_stand(cli_store: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load"]) == 0
    capsys.readouterr()
    assert main(["stats", "--json", "--stand", "2016-06-30"]) == 0
    then = json.loads(capsys.readouterr().out)
    assert then["programmes"] == {}  # no Smart City, no NRW region yet
    assert then["networks"]["net-modellkommune"]["members"] == 18
    assert main(["stats", "--json", "--stand", "2024"]) == 0
    later = json.loads(capsys.readouterr().out)
    assert "net-dmr-nrw" not in later["programmes"]  # ended 30.06.2023
    assert later["programmes"]["net-mpsc"]["participants"] == 73
    assert main(["stats", "--stand", "gestern"]) == 2
    assert "„gestern“ ist kein Datum" in capsys.readouterr().err


def test_malformed_file_changes_nothing(
    cli_store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["load"]) == 0
    before = stats(capsys)
    bad = tmp_path / "liste.csv"
    bad.write_text(
        "id;titel;durchgefuehrt_von;quellen\n"
        "p-ok;Gut;05358008;dn-city\n"
        "p-bad;Schlecht;05358008;unbekannte-quelle\n",
        encoding="utf-8",
    )
    assert main(["load", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}, Zeile 3, Feld „sources“: Quelle „unbekannte-quelle“ ist unbekannt" in err
    assert "nichts wurde gespeichert" in err
    assert stats(capsys) == before


def test_export_formats_open_in_networkx(
    cli_store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["load"]) == 0
    counts = stats(capsys)
    n_nodes = sum(counts["nodes"].values())
    n_rels = sum(counts["relationships"].values())
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        out = tmp_path / f"netz.{fmt}"
        assert main(["export", "--format", fmt, str(out)]) == 0
        g = reader(out)
        assert g.number_of_nodes() == n_nodes
        assert g.number_of_edges() == n_rels
        labels = {d.get("label") for _, d in g.nodes(data=True)}
        assert "Düren" in labels and "Modellkommune E-Government" in labels
    out = tmp_path / "netz.json"
    assert main(["export", "--format", "json", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["nodes"]) == n_nodes and len(data["edges"]) == n_rels


def test_unreachable_neo4j_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")
    monkeypatch.setenv("NEO4J_PASSWORD", "x")
    assert main(["stats"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("Fehler: Neo4j unter bolt://127.0.0.1:1 ist nicht erreichbar")
    assert "Traceback" not in err


@pytest.mark.reference_data
def test_directory_edition_on_both_stores(
    cli_store: str, reference_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = reference_dir / "AuszugGV4QAktuell_2024.xlsx"
    assert main(["load", str(path)]) == 0
    out = capsys.readouterr().out
    with capsys.disabled():  # the load's own timing line, in the CI log
        print(f"\n[{cli_store}] {out.splitlines()[0]}")
    seconds = float(re.search(r"gesamt (\d+\.\d+) s", out).group(1))  # type: ignore[union-attr]
    assert seconds > 0
    counts = stats(capsys)
    assert counts["municipalities"] == {"Gemeinde": 10752, "Kreis": 294}
    assert counts["nodes"]["State"] == 16
    store = open_store(StoreSettings.from_env())
    try:
        gemeinden = [
            d["key"]
            for _, d in store.graph(["Municipality"]).nodes(data=True)
            if d.get("level") == "Gemeinde"
        ]
    finally:
        store.close()
    assert len(gemeinden) == 10752
    assert all(re.fullmatch(r"(0[1-9]|1[0-6])\d{6}", str(k)) for k in gemeinden)
    assert main(["load", str(path)]) == 0
    assert "keine Änderungen" in capsys.readouterr().out
