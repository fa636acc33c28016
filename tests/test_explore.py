"""The explorer's views, neighbourhoods, tables, details and layout, on the graph each
store returns (both stores, same expected answers)."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pytest

from graph.core.records import Ref, Rel
from graph.core.store import GraphStore
from graph.present import explore, layout
from graph.present.details import details, safe_url
from tests import mini_network as mini

Loaded = tuple[nx.MultiDiGraph, explore.GraphIndex]


@pytest.fixture
def loaded(store: GraphStore) -> Loaded:
    store.write(mini.mini_batch())
    g = store.graph()
    return g, explore.index(g)


def ids(g: nx.MultiDiGraph, f: explore.ViewFilter | None = None, **kw: object) -> set[str]:
    idx = explore.index(g)
    return set(explore.build_view(g, idx, f, **kw).graph)  # type: ignore[arg-type]


def test_default_view_is_the_network_without_the_directory_background(loaded: Loaded) -> None:
    g, idx = loaded
    shown = explore.build_view(g, idx).graph
    assert mini.DUEREN in shown and mini.COCHEM_ZELL in shown
    assert not (mini.BACKGROUND & set(shown)), "directory-only Gemeinden are background"
    assert mini.KREIS_DUEREN in shown, "the Kreis of a shown Gemeinde stays as context"
    assert {mini.NRW, mini.RP} <= set(shown)
    assert not any(n.startswith("Source:") for n in shown)
    assert idx.directory_only == 4  # the three background Gemeinden and Kreis Düren
    assert explore.build_view(g, idx).title == "Gesamtes Netzwerk"


def test_whole_directory_adds_the_background_within_the_chosen_land(loaded: Loaded) -> None:
    g, idx = loaded
    everything = explore.select(g, idx, explore.ViewFilter(whole_directory=True))
    assert everything >= mini.BACKGROUND
    in_rp = explore.select(
        g, idx, explore.ViewFilter(whole_directory=True, states=frozenset({"07"}))
    )
    assert mini.ALFLEN in in_rp and mini.LANGERWEHE not in in_rp


def test_land_filter_keeps_what_lies_or_works_there(loaded: Loaded) -> None:
    g, idx = loaded
    kept = explore.select(g, idx, explore.ViewFilter(states=frozenset({"07"})))
    assert kept == {
        mini.COCHEM_ZELL,
        mini.RP,
        mini.AKTE,  # run by Cochem-Zell
        mini.WORKSHOP,  # hosted there
        mini.HREF_ORG,  # an organisation of the Land
        mini.T_AKTE,  # no Land of its own, tied to a kept project
        mini.NET,  # no Land of its own, Cochem-Zell is a member
    }


def test_topic_filter_keeps_the_topic_what_is_about_it_and_who_does_it(loaded: Loaded) -> None:
    g, idx = loaded
    kept = explore.select(g, idx, explore.ViewFilter(topics=frozenset({mini.T_AKTE})))
    assert kept == {mini.T_AKTE, mini.AKTE, mini.COCHEM_ZELL, mini.HREF_ORG, mini.RP}


def test_period_filter_drops_dated_nodes_outside_and_keeps_undated_ones(loaded: Loaded) -> None:
    g, idx = loaded
    assert idx.year_range == (2014, 2019)
    kept = explore.select(g, idx, explore.ViewFilter(years=(2017, 2030)))
    assert mini.PORTAL not in kept and mini.NET not in kept and mini.WORKSHOP not in kept
    assert mini.AKTE in kept, "started 2019, still running"
    assert mini.EVIL_PROJECT in kept, "started 2015 without an end: still running"
    assert mini.FINDING in kept and mini.DUEREN in kept, "undated nodes stay"


def test_members_only_hides_non_members_and_what_only_they_do(loaded: Loaded) -> None:
    g, idx = loaded
    kept = explore.select(g, idx, explore.ViewFilter(members_only=True))
    assert {mini.DUEREN, mini.COCHEM_ZELL, mini.PORTAL, mini.AKTE, mini.NET} <= kept
    assert mini.BMI not in kept, "a partner is not a member"
    assert mini.EVIL_ORG not in kept and mini.EVIL_PROJECT not in kept
    assert mini.T_PORTAL in kept, "tied to no actor at all"


def test_type_filter_and_counts(loaded: Loaded) -> None:
    g, idx = loaded
    only = explore.build_view(g, idx, explore.ViewFilter(labels=frozenset({"Municipality"})))
    assert set(only.graph) == {mini.DUEREN, mini.COCHEM_ZELL, mini.KREIS_DUEREN}
    assert [k for _, _, k in only.graph.edges(keys=True)] == ["PART_OF"]
    assert only.title == "Netzwerk (gefiltert)"


def test_neighbourhood_of_a_land_lists_participants_only(loaded: Loaded) -> None:
    g, idx = loaded
    assert explore.neighbourhood(g, idx, mini.NRW, 1) == {mini.NRW, mini.DUEREN}


def test_neighbourhood_shows_kreis_and_land_but_never_walks_through_them(loaded: Loaded) -> None:
    g, idx = loaded
    one = explore.neighbourhood(g, idx, mini.DUEREN, 1)
    assert one == {mini.DUEREN, mini.KREIS_DUEREN, mini.NRW, mini.NET, mini.PORTAL}
    three = explore.neighbourhood(g, idx, mini.DUEREN, 3)
    assert mini.LANGERWEHE not in three and mini.MERZENICH not in three
    assert {mini.COCHEM_ZELL, mini.BMI, mini.WORKSHOP, mini.AKTE, mini.RP} <= three
    view = explore.build_view(g, idx, None, mini.DUEREN, 2)
    assert view.title == "Umgebung von Düren (Tiefe 2)"
    assert view.focus == mini.DUEREN


def test_neighbourhood_stays_within_the_filter_but_keeps_the_focus(loaded: Loaded) -> None:
    g, idx = loaded
    f = explore.ViewFilter(labels=frozenset({"Municipality", "Network"}))
    shown = set(explore.build_view(g, idx, f, mini.PORTAL, 1).graph)
    assert shown == {mini.PORTAL, mini.DUEREN, mini.NET}


def test_tables_are_the_text_equivalent_of_the_view(loaded: Loaded) -> None:
    g, idx = loaded
    view = explore.build_view(g, idx, None, mini.COCHEM_ZELL, 1).graph
    nodes = explore.node_rows(view)
    assert len(nodes) == view.number_of_nodes()
    assert nodes[0] == {
        "Name": "Cochem-Zell",
        "Typ": "Kommune",
        "Art": "Landkreis",
        "Land": "Rheinland-Pfalz",
        "Kennung": "07135",
        "Hinweis": "",
    }
    workshop = next(r for r in nodes if r["Typ"] == "Veranstaltung")
    assert workshop["Hinweis"] == "vermutet, unsicher"
    rels = explore.relation_rows(view)
    assert len(rels) == view.number_of_edges()
    assert {
        "Von": "Cochem-Zell",
        "Beziehung": "ist Mitglied von",
        "Nach": "Modellkommune E-Government",
        "Angaben": "Modellkommune (1. Staffel)",
        "Hinweis": "",
    } in rels


def test_details_of_a_member(loaded: Loaded) -> None:
    g, idx = loaded
    d = details(g, idx, mini.DUEREN)
    assert d is not None
    facts = dict(d.facts)
    assert facts["Land"] == "Nordrhein-Westfalen"
    assert facts["Einwohner"] == "93.323 (Stand 31.12.2023)"
    assert facts["Kennung"] == "AGS 05358008"
    sections = {heading: items for heading, items in d.sections}
    member = sections["Mitglied von"][0]
    assert (member.name, member.relation, member.outgoing) == (
        "Modellkommune E-Government",
        "ist Mitglied von",
        True,
    )
    assert member.details == "Modellkommune (1. Staffel), seit 12.12.2013"
    assert [r.name for r in sections["Projekte"]] == ["Bürgerportal"]
    assert {r.name for r in sections["Verwaltungsgliederung"]} == {"Düren", "Nordrhein-Westfalen"}
    assert [(s.title, s.url, s.note) for s in d.sources] == [
        ("Quelle A", "https://example.org/a", "Herausgeber A, 01.03.2015")
    ]
    assert [(w.title, w.url) for w in d.websites] == [("Stadt Düren", "https://www.dueren.de")]


def test_details_mark_placeholders_and_count_the_background(loaded: Loaded) -> None:
    g, idx = loaded
    ws = details(g, idx, mini.WORKSHOP)
    assert ws is not None and ws.flags == ("vermutet", "unsicher")
    assert ws.note == "Nur nach der Programmregel."
    assert dict(ws.facts)["Datum"] == "18.11.2015"
    kreis = details(g, idx, mini.KREIS_DUEREN)
    assert kreis is not None and kreis.not_in_network == 2
    listed = {heading: [r.name for r in items] for heading, items in kreis.sections}
    assert listed == {
        "Verwaltungsgliederung": ["Nordrhein-Westfalen"],
        "Kommunen im Netzwerk": ["Düren"],
    }
    evil = details(g, idx, mini.EVIL_ORG)
    assert evil is not None and [s.url for s in evil.sources] == ["https://example.org/a", ""]
    href = details(g, idx, mini.AKTE)
    assert href is not None
    partner = dict(href.sections)["Partner"][0]
    assert partner.flags == ("unsicher",)
    assert details(g, idx, "Project:gibt-es-nicht") is None


def test_safe_url_allows_http_only() -> None:
    assert safe_url("https://example.org/x") == "https://example.org/x"
    assert safe_url(" http://example.org ") == "http://example.org"
    for bad in ("javascript:alert(1)", "data:text/html,x", "//example.org", "ftp://x", None):
        assert safe_url(bad) is None


def test_members_and_key_figures(loaded: Loaded) -> None:
    g, idx = loaded
    members = explore.members(g)
    assert [explore.member_facts(m) for m in members] == [
        ["Landkreis", "Rheinland-Pfalz", "Modellkommune (1. Staffel)"],
        ["Stadt", "Nordrhein-Westfalen", "Modellkommune (1. Staffel)", "12.12.2013"],
    ]
    assert [explore.member_name(m) for m in members] == ["Cochem-Zell", "Düren"]
    figures = explore.key_figures(g, idx)
    assert (figures.members, figures.member_states, figures.networks) == (2, 2, 1)
    assert figures.counts["Municipality"] == 2, "municipalities taking part in nothing are not"
    assert figures.counts["Project"] == 3


def test_membership_through_an_organisation_counts_everywhere(store: GraphStore) -> None:
    """The one membership rule (`graph.core.membership`): Langerwehe is a member of the
    programme through an organisation that is; the member list, the key figures, the
    "Nur Mitglieder" filter and the store figures all count it."""
    batch = mini.mini_batch()
    batch.rels += [
        Rel("MEMBER_OF", Ref("org-href"), Ref("net-mk"), {"sources": mini.SRC, "since": "2014-08"}),
        Rel(
            "MEMBER_OF", Ref("05358024"), Ref("org-href"), {"sources": mini.SRC, "role": "Mitglied"}
        ),
    ]
    store.write(batch)
    g = store.graph()
    idx = explore.index(g)
    by_name = {explore.member_name(m): explore.member_facts(m) for m in explore.members(g)}
    assert by_name['Langerwehe (über <a href="javascript:alert(3)">Link</a>)'] == [
        "Gemeinde",
        "Nordrhein-Westfalen",
        f"über {mini.HREF}",
        "Mitglied",
        "August 2014",
    ]
    assert set(idx.members) == {mini.DUEREN, mini.COCHEM_ZELL, mini.HREF_ORG, mini.LANGERWEHE}
    assert explore.key_figures(g, idx).members == 4
    kept = explore.select(g, idx, explore.ViewFilter(members_only=True))
    assert mini.LANGERWEHE in kept and mini.HREF_ORG in kept and mini.BMI not in kept
    assert store.stats().networks["net-mk"]["members"] == 4


def test_layout_puts_places_on_the_map_and_the_rest_beside_them(loaded: Loaded) -> None:
    g, _ = loaded
    pos = layout.positions(g)
    assert set(pos) == set(g)
    assert pos[mini.DUEREN] == pytest.approx(layout.project(50.8, 6.48))
    gemeinden = [pos[mini.DUEREN], pos[mini.LANGERWEHE], pos[mini.MERZENICH]]
    mean = (sum(p[0] for p in gemeinden) / 3, sum(p[1] for p in gemeinden) / 3)
    assert pos[mini.KREIS_DUEREN] == pytest.approx(mean), "a Kreis sits amid its Gemeinden"
    assert math.dist(pos[mini.PORTAL], pos[mini.DUEREN]) < 30, "a project beside its runner"
    assert math.dist(pos[mini.WORKSHOP], pos[mini.COCHEM_ZELL]) < 30, "a workshop at its host"
    assert math.dist(pos[mini.HREF_ORG], layout.project(*layout.STATE_CENTRES["07"])) < 30
    east = layout.project(layout.BOUNDS[0], layout.BOUNDS[3])[0]
    north = layout.project(layout.BOUNDS[2], layout.BOUNDS[1])[1]
    assert pos[mini.T_PORTAL][0] > east, "topics stand in a column right of the map"
    assert pos[mini.NET][1] < north, "networks stand above the map"
    assert pos[mini.BMI][0] < 0, "federal organisations stand left of the map"
    assert len(set(pos.values())) == len(pos), "no two nodes on the same spot"
    assert layout.positions(g) == pos, "deterministic"


def test_subgraph_shares_data_and_is_frozen(loaded: Loaded) -> None:
    g, _ = loaded
    sub = explore.subgraph(g, {mini.DUEREN, mini.PORTAL, "Project:nope"})
    assert set(sub) == {mini.DUEREN, mini.PORTAL}
    assert list(sub.edges(keys=True)) == [(mini.DUEREN, mini.PORTAL, "RUNS")]
    assert nx.is_frozen(sub)
    assert sub.nodes[mini.DUEREN] is g.nodes[mini.DUEREN]


def test_subgraph_keeps_the_graphs_order(loaded: Loaded) -> None:
    """The order of a view's nodes is the order the picture draws them in (which one a
    click hits); a set's order would change with every server process."""
    g, _ = loaded
    wanted = set(list(g)[::2])
    assert list(explore.subgraph(g, wanted)) == [n for n in g if n in wanted]


