"""The map's figures and specification (`graph.present.geofigures`, `graph.present.map`)
on the small self-made network, with and without a Förderprogramm: members, projects and
programme participants per Kreis and Land, the points and their marks, the classes of the
legend, the attribution in the chart and in both exports, the Eisenach report, a click."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from graph.core.records import Batch, Node, Ref, Rel
from graph.present import map as gmap
from graph.present import topojson
from graph.present.geofigures import map_figures, place_ids_of
from graph.stores.sqlite.store import EmbeddedStore
from tests.mini_network import SRC, mini_batch

GEO = Path(__file__).resolve().parents[1] / "data" / "geo"


def programme_batch() -> Batch:
    """A Förderprogramm with a model project of one Gemeinde (Langerwehe) and a joint one
    (Merzenich leads, Alflen is a member, the BMI only a partner), as
    `graph.core.programmes` reads participations."""
    sc = {"name": "Modellprojekte Smart Cities", "kind": "Förderprogramm"}
    own = {"title": "Smart Langerwehe"}
    joint = {"title": "Gemeinsames Modellprojekt", "kind": "interkommunal"}
    nodes = [
        Node(label, key, props | {"sources": SRC})
        for label, key, props in (
            ("Network", "net-sc", sc),
            ("Project", "p-sc", own),
            ("Cooperation", "c-sc", joint),
        )
    ]
    model = {"role": "Modellprojekt", "staffel": 2019}
    ties: tuple[tuple[str, str, str, dict[str, object]], ...] = (
        ("RUNS", "05358024", "p-sc", {}),
        ("IN_PROGRAMME", "p-sc", "net-sc", model),
        ("IN_PROGRAMME", "c-sc", "net-sc", model),
        ("PARTY_TO", "05358028", "c-sc", {"role": "Federführung"}),
        ("PARTY_TO", "07135001", "c-sc", {"role": "Mitglied"}),
        ("PARTY_TO", "org-bmi", "c-sc", {"role": "Partner"}),
    )
    rels = [Rel(t, Ref(a), Ref(b), {"sources": SRC} | p) for t, a, b, p in ties]
    return Batch("programme", nodes=nodes, rels=rels)


def graph_of(tmp_path: Path, *batches: Batch) -> nx.MultiDiGraph:
    store = EmbeddedStore(tmp_path / "store.sqlite")
    for b in batches:
        store.write(b)
    g = store.graph()
    store.close()
    return g


@pytest.fixture(scope="module")
def topo() -> dict[str, Any]:
    return topojson.load(GEO / "vg5000_2021_laender_kreise.topo.json")


def figures_by_area(g: nx.MultiDiGraph, level: str) -> dict[str, tuple[int, int, int]]:
    f = map_figures(g)
    return {k: (a.members, a.projects, a.participants) for k, a in f.areas[level].items()}


def test_without_a_programme_there_are_no_participants(tmp_path: Path) -> None:
    g = graph_of(tmp_path, mini_batch())
    assert figures_by_area(g, "Kreis") == {"05358": (1, 1, 0), "07135": (1, 1, 0)}
    assert map_figures(g).programmes == ()


def test_programme_participants_directly_and_through_a_joint_project(tmp_path: Path) -> None:
    g = graph_of(tmp_path, mini_batch(), programme_batch())
    # members: Düren (Stadt) and Cochem-Zell (the Kreis itself) of the pilot; Langerwehe's
    # model project is one of the Kreis Düren's projects too
    assert figures_by_area(g, "Kreis") == {"05358": (1, 2, 2), "07135": (1, 1, 1)}
    assert figures_by_area(g, "Land") == {"05": (1, 2, 2), "07": (1, 1, 1)}
    f = map_figures(g)
    assert f.programmes == ("Modellprojekte Smart Cities",)
    assert f.places["Municipality:05358028"].programmes == ("Modellprojekte Smart Cities",)
    roles = {r["name"]: r["rolle"] for r in gmap.point_rows(f)}
    assert roles == {
        "Düren": "Mitglied",
        "Langerwehe": "Programmteilnehmer",
        "Merzenich": "Programmteilnehmer",
        "Alflen": "Programmteilnehmer",
    }


def test_per_100000_inhabitants(tmp_path: Path) -> None:
    f = map_figures(graph_of(tmp_path, mini_batch()))
    duren = f.areas["Kreis"]["05358"]
    assert duren.population == 93323  # only Düren has a population in the mini network
    assert duren.value("members", per_capita=True) == round(100_000 / 93323, 2)
    assert f.areas["Kreis"]["07135"].value("members", per_capita=True) is None


def test_classes_and_their_german_labels() -> None:
    assert gmap.classes([0, 0, 1, 1, 3]) == [("1–2", 1), ("3", 3)]
    assert [label for label, _ in gmap.classes(range(0, 41))] == ["1–10", "11–20", "21–30", "31–40"]
    assert gmap.classes([0.5, 1.25]) == [("0,50 bis unter 1,25", 0.5), ("ab 1,25", 1.25)]
    assert gmap.classes([0, 0]) == []


def test_spec_carries_the_attribution_and_every_layer(tmp_path: Path, topo: dict[str, Any]) -> None:
    f = map_figures(graph_of(tmp_path, mini_batch(), programme_batch()))
    spec = gmap.spec(topo, f, gmap.MapChoice(measure="participants"), {"16056"})
    assert (
        spec["title"]["subtitle"][0]
        == "© GeoBasis-DE / BKG 2021 (Daten verändert), www.bkg.bund.de"
    )
    assert len(spec["datasets"]["areas"]["objects"]["kreise"]["geometries"]) == 401
    assert len(spec["datasets"]["marked_points"]) == 4 and "points" not in spec["datasets"]
    rows = {r["ags"]: r for r in gmap.area_rows(topo, f, gmap.MapChoice(), {"16056"})}
    assert rows["16056"]["wert"] == "keine Angabe"  # Eisenach: reported, not guessed
    assert rows["05358"]["wert"] == "1" and rows["09162"]["wert"] == "0"
    json.dumps(spec)  # JSON-ready


def test_zoom_to_a_land_keeps_only_its_areas_and_points(
    tmp_path: Path, topo: dict[str, Any]
) -> None:
    f = map_figures(graph_of(tmp_path, mini_batch()))
    spec = gmap.spec(topo, f, gmap.MapChoice(state="07"))
    keys = {
        g["properties"]["ags"] for g in spec["datasets"]["areas"]["objects"]["kreise"]["geometries"]
    }
    assert len(keys) == 36 and all(k.startswith("07") for k in keys)
    assert [p["name"] for p in spec["datasets"]["points"]] == ["Alflen"]
    assert gmap.MapChoice(state="07").title == "Mitglieder je Kreis – Rheinland-Pfalz"


def test_an_answer_marks_its_places(tmp_path: Path, topo: dict[str, Any]) -> None:
    g = graph_of(tmp_path, mini_batch())
    f = map_figures(g)
    assert place_ids_of(g) == sorted(f.places)
    choice = gmap.MapChoice(highlight=("Municipality:05358008", "Municipality:07135"))
    spec = gmap.spec(topo, f, choice)
    assert [p["name"] for p in spec["datasets"]["answer_points"]] == ["Düren"]
    outlined = spec["datasets"]["answer_areas"]["objects"]["kreise"]["geometries"]
    assert [a["properties"]["name"] for a in outlined] == ["Cochem-Zell"]


def test_a_click_comes_back_as_a_node_id() -> None:
    assert gmap.selected({"selection": {"ort": [{"ags": "05358008"}], "flaeche": []}}) == (
        "Municipality:05358008"
    )
    assert gmap.selected({"selection": {"flaeche": [{"ags": "05"}]}}) == "State:05"
    assert gmap.selected({"selection": {"flaeche": [], "ort": []}}) is None


def test_eisenach_is_reported(tmp_path: Path, topo: dict[str, Any]) -> None:
    report = json.loads((GEO / "abweichungen.json").read_text(encoding="utf-8"))
    eisenach = Node(
        "Municipality",
        "16063105",
        {"name": "Eisenach", "kind": "Stadt", "level": "Gemeinde", "sources": SRC},
    )
    g = graph_of(tmp_path, mini_batch(), Batch("e", nodes=[eisenach], rels=[]))
    diff = gmap.differences(topo, map_figures(g), report)
    assert diff.no_figures == [{"key": "16056", "name": "Eisenach", "kind": "Kreisfreie Stadt"}]
    assert [p.key for p in diff.same_name["16056"]] == ["16063105"]
    assert diff.no_area == []


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_exports_carry_the_attribution(tmp_path: Path, topo: dict[str, Any], fmt: str) -> None:
    f = map_figures(graph_of(tmp_path, mini_batch()))
    out = gmap.export(gmap.spec(topo, f, gmap.MapChoice(state="05")), fmt)  # type: ignore[arg-type]
    if fmt == "svg":
        assert "© GeoBasis-DE / BKG 2021 (Daten verändert)" in out.decode("utf-8")
    else:
        assert out.startswith(b"\x89PNG")


def test_only_the_selections_of_drawn_layers_are_asked_for(
    tmp_path: Path, topo: dict[str, Any]
) -> None:
    f = map_figures(graph_of(tmp_path, mini_batch(), programme_batch()))
    # every Gemeinde of this network is marked: no layer (and no selection) of plain ones
    assert gmap.params_in(gmap.spec(topo, f, gmap.MapChoice())) == ["flaeche", "markiert"]


def test_a_map_of_a_stand_says_so_in_its_title() -> None:
    assert gmap.MapChoice(stand="2016-06-30").title == (
        "Mitglieder je Kreis – Deutschland, Stand 2016-06-30"
    )
