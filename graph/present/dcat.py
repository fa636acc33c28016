"""The open-data catalogue: the public graph's distributions described in DCAT-AP.de 2.0
(``catalog.ttl`` and ``catalog.jsonld``), as GovData and other portals harvest it.

A pure function of what was published (the files, with their sizes and checksums), the
public graph they came from (its Länder, dates and topics give the spatial and temporal
coverage and the keywords; its Destatis sources the attribution), the publisher's settings
and the as-of date. Nothing here reads a store or the environment: the settings are read
at the edge (`kommunetz publish`, the "Offene Daten" page) and passed in as a `Publisher`.

Vocabularies, as the profile "Spezifikation + Konventionen" requires them:

* licence from ``http://dcat-ap.de/def/licenses/`` with ``dcatde:licenseAttributionByText``
  (Konventionen 31, 35); the curated data and the Destatis directory are both
  dl-de/by-2-0 (`LICENCE`), so every file carries that one licence and the attributions
  of what it contains;
* themes from the EU data-theme vocabulary (``GOVE``, ``REGI``), formats from the EU
  file-type vocabulary (K32), media types as IANA addresses;
* spatial coverage by political geocoding: level ``federal`` and the ``stateKey`` of every
  Land in the graph (K08, K09), mirrored in ``dct:spatial`` as the EU country ``DEU`` (K11);
* checksums as ``spdx:Checksum`` with SHA-256 from ``http://dcat-ap.de/def/hashAlgorithms/``;
* the contact point is a ``vcard:Organization`` — a function mailbox of the publisher,
  never a person (K01: an e-mail address or a web address);
* ``dcatde:contributorID`` only when the publisher has one: GovData assigns it to those
  who deliver directly (K12, K13); a Land portal that harvests the catalogue adds its own.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Final

import networkx as nx
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from graph.core.errors import InvalidInput
from graph.core.model import PARTIAL_DATE, WEB_ADDRESS

DCATDE: Final = Namespace("http://dcat-ap.de/def/dcatde/")
SPDX: Final = Namespace("http://spdx.org/rdf/terms#")
VCARD: Final = Namespace("http://www.w3.org/2006/vcard/ns#")

EU: Final[str] = "http://publications.europa.eu/resource/authority/"
THEMES: Final[tuple[URIRef, ...]] = (URIRef(EU + "data-theme/GOVE"), URIRef(EU + "data-theme/REGI"))
THEME_TAXONOMY: Final = URIRef(EU + "data-theme")
GERMAN: Final = URIRef(EU + "language/DEU")
GERMANY: Final = URIRef(EU + "country/DEU")
GEOCODING: Final[str] = "http://dcat-ap.de/def/politicalGeocoding/"
FEDERAL: Final = URIRef(GEOCODING + "Level/federal")
SHA256: Final = URIRef("http://dcat-ap.de/def/hashAlgorithms/sha/256")
CONTRIBUTORS: Final[str] = "http://dcat-ap.de/def/contributors/"
IANA: Final[str] = "https://www.iana.org/assignments/media-types/"

#: The one licence of every file: the curated data (see data/README.md) and the Destatis
#: directory are both under the Datenlizenz Deutschland – Namensnennung – Version 2.0.
LICENCE: Final = URIRef("http://dcat-ap.de/def/licenses/dl-by-de/2.0")
LICENCE_NAME: Final[str] = "Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0)"
LICENCE_TEXT_URL: Final[str] = "https://www.govdata.de/dl-de/by-2-0"

#: What a reuser must name for the curated data (data/*.yaml and what coordinators load).
CURATED_ATTRIBUTION: Final[str] = (
    "kommunetz – Wissensgraph des kommunalen E-Government-Netzwerks, kuratierte Daten aus "
    "öffentlichen Quellen (Quelle je Eintrag)"
)
#: What a reuser must name for the boundary data once a distribution holds it (the map's
#: BKG VG5000 shapes, data/geo/README.md); no distribution does yet.
BKG_ATTRIBUTION: Final[str] = "© GeoBasis-DE / BKG 2021 (Daten verändert)"

#: The settings a publication reads (environment or .streamlit/secrets.toml), see README.
SETTING_NAMES: Final[tuple[str, ...]] = (
    "KOMMUNETZ_PUBLISH_URL",
    "KOMMUNETZ_PUBLISHER_NAME",
    "KOMMUNETZ_PUBLISHER_URL",
    "KOMMUNETZ_PUBLISHER_EMAIL",
    "KOMMUNETZ_PUBLISHER_CONTRIBUTOR_ID",
)
DEFAULT_PUBLISHER_NAME: Final[str] = "Koordination des Netzwerks kommunales E-Government"
#: Where the files are said to be while no address is set: a name, not a place.
DEFAULT_BASE: Final[str] = "urn:kommunetz:offene-daten:"
_CONTRIBUTOR = r"[A-Za-z][A-Za-z0-9]*"
_MAILBOX = r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+"


@dataclass(frozen=True)
class Publisher:
    """Who publishes the catalogue and where its files will be: the publisher (an
    organisation), its function mailbox, its web site, its GovData contributor id, and the
    address under which the published folder is served (``base``, ending in ``/``)."""

    name: str = DEFAULT_PUBLISHER_NAME
    base: str = DEFAULT_BASE
    homepage: str | None = None
    email: str | None = None
    contributor_id: str | None = None

    @classmethod
    def from_mapping(cls, settings: Mapping[str, str]) -> Publisher:
        """The publisher of the ``KOMMUNETZ_PUBLISH*`` settings; German `InvalidInput` for a
        value that cannot be right (an address that is no web address, a mailbox that is
        no e-mail address, a contributor id that is no GovData id)."""
        base = (settings.get("KOMMUNETZ_PUBLISH_URL") or "").strip()
        homepage = (settings.get("KOMMUNETZ_PUBLISHER_URL") or "").strip() or None
        email = (settings.get("KOMMUNETZ_PUBLISHER_EMAIL") or "").strip().removeprefix("mailto:")
        contributor = (settings.get("KOMMUNETZ_PUBLISHER_CONTRIBUTOR_ID") or "").strip()
        contributor = contributor.removeprefix(CONTRIBUTORS)
        for name, value in (("KOMMUNETZ_PUBLISH_URL", base), ("KOMMUNETZ_PUBLISHER_URL", homepage)):
            if value and not WEB_ADDRESS.match(value):
                raise InvalidInput(f"{name} ist keine Web-Adresse (http:// oder https://): {value}")
        if email and not _full_match(_MAILBOX, email):
            raise InvalidInput(f"KOMMUNETZ_PUBLISHER_EMAIL ist keine E-Mail-Adresse: {email}")
        if contributor and not _full_match(_CONTRIBUTOR, contributor):
            raise InvalidInput(
                "KOMMUNETZ_PUBLISHER_CONTRIBUTOR_ID ist keine Datenbereitsteller-ID von "
                f"GovData (z. B. „openNRW“ oder {CONTRIBUTORS}openNRW): {contributor}"
            )
        return cls(
            name=(settings.get("KOMMUNETZ_PUBLISHER_NAME") or "").strip() or DEFAULT_PUBLISHER_NAME,
            base=(base.rstrip("/") + "/") if base else DEFAULT_BASE,
            homepage=homepage,
            email=email or None,
            contributor_id=contributor or None,
        )

    @property
    def located(self) -> bool:
        """Whether the files have a web address (``KOMMUNETZ_PUBLISH_URL``)."""
        return self.base != DEFAULT_BASE

    def notices(self) -> list[str]:
        """What a publisher should still set, in German (empty when nothing is missing)."""
        out = []
        if not self.located:
            out.append(
                "KOMMUNETZ_PUBLISH_URL ist nicht gesetzt: Die Metadaten nennen die Dateien "
                f"nur beim Namen ({DEFAULT_BASE}…), nicht mit ihrer Adresse im Netz."
            )
        if not self.email:
            out.append(
                "KOMMUNETZ_PUBLISHER_EMAIL ist nicht gesetzt: Der Kontakt nennt nur eine "
                "Web-Adresse. Bitte ein Funktionspostfach eintragen (keine persönliche Adresse)."
            )
        if not self.contributor_id:
            out.append(
                "KOMMUNETZ_PUBLISHER_CONTRIBUTOR_ID ist nicht gesetzt: Wer direkt an GovData "
                "liefert, braucht die Datenbereitsteller-ID (Konvention 12); wer über ein "
                "Landesportal liefert, lässt sie weg."
            )
        return out


def _full_match(pattern: str, text: str) -> bool:
    return re.fullmatch(pattern, text) is not None


@dataclass(frozen=True)
class FileKind:
    """A file format as the catalogue names it: the EU file type, the IANA media type,
    the specification the file follows, and how a person calls it."""

    file_type: str
    media_type: str
    conforms_to: str | None
    label: str

    @property
    def format_uri(self) -> URIRef:
        return URIRef(f"{EU}file-type/{self.file_type}")

    @property
    def media_type_uri(self) -> URIRef:
        return URIRef(IANA + self.media_type)


CSV_FILE: Final = FileKind("CSV", "text/csv", "https://www.rfc-editor.org/rfc/rfc4180", "CSV")
JSON_LD_FILE: Final = FileKind(
    "JSON_LD", "application/ld+json", "https://www.w3.org/TR/json-ld11/", "JSON-LD"
)
# GraphML and GEXF have neither an EU file type nor an IANA media type of their own: both
# are XML, told apart by the specification they conform to.
GRAPHML_FILE: Final = FileKind(
    "XML", "application/xml", "http://graphml.graphdrawing.org/xmlns", "GraphML (XML)"
)
GEXF_FILE: Final = FileKind("XML", "application/xml", "http://gexf.net/1.2", "GEXF (XML)")
GEOJSON_FILE: Final = FileKind(
    "GEOJSON", "application/geo+json", "https://www.rfc-editor.org/rfc/rfc7946", "GeoJSON"
)
TURTLE_FILE: Final = FileKind(
    "RDF_TURTLE", "text/turtle", "https://www.w3.org/TR/turtle/", "RDF (Turtle)"
)


@dataclass(frozen=True)
class Dataset:
    """A data set of the catalogue: its id (part of its address), title, description and
    keywords of its own (the graph's topics are added)."""

    id: str
    title: str
    description: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class DataFile:
    """One published file: its name in the folder, its bytes, what it is and what a
    reuser must name (``attributions``)."""

    name: str
    content: bytes = field(repr=False)
    kind: FileKind
    dataset: str
    title: str
    description: str
    attributions: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def attribution(self) -> str:
        """The ``dcatde:licenseAttributionByText``: every attribution, in one line."""
        return "; ".join(self.attributions)


def destatis_attributions(g: nx.MultiDiGraph) -> tuple[str, ...]:
    """The attribution the Destatis licence asks for, one per loaded directory edition
    (its Source nodes), as the sources page words it."""
    out = []
    for _, d in sorted(g.nodes(data=True)):
        if d.get("type") == "Source" and str(d.get("key", "")).startswith("destatis-gv-"):
            out.append(
                f"Datenquelle: {d.get('publisher', 'Statistisches Bundesamt (Destatis)')}, "
                f"Gemeindeverzeichnis-Informationssystem GV-ISys ({d.get('title', d['key'])}), "
                "dl-de/by-2-0 – Daten umstrukturiert"
            )
    return tuple(out)


def state_codes(g: nx.MultiDiGraph) -> list[str]:
    """The codes of the Länder in the graph (its political coverage)."""
    return sorted(str(d["key"]) for _, d in g.nodes(data=True) if d.get("type") == "State")


def date_range(g: nx.MultiDiGraph) -> tuple[str | None, str | None]:
    """The earliest and the latest date any public node or relationship states (``2014``,
    ``2014-09`` or ``2014-09-22``), or None."""
    found: list[str] = []

    def scan(attrs: Mapping[str, object]) -> None:
        for key, value in attrs.items():
            if key in ("key", "name", "title") or not isinstance(value, str):
                continue
            if PARTIAL_DATE.match(value):
                found.append(value)

    for _, d in g.nodes(data=True):
        scan(d)
    for _, _, d in g.edges(data=True):
        scan(d)
    if not found:
        return None, None
    # "2014" < "2014-09" < "2014-09-22" sort as the dates they begin
    return min(found), max(found)


def topic_keywords(g: nx.MultiDiGraph) -> list[str]:
    """The names of the graph's topics, sorted."""
    return sorted({str(d["name"]) for _, d in g.nodes(data=True) if d.get("type") == "Topic"})


def _date(value: str | date) -> Literal:
    """A date literal typed as precisely as it is known: xsd:gYear, gYearMonth or date."""
    if isinstance(value, date):
        return Literal(value.isoformat(), datatype=XSD.date)
    m = PARTIAL_DATE.match(value)
    if m is None:
        raise ValueError(value)
    if m.group(3):
        return Literal(value, datatype=XSD.date)
    if m.group(2):
        return Literal(value, datatype=XSD.gYearMonth)
    return Literal(value, datatype=XSD.gYear)


def catalogue(
    g: nx.MultiDiGraph,
    datasets: Sequence[Dataset],
    files: Sequence[DataFile],
    publisher: Publisher,
    as_of: date,
) -> Graph:
    """The DCAT-AP.de catalogue of ``files`` (grouped into ``datasets``) published from the
    public graph ``g`` by ``publisher``, as of ``as_of``."""
    base = publisher.base
    cat = Graph()
    for prefix, ns in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("dcatde", DCATDE),
        ("foaf", FOAF),
        ("spdx", SPDX),
        ("vcard", VCARD),
    ):
        cat.bind(prefix, ns)
    catalog = URIRef(base + "#catalog")
    agent = URIRef(base + "#publisher")
    contact = URIRef(base + "#contact")
    today = _date(as_of)
    home = URIRef(publisher.homepage) if publisher.homepage else None
    where = URIRef(base) if publisher.located else home

    cat.add((agent, RDF.type, FOAF.Organization))
    cat.add((agent, FOAF.name, Literal(publisher.name, lang="de")))
    if home is not None:
        cat.add((agent, FOAF.homepage, home))

    # the contact point: the publisher's function mailbox (an organisation, not a person)
    cat.add((contact, RDF.type, VCARD.Organization))
    cat.add((contact, VCARD.fn, Literal(publisher.name, lang="de")))
    if publisher.email:
        cat.add((contact, VCARD.hasEmail, URIRef("mailto:" + publisher.email)))
    if home is not None or publisher.located or not publisher.email:
        cat.add((contact, VCARD.hasURL, home or URIRef(base)))

    cat.add((catalog, RDF.type, DCAT.Catalog))
    cat.add((catalog, DCTERMS.title, Literal("kommunetz – Offene Daten", lang="de")))
    cat.add(
        (
            catalog,
            DCTERMS.description,
            Literal(
                "Der öffentliche Teil des Wissensgraphen des kommunalen "
                "E-Government-Netzwerks als offene Daten: Kommunen, Organisationen, "
                "Netzwerke und Programme, Projekte, Kooperationen, Veranstaltungen, "
                "Berichte, Erkenntnisse, Themen und Quellen – ohne Kontaktdaten.",
                lang="de",
            ),
        )
    )
    cat.add((catalog, DCTERMS.publisher, agent))
    cat.add((catalog, DCTERMS.language, GERMAN))
    cat.add((catalog, DCTERMS.issued, today))
    cat.add((catalog, DCTERMS.modified, today))
    cat.add((catalog, DCAT.themeTaxonomy, THEME_TAXONOMY))
    cat.add((catalog, DCTERMS.spatial, GERMANY))
    if where is not None:
        cat.add((catalog, FOAF.homepage, where))

    start, _ = date_range(g)
    states = state_codes(g)
    topics = topic_keywords(g)
    for ds in datasets:
        node = URIRef(f"{base}#{ds.id}")
        cat.add((catalog, DCAT.dataset, node))
        cat.add((node, RDF.type, DCAT.Dataset))
        cat.add((node, DCTERMS.title, Literal(ds.title, lang="de")))
        cat.add((node, DCTERMS.description, Literal(ds.description, lang="de")))
        cat.add((node, DCTERMS.identifier, Literal(f"{base}#{ds.id}")))
        cat.add((node, DCTERMS.publisher, agent))
        cat.add((node, DCAT.contactPoint, contact))
        cat.add((node, DCTERMS.issued, today))
        cat.add((node, DCTERMS.modified, today))
        cat.add((node, DCTERMS.language, GERMAN))
        for theme in THEMES:
            cat.add((node, DCAT.theme, theme))
        for word in (*ds.keywords, *topics):
            cat.add((node, DCAT.keyword, Literal(word, lang="de")))
        if where is not None:
            cat.add((node, DCAT.landingPage, where))
        cat.add((node, DCTERMS.spatial, GERMANY))
        cat.add((node, DCATDE.politicalGeocodingLevelURI, FEDERAL))
        for code in states:
            cat.add((node, DCATDE.politicalGeocodingURI, URIRef(f"{GEOCODING}stateKey/{code}")))
        cat.add((node, DCATDE.geocodingDescription, Literal("Deutschland", lang="de")))
        period = URIRef(f"{base}#{ds.id}-zeitraum")  # named: the same data, the same bytes
        cat.add((node, DCTERMS.temporal, period))
        cat.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if start is not None:
            cat.add((period, DCAT.startDate, _date(start)))
        cat.add((period, DCAT.endDate, today))
        if publisher.contributor_id:
            cat.add((node, DCATDE.contributorID, URIRef(CONTRIBUTORS + publisher.contributor_id)))

    for f in files:
        _describe(cat, f, base, today)
    return cat


