"""Contract: the guided questions give the answers the dossier gives, on both stores.

Expected answers are written down from the curated data of the pilot and its network
(``data/*.yaml``), not from the code: who runs which project, who attended which
workshop, who is party to what. The programmes of ``data/programme/`` (Smart Cities, the
NRW model regions) have their own contract tests in ``test_programmes.py``."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.core.cache import cached
from graph.core.errors import Ambiguous, KommunetzError, NotFound, QueryError
from graph.core.records import Batch, Node
from graph.core.store import GraphStore
from graph.present.csv import to_csv
from graph.questions.cooperation import snapshot
from graph.questions.metrics import network_metrics
from graph.questions.partners import partners
from graph.questions.paths import connections
from graph.questions.recommend import recommend
from graph.questions.rows import question_reads
from graph.questions.shared_topics import shared_topics
from graph.questions.topic import topic_members
from graph.questions.workshops import workshops
from loaders.curated import read_curated
from tests.contract.facts import E_AKTE_PILOT

DATA = Path(__file__).resolve().parents[2] / "data"
BG = "Bewerbergemeinschaft Ibbenbüren"
COOP_2017 = "Kooperation der ehemaligen E-Government-Modellkommunen („Digitale Familie“)"
WS_OG = "Workshop „E-Government grenzenlos“"
BARCAMP = "Barcamp „Digitale Familie 2017“"


@pytest.fixture
def curated(store: GraphStore) -> GraphStore:
    store.write(read_curated(DATA, subfolders=False))
    return store


def names(entities: object) -> list[str]:
    return [e.name for e in entities]  # type: ignore[attr-defined]


# -- (1) ---------------------------------------------------------------------------------


def test_who_works_on_e_akte(curated: GraphStore) -> None:
    answer = topic_members(curated, "E-Akte")
    assert answer.topic.key == "t-e-akte"
    assert answer.total == 7
    assert names(w.actor for w in answer.workers) == E_AKTE_PILOT
    halle = answer.workers[0]
    assert [(i.item.key, i.role_text) for i in halle.items] == [
        ("p-halle-eakte", "führt durch"),  # „Elektronische Aktenführung“
        ("coop-halle-partners", "beteiligt"),  # „Halle (Saale) mit der Hochschule …“
    ]
    ibb = next(w for w in answer.workers if w.actor.key == "05566028")
    assert ibb.member_text == (
        f"Digitale Familie – Netzwerk der ehemaligen E-Government-Modellkommunen (über {BG}); "
        f"Modellkommune E-Government (über {BG})"
    )
    members = topic_members(curated, "E-Akte", members_only=True)
    assert members.total == 5
    assert sorted(names(w.actor for w in members.workers)) == [
        "Gütersloh",
        "Halle (Saale)",
        "Heidekreis",
        "Ibbenbüren",
        "Ortenaukreis",
    ]
    rows = answer.rows()
    # one row per actor, its projects and cooperations together (7 actors, 7 rows)
    assert len(rows) == answer.total == 7
    assert rows[0]["Akteur"] == "Halle (Saale)"
    assert any("Elektronischer Posteingang (Projekt, " in r["Vorhaben"] for r in rows)
    limited = topic_members(curated, "E-Akte", limit=2)
    assert limited.total == 7
    assert len(limited.workers) == 2


def test_topic_not_found_is_a_clear_message(curated: GraphStore) -> None:
    with pytest.raises(NotFound) as info:
        topic_members(curated, "Raumfahrt")
    assert "Raumfahrt" in str(info.value)


# -- (2) ---------------------------------------------------------------------------------


def test_partners_of_norderstedt_with_reasons(curated: GraphStore) -> None:
    answer = partners(curated, "Norderstedt")
    assert answer.total == 20
    # the three other parties of the 2017 agreement first (cooperation + two workshops;
    # more shared topics first), then the BMI (party too, one workshop), the project
    # partner, the guests of the Offenburg workshop
    assert names(p.partner for p in answer.partners[:9]) == [
        "Ortenaukreis",
        "Cochem-Zell",
        BG,
        "Bundesministerium des Innern",
        "Institut Bürgerwissen",
        "Düren",
        "Gütersloh",
        "Heidekreis",
        "Halle (Saale)",
    ]
    og = next(p for p in answer.partners if p.partner.name == "Ortenaukreis")
    assert [(r.kind, r.via.name if r.via else None) for r in og.reasons] == [
        ("cooperation", COOP_2017),
        ("workshop", BARCAMP),
        ("workshop", WS_OG),
    ]
    assert "Norderstedt Gastgeber, Ortenaukreis Teilnahme" in og.reasons[1].text
    assert og.reasons[0].sources == ("kaaw-coop",)
    assert "Servicekonto/eID" in {t.name for t in og.topics}
    # partners by topic only come last, with the shared topics as the reason
    last = answer.partners[-1]
    assert last.reasons == ()
    assert last.topics
    assert last.all_reasons[-1].label == "gemeinsames Thema"
    rows = answer.rows()
    # one row per partner, all its reasons together
    assert len(rows) == len(answer.partners)
    assert rows[0]["Grund"] == "gemeinsame Kooperation"
    assert all(r.text in rows[0]["Begründung"] for r in og.all_reasons)
    assert rows[0]["Quellen"].startswith("kaaw-coop")


def test_members_of_an_organisation_are_partners(curated: GraphStore) -> None:
    answer = partners(curated, "05566028")  # Stadt Ibbenbüren
    bg = next(p for p in answer.partners if p.partner.name == BG)
    assert bg.reasons[0].kind == "direct"
    assert bg.reasons[0].text == f"„Ibbenbüren“ ist Mitglied von „{BG}“ (Antragstellerin)"
    co_members = {
        p.partner.name for p in answer.partners if p.reasons and p.reasons[0].kind == "organisation"
    }
    assert co_members == {
        "Ahaus",
        "Borken",
        "Gronau (Westf.)",
        "Laer",
        "Neuenkirchen",
        "Rhede",
        "Steinfurt",
        "Velen",
        "Zweckverband Kommunale ADV-Anwendergemeinschaft West",
    }
    # and the organisation sees its members as direct partners
    of_bg = partners(curated, BG)
    direct = {p.partner.name for p in of_bg.partners if p.reasons and p.reasons[0].kind == "direct"}
    assert {"Ibbenbüren", "Velen", "Zweckverband Kommunale ADV-Anwendergemeinschaft West"} <= direct


def test_partner_limit_keeps_the_strongest(curated: GraphStore) -> None:
    full = partners(curated, "Norderstedt")
    top = partners(curated, "Norderstedt", limit=3)
    assert top.total == full.total
    assert top.partners == full.partners[:3]


def test_ambiguous_name_lists_the_candidates(curated: GraphStore) -> None:
    with pytest.raises(Ambiguous) as info:
        partners(curated, "Steinfurt")
    message = str(info.value)
    assert "Steinfurt (Kreis, Nordrhein-Westfalen, AGS 05566)" in message
    assert "Steinfurt (Stadt, Nordrhein-Westfalen, AGS 05566084)" in message
    assert partners(curated, "05566084").actor.kind == "Stadt"


# -- (3) ---------------------------------------------------------------------------------


def test_how_norderstedt_and_the_ortenaukreis_are_connected(curated: GraphStore) -> None:
    answer = connections(curated, "Norderstedt", "Ortenaukreis", k=5)
    assert answer.hops == 2
    assert answer.total == 5
    assert answer.complete
    assert [p.nodes[1].name for p in answer.paths] == [
        BARCAMP,
        "Digitale Familie – Netzwerk der ehemaligen E-Government-Modellkommunen",
        COOP_2017,
        "Modellkommune E-Government",
        WS_OG,
    ]
    barcamp = answer.paths[0].sentences(answer.source_titles)
    assert barcamp[0].startswith(
        f"1. „Norderstedt“ richtete die Veranstaltung „{BARCAMP}“ aus (Gastgeber). (Quellen: "
    )
    assert barcamp[1].startswith(f"2. „Ortenaukreis“ nahm an der Veranstaltung „{BARCAMP}“ teil.")
    assert "KAAW" in barcamp[1]  # the source's title, not just its id
    # the Ortenaukreis hosted and attended its own workshop: both relationships are told
    workshop = answer.paths[4]
    assert [r.rel for r in workshop.steps[1].rels] == ["ATTENDED", "HOSTED"]
    assert len(workshop.sentences()) == 3
    first_two = connections(curated, "Norderstedt", "Ortenaukreis", k=2)
    assert first_two.paths == answer.paths[:2]
    assert first_two.total == 5
    rows = answer.rows()
    assert rows[0]["Weg"] == 1 and rows[0]["Schritt"] == 1
    assert rows[0]["Beziehung"] == "richtete aus"  # German, as in every table (not HOSTED)
    assert rows[0]["Quellen"] and "http" not in rows[0]["Quellen"]  # ids; the page links them


def test_administrative_links_only_when_asked(curated: GraphStore) -> None:
    # the Kreis Düren has only administrative links
    without = connections(curated, "05358", "Norderstedt")
    assert without.paths == []
    assert "keine Verbindung" in without.summary()
    with_admin = connections(curated, "05358", "Norderstedt", include_admin=True)
    assert with_admin.hops == 3
    assert with_admin.paths[0].steps[0].rels[0].rel == "PART_OF"
    assert with_admin.paths[0].sentences()[0].startswith("1. „Düren“ gehört zum Kreis „Düren“")
    # Velen and Rhede: through their Bewerbergemeinschaft; administratively also through
    # the Kreis Borken and the Land
    plain = connections(curated, "Velen", "Rhede", k=10)
    assert [p.nodes[1].name for p in plain.paths] == [BG]
    admin = connections(curated, "Velen", "Rhede", k=10, include_admin=True)
    assert [p.nodes[1].name for p in admin.paths] == [BG, "Borken", "Nordrhein-Westfalen"]


def test_same_place_twice_is_refused(curated: GraphStore) -> None:
    with pytest.raises(QueryError):
        connections(curated, "Norderstedt", "01060063")


# -- (4) ---------------------------------------------------------------------------------


def test_topics_dueren_and_guetersloh_share(curated: GraphStore) -> None:
    answer = shared_topics(curated, "05358008", "05754008")
    assert names(s.topic for s in answer.topics) == [
        "Familie & Kind",
        "Online-Formulare (Online-Anträge)",
        "Portal (Bürger-/Serviceportal)",
        "Prozessmanagement",
        "Servicekonto/eID",
        "Unternehmensführung & -entwicklung",
    ]
    portal = next(s for s in answer.topics if s.topic.key == "t-portal")
    assert {i.item.key for i in portal.b_items} == {"p-gt-buergerportal"}
    assert {i.item.key for i in portal.a_items} == {
        "p-dueren-buergerportal",
        "p-dueren-urkunden",
        "p-dueren-gewerbe",
        "p-dueren-kita",
        "coop-dueren-regioit",
    }
    assert "E-Akte" in names(answer.only_b)
    assert "Termin- und Wartemanagement" in names(answer.only_a)


# -- (5) ---------------------------------------------------------------------------------


def test_workshops_of_the_ortenaukreis(curated: GraphStore) -> None:
    answer = workshops(curated, actor="Ortenaukreis")
    assert answer.total == 3
    assert [w.workshop.key for w in answer.workshops] == [
        "ev-barcamp-2017",
        "ev-closing-2016",
        "ws-ortenau-2015",
    ]
    row = answer.rows()[2]
    assert row["Ausgerichtet von"] == "Ortenaukreis"
    assert row["Datum"] == "18.11.2015 – 19.11.2015"  # the one German date wording
    assert (
        row["Themen"] == "Interkommunale und ebenenübergreifende Zusammenarbeit, Prozessmanagement"
    )
    assert row["Teilnehmende"].split(", ") == [
        BG,
        "Bundesministerium des Innern",
        "Cochem-Zell",
        "Düren",
        "Gütersloh",
        "Halle (Saale)",
        "Heidekreis",
        "Norderstedt",
        "Ortenaukreis",
    ]
    closing = answer.rows()[1]
    assert closing["Ausgerichtet von"] == (
        "Bundesministerium des Innern, Hochschule Harz, Fachbereich "
        "Verwaltungswissenschaften (Mitveranstalter), PubliCConsult – Institut für "
        "Verwaltungsmanagement e.V. (Mitveranstalter)"
    )


def test_all_workshops_newest_first_inferred_ones_flagged(curated: GraphStore) -> None:
    answer = workshops(curated)
    assert answer.total == 13
    assert answer.workshops[0].workshop.key == "ev-barcamp-2017"
    undated = [w for w in answer.workshops if not w.date]
    assert len(undated) == 6  # the six workshops the programme rules imply
    assert answer.workshops[-6:] == undated
    assert all(r["Vermutet"] == "ja" for r in answer.rows()[-6:])
    on_topic = workshops(curated, topic="Prozessmanagement")
    assert [w.workshop.key for w in on_topic.workshops] == ["ws-ortenau-2015"]
    both = workshops(curated, actor="05358008", topic="Bürgerbeteiligung")
    assert [w.workshop.key for w in both.workshops] == ["ws-dueren-2014"]
    assert workshops(curated, limit=2).total == 13
    assert len(workshops(curated, limit=2).workshops) == 2


# -- (6) ---------------------------------------------------------------------------------


def test_recommendations_around_an_actor_are_those_of_the_whole_graph(
    curated: GraphStore,
) -> None:
    """Every actor of the curated data (members through the Bewerbergemeinschaft,
    partners, programmes): the suggestions from its partners and theirs
    (`cooperation.around`, before the snapshot) are those from the whole snapshot."""
    actors = sorted(a.key for a, _ in question_reads(curated).q_actor_facts())

    def answers() -> list[object]:
        out: list[object] = []
        for a in actors:
            try:
                out.append(recommend(curated, a, limit=50).as_dict())
            except KommunetzError as exc:
                out.append(str(exc))
        return out

    before = answers()
    assert cached(curated, "snapshot", curated.version()) is None
    snapshot(curated)
    assert answers() == before
    assert sum(isinstance(a, dict) and a["existing_partners"] > 0 for a in before) > 10


def test_recommendations_for_a_newcomer_by_ags(curated: GraphStore) -> None:
    # Emsdetten (Kreis Steinfurt) is not in the network: a newcomer interested in E-Akte
    curated.write(
        Batch(
            "neu",
            nodes=[
                Node(
                    "Municipality",
                    "05566008",
                    {
                        "name": "Emsdetten",
                        "kind": "Stadt",
                        "level": "Gemeinde",
                        "state_code": "05",
                        "population": 36400,
                        "population_date": "2023-12-31",
                        "lat": 52.1727,
                        "lon": 7.5281,
                        "sources": ["destatis-gv"],
                    },
                )
            ],
        )
    )
    answer = recommend(curated, "05566008", topics=["E-Akte"])
    assert answer.existing_partners == 0
    assert names(answer.interests) == ["E-Akte"]
    best = answer.recommendations[0]
    assert best.candidate.name == "Ibbenbüren"
    assert [(p.name, p.points) for p in best.parts] == [
        ("Themen", 3),
        ("Art", 2),
        ("Größe", 3),
        ("Nähe", 4),
        ("Land", 2),
        ("Mitglied", 1),
    ]
    assert best.score == 15
    assert best.parts[3].text == "17 km entfernt"
    assert best.parts[2].text == "ähnlich groß (51.552 zu 36.400 Einwohnern)"
    for r in answer.recommendations:
        assert r.score == sum(p.points for p in r.parts)
    scores = [r.score for r in answer.recommendations]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.reference_data
def test_recommendations_for_a_directory_municipality(
    curated: GraphStore, reference_dir: Path
) -> None:
    from loaders.detect import read_any

    curated.write(read_any(reference_dir / "AuszugGV4QAktuell_2024.xlsx"))
    answer = recommend(curated, "05515000", topics=["E-Akte"], limit=3)  # Münster
    assert answer.target.describe() == (
        "Münster (kreisfreie Stadt, Nordrhein-Westfalen, AGS 05515000)"
    )
    assert answer.existing_partners == 0
    # equal points (10): Gütersloh is bigger and farther, Ibbenbüren smaller and nearer
    assert [(r.candidate.name, r.score) for r in answer.recommendations] == [
        ("Gütersloh", 10),
        ("Ibbenbüren", 10),
        ("Halle (Saale)", 9),
    ]
    ibb = answer.recommendations[1]
    assert [(p.name, p.points) for p in ibb.parts] == [
        ("Themen", 3),
        ("Art", 1),
        ("Nähe", 3),
        ("Land", 2),
        ("Mitglied", 1),
    ]
    assert ibb.parts[2].text == "35 km entfernt"
    assert answer.recommendations[2].parts[1].text == "ebenfalls kreisfreie Stadt"


def test_recommendations_leave_out_existing_partners(curated: GraphStore) -> None:
    answer = recommend(curated, "Norderstedt")
    existing = {p.partner.id for p in partners(curated, "Norderstedt").partners if p.reasons}
    assert answer.existing_partners == len(existing)
    assert not existing & {r.candidate.id for r in answer.recommendations}
    assert answer.recommendations  # there are members Norderstedt has not met yet
    assert all(r.parts for r in answer.recommendations)


# -- (7) ---------------------------------------------------------------------------------


def test_metrics_of_the_curated_network(curated: GraphStore) -> None:
    m = network_metrics(curated)
    assert not m.betweenness_sampled
    assert m.betweenness_note == "exakt berechnet"
    # the Bewerbergemeinschaft ties its nine municipalities to the other Modellkommunen
    assert m.betweenness[0].entity.name == BG
    assert m.degree[0].entity.name == BG
    assert m.community_count >= 3
    biggest = [set(names(c.members)) for c in m.communities]
    assert any({"Ahaus", "Rhede", "Steinfurt"} <= c for c in biggest)
    assert any({"Cochem-Zell", "Verbandsgemeinde Kaisersesch"} <= c for c in biggest)
    single = {(t.name, e.name) for t, e in m.single_topics}
    assert ("Geodaten", "Halle (Saale)") in single
    assert ("Ratsinformation", "Gütersloh") in single
    assert ("E-Akte", "Gütersloh") not in single
    assert m.isolated_members == []
    assert BG in {e.name for e, _ in m.bridges}
    tables = m.tables()
    assert tables["degree"][0] == {
        "Rang": 1,
        "Akteur": BG,
        "Land": "Nordrhein-Westfalen",
        "Partner": m.degree[0].value,
    }
    assert network_metrics(curated) is m  # cached until the data changes
    curated.write(
        Batch("x", nodes=[Node("Topic", "t-neu", {"name": "Neu", "sources": ["egovg-en"]})])
    )
    again = network_metrics(curated)
    assert again is not m
    assert "Neu" in names(again.unused_topics)


def test_csv_is_for_german_spreadsheets(curated: GraphStore) -> None:
    data = to_csv(partners(curated, "Norderstedt").rows())
    text = data.decode("utf-8")
    assert text.startswith("\ufeffPartner;Art;Land;Schlüssel;Grund;Begründung;Quellen\r\n")
    assert "Cochem-Zell;Landkreis;Rheinland-Pfalz;07135;gemeinsame Kooperation" in text
    assert to_csv([{"a": "=HYPERLINK(1)"}]).decode("utf-8").endswith("'=HYPERLINK(1)\r\n")
