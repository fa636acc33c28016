"""Contract: the programmes of ``data/programme/`` (Modellprojekte Smart Cities, Digitale
Modellregionen NRW) and the directory's Gemeindeverbände, on both stores.

Expected answers are read from the curated files themselves (``teilnehmer.yaml``) or
written down from them, not from the code."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from graph.core.errors import ValidationFailed
from graph.core.membership import memberships
from graph.core.programmes import participations, programmes_of
from graph.core.records import Batch, Node, Ref, Rel
from graph.core.store import GraphStore
from graph.questions.metrics import network_metrics
from graph.questions.paths import connections
from graph.questions.recommend import recommend
from graph.questions.rows import question_reads
from graph.questions.topic import topic_members
from loaders.curated import read_curated
from loaders.detect import read_any

DATA = Path(__file__).resolve().parents[2] / "data"
PARTICIPANTS = yaml.safe_load((DATA / "programme" / "teilnehmer.yaml").read_text("utf-8"))[
    "participants"
]
GUETERSLOH = "Municipality:05754008"


@pytest.fixture
def landscape(store: GraphStore) -> GraphStore:
    store.write(read_curated(DATA))
    return store


def actors_on_topic(topic: str) -> set[str]:
    """The keys of every Körperschaft and partner of a participation about ``topic``."""
    out = set()
    for p in PARTICIPANTS:
        if topic in p.get("topics", []):
            for body in [p["participant"]] if "participant" in p else p["members"]:
                out.add(body["ref"])
            out.update(partner["ref"] for partner in p.get("partners", []))
    return out


def test_stats_count_the_programmes(landscape: GraphStore) -> None:
    figures = landscape.stats().as_dict()["programmes"]
    mpsc, nrw = figures["net-mpsc"], figures["net-dmr-nrw"]
    assert mpsc["name"] == "Modellprojekte Smart Cities"
    assert mpsc["participants"] == 73
    assert mpsc["by_staffel"] == {"2019": 13, "2020": 32, "2021": 28}
    assert mpsc["by_category"]["Interkommunale Kooperationen und Landkreise"] == 3 + 12 + 8
    assert nrw["name"] == "Digitale Modellregionen in NRW"
    assert nrw["participants"] == 5
    assert nrw["by_staffel"] == {}
    # the pilot has members, not participations
    assert "net-modellkommune" not in figures


def test_smart_city_topic_finds_its_participants(landscape: GraphStore) -> None:
    answer = topic_members(landscape, "t-sc-sensorik", limit=200)
    assert answer.topic.name == "Sensorik und Internet der Dinge"
    found = {w.actor.key for w in answer.workers}
    assert found == actors_on_topic("t-sc-sensorik")
    assert answer.total == len(found)
    ulm = next(w for w in answer.workers if w.actor.key == "08421000")
    assert [(i.item.name, i.rel) for i in ulm.items] == [("Ulm4CleverCity", "RUNS")]
    # a joint project's members work on it through the cooperation
    assert {"Solingen", "Ulm"} <= {w.actor.name for w in answer.workers}


def test_recommendations_for_a_kreis_name_the_smart_city_next_door(
    landscape: GraphStore,
) -> None:
    answer = recommend(landscape, "05754")  # Kreis Gütersloh
    top = {r.candidate.id: r for r in answer.recommendations}
    assert GUETERSLOH in top
    parts = {p.name: p for p in top[GUETERSLOH].parts}
    assert parts["Vorbild"].points == 3
    assert parts["Vorbild"].text == (
        "Modellprojekt in der Nähe – Modellprojekte Smart Cities, Staffel 2020: "
        "Modellprojekt Gütersloh"
    )
    assert "Vorbild +3: Modellprojekt in der Nähe" in top[GUETERSLOH].explanation
    # two participants of the same programmes share them (both Smart City and NRW region)
    solingen = recommend(landscape, "05122000", limit=200)
    gelsenkirchen = next(r for r in solingen.recommendations if r.candidate.key == "05513000")
    shared = next(p for p in gelsenkirchen.parts if p.name == "Programm")
    assert shared.text == "ebenfalls in Digitale Modellregionen in NRW, Modellprojekte Smart Cities"
    assert shared.points == 4


def test_guetersloh_is_one_node_in_both_programmes(landscape: GraphStore) -> None:
    g = landscape.graph()
    assert [n for n, d in g.nodes(data=True) if d["key"] == "05754008"] == [GUETERSLOH]
    assert {m.network.key for m in memberships(g, [GUETERSLOH])} >= {"net-modellkommune"}
    (mpsc,) = programmes_of(g)[GUETERSLOH]
    assert (mpsc.network.key, mpsc.staffel, mpsc.item.key) == ("net-mpsc", 2020, "mpsc-guetersloh")
    halle = programmes_of(g)["Municipality:15002000"]
    assert [p.network.key for p in halle] == ["net-mpsc"]
    # the store's raw read says the same as the rule over its graph
    assert question_reads(landscape).q_participations() == participations(g)


def test_a_joint_project_has_lead_members_and_partners(landscape: GraphStore) -> None:
    g = landscape.graph()
    soest = next(p for p in participations(g) if p.item.key == "dmr-soest")
    assert soest.item.label == "Cooperation"
    assert (soest.since, soest.until) == ("2018-01", "2023-06-30")
    assert {b.key for b in soest.bodies} == {"05974040", "05962024", "05974028", "05974"}
    lead = g.edges["Municipality:05974040", "Cooperation:dmr-soest", "PARTY_TO"]
    assert lead["role"] == "Federführung"
    swf = next(p for p in participations(g) if p.item.key == "mpsc-5-fuer-suedwestfalen")
    assert "Organisation:org-suedwestfalen-agentur" not in {b.id for b in swf.bodies}
    partner = g.edges["Organisation:org-suedwestfalen-agentur", swf.item.id, "PARTY_TO"]
    assert partner["role"] == "Partner"


def test_paths_go_through_programmes_not_administration(landscape: GraphStore) -> None:
    answer = connections(landscape, "05122000", "08421000")  # Solingen – Ulm
    assert answer.paths
    keys = {e.key for path in answer.paths for e in path.nodes}
    assert "net-mpsc" in keys
    assert not keys & {"05", "08"}  # never through a Land


def test_metrics_see_the_joint_projects(landscape: GraphStore) -> None:
    metrics = network_metrics(landscape)
    # the pilot's 8 Modellkommunen, their partners and now the programmes' Körperschaften
    assert metrics.actors == 169
    partners = {s.entity.name: s.value for s in metrics.degree}
    # the six Gemeinden of Ilzer Land are partners of each other and of their partners
    assert partners["Eppenschlag"] == 11
    assert any(
        c.size >= 5 and "Eppenschlag" in {m.name for m in c.members} for c in metrics.communities
    )


def test_the_sources_page_lists_the_programme_sources(landscape: GraphStore) -> None:
    from graph.present.sources import source_table

    ids = {row["Id"] for row in source_table(landscape)}
    assert {"vku-2019", "dnrw-rl", "scd-suederbrarup"} <= ids
    assert len(ids) >= 118 + 181


def test_loading_is_idempotent_and_all_or_nothing(landscape: GraphStore) -> None:
    again = landscape.write(read_curated(DATA))
    assert not again.changed
    before = landscape.stats().as_dict()
    broken = Batch(
        "kaputt",
        nodes=[Node("Project", "mpsc-neu", {"title": "Neu", "sources": ["vku-2019"]})],
        rels=[
            Rel(
                "IN_PROGRAMME",
                Ref("mpsc-neu", "Project"),
                Ref("net-gibt-es-nicht", "Network"),
                {"role": "Modellprojekt", "staffel": 2022, "sources": ["vku-2019"]},
            )
        ],
    )
    with pytest.raises(ValidationFailed):
        landscape.write(broken)
    assert landscape.stats().as_dict() == before


def test_gemeindeverbaende_of_the_2024_directory(
    landscape: GraphStore, reference_dir: Path
) -> None:
    landscape.write(read_any(reference_dir / "AuszugGV4QAktuell_2024.xlsx"))
    figures = landscape.stats().as_dict()
    assert figures["gemeindeverbaende"] == {
        "count": 1_203,
        "by_kind": {
            "Amt": 207,
            "Erfüllende Gemeinde": 39,
            "Kirchspielslandgemeinde": 2,
            "Samtgemeinde": 114,
            "Verbandsgemeinde": 148,
            "Verwaltungsgemeinschaft": 573,
            "Verwaltungsverband": 120,
        },
        "memberships": 7_566,
    }
    assert figures["programmes"]["net-mpsc"]["by_staffel"] == {"2019": 13, "2020": 32, "2021": 28}
    g = landscape.graph()
    amt = "Gemeindeverband:010595974"
    assert g.nodes[amt]["name"] == "Süderbrarup"
    assert g.nodes[amt]["member_count"] == 13
    members = [a for a, _, k in g.in_edges(amt, keys=True) if k == "IN_VERBAND"]
    assert len(members) == 13
    assert "Municipality:01059083" in members  # the Gemeinde Süderbrarup, its own node
    assert ("Gemeindeverband:010595974", "Municipality:01059", "PART_OF") in g.edges
    runs = [b for _, b, k in g.out_edges(amt, keys=True) if k == "RUNS"]
    assert runs == ["Project:mpsc-amt-suederbrarup"]
