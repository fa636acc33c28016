"""A small self-made network for the explorer and view tests: two Länder, a Kreis with
two background Gemeinden (as the Destatis directory adds them), a programme with two
members and a partner, projects, topics, a placeholder workshop, a finding, and an
organisation whose name is an attack. Enough to exercise every filter and rule of
`graph.present.explore` in a user's clone, where the real directory is not available."""

from __future__ import annotations

from graph.core.records import Batch, Node, Ref, Rel

EVIL = "<img src=x onerror=alert(1)></script><script>alert(2)</script>"
HREF = '<a href="javascript:alert(3)">Link</a>'
SRC = ["src-a"]

DUEREN = "Municipality:05358008"
KREIS_DUEREN = "Municipality:05358"
LANGERWEHE = "Municipality:05358024"
MERZENICH = "Municipality:05358028"
COCHEM_ZELL = "Municipality:07135"
ALFLEN = "Municipality:07135001"
NRW, RP = "State:05", "State:07"
NET = "Network:net-mk"
BMI, EVIL_ORG, HREF_ORG = (
    "Organisation:org-bmi",
    "Organisation:org-evil",
    "Organisation:org-href",
)
PORTAL, AKTE, EVIL_PROJECT = "Project:p-portal", "Project:p-akte", "Project:p-x"
T_PORTAL, T_AKTE = "Topic:t-portal", "Topic:t-akte"
WORKSHOP = "Workshop:ws-cz"
FINDING = "Finding:f-portal"

#: Municipalities that take part in nothing (the directory's background).
BACKGROUND = {LANGERWEHE, MERZENICH, ALFLEN}


def _m(ags: str, name: str, kind: str, **props: object) -> Node:
    level = "Kreis" if len(ags) == 5 else "Gemeinde"
    return Node(
        "Municipality",
        ags,
        {"name": name, "kind": kind, "level": level, "state_code": ags[:2], "sources": SRC} | props,
    )


def mini_batch() -> Batch:
    nodes = [
        Node(
            "Source",
            "src-a",
            {
                "url": "https://example.org/a",
                "title": "Quelle A",
                "publisher": "Herausgeber A",
                "date": "2015-03-01",
            },
        ),
        Node("Source", "src-js", {"url": "javascript:alert(4)", "title": "Böse Quelle"}),
        Node("State", "05", {"name": "Nordrhein-Westfalen", "sources": SRC}),
        Node("State", "07", {"name": "Rheinland-Pfalz", "sources": SRC}),
        _m("05358", "Düren", "Kreis"),
        _m(
            "05358008",
            "Düren",
            "Stadt",
            lat=50.8,
            lon=6.48,
            population=93323,
            population_date="2023-12-31",
            summary="Kreisangehörige Stadt.",
            websites=["https://www.dueren.de", "javascript:alert(5)"],
            website_titles=["Stadt Düren", "böse"],
        ),
        _m("05358024", "Langerwehe", "Gemeinde", lat=50.82, lon=6.35),
        _m("05358028", "Merzenich", "Gemeinde", lat=50.83, lon=6.53),
        _m("07135", "Cochem-Zell", "Landkreis", lat=50.14, lon=7.18),
        _m("07135001", "Alflen", "Gemeinde", lat=50.18, lon=7.04),
        Node("Organisation", "org-bmi", {"name": "Bundesministerium des Innern", "sources": SRC}),
        Node(
            "Organisation",
            "org-evil",
            {"name": EVIL, "kind": "Unternehmen", "state_code": "05", "sources": [*SRC, "src-js"]},
        ),
        Node("Organisation", "org-href", {"name": HREF, "state_code": "07", "sources": SRC}),
        Node(
            "Network",
            "net-mk",
            {"name": "Modellkommune E-Government", "start": "2014", "end": "2016", "sources": SRC},
        ),
        Node(
            "Project",
            "p-portal",
            {"title": "Bürgerportal", "start": "2014", "end": "2016", "sources": SRC},
        ),
        Node("Project", "p-akte", {"title": "E-Akte", "start": "2019", "sources": SRC}),
        Node("Project", "p-x", {"title": "Projekt X", "start": "2015", "sources": SRC}),
        Node("Topic", "t-portal", {"name": "Portal", "facet": "Baustein", "sources": SRC}),
        Node("Topic", "t-akte", {"name": "E-Akte", "facet": "Baustein", "sources": SRC}),
        Node(
            "Workshop",
            "ws-cz",
            {
                "title": "Workshop in Cochem-Zell (vermutet)",
                "kind": "Workshop",
                "date": "2015-11-18",
                "inferred": True,
                "confidence": "low",
                "note": "Nur nach der Programmregel.",
                "sources": SRC,
            },
        ),
        Node(
            "Finding",
            "f-portal",
            {"title": "Portale brauchen Bedarf", "statement": "Erst fragen.", "sources": SRC},
        ),
    ]

    def rel(rtype: str, a: str, b: str, **props: object) -> Rel:
        return Rel(rtype, Ref(a), Ref(b), {"sources": SRC} | props)

    rels = [
        rel("IN_STATE", "05358", "05"),
        rel("IN_STATE", "05358008", "05"),
        rel("IN_STATE", "05358024", "05"),
        rel("IN_STATE", "05358028", "05"),
        rel("IN_STATE", "07135", "07"),
        rel("IN_STATE", "07135001", "07"),
        rel("PART_OF", "05358008", "05358"),
        rel("PART_OF", "05358024", "05358"),
        rel("PART_OF", "05358028", "05358"),
        rel("PART_OF", "07135001", "07135"),
        rel(
            "MEMBER_OF", "05358008", "net-mk", role="Modellkommune (1. Staffel)", since="2013-12-12"
        ),
        rel("MEMBER_OF", "07135", "net-mk", role="Modellkommune (1. Staffel)"),
        rel("PARTNER_OF", "org-bmi", "net-mk", role="Initiator"),
        rel("RUNS", "05358008", "p-portal"),
        rel("RUNS", "07135", "p-akte"),
        rel("RUNS", "org-evil", "p-x"),
        rel("PARTNER_OF", "org-href", "p-akte", confidence="low"),
        rel("ABOUT", "p-portal", "t-portal"),
        rel("ABOUT", "p-akte", "t-akte"),
        rel("ABOUT", "p-x", "t-portal"),
        rel("IN_PROGRAMME", "p-portal", "net-mk"),
        rel("HOSTED", "07135", "ws-cz", role="Gastgeber"),
        rel("IN_PROGRAMME", "ws-cz", "net-mk"),
        rel("CONCERNS", "f-portal", "p-portal"),
        rel("ABOUT", "f-portal", "t-portal"),
    ]
    return Batch("mini", nodes=nodes, rels=rels)
