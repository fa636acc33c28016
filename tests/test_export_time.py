"""Exports in time (issue 12): the GEXF is a dynamic graph with start/end per fact, and
every export states its Stand."""

from __future__ import annotations

import io
import json
from pathlib import Path

import networkx as nx
import pytest

from graph.present.export import export_bytes
from graph.stores.sqlite.store import EmbeddedStore
from loaders.curated import read_curated

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> nx.MultiDiGraph:
    store = EmbeddedStore(tmp_path_factory.mktemp("export") / "store.sqlite")
    store.write(read_curated(DATA))
    g = store.graph()
    store.close()
    return g


def test_dynamic_gexf_reads_back_with_start_and_end(graph: nx.MultiDiGraph) -> None:
    read = nx.read_gexf(io.BytesIO(export_bytes(graph, "gexf", stand="2024-06-30")))
    assert read.graph["mode"] == "dynamic"
    assert read.number_of_nodes() == graph.number_of_nodes()
    ulm = read.nodes["Project:mpsc-ulm"]  # selected 10.07.2019, funded until 2026
    assert (ulm["start"], ulm["end"]) == ("2019-07-10", "2026-12-31")
    assert ulm["end_text"] == "2026"  # the data's own wording travels along
    pilot = read.nodes["Network:net-modellkommune"]
    assert (pilot["start"], pilot["end"]) == ("2014-01-01", "2016-12-31")
    assert "end" not in read.nodes["Network:net-mpsc"]  # no end stated: left open
    soest = [
        d
        for a, _, d in read.edges(data=True)
        if a == "Cooperation:dmr-soest" and d["relation"] == "IN_PROGRAMME"
    ]
    assert [(d["start"], d["end"]) for d in soest] == [("2018-01-01", "2023-06-30")]
    assert "start" not in read.nodes["Topic:t-e-akte"]  # undated: always there


def test_every_export_states_its_stand(graph: nx.MultiDiGraph) -> None:
    gexf = export_bytes(graph, "gexf", stand="2016-06-30").decode("utf-8")
    assert "<description>kommunetz, Stand 2016-06-30</description>" in gexf
    graphml = nx.read_graphml(io.BytesIO(export_bytes(graph, "graphml", stand="2022")))
    assert graphml.graph["stand"] == "2022"
    data = json.loads(export_bytes(graph, "json", stand="2024"))
    assert data["graph"]["stand"] == "2024"
