"""Contract: writing and reading the graph gives the same answers on both stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.core.errors import MissingReference, ValidationFailed
from graph.core.records import Batch, Node, Ref, Rel
from graph.core.stats import graph_stats
from graph.core.store import GraphStore
from loaders.curated import read_curated

SRC = ["src-test"]
DATA = Path(__file__).resolve().parents[2] / "data"


def small_batch() -> Batch:
    return Batch(
        "test",
        nodes=[
            Node("Source", "src-test", {"url": "https://example.org", "title": "Test"}),
            Node("State", "05", {"name": "Nordrhein-Westfalen", "sources": SRC}),
            Node("Municipality", "05358", {"name": "Düren", "kind": "Kreis", "sources": SRC}),
            Node(
                "Municipality",
                "05358008",
                {
                    "name": "Düren",
                    "kind": "Stadt",
                    "population": 90000,
                    "population_date": "2020-12-31",
                    "sources": SRC,
                },
            ),
            Node("Topic", "t-e-akte", {"name": "E-Akte", "sources": SRC}),
            Node("Project", "p-1", {"title": "E-Akte einführen", "sources": SRC}),
        ],
        rels=[
            Rel("IN_STATE", Ref("05358008", "Municipality"), Ref("05", "State"), {"sources": SRC}),
            Rel("PART_OF", Ref("05358008"), Ref("05358"), {"sources": SRC}),
            Rel("RUNS", Ref("05358008"), Ref("p-1"), {"sources": SRC}),
            Rel("ABOUT", Ref("p-1"), Ref("t-e-akte"), {"sources": SRC}),
        ],
    )


def test_write_then_read(store: GraphStore) -> None:
    summary = store.write(small_batch())
    assert summary.nodes_created["Municipality"] == 2
    assert sum(summary.rels_created.values()) == 4
    stats = store.stats()
    assert stats.nodes == {"Source": 1, "State": 1, "Municipality": 2, "Topic": 1, "Project": 1}
    assert stats.relationships == {"IN_STATE": 1, "PART_OF": 1, "RUNS": 1, "ABOUT": 1}
    g = store.graph()
    assert g.nodes["Municipality:05358008"]["population"] == 90000
    assert g.nodes["Project:p-1"]["name"] == "E-Akte einführen"
    assert g.has_edge("Municipality:05358008", "Project:p-1", key="RUNS")


def test_second_write_changes_nothing(store: GraphStore) -> None:
    store.write(small_batch())
    version = store.version()
    summary = store.write(small_batch())
    assert not summary.changed
    assert store.version() == version


def test_update_counts_and_newer_population_wins(store: GraphStore) -> None:
    store.write(small_batch())
    newer = Batch(
        "dir",
        nodes=[
            Node("Source", "src-dir", {"url": "https://destatis.de", "title": "GV"}),
            Node(
                "Municipality",
                "05358008",
                {
                    "name": "Düren",
                    "population": 93000,
                    "population_date": "2023-12-31",
                    "sources": ["src-dir"],
                },
            ),
        ],
    )
    summary = store.write(newer)
    assert summary.nodes_updated["Municipality"] == 1
    older = Batch(
        "old",
        nodes=[
            Node(
                "Municipality",
                "05358008",
                {
                    "population": 80000,
                    "population_date": "2010-12-31",
                    "sources": SRC,
                },
            )
        ],
    )
    store.write(older)
    props = store.node("Municipality", "05358008")
    assert props is not None
    assert props["population"] == 93000
    assert props["population_date"] == "2023-12-31"
    assert props["sources"] == ["src-test", "src-dir"]


def test_missing_reference_writes_nothing(store: GraphStore) -> None:
    store.write(small_batch())
    before = store.stats()
    bad = Batch(
        "bad.csv",
        nodes=[Node("Project", "p-2", {"title": "X", "sources": SRC})],
        rels=[Rel("RUNS", Ref("01060063"), Ref("p-2"), {"sources": SRC}, "bad.csv:3")],
    )
    with pytest.raises(MissingReference) as info:
        store.write(bad)
    assert "bad.csv, Zeile 3" in str(info.value)
    assert "01060063" in str(info.value)
    assert store.stats() == before


def test_fact_without_source_is_refused(store: GraphStore) -> None:
    bad = Batch("x.yaml", nodes=[Node("Topic", "t-x", {"name": "X"}, "x.yaml:7")])
    with pytest.raises(ValidationFailed) as info:
        store.write(bad)
    assert "x.yaml, Zeile 7" in str(info.value)
    assert "Quelle" in str(info.value)
    assert store.is_empty()


def test_label_filter(store: GraphStore) -> None:
    store.write(small_batch())
    g = store.graph(["Municipality", "State"])
    assert set(g.nodes) == {"Municipality:05358", "Municipality:05358008", "State:05"}
    assert {k for _, _, k in g.edges(keys=True)} == {"IN_STATE", "PART_OF"}


def test_unknown_source_id_is_refused(store: GraphStore) -> None:
    bad = Batch(
        "x.yaml", nodes=[Node("Topic", "t-x", {"name": "X", "sources": ["nope"]}, "x.yaml:4")]
    )
    with pytest.raises(ValidationFailed) as info:
        store.write(bad)
    assert "x.yaml, Zeile 4" in str(info.value)
    assert "Quelle „nope“ ist unbekannt" in str(info.value)
    assert store.is_empty()


def test_search_and_resolve(store: GraphStore) -> None:
    from graph.core.errors import Ambiguous, NotFound
    from graph.core.search import resolve

    batch = small_batch()
    batch.nodes.append(
        Node(
            "Municipality", "05358012", {"name": "Dürenweiler", "kind": "Gemeinde", "sources": SRC}
        )
    )
    store.write(batch)
    hits = store.search("düren", ["Municipality"])
    assert [(h.key, h.rank) for h in hits] == [("05358", 0), ("05358008", 0), ("05358012", 1)]
    assert store.search("05358008")[0].key == "05358008"
    assert [h.key for h in store.search("akte")] == ["t-e-akte", "p-1"]
    with pytest.raises(Ambiguous) as info:
        resolve(store.search("Düren", ["Municipality"]), "Düren")
    assert "Düren (Stadt, Nordrhein-Westfalen, AGS 05358008)" in str(info.value)
    assert resolve(store.search("dürenw"), "dürenw").key == "05358012"
    with pytest.raises(NotFound):
        resolve(store.search("Xanten"), "Xanten")


def test_stats_are_the_figures_of_the_graph(store: GraphStore) -> None:
    """The count reads behind `stats()` give what `graph_stats` counts in the graph: on
    the curated data (members through the Bewerbergemeinschaft, partners with roles)."""
    store.write(read_curated(DATA))
    stats = store.stats()
    assert stats == graph_stats(store.graph())
    assert stats.networks and stats.groups and stats.municipalities
