"""What the open-data tests share: a small network of their own (no ../shared needed)
with a Destatis edition, registrations with recognisable personal data in the store, the
publisher the tests configure, and the DCAT-AP.de shapes from ../shared."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from graph.core.records import Batch, Node, Ref, Rel
from graph.core.store import GraphStore
from graph.joining.workflow import registration_store
from graph.present.dcat import Publisher
from tests.mini_network import mini_batch
from tests.registration_helpers import LATER, NOW, base_batch, make_submission

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "dcat"
#: The statements of the imported vocabularies the checks need (see the file's header).
VOCABULARIES = FIXTURES / "vocabularies.ttl"

EDITION = "destatis-gv-20241231"
BASE = "https://daten.example.de/kommunetz/"
MAILBOX = "opendata@netzwerk.example"
PUBLISHER_SETTINGS = {
    "KOMMUNETZ_PUBLISH_URL": BASE.rstrip("/"),
    "KOMMUNETZ_PUBLISHER_NAME": "Koordination Testnetzwerk",
    "KOMMUNETZ_PUBLISHER_URL": "https://netzwerk.example",
    "KOMMUNETZ_PUBLISHER_EMAIL": MAILBOX,
    "KOMMUNETZ_PUBLISHER_CONTRIBUTOR_ID": "openNRW",
}
PUBLISHER = Publisher.from_mapping(PUBLISHER_SETTINGS)

#: Personal data of the registrations: none of it may reach a published file.
APPROVED_CONTACT = {
    "name": "Erika Mustermann",
    "email": "erika.mustermann@dueren.example",
    "phone": "+49 2421 25-0",
}
PENDING_CONTACT = {
    "name": "Hildegard Beispielfrau",
    "function": "Leitung Digitalisierung",
    "email": "h.beispielfrau@langerwehe.example",
    "phone": "+49 2423 4099-123",
}
#: What the pending registration says of itself (unreviewed input, not public either).
PENDING_OFFER = "Vertraulich: Angebot 4711 der Gemeinde"
PERSONAL = [*APPROVED_CONTACT.values(), *PENDING_CONTACT.values(), PENDING_OFFER]


def directory_batch() -> Batch:
    """A Destatis edition as the directory loader writes it, cited by one Gemeinde."""
    return Batch(
        "destatis",
        nodes=[
            Node(
                "Source",
                EDITION,
                {
                    "url": "https://www.destatis.de/",
                    "title": "Destatis Gemeindeverzeichnis (GV-ISys), Gebietsstand 31.12.2024",
                    "publisher": "Statistisches Bundesamt (Destatis)",
                    "date": "2024-12-31",
                    "licence": "Datenlizenz Deutschland – Namensnennung – Version 2.0",
                },
            ),
            Node(
                "Municipality",
                "05358024",
                {
                    "name": "Langerwehe",
                    "kind": "Gemeinde",
                    "population": 14000,
                    "population_date": "2023-12-31",
                    "sources": [EDITION],
                },
            ),
        ],
        rels=[],
    )


def fill(store: GraphStore) -> None:
    """The test network with the registration tests' open network, a Destatis edition,
    one approved registration (Düren) and one pending (Langerwehe), both with contacts."""
    store.write(base_batch())
    store.write(mini_batch())
    store.write(directory_batch())
    store.write(
        Batch(
            "formula",
            nodes=[
                Node(
                    "Project",
                    "p-formel",
                    {"title": '=HYPERLINK("https://evil.example")', "sources": ["src-a"]},
                )
            ],
            rels=[Rel("RUNS", Ref("05358008"), Ref("p-formel", "Project"), {"sources": ["src-a"]})],
        )
    )
    rs = registration_store(store)
    approved = make_submission(contact=APPROVED_CONTACT)
    rs.submit_registration(approved)
    rs.approve_registration(approved.id, now=LATER, decided_by="koordination")
    pending = make_submission(
        NOW,
        ags="05358024",
        municipality_name="Langerwehe",
        contact=PENDING_CONTACT,
        offer=PENDING_OFFER,
    )
    rs.submit_registration(pending)


@dataclass(frozen=True)
class Profile:
    name: str
    files: tuple[str, ...]


_SPEC = (
    "dcat-ap-de-imports.ttl",
    "dcat-ap-spec-german-messages.ttl",
    "dcat-ap-spec-german-additions.ttl",
    "dcat-ap-de-deprecated.ttl",
    "dcat-ap_2.1.1_shacl_shapes.ttl",
)
#: The profiles of shacl/README.md, with the files each one uses.
SPECIFICATION = Profile("Spezifikation", _SPEC)
CONVENTIONS = Profile("Spezifikation + Konventionen", (*_SPEC, "dcat-ap-konventionen.ttl"))


def shapes(shacl_dir: Path, profile: Profile) -> Graph:
    """The shapes of ``profile``, read from the files only (their owl:imports stay
    statements; nothing is fetched)."""
    g = Graph()
    for name in profile.files:
        g.parse(shacl_dir / name, format="turtle")
    return g
