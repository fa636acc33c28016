"""Contract: the network as of a date ("Stand", `graph.core.validity`), on both stores —
in Cypher (the participations' raw read) and over the store's graph — with the dates of
the curated data: the pilot 2014–2016, the Smart City Staffeln 2019–2021, the NRW model
regions 2018 – 30.06.2023."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from graph.core.errors import InvalidInput, QueryError
from graph.core.membership import member_networks, members
from graph.core.programmes import participations
from graph.core.store import GraphStore
from graph.core.validity import Change, as_of, change_marks, changes, period, timeline
from graph.questions.rows import question_reads
from graph.questions.topic import topic_members
from graph.stores.as_of import StoreAsOf
from loaders.curated import read_curated
from tests.contract.facts import E_AKTE_PILOT

DATA = Path(__file__).resolve().parents[2] / "data"
MODELLKOMMUNEN = {
    "Cochem-Zell",
    "Düren",
    "Gütersloh",
    "Bewerbergemeinschaft Ibbenbüren",
    "Halle (Saale)",
    "Heidekreis",
    "Norderstedt",
    "Ortenaukreis",
}


@pytest.fixture
def landscape(store: GraphStore) -> GraphStore:
    store.write(read_curated(DATA))
    return store


def per_programme(store: GraphStore, when: str) -> Counter[tuple[str, int | None]]:
    return Counter((p.network.key, p.staffel) for p in question_reads(store).q_participations(when))


def test_partial_dates_are_ranges() -> None:
    assert [str(d) for d in period("2014") or ()] == ["2014-01-01", "2014-12-31"]
    assert [str(d) for d in period("2024-02") or ()] == ["2024-02-01", "2024-02-29"]
    assert [str(d) for d in period("2016-06-30") or ()] == ["2016-06-30", "2016-06-30"]
    assert period("laufend") is None


def test_as_of_mid_2016_the_pilot_and_no_smart_city(landscape: GraphStore) -> None:
    g = as_of(landscape.graph(), "2016-06-30")
    direct = [m for m in members(g, "net-modellkommune") if m.via is None]
    assert {m.actor.name for m in direct} == MODELLKOMMUNEN
    for m in direct:  # each with its projects of the pilot
        runs = [b for _, b, k in g.out_edges(m.actor.id, keys=True) if k == "RUNS"]
        assert runs, m.actor.name
    assert not [n for n in g if n.startswith(("Project:mpsc-", "Cooperation:mpsc-"))]
    assert "Network:net-offenes-netzwerk" not in g  # founded 2017
    assert per_programme(landscape, "2016-06-30") == Counter()


def test_as_of_2022_all_staffeln_and_the_nrw_regions(landscape: GraphStore) -> None:
    assert per_programme(landscape, "2022") == {
        ("net-mpsc", 2019): 13,
        ("net-mpsc", 2020): 32,
        ("net-mpsc", 2021): 28,
        ("net-dmr-nrw", None): 5,
    }
    g = as_of(landscape.graph(), "2022")
    assert members(g, "net-modellkommune") == []  # the pilot ended in 2016


def test_as_of_2024_the_nrw_regions_have_ended(landscape: GraphStore) -> None:
    assert per_programme(landscape, "2023-06-30")[("net-dmr-nrw", None)] == 5  # last day
    assert per_programme(landscape, "2023-07-01")[("net-dmr-nrw", None)] == 0
    assert per_programme(landscape, "2024") == {
        ("net-mpsc", 2019): 13,
        ("net-mpsc", 2020): 32,
        ("net-mpsc", 2021): 28,
    }


@pytest.mark.parametrize("when", ["2013", "2016-06-30", "2019-07", "2021-07-14", "2022", "2030"])
def test_cypher_and_the_graph_agree(landscape: GraphStore, when: str) -> None:
    """The store's raw read as of a date is the rule applied to its graph."""
    expected = participations(as_of(landscape.graph(), when))
    assert question_reads(landscape).q_participations(when) == expected