def _describe(cat: Graph, f: DataFile, base: str, today: Literal) -> None:
    dist = URIRef(f"{base}#{f.name}")
    address = URIRef(base + f.name)
    cat.add((URIRef(f"{base}#{f.dataset}"), DCAT.distribution, dist))
    cat.add((dist, RDF.type, DCAT.Distribution))
    cat.add((dist, DCTERMS.title, Literal(f.title, lang="de")))
    cat.add((dist, DCTERMS.description, Literal(f.description, lang="de")))
    cat.add((dist, DCAT.accessURL, address))
    cat.add((dist, DCAT.downloadURL, address))
    cat.add((dist, DCTERMS.format, f.kind.format_uri))
    cat.add((dist, DCAT.mediaType, f.kind.media_type_uri))
    if f.kind.conforms_to:
        cat.add((dist, DCTERMS.conformsTo, URIRef(f.kind.conforms_to)))
    cat.add((dist, DCAT.byteSize, Literal(str(f.size), datatype=XSD.decimal)))
    checksum = URIRef(f"{base}#{f.name}-pruefsumme")
    cat.add((dist, SPDX.checksum, checksum))
    cat.add((checksum, RDF.type, SPDX.Checksum))
    cat.add((checksum, SPDX.algorithm, SHA256))
    cat.add((checksum, SPDX.checksumValue, Literal(f.sha256, datatype=XSD.hexBinary)))
    cat.add((dist, DCTERMS.license, LICENCE))
    cat.add((dist, DCATDE.licenseAttributionByText, Literal(f.attribution, lang="de")))
    cat.add((dist, DCTERMS.issued, today))
    cat.add((dist, DCTERMS.modified, today))
    cat.add((dist, DCTERMS.language, GERMAN))


def serialise(cat: Graph) -> tuple[bytes, bytes]:
    """The catalogue as Turtle and as JSON-LD (UTF-8)."""
    turtle = cat.serialize(format="turtle", encoding="utf-8")
    jsonld = cat.serialize(format="json-ld", encoding="utf-8", indent=1, auto_compact=True)
    return bytes(turtle), bytes(jsonld)


def concepts(cat: Graph) -> Iterable[URIRef]:
    """Every concept of a controlled vocabulary the catalogue uses (licence, themes,
    formats, language, geocoding, hash algorithm, contributor)."""
    props = (
        DCTERMS.license,
        DCAT.theme,
        DCTERMS.format,
        DCTERMS.language,
        DCATDE.politicalGeocodingLevelURI,
        DCATDE.politicalGeocodingURI,
        SPDX.algorithm,
        DCATDE.contributorID,
    )
    seen = set()
    for p in props:
        for o in cat.objects(None, p):
            if isinstance(o, URIRef) and o not in seen:
                seen.add(o)
                yield o
