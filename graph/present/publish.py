"""Publish the public graph as open data: the files other tools read, and their
catalogue (`graph.present.dcat`).

* one CSV per node label (``kommunetz-kommunen.csv``, …) and one of all relationships
  (``kommunetz-beziehungen.csv``), written by the one CSV writer (`graph.present.csv`:
  no cell can run as a formula);
* the whole graph as JSON-LD (RDF), GraphML (yEd, igraph, Cytoscape) and GEXF (Gephi);
* the municipalities with coordinates as GeoJSON points (QGIS, web maps), each with its
  network attributes: member or not, its networks, how many relationships of each kind;
* ``catalog.ttl`` and ``catalog.jsonld``: DCAT-AP.de 2.0 metadata of all of them.

Everything is a pure function of the public graph (`GraphStore.graph`: registrations and
contacts are never part of it), the `Publisher` and the as-of date. The labels and
relationship types come from `graph.core.model`, so a new label gets its own CSV and
its place in every file without a change here.

``as_of`` is the date the publication speaks for. Today it is the day of publishing and
the graph is taken whole; once facts carry validity dates, the graph handed in is the one
valid on ``as_of`` and the catalogue already states that date (issued, modified, the end
of the temporal coverage).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

import networkx as nx

from graph.core import validity
from graph.core.errors import KommunetzError
from graph.core.membership import member_networks
from graph.core.model import (
    ADMINISTRATIVE_RELS,
    NODE_TYPES,
    PRIVATE_RELS,
    PUBLIC_LABELS,
    REL_TYPES,
    SOURCES_PROP,
    STATES,
    split_node_id,
)
from graph.present.csv import to_csv
from graph.present.dcat import (
    CSV_FILE,
    CURATED_ATTRIBUTION,
    GEOJSON_FILE,
    GEXF_FILE,
    GRAPHML_FILE,
    JSON_LD_FILE,
    TURTLE_FILE,
    DataFile,
    Dataset,
    FileKind,
    Publisher,
    catalogue,
    destatis_attributions,
    serialise,
)
from graph.present.export import export_bytes

PREFIX: Final[str] = "kommunetz"
CATALOG_TURTLE: Final[str] = "catalog.ttl"
CATALOG_JSONLD: Final[str] = "catalog.jsonld"

GRAPH_DATASET: Final = Dataset(
    "dataset-netzwerk",
    "Wissensgraph des kommunalen E-Government-Netzwerks",
    "Wer im Netzwerk des kommunalen E-Government ist, wer an welchen Themen arbeitet, wer "
    "mit wem kooperiert und wo: Kommunen, Länder, Organisationen, Netzwerke und Programme, "
    "Projekte, Veranstaltungen, Berichte, Kooperationen, Erkenntnisse, Themen und die "
    "Quellen jeder Angabe, mit ihren Beziehungen. Ausgehend vom Pilotvorhaben "
    "„Modellkommune E-Government“ (2014–2016) und dem offenen Netzwerk danach. "
    "Ohne Kontaktdaten und ohne Anmeldungen.",
    ("E-Government", "Kommunen", "interkommunale Zusammenarbeit", "Netzwerk", "Wissensgraph"),
)
PLACES_DATASET: Final = Dataset(
    "dataset-kommunen-karte",
    "Kommunen des E-Government-Netzwerks als Geodaten",
    "Jede Kommune mit Koordinaten als Punkt (WGS 84), mit ihren Angaben aus dem "
    "Gemeindeverzeichnis und ihren Netzwerk-Merkmalen: Mitglied oder nicht, in welchen "
    "Netzwerken, wie viele Projekte, Kooperationen, Veranstaltungen und weitere "
    "Beziehungen.",
    ("E-Government", "Kommunen", "Geodaten", "Gemeinden", "Netzwerk"),
)
DATASETS: Final[tuple[Dataset, ...]] = (GRAPH_DATASET, PLACES_DATASET)

#: The relationship types a municipality's point counts: what it does in the network (not
#: where it lies administratively).
COUNTED_RELS: Final[tuple[str, ...]] = tuple(
    t
    for t, r in REL_TYPES.items()
    if t not in ADMINISTRATIVE_RELS
    and t not in PRIVATE_RELS
    and "Municipality" in r.starts | r.ends
)

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def slug(text: str) -> str:
    """``Länder`` → ``laender``: a file-name part from a German word."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower().translate(_UMLAUTS)).strip("-")