def test_a_stand_that_is_no_date_is_a_clear_message(landscape: GraphStore) -> None:
    with pytest.raises(QueryError) as info:
        question_reads(landscape).q_participations("letztes Jahr")
    assert "„letztes Jahr“ ist kein Datum" in str(info.value)


def test_what_changed_from_2022_to_2024(landscape: GraphStore) -> None:
    found = changes(landscape.graph(), "2022", "2024")
    ended = {(c.what, c.start) for c in found if c.kind == "beendet"}
    assert ("Network", "Network:net-dmr-nrw") in ended
    regions = {c.start for c in found if c.kind == "beendet" and c.what == "IN_PROGRAMME"}
    assert regions == {
        f"Cooperation:dmr-{r}"
        for r in ("soest", "paderborn", "wuppertal", "aachen", "gelsenkirchen")
    }
    assert not [c for c in found if c.what == "IN_PROGRAMME" and c.kind == "neu"]
    began = {c.start for c in changes(landscape.graph(), "2019", "2021") if c.kind == "neu"}
    assert "Project:mpsc-guetersloh" in began  # Staffel 2020


def test_timeline_of_members_and_model_projects(landscape: GraphStore) -> None:
    rows = {r["Jahr"]: r for r in timeline(landscape.graph(), range(2014, 2026))}
    assert (rows[2016]["Mitglieder"], rows[2016]["Modellprojekte"]) == (18, 0)
    assert rows[2018]["Modellprojekte"] == 5  # the NRW regions
    assert rows[2022]["Modellprojekte"] == 73 + 5
    assert rows[2024]["Modellprojekte"] == 73
    assert rows[2024]["Mitglieder"] == 14  # the open network; the pilot ended in 2016


def test_change_marks_name_who_joined_or_left() -> None:
    found = [
        Change("neu", "MEMBER_OF", "Municipality:a", "Network:n"),
        Change("beendet", "PARTY_TO", "Municipality:a", "Cooperation:c"),
        Change("beendet", "Cooperation", "Cooperation:c"),
        Change("neu", "Project", "Project:p"),
    ]
    assert change_marks(found) == {
        "Municipality:a": "neu und beendet",
        "Cooperation:c": "beendet",
        "Project:p": "neu",
    }


@pytest.mark.parametrize("when", ["2016-06-30", "2022", "2024"])
def test_the_store_as_of_a_stand_reads_as_cypher_does(landscape: GraphStore, when: str) -> None:
    """The questions as of a date ask `StoreAsOf`: its raw reads are those of the network
    of then — the participations exactly what the store itself reads as of that date
    (Cypher on Neo4j), the members those of the rule over the graph of then."""
    then = StoreAsOf(landscape, when)
    reads = question_reads(then)
    assert reads.q_participations() == question_reads(landscape).q_participations(when)
    g = as_of(landscape.graph(), when)
    assert set(reads.q_member_ids()) == set(member_networks(g))


def test_who_works_on_e_akte_as_of_a_stand(landscape: GraphStore) -> None:
    """In mid-2016 the pilot's seven; in 2022 the NRW model regions besides; in 2024,
    after the regions ended on 30.06.2023, the seven again."""
    pilot = set(E_AKTE_PILOT)
    totals = {}
    for when in ("2016-06-30", "2022", "2024"):
        answer = topic_members(StoreAsOf(landscape, when), "E-Akte", limit=100)
        totals[when] = answer.total
        workers = {w.actor.name for w in answer.workers}
        assert pilot <= workers, when
        assert ("Bergische Universität Wuppertal" in workers) == (when == "2022"), when
    assert totals["2016-06-30"] == totals["2024"] == len(pilot) < totals["2022"]


def test_a_store_as_of_a_stand_is_read_only_and_checks_its_date(landscape: GraphStore) -> None:
    with pytest.raises(QueryError) as info:
        StoreAsOf(landscape, "gestern")
    assert "„gestern“ ist kein Datum" in str(info.value)
    with pytest.raises(InvalidInput):
        StoreAsOf(landscape, "2022").clear()
    assert not landscape.is_empty()
