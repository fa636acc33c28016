"""Open data (`kommunetz publish`): every file read back by an independent reader on both
stores — igraph (GraphML), networkx (GEXF), shapely and json (GeoJSON), rdflib (Turtle and
JSON-LD), Python's csv (every CSV) — no contact data in any file, and the catalogue
validated with pyshacl against the official DCAT-AP.de 2.0 shapes from ../shared."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

import igraph
import networkx as nx
import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SH, XSD
from shapely.geometry import Point, shape

from graph.core.errors import InvalidInput
from graph.core.store import GraphStore
from graph.present.csv import FORMULA_START
from graph.present.dcat import (
    BKG_ATTRIBUTION,
    CURATED_ATTRIBUTION,
    LICENCE,
    SPDX,
    Publisher,
)
from graph.present.publish import CATALOG_JSONLD, CATALOG_TURTLE, publication, write_publication
from graph.stores.sqlite.store import EmbeddedStore
from loaders.curated import read_curated
from tests.conftest import REPO, SHARED, point_env_at
from tests.publish_helpers import (
    BASE,
    CONVENTIONS,
    EDITION,
    MAILBOX,
    PERSONAL,
    PUBLISHER,
    PUBLISHER_SETTINGS,
    SPECIFICATION,
    VOCABULARIES,
    Profile,
    fill,
    shapes,
)
from tests.registration_helpers import store_text

AS_OF = date(2025, 6, 30)
SHACL_DIR = SHARED / "data" / "dcat-ap-de-2.0" / "shacl"


@pytest.fixture
def published(store: GraphStore, tmp_path: Path) -> tuple[GraphStore, Path]:
    """The test network with registrations in ``store``, published into a folder."""
    fill(store)
    out = tmp_path / "offene-daten"
    write_publication(publication(store.graph(), PUBLISHER, AS_OF), out)
    return store, out


def _statements(g: Graph) -> set[tuple[object, ...]]:
    return {
        (s, p, (o.datatype, o.language, o.toPython()) if isinstance(o, Literal) else o)
        for s, p, o in g
    }


def files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


# -- read back by other tools -----------------------------------------------------------


def test_graphml_reads_back_in_igraph(published: tuple[GraphStore, Path]) -> None:
    store, out = published
    g = store.graph()
    read = igraph.Graph.Read_GraphML(str(out / "kommunetz-graph.graphml"))
    assert read.vcount() == g.number_of_nodes()
    assert read.ecount() == g.number_of_edges()
    assert read.is_directed()
    by_id = {v["id"]: v for v in read.vs}
    assert by_id["Municipality:05358008"]["node_type"] == "Municipality"
    assert by_id["Municipality:05358008"]["name"] == "Düren"
    relations = Counter(e["relation"] for e in read.es)
    assert relations == Counter(t for *_, t in g.edges(keys=True))


def test_gexf_reads_back_in_networkx(published: tuple[GraphStore, Path]) -> None:
    store, out = published
    g = store.graph()
    read = nx.read_gexf(out / "kommunetz-graph.gexf")
    assert read.number_of_nodes() == g.number_of_nodes()
    assert read.number_of_edges() == g.number_of_edges()
    assert read.nodes["Network:net-offenes-netzwerk"]["label"] == "Offenes Netzwerk"
    assert read.nodes["Municipality:05358008"]["node_type"] == "Municipality"
    relations = Counter(d["relation"] for *_, d in read.edges(data=True))
    assert relations == Counter(t for *_, t in g.edges(keys=True))


def test_geojson_reads_back_with_shapely(published: tuple[GraphStore, Path]) -> None:
    store, out = published
    doc = json.loads((out / "kommunetz-kommunen.geojson").read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection"
    located = {
        nid
        for nid, d in store.graph().nodes(data=True)
        if d["type"] == "Municipality" and "lat" in d and "lon" in d
    }
    by_id = {f["id"]: f for f in doc["features"]}
    assert set(by_id) == located
    dueren = by_id["Municipality:05358008"]
    point = shape(dueren["geometry"])
    assert isinstance(point, Point) and point.is_valid
    assert (point.x, point.y) == (6.48, 50.8)  # RFC 7946: longitude first
    props = dueren["properties"]
    # the approved registration made Düren a member of the open network
    assert props["member"] is True
    assert props["networks"] == ["Modellkommune E-Government", "Offenes Netzwerk"]
    assert props["n_runs"] == 2
    assert props["state"] == "Nordrhein-Westfalen"
    assert by_id["Municipality:05358024"]["properties"]["member"] is False


def test_catalogue_reads_back_in_rdflib_as_turtle_and_json_ld(
    published: tuple[GraphStore, Path],
) -> None:
    _, out = published
    turtle = Graph().parse(out / CATALOG_TURTLE, format="turtle")
    jsonld = Graph().parse(out / CATALOG_JSONLD, format="json-ld")
    assert len(turtle) > 100
    # the same statements (Turtle writes a decimal 435360 as 435360.0: compare values)
    assert _statements(turtle) == _statements(jsonld)
    distributions = set(turtle.subjects(RDF.type, DCAT.Distribution))
    on_disk = files(out)
    described = {}
    for dist in distributions:
        url = str(turtle.value(dist, DCAT.downloadURL))
        assert url.startswith(BASE)
        name = url.removeprefix(BASE)
        described[name] = dist
        content = on_disk[name]
        size = turtle.value(dist, DCAT.byteSize)
        assert isinstance(size, Literal) and size.datatype == XSD.decimal
        assert size.toPython() == len(content)
        checksum = turtle.value(dist, SPDX.checksum)
        value = str(turtle.value(checksum, SPDX.checksumValue))
        assert value == hashlib.sha256(content).hexdigest()
        assert turtle.value(dist, DCTERMS.license) == LICENCE
        assert turtle.value(dist, DCTERMS.issued) == Literal("2025-06-30", datatype=XSD.date)
    # every data file is described; the two catalogue files are the metadata
    assert set(described) == set(on_disk) - {CATALOG_TURTLE, CATALOG_JSONLD}
    attribution = URIRef("http://dcat-ap.de/def/dcatde/licenseAttributionByText")
    text = str(turtle.value(described["kommunetz-kommunen.csv"], attribution))
    assert CURATED_ATTRIBUTION in text and "GV-ISys" in text, "Langerwehe cites Destatis"
    text = str(turtle.value(described["kommunetz-themen.csv"], attribution))
    assert text == CURATED_ATTRIBUTION, "topics hold no directory data"
    assert BKG_ATTRIBUTION not in (out / CATALOG_TURTLE).read_text(encoding="utf-8")
    contact = next(iter(turtle.objects(None, DCAT.contactPoint)))
    assert turtle.value(contact, RDF.type) == URIRef("http://www.w3.org/2006/vcard/ns#Organization")
    assert {str(o) for o in turtle.objects(contact, None)} >= {f"mailto:{MAILBOX}"}


def test_graph_json_ld_reads_back_in_rdflib(published: tuple[GraphStore, Path]) -> None:
    store, out = published
    g = store.graph()
    rdf = Graph().parse(out / "kommunetz-graph.jsonld", format="json-ld")
    vocab = BASE + "vocab#"
    typed = Counter(
        str(t).removeprefix(vocab) for t in rdf.objects(None, RDF.type) if str(t).startswith(vocab)
    )
    expected = Counter(d["type"] for _, d in g.nodes(data=True))
    expected["Relationship"] = g.number_of_edges()
    assert typed == expected
    dueren = URIRef(BASE + "id/Municipality/05358008")
    assert rdf.value(dueren, URIRef(vocab + "name")) == Literal("Düren")
    network = URIRef(BASE + "id/Network/net-offenes-netzwerk")
    assert (dueren, URIRef(vocab + "MEMBER_OF"), network) in rdf
    source = URIRef(BASE + "id/Source/src-test")
    assert (network, DCTERMS.source, source) in rdf


def test_every_csv_reads_back_with_csv_and_no_cell_is_a_formula(
    published: tuple[GraphStore, Path],
) -> None:
    store, out = published
    g = store.graph()
    per_label = Counter(d["type"] for _, d in g.nodes(data=True))
    seen_labels: Counter[str] = Counter()
    read_rels = 0
    for path in sorted(out.glob("*.csv")):
        raw = path.read_bytes()
        assert raw.startswith("\ufeff".encode()), f"{path.name}: UTF-8 with BOM for Excel"
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
        header, body = rows[0], rows[1:]
        assert all(len(r) == len(header) for r in body), path.name
        for r in body:
            for cell in r:
                assert isinstance(cell, str)
                if cell.startswith(FORMULA_START):
                    assert re.fullmatch(r"-\d+(\.\d+)?", cell), f"{path.name}: {cell!r}"
        if path.name == "kommunetz-beziehungen.csv":
            read_rels = len(body)
        else:
            assert header[:3] == ["id", "key", "name"]
            seen_labels.update(r[0].split(":", 1)[0] for r in body)
    assert seen_labels == per_label
    assert read_rels == g.number_of_edges()
    projects = (out / "kommunetz-projekte.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in projects, "a title that looks like a formula stays text"


def test_no_contact_data_in_any_published_file(published: tuple[GraphStore, Path]) -> None:
    store, out = published
    held = store_text(store)
    for value in PERSONAL:
        assert value in held, f"the store holds {value!r} (else this test proves nothing)"
    for name, content in files(out).items():
        for value in PERSONAL:
            assert value.encode() not in content, f"{value!r} in {name}"
        # no e-mail address at all but the publisher's function mailbox (in the metadata)
        addresses = set(re.findall(rb"[\w.+-]+@[\w-]+\.[\w.-]+", content))
        assert addresses <= {MAILBOX.encode()}, (name, addresses)


# -- the catalogue against the official shapes ------------------------------------------


def _report(cat: bytes, profile: Profile) -> tuple[bool, Counter[str], str]:
    if not SHACL_DIR.is_dir():
        pytest.skip(
            f"DCAT-AP.de 2.0 shapes not found at {SHACL_DIR} (only in the development "
            "checkout; set KOMMUNETZ_SHARED to use another copy)"
        )
    data = Graph().parse(data=cat, format="turtle")
    # what the shapes' owl:imports would bring, for the concepts kommunetz uses
    data.parse(VOCABULARIES, format="turtle")
    conforms, report, _ = validate(
        data,
        shacl_graph=shapes(SHACL_DIR, profile),
        inference="none",  # the shapes need no entailment: sh:class follows subClassOf
        do_owl_imports=False,  # nothing is fetched
        allow_warnings=False,
        meta_shacl=False,
    )
    severities = Counter(
        str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1]
        for r in report.subjects(RDF.type, SH.ValidationResult)
    )
    messages = "\n".join(
        sorted(
            {
                str(report.value(r, SH.resultMessage))
                for r in report.subjects(RDF.type, SH.ValidationResult)
            }
        )
    )
    return bool(conforms), severities, messages


def _curated_publication(publisher: Publisher) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        store = EmbeddedStore(Path(tmp) / "k.sqlite")
        store.write(read_curated(REPO / "data"))
        pub = publication(store.graph(), publisher, AS_OF)
        store.close()
    return next(f.content for f in pub.files if f.name == CATALOG_TURTLE)


@pytest.mark.reference_data
def test_catalogue_conforms_to_dcat_ap_de_with_conventions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    conforms, severities, messages = _report(_curated_publication(PUBLISHER), CONVENTIONS)
    with capsys.disabled():  # shown in the CI log
        print(
            f"\npyshacl DCAT-AP.de 2.0 ({CONVENTIONS.name}), curated data: Conforms: {conforms}, "
            f"violations {severities['Violation']}, warnings {severities['Warning']}, "
            f"infos {severities['Info']}"
        )
    assert conforms, messages
    assert severities["Violation"] == 0, messages
    assert severities["Warning"] == 0, messages


@pytest.mark.reference_data
def test_default_publisher_conforms_to_the_specification_and_misses_only_the_contributor_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    cat = _curated_publication(Publisher())
    conforms, severities, messages = _report(cat, SPECIFICATION)
    with capsys.disabled():
        print(
            f"\npyshacl DCAT-AP.de 2.0 ({SPECIFICATION.name}), default publisher: "
            f"Conforms: {conforms}, violations {severities['Violation']}"
        )
    assert conforms, messages
    # with the conventions, only Konvention 12 is missing: GovData's id for direct deliverers
    conforms, severities, messages = _report(cat, CONVENTIONS)
    assert not conforms
    assert severities["Violation"] == 2, messages  # one per data set
    expected = ("K12&13", "KXX: dcat:Dataset: dcat:landingPage")  # and the landing page
    assert all(m.startswith(expected) for m in messages.splitlines()), messages


@pytest.mark.reference_data
def test_the_shapes_catch_what_a_wrong_catalogue_does() -> None:
    """The validation is not a rubber stamp: a licence outside the list and a missing
    contact mailbox are violations."""
    cat = Graph().parse(data=_curated_publication(PUBLISHER), format="turtle")
    for dist in cat.subjects(RDF.type, DCAT.Distribution):
        cat.set((dist, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    vcard = "http://www.w3.org/2006/vcard/ns#"
    for p in (URIRef(vcard + "hasEmail"), URIRef(vcard + "hasURL")):
        cat.remove((None, p, None))
    conforms, _, messages = _report(cat.serialize(format="turtle").encode(), CONVENTIONS)
    assert not conforms
    assert "K31" in messages and "K01" in messages


# -- settings, the command and its output -----------------------------------------------


def test_publisher_settings_are_checked_and_normalised() -> None:
    p = Publisher.from_mapping(
        {
            "KOMMUNETZ_PUBLISH_URL": "https://daten.example.de/k",
            "KOMMUNETZ_PUBLISHER_CONTRIBUTOR_ID": "http://dcat-ap.de/def/contributors/openNRW",
            "KOMMUNETZ_PUBLISHER_EMAIL": "mailto:opendata@example.de",
        }
    )
    assert (p.base, p.contributor_id, p.email) == (
        "https://daten.example.de/k/",
        "openNRW",
        "opendata@example.de",
    )
    assert p.located and len(p.notices()) == 0
    assert not Publisher().located and len(Publisher().notices()) == 3
    with pytest.raises(InvalidInput, match="KOMMUNETZ_PUBLISHER_EMAIL ist keine E-Mail-Adresse"):
        Publisher.from_mapping({"KOMMUNETZ_PUBLISHER_EMAIL": "Erika Mustermann"})
    with pytest.raises(InvalidInput, match="KOMMUNETZ_PUBLISH_URL ist keine Web-Adresse"):
        Publisher.from_mapping({"KOMMUNETZ_PUBLISH_URL": "daten/"})


def test_the_same_data_publishes_the_same_bytes(store: GraphStore) -> None:
    fill(store)
    first = publication(store.graph(), PUBLISHER, AS_OF)
    again = publication(store.graph(), PUBLISHER, AS_OF)
    assert [(f.name, f.sha256) for f in first.files] == [(f.name, f.sha256) for f in again.files]


def test_publish_command_writes_and_lists_every_file(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from kommunetz.cli import main

    point_env_at(request, "embedded", tmp_path, monkeypatch)
    s = EmbeddedStore(tmp_path / "kommunetz.sqlite")
    fill(s)
    s.close()
    for name, value in PUBLISHER_SETTINGS.items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "od"
    assert main(["publish", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Hinweis" not in printed, "a fully configured publisher gets no notice"
    lines = printed.splitlines()
    assert lines[0].startswith(f"Geschrieben nach {out} (Stand ")
    listed = {line.split()[0]: line for line in lines[1:]}
    assert set(listed) == {p.name for p in out.iterdir()}
    jsonld = listed["kommunetz-graph.jsonld"]
    size = (out / "kommunetz-graph.jsonld").stat().st_size
    assert f"{size:,}".replace(",", ".") + " Bytes" in jsonld and "JSON-LD" in jsonld
    assert re.search(r"SHA-256 [0-9a-f]{64}$", jsonld)
    with capsys.disabled():  # a sample of the output, in the CI log
        print("\n" + "\n".join(lines[:3]))

    monkeypatch.setenv("KOMMUNETZ_PUBLISHER_EMAIL", "keine Adresse")
    assert main(["publish", str(out)]) == 2
    assert capsys.readouterr().err.startswith("Fehler: KOMMUNETZ_PUBLISHER_EMAIL")


def test_edition_attribution_is_named_by_the_edition(published: tuple[GraphStore, Path]) -> None:
    _, out = published
    text = (out / CATALOG_TURTLE).read_text(encoding="utf-8")
    assert "Gebietsstand 31.12.2024" in text
    assert EDITION not in text