def _cell(value: Any) -> Any:
    """A value as one CSV cell: lists joined with "; ", truth values as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "; ".join(str(_cell(v)) for v in value)
    return value


def _props(attrs: Mapping[str, Any], skip: Iterable[str]) -> dict[str, Any]:
    drop = set(skip)
    return {k: v for k, v in attrs.items() if k not in drop and v is not None}


def labels_in(g: nx.MultiDiGraph) -> list[str]:
    """The public labels that have nodes in ``g``, in the model's order."""
    present = {d["type"] for _, d in g.nodes(data=True)}
    return [label for label in NODE_TYPES if label in PUBLIC_LABELS and label in present]


def node_rows(g: nx.MultiDiGraph, label: str) -> tuple[list[str], list[dict[str, Any]]]:
    """The columns and rows of the CSV of ``label``: ``id``, ``key``, ``name``, then every
    property any of its nodes has (sorted), one row per node (by key)."""
    rows = []
    for nid, d in sorted(g.nodes(data=True)):
        if d["type"] != label:
            continue
        rows.append(
            {"id": nid, "key": d["key"], "name": d["name"]}
            | {k: _cell(v) for k, v in _props(d, ("type", "key", "name")).items()}
        )
    extra = sorted({k for row in rows for k in row} - {"id", "key", "name"})
    return ["id", "key", "name", *extra], rows


def relationship_rows(g: nx.MultiDiGraph) -> tuple[list[str], list[dict[str, Any]]]:
    """The columns and rows of the relationships' CSV: type, both ends (id, label, name),
    then every property any relationship has (sorted)."""
    rows = []
    for a, b, rtype, d in sorted(g.edges(keys=True, data=True), key=lambda e: (e[2], e[0], e[1])):
        rows.append(
            {
                "type": rtype,
                "from_id": a,
                "from_type": g.nodes[a]["type"],
                "from_name": g.nodes[a]["name"],
                "to_id": b,
                "to_type": g.nodes[b]["type"],
                "to_name": g.nodes[b]["name"],
            }
            | {k: _cell(v) for k, v in _props(d, ("type",)).items()}
        )
    fixed = ["type", "from_id", "from_type", "from_name", "to_id", "to_type", "to_name"]
    extra = sorted({k for row in rows for k in row} - set(fixed))
    return [*fixed, *extra], rows


def node_iri(base: str, nid: str) -> str:
    """The IRI of a node in the JSON-LD: ``<base>id/<Label>/<key>``."""
    label, key = split_node_id(nid)
    return f"{base}id/{label}/{quote(key, safe='')}"


def graph_jsonld(g: nx.MultiDiGraph, base: str) -> bytes:
    """The graph as JSON-LD: every node a resource typed by its label, with its
    properties, its sources (``dct:source``) and one property per relationship type
    pointing at the other end; every relationship also a ``Relationship`` resource with
    ``relation``, ``from``, ``to`` and its own properties (role, since, sources, …)."""
    vocab = base + "vocab#"
    context: dict[str, Any] = {
        "@vocab": vocab,
        "dct": "http://purl.org/dc/terms/",
        SOURCES_PROP: {"@id": "dct:source", "@type": "@id"},
        "from": {"@type": "@id"},
        "to": {"@type": "@id"},
    }
    context.update({rtype: {"@type": "@id"} for rtype in REL_TYPES})
    items: list[dict[str, Any]] = []
    by_node: dict[str, dict[str, Any]] = {}
    for nid, d in sorted(g.nodes(data=True)):
        item: dict[str, Any] = {"@id": node_iri(base, nid), "@type": d["type"]}
        for k, v in _props(d, ("type",)).items():
            item[k] = _sources(base, v) if k == SOURCES_PROP else v
        by_node[nid] = item
        items.append(item)
    for a, b, rtype, d in sorted(g.edges(keys=True, data=True), key=lambda e: (e[2], e[0], e[1])):
        by_node[a].setdefault(rtype, []).append(node_iri(base, b))
        rel: dict[str, Any] = {
            "@id": f"{node_iri(base, a)}/{rtype}/{split_node_id(b)[0]}/"
            f"{quote(split_node_id(b)[1], safe='')}",
            "@type": "Relationship",
            "relation": rtype,
            "from": node_iri(base, a),
            "to": node_iri(base, b),
        }
        for k, v in _props(d, ("type",)).items():
            rel[k] = _sources(base, v) if k == SOURCES_PROP else v
        items.append(rel)
    doc = {"@context": context, "@graph": items}
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def _sources(base: str, value: Any) -> list[str]:
    ids = value if isinstance(value, list | tuple) else [value]
    return [node_iri(base, f"Source:{sid}") for sid in ids]