@pytest.mark.reference_data
def test_directory_scale_neighbourhoods_stay_small(reference_dir: Path, tmp_path: Path) -> None:
    """With the real directory (~11,000 municipalities) a Land or a Gemeinde's Kreis
    must not pull its 2,000 Gemeinden into a neighbourhood."""
    from graph.stores.sqlite.store import EmbeddedStore
    from loaders.curated import read_curated
    from loaders.detect import read_any

    store = EmbeddedStore(tmp_path / "dir.sqlite")
    store.write(read_curated(Path(__file__).resolve().parents[1] / "data"))
    store.write(read_any(next(reference_dir.glob("AuszugGV*.xlsx"))))
    g = store.graph()
    idx = explore.index(g)
    assert idx.directory_only > 10_000
    bavaria = explore.neighbourhood(g, idx, "State:09", 3)
    # the Bavarian participants of the network and the programmes (Smart Cities), and as
    # context only their Kreise and Gemeindeverbände – not the Land's 2,000 Gemeinden
    assert len(bavaria) < 100
    context = [n for n in bavaria if n not in idx.participants and n != "State:09"]
    assert all(
        g.nodes[n]["type"] == "Gemeindeverband" or g.nodes[n].get("level") == "Kreis"
        for n in context
    ), context
    dueren = explore.neighbourhood(g, idx, "Municipality:05358008", 3)
    nrw = {n for n in g if n.startswith("Municipality:05")}
    assert len(dueren & nrw) < 40, "Düren's Kreis and Land are not walked through"
    default = explore.build_view(g, idx)
    # the curated network with its programmes (~470 nodes), not the directory's 11,000
    assert default.graph.number_of_nodes() < 600
    whole = explore.build_view(g, idx, explore.ViewFilter(whole_directory=True))
    assert whole.graph.number_of_nodes() > 11_000
    pos = layout.positions(g)
    assert all(n in pos for n in g)


