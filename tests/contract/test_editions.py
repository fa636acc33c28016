"""Contract (issue 15, item 3): an older edition of the directory never overwrites a newer
one — every directory fact, not only the population — and says what it left alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import loaders
from graph.core.records import Batch, Node, Ref, Rel
from graph.core.store import GraphStore
from graph.stores.sqlite.store import EmbeddedStore
from kommunetz.cli import main


def edition(gs: str, name: str, official: str, area: float, kreis: str) -> Batch:
    src = [f"destatis-gv-{gs.replace('-', '')}"]
    props: dict[str, Any] = {
        "name": name,
        "official_name": official,
        "kind": "Stadt",
        "area_km2": area,
        "gebietsstand": gs,
        "population": 90000 if gs > "2023" else 89000,
        "population_date": "2022-12-31" if gs > "2023" else "2021-12-31",
        "sources": src,
    }
    return Batch(
        f"gv-{gs}",
        nodes=[
            Node("Source", src[0], {"url": "https://destatis.de", "title": gs, "date": gs}),
            Node(
                "State", "05", {"name": "Nordrhein-Westfalen", "gebietsstand": gs, "sources": src}
            ),
            Node("Municipality", kreis, {"name": "Kreis", "gebietsstand": gs, "sources": src}),
            Node("Municipality", "05358008", props),
        ],
        rels=[
            Rel("IN_STATE", Ref("05358008", "Municipality"), Ref("05", "State"), {"sources": src}),
            Rel("PART_OF", Ref("05358008"), Ref(kreis, "Municipality"), {"sources": src}),
        ],
    )


NEW = edition("2023-12-31", "Düren", "Düren, Stadt", 85.0, "05358")
OLD = edition("2023-11-30", "Dueren", "Dueren, Stadt", 84.9, "05358")


def test_an_older_edition_leaves_the_newer_alone(store: GraphStore) -> None:
    store.write(NEW)
    before = store.graph()
    version = store.version()
    summary = store.write(OLD)
    assert summary.nodes_kept == {"State": 1, "Municipality": 2}
    assert summary.rels_kept == {"IN_STATE": 1, "PART_OF": 1}
    assert summary.nodes_updated == {} and summary.rels_updated == {}
    assert summary.nodes_created == {"Source": 1}  # the older edition's own source
    after = store.graph()
    for node in ("Municipality:05358008", "Municipality:05358", "State:05"):
        assert after.nodes[node] == before.nodes[node]
    edge = after.get_edge_data("Municipality:05358008", "Municipality:05358", "PART_OF")
    assert edge["sources"] == ["destatis-gv-20231231"]  # not the older edition's source
    assert store.version() != version  # the Source node is new


def test_a_newer_edition_replaces_the_older(store: GraphStore) -> None:
    store.write(OLD)
    summary = store.write(NEW)
    assert summary.nodes_kept == {} and summary.nodes_updated["Municipality"] == 2
    node = store.graph().nodes["Municipality:05358008"]
    assert (node["name"], node["area_km2"], node["gebietsstand"]) == ("Düren", 85.0, "2023-12-31")
    assert node["population"] == 90000


def test_curated_facts_are_no_edition(store: GraphStore) -> None:
    store.write(NEW)
    curated = Batch(
        "kommunen.yaml",
        nodes=[
            Node(
                "Municipality",
                "05358008",
                {"website": "https://dueren.de", "sources": ["destatis-gv-20231231"]},
            )
        ],
    )
    summary = store.write(curated)
    assert summary.nodes_updated["Municipality"] == 1 and not summary.nodes_kept


def test_the_2023_editions_in_the_wrong_order(reference_dir: Path, tmp_path: Path) -> None:
    """The issue's case: the 2023-11-30 GV100AD after the 2023-12-31 xlsx."""
    store = EmbeddedStore(tmp_path / "s.sqlite")
    loaders.load(store, [reference_dir / "31122023_Auszug_GV.xlsx"])
    before = store.graph()
    report = loaders.load(
        store, [reference_dir / "GV100AD_301123.txt"], population_date="2022-12-31"
    )
    summary = report.files[0].summary
    assert summary.nodes_kept["Municipality"] > 11_000
    assert not summary.nodes_updated and not summary.rels_updated
    after = store.graph()
    changed = [n for n in before if before.nodes[n] != after.nodes[n]]
    assert changed == []
    store.close()


def test_the_cli_says_what_an_older_file_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("KOMMUNETZ_DB", str(tmp_path / "s.sqlite"))
    src = ["destatis-gv-20241231"]
    store = EmbeddedStore(tmp_path / "s.sqlite")
    store.write(
        Batch(
            "gv-2024",
            nodes=[
                Node("Source", src[0], {"url": "https://destatis.de", "title": "2024"}),
                Node(
                    "State", "09", {"name": "Bayern", "gebietsstand": "2024-12-31", "sources": src}
                ),
                Node(
                    "Municipality",
                    "09162000",
                    {"name": "München", "gebietsstand": "2024-12-31", "sources": src},
                ),
            ],
        )
    )
    store.close()
    fixture = Path(__file__).parents[1] / "fixtures" / "destatis" / "gv100ad_tiny.txt"
    assert main(["load", str(fixture), "--population-date", "2022-12-31"]) == 0
    out = capsys.readouterr().out
    assert "Ältere Ausgabe – beibehalten, weil ein neuerer Gebietsstand gespeichert ist: " in out
    assert "1 Kommunen" in out or "1 Kommune" in out, out