def municipalities_geojson(g: nx.MultiDiGraph) -> bytes:
    """The municipalities with coordinates as GeoJSON points (RFC 7946: WGS 84,
    longitude first), each with its directory facts and network attributes: ``member``
    (by the one membership rule), ``networks`` (their names), and ``n_<type>`` — how
    many relationships of each non-administrative type it has."""
    networks = member_networks(g)
    features = []
    for nid, d in sorted(g.nodes(data=True)):
        if d["type"] != "Municipality":
            continue
        lat, lon = d.get("lat"), d.get("lon")
        if not isinstance(lat, int | float) or not isinstance(lon, int | float):
            continue
        counts: Counter[str] = Counter()
        for _, _, rtype in g.out_edges(nid, keys=True):
            counts[rtype] += 1
        for _, _, rtype in g.in_edges(nid, keys=True):
            counts[rtype] += 1
        props: dict[str, Any] = {
            "id": nid,
            "ags": d["key"],
            "name": d["name"],
            "kind": d.get("kind"),
            "level": d.get("level"),
            "state": STATES[d["key"][:2]][0] if d["key"][:2] in STATES else None,
            "population": d.get("population"),
            "population_date": d.get("population_date"),
            "member": nid in networks,
            "networks": [g.nodes[n]["name"] for n in networks.get(nid, ())],
        }
        for rtype in COUNTED_RELS:
            props[f"n_{rtype.lower()}"] = counts.get(rtype, 0)
        features.append(
            {
                "type": "Feature",
                "id": nid,
                "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
                "properties": props,
            }
        )
    doc = {"type": "FeatureCollection", "features": features}
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def _cited(g: nx.MultiDiGraph, items: Iterable[Mapping[str, Any]]) -> set[str]:
    out: set[str] = set()
    for d in items:
        value = d.get(SOURCES_PROP) or ()
        out.update(value if isinstance(value, list | tuple) else [value])
    return out


def _attributions(g: nx.MultiDiGraph, cited: set[str]) -> tuple[str, ...]:
    """The curated data's attribution, and Destatis' for every edition whose data the
    file holds (a node or relationship in it cites that edition)."""
    editions = nx.subgraph_view(
        g, filter_node=lambda n: n.startswith("Source:") and n.split(":", 1)[1] in cited
    )
    return (CURATED_ATTRIBUTION, *destatis_attributions(editions))