def test_empty_and_sources_only_graphs(store: GraphStore) -> None:
    from graph.core.records import Batch, Node

    assert explore.is_empty(store.graph())
    store.write(Batch("s", nodes=[Node("Source", "src-a", {"url": "https://x.de", "title": "X"})]))
    assert explore.is_empty(store.graph()), "sources alone are nothing to show"
    store.write(mini.mini_batch())
    g = store.graph()
    assert not explore.is_empty(g)
    assert explore.has(g, mini.DUEREN) and not explore.has(g, None)
    assert not explore.has(g, "Municipality:99999999")


def test_a_crowded_view_keeps_the_same_nodes_whatever_order_they_came_in() -> None:
    """The cut of a crowded view breaks ties by id: the same view showed 4,868
    relationships in one server and 4,907 in the next (its nodes came in another order)."""
    names = [f"Municipality:{i:08d}" for i in range(40)]
    kept = []
    for order in (names, list(reversed(names))):
        g = nx.MultiDiGraph()
        for n in order:  # all of one type and degree: every one ties with every other
            g.add_node(n, type="Municipality", name=n)
        view = explore.trim(explore.View(nx.freeze(g)), set(), limit=10)
        kept.append(set(view.graph))
        assert view.selected == 40
    assert kept[0] == kept[1]