def distributions(g: nx.MultiDiGraph, base: str) -> list[DataFile]:
    """Every data file of a publication of ``g`` (not the catalogue)."""
    files = []
    all_cited = _cited(
        g, [*(d for _, d in g.nodes(data=True)), *(d for *_, d in g.edges(data=True))]
    )
    everything = _attributions(g, all_cited)

    def add(
        name: str,
        content: bytes,
        kind: FileKind,
        dataset: Dataset,
        title: str,
        description: str,
        attributions: tuple[str, ...],
    ) -> None:
        files.append(DataFile(name, content, kind, dataset.id, title, description, attributions))

    add(
        f"{PREFIX}-graph.jsonld",
        graph_jsonld(g, base),
        JSON_LD_FILE,
        GRAPH_DATASET,
        "Wissensgraph als JSON-LD (RDF)",
        "Alle Knoten mit ihren Eigenschaften und Quellen, alle Beziehungen (auch als eigene "
        "Ressourcen mit Rolle, Datum und Quellen), lesbar mit jedem RDF-Werkzeug.",
        everything,
    )
    add(
        f"{PREFIX}-graph.graphml",
        export_bytes(g, "graphml"),
        GRAPHML_FILE,
        GRAPH_DATASET,
        "Wissensgraph als GraphML",
        "Der ganze Graph für yEd, igraph, Cytoscape und networkx: Knotentyp in node_type, "
        "Beziehungstyp in relation, Listen durch „; “ getrennt.",
        everything,
    )
    add(
        f"{PREFIX}-graph.gexf",
        export_bytes(g, "gexf"),
        GEXF_FILE,
        GRAPH_DATASET,
        "Wissensgraph als GEXF",
        "Der ganze Graph für Gephi: Knotentyp in node_type, Beziehungstyp in relation.",
        everything,
    )
    for label in labels_in(g):
        columns, rows = node_rows(g, label)
        plural = NODE_TYPES[label].plural
        nodes = [d for _, d in g.nodes(data=True) if d["type"] == label]
        add(
            f"{PREFIX}-{slug(plural)}.csv",
            to_csv(rows, columns),
            CSV_FILE,
            GRAPH_DATASET,
            f"Tabelle: {plural}",
            f"Eine Zeile je Knoten vom Typ {NODE_TYPES[label].singular} ({label}), eine "
            "Spalte je Eigenschaft; Semikolon als Trennzeichen, UTF-8.",
            _attributions(g, _cited(g, nodes)),
        )
    columns, rows = relationship_rows(g)
    add(
        f"{PREFIX}-beziehungen.csv",
        to_csv(rows, columns),
        CSV_FILE,
        GRAPH_DATASET,
        "Tabelle: Beziehungen",
        "Eine Zeile je Beziehung: Typ, beide Enden (id, Typ, Name), Rolle, Datum, Quellen; "
        "Semikolon als Trennzeichen, UTF-8.",
        _attributions(g, _cited(g, [d for *_, d in g.edges(data=True)])),
    )
    municipalities = [d for _, d in g.nodes(data=True) if d["type"] == "Municipality"]
    add(
        f"{PREFIX}-kommunen.geojson",
        municipalities_geojson(g),
        GEOJSON_FILE,
        PLACES_DATASET,
        "Kommunen als Punkte (GeoJSON)",
        "Jede Kommune mit Koordinaten als Punkt (WGS 84) mit Netzwerk-Merkmalen.",
        _attributions(g, _cited(g, municipalities)),
    )
    return files


@dataclass(frozen=True)
class Publication:
    """What `publication` made: the data files and the two catalogue files."""

    as_of: date
    publisher: Publisher
    files: tuple[DataFile, ...]

    @property
    def distributions(self) -> tuple[DataFile, ...]:
        return tuple(f for f in self.files if f.name not in (CATALOG_TURTLE, CATALOG_JSONLD))


def today() -> date:
    """Today in Germany (the default as-of date): `graph.core.validity.today`."""
    return validity.today()


def publication(g: nx.MultiDiGraph, publisher: Publisher, as_of: date | None = None) -> Publication:
    """All files of the open-data publication of the public graph ``g``: the data files
    and ``catalog.ttl`` + ``catalog.jsonld`` describing them, as of ``as_of`` (today)."""
    when = as_of or today()
    data = distributions(g, publisher.base)
    turtle, jsonld = serialise(catalogue(g, DATASETS, data, publisher, when))
    meta = [
        DataFile(CATALOG_TURTLE, turtle, TURTLE_FILE, "", "Metadaten (DCAT-AP.de, Turtle)", "", ()),
        DataFile(
            CATALOG_JSONLD, jsonld, JSON_LD_FILE, "", "Metadaten (DCAT-AP.de, JSON-LD)", "", ()
        ),
    ]
    return Publication(when, publisher, (*data, *meta))


def write_publication(pub: Publication, outdir: Path) -> list[Path]:
    """Write every file of ``pub`` into ``outdir`` (created if missing), each whole or not
    at all (a temporary file, then renamed); returns the paths in the order written."""
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        written = []
        for f in pub.files:
            target = outdir / f.name
            fd, tmp = tempfile.mkstemp(prefix=f".{f.name}.", dir=outdir)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(f.content)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            written.append(target)
        return written
    except OSError as exc:
        raise KommunetzError(f"Kann nicht nach {outdir} schreiben: {exc.strerror}") from exc
